/* SPDX-License-Identifier: MIT */
/*
 * probed.c - functions for uprobes to count, read and time (built as
 * trace_probed; the uprobe examples find it on PATH).
 *
 *   trace_probed add N        sum of add(i, 2i) for i < N
 *   trace_probed work N MS    work(MS) N times: each takes about MS milliseconds
 *   trace_probed malloc N     N malloc(12345)/free pairs (a libc probe counts them)
 *   trace_probed fork         add() in a parent and its child
 *   trace_probed time_add N   N calls of add(), then "ns/call X" (the hook benchmark's loop)
 *   trace_probed time_getppid N   N getppid() system calls, then "ns/call X"
 *   trace_probed threads N    N threads calling add() 1000 times each, concurrently
 *   trace_probed stack        main -> outer() -> add(): a user stack for bpf_get_stack
 *   trace_probed agent        whether bpfrt's agent library is loaded here
 *   trace_probed spin FILE    add() and work(1) every millisecond until FILE exists (for -p)
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) int add(int a, int b)
{
	__asm__ volatile("" ::: "memory"); /* keep the call */
	return a + b;
}

__attribute__((noinline)) int outer(int a)
{
	int r = add(a, 2);
	__asm__ volatile("" ::: "memory"); /* not a tail call: outer keeps its frame */
	return r;
}

static void *adder(void *arg)
{
	long sum = 0;
	for (int i = 0; i < 1000; i++)
		sum += add(i, 1);
	*(long *)arg = sum;
	return NULL;
}

__attribute__((noinline)) long work(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
	return ms * 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	if (!strcmp(mode, "add")) {
		long sum = 0;
		for (long i = 0; i < n; i++)
			sum += add((int)i, (int)(2 * i));
		printf("sum %ld\n", sum);
	} else if (!strcmp(mode, "work") && argc > 3) {
		long total = 0;
		for (long i = 0; i < n; i++)
			total += work(atol(argv[3]));
		printf("work %ld\n", total);
	} else if (!strcmp(mode, "malloc")) {
		for (long i = 0; i < n; i++) {
			void *volatile p = malloc(12345);
			free(p);
		}
		printf("malloc done\n");
	} else if (!strcmp(mode, "fork")) {
		fflush(stdout);
		pid_t p = fork();
		int r = add(p == 0 ? 100 : 200, 1);
		if (p == 0)
			_exit(r == 101 ? 0 : 1);
		int st;
		waitpid(p, &st, 0);
		printf("parent %d child %d\n", r, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else if (!strcmp(mode, "time_add") || !strcmp(mode, "time_getppid")) {
		bool sys = !strcmp(mode, "time_getppid");
		struct timespec a, b;
		long sum = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++)
			sum += sys ? (long)syscall(SYS_getppid) : add((int)i, 1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
		printf("ns/call %.2f (sum %ld)\n", n ? ns / (double)n : 0.0, sum);
	} else if (!strcmp(mode, "threads")) {
		pthread_t t[16];
		long sums[16], total = 0;
		n = n > 16 ? 16 : n;
		for (long i = 0; i < n; i++)
			pthread_create(&t[i], NULL, adder, &sums[i]);
		for (long i = 0; i < n; i++) {
			pthread_join(t[i], NULL);
			total += sums[i];
		}
		printf("threads sum %ld\n", total);
	} else if (!strcmp(mode, "stack")) {
		printf("outer %d\n", outer(40));
	} else if (!strcmp(mode, "agent")) {
		char line[4096];
		bool found = false;
		FILE *f = fopen("/proc/self/maps", "r");
		while (f && fgets(line, sizeof(line), f))
			found |= strstr(line, "libbpfrt_agent.so") != NULL;
		if (f)
			fclose(f);
		printf("agent %s\n", found ? "yes" : "no");
	} else if (!strcmp(mode, "spin") && argc > 2) {
		long calls = 0, bad = 0;
		while (access(argv[2], F_OK)) {
			bad += add((int)calls, 1) != calls + 1;
			bad += work(1) != 2;
			calls++;
		}
		printf("spin %s\n", bad ? "wrong results" : "ok");
	} else {
		fprintf(stderr, "trace_probed: unknown mode '%s'\n", mode);
		return 2;
	}
	return 0;
}
