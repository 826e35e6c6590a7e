/* SPDX-License-Identifier: MIT */
/*
 * execcount.bpf.c - count the programs executed, by the name of the process
 * that executed them, in a hash map printed at exit (--dump-maps).
 *
 *   bpfrt trace execcount.o --dump-maps -- sh -c 'true; ls >/dev/null'
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct comm {
	char name[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct comm);
	__type(value, __u64);
} execs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct comm c = {};
	bpf_get_current_comm(c.name, sizeof(c.name));
	__u64 one = 1, *n = bpf_map_lookup_elem(&execs, &c);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&execs, &c, &one, BPF_NOEXIST);
	char file[64];
	bpf_probe_read_user_str(file, sizeof(file), (const char *)ctx->args[0]);
	bpf_printk("exec %s by %s", file, c.name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
