/* SPDX-License-Identifier: MIT */
/*
 * progen.c - random safe programs (see progen.h).
 *
 * Instructions are picked from the opcode table by form, so every new entry
 * of a known form is generated without a change here; variant fields (div
 * vs sdiv, the atomic operation, the byte-swap width) come from the table.
 */
#include <errno.h>
#include <string.h>
#include "progen.h"
#include "diffrun.h"
#include "isa/opcodes.h"

#define SOUP_REGS 9
static const uint8_t soup[SOUP_REGS] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 };
#define DATA_REG 6       /* holds the input memory pointer, never written */
#define COUNTERS 32      /* top bytes of each frame: loop counters */
#define MAX_LOOPS 2
#define MAX_DEPTH 4
#define RESERVE 300      /* slots kept free for the closing instructions */
#define COST_MAX 200000  /* instructions a program may run, at most (estimated from above) */

struct gen {
	struct progen_rng *rng;
	struct bpfrt_insn *p;
	size_t len;
	int fn, nfn;
	/*
	 * Functions from first_cb on may run as callbacks, where r6 is 0: they
	 * never touch the input memory (cbsafe), and call only later ones, so
	 * callbacks nest, call functions and run callbacks of their own.
	 */
	int first_cb;
	bool cbsafe;
	int loops;  /* loop nesting */
	size_t start[PROGEN_MAX_FUNCS];
	/*
	 * Cost: an upper bound of the instructions the current function runs
	 * (cost), and of each finished function (fcost), counting every slot
	 * as executed mult times, the product of the enclosing loop counts.
	 */
	uint64_t cost, mult, fcost[PROGEN_MAX_FUNCS];
};

/* --- randomness --- */

static uint64_t rnd(struct gen *g, unsigned bytes)
{
	struct progen_rng *r = g->rng;
	if (r->bytes) {
		uint64_t v = 0;
		for (unsigned i = 0; i < bytes; i++)
			v = v << 8 | (r->pos < r->nbytes ? r->bytes[r->pos++] : 0);
		return v;
	}
	r->state ^= r->state >> 12; /* xorshift64* */
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return r->state * 0x2545f4914f6cdd1dull;
}

static unsigned below(struct gen *g, unsigned n)
{
	return n <= 1 ? 0 : (unsigned)(rnd(g, n <= 256 ? 1 : 2) % n);
}

static bool chance(struct gen *g, unsigned percent) { return below(g, 100) < percent; }

static int reg(struct gen *g) { return soup[below(g, SOUP_REGS)]; }

/*
 * A register only read: sometimes the data pointer or the frame pointer, as
 * a value (both engines run on the same memory, so pointers compare equal).
 */
static int src_reg(struct gen *g)
{
	unsigned k = below(g, 20);
	return k == 0 ? DATA_REG : k == 1 ? 10 : reg(g);
}

/* Immediates: mostly the values where arithmetic has edge cases. */
static int32_t imm32(struct gen *g)
{
	static const int32_t pool[] = {
		0, 1, -1, 2, 3, 7, 8, 16, 31, 32, 33, 63, 64, 127, -128, 255, 0x7fff, -0x8000,
		0xffff, 0x10000, 0x7fffffff, INT32_MIN, 0x40000000, 0x12345678, -0x12345678,
	};
	if (chance(g, 60))
		return pool[below(g, sizeof(pool) / sizeof(pool[0]))];
	return (int32_t)(uint32_t)rnd(g, 4);
}

static uint64_t imm64(struct gen *g)
{
	static const uint64_t pool[] = {
		0, 1, ~0ull, 1ull << 63, (1ull << 63) - 1, 0x80000000, 0xffffffff, 0x100000000,
		0xffffffff80000000, 0x7fffffffffffffff, 0x8000000000000001,
	};
	if (chance(g, 50))
		return pool[below(g, sizeof(pool) / sizeof(pool[0]))];
	return rnd(g, 8);
}

/* --- instructions from the table --- */

