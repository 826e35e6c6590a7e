/* SPDX-License-Identifier: MIT */
/*
 * bad_sections.bpf.c - hooks bpfrt trace must refuse, each naming its
 * program (select one with --prog).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_nosuchcall")
int no_such_syscall(void *ctx)
{
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int kernel_only(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/sched_switch")
int raw_kernel_only(void *ctx)
{
	return 0;
}

SEC("ksyscall/nosuchcall")
int no_such_ksyscall(void *ctx)
{
	return 0;
}

SEC("kprobe/__x64_sys_openat+4")
int ksyscall_offset(void *ctx)
{
	return 0;
}

SEC("xdp")
int not_tracing(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
