/* SPDX-License-Identifier: MIT */
/*
 * disasm.c - instructions to text, in LLVM/kernel syntax (what llvm-objdump
 * and verifier logs show) or in the conformance-suite syntax. Every form
 * prints so that bpfrt_asm() reads it back to the same bytes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include "bpfrt/asm.h"
#include "opcodes.h"

struct out {
	char *buf;
	size_t len, pos;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	if (o->pos >= o->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

/* "r1 + 4", "r10 - 8": the address operand of memory instructions. */
static void put_addr(struct out *o, unsigned reg, int off)
{
	if (off < 0)
		put(o, "r%u - %d", reg, -off);
	else
		put(o, "r%u + %d", reg, off);
}

static void put_rel(struct out *o, long d)
{
	put(o, "%s%ld", d < 0 ? "-" : "+", d < 0 ? -d : d);
}

static const char *lddw_pseudo_fn[] = {
	[BPFRT_PSEUDO_MAP_FD] = "map_fd", [BPFRT_PSEUDO_MAP_VALUE] = "map_value",
	[BPFRT_PSEUDO_BTF_ID] = "btf_id", [BPFRT_PSEUDO_FUNC] = "func",
	[BPFRT_PSEUDO_MAP_IDX] = "map_idx", [BPFRT_PSEUDO_MAP_IDX_VALUE] = "map_idx_value",
};

/* The value of a pseudo lddw: "map_fd(3)", "map_value(3, 16)", "func(+4)". */
static void put_lddw_pseudo(struct out *o, const struct bpfrt_insn *in)
{
	put(o, "%s(", lddw_pseudo_fn[in->src]);
	if (in->src == BPFRT_PSEUDO_FUNC)
		put_rel(o, in->imm);
	else
		put(o, "%d", in->imm);
	if (in->src == BPFRT_PSEUDO_MAP_VALUE || in->src == BPFRT_PSEUDO_MAP_IDX_VALUE)
		put(o, ", %d", in[1].imm);
	put(o, ")");
}

static void llvm_lddw(struct out *o, const struct bpfrt_insn *in, uint64_t imm64)
{
	put(o, "r%u = ", in->dst);
	if (in->src == BPFRT_PSEUDO_NONE)
		put(o, "0x%" PRIx64, imm64);
	else
		put_lddw_pseudo(o, in);
	put(o, " ll");
}

static void llvm_insn(struct out *o, const struct opinfo *oi, const struct bpfrt_insn *in,
		      uint64_t imm64)
{
	char r = oi->bits == 32 ? 'w' : 'r';
	unsigned d = in->dst, s = in->src;
	const char *sz = oi->llvm; /* "u32", "s8"... for memory forms */

	switch (oi->form) {
	case F_ALU:
		if (op_src_is_reg(oi))
			put(o, "%c%u %s %c%u", r, d, oi->llvm, r, s);
		else
			put(o, "%c%u %s %d", r, d, oi->llvm, in->imm);
		break;
	case F_NEG: put(o, "%c%u = -%c%u", r, d, r, d); break;
	case F_MOVSX: put(o, "%c%u = (s%d)%c%u", r, d, in->off, r, s); break;
	case F_END: put(o, "r%u = %s r%u", d, oi->llvm, d); break;
	case F_LDX:
		put(o, "r%u = *(%s *)(", d, sz);
		put_addr(o, s, in->off);
		put(o, ")");
		break;
	case F_ST:
	case F_STX:
		put(o, "*(%s *)(", sz);
		put_addr(o, d, in->off);
		if (oi->form == F_ST)
			put(o, ") = %d", in->imm);
		else
			put(o, ") = r%u", s);
		break;
	case F_ATOMIC: {
		const char *usz = oi->bits == 32 ? "u32" : "u64";
		if (!(oi->vval & 0x01)) {
			put(o, "lock *(%s *)(", usz);
			put_addr(o, d, in->off);
			put(o, ") %s %c%u", oi->llvm, r, s);
		} else if (oi->id == OP_ACMPXCHG32 || oi->id == OP_ACMPXCHG64) {
			put(o, "%c0 = %s(", r, oi->llvm);
			put_addr(o, d, in->off);
			put(o, ", %c0, %c%u)", r, r, s);
		} else if (oi->id == OP_AXCHG32 || oi->id == OP_AXCHG64) {
			put(o, "%c%u = %s(", r, s, oi->llvm);
			put_addr(o, d, in->off);
			put(o, ", %c%u)", r, s);
		} else {
			put(o, "%c%u = %s((%s *)(", r, s, oi->llvm, usz);
			put_addr(o, d, in->off);
			put(o, "), %c%u)", r, s);
		}
		break;
	}
	case F_LDDW: llvm_lddw(o, in, imm64); break;
	case F_LDABS: put(o, "r0 = *(%s *)skb[%d]", sz, in->imm); break;
	case F_LDIND: put(o, "r0 = *(%s *)skb[r%u + %d]", sz, s, in->imm); break;
	case F_JA: put(o, "goto "); put_rel(o, in->off); break;
	case F_GOTOL: put(o, "gotol "); put_rel(o, in->imm); break;
	case F_JCOND:
		if (op_src_is_reg(oi))
			put(o, "if %c%u %s %c%u goto ", r, d, oi->llvm, r, s);
		else
			put(o, "if %c%u %s %d goto ", r, d, oi->llvm, in->imm);
		put_rel(o, in->off);
		break;
	case F_CALL:
		if (oi->id == OP_CALL_LOCAL) {
			put(o, "call pc");
			put_rel(o, in->imm);
		} else if (oi->id == OP_CALL_KFUNC) {
			put(o, "call kfunc %d", in->imm);
			if (in->off)
				put(o, ", %d", in->off);
		} else {
			put(o, "call %d", in->imm);
		}
		break;
	case F_CALLX: put(o, "callx r%u", d); break;
	case F_EXIT: put(o, "exit"); break;
	}
}

