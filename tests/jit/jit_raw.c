/* SPDX-License-Identifier: MIT */
/*
 * jit_raw.c - a clang-compiled program (raw instructions, as llvm-objcopy
 * -O binary cuts them out of an object) in the JIT against the checked
 * interpreter, on 4 KiB of pseudo-random input.
 *
 *   jit_raw FILE.bin [--mem HEX] [--time] [--dump OUT]
 *
 * --mem overwrites the start of the input (say, to make it look like an IPv4
 * frame); --time also prints the fast interpreter's and the JIT's time per
 * run; --dump writes the image's code to OUT, for
 * `objdump -D -b binary -m i386:x86-64 OUT` when tuning the code generator. The programs use their stack and the input only (bench/progs/, the
 * examples), so no helpers are registered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "diffrun.h"

#define INPUT_LEN 4096

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds per run, the best of a few batches of runs; every run must return want. */
static double time_runs(const struct diff_prog *p, const struct jit_image *img, const uint8_t *in,
			uint64_t want)
{
	uint8_t *mem = malloc(INPUT_LEN);
	struct diag d;
	diag_clear(&d);
	struct bpfrt_exec *ex = diff_exec_new(p, mem, INPUT_LEN, &d);
	double best = 1e9;
	int n = 1;
	for (int batch = 0; batch < 12; batch++) {
		double t = now();
		for (int i = 0; i < n; i++) {
			uint64_t r0 = ~want;
			memcpy(mem, in, INPUT_LEN);
			if (img)
				img->run(ex, (uintptr_t)mem, INPUT_LEN, &r0);
			else
				bpfrt_interp_run(ex, (uintptr_t)mem, INPUT_LEN, &r0);
			if (r0 != want) {
				printf("     timed run returned 0x%llx\n", (unsigned long long)r0);
				exit(1);
			}
		}
		t = (now() - t) / n;
		best = t < best ? t : best;
		if (t * n < 0.02)
			n *= 2;
	}
	free(ex);
	free(mem);
	return best;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *hex = NULL, *dump = NULL;
	bool timing = false, bad = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--time"))
			timing = true;
		else if (!strcmp(argv[i], "--mem") && i + 1 < argc)
			hex = argv[++i];
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			dump = argv[++i];
		else if (!path)
			path = argv[i];
		else
			bad = true;
	}
	if (!path || bad) {
		fprintf(stderr, "usage: jit_raw FILE.bin [--mem HEX] [--time] [--dump OUT]\n");
		return 2;
	}
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	FILE *f = fopen(path, "rb");
	static struct bpfrt_insn insns[1 << 16];
	size_t cnt = f ? fread(insns, sizeof(insns[0]), sizeof(insns) / sizeof(insns[0]), f) : 0;
	if (f)
		fclose(f);
	if (!cnt) {
		printf("FAIL %s: no instructions in it\n", name);
		return 1;
	}

	static uint8_t in[INPUT_LEN];
	uint64_t s = 0x2545f4914f6cdd1dull; /* the same input every time */
	for (size_t i = 0; i < INPUT_LEN; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		in[i] = (uint8_t)s;
	}
	for (size_t i = 0; hex && hex[2 * i] && hex[2 * i + 1] && i < INPUT_LEN; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		in[i] = (uint8_t)strtoul(byte, NULL, 16);
	}

	struct diff_prog p;
	struct jit_image img;
	struct diag d;
	if (diff_load(insns, cnt, NULL, 0, &p, &d)) {
		printf("FAIL %s: does not load: %s\n", name, d.msg);
		return 1;
	}
	diag_clear(&d);
	if (bpfrt_jit_compile(p.code, p.n, &img, &d)) {
		printf("FAIL %s: does not compile: %s\n", name, d.msg);
		return 1;
	}
	if (dump) {
		FILE *o = fopen(dump, "wb");
		if (!o || fwrite(img.mem, 1, img.code_size, o) != img.code_size || fclose(o)) {
			printf("FAIL %s: cannot write %s\n", name, dump);
			return 1;
		}
	}
	struct diff_run ref;
	char why[DIAG_MAX + 128];
	int rc = 0;
	if (diff_compare(&p, &img, in, INPUT_LEN, &ref, why, sizeof(why))) {
		printf("FAIL %s: JIT %s\n", name, why);
		rc = 1;
	} else if (ref.err) {
		printf("FAIL %s: both engines failed: %s\n", name, ref.msg);
		rc = 1;
	} else {
		printf("PASS %s: r0 = 0x%llx in both engines, same data and stack (%zu slots, "
		       "%zu bytes of x86-64, %llu instructions run)\n", name,
		       (unsigned long long)ref.r0, cnt, img.code_size,
		       (unsigned long long)ref.executed);
		if (timing) {
			double ti = time_runs(&p, NULL, in, ref.r0), tj = time_runs(&p, &img, in, ref.r0);
			printf("     interpreter %.1f us, JIT %.1f us per run: %.1fx\n", ti * 1e6,
			       tj * 1e6, ti / tj);
		}
	}
	diff_run_free(&ref);
	bpfrt_jit_free(&img);
	diff_prog_free(&p);
	return rc;
}