static size_t put(struct gen *g, enum op_id id, int dst, int src, int off, int32_t imm)
{
	const struct opinfo *oi = &bpfrt_optable[id];
	struct bpfrt_insn in = { .code = oi->code, .dst = dst & 15, .src = src & 15,
				 .off = (int16_t)off, .imm = imm };
	switch (oi->vkind) {
	case V_OFF: in.off = (int16_t)oi->vval; break;
	case V_IMM: in.imm = oi->vval; break;
	case V_SRC: in.src = oi->vval & 15; break;
	default: break;
	}
	if (g->len < PROGEN_MAX_INSNS)
		g->p[g->len] = in;
	g->cost += g->mult;
	return g->len++;
}

/*
 * A random table entry of one of the given forms: the first one at or after
 * a random index, cyclically (a scan, not retries, so that it ends even when
 * a fuzzer's bytes have run out and every draw is 0).
 */
static enum op_id pick(struct gen *g, const uint8_t *forms, size_t nforms)
{
	unsigned start = below(g, OP__COUNT);
	for (unsigned k = 0; k < OP__COUNT; k++) {
		enum op_id id = (enum op_id)((start + k) % OP__COUNT);
		for (size_t i = 0; i < nforms; i++)
			if (bpfrt_optable[id].form == forms[i])
				return id;
	}
	return OP_MOV64_IMM; /* no such form: cannot happen with the table's forms */
}

static void gen_block(struct gen *g, unsigned n, int depth);
static size_t put_lddw(struct gen *g, int dst, uint64_t v);

/* Any ALU instruction on soup registers. */
static void gen_alu(struct gen *g)
{
	static const uint8_t forms[] = { F_ALU, F_NEG, F_MOVSX, F_END };
	enum op_id id = pick(g, forms, sizeof(forms));
	const struct opinfo *oi = &bpfrt_optable[id];
	int32_t imm = imm32(g);
	unsigned op = oi->code & 0xf0;
	bool shift = op == 0x60 || op == 0x70 || op == 0xc0;
	if (oi->form == F_ALU && shift && chance(g, 90))
		imm = (int32_t)below(g, oi->bits);
	if (oi->form == F_ALU && !op_src_is_reg(oi))
		put(g, id, reg(g), 0, 0, imm);
	else if (oi->form == F_ALU || oi->form == F_MOVSX)
		put(g, id, reg(g), src_reg(g), 0, 0);
	else
		put(g, id, reg(g), 0, 0, 0);
}

/*
 * A load, store or atomic, in bounds by construction: on the stack below the
 * loop counters, or in the input memory (not from a callback-able function).
 * Atomics are aligned to their size.
 */
static void gen_mem(struct gen *g)
{
	static const uint8_t forms[] = { F_LDX, F_ST, F_STX, F_ATOMIC };
	enum op_id id = pick(g, forms, sizeof(forms));
	const struct opinfo *oi = &bpfrt_optable[id];
	int size = oi->bits / 8;
	bool stack = g->cbsafe || chance(g, 50);
	int base = stack ? 10 : DATA_REG, off;
	if (oi->form == F_ATOMIC)
		off = stack ? -COUNTERS - size * (1 + (int)below(g, (512 - COUNTERS) / size))
			    : size * (int)below(g, PROGEN_MEM_LEN / size);
	else
		off = stack ? -512 + (int)below(g, 512 - COUNTERS - size + 1)
			    : (int)below(g, PROGEN_MEM_LEN - size + 1);
	if ((id == OP_ACMPXCHG32 || id == OP_ACMPXCHG64) && chance(g, 50)) {
		/*
		 * Make the compare succeed: r0 = the old value, and for the 32-bit
		 * form junk in r0's upper half, which the result must not keep.
		 */
		put(g, size == 4 ? OP_LDXW : OP_LDXDW, 0, base, off, 0);
		if (size == 4 && chance(g, 70)) {
			int t = soup[1 + below(g, SOUP_REGS - 1)];
			put_lddw(g, t, imm64(g) & 0xffffffff00000000ull);
			put(g, OP_OR64_REG, 0, t, 0, 0);
		}
	}
	switch (oi->form) {
	case F_LDX: put(g, id, reg(g), base, off, 0); break;
	case F_ST: put(g, id, base, 0, off, imm32(g)); break;
	case F_STX: put(g, id, base, src_reg(g), off, 0); break;
	default: put(g, id, base, reg(g), off, 0); break; /* atomics: a fetch writes src */
	}
}

