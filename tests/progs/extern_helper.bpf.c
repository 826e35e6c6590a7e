/* SPDX-License-Identifier: MIT */
/*
 * extern_helper.bpf.c - a call to an extern function (__ksym), which the
 * embedder provides as a helper registered by name.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern long my_counter_add(long a, long b) __ksym;
SEC("bpfrt")
long use_extern(void *data, long size)
{
	return my_counter_add(size, 5) + 1;
}
char LICENSE[] SEC("license") = "GPL";
