/* SPDX-License-Identifier: MIT */
/*
 * xdp_live.h - `bpfrt xdp attach`: an XDP port on live interfaces, as a
 * bump in the wire, through AF_XDP sockets fed by a kernel XDP program of
 * bpfrt's own (xdp_afxdp.c, xsk.c) or through AF_PACKET TPACKET_V3 rings
 * (xdp_live.c), the fallback where AF_XDP is not possible.
 *
 * bpfrt sits between two interfaces of one namespace that have no addresses
 * (so the kernel's stack there neither answers nor forwards): --dev, where
 * the traffic comes in, and --pass-dev, the way on to the stack being
 * protected (typically a veth whose peer holds the addresses). Each frame
 * received on --dev runs the program:
 *   XDP_PASS      sent out of --pass-dev (into the stack behind it)
 *   XDP_DROP      not sent anywhere
 *   XDP_TX        sent back out of --dev
 *   XDP_REDIRECT  sent out of the interface the program chose (bpf_redirect,
 *                 or a devmap entry through bpf_redirect_map)
 *   XDP_ABORTED   counted as an error, dropped
 * Frames received on --pass-dev (the stack's answers) go out of --dev as
 * they are: the program filters one direction, as XDP on --dev would.
 * PASS stays "out of --pass-dev" with AF_XDP too: bpfrt cannot hand a frame
 * to the stack of --dev's own namespace (that needs XDP_PASS in the
 * kernel), and one meaning in both modes keeps the tests and the bench
 * comparable. With AF_XDP the stack of --dev's namespace sees no frame at
 * all (dropped or not); with AF_PACKET it sees every frame.
 */
#ifndef BPFRT_CLI_XDP_LIVE_H
#define BPFRT_CLI_XDP_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpfrt/xdp.h"

struct bpfrt_runtime;

/* Where redirected frames went: counts per target. */
#define XDP_MAX_TARGETS 16
struct xdp_targets {
	struct bpfrt_xdp_redirect t[XDP_MAX_TARGETS];
	uint64_t n[XDP_MAX_TARGETS];
	unsigned cnt;
	uint64_t other;
};
void xdp_count_target(struct xdp_targets *ts, const struct bpfrt_xdp_redirect *r);

struct bpfrt_object;

/*
 * bpf_redirect_map with BPFRT_F_BROADCAST: send(ctx, ifindex, ...) for every
 * interface of the devmap r names (but ingress, with BPFRT_F_EXCLUDE_INGRESS).
 */
void xdp_broadcast(struct bpfrt_object *obj, const struct bpfrt_xdp_redirect *r,
		   unsigned ingress,
		   void (*send)(void *ctx, unsigned ifindex, const uint8_t *frame, uint32_t len),
		   void *ctx, const uint8_t *frame, uint32_t len);

enum xdp_live_mode {
	XDP_LIVE_AUTO,   /* AF_XDP, or AF_PACKET rings (saying why) where AF_XDP fails */
	XDP_LIVE_AFXDP,  /* AF_XDP or nothing */
	XDP_LIVE_PACKET, /* AF_PACKET TPACKET_V3 rings */
};

struct xdp_live_opts {
	struct bpfrt_object *obj; /* its devmaps are where broadcasts go */
	const char *dev, *pass_dev;
	enum xdp_live_mode mode;
	bool generic;      /* AF_XDP: attach the kernel side in generic (skb) mode only */
	uint64_t count;    /* stop after this many frames on dev (0: no limit) */
	uint64_t duration; /* stop after this many seconds (0: no limit) */
};

struct xdp_live_counts {
	uint64_t received, returned; /* frames in on dev; frames from pass_dev sent back out */
	uint64_t sent_errors;        /* frames the kernel would not send */
	uint64_t elapsed_ns;         /* from attaching to stopping */
	uint64_t ring_drops;         /* frames on dev the ring had no room for (bpfrt was behind) */
	const char *backend;         /* "afxdp" or "packet" */
	const char *xdp_mode;        /* AF_XDP: "native" or "generic", the kernel side's attachment */
	struct xdp_targets targets;
};

/*
 * Run until SIGINT/SIGTERM, count or duration. Returns 0, or 1 after
 * printing why (an interface that does not exist, no permission).
 */
int xdp_live_run(struct bpfrt_runtime *rt, struct bpfrt_xdp_port *port,
		 const struct xdp_live_opts *o, struct xdp_live_counts *c);

/*
 * The same over AF_XDP (xdp_afxdp.c). Returns 0, 1 after printing why, or
 * XDP_LIVE_UNAVAILABLE with why in err, before anything was attached.
 */
#define XDP_LIVE_UNAVAILABLE 2
int xdp_afxdp_run(struct bpfrt_runtime *rt, struct bpfrt_xdp_port *port,
		  const struct xdp_live_opts *o, struct xdp_live_counts *c, char *err,
		  size_t errlen);

/* Set by SIGINT/SIGTERM (xdp_live_catch_signals) or when --count is reached. */
extern volatile sig_atomic_t xdp_live_stop;
void xdp_live_catch_signals(void);
/* An interface with an IPv4/IPv6 address: warn that its stack may answer regardless. */
void xdp_live_warn_addresses(const char *name);

#endif
