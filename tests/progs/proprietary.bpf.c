/* SPDX-License-Identifier: MIT */
/*
 * proprietary.bpf.c - a non-GPL program calling a GPL-only helper
 * (bpf_trace_printk): Linux refuses it at load, and so must bpfrt.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_getpid")
int printk(void *ctx)
{
	bpf_printk("not allowed");
	return 0;
}

char LICENSE[] SEC("license") = "Proprietary";
