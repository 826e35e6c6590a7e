/* SPDX-License-Identifier: MIT */
/*
 * translate.c - classic BPF to eBPF, checked first, as Linux does for
 * socket filters (net/core/filter.c: bpf_check_classic, bpf_convert_filter).
 *
 * Registers: A is r0 (so that it is the return value), X is r7, the context
 * r6 (r1 at entry), the packet length r9, r2 a scratch register, and the 16
 * words of scratch memory M[k] at r10 - 4 * (16 - k). Classic arithmetic is
 * 32-bit, so every ALU instruction is ALU32 and A stays zero-extended; that
 * keeps 64-bit jumps right, except against an immediate with the top bit set
 * (eBPF sign-extends immediates), which goes through r2 as Linux does. Each
 * classic instruction becomes a few eBPF ones; jumps are patched once every
 * instruction's new position is known.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/cbpf.h"

#define R_A 0
#define R_CTX 6
#define R_X 7
#define R_LEN 9
#define R_TMP 2
#define R_FP 10
#define MEMWORDS 16

/* eBPF encodings built from the shared classic constants. */
#define E_ALU64 0x07
#define E_JMP 0x05
#define E_MOV 0xb0
#define E_EXIT 0x90
#define E_JNE 0x50
#define E_JLT 0xa0
#define E_JLE 0xb0
#define E_LDX_W (BPF_LDX | BPF_MEM | BPF_W)
#define E_STX_W (BPF_STX | BPF_MEM | BPF_W)

struct out {
	struct bpfrt_insn *insns;
	size_t n, cap;
};

static void emit(struct out *o, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	o->insns[o->n++] = (struct bpfrt_insn){ .code = code, .dst = dst, .src = src, .off = off,
						.imm = imm };
}

static bool valid_code(uint16_t c)
{
	switch (c) {
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_W | BPF_LEN: case BPF_LD | BPF_IMM: case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN: case BPF_LDX | BPF_IMM: case BPF_LDX | BPF_MEM:
	case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_ST: case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
		return true;
	default:
		return false;
	}
}

/* bpf_check_classic's rules, one instruction at a time. */
static int check(const struct bpfrt_cbpf_insn *in, size_t cnt, char *err, size_t errlen)
{
	if (!cnt || cnt > BPFRT_CBPF_MAXINSNS) {
		snprintf(err, errlen, "cbpf: %zu instructions (1 to %d)", cnt, BPFRT_CBPF_MAXINSNS);
		return -EINVAL;
	}
	for (size_t i = 0; i < cnt; i++) {
		const struct bpfrt_cbpf_insn *f = &in[i];
		uint16_t c = f->code;
		const char *why = NULL;
		int e = -EINVAL;
		if (!valid_code(c))
			why = "unknown opcode";
		else if ((c == (BPF_ALU | BPF_DIV | BPF_K) || c == (BPF_ALU | BPF_MOD | BPF_K)) && !f->k)
			why = "division by the constant 0";
		else if ((c == (BPF_ALU | BPF_LSH | BPF_K) || c == (BPF_ALU | BPF_RSH | BPF_K)) && f->k >= 32)
			why = "shift by 32 or more";
		else if ((c == (BPF_LD | BPF_MEM) || c == (BPF_LDX | BPF_MEM) || c == BPF_ST ||
			  c == BPF_STX) && f->k >= MEMWORDS)
			why = "scratch memory has 16 words (M[0] to M[15])";
		else if (BPF_CLASS(c) == BPF_LD && BPF_MODE(c) == BPF_ABS && (int32_t)f->k < 0)
			why = "ancillary or link/network-relative load (SKF_AD_*, SKF_LL_OFF, "
			      "SKF_NET_OFF): there is no socket buffer", e = -ENOTSUP;
		else if (c == (BPF_JMP | BPF_JA) && f->k >= cnt - i - 1)
			why = "jump past the end";
		else if (BPF_CLASS(c) == BPF_JMP && BPF_OP(c) != BPF_JA &&
			 (i + 1 + f->jt >= cnt || i + 1 + f->jf >= cnt))
			why = "jump past the end";
		if (why) {
			snprintf(err, errlen, "cbpf insn %zu (code 0x%02x, k %u): %s", i, c, f->k, why);
			return e;
		}
	}
	if (BPF_CLASS(in[cnt - 1].code) != BPF_RET) {
		snprintf(err, errlen, "cbpf insn %zu: the last instruction must return", cnt - 1);
		return -EINVAL;
	}
	return 0;
}

