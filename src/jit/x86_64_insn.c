/* SPDX-License-Identifier: MIT */
/*
 * x86_64_insn.c - one eBPF instruction to x86-64, one emit_* per kind.
 *
 * The kind comes from the instruction table (opcodes.def): its form, width,
 * opcode byte and variant say which operation it is, so this file follows
 * the table's structure, and an entry it does not know fails to compile with
 * a message naming the instruction, never silently.
 * Semantics are the interpreter's (interp.c, loop.h) to the bit; the comment
 * at each emitter says how the x86 instruction is made to agree.
 */
#include <errno.h>
#include "maps/maps.h"
#include "x86_64.h"

/* BPF operation field (opcode & 0xf0) of ALU and JMP instructions. */
enum {
	BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40,
	BPF_AND = 0x50, BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_MOD = 0x90, BPF_XOR = 0xa0,
	BPF_MOV = 0xb0, BPF_ARSH = 0xc0,
	BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40, BPF_JNE = 0x50,
	BPF_JSGT = 0x60, BPF_JSGE = 0x70, BPF_JLT = 0xa0, BPF_JLE = 0xb0, BPF_JSLT = 0xc0,
	BPF_JSLE = 0xd0,
};

/* Atomic operations (imm of STX|ATOMIC without the FETCH bit). */
enum { A_ADD = 0x00, A_OR = 0x40, A_AND = 0x50, A_XOR = 0xa0, A_XCHG = 0xe0, A_CMPXCHG = 0xf0 };

/*
 * lea dst, [base + index*scale + disp] with a 32-bit (w false) or 64-bit
 * result: the address is computed in 64 bits and a 32-bit destination keeps
 * its low half, zero-extended, which is exactly eBPF's 32-bit add. lea leaves
 * the flags alone. index < 0: none.
 */
static void emit_lea_w(struct jit_buf *b, bool w, int dst, int base, int index, int scale,
		       int32_t disp)
{
	emit_rm_sib(b, PFX_NONE, w, 0x8d, dst, false, base, index, scale, disp);
}

/*
 * x * 3, 5 or 9 is x + x * 2, 4 or 8: a lea, one cycle where imul takes
 * three (collatz's 3n + 1 is a chain of them). Returns the scale, or 0 when
 * m is not one of those.
 */
static int lea_scale(int32_t m)
{
	return m == 3 ? 2 : m == 5 ? 4 : m == 9 ? 8 : 0;
}

/* dst = (u32)dst: a 32-bit mov to itself clears the upper half. */
static void emit_zext32(struct jit_buf *b, int reg)
{
	emit_mov_rr(b, false, reg, reg);
}

/* --- ALU --- */

/*
 * Shift by a register. With BMI2 (st->bmi2) shlx/shrx/sarx take the count in
 * any register: one instruction. Otherwise x86 takes a variable count only in
 * cl, i.e. r4; both mask it to 6 bits (5 for 32-bit operands) exactly as eBPF
 * does. When the count is elsewhere, r4 is parked in r11 around the shift;
 * when r4 is the value being shifted, the shift works on the copy in r11.
 */
static void emit_shift_reg(struct x86 *st, bool w, int digit, int dst, int src)
{
	struct jit_buf *b = &st->b;

	if (st->bmi2) {
		int pp = digit == G2_SHL ? VEX_SHLX : digit == G2_SHR ? VEX_SHRX : VEX_SARX;

		emit_shiftx(b, w, pp, dst, dst, src);
		return;
	}
	if (src == RCX) {
		emit_shift_cl(b, w, digit, dst);
		return;
	}
	if (src == R11) {
		/* A blinded count, already in the scratch register: swap it with r4. */
		emit_rr(b, PFX_NONE, true, 0x87, RCX, R11, false); /* xchg rcx, r11 */
		emit_shift_cl(b, w, digit, dst == RCX ? R11 : dst);
		emit_mov_rr(b, true, RCX, R11);
		return;
	}
	emit_mov_rr(b, true, R11, RCX);
	emit_mov_rr(b, true, RCX, src);
	emit_shift_cl(b, w, digit, dst == RCX ? R11 : dst);
	emit_mov_rr(b, true, RCX, R11);
}

/* Shift by a constant, masked like the interpreter; a 32-bit shift by 0 still zero-extends. */
static void emit_shift_imm(struct jit_buf *b, bool w, int digit, int dst, int64_t imm)
{
	uint8_t count = (uint8_t)(imm & (w ? 63 : 31));
	if (count)
		emit_shift_ri(b, PFX_NONE, w, digit, dst, count);
	else if (!w)
		emit_zext32(b, dst);
}

/*
 * What division by zero leaves in dst: 0 for a quotient; the dividend for a
 * remainder (truncated to 32 bits by 32-bit ops).
 */
static void emit_div_by_zero(struct jit_buf *b, bool w, bool mod, int dst)
{
	if (!mod)
		emit_alu_rr(b, false, OP_XOR_RM, dst, dst);
	else if (!w)
		emit_zext32(b, dst);
}

/*
 * Signed division by -1, which x86 idiv would trap on for INT_MIN: the
 * quotient is -dst (wrapping, so INT_MIN stays INT_MIN), the remainder 0.
 */
