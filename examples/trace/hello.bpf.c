/* SPDX-License-Identifier: MIT */
/*
 * hello.bpf.c - the first program of every eBPF introduction: a line in the
 * trace output each time the traced process calls write(2).
 *
 *   bpfrt trace hello.o -- echo hi
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_write")
int hello(struct trace_event_raw_sys_enter *ctx)
{
	bpf_printk("Hello, eBPF! fd %ld, %ld bytes", ctx->args[0], ctx->args[2]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
