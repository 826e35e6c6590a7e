/* SPDX-License-Identifier: MIT */
/*
 * libc_malloc.bpf.c - a uprobe in a shared library found by name (libc.so.6):
 * counts malloc calls of one size, so the count is exact.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} mallocs SEC(".maps");

SEC("uprobe/libc.so.6:malloc")
int BPF_KPROBE(on_malloc, unsigned long size)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&mallocs, &k);
	if (v && size == 12345)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