static void emit_div_by_minus1(struct jit_buf *b, bool w, bool mod, int dst)
{
	if (mod)
		emit_alu_rr(b, false, OP_XOR_RM, dst, dst);
	else
		emit_grp3(b, w, G3_NEG, dst);
}

/*
 * dst = dst / r11 or dst % r11, r11 neither 0 nor (signed) -1. div and idiv
 * divide rdx:rax and leave the quotient in rax, the remainder in rdx, so r0
 * and r3 are parked in r9 and r10 unless dst is one of them. The dividend's
 * high half is 0 (xor edx) or rax's sign (cqo/cdq). 32-bit forms divide
 * edx:eax by r11d and zero-extend both results.
 */
static void emit_div_r11(struct jit_buf *b, bool w, bool mod, bool sign, int dst)
{
	if (dst != RAX)
		emit_mov_rr(b, true, R9, RAX);
	if (dst != RDX)
		emit_mov_rr(b, true, R10, RDX);
	if (dst != RAX)
		emit_mov_rr(b, true, RAX, dst);
	if (!sign) {
		emit_alu_rr(b, false, OP_XOR_RM, RDX, RDX);
	} else {
		if (w)
			emit1(b, 0x48); /* REX.W: cqo instead of cdq */
		emit1(b, 0x99);
	}
	emit_grp3(b, w, sign ? G3_IDIV : G3_DIV, R11);
	int res = mod ? RDX : RAX;
	if (dst != res)
		emit_mov_rr(b, true, dst, res);
	if (dst != RAX)
		emit_mov_rr(b, true, RAX, R9);
	if (dst != RDX)
		emit_mov_rr(b, true, RDX, R10);
}

/*
 * Division and modulo with the ISA's edge cases, never trapping. A constant
 * divisor is looked at now: 0 and (signed) -1 compile to their results, any
 * other to a plain div. A register divisor is tested first and the rare
 * cases branched over: "test; jz; [cmp -1; je;] div; jmp done", so the
 * common path is straight-line but for the final jump.
 */
static void emit_divmod(struct x86 *st, bool w, bool mod, bool sign, bool reg,
			const struct xinsn *x)
{
	struct jit_buf *b = &st->b;
	int dst = x86_reg[x->dst];
	if (!reg) {
		uint64_t v = w ? (uint64_t)x->imm : (uint32_t)x->imm;
		if (v == 0)
			emit_div_by_zero(b, w, mod, dst);
		else if (sign && (w ? x->imm == -1 : (int32_t)x->imm == -1))
			emit_div_by_minus1(b, w, mod, dst);
		else {
			emit_mov_imm(b, R11, v);
			emit_div_r11(b, w, mod, sign, dst);
		}
		return;
	}
	emit_mov_rr(b, w, R11, x86_reg[x->src]);
	emit_alu_rr(b, w, OP_TEST_RM, R11, R11);
	struct x86_fwd zero = x86_jump_fwd(st, CC_E, true), minus1 = { 0, 0 };
	if (sign) {
		emit_alu_ri(b, w, G1_CMP, R11, -1);
		minus1 = x86_jump_fwd(st, CC_E, true);
	}
	emit_div_r11(b, w, mod, sign, dst);
	struct x86_fwd done = x86_jump_fwd(st, BR_JMP, true), done2 = { 0, 0 };
	if (sign) {
		x86_land(st, minus1);
		emit_div_by_minus1(b, w, mod, dst);
		done2 = x86_jump_fwd(st, BR_JMP, true);
	}
	x86_land(st, zero);
	emit_div_by_zero(b, w, mod, dst);
	x86_land(st, done);
	if (sign)
		x86_land(st, done2);
}

/*
 * The two-operand ALU operations. Immediates arrive sign-extended to 64 bits
 * from 32, which is what x86's imm32 forms do for 64-bit operands; 32-bit
 * forms use the low half and, like every write of a 32-bit register,
 * zero-extend the result.
 */
