/* SPDX-License-Identifier: MIT */
/*
 * globals.bpf.c - global data (.data, .rodata, .bss, string literals) and
 * bpf-to-bpf calls across sections, in a generic program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter;                           /* .bss */
long base = 1000;                      /* .data */
const volatile int scale = 3;          /* .rodata */
static const char greeting[] = "hello, bpfrt"; /* .rodata */

/* A subprogram in .text, called from the program's section. */
__attribute__((noinline)) long mul_add(long a, long b)
{
	return a * scale + b;
}

/* A static subprogram that calls another one. */
static __attribute__((noinline)) long str_sum(const char *s, int n)
{
	long sum = 0;
	for (int i = 0; i < n && s[i]; i++)
		sum = mul_add(sum, s[i]) & 0xffffffff;
	return sum;
}

SEC("bpfrt")
long globals(void *data, long size)
{
	counter++;
	base += 1;
	/* "hello, bpfrt" summed through two levels of calls, plus the globals. */
	return str_sum(greeting, sizeof(greeting)) + base * 10 + counter;
}

SEC("bpfrt")
long second(void *data, long size)
{
	return mul_add(size, counter);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
