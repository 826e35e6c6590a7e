/* SPDX-License-Identifier: MIT */
/*
 * string.c - bpf_strncmp, bpf_strtol, bpf_strtoul, with the kernel's rules:
 * the buffer need not be NUL-terminated, leading blanks are skipped, the base
 * comes from the low bits of flags (0 means auto: 0x hex, 0 octal, else
 * decimal), and the return value is the number of characters consumed.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include "helpers.h"

HELPER(bpf_strncmp)
{
	if (!helper_mem(ex, "bpf_strncmp", 1, r1, r2, false))
		return 0;
	const unsigned char *a = (const unsigned char *)(uintptr_t)r1;
	const unsigned char *b = (const unsigned char *)(uintptr_t)r3;
	for (uint64_t i = 0; i < r2; i++) {
		unsigned char cb;
		if (probe_copy(&cb, b + i, 1))
			return (uint64_t)-EFAULT;
		if (a[i] != cb)
			return a[i] < cb ? (uint64_t)-1 : 1;
		if (!a[i])
			return 0;
	}
	return 0;
}

/* Parse an unsigned number; *neg set for a leading '-' when allowed. */
static long parse(const char *buf, uint64_t len, uint64_t flags, bool allow_neg, bool *neg,
		  unsigned long long *res)
{
	unsigned base = (unsigned)(flags & 0x1f);
	if (flags & ~0x1full || (base != 0 && base != 8 && base != 10 && base != 16))
		return -EINVAL;
	uint64_t i = 0;
	while (i < len && buf[i] && isspace((unsigned char)buf[i]))
		i++;
	*neg = false;
	if (i < len && buf[i] == '-') {
		if (!allow_neg)
			return -EINVAL;
		*neg = true;
		i++;
	}
	if ((base == 0 || base == 16) && i + 1 < len && buf[i] == '0' &&
	    tolower((unsigned char)buf[i + 1]) == 'x' && i + 2 < len &&
	    isxdigit((unsigned char)buf[i + 2])) {
		base = 16;
		i += 2;
	} else if (base == 0) {
		base = i < len && buf[i] == '0' ? 8 : 10;
	}
	unsigned long long v = 0;
	uint64_t start = i;
	for (; i < len && buf[i]; i++) {
		int c = tolower((unsigned char)buf[i]);
		unsigned d = isdigit(c) ? (unsigned)(c - '0') : isxdigit(c) ? (unsigned)(c - 'a' + 10) : 99;
		if (d >= base)
			break;
		if (v > (~0ull - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (i == start)
		return -EINVAL;
	*res = v;
	return (long)i;
}

HELPER(bpf_strtol)
{
	if (!helper_mem(ex, "bpf_strtol", 1, r1, r2, false) ||
	    !helper_mem(ex, "bpf_strtol", 4, r4, 8, true))
		return 0;
	bool neg;
	unsigned long long v;
	long n = parse((const char *)(uintptr_t)r1, r2, r3, true, &neg, &v);
	if (n < 0)
		return (uint64_t)n;
	if (v > (neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX))
		return (uint64_t)-ERANGE;
	*(int64_t *)(uintptr_t)r4 = neg ? (int64_t)(0 - v) : (int64_t)v;
	return (uint64_t)n;
}

HELPER(bpf_strtoul)
{
	if (!helper_mem(ex, "bpf_strtoul", 1, r1, r2, false) ||
	    !helper_mem(ex, "bpf_strtoul", 4, r4, 8, true))
		return 0;
	bool neg;
	unsigned long long v;
	long n = parse((const char *)(uintptr_t)r1, r2, r3, false, &neg, &v);
	if (n < 0)
		return (uint64_t)n;
	*(uint64_t *)(uintptr_t)r4 = v;
	return (uint64_t)n;
}

const struct helper_def helpers_string[] = {
	{ 105, "bpf_strtol", bpf_strtol, HG_BASE, PROTO(RET_INTEGER, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG) },
	{ 106, "bpf_strtoul", bpf_strtoul, HG_BASE, PROTO(RET_INTEGER, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG) },
	{ 182, "bpf_strncmp", bpf_strncmp, HG_BASE, PROTO(RET_INTEGER, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR) },
	{ 0 },
};
