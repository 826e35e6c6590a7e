/* SPDX-License-Identifier: MIT */
/*
 * fuzz_interp.c - libFuzzer target for the decoder, the checked interpreter
 * and the disassembler/assembler round trip.
 *
 * Input: one byte giving the input-memory length (0..255), that many bytes of
 * memory, then instruction slots. Whatever the bytes, loading must either fail
 * with a message or succeed; a loaded program must run to its exit or be
 * stopped by a check, never crash (ASan/UBSan watch). Every program that loads
 * must also disassemble and assemble back to the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"

static uint64_t unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		       struct bpfrt_exec *ex)
{
	if (r1 == 0)
		bpfrt_exec__stop(ex, 0);
	return r1;
}

static void round_trip(const struct bpfrt_insn *insns, size_t cnt, enum bpfrt_syntax syntax)
{
	size_t cap = cnt * 96 + 1, pos = 0;
	char *text = malloc(cap);
	if (!text)
		return;
	for (size_t i = 0; i < cnt;) {
		char line[128];
		int n = bpfrt_disasm_insn(insns, cnt, i, syntax, line, sizeof(line));
		pos += (size_t)snprintf(text + pos, cap - pos, "%s\n", line);
		i += (size_t)n;
	}
	struct bpfrt_insn *back;
	size_t bcnt;
	char err[256];
	if (bpfrt_asm(text, &back, &bcnt, err, sizeof(err))) {
		fprintf(stderr, "round trip: does not assemble: %s\n%s", err, text);
		abort();
	}
	if (bcnt != cnt || memcmp(back, insns, cnt * sizeof(*insns))) {
		fprintf(stderr, "round trip: different bytes for\n%s", text);
		abort();
	}
	free(back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t mem_len = data[0];
	if (size < 1 + mem_len)
		return 0;
	const uint8_t *mem = data + 1;
	size_t cnt = (size - 1 - mem_len) / 8;
	if (!cnt)
		return 0;
	struct bpfrt_insn *insns = malloc(cnt * sizeof(*insns));
	memcpy(insns, data + 1 + mem_len, cnt * sizeof(*insns));

	BPFRT_OPTS(bpfrt_runtime_opts, ropts, .quiet = true, .no_kernel_helpers = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ropts);
	bpfrt_runtime__add_helper(rt, 5, "unwind", unwind);
	BPFRT_OPTS(bpfrt_prog_load_opts, lopts, .engine = BPFRT_ENGINE_CHECKED, .insn_budget = 20000);
	struct bpfrt_prog *prog = bpfrt_prog__load(rt, "fuzz", insns, cnt, &lopts);
	if (prog) {
		BPFRT_OPTS(bpfrt_test_run_opts, topts, .data_in = mem, .data_size_in = (uint32_t)mem_len);
		bpfrt_prog__test_run(prog, &topts);
		bpfrt_prog__free(prog);
		round_trip(insns, cnt, BPFRT_SYNTAX_LLVM);
		round_trip(insns, cnt, BPFRT_SYNTAX_CONFORMANCE);
	}
	bpfrt_runtime__free(rt);
	free(insns);
	return 0;
}