static int emit_alu(struct x86 *st, const struct opinfo *oi, const struct xinsn *x)
{
	struct jit_buf *b = &st->b;
	bool w = oi->bits == 64, reg = op_src_is_reg(oi);
	bool sign = oi->vkind == V_OFF && oi->vval == 1;
	int dst = x86_reg[x->dst], src = x86_reg[x->src];
	int32_t imm = (int32_t)x->imm;
	static const struct { uint8_t op_rm, g1; } arith[16] = {
		[BPF_ADD >> 4] = { OP_ADD_RM, G1_ADD }, [BPF_SUB >> 4] = { OP_SUB_RM, G1_SUB },
		[BPF_OR >> 4] = { OP_OR_RM, G1_OR },    [BPF_AND >> 4] = { OP_AND_RM, G1_AND },
		[BPF_XOR >> 4] = { OP_XOR_RM, G1_XOR },
	};
	static const uint8_t shift[16] = {
		[BPF_LSH >> 4] = G2_SHL, [BPF_RSH >> 4] = G2_SHR, [BPF_ARSH >> 4] = G2_SAR,
	};

	switch (oi->code & 0xf0) {
	case BPF_ADD: case BPF_SUB: case BPF_OR: case BPF_AND: case BPF_XOR:
		if (reg)
			emit_alu_rr(b, w, arith[(oi->code & 0xf0) >> 4].op_rm, dst, src);
		else
			emit_alu_ri(b, w, arith[(oi->code & 0xf0) >> 4].g1, dst, imm);
		st->zf_reg = dst;
		st->zf_w = w;
		return 0;
	case BPF_MUL:
		if (reg)
			emit_imul_rr(b, w, dst, src);
		else if (lea_scale(imm))
			emit_lea_w(b, w, dst, dst, dst, lea_scale(imm), 0);
		else
			emit_imul_rri(b, w, dst, dst, imm);
		return 0;
	case BPF_DIV: case BPF_MOD:
		emit_divmod(st, w, (oi->code & 0xf0) == BPF_MOD, sign, reg, x);
		return 0;
	case BPF_LSH: case BPF_RSH: case BPF_ARSH:
		if (reg)
			emit_shift_reg(st, w, shift[(oi->code & 0xf0) >> 4], dst, src);
		else
			emit_shift_imm(b, w, shift[(oi->code & 0xf0) >> 4], dst, x->imm);
		return 0;
	case BPF_MOV:
		if (reg)
			emit_mov_rr(b, w, dst, src);
		else
			emit_mov_imm(b, dst, w ? (uint64_t)x->imm : (uint32_t)x->imm);
		return 0;
	default:
		return -ENOTSUP;
	}
}

/* movsx: sign-extend the low 8, 16 or 32 bits of src; the 32-bit forms then zero-extend. */
static int emit_movsx(struct x86 *st, const struct opinfo *oi, const struct xinsn *x)
{
	emit_movsx_rr(&st->b, oi->bits == 64, (unsigned)oi->vval, x86_reg[x->dst], x86_reg[x->src]);
	return 0;
}

/*
 * Byte order. le16/le32/le64 only truncate on this little-endian host;
 * be16/bswap16 swap the two low bytes with "rol r16, 8" and zero-extend with
 * movzx; the 32- and 64-bit swaps are bswap (the 32-bit one zero-extends).
 */
static int emit_end(struct x86 *st, const struct opinfo *oi, const struct xinsn *x)
{
	struct jit_buf *b = &st->b;
	int dst = x86_reg[x->dst];
	bool swap = oi->id != OP_LE16 && oi->id != OP_LE32 && oi->id != OP_LE64;
	switch (oi->vval) {
	case 16:
		if (swap)
			emit_shift_ri(b, PFX_OPSIZE, false, G2_ROL, dst, 8);
		emit_movzx16_rr(b, dst, dst);
		return 0;
	case 32:
		if (swap)
			emit_bswap(b, false, dst);
		else
			emit_zext32(b, dst);
		return 0;
	case 64:
		if (swap)
			emit_bswap(b, true, dst);
		return 0;
	default:
		return -ENOTSUP;
	}
}

/* --- jumps --- */

/*
 * Whether ZF already says dst == 0 for a w-bit compare at slot idx: the code
 * just before, in the same straight-line stretch, was an add, sub, and, or,
 * xor writing dst (emit_alu sets st->zf_reg). Its ZF is that of the result
 * at the operation's width; a 32-bit result is zero-extended, so it also
 * answers a 64-bit compare, but a 64-bit one says nothing about the low half.
 * Only equality: the other flags of add and sub are not those of cmp r, 0.
 */
static bool zf_holds(const struct x86 *st, size_t idx, int dst, bool w)
{
	return !st->is_target[idx] && st->zf_prev == dst && (st->zf_prev_w == w || !st->zf_prev_w);
}

/*
 * Compare, then jcc to the target slot. A compare with 0 is "test r, r": it
 * sets ZF and SF as "cmp r, 0" does and clears CF and OF as it does too, so
 * every condition reads the same. A jump to the next slot does nothing.
 */
static int emit_jcond(struct x86 *st, const struct opinfo *oi, const struct xinsn *x, size_t idx)
{
	static const int8_t cc[16] = {
		[BPF_JEQ >> 4] = CC_E,   [BPF_JGT >> 4] = CC_A,   [BPF_JGE >> 4] = CC_AE,
		[BPF_JSET >> 4] = CC_NE, [BPF_JNE >> 4] = CC_NE,  [BPF_JSGT >> 4] = CC_G,
		[BPF_JSGE >> 4] = CC_GE, [BPF_JLT >> 4] = CC_B,   [BPF_JLE >> 4] = CC_BE,
		[BPF_JSLT >> 4] = CC_L,  [BPF_JSLE >> 4] = CC_LE,
	};
	struct jit_buf *b = &st->b;
	unsigned op = oi->code & 0xf0;
	if (!cc[op >> 4])
		return -ENOTSUP;
	size_t target = idx + 1 + (size_t)(int64_t)x->off;
	if (target == idx + 1)
		return 0;
	bool w = oi->bits == 64;
	int dst = x86_reg[x->dst];
	if (op_src_is_reg(oi))
		emit_alu_rr(b, w, op == BPF_JSET ? OP_TEST_RM : OP_CMP_RM, dst, x86_reg[x->src]);
	else if (op == BPF_JSET)
		emit_test_ri(b, w, dst, (int32_t)x->imm);
	else if (x->imm == 0 && (op == BPF_JEQ || op == BPF_JNE) && zf_holds(st, idx, dst, w))
		; /* the ALU operation just before set ZF from dst */
	else if (x->imm == 0)
		emit_alu_rr(b, w, OP_TEST_RM, dst, dst);
	else
		emit_alu_ri(b, w, G1_CMP, dst, (int32_t)x->imm);
	x86_branch(st, cc[op >> 4], (uint32_t)target);
	return 0;
}

