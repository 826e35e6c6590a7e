/* SPDX-License-Identifier: MIT */
/*
 * cpus.c - the CPUs per-CPU maps keep values for, and which one we run on.
 *
 * As in the kernel and libbpf, per-CPU values exist for every *possible* CPU
 * (/sys/devices/system/cpu/possible, e.g. "0-3" or "0,2-5"), in CPU order:
 * user space sees round_up(value_size, 8) bytes per possible CPU. A program
 * sees the value of the CPU its thread runs on (sched_getcpu()), by position
 * in that list. The list is a property of the machine, read once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "map_impl.h"

#define MAX_CPU_NR 8192

static pthread_once_t cpus_once = PTHREAD_ONCE_INIT;
static int ncpus;
/* cpu number -> index among possible CPUs, when the list is not 0..n-1 */
static int16_t *cpu_index;

/* Parse a CPU list ("0-3,8,10-11"); marks CPUs in set, returns how many, or -1. */
static int parse_cpu_list(const char *s, uint8_t *set)
{
	int n = 0;
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s || a < 0 || a >= MAX_CPU_NR)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a || b >= MAX_CPU_NR)
				return -1;
			s = end;
		}
		for (long c = a; c <= b; c++)
			if (!set[c]++)
				n++;
		if (*s == ',')
			s++;
	}
	return n;
}

static void read_cpus(void)
{
	char buf[4096] = "";
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	uint8_t *set = calloc(MAX_CPU_NR, 1);
	int n = set ? parse_cpu_list(buf, set) : -1;
	if (n <= 0) {
		/* No sysfs (some containers): the CPUs the system reports. */
		long c = sysconf(_SC_NPROCESSORS_CONF);
		ncpus = c > 0 ? (int)c : 1;
		free(set);
		return;
	}
	ncpus = n;
	bool contiguous = true;
	for (int c = 0; c < n; c++)
		contiguous &= set[c] != 0;
	if (!contiguous) {
		cpu_index = malloc(MAX_CPU_NR * sizeof(*cpu_index));
		if (cpu_index)
			for (int c = 0, i = 0; c < MAX_CPU_NR; c++)
				cpu_index[c] = set[c] ? (int16_t)i++ : 0;
	}
	free(set);
}

int bpfrt_num_possible_cpus(void)
{
	pthread_once(&cpus_once, read_cpus);
	return ncpus;
}

int map_cpu_index(void)
{
	int n = bpfrt_num_possible_cpus();
	int cpu = sched_getcpu();
	if (cpu < 0)
		return 0;
	if (cpu_index && cpu < MAX_CPU_NR)
		return cpu_index[cpu];
	return cpu < n ? cpu : cpu % n;
}