static void conf_mem(struct out *o, unsigned reg, int off)
{
	if (off < 0)
		put(o, "[%%r%u-%d]", reg, -off);
	else
		put(o, "[%%r%u+%d]", reg, off);
}

static void conformance_insn(struct out *o, const struct opinfo *oi, const struct bpfrt_insn *in,
			     uint64_t imm64)
{
	unsigned d = in->dst, s = in->src;

	switch (oi->form) {
	case F_ALU:
		if (op_src_is_reg(oi))
			put(o, "%s %%r%u, %%r%u", oi->name, d, s);
		else
			put(o, "%s %%r%u, %d", oi->name, d, in->imm);
		break;
	case F_NEG: case F_END: put(o, "%s %%r%u", oi->name, d); break;
	case F_MOVSX: put(o, "%s %%r%u, %%r%u", oi->name, d, s); break;
	case F_LDX: put(o, "%s %%r%u, ", oi->name, d); conf_mem(o, s, in->off); break;
	case F_ST: put(o, "%s ", oi->name); conf_mem(o, d, in->off); put(o, ", %d", in->imm); break;
	case F_STX: put(o, "%s ", oi->name); conf_mem(o, d, in->off); put(o, ", %%r%u", s); break;
	case F_ATOMIC: put(o, "lock %s ", oi->name); conf_mem(o, d, in->off); put(o, ", %%r%u", s); break;
	case F_LDDW:
		put(o, "lddw %%r%u, ", d);
		if (in->src)
			put_lddw_pseudo(o, in);
		else
			put(o, "0x%" PRIx64, imm64);
		break;
	case F_LDABS: put(o, "%s %d", oi->name, in->imm); break;
	case F_LDIND: put(o, "%s %%r%u, %d", oi->name, s, in->imm); break;
	case F_JA: put(o, "ja "); put_rel(o, in->off); break;
	case F_GOTOL: put(o, "ja32 "); put_rel(o, in->imm); break;
	case F_JCOND:
		if (op_src_is_reg(oi))
			put(o, "%s %%r%u, %%r%u, ", oi->name, d, s);
		else
			put(o, "%s %%r%u, %d, ", oi->name, d, in->imm);
		put_rel(o, in->off);
		break;
	case F_CALL:
		if (oi->id == OP_CALL_LOCAL) {
			put(o, "call local ");
			put_rel(o, in->imm);
		} else if (oi->id == OP_CALL_KFUNC) {
			put(o, "call runtime %d", in->imm);
		} else {
			put(o, "call %d", in->imm);
		}
		break;
	case F_CALLX: put(o, "call %%r%u", d); break;
	case F_EXIT: put(o, "exit"); break;
	}
}

int bpfrt_disasm_insn(const struct bpfrt_insn *insns, size_t cnt, size_t idx,
		      enum bpfrt_syntax syntax, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	if (idx >= cnt)
		return 1;
	const struct bpfrt_insn *in = &insns[idx];
	const struct opinfo *oi = bpfrt_op_decode(in);
	if (!oi || (oi->form == F_LDDW && (idx + 1 >= cnt || in->src > BPFRT_PSEUDO_MAP_IDX_VALUE))) {
		put(&o, "invalid: code=0x%02x dst=%u src=%u off=%d imm=%d",
		    in->code, in->dst, in->src, in->off, in->imm);
		return 1;
	}
	uint64_t imm64 = (uint32_t)in->imm;
	if (oi->form == F_LDDW)
		imm64 |= (uint64_t)(uint32_t)in[1].imm << 32;
	if (syntax == BPFRT_SYNTAX_CONFORMANCE)
		conformance_insn(&o, oi, in, imm64);
	else
		llvm_insn(&o, oi, in, imm64);
	return oi->form == F_LDDW ? 2 : 1;
}