/* --- calls --- */

/*
 * A helper call. Arguments r1..r5 are already where System V wants them;
 * ex goes in r9 as the sixth. The function comes from ex->helpers at run
 * time, as in the interpreter. Before it, ex->depth gets the current frame
 * (d = (top - r10) / 512), so that a helper running a callback through
 * exec_call_func() puts the callback's frame below this one; in a program
 * without calls it stays the 0 the entry wrote. Afterwards, a helper that
 * called bpfrt_exec__stop() ends the program from any depth.
 */
static void emit_helper_call_head(struct x86 *st)
{
	struct jit_buf *b = &st->b;
	if (!st->has_frames) {
		emit_mov_rr(b, true, R9, REG_EX);
		return;
	}
	emit_lea(b, R9, REG_EX, -1, 1, EX_STACK_TOP);
	emit_alu_rr(b, true, OP_SUB_RM, R9, x86_reg[10]);
	emit_shift_ri(b, PFX_NONE, true, G2_SHR, R9, 9);
	_Static_assert(BPFRT_STACK_SIZE == 1 << 9, "depth is (top - r10) >> 9");
	_Static_assert(sizeof(((struct bpfrt_exec *)0)->depth) == 4, "ex->depth is 32 bits");
	emit_rm(b, PFX_NONE, false, OP_MOV_RM, R9, false, REG_EX, EX(depth));
	emit_mov_rr(b, true, R9, REG_EX);
}

static void emit_helper_call_tail(struct x86 *st)
{
	emit_cmp_mem8_imm(&st->b, REG_EX, EX(stop), 0);
	x86_branch(st, CC_NE, x86_stub(st, ST_STOPPED));
}

/* Helper ids are the kernel's, and the runtime lets no one replace these. */
#define HELPER_MAP_LOOKUP_ELEM 1

/*
 * The map r1 holds at the call in slot idx, when that is certain from the
 * code alone: an lddw of a map (pseudo source map fd or map index) into r1
 * earlier in the same straight-line stretch - nothing lands between it and
 * the call, and nothing in between writes r1 or could. NULL otherwise.
 */
static const struct bpfrt_map *map_in_r1(const struct x86 *st, size_t idx)
{
	for (size_t j = idx; j > 0; j--) {
		if (st->is_target[j])
			return NULL;
		size_t k = j - 1;
		if (k > 0 && bpfrt_optable[st->code[k - 1].op].form == F_LDDW)
			k--; /* slot j - 1 is the second half of an lddw */
		const struct xinsn *y = &st->code[k];
		const struct opinfo *oi = &bpfrt_optable[y->op];

		switch (oi->form) {
		case F_LDDW:
			if (y->dst != 1)
				break;
			if (y->src != BPFRT_PSEUDO_MAP_FD && y->src != BPFRT_PSEUDO_MAP_IDX)
				return NULL;
			return (const struct bpfrt_map *)(uintptr_t)y->imm;
		case F_ALU: case F_NEG: case F_MOVSX: case F_END: case F_LDX:
			if (y->dst == 1)
				return NULL;
			break;
		case F_ST: case F_STX: case F_JCOND:
			break;
		default:
			return NULL; /* calls, atomics, packet loads: r1 may change */
		}
		j = k + 1;
	}
	return NULL;
}

/*
 * bpf_map_lookup_elem on a plain array, inline as Linux's JIT gets it from
 * its verifier: r0 = key < max_entries ? values + key * stride : NULL, with
 * the key the u32 at r2. Not with constant blinding, which would have to
 * hide the map's address too.
 */
static bool emit_array_lookup(struct x86 *st, size_t idx)
{
	struct jit_buf *b = &st->b;
	const struct bpfrt_map *m = st->blind ? NULL : map_in_r1(st, idx);
	uintptr_t values;
	uint32_t stride, max;

	if (!m || !map_array_layout(m, &values, &stride, &max))
		return false;
	emit_rm(b, PFX_NONE, false, 0x8b, RAX, false, RSI, 0); /* eax = *(u32 *)r2 */
	emit_alu_ri(b, false, G1_CMP, RAX, (int32_t)max);
	struct x86_fwd null = x86_jump_fwd(st, CC_AE, true);
	emit_imul_rri(b, true, RAX, RAX, (int32_t)stride);
	emit_mov_imm(b, R11, values);
	emit_alu_rr(b, true, OP_ADD_RM, RAX, R11);
	struct x86_fwd done = x86_jump_fwd(st, BR_JMP, true);
	x86_land(st, null);
	emit_alu_rr(b, false, OP_XOR_RM, RAX, RAX);
	x86_land(st, done);
	return true;
}

