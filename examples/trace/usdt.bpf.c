/* SPDX-License-Identifier: MIT */
/*
 * usdt.bpf.c - the arguments of USDT probes (<sys/sdt.h> STAP_PROBE /
 * DTRACE_PROBE sites), read with libbpf's bpf_usdt_arg() and BPF_USDT
 * wherever each call site keeps them: registers, memory, constants.
 * bpf:guarded is behind a semaphore, raised while the probe is attached.
 *
 *   PATH=$PATH:build/tests/trace/bin bpfrt trace usdt.o -- trace_usdt 3
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

SEC("usdt/trace_usdt:bpfrt:step")
int step(struct pt_regs *ctx)
{
	long i = 0, x = 0, y = 0, c = 0;
	int n = bpf_usdt_arg_cnt(ctx);

	bpf_usdt_arg(ctx, 0, &i);
	bpf_usdt_arg(ctx, 1, &x);
	bpf_usdt_arg(ctx, 2, &y);
	bpf_usdt_arg(ctx, 3, &c);
	bpf_printk("step i=%ld x=%ld", i, x);
	bpf_printk("step y=%ld c=%ld args=%d", y, c, n);
	return 0;
}

SEC("usdt/trace_usdt:bpfrt:guarded")
int BPF_USDT(guarded, int i, int hundred)
{
	bpf_printk("guarded %d %d", i, hundred);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
