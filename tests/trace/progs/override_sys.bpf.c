/* SPDX-License-Identifier: MIT */
/*
 * override_sys.bpf.c - bpf_override_return at system call entries, written
 * as for Linux: openat() of /etc/hostname fails with EACCES (a kprobe on
 * __x64_sys_openat, the path read through PT_REGS_SYSCALL_REGS), and mkdir()
 * reports success without being made (ksyscall). The exit hooks print the
 * EACCES they see: the program's value, as in Linux.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define EACCES 13

static const char denied[] = "/etc/hostname";

SEC("kprobe/__x64_sys_openat")
int deny_openat(struct pt_regs *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)PT_REGS_SYSCALL_REGS(ctx);
	const char *path = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
	char name[sizeof(denied)];
	if (bpf_probe_read_user_str(name, sizeof(name), path) != sizeof(denied))
		return 0;
#pragma unroll
	for (int i = 0; i < (int)sizeof(denied) - 1; i++)
		if (name[i] != denied[i])
			return 0;
	bpf_override_return(ctx, -EACCES);
	return 0;
}

SEC("kretsyscall/openat")
int BPF_KRETPROBE(openat_ret, long ret)
{
	if (ret == -EACCES)
		bpf_printk("kretsyscall openat = %ld", ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret == -EACCES)
		bpf_printk("sys_exit openat = %ld", ctx->ret);
	return 0;
}

/* glibc's mkdir() calls mkdir on x86-64; mkdirat too, for other callers. */
SEC("ksyscall/mkdir")
int BPF_KSYSCALL(fake_mkdir, const char *path, umode_t mode)
{
	bpf_override_return(ctx, 0);
	return 0;
}

SEC("ksyscall/mkdirat")
int BPF_KSYSCALL(fake_mkdirat, int dfd, const char *path, umode_t mode)
{
	bpf_override_return(ctx, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
