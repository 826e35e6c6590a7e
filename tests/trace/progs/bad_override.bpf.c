/* SPDX-License-Identifier: MIT */
/*
 * bad_override.bpf.c - bpf_override_return where bpfrt trace must refuse
 * it, even with --allow-override: after the function ran, or inside it
 * (select one with --prog).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uretprobe/trace_probed:add")
int on_return(struct pt_regs *ctx)
{
	bpf_override_return(ctx, 1);
	return 0;
}

SEC("uprobe/trace_probed:add+4")
int at_offset(struct pt_regs *ctx)
{
	bpf_override_return(ctx, 1);
	return 0;
}

SEC("usdt/trace_usdt:bpfrt:step")
int at_usdt(struct pt_regs *ctx)
{
	bpf_override_return(ctx, 1);
	return 0;
}

SEC("kretsyscall/openat")
int syscall_return(struct pt_regs *ctx)
{
	bpf_override_return(ctx, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
