/* SPDX-License-Identifier: MIT */
/*
 * opcodes.h - the instruction table (opcodes.def) as C data, and decoding of
 * one raw instruction to its table entry.
 */
#ifndef BPFRT_ISA_OPCODES_H
#define BPFRT_ISA_OPCODES_H

#include <stdbool.h>
#include "bpfrt/insn.h"

/* Which field, besides the opcode byte, selects the instruction. */
enum op_variant { V_NONE, V_OFF, V_IMM, V_SRC };

/* Operand shapes. */
enum op_form {
	F_ALU,    /* dst op= src|imm */
	F_NEG,    /* dst = -dst */
	F_MOVSX,  /* dst = (sN)src */
	F_END,    /* dst = le/be/bswapN dst */
	F_LDX,    /* dst = *(size *)(src + off) */
	F_ST,     /* *(size *)(dst + off) = imm */
	F_STX,    /* *(size *)(dst + off) = src */
	F_ATOMIC, /* atomic read-modify-write on *(size *)(dst + off) with src */
	F_LDDW,   /* dst = imm64 over two slots */
	F_LDABS,  /* r0 = packet[imm] */
	F_LDIND,  /* r0 = packet[src + imm] */
	F_JA,     /* pc += off */
	F_GOTOL,  /* pc += imm */
	F_JCOND,  /* if dst cmp src|imm: pc += off */
	F_CALL,   /* call helper, local function or kfunc */
	F_CALLX,  /* call through dst */
	F_EXIT,
};

enum op_id {
#define OP(id, ...) OP_##id,
#include "opcodes.def"
#undef OP
	OP__COUNT
};

struct opinfo {
	enum op_id id;
	uint8_t code;
	uint8_t vkind; /* enum op_variant */
	int32_t vval;
	uint8_t form;  /* enum op_form */
	uint8_t bits;  /* operation width, or memory access size in bits */
	const char *name;      /* conformance-syntax mnemonic */
	const char *llvm;      /* LLVM-syntax operator or function */
	const char *semantics; /* one line, for documentation */
};

extern const struct opinfo bpfrt_optable[OP__COUNT];

/* Source operand is a register (BPF_X) rather than the immediate (BPF_K). */
static inline bool op_src_is_reg(const struct opinfo *oi)
{
	return (oi->form == F_ALU || oi->form == F_JCOND) && (oi->code & 0x08);
}

/*
 * Find the table entry for an instruction, telling apart instructions that
 * share an opcode by their offset, immediate or source field. Returns NULL
 * for an encoding that is not an instruction.
 */
const struct opinfo *bpfrt_op_decode(const struct bpfrt_insn *insn);

/* Any entry with this opcode byte (for messages about unknown variants). */
bool bpfrt_op_code_known(uint8_t code);

#endif
