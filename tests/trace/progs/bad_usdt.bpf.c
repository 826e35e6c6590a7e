/* SPDX-License-Identifier: MIT */
/*
 * bad_usdt.bpf.c - USDT probes bpfrt trace must refuse with a clear error
 * (select one with --prog).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("usdt/trace_usdt:bpfrt:no_such_probe")
int missing_name(void *ctx)
{
	return 0;
}

SEC("usdt/trace_usdt:no_such_provider:step")
int missing_provider(void *ctx)
{
	return 0;
}

/* trace_probed has no <sys/sdt.h> probes at all. */
SEC("usdt/trace_probed:bpfrt:step")
int no_notes(void *ctx)
{
	return 0;
}

SEC("usdt/trace_usdt:step")
int no_provider(void *ctx)
{
	return 0;
}

SEC("usdt/no_such_file_anywhere:bpfrt:step")
int missing_file(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