static int emit_call_helper(struct x86 *st, const struct xinsn *x, size_t idx)
{
	if (x->imm < 0 || x->imm > INT32_MAX / 8)
		return -ENOTSUP; /* helper ids stop at BPFRT_MAX_HELPER_ID */
	if (x->imm == HELPER_MAP_LOOKUP_ELEM && emit_array_lookup(st, idx))
		return 0;
	emit_helper_call_head(st);
	emit_rm(&st->b, PFX_NONE, true, 0x8b, R11, false, REG_EX, EX(helpers));
	emit_call_mem(&st->b, R11, (int32_t)(x->imm * 8));
	emit_helper_call_tail(st);
	return 0;
}

/*
 * Depth check before a bpf-to-bpf call: from depth d = (top - r10) / 512,
 * the call is refused when d + 1 >= BPFRT_MAX_FRAMES, i.e. when r10 <=
 * top - 512 * (BPFRT_MAX_FRAMES - 1).
 */
static void emit_depth_check(struct x86 *st, size_t idx, int scratch)
{
	struct jit_buf *b = &st->b;
	emit_lea(b, scratch, REG_EX, -1, 1,
		 EX_STACK_TOP - (BPFRT_MAX_FRAMES - 1) * BPFRT_STACK_SIZE);
	emit_alu_rr(b, true, OP_CMP_RM, x86_reg[10], scratch);
	struct x86_fwd ok = x86_jump_fwd(st, CC_A, true);
	emit_mov_imm(b, RSI, idx);
	x86_branch(st, BR_JMP, x86_stub(st, ST_TOO_DEEP));
	x86_land(st, ok);
}

/*
 * The frame switch around a bpf-to-bpf call: save r6..r9 and r10 (the
 * callee may use them freely), give the callee the next 512 bytes of
 * ex->stack down, call, restore. target < 0: call r11; else the slot.
 */
static void emit_frame_call(struct x86 *st, long target)
{
	struct jit_buf *b = &st->b;
	static const uint8_t saved[] = { RBX, R13, R14, R15, RBP };
	for (size_t i = 0; i < sizeof(saved); i++)
		emit_push(b, saved[i]);
	emit_alu_ri(b, true, G1_SUB, x86_reg[10], BPFRT_STACK_SIZE);
	if (target < 0)
		emit_call_reg(b, R11);
	else
		x86_branch(st, BR_CALL, (uint32_t)target);
	for (size_t i = sizeof(saved); i-- > 0;)
		emit_pop(b, saved[i]);
}

static void emit_call_local(struct x86 *st, const struct xinsn *x, size_t idx)
{
	emit_depth_check(st, idx, R11);
	emit_frame_call(st, (long)idx + 1 + x->off);
}

/*
 * callx through a register, as the interpreter decides: a value tagged
 * XFUNC_TOKEN_TAG whose index is a slot calls that slot (its address from
 * the table after the code); any other value below ex->nhelpers with a
 * helper there calls the helper; anything else fails with -ENOENT.
 */
static void emit_callx(struct x86 *st, const struct xinsn *x, size_t idx)
{
	struct jit_buf *b = &st->b;
	int v = x86_reg[x->dst];
	emit_mov_rr(b, true, R11, v);
	emit_mov_rr(b, true, R10, R11);
	emit_shift_ri(b, PFX_NONE, true, G2_SHR, R10, 56);
	emit_alu_ri(b, false, G1_CMP, R10, (int32_t)(XFUNC_TOKEN_TAG >> 56));
	struct x86_fwd func = x86_jump_fwd(st, CC_E, false);

	/* A helper id: bounds, then a non-NULL entry. */
	emit_rm(b, PFX_NONE, false, 0x8b, R10, false, REG_EX, EX(nhelpers));
	emit_alu_rr(b, true, OP_CMP_RM, R11, R10);
	struct x86_fwd bad1 = x86_jump_fwd(st, CC_AE, false);
	emit_rm(b, PFX_NONE, true, 0x8b, R10, false, REG_EX, EX(helpers));
	emit_load(b, 8, false, R10, R10, R11, 8, 0);
	emit_alu_rr(b, true, OP_TEST_RM, R10, R10);
	struct x86_fwd bad2 = x86_jump_fwd(st, CC_E, false);
	emit_helper_call_head(st);
	emit_call_reg(b, R10);
	emit_helper_call_tail(st);
	struct x86_fwd done = x86_jump_fwd(st, BR_JMP, false);

	/* A function token: its slot must exist. */
	x86_land(st, func);
	emit_shift_ri(b, PFX_NONE, true, G2_SHL, R11, 8);
	emit_shift_ri(b, PFX_NONE, true, G2_SHR, R11, 8);
	emit_alu_ri(b, true, G1_CMP, R11, (int32_t)st->n);
	struct x86_fwd local = x86_jump_fwd(st, CC_B, true);

	x86_land(st, bad1);
	x86_land(st, bad2);
	emit_mov_rr(b, true, RCX, v);
	emit_mov_imm(b, RDX, x->dst);
	emit_mov_imm(b, RSI, idx);
	x86_branch(st, BR_JMP, x86_stub(st, ST_BAD_CALLX));

	x86_land(st, local);
	x86_lea_label(st, R10, x86_stub(st, ST_TABLE));
	emit_load(b, 4, true, R11, R10, R11, 4, 0);
	x86_lea_label(st, R10, x86_stub(st, ST_IMAGE));
	emit_alu_rr(b, true, OP_ADD_RM, R11, R10);
	emit_depth_check(st, idx, R10);
	emit_frame_call(st, -1);
	x86_land(st, done);
}

