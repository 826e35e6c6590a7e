/* SPDX-License-Identifier: MIT */
/*
 * loop.h - the interpreter loop, written once.
 *
 * interp.c includes this file twice: with CHECKED 0 for the fast engine and
 * CHECKED 1 for the checked one, each time defining INTERP_NAME. In the
 * checked instance every memory access is tested against the exec's regions
 * and every instruction is charged to the budget; in the fast one those
 * macros vanish. Dispatch is computed goto over the op id (one load from a
 * table the size of the instruction set), each case a few lines; anything
 * longer is a static inline function in interp.c.
 */

/*
 * Run from entry in frame `base` (0 for a program, deeper for a callback a
 * helper invokes) with r1..r5 = args, until that frame exits.
 */
static int INTERP_NAME(struct bpfrt_exec *ex, const struct xinsn *entry, const uint64_t *args,
		       unsigned base, uint64_t *ret)
{
	static const void *const labels[OP__COUNT] = {
#define OP(id, ...) [OP_##id] = &&L_##id,
#include "isa/opcodes.def"
#undef OP
	};
	const struct xinsn *const code = ex->code;
	const struct xinsn *pc = entry;
	uint64_t reg[BPFRT_NREGS] = { 0 };
	const struct xinsn *callee;
	unsigned depth = base;
#if CHECKED
	uint64_t budget = ex->budget;
#endif

	memcpy(&reg[1], args, 5 * sizeof(*args));
	reg[10] = (uintptr_t)(ex->stack + sizeof(ex->stack)) - (uint64_t)base * BPFRT_STACK_SIZE;

#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define IMM pc->imm
#define U32(x) ((uint64_t)(uint32_t)(x))
#define S32(x) ((int32_t)(uint32_t)(x))
/*
 * Around helper calls: tell ex the current frame (a helper running a callback
 * starts the callback one frame deeper) and share the budget with callbacks.
 */
#if CHECKED
#define SYNC_OUT() do { ex->depth = depth; ex->budget = budget; } while (0)
#define SYNC_IN() do { budget = ex->budget; } while (0)
#else
#define SYNC_OUT() do { ex->depth = depth; } while (0)
#define SYNC_IN() do { } while (0)
#endif
#if CHECKED
#define DISPATCH() do { if (__builtin_expect(budget-- == 0, 0)) goto out_of_budget; \
			goto *labels[pc->op]; } while (0)
#define CHECK_MEM(addr, size, write) do { \
		if (!exec_mem_ok(ex, (addr), (size), (write))) { \
			fault_addr = (addr); fault_size = (size); fault_write = (write); \
			goto mem_fault; } } while (0)
#define CHECK_ALIGNED(addr, size) do { \
		if ((addr) & ((size) - 1)) goto misaligned_atomic; } while (0)
	uintptr_t fault_addr = 0;
	uint64_t fault_size = 0;
	bool fault_write = false;
#else
#define DISPATCH() goto *labels[pc->op]
#define CHECK_MEM(addr, size, write) do { } while (0)
#define CHECK_ALIGNED(addr, size) do { } while (0)
#endif
#define NEXT() do { pc++; DISPATCH(); } while (0)
#define JUMP_IF(cond) do { pc += (cond) ? pc->off + 1 : 1; DISPATCH(); } while (0)
#define ALU(id, expr) L_##id: expr; NEXT();
#define ADDR(base) ((uintptr_t)((base) + (uint64_t)(int64_t)pc->off))
#define LOAD(id, type, ext) L_##id: { uintptr_t a = ADDR(SRC); type v; \
		CHECK_MEM(a, sizeof(type), false); memcpy(&v, (const void *)a, sizeof(v)); \
		DST = (ext)v; NEXT(); }
#define STORE(id, type, value) L_##id: { uintptr_t a = ADDR(DST); type v = (type)(value); \
		CHECK_MEM(a, sizeof(type), true); memcpy((void *)a, &v, sizeof(v)); NEXT(); }
#define ATOMIC(id, type, body) L_##id: { uintptr_t a = ADDR(DST); \
		CHECK_MEM(a, sizeof(type), true); CHECK_ALIGNED(a, sizeof(type)); \
		type *p = (type *)a; body; NEXT(); }
