/* SPDX-License-Identifier: MIT */
/*
 * packet_bounds.bpf.c - must be refused: the Ethernet header is read without
 * first comparing data + its size with data_end.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int no_end_check(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	return eth->h_proto == 0x0008 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
