/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/insn.h - the eBPF instruction as it is encoded (RFC 9669).
 *
 * One instruction is 8 bytes: opcode, two 4-bit registers, a signed 16-bit
 * offset and a signed 32-bit immediate. The 64-bit immediate load (lddw) takes
 * two slots; the second carries the upper 32 bits of the value in its imm.
 * The layout is the one of the kernel's struct bpf_insn, so arrays of either
 * can be passed to bpfrt unchanged.
 */
#ifndef BPFRT_INSN_H
#define BPFRT_INSN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_insn {
	uint8_t code;    /* opcode: class, source/size, operation/mode */
	uint8_t dst : 4; /* destination register */
	uint8_t src : 4; /* source register, or the pseudo kind of lddw/call */
	int16_t off;     /* signed offset: memory displacement or jump distance */
	int32_t imm;     /* signed immediate */
};

/* Number of registers: r0..r9 general purpose, r10 the read-only frame pointer. */
#define BPFRT_NREGS 11
/* Stack bytes per frame and deepest call chain, as in Linux. */
#define BPFRT_STACK_SIZE 512
#define BPFRT_MAX_FRAMES 8

/*
 * Pseudo sources of lddw (src field), as the kernel defines them. Only
 * BPFRT_PSEUDO_NONE is a plain constant; the others must be resolved by a
 * loader (to a map, a value address, a function) before the program runs.
 */
enum bpfrt_lddw_pseudo {
	BPFRT_PSEUDO_NONE = 0,          /* imm64 is the value */
	BPFRT_PSEUDO_MAP_FD = 1,        /* imm = map fd: the map's address */
	BPFRT_PSEUDO_MAP_VALUE = 2,     /* imm = map fd, next imm = offset into value */
	BPFRT_PSEUDO_BTF_ID = 3,        /* imm = BTF id of a kernel variable */
	BPFRT_PSEUDO_FUNC = 4,          /* imm = insn offset of a subprogram */
	BPFRT_PSEUDO_MAP_IDX = 5,       /* imm = index into the fd array */
	BPFRT_PSEUDO_MAP_IDX_VALUE = 6, /* like MAP_VALUE, by index */
};

/* Kinds of call (src field of the call instruction). */
enum bpfrt_call_kind {
	BPFRT_CALL_HELPER = 0, /* imm = helper id */
	BPFRT_CALL_LOCAL = 1,  /* imm = insn offset of a bpf-to-bpf callee */
	BPFRT_CALL_KFUNC = 2,  /* imm = BTF id of a kernel function */
};

/* Opcode fields, for code that builds instructions by hand. */
enum {
	BPFRT_CLASS_LD = 0x00, BPFRT_CLASS_LDX = 0x01, BPFRT_CLASS_ST = 0x02,
	BPFRT_CLASS_STX = 0x03, BPFRT_CLASS_ALU = 0x04, BPFRT_CLASS_JMP = 0x05,
	BPFRT_CLASS_JMP32 = 0x06, BPFRT_CLASS_ALU64 = 0x07,
};
#define BPFRT_CLASS(code) ((code) & 0x07)

/* The two instructions every program needs, for hand-built programs. */
#define BPFRT_INSN_MOV64_IMM(d, v) ((struct bpfrt_insn){ .code = 0xb7, .dst = (d), .imm = (v) })
#define BPFRT_INSN_EXIT() ((struct bpfrt_insn){ .code = 0x95 })

#ifdef __cplusplus
}
#endif
#endif
