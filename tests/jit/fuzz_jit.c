/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jit.c - libFuzzer target: the input bytes drive the program generator
 * (progen.h) instead of a seed, so coverage guides which programs are tried;
 * the JIT must agree with the checked interpreter on each (diffrun.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include "diffrun.h"
#include "progen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfrt_insn insns[PROGEN_MAX_INSNS];
	uint8_t mem[PROGEN_MEM_LEN];
	struct progen_rng rng = { .bytes = data, .nbytes = size };
	size_t cnt = progen_program(&rng, insns, mem);
	struct diff_prog p;
	struct diag d;
	if (!cnt || diff_load(insns, cnt, progen_helpers, PROGEN_NHELPERS, &p, &d)) {
		fprintf(stderr, "fuzz_jit: generated program does not load: %s\n", d.msg);
		abort();
	}
	struct jit_image img;
	diag_clear(&d);
	if (bpfrt_jit_compile(p.code, p.n, &img, &d)) {
		fprintf(stderr, "fuzz_jit: does not compile: %s\n", d.msg);
		abort();
	}
	struct diff_run ref;
	char why[DIAG_MAX + 128];
	if (diff_compare(&p, &img, mem, PROGEN_MEM_LEN, &ref, why, sizeof(why))) {
		fprintf(stderr, "fuzz_jit: JIT %s\n", why);
		abort();
	}
	diff_run_free(&ref);
	bpfrt_jit_free(&img);
	diff_prog_free(&p);
	return 0;
}
