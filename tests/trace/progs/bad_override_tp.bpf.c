/* SPDX-License-Identifier: MIT */
/*
 * bad_override_tp.bpf.c - a tracepoint program calling bpf_override_return:
 * refused when the object is loaded, as Linux refuses it (kprobe programs
 * only).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_override(struct trace_event_raw_sys_enter *ctx)
{
	bpf_override_return((struct pt_regs *)ctx, -1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
