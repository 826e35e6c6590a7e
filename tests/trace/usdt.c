/* SPDX-License-Identifier: MIT */
/*
 * usdt.c - trace_usdt, the program the USDT tests probe: <sys/sdt.h> probes
 * whose arguments gcc places in a register, in memory at a register (with
 * and without offset) and as constants ("-4@%edi -8@(%rsi) -4@8(%rsi)
 * -4@$-7"), the same probe at two call sites, and a semaphore-guarded probe
 * (usdt_sema.c).
 *
 *   trace_usdt N      N steps; prints the sum and how many guarded probes ran
 *   trace_usdt watch  prints "guarded on" / "guarded off" as a tracer raises
 *                     and lowers the semaphore (polled every 10 ms), until
 *                     SIGTERM
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

struct point {
	long x;
	int y;
};

/* usdt_sema.c: fires bpfrt:guarded when a tracer raised its semaphore; returns whether. */
int guarded(int i);

__attribute__((noinline)) static long step(int i, struct point *p)
{
	DTRACE_PROBE4(bpfrt, step, i, p->x, p->y, -7);
	return p->x + i;
}

static volatile sig_atomic_t done;

static void on_term(int sig)
{
	(void)sig;
	done = 1;
}

/* Report each change of the semaphore's state, for attach and detach tests. */
static int watch(void)
{
	int last = -1, i = 0;
	signal(SIGTERM, on_term);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("watching\n");
	while (!done) {
		int on = guarded(i++);
		if (on != last)
			printf("guarded %s\n", on ? "on" : "off");
		last = on;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "watch"))
		return watch();
	int n = argc > 1 ? atoi(argv[1]) : 3, fired = 0;
	struct point pt = { 1000, -5 };
	long sum = 0;
	for (int i = 0; i < n; i++) {
		pt.x += i;
		sum += step(i, &pt);
		fired += guarded(i);
	}
	/* The second call site of bpfrt:step: every site is probed. */
	DTRACE_PROBE4(bpfrt, step, -1, sum, pt.y, -7);
	printf("sum %ld guarded %d\n", sum, fired);
	return 0;
}
