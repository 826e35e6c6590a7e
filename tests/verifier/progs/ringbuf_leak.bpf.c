/* SPDX-License-Identifier: MIT */
/*
 * ringbuf_leak.bpf.c - must be refused: a ring buffer record is reserved but
 * neither submitted nor discarded on the path where the data is too short.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int leak_record(struct xdp_md *ctx)
{
	__u32 *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec)
		return XDP_PASS;
	if (ctx->data_end - ctx->data < 64)
		return XDP_DROP;
	*rec = ctx->data_end - ctx->data;
	bpf_ringbuf_submit(rec, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
