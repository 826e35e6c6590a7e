/* SPDX-License-Identifier: MIT */
/*
 * helper_size.bpf.c - must be refused: bpf_get_current_comm is told the
 * buffer holds 32 bytes, but it is a 16-byte stack array.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_nanosleep")
int comm_too_long(void *ctx)
{
	char comm[16];
	bpf_get_current_comm(comm, 32);
	return comm[0] == 'x';
}

char LICENSE[] SEC("license") = "GPL";
