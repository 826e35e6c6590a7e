/* SPDX-License-Identifier: MIT */
/*
 * latency.bpf.c - how long a function takes, as a log2 histogram of
 * nanoseconds: the entry time per thread from a uprobe, the difference at
 * the uretprobe. @hist[k] counts calls taking [2^k, 2^(k+1)) ns.
 *
 *   PATH=$PATH:build/tests/trace bpfrt trace latency.o --dump-maps -- trace_probed work 5 2
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

SEC("uprobe/trace_probed:work")
int BPF_KPROBE(work_enter, long ms)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("uretprobe/trace_probed:work")
int BPF_KRETPROBE(work_exit, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *t0 = bpf_map_lookup_elem(&start, &tid);
	if (!t0)
		return 0;
	__u64 d = bpf_ktime_get_ns() - *t0;
	bpf_map_delete_elem(&start, &tid);
	__u32 k = 0;
	for (int i = 0; i < 63; i++) { /* log2 */
		if (d >> 1 == 0)
			break;
		d >>= 1;
		k++;
	}
	__u64 *c = bpf_map_lookup_elem(&hist, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