#define LDPKT(id, size, index) L_##id: { \
		if (!pkt_load(ex, (index), (size), &reg[0])) { reg[0] = 0; goto done; } NEXT(); }

	DISPATCH();

	/* ALU64 */
	ALU(ADD64_IMM, DST += IMM)
	ALU(ADD64_REG, DST += SRC)
	ALU(SUB64_IMM, DST -= IMM)
	ALU(SUB64_REG, DST -= SRC)
	ALU(MUL64_IMM, DST *= IMM)
	ALU(MUL64_REG, DST *= SRC)
	ALU(DIV64_IMM, DST = udiv64(DST, IMM))
	ALU(DIV64_REG, DST = udiv64(DST, SRC))
	ALU(SDIV64_IMM, DST = sdiv64(DST, IMM))
	ALU(SDIV64_REG, DST = sdiv64(DST, SRC))
	ALU(OR64_IMM, DST |= IMM)
	ALU(OR64_REG, DST |= SRC)
	ALU(AND64_IMM, DST &= IMM)
	ALU(AND64_REG, DST &= SRC)
	ALU(LSH64_IMM, DST <<= IMM & 63)
	ALU(LSH64_REG, DST <<= SRC & 63)
	ALU(RSH64_IMM, DST >>= IMM & 63)
	ALU(RSH64_REG, DST >>= SRC & 63)
	ALU(NEG64, DST = -DST)
	ALU(MOD64_IMM, DST = umod64(DST, IMM))
	ALU(MOD64_REG, DST = umod64(DST, SRC))
	ALU(SMOD64_IMM, DST = smod64(DST, IMM))
	ALU(SMOD64_REG, DST = smod64(DST, SRC))
	ALU(XOR64_IMM, DST ^= IMM)
	ALU(XOR64_REG, DST ^= SRC)
	ALU(MOV64_IMM, DST = IMM)
	ALU(MOV64_REG, DST = SRC)
	ALU(MOVSX8_64, DST = (uint64_t)(int64_t)(int8_t)SRC)
	ALU(MOVSX16_64, DST = (uint64_t)(int64_t)(int16_t)SRC)
	ALU(MOVSX32_64, DST = (uint64_t)(int64_t)(int32_t)SRC)
	ALU(ARSH64_IMM, DST = (uint64_t)((int64_t)DST >> (IMM & 63)))
	ALU(ARSH64_REG, DST = (uint64_t)((int64_t)DST >> (SRC & 63)))
	ALU(BSWAP16, DST = __builtin_bswap16((uint16_t)DST))
	ALU(BSWAP32, DST = __builtin_bswap32((uint32_t)DST))
	ALU(BSWAP64, DST = __builtin_bswap64(DST))

	/* ALU32: every result is zero-extended */
	ALU(ADD32_IMM, DST = U32(DST + IMM))
	ALU(ADD32_REG, DST = U32(DST + SRC))
	ALU(SUB32_IMM, DST = U32(DST - IMM))
	ALU(SUB32_REG, DST = U32(DST - SRC))
	ALU(MUL32_IMM, DST = U32((uint32_t)DST * (uint32_t)IMM))
	ALU(MUL32_REG, DST = U32((uint32_t)DST * (uint32_t)SRC))
	ALU(DIV32_IMM, DST = udiv32(DST, IMM))
	ALU(DIV32_REG, DST = udiv32(DST, SRC))
	ALU(SDIV32_IMM, DST = sdiv32(DST, IMM))
	ALU(SDIV32_REG, DST = sdiv32(DST, SRC))
	ALU(OR32_IMM, DST = U32(DST | IMM))
	ALU(OR32_REG, DST = U32(DST | SRC))
	ALU(AND32_IMM, DST = U32(DST & IMM))
	ALU(AND32_REG, DST = U32(DST & SRC))
	ALU(LSH32_IMM, DST = U32((uint32_t)DST << (IMM & 31)))
	ALU(LSH32_REG, DST = U32((uint32_t)DST << (SRC & 31)))
	ALU(RSH32_IMM, DST = U32((uint32_t)DST >> (IMM & 31)))
	ALU(RSH32_REG, DST = U32((uint32_t)DST >> (SRC & 31)))
	ALU(NEG32, DST = U32(-(uint32_t)DST))
	ALU(MOD32_IMM, DST = umod32(DST, IMM))
	ALU(MOD32_REG, DST = umod32(DST, SRC))
	ALU(SMOD32_IMM, DST = smod32(DST, IMM))
	ALU(SMOD32_REG, DST = smod32(DST, SRC))
	ALU(XOR32_IMM, DST = U32(DST ^ IMM))
	ALU(XOR32_REG, DST = U32(DST ^ SRC))
	ALU(MOV32_IMM, DST = U32(IMM))
	ALU(MOV32_REG, DST = U32(SRC))
	ALU(MOVSX8_32, DST = U32((int32_t)(int8_t)SRC))
	ALU(MOVSX16_32, DST = U32((int32_t)(int16_t)SRC))
	ALU(ARSH32_IMM, DST = U32(S32(DST) >> (IMM & 31)))
	ALU(ARSH32_REG, DST = U32(S32(DST) >> (SRC & 31)))
	ALU(LE16, DST = (uint16_t)DST)
	ALU(LE32, DST = (uint32_t)DST)
	ALU(LE64, (void)0)
	ALU(BE16, DST = __builtin_bswap16((uint16_t)DST))
	ALU(BE32, DST = __builtin_bswap32((uint32_t)DST))
	ALU(BE64, DST = __builtin_bswap64(DST))

	/* JMP */
