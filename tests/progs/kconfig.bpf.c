// SPDX-License-Identifier: MIT
/*
 * kconfig - `extern ... __kconfig` variables of every kind libbpf supports,
 * for tests/loader/test_kconfig.c, which opens this object with its own
 * config text and with the running kernel's, and checks what `values`
 * copies into `out`.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPFRT_TRI __kconfig __weak;
extern char CONFIG_BPFRT_CHAR __kconfig __weak;
extern int CONFIG_BPFRT_INT __kconfig __weak;
extern long long CONFIG_BPFRT_NEG __kconfig __weak;
extern char CONFIG_BPFRT_STR[8] __kconfig __weak;
extern bool CONFIG_BPFRT_ABSENT __kconfig __weak;

struct kconfig_out {
	__u32 kernel_version;
	__u32 tri;
	__s32 num;
	__u8 bpf_syscall, chr, absent, pad;
	__s64 neg;
	char str[8];
} out;

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("bpfrt")
int values(void *ctx)
{
	out.kernel_version = LINUX_KERNEL_VERSION;
	out.tri = CONFIG_BPFRT_TRI;
	out.num = CONFIG_BPFRT_INT;
	out.bpf_syscall = CONFIG_BPF_SYSCALL;
	out.chr = CONFIG_BPFRT_CHAR;
	out.absent = CONFIG_BPFRT_ABSENT;
	out.neg = CONFIG_BPFRT_NEG;
	__builtin_memcpy(out.str, CONFIG_BPFRT_STR, sizeof(out.str));
	return 0;
}
