/* SPDX-License-Identifier: MIT */
/*
 * progtype.h (internal) - what each program type means: its context and the
 * helpers it may call.
 */
#ifndef BPFRT_PROGTYPE_H
#define BPFRT_PROGTYPE_H

#include <stdint.h>
#include "bpfrt/prog.h"

/* Groups of helpers; a program type allows some groups. */
enum helper_group {
	HG_BASE = 1u << 0,  /* maps, time, printing, strings, loops, ring buffers... */
	HG_TRACE = 1u << 1, /* the current task, reading user and kernel memory */
	HG_PKT = 1u << 2,   /* packets: checksums */
	HG_XDP = 1u << 3,   /* XDP frames: head/tail/meta adjustments, redirects */
	HG_KPROBE = 1u << 4, /* kprobe programs only (Linux's kprobe_prog_func_proto): override */
	HG_ALL = ~0u,       /* embedder-registered helpers */
};

/* How test runs build the context r1 points to. */
enum ctx_kind {
	CTX_DATA, /* r1 = data, r2 = data size (generic programs) */
	CTX_XDP,  /* r1 = struct xdp_md over the data as a packet */
	CTX_SKB,  /* r1 = struct __sk_buff over the data as a packet */
	CTX_RAW,  /* r1 = a copy of ctx_in, as given */
};

struct progtype {
	enum bpfrt_prog_type type;
	const char *name;
	enum ctx_kind ctx;
	uint32_t helper_groups;
	/* Legacy packet loads read from data + this (the kernel's skb->data). */
	uint32_t pkt_offset;
};

/* NULL for an unknown type. */
const struct progtype *progtype_get(enum bpfrt_prog_type type);

#endif
