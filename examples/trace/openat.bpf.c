/* SPDX-License-Identifier: MIT */
/*
 * openat.bpf.c - every file the process opens, with the result: the name is
 * read from the caller's memory at entry, printed with the return value at
 * exit (a hash map keyed by thread carries it across).
 *
 *   bpfrt trace openat.o -- cat /etc/hostname
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct name {
	char path[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct name);
} pending SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct name n = {};
	bpf_probe_read_user_str(n.path, sizeof(n.path), (const char *)ctx->args[1]);
	bpf_map_update_elem(&pending, &tid, &n, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct name *n = bpf_map_lookup_elem(&pending, &tid);
	if (!n)
		return 0;
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("openat %s: %s = %ld", comm, n->path, ctx->ret);
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
