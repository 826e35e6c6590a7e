/* SPDX-License-Identifier: MIT */
/*
 * uretprobe_ret.bpf.c - the values a function returns: each one printed,
 * and counted by value in a map.
 *
 *   PATH=$PATH:build/tests/trace bpfrt trace uretprobe_ret.o --dump-maps -- trace_probed add 4
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} returns SEC(".maps");

SEC("uretprobe/trace_probed:add")
int BPF_KRETPROBE(add_ret, int ret)
{
	__u32 k = (__u32)ret;
	__u64 one = 1, *n = bpf_map_lookup_elem(&returns, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&returns, &k, &one, BPF_NOEXIST);
	bpf_printk("add returned %d", ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
