/* SPDX-License-Identifier: MIT */
/*
 * unbounded_loop.bpf.c - must be refused: the loop runs as long as the input
 * says, and nothing bounds that.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int input_bounded_loop(struct xdp_md *ctx)
{
	__u32 n = ctx->ingress_ifindex, hash = 2166136261u;
	for (__u32 i = 0; i < n; i++)
		hash = (hash ^ i) * 16777619u;
	return hash & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
