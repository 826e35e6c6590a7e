/* SPDX-License-Identifier: MIT */
/*
 * stale_packet.bpf.c - must be refused: the packet is checked to hold 64
 * bytes, then bpf_xdp_adjust_tail shrinks it by 60, and the pointer from
 * before the call still reads byte 63, now past the end.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int read_after_shrink(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if ((void *)(p + 64) > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_tail(ctx, -60))
		return XDP_DROP;
	return p[63] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
