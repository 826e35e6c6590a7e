/* SPDX-License-Identifier: MIT */
/*
 * raw_syscalls.bpf.c - raw_tracepoint/sys_enter and sys_exit: the number from
 * the context's second argument at entry, struct pt_regs (first argument)
 * read with BPF_CORE_READ at exit, the return value at exit. Counts write(2)
 * calls and the bytes they wrote, and every system call.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

enum { WRITES = 0, BYTES = 1, CALLS = 2, FD1_ARG = 3 };

static void add(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&stats, &k);
	if (p)
		__sync_fetch_and_add(p, v);
}

SEC("raw_tracepoint/sys_enter")
int raw_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	add(CALLS, 1);
	if (ctx->args[1] == 1) { /* write */
		add(WRITES, 1);
		if (PT_REGS_PARM1_CORE_SYSCALL(regs) == 1)
			add(FD1_ARG, 1);
	}
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int raw_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long ret = (long)ctx->args[1];
	if (BPF_CORE_READ(regs, orig_ax) == 1 && ret > 0)
		add(BYTES, (__u64)ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