/* A jump forward over a nested block: conditional (jmp or jmp32), ja or gotol. */
static void gen_if(struct gen *g, int depth)
{
	static const uint8_t cond[] = { F_JCOND };
	unsigned kind = below(g, 10);
	enum op_id id = kind < 8 ? pick(g, cond, 1) : kind == 8 ? OP_JA : OP_GOTOL;
	const struct opinfo *oi = &bpfrt_optable[id];
	size_t j;
	if (oi->form != F_JCOND)
		j = put(g, id, 0, 0, 0, 0);
	else if (op_src_is_reg(oi))
		j = put(g, id, src_reg(g), src_reg(g), 0, 0);
	else
		j = put(g, id, reg(g), 0, 0, imm32(g));
	gen_block(g, 1 + below(g, depth == 0 ? 40 : 8), depth + 1);
	long dist = (long)g->len - (long)(j + 1);
	if (j < PROGEN_MAX_INSNS) {
		if (id == OP_GOTOL)
			g->p[j].imm = (int32_t)dist;
		else
			g->p[j].off = (int16_t)dist;
	}
}

/* for (counter = 1..3; counter > 0; counter--) block, the counter on the stack. */
static void gen_loop(struct gen *g, int depth)
{
	int slot = -8 * (g->loops + 1);
	int32_t count = 1 + (int32_t)below(g, 3);
	uint64_t mult = g->mult;
	put(g, OP_STDW, 10, 0, slot, count);
	size_t start = g->len;
	g->loops++;
	g->mult *= (uint64_t)count;
	gen_block(g, 1 + below(g, 12), depth + 1);
	g->loops--;
	int t = reg(g);
	put(g, OP_LDXDW, t, 10, slot, 0);
	put(g, OP_ADD64_IMM, t, 0, 0, -1);
	put(g, OP_STXDW, 10, t, slot, 0);
	size_t j = put(g, OP_JSGT_IMM, t, 0, 0, 0);
	if (j < PROGEN_MAX_INSNS)
		g->p[j].off = (int16_t)((long)start - (long)(j + 1));
	g->mult = mult;
}

/*
 * A later function: calls only go forward, which bounds the depth. Often the
 * next one, so that chains reach and pass the frame limit now and then.
 * Later functions are generated first, so their start and cost are known.
 */
static int later_fn(struct gen *g)
{
	if (chance(g, 50))
		return g->fn + 1;
	return g->fn + 1 + (int)below(g, (unsigned)(g->nfn - g->fn - 1));
}

/* Can the program afford calling fn here? If so, charge for it. */
static bool afford(struct gen *g, int fn)
{
	uint64_t c = g->mult * (g->fcost[fn] + 1);
	if (g->cost + c > COST_MAX)
		return false;
	g->cost += c;
	return true;
}

static int32_t rel_to(struct gen *g, size_t at, int fn)
{
	return (int32_t)((long)g->start[fn] - (long)(at + 1));
}

/* lddw: the low half in the first slot, the high half in the second's imm. */
static size_t put_lddw(struct gen *g, int dst, uint64_t v)
{
	size_t j = put(g, OP_LDDW, dst, 0, 0, (int32_t)(uint32_t)v);
	size_t k = g->len++;
	if (k < PROGEN_MAX_INSNS)
		g->p[k] = (struct bpfrt_insn){ .imm = (int32_t)(uint32_t)(v >> 32) };
	return j;
}

/* lddw of a function (pseudo source FUNC): its token, for callx and callbacks. */
static void put_func_token(struct gen *g, int dst, int fn)
{
	size_t j = put_lddw(g, dst, 0);
	if (j < PROGEN_MAX_INSNS) {
		g->p[j].src = BPFRT_PSEUDO_FUNC;
		g->p[j].imm = rel_to(g, j, fn);
	}
}

