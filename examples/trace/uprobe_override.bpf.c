/* SPDX-License-Identifier: MIT */
/*
 * uprobe_override.bpf.c - make a function return a fixed value without
 * running it: trace_probed's add(a, b) returns 100 when a is 2; the other
 * calls run as usual. The probe is at the function's first instruction
 * (no +OFF), the only place a uprobe may return early; bpfrt allows it
 * only with --allow-override (Linux refuses it in uprobes altogether).
 *
 *   PATH=$PATH:build/tests/trace/bin bpfrt trace uprobe_override.o --allow-override -- trace_probed add 4
 *   sum 112            (0 + 3 + 100 + 9; without the probe, 18)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uprobe/trace_probed:add")
int BPF_KPROBE(add_two_is_100, int a, int b)
{
	if (a == 2)
		bpf_override_return(ctx, 100);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