/* --- memory --- */

/* Loads and stores are plain movs: the unchecked engine trusts the verifier. */
static int emit_ldx(struct x86 *st, const struct opinfo *oi, const struct xinsn *x)
{
	bool sx = oi->id == OP_LDXSB || oi->id == OP_LDXSH || oi->id == OP_LDXSW;
	emit_load(&st->b, oi->bits / 8, sx, x86_reg[x->dst], x86_reg[x->src], -1, 1, x->off);
	return 0;
}

/*
 * Atomics. add/or/and/xor without fetch are "lock op [m], src"; fetch-add is
 * "lock xadd", xchg is xchg (locked by itself), cmpxchg is "lock cmpxchg"
 * with r0 in rax, its natural register. x86 has no fetching or/and/xor, so
 * those are a cmpxchg loop: load, compute in r9, try to swap in, retry if
 * the memory changed meanwhile. All are sequentially consistent on x86, as
 * the interpreter's __ATOMIC_SEQ_CST.
 */
static void emit_fetch_logic(struct x86 *st, bool w, uint8_t op_rm, int base, int32_t off, int src)
{
	struct jit_buf *b = &st->b;
	emit_lea(b, R11, base, -1, 1, off);
	emit_mov_rr(b, true, R10, RAX);
	int val = src == RAX ? R10 : src;
	emit_load(b, w ? 8 : 4, false, RAX, R11, -1, 1, 0);
	size_t loop = b->len;
	emit_mov_rr(b, w, R9, RAX);
	emit_alu_rr(b, w, op_rm, R9, val);
	emit_rm(b, PFX_LOCK, w, 0x0fb1, R9, false, R11, 0);
	emit1(b, 0x70 + CC_NE);
	emit1(b, (uint8_t)(int8_t)((int64_t)loop - (int64_t)(b->len + 1)));
	/* rax holds the old value, zero-extended for 32-bit ops. */
	if (src != RAX) {
		emit_mov_rr(b, true, src, RAX);
		emit_mov_rr(b, true, RAX, R10);
	}
}

static int emit_atomic(struct x86 *st, const struct opinfo *oi, const struct xinsn *x)
{
	struct jit_buf *b = &st->b;
	bool w = oi->bits == 64, fetch = oi->vval & 1;
	int base = x86_reg[x->dst], src = x86_reg[x->src];
	static const uint8_t logic[256] = { [A_ADD] = OP_ADD_RM, [A_OR] = OP_OR_RM,
					    [A_AND] = OP_AND_RM, [A_XOR] = OP_XOR_RM };
	switch (oi->vval & ~1) {
	case A_ADD:
		if (fetch)
			emit_rm(b, PFX_LOCK, w, 0x0fc1, src, false, base, x->off);
		else
			emit_rm(b, PFX_LOCK, w, OP_ADD_RM, src, false, base, x->off);
		return 0;
	case A_OR: case A_AND: case A_XOR:
		if (fetch)
			emit_fetch_logic(st, w, logic[oi->vval & ~1], base, x->off, src);
		else
			emit_rm(b, PFX_LOCK, w, logic[oi->vval & ~1], src, false, base, x->off);
		return 0;
	case A_XCHG:
		emit_rm(b, PFX_NONE, w, 0x87, src, false, base, x->off);
		return 0;
	case A_CMPXCHG:
		/* On success a 32-bit cmpxchg leaves rax's upper half alone; r0 must be the u32. */
		emit_rm(b, PFX_LOCK, w, 0x0fb1, src, false, base, x->off);
		if (!w)
			emit_zext32(b, RAX);
		return 0;
	default:
		return -ENOTSUP;
	}
}

/*
 * Legacy packet loads, as the interpreter's pkt_load(): the offset is
 * computed in 32 bits; negative or running past ex->pkt_len ends the
 * program with r0 = 0; the value is big-endian. Only r0 and scratch change.
 */
static int emit_ldpkt(struct x86 *st, const struct opinfo *oi, const struct xinsn *x)
{
	struct jit_buf *b = &st->b;
	unsigned size = oi->bits / 8;
	if (oi->form == F_LDABS) {
		if ((int32_t)x->imm < 0) {
			x86_branch(st, BR_JMP, x86_stub(st, ST_PKT_OOB));
			return 0;
		}
		emit_mov_imm(b, R11, (uint32_t)x->imm);
	} else {
		emit_mov_rr(b, false, R11, x86_reg[x->src]);
		if (x->imm)
			emit_alu_ri(b, false, G1_ADD, R11, (int32_t)x->imm);
		emit_alu_rr(b, false, OP_TEST_RM, R11, R11);
		x86_branch(st, CC_S, x86_stub(st, ST_PKT_OOB));
	}
	emit_lea(b, R10, R11, -1, 1, (int32_t)size);
	emit_rm(b, PFX_NONE, true, 0x3b, R10, false, REG_EX, EX(pkt_len)); /* cmp r10, [m] */
	x86_branch(st, CC_A, x86_stub(st, ST_PKT_OOB));
	emit_rm(b, PFX_NONE, true, 0x8b, R10, false, REG_EX, EX(pkt));
	emit_load(b, size, false, RAX, R10, R11, 1, 0);
	if (size == 2)
		emit_shift_ri(b, PFX_OPSIZE, false, G2_ROL, RAX, 8);
	else if (size == 4)
		emit_bswap(b, false, RAX);
	return 0;
}

