/* SPDX-License-Identifier: MIT */
/*
 * fuzz_asm.c - libFuzzer target for the assembler: any text either assembles
 * or is refused with a "line N: ..." message; nothing crashes. What assembles
 * is disassembled too, which must not crash either.
 */
#include <stdlib.h>
#include <string.h>
#include "bpfrt/asm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct bpfrt_insn *insns;
	size_t cnt;
	char err[256];
	if (bpfrt_asm(text, &insns, &cnt, err, sizeof(err)) == 0) {
		char line[128];
		for (size_t i = 0; i < cnt; i++)
			bpfrt_disasm_insn(insns, cnt, i, BPFRT_SYNTAX_LLVM, line, sizeof(line));
		free(insns);
	} else if (strncmp(err, "line ", 5)) {
		abort(); /* every assembler error names its line */
	}
	free(text);
	return 0;
}
