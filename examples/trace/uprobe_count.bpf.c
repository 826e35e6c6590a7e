/* SPDX-License-Identifier: MIT */
/*
 * uprobe_count.bpf.c - count the calls of a function in a program, and sum
 * its arguments, read from struct pt_regs with PT_REGS_PARM1/2.
 *
 *   PATH=$PATH:build/tests/trace bpfrt trace uprobe_count.o --dump-maps -- trace_probed add 10
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} add_calls SEC(".maps"); /* [0]: calls, [1]: sum of both arguments */

SEC("uprobe/trace_probed:add")
int BPF_KPROBE(count_add, int a, int b)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&add_calls, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	k = 1;
	v = bpf_map_lookup_elem(&add_calls, &k);
	if (v)
		__sync_fetch_and_add(v, (__u64)(a + b));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
