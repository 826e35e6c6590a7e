// SPDX-License-Identifier: MIT
/*
 * perf_xdp - bpf_perf_event_output from XDP, for tests/kernel/perf_diff.c,
 * which runs it in Linux and in bpfrt on the same packets and compares the
 * records both perf buffers deliver. The record is the first n bytes of the
 * packet, n = packet[0] & 31; XDP_PASS when it was written, XDP_DROP when
 * not (a full ring).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("xdp")
int perf_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 buf[32];

	if (data + sizeof(buf) > end)
		return XDP_ABORTED;
	__builtin_memcpy(buf, data, sizeof(buf));
	__u32 n = buf[0] & 31;
	return bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, buf, n) ? XDP_DROP : XDP_PASS;
}
