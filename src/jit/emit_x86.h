/* SPDX-License-Identifier: MIT */
/*
 * emit_x86.h - encoders for the x86-64 instructions the JIT uses, one small
 * function per form, each appending to a struct jit_buf.
 *
 * An x86-64 instruction here is: [legacy prefix] [REX] opcode ModRM [SIB]
 * [displacement] [immediate]. The register numbers below are the encoding's:
 * their low three bits go into ModRM or SIB, the fourth into REX. Jumps and
 * calls to labels are not here: they need the layout, which x86_64.c owns.
 */
#ifndef BPFRT_JIT_EMIT_X86_H
#define BPFRT_JIT_EMIT_X86_H

#include <stdbool.h>
#include <stdint.h>
#include "backend.h"

enum x86_reg { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Condition codes, the low nibble of Jcc (0x70+cc, 0x0f 0x80+cc) and SETcc. */
enum x86_cc {
	CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6, CC_A = 0x7,
	CC_S = 0x8, CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf,
};

/* The /digit of group-1 (0x81, 0x83), group-2 (shifts) and group-3 (0xf7) opcodes. */
enum { G1_ADD = 0, G1_OR = 1, G1_AND = 4, G1_SUB = 5, G1_XOR = 6, G1_CMP = 7 };
enum { G2_ROL = 0, G2_SHL = 4, G2_SHR = 5, G2_SAR = 7 };
enum { G3_TEST = 0, G3_NEG = 3, G3_DIV = 6, G3_IDIV = 7 };

/* "op r/m, reg" opcodes of the classic ALU operations. */
enum { OP_ADD_RM = 0x01, OP_OR_RM = 0x09, OP_AND_RM = 0x21, OP_SUB_RM = 0x29,
       OP_XOR_RM = 0x31, OP_CMP_RM = 0x39, OP_TEST_RM = 0x85, OP_MOV_RM = 0x89 };

#define PFX_NONE 0x00
#define PFX_OPSIZE 0x66 /* 16-bit operand */
#define PFX_LOCK 0xf0   /* atomic read-modify-write of the memory operand */

static inline bool fits_i8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

static inline void emit1(struct jit_buf *b, uint8_t v) { jit_buf_put(b, &v, 1); }

static inline void emit2(struct jit_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	jit_buf_put(b, x, 2);
}

static inline void emit4(struct jit_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	jit_buf_put(b, x, 4);
}

static inline void emit8(struct jit_buf *b, uint64_t v)
{
	emit4(b, (uint32_t)v);
	emit4(b, (uint32_t)(v >> 32));
}

/*
 * REX = 0100WRXB: W selects 64-bit operands; R, X, B are bit 3 of the ModRM
 * reg field, of the SIB index, and of ModRM rm or the SIB base. Left out when
 * it would be 0x40, except for byte operands in registers 4..7: without any
 * REX those codes mean ah, ch, dh, bh instead of spl, bpl, sil, dil.
 */
static inline void emit_rex(struct jit_buf *b, bool w, int reg, int index, int rm, bool byte_reg)
{
	uint8_t rex = (uint8_t)(0x40 | w << 3 | (reg >> 3 & 1) << 2 | (index >> 3 & 1) << 1 |
				(rm >> 3 & 1));
	if (rex != 0x40 || byte_reg)
		emit1(b, rex);
}

/* A one-byte opcode, or 0x0fXX for the two-byte map. */
static inline void emit_opcode(struct jit_buf *b, uint16_t op)
{
	if (op > 0xff)
		emit1(b, (uint8_t)(op >> 8));
	emit1(b, (uint8_t)op);
}

/* True when reg used as a byte operand needs a REX to mean its low byte. */
static inline bool byte_needs_rex(int reg) { return reg >= RSP && reg <= RDI; }

/* "op reg, rm" with both operands registers: ModRM mod=11. */
static inline void emit_rr(struct jit_buf *b, uint8_t pfx, bool w, uint16_t op, int reg, int rm,
			   bool byte_rm)
{
	if (pfx)
		emit1(b, pfx);
	emit_rex(b, w, reg, 0, rm, byte_rm && byte_needs_rex(rm));
	emit_opcode(b, op);
	emit1(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/*
 * ModRM, SIB and displacement for [base + index*scale + disp] (index < 0:
 * none). mod selects no/8-bit/32-bit displacement. rm=100 means "a SIB byte
 * follows", so rsp and r12 as base always take one (with index 100 = none);
 * mod=00 with base 101 means RIP-relative, so rbp and r13 always take at
 * least a zero disp8.
 */
static inline void emit_mem(struct jit_buf *b, int reg, int base, int index, int scale, int32_t disp)
{
	uint8_t mod = (disp == 0 && (base & 7) != RBP) ? 0x00 : fits_i8(disp) ? 0x40 : 0x80;
	if (index < 0 && (base & 7) != RSP) {
		emit1(b, (uint8_t)(mod | (reg & 7) << 3 | (base & 7)));
	} else {
		uint8_t ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
		emit1(b, (uint8_t)(mod | (reg & 7) << 3 | RSP));
		emit1(b, (uint8_t)(ss << 6 | ((index < 0 ? RSP : index) & 7) << 3 | (base & 7)));
	}
	if (mod == 0x40)
		emit1(b, (uint8_t)disp);
	else if (mod == 0x80)
		emit4(b, (uint32_t)disp);
}

/* "op reg, [base + index*scale + disp]" (index < 0: none). */
static inline void emit_rm_sib(struct jit_buf *b, uint8_t pfx, bool w, uint16_t op, int reg,
			       bool byte_reg, int base, int index, int scale, int32_t disp)
{
	if (pfx)
		emit1(b, pfx);
	emit_rex(b, w, reg, index < 0 ? 0 : index, base, byte_reg && byte_needs_rex(reg));
	emit_opcode(b, op);
	emit_mem(b, reg, base, index, scale, disp);
}

/* "op reg, [base + disp]" */
static inline void emit_rm(struct jit_buf *b, uint8_t pfx, bool w, uint16_t op, int reg,
			   bool byte_reg, int base, int32_t disp)
{
	emit_rm_sib(b, pfx, w, op, reg, byte_reg, base, -1, 1, disp);
}

/* mov dst, src (0x89 /r); the 32-bit form zero-extends into the whole register. */
static inline void emit_mov_rr(struct jit_buf *b, bool w, int dst, int src)
{
	emit_rr(b, PFX_NONE, w, OP_MOV_RM, src, dst, false);
}

/* add/sub/and/or/xor/cmp/test dst, src, with op one of OP_*_RM. */
static inline void emit_alu_rr(struct jit_buf *b, bool w, uint8_t op, int dst, int src)
{
	emit_rr(b, PFX_NONE, w, op, src, dst, false);
}

/*
 * Group-1 operation with an immediate: 0x83 /digit ib when it fits a sign-
 * extended byte, else 0x81 /digit id (sign-extended to 64 bits when w).
 */
static inline void emit_alu_ri(struct jit_buf *b, bool w, int digit, int dst, int32_t imm)
{
	if (fits_i8(imm)) {
		emit_rr(b, PFX_NONE, w, 0x83, digit, dst, false);
		emit1(b, (uint8_t)imm);
	} else {
		emit_rr(b, PFX_NONE, w, 0x81, digit, dst, false);
		emit4(b, (uint32_t)imm);
	}
}

/* test dst, imm32 (0xf7 /0 id): no byte form exists except for al. */
static inline void emit_test_ri(struct jit_buf *b, bool w, int dst, int32_t imm)
{
	emit_rr(b, PFX_NONE, w, 0xf7, G3_TEST, dst, false);
	emit4(b, (uint32_t)imm);
}

/*
 * dst = v, shortest form: xor r32, r32 for 0 (it clobbers flags; callers never
 * keep flags across it); mov r32, imm32 (0xb8+r, zero-extends) for values
 * that fit 32 unsigned bits; mov r/m64, imm32 (0xc7 /0, sign-extends) for
 * negative 32-bit values; otherwise the 10-byte movabs (REX.W 0xb8+r imm64).
 */
static inline void emit_mov_imm(struct jit_buf *b, int dst, uint64_t v)
{
	if (v == 0) {
		emit_alu_rr(b, false, OP_XOR_RM, dst, dst);
	} else if (v <= UINT32_MAX) {
		emit_rex(b, false, 0, 0, dst, false);
		emit1(b, (uint8_t)(0xb8 + (dst & 7)));
		emit4(b, (uint32_t)v);
	} else if (fits_i32((int64_t)v)) {
		emit_rr(b, PFX_NONE, true, 0xc7, 0, dst, false);
		emit4(b, (uint32_t)v);
	} else {
		emit_rex(b, true, 0, 0, dst, false);
		emit1(b, (uint8_t)(0xb8 + (dst & 7)));
		emit8(b, v);
	}
}

/* Shift or rotate by a constant: 0xd1 /digit for 1, else 0xc1 /digit ib. */
static inline void emit_shift_ri(struct jit_buf *b, uint8_t pfx, bool w, int digit, int dst,
				 uint8_t count)
{
	emit_rr(b, pfx, w, count == 1 ? 0xd1 : 0xc1, digit, dst, false);
	if (count != 1)
		emit1(b, count);
}

/* Shift by cl (0xd3 /digit); the CPU masks the count to 5 or 6 bits, as eBPF does. */
static inline void emit_shift_cl(struct jit_buf *b, bool w, int digit, int dst)
{
	emit_rr(b, PFX_NONE, w, 0xd3, digit, dst, false);
}

/* The VEX pp field of BMI2's shlx, sarx and shrx (F7 /r in map 0F38). */
enum { VEX_SHLX = 1, VEX_SARX = 2, VEX_SHRX = 3 };

/*
 * BMI2 shift: dst = src shifted by count, in any registers, flags untouched,
 * the count masked to 6 bits (5 for 32-bit operands, whose result is zero-
 * extended) as eBPF does. Three-byte VEX: C4, then inverted R and B (bit 3 of
 * reg and rm; X unused, kept 1) with map 0F38, then W, the inverted count
 * register (vvvv), L = 0 and pp.
 */
static inline void emit_shiftx(struct jit_buf *b, bool w, int pp, int dst, int src, int count)
{
	emit1(b, 0xc4);
	emit1(b, (uint8_t)((~dst >> 3 & 1) << 7 | 1 << 6 | (~src >> 3 & 1) << 5 | 0x02));
	emit1(b, (uint8_t)(w << 7 | (~count & 0xf) << 3 | pp));
	emit1(b, 0xf7);
	emit1(b, (uint8_t)(0xc0 | (dst & 7) << 3 | (src & 7)));
}

/* Group 3 on a register: neg, div (rdx:rax / rm), idiv. */
static inline void emit_grp3(struct jit_buf *b, bool w, int digit, int rm)
{
	emit_rr(b, PFX_NONE, w, 0xf7, digit, rm, false);
}

/* imul dst, src (0x0f 0xaf /r): the low half is the same for signed and unsigned. */
static inline void emit_imul_rr(struct jit_buf *b, bool w, int dst, int src)
{
	emit_rr(b, PFX_NONE, w, 0x0faf, dst, src, false);
}

/* imul dst, src, imm: 0x6b /r ib or 0x69 /r id. */
static inline void emit_imul_rri(struct jit_buf *b, bool w, int dst, int src, int32_t imm)
{
	bool small = fits_i8(imm);
	emit_rr(b, PFX_NONE, w, small ? 0x6b : 0x69, dst, src, false);
	if (small)
		emit1(b, (uint8_t)imm);
	else
		emit4(b, (uint32_t)imm);
}

/*
 * Register-to-register extensions: movzx r32, r/m16 (0x0f 0xb7); movsx from a
 * byte (0x0f 0xbe) or a word (0x0f 0xbf), to 32 or 64 bits; movsxd r64,
 * r/m32 (0x63). Writing a 32-bit register zero-extends it to 64.
 */
static inline void emit_movzx16_rr(struct jit_buf *b, int dst, int src)
{
	emit_rr(b, PFX_NONE, false, 0x0fb7, dst, src, false);
}

static inline void emit_movsx_rr(struct jit_buf *b, bool w, unsigned from_bits, int dst, int src)
{
	if (from_bits == 8)
		emit_rr(b, PFX_NONE, w, 0x0fbe, dst, src, true);
	else if (from_bits == 16)
		emit_rr(b, PFX_NONE, w, 0x0fbf, dst, src, false);
	else
		emit_rr(b, PFX_NONE, true, 0x63, dst, src, false);
}

/* bswap r32/r64 (0x0f 0xc8+r); the 32-bit form zero-extends. */
static inline void emit_bswap(struct jit_buf *b, bool w, int reg)
{
	emit_rex(b, w, 0, 0, reg, false);
	emit1(b, 0x0f);
	emit1(b, (uint8_t)(0xc8 + (reg & 7)));
}

/*
 * Loads, zero- or sign-extending to 64 bits: movzx r32, m8/m16 (0x0f 0xb6,
 * 0x0f 0xb7), mov r32, m32 (0x8b: zero-extends), mov r64, m64; movsx r64,
 * m8/m16 (REX.W 0x0f 0xbe/0xbf), movsxd r64, m32 (REX.W 0x63).
 */
static inline void emit_load(struct jit_buf *b, unsigned size, bool sx, int dst, int base,
			     int index, int scale, int32_t disp)
{
	static const uint16_t zx_op[9] = { [1] = 0x0fb6, [2] = 0x0fb7, [4] = 0x8b, [8] = 0x8b };
	static const uint16_t sx_op[9] = { [1] = 0x0fbe, [2] = 0x0fbf, [4] = 0x63, [8] = 0x8b };
	emit_rm_sib(b, PFX_NONE, sx || size == 8, sx ? sx_op[size] : zx_op[size], dst, false,
		    base, index, scale, disp);
}

/* Stores of a register's low bytes: 0x88 (byte), 0x66 0x89 (word), 0x89, REX.W 0x89. */
static inline void emit_store_reg(struct jit_buf *b, unsigned size, int base, int32_t disp, int src)
{
	emit_rm(b, size == 2 ? PFX_OPSIZE : PFX_NONE, size == 8, size == 1 ? 0x88 : 0x89, src,
		size == 1, base, disp);
}

/* Stores of an immediate: 0xc6 /0 ib, 0x66 0xc7 /0 iw, 0xc7 /0 id, REX.W 0xc7 /0 id (sign-extended). */
static inline void emit_store_imm(struct jit_buf *b, unsigned size, int base, int32_t disp,
				  int32_t imm)
{
	emit_rm(b, size == 2 ? PFX_OPSIZE : PFX_NONE, size == 8, size == 1 ? 0xc6 : 0xc7, 0, false,
		base, disp);
	if (size == 1)
		emit1(b, (uint8_t)imm);
	else if (size == 2)
		emit2(b, (uint16_t)imm);
	else
		emit4(b, (uint32_t)imm);
}

/* lea dst, [base + index*scale + disp] (REX.W 0x8d /r). */
static inline void emit_lea(struct jit_buf *b, int dst, int base, int index, int scale, int32_t disp)
{
	emit_rm_sib(b, PFX_NONE, true, 0x8d, dst, false, base, index, scale, disp);
}

/* push/pop r64: 0x50+r / 0x58+r, REX.B for r8..r15. */
static inline void emit_push(struct jit_buf *b, int reg)
{
	emit_rex(b, false, 0, 0, reg, false);
	emit1(b, (uint8_t)(0x50 + (reg & 7)));
}

static inline void emit_pop(struct jit_buf *b, int reg)
{
	emit_rex(b, false, 0, 0, reg, false);
	emit1(b, (uint8_t)(0x58 + (reg & 7)));
}

/* push qword [base + disp] (0xff /6) and pop qword [base + disp] (0x8f /0): 64-bit by default. */
static inline void emit_push_mem(struct jit_buf *b, int base, int32_t disp)
{
	emit_rm(b, PFX_NONE, false, 0xff, 6, false, base, disp);
}

static inline void emit_pop_mem(struct jit_buf *b, int base, int32_t disp)
{
	emit_rm(b, PFX_NONE, false, 0x8f, 0, false, base, disp);
}

/* call reg (0xff /2). */
static inline void emit_call_reg(struct jit_buf *b, int reg)
{
	emit_rr(b, PFX_NONE, false, 0xff, 2, reg, false);
}

/* call [base + disp] (0xff /2 with a memory operand). */
static inline void emit_call_mem(struct jit_buf *b, int base, int32_t disp)
{
	emit_rm(b, PFX_NONE, false, 0xff, 2, false, base, disp);
}

/* cmp byte [base + disp], imm8 (0x80 /7 ib). */
static inline void emit_cmp_mem8_imm(struct jit_buf *b, int base, int32_t disp, uint8_t imm)
{
	emit_rm(b, PFX_NONE, false, 0x80, G1_CMP, false, base, disp);
	emit1(b, imm);
}

static inline void emit_ret(struct jit_buf *b) { emit1(b, 0xc3); }

#endif
