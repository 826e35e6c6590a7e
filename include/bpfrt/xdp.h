/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/xdp.h - XDP programs on packets in user space.
 *
 * A port runs one XDP program (BPFRT_PROG_TYPE_XDP) on frames handed to it,
 * one at a time, in the kernel's xdp_buff geometry: 256 bytes of headroom
 * (bpf_xdp_adjust_head/meta), up to 3520 bytes of packet, room to grow the
 * tail up to 320 bytes before the end of a 4096-byte frame, fragments for
 * longer packets. It returns the
 * program's verdict, the frame as the program left it, and for
 * XDP_REDIRECT where the program sent it; the caller delivers the frame
 * (a pcap file, a socket, another interface). It keeps the kernel's
 * program statistics (run count, run time) and counts per action.
 *
 * A port is for one thread; maps are shared with every other user, so a
 * map updated elsewhere (bpfrt map update pinned ...) changes the verdict
 * of the next frame.
 */
#ifndef BPFRT_XDP_H
#define BPFRT_XDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_prog;
struct bpfrt_xdp_port;

/* The kernel's XDP actions. */
enum bpfrt_xdp_action {
	BPFRT_XDP_ABORTED = 0,
	BPFRT_XDP_DROP = 1,
	BPFRT_XDP_PASS = 2,
	BPFRT_XDP_TX = 3,
	BPFRT_XDP_REDIRECT = 4,
};
#define BPFRT_XDP_NACTIONS 5

/* "aborted", "drop", "pass", "tx", "redirect"; NULL for other values. */
const char *bpfrt_xdp_action_name(uint32_t action);

/* Flags of bpf_redirect_map() the kernel accepts for device maps. */
#define BPFRT_F_BROADCAST (1u << 3)
#define BPFRT_F_EXCLUDE_INGRESS (1u << 4)

/* Where the last bpf_redirect() or bpf_redirect_map() of a run sent the frame. */
struct bpfrt_xdp_redirect {
	uint32_t ifindex; /* target interface; 0 with BPFRT_F_BROADCAST */
	uint32_t map_id;  /* bpf_redirect_map: the map (bpfrt_map__id()); 0: bpf_redirect */
	uint32_t key;     /* bpf_redirect_map: the key */
	uint32_t flags;   /* bpf_redirect_map: BPFRT_F_BROADCAST, BPFRT_F_EXCLUDE_INGRESS */
};

struct bpfrt_xdp_port_opts {
	size_t sz;                /* sizeof(struct bpfrt_xdp_port_opts) */
	uint32_t ingress_ifindex; /* xdp_md.ingress_ifindex (0: the loopback's, as test runs) */
	uint32_t rx_queue_index;  /* xdp_md.rx_queue_index */
	/*
	 * Do not time each run (run_time_ns stays 0, verdict.run_ns 0), as the
	 * kernel with kernel.bpf_stats_enabled off: two clock reads less per frame.
	 */
	bool no_run_time;
};

/**
 * bpfrt_xdp_port__new() - a port running prog.
 * @prog: an XDP program; it must outlive the port.
 *
 * Return: the port, or NULL with errno set (EINVAL: not an XDP program,
 * ENOMEM) and the reason in bpfrt_runtime__last_error().
 */
struct bpfrt_xdp_port *bpfrt_xdp_port__new(struct bpfrt_prog *prog,
					   const struct bpfrt_xdp_port_opts *opts);
void bpfrt_xdp_port__free(struct bpfrt_xdp_port *port);

struct bpfrt_xdp_verdict {
	uint32_t action;        /* the program's return value (may be outside 0..4) */
	const uint8_t *data;    /* the frame from xdp_md.data, valid until the next run */
	uint32_t len;           /* data_end - data */
	uint32_t meta_len;      /* data - data_meta: the metadata ends at data */
	struct bpfrt_xdp_redirect redirect; /* for BPFRT_XDP_REDIRECT */
	uint64_t run_ns;        /* time the program ran */
};

/**
 * bpfrt_xdp_port__run() - run the program on one frame.
 * @frame, @len: an Ethernet frame of 14 to 73152 bytes (the kernel runs XDP
 *      on nothing shorter than an Ethernet header). Of a frame longer than
 *      3520 bytes the program sees the first 3520, the rest is in fragments
 *      (17 at most) whose end bpf_xdp_adjust_tail moves.
 *
 * Return: 0 with the verdict in *v, -EINVAL for a frame of a length XDP
 * cannot run on, or the error that stopped the program (checked engine:
 * -EFAULT, -ELOOP...) with the message in bpfrt_runtime__last_error(). A
 * stopped program counts as XDP_ABORTED in the statistics, as an exception
 * in the kernel; v->action is then BPFRT_XDP_ABORTED.
 */
int bpfrt_xdp_port__run(struct bpfrt_xdp_port *port, const void *frame, uint32_t len,
			struct bpfrt_xdp_verdict *v);

struct bpfrt_xdp_stats {
	uint64_t run_cnt;      /* runs, as the kernel's bpf_prog_info.run_cnt */
	uint64_t run_time_ns;  /* their total time, as run_time_ns */
	uint64_t actions[BPFRT_XDP_NACTIONS]; /* frames per verdict */
	uint64_t invalid;      /* return values outside 0..4 (also counted as aborted) */
	uint64_t errors;       /* runs stopped by an error (also counted as aborted) */
	uint64_t rejected;     /* frames not run: too short or too long */
};

/* A copy of the port's counters. */
void bpfrt_xdp_port__stats(const struct bpfrt_xdp_port *port, struct bpfrt_xdp_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