/* After a helper r1..r5 are clobbered (in the JIT they are): give them values again. */
static void reload_args(struct gen *g)
{
	for (int r = 1; r <= 5; r++)
		put(g, OP_MOV64_IMM, r, 0, 0, imm32(g));
}

static void gen_call(struct gen *g)
{
	bool can_call = g->fn + 1 < g->nfn;
	int lo_cb = g->fn + 1 > g->first_cb ? g->fn + 1 : g->first_cb;
	bool can_cb = lo_cb < g->nfn;
	unsigned kind = below(g, 100);
	int fn = can_call ? later_fn(g) : 0;
	int cb = can_cb ? lo_cb + (int)below(g, (unsigned)(g->nfn - lo_cb)) : 0;
	if ((kind < 45 && can_call && !afford(g, fn)) ||
	    (kind >= 45 && kind < 55 && can_cb && !afford(g, cb))) {
		gen_alu(g);
	} else if (can_call && kind < 30) {
		size_t j = put(g, OP_CALL_LOCAL, 0, 0, 0, 0);
		if (j < PROGEN_MAX_INSNS)
			g->p[j].imm = rel_to(g, j, fn);
	} else if (can_call && kind < 45) {
		int r = reg(g);
		put_func_token(g, r, fn);
		put(g, OP_CALLX, r, 0, 0, 0);
	} else if (can_cb && kind >= 45 && kind < 55) {
		put_func_token(g, 1, cb);
		put(g, OP_CALL_HELPER, 0, 0, 0, PROGEN_H_CALLBACK);
		reload_args(g);
	} else if (kind < 62) {
		int r = reg(g);
		put(g, OP_MOV64_IMM, r, 0, 0, chance(g, 99) ? PROGEN_H_MIX : 5 + (int32_t)below(g, 50));
		put(g, OP_CALLX, r, 0, 0, 0);
		reload_args(g);
	} else {
		unsigned h = below(g, 10);
		if (chance(g, 50))
			put(g, OP_MOV64_IMM, 1, 0, 0, imm32(g));
		put(g, OP_CALL_HELPER, 0, 0, 0,
		    h == 0 ? PROGEN_H_STOP : h == 1 ? PROGEN_H_FAIL : PROGEN_H_MIX);
		reload_args(g);
	}
}

/* LD_ABS / LD_IND: mostly in bounds of the packet (the input memory). */
static void gen_ldpkt(struct gen *g)
{
	static const uint8_t forms[] = { F_LDABS, F_LDIND };
	enum op_id id = pick(g, forms, sizeof(forms));
	int size = bpfrt_optable[id].bits / 8;
	bool abs = bpfrt_optable[id].form == F_LDABS;
	int32_t imm = chance(g, 95) ? (int32_t)below(g, (abs ? PROGEN_MEM_LEN : 32) - size + 2)
				    : imm32(g);
	if (abs) {
		put(g, id, 0, 0, 0, imm);
		return;
	}
	int r = reg(g);
	if (chance(g, 95))
		put(g, OP_MOV32_IMM, r, 0, 0, (int32_t)below(g, 33) - 1);
	put(g, id, 0, r, 0, imm);
}

static void gen_stmt(struct gen *g, int depth)
{
	unsigned k = below(g, 100);
	if (g->len > PROGEN_MAX_INSNS - RESERVE || k < 45)
		gen_alu(g);
	else if (k < 50)
		put_lddw(g, reg(g), imm64(g));
	else if (k < 72)
		gen_mem(g);
	else if (k < 84 && depth < MAX_DEPTH)
		gen_if(g, depth);
	else if (k < 88 && depth < MAX_DEPTH && g->loops < MAX_LOOPS)
		gen_loop(g, depth);
	else if (k < 97)
		gen_call(g);
	else
		gen_ldpkt(g);
}

static void gen_block(struct gen *g, unsigned n, int depth)
{
	for (unsigned i = 0; i < n; i++)
		gen_stmt(g, depth);
}

