/* SPDX-License-Identifier: MIT */
/*
 * progtype.c - the program types bpfrt runs.
 *
 * Helper groups follow the kernel's split: packet programs get the base set
 * and packet helpers, tracing programs the base set and task/memory helpers;
 * kprobe programs (uprobes are kprobe programs too) also bpf_override_return,
 * as in Linux, where no other type may call it.
 * Socket filters see the packet from the network header on, as the kernel's
 * test runs do after eth_type_trans() pulled the Ethernet header.
 */
#include <stddef.h>
#include "progtype.h"

#define ETH_HLEN 14

static const struct progtype types[] = {
	{ BPFRT_PROG_TYPE_UNSPEC, "unspec", CTX_DATA, HG_ALL, 0 },
	{ BPFRT_PROG_TYPE_SOCKET_FILTER, "socket_filter", CTX_SKB, HG_BASE | HG_PKT, ETH_HLEN },
	{ BPFRT_PROG_TYPE_KPROBE, "kprobe", CTX_RAW, HG_BASE | HG_TRACE | HG_KPROBE, 0 },
	{ BPFRT_PROG_TYPE_SCHED_CLS, "sched_cls", CTX_SKB, HG_BASE | HG_PKT, 0 },
	{ BPFRT_PROG_TYPE_SCHED_ACT, "sched_act", CTX_SKB, HG_BASE | HG_PKT, 0 },
	{ BPFRT_PROG_TYPE_TRACEPOINT, "tracepoint", CTX_RAW, HG_BASE | HG_TRACE, 0 },
	{ BPFRT_PROG_TYPE_XDP, "xdp", CTX_XDP, HG_BASE | HG_PKT | HG_XDP, 0 },
	{ BPFRT_PROG_TYPE_PERF_EVENT, "perf_event", CTX_RAW, HG_BASE | HG_TRACE, 0 },
	{ BPFRT_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint", CTX_RAW, HG_BASE | HG_TRACE, 0 },
	{ BPFRT_PROG_TYPE_TRACING, "tracing", CTX_RAW, HG_BASE | HG_TRACE, 0 },
};

const struct progtype *progtype_get(enum bpfrt_prog_type type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

const char *bpfrt_prog_type_name(enum bpfrt_prog_type type)
{
	const struct progtype *t = progtype_get(type);
	return t ? t->name : NULL;
}
