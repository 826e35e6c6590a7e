/* SPDX-License-Identifier: MIT */
/*
 * jit_speed.c - a sanity check of the JIT's speed against the fast
 * interpreter on a few loops (the real benchmarks live in bench/).
 *
 *   jit_speed [ITERATIONS]      (default 1000000 loop iterations per program)
 *
 * Prints the time per run of each engine and the ratio; both must return the
 * same r0. Not a CTest: timings need a quiet machine. The bpf_loop row is
 * the runtime's bpf_loop (helper 181) calling back into the program once per
 * iteration: in the JIT the callback is native code too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "diffrun.h"

static uint64_t h_add(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		      struct bpfrt_exec *ex)
{
	return r1 + r2;
}

/* r1 = the iteration count (the programs read it from the first 8 bytes of memory). */
static const struct { const char *name, *text; } progs[] = {
	{ "alu loop", "r6 = *(u64 *)(r1 + 0)\n r0 = 0\n r2 = 7\n"
		      "loop:\n r0 += r6\n r3 = r0\n r3 <<= 3\n r0 ^= r3\n r0 *= r2\n r4 = r0\n"
		      " r4 >>= 17\n r0 |= r4\n r6 += -1\n if r6 != 0 goto loop\n exit\n" },
	{ "div and mod", "r6 = *(u64 *)(r1 + 0)\n r0 = 1\n"
			 "loop:\n r2 = r6\n r2 |= 1\n r3 = r0\n r3 /= r2\n r0 += r3\n r4 = r0\n"
			 " r4 %= r2\n r0 ^= r4\n r6 += -1\n if r6 != 0 goto loop\n exit\n" },
	{ "stack memory", "r6 = *(u64 *)(r1 + 0)\n r0 = 0\n *(u64 *)(r10 - 8) = 0\n"
			  "loop:\n r2 = *(u64 *)(r10 - 8)\n r2 += r6\n *(u64 *)(r10 - 8) = r2\n"
			  " r3 = *(u32 *)(r10 - 8)\n r0 += r3\n *(u32 *)(r10 - 16) = r0\n"
			  " r6 += -1\n if r6 != 0 goto loop\n exit\n" },
	{ "bpf-to-bpf calls", "r6 = *(u64 *)(r1 + 0)\n r7 = 0\n"
			      "loop:\n r1 = r6\n call f\n r7 += r0\n r6 += -1\n if r6 != 0 goto loop\n"
			      " r0 = r7\n exit\nf:\n r0 = r1\n r0 *= 3\n exit\n" },
	{ "helper calls", "r6 = *(u64 *)(r1 + 0)\n r7 = 0\n"
			  "loop:\n r1 = r6\n r2 = r7\n call 1\n r7 = r0\n r6 += -1\n"
			  " if r6 != 0 goto loop\n r0 = r7\n exit\n" },
	{ "bpf_loop callback", "r1 = *(u64 *)(r1 + 0)\n *(u64 *)(r10 - 8) = 0\n r2 = func(body) ll\n"
			       " r3 = r10\n r3 += -8\n r4 = 0\n call 181\n r0 = *(u64 *)(r10 - 8)\n exit\n"
			       "body:\n r3 = *(u64 *)(r2 + 0)\n r3 += r1\n r4 = r3\n r4 >>= 7\n"
			       " r3 ^= r4\n *(u64 *)(r2 + 0) = r3\n r0 = 0\n exit\n" },
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Best of a few runs, in seconds. */
static double best(struct bpfrt_exec *ex, const struct jit_image *img, uint64_t r1, uint64_t *r0)
{
	double b = 1e9;
	for (int i = 0; i < 5; i++) {
		double t = now();
		int err = img ? img->run(ex, r1, 8, r0) : bpfrt_interp_run(ex, r1, 8, r0);
		t = now() - t;
		if (err) {
			printf("run failed: %s\n", ex->diag->msg);
			exit(1);
		}
		b = t < b ? t : b;
	}
	return b;
}

int main(int argc, char **argv)
{
	uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
	static bpfrt_helper_fn helpers[182] = { [1] = h_add };
	helpers[181] = diff_control_helper(181);
	printf("%-18s %12s %12s %8s  (%llu iterations)\n", "program", "interp ms", "jit ms", "speedup",
	       (unsigned long long)iters);
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpfrt_insn *insns;
		size_t cnt;
		char err[256];
		if (bpfrt_asm(progs[i].text, &insns, &cnt, err, sizeof(err))) {
			printf("%s: %s\n", progs[i].name, err);
			return 1;
		}
		struct diff_prog p;
		struct jit_image img;
		struct diag d;
		if (diff_load(insns, cnt, helpers, 182, &p, &d) || bpfrt_jit_compile(p.code, p.n, &img, &d)) {
			printf("%s: %s\n", progs[i].name, d.msg);
			return 1;
		}
		uint64_t mem = iters, r0i, r0j;
		struct bpfrt_exec *ex = diff_exec_new(&p, (uint8_t *)&mem, sizeof(mem), &d);
		double ti = best(ex, NULL, (uintptr_t)&mem, &r0i);
		double tj = best(ex, &img, (uintptr_t)&mem, &r0j);
		printf("%-18s %12.3f %12.3f %7.1fx%s\n", progs[i].name, ti * 1e3, tj * 1e3, ti / tj,
		       r0i == r0j ? "" : "  DIFFERENT r0!");
		free(ex);
		bpfrt_jit_free(&img);
		diff_prog_free(&p);
		free(insns);
	}
	return 0;
}