L_JA:	JUMP_IF(1);
L_GOTOL: JUMP_IF(1);
L_JEQ_IMM:  JUMP_IF(DST == (uint64_t)IMM);
L_JEQ_REG:  JUMP_IF(DST == SRC);
L_JGT_IMM:  JUMP_IF(DST > (uint64_t)IMM);
L_JGT_REG:  JUMP_IF(DST > SRC);
L_JGE_IMM:  JUMP_IF(DST >= (uint64_t)IMM);
L_JGE_REG:  JUMP_IF(DST >= SRC);
L_JSET_IMM: JUMP_IF(DST & IMM);
L_JSET_REG: JUMP_IF(DST & SRC);
L_JNE_IMM:  JUMP_IF(DST != (uint64_t)IMM);
L_JNE_REG:  JUMP_IF(DST != SRC);
L_JSGT_IMM: JUMP_IF((int64_t)DST > IMM);
L_JSGT_REG: JUMP_IF((int64_t)DST > (int64_t)SRC);
L_JSGE_IMM: JUMP_IF((int64_t)DST >= IMM);
L_JSGE_REG: JUMP_IF((int64_t)DST >= (int64_t)SRC);
L_JLT_IMM:  JUMP_IF(DST < (uint64_t)IMM);
L_JLT_REG:  JUMP_IF(DST < SRC);
L_JLE_IMM:  JUMP_IF(DST <= (uint64_t)IMM);
L_JLE_REG:  JUMP_IF(DST <= SRC);
L_JSLT_IMM: JUMP_IF((int64_t)DST < IMM);
L_JSLT_REG: JUMP_IF((int64_t)DST < (int64_t)SRC);
L_JSLE_IMM: JUMP_IF((int64_t)DST <= IMM);
L_JSLE_REG: JUMP_IF((int64_t)DST <= (int64_t)SRC);

	/* JMP32 */