/* --- constant blinding --- */

/*
 * The BPF_X twin of a BPF_K ALU or jump entry: same operation and width, and
 * the same variant value (signed division has off 1 in both forms; a plain
 * mov has no variant as K and off 0 as X).
 */
static const struct opinfo *reg_form(const struct opinfo *oi)
{
	for (size_t i = 0; i < OP__COUNT; i++) {
		const struct opinfo *r = &bpfrt_optable[i];

		if (r->form == oi->form && r->code == (oi->code | 0x08) && r->bits == oi->bits &&
		    r->vval == oi->vval)
			return r;
	}
	return NULL;
}

/*
 * r11 = imm sign-extended, without imm in the code: mov r11, imm ^ key;
 * xor r11, key (both imm32 forms, sign-extended: sext(a) ^ sext(b) is
 * sext(a ^ b)).
 */
static void emit_blinded_imm32(struct x86 *st, int32_t imm)
{
	struct jit_buf *b = &st->b;
	int32_t key = (int32_t)st->key32;

	emit_rr(b, PFX_NONE, true, 0xc7, 0, R11, false);
	emit4(b, (uint32_t)(imm ^ key));
	emit_rr(b, PFX_NONE, true, 0x81, G1_XOR, R11, false);
	emit4(b, (uint32_t)key);
}

/*
 * An instruction with an immediate, blinded: the immediate goes to r11
 * (REG_AX) and the register form of the operation runs on it. Zero moves
 * and compares with zero carry no constant (xor, test) and are left alone,
 * as are helper ids and legacy packet offsets. Returns 1 when it emitted the
 * instruction, 0 when there is nothing to blind, or -errno.
 */
static int emit_blinded(struct x86 *st, const struct opinfo *oi, const struct xinsn *x, size_t idx)
{
	struct xinsn y = *x;
	const struct opinfo *r;
	int err;

	switch (oi->form) {
	case F_ALU:
	case F_JCOND:
		if (op_src_is_reg(oi) || (x->imm == 0 && (oi->form == F_JCOND ||
							  (oi->code & 0xf0) == BPF_MOV)))
			return 0;
		if (oi->form == F_JCOND && x->off == 0)
			return 0; /* a jump to the next slot: no code at all */
		r = reg_form(oi);
		if (!r)
			return -ENOTSUP;
		emit_blinded_imm32(st, (int32_t)x->imm);
		y.op = (uint8_t)r->id;
		y.src = REG_AX;
		err = oi->form == F_ALU ? emit_alu(st, r, &y) : emit_jcond(st, r, &y, idx);
		return err ? err : 1;
	case F_ST:
		emit_blinded_imm32(st, (int32_t)x->imm);
		emit_store_reg(&st->b, oi->bits / 8, x86_reg[x->dst], x->off, R11);
		return 1;
	case F_LDDW: {
		int dst = x86_reg[x->dst];

		if (!x->imm)
			return 0;
		/* movabs dst, v ^ key; movabs r11, key; xor dst, r11 */
		emit_rex(&st->b, true, 0, 0, dst, false);
		emit1(&st->b, (uint8_t)(0xb8 + (dst & 7)));
		emit8(&st->b, (uint64_t)x->imm ^ st->key64);
		emit_rex(&st->b, true, 0, 0, R11, false);
		emit1(&st->b, (uint8_t)(0xb8 + (R11 & 7)));
		emit8(&st->b, st->key64);
		emit_alu_rr(&st->b, true, OP_XOR_RM, dst, R11);
		return 1;
	}
	default:
		return 0;
	}
}

/*
 * Whether slot i, after the first of a run of slots done as one lea, can
 * join it: it exists, no jump lands on it (nothing enters mid-run), and it
 * is an ALU operation of the same width on the same dst.
 */
static const struct opinfo *lea_next(const struct x86 *st, size_t i, const struct xinsn *first)
{
	if (i >= st->n || st->is_target[i])
		return NULL;
	const struct opinfo *o = &bpfrt_optable[st->code[i].op];
	if (o->form != F_ALU || o->bits != bpfrt_optable[first->op].bits ||
	    st->code[i].dst != first->dst)
		return NULL;
	return o;
}

/*
 * Two or three slots as one lea. clang writes three-operand arithmetic as a
 * copy and an update of the copy ("r7 = r1; r7 += r6", "r8 = r10; r8 +=
 * -256", often then "r8 += r6": an address on the stack), and 3n + 1 as a
 * multiply and an add; lea computes each in one instruction without the
 * dependencies between them. Only when no jump lands after the first slot,
 * all have the same width (a 32-bit lea truncates the whole sum, which is
 * what the 32-bit sequence does), and, with constant blinding, only when no
 * immediate is involved. Returns the number of slots emitted, 0 for none.
 */
