/* SPDX-License-Identifier: MIT */
/*
 * sec.c - SEC() names to program types, as libbpf reads them.
 *
 * A name matches an entry when it equals the entry's prefix or continues it
 * with '/' (the attach target follows: "tracepoint/syscalls/sys_enter_write").
 */
#include <string.h>
#include "object.h"

static const struct {
	const char *prefix;
	enum bpfrt_prog_type type;
} sec_defs[] = {
	{ "socket", BPFRT_PROG_TYPE_SOCKET_FILTER },
	{ "sk_skb", BPFRT_PROG_TYPE_SOCKET_FILTER },
	{ "kprobe", BPFRT_PROG_TYPE_KPROBE },
	{ "kretprobe", BPFRT_PROG_TYPE_KPROBE },
	{ "ksyscall", BPFRT_PROG_TYPE_KPROBE },
	{ "kretsyscall", BPFRT_PROG_TYPE_KPROBE },
	{ "uprobe", BPFRT_PROG_TYPE_KPROBE },
	{ "uprobe.s", BPFRT_PROG_TYPE_KPROBE },
	{ "uretprobe", BPFRT_PROG_TYPE_KPROBE },
	{ "uretprobe.s", BPFRT_PROG_TYPE_KPROBE },
	{ "usdt", BPFRT_PROG_TYPE_KPROBE },
	{ "tc", BPFRT_PROG_TYPE_SCHED_CLS },
	{ "tcx", BPFRT_PROG_TYPE_SCHED_CLS },
	{ "classifier", BPFRT_PROG_TYPE_SCHED_CLS },
	{ "action", BPFRT_PROG_TYPE_SCHED_ACT },
	{ "tracepoint", BPFRT_PROG_TYPE_TRACEPOINT },
	{ "tp", BPFRT_PROG_TYPE_TRACEPOINT },
	{ "raw_tracepoint", BPFRT_PROG_TYPE_RAW_TRACEPOINT },
	{ "raw_tp", BPFRT_PROG_TYPE_RAW_TRACEPOINT },
	{ "raw_tracepoint.w", BPFRT_PROG_TYPE_RAW_TRACEPOINT },
	{ "raw_tp.w", BPFRT_PROG_TYPE_RAW_TRACEPOINT },
	{ "tp_btf", BPFRT_PROG_TYPE_TRACING },
	{ "fentry", BPFRT_PROG_TYPE_TRACING },
	{ "fexit", BPFRT_PROG_TYPE_TRACING },
	{ "fmod_ret", BPFRT_PROG_TYPE_TRACING },
	{ "fentry.s", BPFRT_PROG_TYPE_TRACING },
	{ "fexit.s", BPFRT_PROG_TYPE_TRACING },
	{ "xdp", BPFRT_PROG_TYPE_XDP },
	{ "xdp.frags", BPFRT_PROG_TYPE_XDP },
	{ "perf_event", BPFRT_PROG_TYPE_PERF_EVENT },
	/* bpfrt's own: generic programs for embedders (r1 = data, r2 = size). */
	{ "bpfrt", BPFRT_PROG_TYPE_UNSPEC },
	{ "raw", BPFRT_PROG_TYPE_UNSPEC },
};

bool sec_prog_type(const char *sec, enum bpfrt_prog_type *type, const char **attach)
{
	for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++) {
		size_t n = strlen(sec_defs[i].prefix);
		if (strncmp(sec, sec_defs[i].prefix, n) || (sec[n] && sec[n] != '/'))
			continue;
		*type = sec_defs[i].type;
		*attach = sec[n] ? sec + n + 1 : sec + n;
		return true;
	}
	return false;
}