/* r0 = a hash of every soup register, so a difference anywhere shows in r0. */
static void fold_registers(struct gen *g)
{
	for (size_t i = 1; i < SOUP_REGS; i++) {
		put(g, OP_MUL64_IMM, 0, 0, 0, 0x01000193);
		put(g, OP_XOR64_REG, 0, soup[i], 0, 0);
	}
}

size_t progen_program(struct progen_rng *rng, struct bpfrt_insn *insns, uint8_t *mem)
{
	struct gen g;
	memset(&g, 0, sizeof(g));
	g.rng = rng;
	g.p = insns;
	for (size_t i = 0; i < PROGEN_MEM_LEN; i++)
		mem[i] = (uint8_t)rnd(&g, 1);
	g.nfn = 1 + (int)below(&g, PROGEN_MAX_FUNCS);
	g.first_cb = g.nfn > 1 ? 1 + (int)below(&g, (unsigned)(g.nfn - 1)) : g.nfn;
	/*
	 * Functions are laid out last first, so that every call is backward and
	 * its callee's cost known; slot 0 jumps to main.
	 */
	put(&g, OP_JA, 0, 0, 0, 0);
	for (g.fn = g.nfn - 1; g.fn >= 0; g.fn--) {
		g.start[g.fn] = g.len;
		g.cbsafe = g.fn >= g.first_cb;
		g.cost = 0;
		g.mult = 1;
		if (g.fn == 0) {
			put(&g, OP_MOV64_REG, DATA_REG, 1, 0, 0);
			put(&g, OP_MOV64_IMM, 1, 0, 0, imm32(&g)); /* r1 was a pointer */
		}
		gen_block(&g, 1 + below(&g, g.fn == 0 ? 60 : 25), 0);
		if (g.fn == 0)
			fold_registers(&g);
		put(&g, OP_EXIT, 0, 0, 0, 0);
		g.fcost[g.fn] = g.cost;
	}
	if (g.len > PROGEN_MAX_INSNS)
		return 0; /* cannot happen with RESERVE; callers skip it anyway */
	g.p[0].off = (int16_t)(g.start[0] - 1);
	return g.len;
}

/* --- the helpers the programs call --- */

static uint64_t h_mix(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		      struct bpfrt_exec *ex)
{
	uint64_t h = r1 * 3 ^ r2 * 5 ^ r3 * 7 ^ r4 * 11 ^ r5 * 13;
	diff_log_add(ex, h);
	diff_log_add(ex, ex->depth); /* the frame a callback would start below */
	return h;
}

static uint64_t h_stop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		       struct bpfrt_exec *ex)
{
	diff_log_add(ex, r1);
	if ((r1 * 0x9e3779b97f4a7c15ull) >> 62 == 0) /* a quarter of the values */
		bpfrt_exec__stop(ex, r1 ^ 0x5a);
	return r1 + 1;
}

static uint64_t h_fail(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		       struct bpfrt_exec *ex)
{
	diff_log_add(ex, r1);
	if ((r1 * 0xbf58476d1ce4e5b9ull) >> 61 == 1) { /* an eighth */
		diag_set(ex->diag, "progen: helper 3 fails on %llu", (unsigned long long)r1);
		ex->error = -EPERM;
		ex->stop = true;
	}
	return r1 ^ 1;
}

static uint64_t h_callback(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct bpfrt_exec *ex)
{
	const uint64_t args[5] = { r2, r3 };
	uint64_t ret = 0;
	int err = exec_call_func(ex, r1, args, &ret);
	diff_log_add(ex, ret);
	diff_log_add(ex, (uint64_t)err);
	if (err) {
		ex->error = err;
		ex->stop = true;
	}
	return ret;
}

bpfrt_helper_fn const progen_helpers[PROGEN_NHELPERS] = {
	[PROGEN_H_MIX] = h_mix, [PROGEN_H_STOP] = h_stop, [PROGEN_H_FAIL] = h_fail,
	[PROGEN_H_CALLBACK] = h_callback,
};
