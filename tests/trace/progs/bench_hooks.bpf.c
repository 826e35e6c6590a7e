/* SPDX-License-Identifier: MIT */
/*
 * bench_hooks.bpf.c - the smallest useful hook bodies (one counter each), so
 * bench_trace measures what a hit costs, not what a program does. The same
 * object runs in bpfrt and in the kernel.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static void count(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("uprobe/trace_probed:add")
int bench_uprobe(void *ctx)
{
	count(0);
	return 0;
}

SEC("uretprobe/trace_probed:add")
int bench_uretprobe(void *ctx)
{
	count(1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int bench_syscall(void *ctx)
{
	count(2);
	return 0;
}

/* On another call: what the loop's getppid() costs unhooked while dispatch is on. */
SEC("tracepoint/syscalls/sys_enter_getpid")
int bench_syscall_other(void *ctx)
{
	count(2);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
