/* SPDX-License-Identifier: MIT */
/*
 * xdp_live.h - `bpfrt xdp attach`: an XDP port on live interfaces through
 * AF_PACKET TPACKET_V3 rings, as a bump in the wire.
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
 */
#ifndef BPFRT_CLI_XDP_LIVE_H
#define BPFRT_CLI_XDP_LIVE_H

#include <stdbool.h>
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

struct xdp_live_opts {
	struct bpfrt_object *obj; /* its devmaps are where broadcasts go */
	const char *dev, *pass_dev;
	uint64_t count;    /* stop after this many frames on dev (0: no limit) */
	uint64_t duration; /* stop after this many seconds (0: no limit) */
};

struct xdp_live_counts {
	uint64_t received, returned; /* frames in on dev; frames from pass_dev sent back out */
	uint64_t sent_errors;        /* frames the kernel would not send */
	uint64_t elapsed_ns;         /* from attaching to stopping */
	uint64_t ring_drops;         /* frames on dev the ring had no room for (bpfrt was behind) */
	struct xdp_targets targets;
};

/*
 * Run until SIGINT/SIGTERM, count or duration. Returns 0, or 1 after
 * printing why (an interface that does not exist, no permission).
 */
int xdp_live_run(struct bpfrt_runtime *rt, struct bpfrt_xdp_port *port,
		 const struct xdp_live_opts *o, struct xdp_live_counts *c);

#endif