static int emit_lea_pair(struct x86 *st, size_t idx)
{
	const struct xinsn *x = &st->code[idx], *y = &st->code[idx + 1], *z;
	const struct opinfo *ox = &bpfrt_optable[x->op], *oy = lea_next(st, idx + 1, x), *oz;
	if (ox->form != F_ALU || !oy)
		return 0;
	bool w = ox->bits == 64, kx = !op_src_is_reg(ox), ky = !op_src_is_reg(oy);
	unsigned opx = ox->code & 0xf0, opy = oy->code & 0xf0;
	int dst = x86_reg[x->dst], src = x86_reg[x->src], idx_reg, scale = 1;
	int64_t disp = 0;

	if (st->blind && (kx || ky))
		return 0;
	if (opx == BPF_MOV && !kx && x->src != x->dst) {
		/* dst = src, then dst += imm | -= imm | += reg | <<= 1 | *= 3, 5, 9 */
		if (opy == BPF_ADD && ky)
			idx_reg = -1, disp = y->imm;
		else if (opy == BPF_SUB && ky)
			idx_reg = -1, disp = -(int64_t)y->imm;
		else if (opy == BPF_ADD && !ky)
			idx_reg = y->src == y->dst ? src : x86_reg[y->src];
		else if (opy == BPF_LSH && ky && y->imm == 1)
			idx_reg = src;
		else if (opy == BPF_MUL && ky && lea_scale((int32_t)y->imm))
			idx_reg = src, scale = lea_scale((int32_t)y->imm);
		else
			return 0;
		if (!fits_i32(disp))
			return 0;
		/* dst = src + imm, then dst += reg (not dst itself: that would double the sum) */
		oz = idx_reg < 0 ? lea_next(st, idx + 2, x) : NULL;
		z = oz ? &st->code[idx + 2] : NULL;
		if (oz && (oz->code & 0xf0) == BPF_ADD && op_src_is_reg(oz) && z->src != z->dst) {
			emit_lea_w(&st->b, w, dst, src, x86_reg[z->src], 1, (int32_t)disp);
			return 3;
		}
		emit_lea_w(&st->b, w, dst, src, idx_reg, scale, (int32_t)disp);
		return 2;
	}
	if (opx == BPF_MUL && kx && lea_scale((int32_t)x->imm) && opy == BPF_ADD && ky) {
		emit_lea_w(&st->b, w, dst, dst, dst, lea_scale((int32_t)x->imm), (int32_t)y->imm);
		return 2;
	}
	return 0;
}

int x86_emit_insn(struct x86 *st, size_t idx, struct diag *d)
{
	const struct xinsn *x = &st->code[idx];
	const struct opinfo *oi = &bpfrt_optable[x->op];
	struct jit_buf *b = &st->b;
	int err = 0;

	st->zf_prev = st->zf_reg;
	st->zf_prev_w = st->zf_w;
	st->zf_reg = -1;
	int fused = emit_lea_pair(st, idx);
	if (fused)
		return fused;
	if (st->blind) {
		err = emit_blinded(st, oi, x, idx);
		if (err == 1)
			return oi->form == F_LDDW ? 2 : 1;
		if (err)
			goto fail;
	}
	switch (oi->form) {
	case F_ALU:    err = emit_alu(st, oi, x); break;
	case F_NEG:    emit_grp3(b, oi->bits == 64, G3_NEG, x86_reg[x->dst]); break;
	case F_MOVSX:  err = emit_movsx(st, oi, x); break;
	case F_END:    err = emit_end(st, oi, x); break;
	case F_JCOND:  err = emit_jcond(st, oi, x, idx); break;
	case F_JA: case F_GOTOL:
		if (x->off != 0)
			x86_branch(st, BR_JMP, (uint32_t)(idx + 1 + (size_t)(int64_t)x->off));
		break;
	case F_LDX:    err = emit_ldx(st, oi, x); break;
	case F_ST:
		emit_store_imm(b, oi->bits / 8, x86_reg[x->dst], x->off, (int32_t)x->imm);
		break;
	case F_STX:
		emit_store_reg(b, oi->bits / 8, x86_reg[x->dst], x->off, x86_reg[x->src]);
		break;
	case F_ATOMIC: err = emit_atomic(st, oi, x); break;
	case F_LDDW:   emit_mov_imm(b, x86_reg[x->dst], (uint64_t)x->imm); break;
	case F_LDABS: case F_LDIND: err = emit_ldpkt(st, oi, x); break;
	case F_CALL:
		if (oi->id == OP_CALL_HELPER)
			err = emit_call_helper(st, x, idx);
		else if (oi->id == OP_CALL_LOCAL)
			emit_call_local(st, x, idx);
		else
			err = -ENOTSUP;
		break;
	case F_CALLX:  emit_callx(st, x, idx); break;
	case F_EXIT:   emit_ret(b); break;
	default:       err = -ENOTSUP; break;
	}
fail:
	if (err) {
		diag_insn(d, idx, "jit: the x86-64 backend cannot compile '%s' (opcode 0x%02x)",
			  oi->name, oi->code);
		return err;
	}
	return oi->form == F_LDDW ? 2 : 1;
}