L_JEQ32_IMM:  JUMP_IF((uint32_t)DST == (uint32_t)IMM);
L_JEQ32_REG:  JUMP_IF((uint32_t)DST == (uint32_t)SRC);
L_JGT32_IMM:  JUMP_IF((uint32_t)DST > (uint32_t)IMM);
L_JGT32_REG:  JUMP_IF((uint32_t)DST > (uint32_t)SRC);
L_JGE32_IMM:  JUMP_IF((uint32_t)DST >= (uint32_t)IMM);
L_JGE32_REG:  JUMP_IF((uint32_t)DST >= (uint32_t)SRC);
L_JSET32_IMM: JUMP_IF((uint32_t)DST & (uint32_t)IMM);
L_JSET32_REG: JUMP_IF((uint32_t)DST & (uint32_t)SRC);
L_JNE32_IMM:  JUMP_IF((uint32_t)DST != (uint32_t)IMM);
L_JNE32_REG:  JUMP_IF((uint32_t)DST != (uint32_t)SRC);
L_JSGT32_IMM: JUMP_IF(S32(DST) > (int32_t)IMM);
L_JSGT32_REG: JUMP_IF(S32(DST) > S32(SRC));
L_JSGE32_IMM: JUMP_IF(S32(DST) >= (int32_t)IMM);
L_JSGE32_REG: JUMP_IF(S32(DST) >= S32(SRC));
L_JLT32_IMM:  JUMP_IF((uint32_t)DST < (uint32_t)IMM);
L_JLT32_REG:  JUMP_IF((uint32_t)DST < (uint32_t)SRC);
L_JLE32_IMM:  JUMP_IF((uint32_t)DST <= (uint32_t)IMM);
L_JLE32_REG:  JUMP_IF((uint32_t)DST <= (uint32_t)SRC);
L_JSLT32_IMM: JUMP_IF(S32(DST) < (int32_t)IMM);
L_JSLT32_REG: JUMP_IF(S32(DST) < S32(SRC));
L_JSLE32_IMM: JUMP_IF(S32(DST) <= (int32_t)IMM);
L_JSLE32_REG: JUMP_IF(S32(DST) <= S32(SRC));

	/* calls and exit */
L_CALL_HELPER:
	SYNC_OUT();
	reg[0] = ex->helpers[IMM](reg[1], reg[2], reg[3], reg[4], reg[5], ex);
	SYNC_IN();
	if (__builtin_expect(ex->stop, 0))
		goto stopped;
	NEXT();
L_CALLX: {
	uint64_t t = DST;
	if ((t & XFUNC_TOKEN_MASK) == XFUNC_TOKEN_TAG && (t & ~XFUNC_TOKEN_MASK) < ex->ncode) {
		callee = code + (t & ~XFUNC_TOKEN_MASK);
		goto call_local;
	}
	if (t >= ex->nhelpers || !ex->helpers[t])
		goto bad_callx;
	SYNC_OUT();
	reg[0] = ex->helpers[t](reg[1], reg[2], reg[3], reg[4], reg[5], ex);
	SYNC_IN();
	if (__builtin_expect(ex->stop, 0))
		goto stopped;
	NEXT();
}
L_CALL_LOCAL:
	callee = pc + 1 + pc->off;
call_local:
	if (depth + 1 >= BPFRT_MAX_FRAMES)
		goto too_deep;
	ex->frames[depth].ret = pc + 1;
	memcpy(ex->frames[depth].saved, &reg[6], sizeof(ex->frames[depth].saved));
	depth++;
	reg[10] -= BPFRT_STACK_SIZE;
#if CHECKED
	ex->regions[0].lo = reg[10] - BPFRT_STACK_SIZE;
#endif
	pc = callee;
	DISPATCH();
L_EXIT:
	if (depth == base)
		goto done;
	depth--;
	memcpy(&reg[6], ex->frames[depth].saved, sizeof(ex->frames[depth].saved));
#if CHECKED
	ex->regions[0].lo = reg[10] - BPFRT_STACK_SIZE;
#endif
	pc = ex->frames[depth].ret;
	DISPATCH();
