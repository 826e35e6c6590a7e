/* SPDX-License-Identifier: MIT */
/*
 * bad_uprobes.bpf.c - uprobes bpfrt trace must refuse with a clear error
 * (select one with --prog).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("uprobe/trace_probed:no_such_function")
int missing_symbol(void *ctx)
{
	return 0;
}

SEC("uprobe/no_such_file_anywhere:main")
int missing_file(void *ctx)
{
	return 0;
}

SEC("uprobe/trace_probed")
int no_function(void *ctx)
{
	return 0;
}

SEC("uretprobe/trace_probed:add+4")
int ret_offset(void *ctx)
{
	return 0;
}

SEC("kprobe/do_sys_open")
int kernel_probe(void *ctx)
{
	return 0;
}

/* A library name searched like ld.so (LD_LIBRARY_PATH first) and found nowhere. */
SEC("uprobe/libno_such_library.so:f")
int missing_library(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
