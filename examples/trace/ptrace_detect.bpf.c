/* SPDX-License-Identifier: MIT */
/*
 * ptrace_detect.bpf.c - report processes calling ptrace(2) (debuggers, and
 * programs checking for one with PTRACE_TRACEME), with the request and the
 * pid they name; events go through a ring buffer.
 *
 *   bpfrt trace ptrace_detect.o -- strace -o /dev/null true
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	char comm[16];
	__u32 tgid;
	__u32 request;
	__u32 target;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ptrace_events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_ptrace")
int detect(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&ptrace_events, sizeof(*e), 0);
	if (!e)
		return 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	e->request = (__u32)ctx->args[0];
	e->target = (__u32)ctx->args[1];
	e->pad = 0;
	bpf_printk("ptrace by %s (%u): request %u pid %u", e->comm, e->tgid, e->request, e->target);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
