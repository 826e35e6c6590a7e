/* SPDX-License-Identifier: MIT */
/*
 * ksyscall_args.bpf.c - the same openat() calls seen four ways, each
 * printing what it read: the tracepoint's record, BPF_KSYSCALL, a kprobe on
 * __x64_sys_openat reading through PT_REGS_SYSCALL_REGS and the _CORE_SYSCALL
 * macros (the fourth argument is r10 in the user's registers, not rcx), and
 * the results: sys_exit, kretsyscall and kretprobe; mmap's five arguments
 * (the fifth in r8) through the tracepoint and BPF_KSYSCALL. The lines must agree.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

static void show(const char *kind, long dfd, const char *path, long flags, long mode)
{
	char name[64];
	if (bpf_probe_read_user_str(name, sizeof(name), path) < 0)
		name[0] = '\0';
	bpf_printk("args %s: %ld %s %lx %lx", kind, dfd, name, flags, mode);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(struct trace_event_raw_sys_enter *ctx)
{
	show("tp", (int)ctx->args[0], (const char *)ctx->args[1], (int)ctx->args[2],
	     (umode_t)ctx->args[3]);
	return 0;
}

SEC("ksyscall/openat")
int BPF_KSYSCALL(ks_openat, int dfd, const char *path, int flags, umode_t mode)
{
	show("ksyscall", dfd, path, flags, mode);
	return 0;
}

SEC("kprobe/__x64_sys_openat")
int kp_openat(struct pt_regs *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)PT_REGS_SYSCALL_REGS(ctx);
	show("kprobe", (int)PT_REGS_PARM1_CORE_SYSCALL(regs),
	     (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs), (int)PT_REGS_PARM3_CORE_SYSCALL(regs),
	     (umode_t)PT_REGS_PARM4_CORE_SYSCALL(regs));
	return 0;
}

/* Five arguments, the fifth in r8 (BPF_KSYSCALL names five at most). */
SEC("tracepoint/syscalls/sys_enter_mmap")
int tp_mmap(struct trace_event_raw_sys_enter *ctx)
{
	bpf_printk("mmap tp: %lx %lx %lx %lx %ld", ctx->args[0], ctx->args[1], ctx->args[2],
		   ctx->args[3], (int)ctx->args[4]);
	return 0;
}

SEC("ksyscall/mmap")
int BPF_KSYSCALL(ks_mmap, unsigned long addr, unsigned long len, unsigned long prot,
		 unsigned long flags, int fd)
{
	bpf_printk("mmap ksyscall: %lx %lx %lx %lx %ld", addr, len, prot, flags, fd);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tp_openat_ret(struct trace_event_raw_sys_exit *ctx)
{
	bpf_printk("ret tp: %ld", ctx->ret);
	return 0;
}

SEC("kretsyscall/openat")
int BPF_KRETPROBE(ks_openat_ret, long ret)
{
	bpf_printk("ret kretsyscall: %ld", ret);
	return 0;
}

SEC("kretprobe/__x64_sys_openat")
int kp_openat_ret(struct pt_regs *ctx)
{
	bpf_printk("ret kretprobe: %ld", PT_REGS_RC(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
