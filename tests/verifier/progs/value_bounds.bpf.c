/* SPDX-License-Identifier: MIT */
/*
 * value_bounds.bpf.c - must be refused: an index from the packet's metadata
 * selects an element of a map value's array with no upper bound check.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct slots {
	__u64 hits[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct slots);
	__uint(max_entries, 1);
} table SEC(".maps");

SEC("xdp")
int unchecked_index(struct xdp_md *ctx)
{
	__u32 key = 0, i = ctx->rx_queue_index;
	struct slots *s = bpf_map_lookup_elem(&table, &key);
	if (!s)
		return XDP_PASS;
	s->hits[i]++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
