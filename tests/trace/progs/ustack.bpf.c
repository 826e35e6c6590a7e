/* SPDX-License-Identifier: MIT */
/*
 * ustack.bpf.c - bpf_get_stack(BPF_F_USER_STACK) in a uprobe: the chain of
 * return addresses of the probed thread, its first entry the probed address.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define USER_STACK (1ull << 8) /* BPF_F_USER_STACK */

SEC("uprobe/trace_probed:add")
int ustack(struct pt_regs *ctx)
{
	__u64 ips[16];
	long n = bpf_get_stack(ctx, ips, sizeof(ips), USER_STACK);
	if (n < 8)
		return 0;
	bpf_printk("frames %ld first-is-ip %d", n / 8, ips[0] == PT_REGS_IP(ctx));
	long none = bpf_get_stack(ctx, ips, sizeof(ips), 0); /* no kernel stack here */
	bpf_printk("kernel stack %ld", none);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
