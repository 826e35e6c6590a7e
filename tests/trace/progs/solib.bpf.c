/* SPDX-License-Identifier: MIT */
/*
 * solib.bpf.c - probes in a shared library named as libbpf names one
 * (found through LD_LIBRARY_PATH and ld.so's directories): a uprobe and a
 * uretprobe on lib_add and the USDT probe trace_lib:op of libtrace_probed.so
 * (tests/trace/solib.c), whether the traced program links the library or
 * dlopen()s it later.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lib SEC(".maps"); /* [0] calls, [1] sum of arguments, [2] sum of returns, [3] USDT hits */

static void count(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&lib, &k);
	if (p)
		__sync_fetch_and_add(p, v);
}

SEC("uprobe/libtrace_probed.so:lib_add")
int BPF_KPROBE(lib_add_entry, int a, int b)
{
	count(0, 1);
	count(1, (__u64)(a + b));
	return 0;
}

SEC("uretprobe/libtrace_probed.so:lib_add")
int BPF_KRETPROBE(lib_add_ret, int ret)
{
	count(2, (__u64)ret);
	return 0;
}

SEC("usdt/libtrace_probed.so:trace_lib:op")
int BPF_USDT(lib_op, int i, long x)
{
	count(3, 1);
	bpf_printk("op %d %ld", i, x);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
