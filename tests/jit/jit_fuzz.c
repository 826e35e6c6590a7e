/* SPDX-License-Identifier: MIT */
/*
 * jit_fuzz.c - differential test: random safe programs (progen.h) in the
 * checked interpreter and in the JIT must leave the same r0, return code,
 * message, data, stack and helper log.
 *
 *   jit_fuzz [SEED [COUNT [--blind]]]      (defaults: 1, 3000, no blinding)
 *
 * Deterministic for a seed. On a difference it prints the program (LLVM
 * syntax) and its native code, and fails. At the end it checks that every
 * instruction of the table but kfunc calls was generated at least once, so
 * a table entry the generator misses cannot go untested silently.
 * --blind compiles with constant blinding.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diffrun.h"
#include "progen.h"

static void print_program(const struct bpfrt_insn *insns, size_t cnt, const uint8_t *mem)
{
	for (size_t i = 0; i < cnt;) {
		char line[128];
		int n = bpfrt_disasm_insn(insns, cnt, i, BPFRT_SYNTAX_LLVM, line, sizeof(line));
		printf("%5zu: %s\n", i, line);
		i += n > 0 ? (size_t)n : 1;
	}
	printf("mem:");
	for (size_t i = 0; i < PROGEN_MEM_LEN; i++)
		printf(" %02x", mem[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	unsigned count = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 3000;
	struct jit_opts jo = { .blind = argc > 3 && !strcmp(argv[3], "--blind") };
	static struct bpfrt_insn insns[PROGEN_MAX_INSNS];
	static uint8_t mem[PROGEN_MEM_LEN];
	static unsigned seen[OP__COUNT];
	unsigned ended = 0, total_slots = 0, too_deep = 0, bad_callx = 0, helper_fail = 0;
	uint64_t executed = 0;

	for (unsigned i = 0; i < count; i++) {
		struct progen_rng rng = { .state = (seed * 0x9e3779b97f4a7c15ull) ^ (i + 1) * 0xbf58476d1ce4e5b9ull };
		size_t cnt = progen_program(&rng, insns, mem);
		if (!cnt)
			continue;
		total_slots += (unsigned)cnt;
		struct diff_prog p;
		struct diag d;
		if (diff_load(insns, cnt, progen_helpers, PROGEN_NHELPERS, &p, &d)) {
			printf("FAIL jit_fuzz: seed %llu program %u does not load: %s\n",
			       (unsigned long long)seed, i, d.msg);
			print_program(insns, cnt, mem);
			return 1;
		}
		for (size_t k = 0; k < cnt; k++) {
			seen[p.code[k].op]++;
			if (p.code[k].op == OP_LDDW)
				k++; /* its second slot */
		}
		struct jit_image img;
		diag_clear(&d);
		if (bpfrt_jit_compile_opts(p.code, p.n, &jo, &img, &d)) {
			printf("FAIL jit_fuzz: seed %llu program %u does not compile: %s\n",
			       (unsigned long long)seed, i, d.msg);
			print_program(insns, cnt, mem);
			return 1;
		}
		struct diff_run ref;
		char why[DIAG_MAX + 128];
		if (diff_compare(&p, &img, mem, PROGEN_MEM_LEN, &ref, why, sizeof(why))) {
			printf("FAIL jit_fuzz: seed %llu program %u: JIT %s\n",
			       (unsigned long long)seed, i, why);
			print_program(insns, cnt, mem);
			bpfrt_jit_dump(&img, stdout);
			return 1;
		}
		ended += !ref.err;
		too_deep += ref.err == -E2BIG;
		bad_callx += ref.err == -ENOENT;
		helper_fail += ref.err == -EPERM;
		executed += ref.executed;
		diff_run_free(&ref);
		bpfrt_jit_free(&img);
		diff_prog_free(&p);
	}

	int missing = 0;
	for (int op = 0; op < OP__COUNT; op++)
		if (!seen[op] && op != OP_CALL_KFUNC) {
			printf("FAIL jit_fuzz: instruction %s (opcode 0x%02x) was never generated\n",
			       bpfrt_optable[op].name, bpfrt_optable[op].code);
			missing = 1;
		}
	if (missing)
		return 1;
	printf("PASS jit_fuzz: %u programs (%u slots, %llu instructions run) agree, seed %llu: "
	       "%u returned, the others failed alike in both engines (%u too deep, %u callx to "
	       "nothing, %u failed by a helper)\n", count, total_slots, (unsigned long long)executed,
	       (unsigned long long)seed, ended, too_deep, bad_callx, helper_fail);
	return 0;
}
