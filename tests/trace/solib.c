/* SPDX-License-Identifier: MIT */
/*
 * solib.c - libtrace_probed.so, the shared library the library-probe tests
 * probe (trace_solib links it, trace_dlopen loads it at run time): a
 * function for uprobes and uretprobes, a <sys/sdt.h> probe with
 * arguments behind a semaphore, which lives in the library's own data
 * segment and so moves with its load address, and a system call site of
 * its own (lib_getppid).
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

/* PROVIDER_NAME_semaphore in .probes: the name and place <sys/sdt.h> expects. */
volatile unsigned short trace_lib_op_semaphore __attribute__((section(".probes")));

__attribute__((visibility("default"), noinline)) int lib_add(int a, int b);
__attribute__((visibility("default"), noinline)) int lib_op(int i, long x);
__attribute__((visibility("default"), noinline)) long lib_getppid(void);

int lib_add(int a, int b)
{
	__asm__ volatile("" ::: "memory"); /* keep the call */
	return a + b;
}

/* Fires trace_lib:op(i, x) when a tracer raised its semaphore; returns whether. */
int lib_op(int i, long x)
{
	if (!trace_lib_op_semaphore)
		return 0;
	STAP_PROBE2(trace_lib, op, i, x);
	return 1;
}

/*
 * getppid by the library's own syscall instruction, as glibc's wrappers make
 * it (mov $nr,%eax; syscall): a call site in a library loaded later, for the
 * in-process system call hooks to find and rewrite.
 */
long lib_getppid(void)
{
	long r;
	__asm__ volatile("mov $110, %%eax\n\tsyscall" : "=a"(r) : : "rcx", "r11", "memory");
	return r;
}
