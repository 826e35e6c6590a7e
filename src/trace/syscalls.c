/* SPDX-License-Identifier: MIT */
/*
 * syscalls.c - x86-64 system call names and numbers.
 *
 * The table is generated at build time from the kernel headers'
 * <asm/unistd_64.h> (see sources.cmake), so it follows the headers the
 * build machine has rather than a list kept by hand.
 */
#include <stddef.h>
#include <string.h>
#include "trace.h"

static const struct {
	const char *name;
	int nr;
} table[] = {
#include "syscall_names.inc"
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

int syscall_nr(const char *name)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (!strcmp(table[i].name, name))
			return table[i].nr;
	return -1;
}

const char *syscall_name(int nr)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].nr == nr)
			return table[i].name;
	return NULL;
}

int syscall_count(void)
{
	int max = -1;
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].nr > max)
			max = table[i].nr;
	return max + 1;
}
