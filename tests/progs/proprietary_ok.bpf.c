/* SPDX-License-Identifier: MIT */
/*
 * proprietary_ok.bpf.c - a non-GPL program calling only helpers that are not
 * GPL-only in Linux: it loads and runs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int allowed(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &k);
	if (v)
		*v = bpf_get_current_pid_tgid() >> 32;
	return bpf_ktime_get_ns() ? 1 : 0;
}

char LICENSE[] SEC("license") = "Proprietary";
