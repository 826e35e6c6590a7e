/* SPDX-License-Identifier: MIT */
/*
 * tp_layout.bpf.c - the header and fields of syscall tracepoint records, read
 * through the kernel's own types (trace_entry, trace_event_raw_sys_enter/exit)
 * and printed for the test to compare with tracefs and the target.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_write")
int enter_write(struct trace_event_raw_sys_enter *ctx)
{
	bpf_printk("enter type %u pid %d tgid %u", ctx->ent.type, ctx->ent.pid,
		   (__u32)(bpf_get_current_pid_tgid() >> 32));
	bpf_printk("enter nr %ld fd %lu count %lu", ctx->id, ctx->args[0], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int exit_write(struct trace_event_raw_sys_exit *ctx)
{
	bpf_printk("exit type %u nr %ld ret %ld", ctx->ent.type, ctx->id, ctx->ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
