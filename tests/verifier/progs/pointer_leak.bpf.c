/* SPDX-License-Identifier: MIT */
/*
 * pointer_leak.bpf.c - must be refused: the address of the context is
 * stored into a map, where user space could read it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} seen SEC(".maps");

SEC("xdp")
int leak_ctx(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *slot = bpf_map_lookup_elem(&seen, &key);
	if (slot)
		*slot = (__u64)(unsigned long)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
