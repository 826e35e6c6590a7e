/* SPDX-License-Identifier: MIT */
/*
 * time.c - clocks: the kernel's clocks are the same clocks in user space.
 */
#include <time.h>
#include "helpers.h"

/* jiffies at the HZ of Debian's kernels (CONFIG_HZ=250). */
#define BPFRT_HZ 250

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

HELPER(bpf_ktime_get_ns) { return clock_ns(CLOCK_MONOTONIC); }
HELPER(bpf_ktime_get_boot_ns) { return clock_ns(CLOCK_BOOTTIME); }
HELPER(bpf_ktime_get_coarse_ns) { return clock_ns(CLOCK_MONOTONIC_COARSE); }
HELPER(bpf_ktime_get_tai_ns) { return clock_ns(CLOCK_TAI); }
HELPER(bpf_jiffies64) { return clock_ns(CLOCK_BOOTTIME) / (1000000000ull / BPFRT_HZ); }

const struct helper_def helpers_time[] = {
	{ 5, "bpf_ktime_get_ns", bpf_ktime_get_ns, HG_BASE, PROTO(RET_INTEGER) },
	{ 118, "bpf_jiffies64", bpf_jiffies64, HG_BASE, PROTO(RET_INTEGER) },
	{ 125, "bpf_ktime_get_boot_ns", bpf_ktime_get_boot_ns, HG_BASE, PROTO(RET_INTEGER) },
	{ 160, "bpf_ktime_get_coarse_ns", bpf_ktime_get_coarse_ns, HG_BASE, PROTO(RET_INTEGER) },
	{ 208, "bpf_ktime_get_tai_ns", bpf_ktime_get_tai_ns, HG_BASE, PROTO(RET_INTEGER) },
	{ 0 },
};
