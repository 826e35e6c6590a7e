/* SPDX-License-Identifier: MIT */
/*
 * fault_openat.bpf.c - fault injection: openat() of one file fails with
 * ENOENT without being made; every other call runs as usual. BPF_KSYSCALL
 * names the arguments (bpfrt gives ksyscall programs the registers of
 * x86-64's syscall wrapper, as Linux does); bpf_override_return makes the
 * call return the value, which bpfrt allows only with --allow-override.
 *
 *   bpfrt trace fault_openat.o --allow-override -- cat /etc/hostname
 *   cat: /etc/hostname: No such file or directory
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define ENOENT 2

/* The file to make vanish, as the process names it. */
static const char target[] = "/etc/hostname";

SEC("ksyscall/openat")
int BPF_KSYSCALL(fail_openat, int dfd, const char *path, int flags)
{
	char name[sizeof(target)];
	/* The name and its NUL, and nothing longer: a prefix is another file. */
	if (bpf_probe_read_user_str(name, sizeof(name), path) != sizeof(target))
		return 0;
#pragma unroll
	for (int i = 0; i < (int)sizeof(target) - 1; i++)
		if (name[i] != target[i])
			return 0;
	bpf_printk("openat(%s, flags 0x%x) fails with -ENOENT", name, flags);
	bpf_override_return(ctx, -ENOENT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL"; /* bpf_override_return is GPL-only */
