/* SPDX-License-Identifier: MIT */
/*
 * null_check.bpf.c - must be refused: a map value used without checking that
 * bpf_map_lookup_elem found one (it returns NULL for a missing key).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} counts SEC(".maps");

SEC("xdp")
int no_null_check(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 *val = bpf_map_lookup_elem(&counts, &key);
	return *val == 7 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
