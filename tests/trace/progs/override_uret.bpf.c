/* SPDX-License-Identifier: MIT */
/*
 * override_uret.bpf.c - a uprobe at add()'s entry makes add(2, b) return 100
 * without running; the uretprobe on add sees every return, that one too.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uprobe/trace_probed:add")
int BPF_KPROBE(add_entry, int a, int b)
{
	if (a == 2)
		bpf_override_return(ctx, 100);
	return 0;
}

SEC("uretprobe/trace_probed:add")
int BPF_KRETPROBE(add_return, int ret)
{
	bpf_printk("add returned %d", ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