/* A conditional jump: "if cond goto t else goto f", as few eBPF jumps as Linux uses. */
struct fixup {
	size_t at;     /* eBPF jump */
	size_t target; /* classic instruction it goes to */
};

static void cond_jump(struct out *o, const struct bpfrt_cbpf_insn *f, size_t i, struct fixup *fx,
		      size_t *nfx)
{
	uint8_t op = BPF_OP(f->code), src = BPF_SRC(f->code), reg = R_X;
	if (src == BPF_K && (int32_t)f->k < 0) { /* unsigned compare: no sign extension */
		emit(o, BPF_ALU | E_MOV | BPF_K, R_TMP, 0, 0, (int32_t)f->k);
		src = BPF_X;
		reg = R_TMP;
	}
	size_t t = i + 1 + f->jt, nf = i + 1 + f->jf;
	int32_t imm = src == BPF_K ? (int32_t)f->k : 0;
	uint8_t sreg = src == BPF_X ? reg : 0;
	if (f->jt == 0 && op != BPF_JSET) { /* fall through on true: jump on the inverse */
		uint8_t inv = op == BPF_JEQ ? E_JNE : op == BPF_JGT ? E_JLE : E_JLT;
		fx[(*nfx)++] = (struct fixup){ o->n, nf };
		emit(o, E_JMP | inv | src, R_A, sreg, 0, imm);
		return;
	}
	fx[(*nfx)++] = (struct fixup){ o->n, t };
	emit(o, E_JMP | op | src, R_A, sreg, 0, imm);
	if (f->jf) {
		fx[(*nfx)++] = (struct fixup){ o->n, nf };
		emit(o, E_JMP | BPF_JA, 0, 0, 0, 0);
	}
}

