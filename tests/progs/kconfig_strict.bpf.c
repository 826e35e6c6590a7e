// SPDX-License-Identifier: MIT
/*
 * kconfig_strict - a .kconfig extern that is not __weak: opening fails when
 * the configuration does not set it (tests/loader/test_kconfig.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_BPFRT_REQUIRED __kconfig;

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("bpfrt")
int required(void *ctx)
{
	return CONFIG_BPFRT_REQUIRED;
}
