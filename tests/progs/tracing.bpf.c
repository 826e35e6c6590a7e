/* SPDX-License-Identifier: MIT */
/*
 * tracing.bpf.c - task helpers, only in tracing program types, on a context
 * given by the test.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u64 pid_tgid;
	__u64 uid_gid;
	char comm[16];
	char copied[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} last SEC(".maps");

/* The context is a pointer to a string in the caller's memory. */
SEC("raw_tracepoint/test")
int task(__u64 *ctx)
{
	__u32 k = 0;
	struct event *e = bpf_map_lookup_elem(&last, &k);
	if (!e)
		return 1;
	e->pid_tgid = bpf_get_current_pid_tgid();
	e->uid_gid = bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	long n = bpf_probe_read_user_str(e->copied, sizeof(e->copied), (void *)ctx[0]);
	long bad = bpf_probe_read_user(e->copied, 0 + 1, (void *)8); /* unmapped: -EFAULT */
	return (int)(n * 100 + (bad < 0 ? 1 : 0));
}

/* bpf_probe_read_kernel_str of the string at ctx[0] into the event: its length. */
SEC("raw_tracepoint/test")
int kstr(__u64 *ctx)
{
	__u32 k = 0;
	struct event *e = bpf_map_lookup_elem(&last, &k);
	if (!e)
		return -1;
	return bpf_probe_read_kernel_str(e->copied, 4, (void *)ctx[0]);
}

char LICENSE[] SEC("license") = "GPL";