static void convert(struct out *o, const struct bpfrt_cbpf_insn *f, size_t i, struct fixup *fx,
		    size_t *nfx)
{
	uint16_t c = f->code;
	int32_t k = (int32_t)f->k;
	/* M[k] (k < 16 once checked; other instructions do not use it) */
	int16_t mem = f->k < MEMWORDS ? (int16_t)(-(MEMWORDS - (int)f->k) * 4) : 0;
	switch (BPF_CLASS(c)) {
	case BPF_ALU:
		if (BPF_OP(c) == BPF_NEG) {
			emit(o, BPF_ALU | BPF_NEG, R_A, 0, 0, 0);
		} else if (BPF_SRC(c) == BPF_X) {
			if (BPF_OP(c) == BPF_DIV || BPF_OP(c) == BPF_MOD) {
				/* classic BPF returns 0 on a division by X == 0 */
				emit(o, E_JMP | E_JNE | BPF_K, R_X, 0, 2, 0);
				emit(o, BPF_ALU | BPF_XOR | BPF_X, R_A, R_A, 0, 0);
				emit(o, E_JMP | E_EXIT, 0, 0, 0, 0);
			}
			emit(o, (uint8_t)c, R_A, R_X, 0, 0);
		} else {
			emit(o, (uint8_t)c, R_A, 0, 0, k);
		}
		break;
	case BPF_LD:
		switch (BPF_MODE(c)) {
		case BPF_ABS: emit(o, (uint8_t)c, 0, 0, 0, k); break;
		case BPF_IND: emit(o, (uint8_t)c, 0, R_X, 0, k); break;
		case BPF_LEN: emit(o, E_ALU64 | E_MOV | BPF_X, R_A, R_LEN, 0, 0); break;
		case BPF_IMM: emit(o, BPF_ALU | E_MOV | BPF_K, R_A, 0, 0, k); break;
		default: emit(o, E_LDX_W, R_A, R_FP, mem, 0); break; /* BPF_MEM */
		}
		break;
	case BPF_LDX:
		switch (BPF_MODE(c)) {
		case BPF_LEN: emit(o, E_ALU64 | E_MOV | BPF_X, R_X, R_LEN, 0, 0); break;
		case BPF_IMM: emit(o, BPF_ALU | E_MOV | BPF_K, R_X, 0, 0, k); break;
		case BPF_MEM: emit(o, E_LDX_W, R_X, R_FP, mem, 0); break;
		default: /* BPF_MSH: X = 4 * (P[k] & 0xf), A kept in X across the load */
			emit(o, E_ALU64 | E_MOV | BPF_X, R_X, R_A, 0, 0);
			emit(o, BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, k);
			emit(o, BPF_ALU | BPF_AND | BPF_K, R_A, 0, 0, 0xf);
			emit(o, BPF_ALU | BPF_LSH | BPF_K, R_A, 0, 0, 2);
			emit(o, E_ALU64 | E_MOV | BPF_X, R_TMP, R_X, 0, 0);
			emit(o, E_ALU64 | E_MOV | BPF_X, R_X, R_A, 0, 0);
			emit(o, E_ALU64 | E_MOV | BPF_X, R_A, R_TMP, 0, 0);
			break;
		}
		break;
	case BPF_ST: emit(o, E_STX_W, R_FP, R_A, mem, 0); break;
	case BPF_STX: emit(o, E_STX_W, R_FP, R_X, mem, 0); break;
	case BPF_JMP:
		if (BPF_OP(c) == BPF_JA) {
			fx[(*nfx)++] = (struct fixup){ o->n, i + 1 + f->k };
			emit(o, E_JMP | BPF_JA, 0, 0, 0, 0);
		} else {
			cond_jump(o, f, i, fx, nfx);
		}
		break;
	case BPF_RET:
		if (BPF_RVAL(c) == BPF_K)
			emit(o, BPF_ALU | E_MOV | BPF_K, R_A, 0, 0, k);
		emit(o, E_JMP | E_EXIT, 0, 0, 0, 0);
		break;
	default: /* BPF_MISC */
		if (BPF_MISCOP(c) == BPF_TAX)
			emit(o, BPF_ALU | E_MOV | BPF_X, R_X, R_A, 0, 0);
		else
			emit(o, BPF_ALU | E_MOV | BPF_X, R_A, R_X, 0, 0);
		break;
	}
}

#define MAX_PER_INSN 8 /* MSH: 7; a conditional jump: 3; division by X: 4 */

int bpfrt_cbpf_to_ebpf(const struct bpfrt_cbpf_insn *in, size_t cnt, struct bpfrt_insn **out,
		       size_t *out_cnt, char *err, size_t errlen)
{
	*out = NULL;
	*out_cnt = 0;
	int e = check(in, cnt, err, errlen);
	if (e)
		return e;
	struct out o = { .cap = 4 + cnt * MAX_PER_INSN };
	o.insns = calloc(o.cap, sizeof(*o.insns));
	size_t *start = calloc(cnt, sizeof(*start)), nfx = 0;
	struct fixup *fx = calloc(2 * cnt, sizeof(*fx));
	if (!o.insns || !start || !fx) {
		free(o.insns), free(start), free(fx);
		snprintf(err, errlen, "cbpf: out of memory");
		return -ENOMEM;
	}
	/* A = X = 0; r6 = ctx; r9 = the packet's length, from the context */
	emit(&o, BPF_ALU | BPF_XOR | BPF_X, R_A, R_A, 0, 0);
	emit(&o, BPF_ALU | BPF_XOR | BPF_X, R_X, R_X, 0, 0);
	emit(&o, E_ALU64 | E_MOV | BPF_X, R_CTX, 1, 0, 0);
	emit(&o, E_LDX_W, R_LEN, R_CTX, 0, 0);
	for (size_t i = 0; i < cnt; i++) {
		start[i] = o.n;
		convert(&o, &in[i], i, fx, &nfx);
	}
	for (size_t j = 0; j < nfx; j++)
		o.insns[fx[j].at].off = (int16_t)((long)start[fx[j].target] - (long)fx[j].at - 1);
	free(start);
	free(fx);
	*out = o.insns;
	*out_cnt = o.n;
	return 0;
}
