/* SPDX-License-Identifier: MIT */
/*
 * solib_main.c - the programs that call libtrace_probed.so (solib.c):
 *
 *   trace_solib N              linked against it (DT_NEEDED): lib_add(i, 2i)
 *                              and lib_op(i, 100i) for i < N
 *   trace_dlopen LIB N [R]     the same after dlopen(LIB); R > 1: dlclose it and
 *                              load it again, R rounds in all (a new mapping each
 *                              time)
 *
 * Both print "sum S fired F": the sum of lib_add's results and how many
 * lib_op calls found the probe's semaphore raised. Each round also calls
 * lib_getppid (the library's own syscall instruction) N times, and exits 3
 * if it ever disagrees with getppid().
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef TRACE_DLOPEN
static int (*lib_add)(int, int);
static int (*lib_op)(int, long);
static long (*lib_getppid)(void);
#else
int lib_add(int a, int b);
int lib_op(int i, long x);
long lib_getppid(void);
#endif

static void calls(long n, long *sum, int *fired)
{
	for (long i = 0; i < n; i++) {
		*sum += lib_add((int)i, (int)(2 * i));
		*fired += lib_op((int)i, 100 * i);
		if (lib_getppid() != getppid()) {
			fprintf(stderr, "lib_getppid disagrees with getppid\n");
			exit(3);
		}
	}
}

int main(int argc, char **argv)
{
	long sum = 0;
	int fired = 0;
#ifdef TRACE_DLOPEN
	if (argc < 3) {
		fprintf(stderr, "usage: trace_dlopen LIB N [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 1;
	for (int r = 0; r < rounds; r++) {
		void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			fprintf(stderr, "trace_dlopen: %s\n", dlerror());
			return 1;
		}
		lib_add = (int (*)(int, int))dlsym(h, "lib_add");
		lib_op = (int (*)(int, long))dlsym(h, "lib_op");
		lib_getppid = (long (*)(void))dlsym(h, "lib_getppid");
		if (!lib_add || !lib_op || !lib_getppid) {
			fprintf(stderr, "trace_dlopen: %s: no lib_add or lib_op\n", argv[1]);
			return 1;
		}
		calls(atol(argv[2]), &sum, &fired);
		if (rounds > 1 && dlclose(h)) {
			fprintf(stderr, "trace_dlopen: dlclose: %s\n", dlerror());
			return 1;
		}
	}
#else
	calls(argc > 1 ? atol(argv[1]) : 3, &sum, &fired);
#endif
	printf("sum %ld fired %d\n", sum, fired);
	return 0;
}
