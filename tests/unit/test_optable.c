/* SPDX-License-Identifier: MIT */
/*
 * test_optable.c - white-box checks of the opcode table against the decoder,
 * validator, disassembler and assembler: for every instruction the table
 * defines, an encoding with typical operands must decode back to the same
 * entry, pass validation, and survive disasm -> asm unchanged in both syntaxes.
 * Also: every opcode byte the table does not define is rejected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/asm.h"
#include "isa/opcodes.h"
#include "isa/validate.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* A typical instance of the instruction, followed by an exit (and padding). */
static size_t instance(const struct opinfo *oi, struct bpfrt_insn *p)
{
	memset(p, 0, 4 * sizeof(*p));
	p[0].code = oi->code;
	switch (oi->form) {
	case F_ALU: p[0].dst = 3; if (op_src_is_reg(oi)) p[0].src = 7; else p[0].imm = -77; break;
	case F_NEG: case F_END: p[0].dst = 4; break;
	case F_MOVSX: p[0].dst = 1; p[0].src = 9; break;
	case F_LDX: p[0].dst = 2; p[0].src = 10; p[0].off = -16; break;
	case F_ST: p[0].dst = 10; p[0].off = -8; p[0].imm = 123456; break;
	case F_STX: case F_ATOMIC: p[0].dst = 10; p[0].src = 5; p[0].off = -24; break;
	case F_LDDW: p[0].dst = 6; p[0].imm = 0x55667788; p[1].imm = 0x11223344; break;
	case F_LDABS: p[0].imm = 12; break;
	case F_LDIND: p[0].src = 3; p[0].imm = 2; break;
	case F_JA: p[0].off = 0; break;
	case F_GOTOL: p[0].imm = 0; break;
	case F_JCOND: p[0].dst = 1; p[0].off = 0; if (op_src_is_reg(oi)) p[0].src = 2; else p[0].imm = -3; break;
	case F_CALL: p[0].imm = oi->id == OP_CALL_LOCAL ? 0 : 7; break;
	case F_CALLX: p[0].dst = 8; break;
	case F_EXIT: break;
	}
	switch (oi->vkind) {
	case V_OFF: p[0].off = (int16_t)oi->vval; break;
	case V_IMM: p[0].imm = oi->vval; break;
	case V_SRC: p[0].src = (uint8_t)oi->vval; break;
	default: break;
	}
	size_t n = oi->form == F_LDDW ? 2 : 1;
	p[n].code = 0x95;
	return n + 1;
}

static void round_trip(const struct opinfo *oi, const struct bpfrt_insn *p, size_t n,
		       enum bpfrt_syntax syn)
{
	char text[512] = "", line[128];
	for (size_t i = 0; i < n;) {
		i += (size_t)bpfrt_disasm_insn(p, n, i, syn, line, sizeof(line));
		strcat(text, line);
		strcat(text, "\n");
	}
	struct bpfrt_insn *back;
	size_t cnt;
	char err[256];
	if (bpfrt_asm(text, &back, &cnt, err, sizeof(err))) {
		CHECK(0, "%s (syntax %d): '%s' does not assemble: %s", oi->name, syn, text, err);
		return;
	}
	CHECK(cnt == n && !memcmp(back, p, n * sizeof(*p)), "%s (syntax %d): '%s' assembles to other bytes",
	      oi->name, syn, text);
	free(back);
}

int main(void)
{
	int tested = 0;
	for (int i = 0; i < OP__COUNT; i++) {
		const struct opinfo *oi = &bpfrt_optable[i];
		struct bpfrt_insn p[4];
		size_t n = instance(oi, p);
		CHECK(bpfrt_op_decode(&p[0]) == oi, "%s (0x%02x) decodes to another entry", oi->name, oi->code);
		struct diag d;
		diag_clear(&d);
		const struct opinfo *ops[4];
		CHECK(bpfrt_validate(p, n, ops, &d) == 0, "%s does not validate: %s", oi->name, d.msg);
		round_trip(oi, p, n, BPFRT_SYNTAX_LLVM);
		round_trip(oi, p, n, BPFRT_SYNTAX_CONFORMANCE);
		tested++;
	}
	/* Opcode bytes outside the table are never accepted. */
	for (int c = 0; c < 256; c++) {
		bool known = false;
		for (int i = 0; i < OP__COUNT; i++)
			known |= bpfrt_optable[i].code == c;
		CHECK(known == bpfrt_op_code_known((uint8_t)c), "opcode 0x%02x: index disagrees with table", c);
		if (!known) {
			struct bpfrt_insn p[2] = { { .code = (uint8_t)c }, { .code = 0x95 } };
			struct diag d;
			diag_clear(&d);
			CHECK(bpfrt_validate(p, 2, NULL, &d) != 0 && strstr(d.msg, "unknown opcode"),
			      "opcode 0x%02x accepted or misreported: %s", c, d.msg);
		}
	}
	printf("%d instructions checked, %d failures\n", tested, failures);
	return failures != 0;
}
