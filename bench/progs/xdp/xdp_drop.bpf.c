/* SPDX-License-Identifier: MIT */
/* xdp_drop.bpf.c - drop every frame, counting them (bench_xdp_live). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);   /* XDP action, as xdp_block's */
	__type(value, __u64);
} actions SEC(".maps");

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	__u32 k = XDP_DROP;
	__u64 *n = bpf_map_lookup_elem(&actions, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