L_CALL_KFUNC:
	goto bad_callx; /* rejected at load time; never reached */

	/* LDX */
	LOAD(LDXW, uint32_t, uint64_t)
	LOAD(LDXH, uint16_t, uint64_t)
	LOAD(LDXB, uint8_t, uint64_t)
	LOAD(LDXDW, uint64_t, uint64_t)
	LOAD(LDXSW, int32_t, int64_t)
	LOAD(LDXSH, int16_t, int64_t)
	LOAD(LDXSB, int8_t, int64_t)

	/* ST, STX */
	STORE(STW, uint32_t, IMM)
	STORE(STH, uint16_t, IMM)
	STORE(STB, uint8_t, IMM)
	STORE(STDW, uint64_t, IMM)
	STORE(STXW, uint32_t, SRC)
	STORE(STXH, uint16_t, SRC)
	STORE(STXB, uint8_t, SRC)
	STORE(STXDW, uint64_t, SRC)

	/* atomics: sequentially consistent, as Linux's fetch variants are fully ordered */
	ATOMIC(AADD32, uint32_t, __atomic_fetch_add(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AOR32, uint32_t, __atomic_fetch_or(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AAND32, uint32_t, __atomic_fetch_and(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AXOR32, uint32_t, __atomic_fetch_xor(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFADD32, uint32_t, SRC = __atomic_fetch_add(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFOR32, uint32_t, SRC = __atomic_fetch_or(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFAND32, uint32_t, SRC = __atomic_fetch_and(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFXOR32, uint32_t, SRC = __atomic_fetch_xor(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AXCHG32, uint32_t, SRC = __atomic_exchange_n(p, (uint32_t)SRC, __ATOMIC_SEQ_CST))
	ATOMIC(ACMPXCHG32, uint32_t, uint32_t old = (uint32_t)reg[0];
	       __atomic_compare_exchange_n(p, &old, (uint32_t)SRC, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
	       reg[0] = old)
	ATOMIC(AADD64, uint64_t, __atomic_fetch_add(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AOR64, uint64_t, __atomic_fetch_or(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AAND64, uint64_t, __atomic_fetch_and(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AXOR64, uint64_t, __atomic_fetch_xor(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFADD64, uint64_t, SRC = __atomic_fetch_add(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFOR64, uint64_t, SRC = __atomic_fetch_or(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFAND64, uint64_t, SRC = __atomic_fetch_and(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AFXOR64, uint64_t, SRC = __atomic_fetch_xor(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(AXCHG64, uint64_t, SRC = __atomic_exchange_n(p, SRC, __ATOMIC_SEQ_CST))
	ATOMIC(ACMPXCHG64, uint64_t, uint64_t old = reg[0];
	       __atomic_compare_exchange_n(p, &old, SRC, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
	       reg[0] = old)

	/* LD */
L_LDDW:
	DST = (uint64_t)IMM;
	pc += 2;
	DISPATCH();
	LDPKT(LDABSW, 4, (uint32_t)IMM)
	LDPKT(LDABSH, 2, (uint32_t)IMM)
	LDPKT(LDABSB, 1, (uint32_t)IMM)
	LDPKT(LDINDW, 4, (uint32_t)IMM + (uint32_t)SRC)
	LDPKT(LDINDH, 2, (uint32_t)IMM + (uint32_t)SRC)
	LDPKT(LDINDB, 1, (uint32_t)IMM + (uint32_t)SRC)

stopped:
	if (ex->error)
		return ex->error;
	reg[0] = ex->stop_ret;
done:
	SYNC_OUT();
	*ret = reg[0];
	return 0;

too_deep:
	diag_insn(ex->diag, (size_t)(pc - code), "call nested deeper than %d frames", BPFRT_MAX_FRAMES);
	return -E2BIG;
bad_callx:
	diag_insn(ex->diag, (size_t)(pc - code), "callx through r%u = %llu, which is neither a helper "
		  "nor a function", pc->dst, (unsigned long long)DST);
	return -ENOENT;
#if CHECKED
mem_fault:
	report_fault(ex, (size_t)(pc - code), fault_addr, fault_size, fault_write);
	return -EFAULT;
misaligned_atomic:
	diag_insn(ex->diag, (size_t)(pc - code), "atomic access at 0x%llx is not aligned to its size",
		  (unsigned long long)ADDR(DST));
	return -EFAULT;
out_of_budget:
	diag_insn(ex->diag, (size_t)(pc - code), "instruction budget of %llu exhausted (infinite loop?)",
		  (unsigned long long)ex->budget);
	return -ELOOP;
#endif

#undef SYNC_OUT
#undef SYNC_IN
#undef DST
#undef SRC
#undef IMM
#undef U32
#undef S32
#undef DISPATCH
#undef CHECK_MEM
#undef CHECK_ALIGNED
#undef NEXT
#undef JUMP_IF
#undef ALU
#undef ADDR
#undef LOAD
#undef STORE
#undef ATOMIC
#undef LDPKT
}
