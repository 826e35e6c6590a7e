/* SPDX-License-Identifier: MIT */
/*
 * precise.c - which scalars' exact values matter (Linux's precision
 * tracking), so that pruning can ignore the rest.
 *
 * A scalar starts out imprecise: two states differing only in it behave
 * alike. When a value comes to matter - it is added to a pointer, sizes a
 * helper's memory, decides a branch, is checked as a return value - the
 * verifier walks back along the current path (its history: jumps, calls and
 * stack spills since the last stored node, then each ancestor node's) to
 * every register and stack slot the value came from, and marks them precise
 * in the stored nodes. A node compares its precise scalars by range and
 * ignores the others; a node whose subtree is not finished is never used
 * that way (explore.c), so its marks are complete when they are relied on.
 *
 * Whenever the walk meets something it cannot follow, it gives up safely:
 * from then on every scalar is treated as precise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vstate.h"

#define CHUNK 4096

struct varena {
	struct varena *next;
	unsigned used;
	struct vhist h[CHUNK];
};

void varena_free(struct varena *a)
{
	while (a) {
		struct varena *n = a->next;
		free(a);
		a = n;
	}
}

static struct vhist *hist_alloc(struct venv *env)
{
	if (!env->arena || env->arena->used == CHUNK) {
		struct varena *a = malloc(sizeof(*a));
		if (!a)
			return NULL;
		a->next = env->arena;
		a->used = 0;
		env->arena = a;
	}
	return &env->arena->h[env->arena->used++];
}

static int hist_push(struct venv *env, struct vstate *st, uint32_t idx, int32_t from, uint8_t kind)
{
	struct vhist *h = hist_alloc(env);
	if (!h)
		return -ENOMEM;
	memset(h, 0, sizeof(*h));
	h->prev = st->hist;
	h->idx = idx;
	h->from = (uint32_t)from;
	h->kind = kind;
	h->stack = -1;
	st->hist = h;
	st->hist_step = env->insn_processed;
	return 0;
}

int hist_arrive(struct venv *env, struct vstate *st, uint32_t idx)
{
	if (st->jmp_from < 0)
		return 0;
	int err = hist_push(env, st, idx, st->jmp_from, st->jmp_kind);
	st->jmp_from = -1;
	return err;
}

int hist_note(struct venv *env, struct vstate *st, uint32_t idx, int16_t stack,
	      const uint16_t *linked, unsigned nlinked)
{
	if (!(st->hist && st->hist_step == env->insn_processed && st->hist->idx == idx)) {
		int err = hist_push(env, st, idx, -1, H_SEQ);
		if (err)
			return err;
	}
	struct vhist *h = st->hist;
	if (stack >= 0)
		h->stack = stack;
	if (nlinked > MAX_LINKED)
		nlinked = MAX_LINKED;
	if (nlinked)
		memcpy(h->linked, linked, nlinked * sizeof(*linked));
	h->nlinked = (uint8_t)nlinked;
	return 0;
}

/* What is still to be traced back: registers and stack slots, per frame. */
struct bt {
	uint16_t reg[BPFRT_MAX_FRAMES];
	uint64_t stk[BPFRT_MAX_FRAMES];
	unsigned fr;
	bool failed;
};

static bool bt_empty(const struct bt *bt)
{
	for (int f = 0; f < BPFRT_MAX_FRAMES; f++)
		if (bt->reg[f] || bt->stk[f])
			return false;
	return true;
}

#define RBIT(r) ((uint16_t)(1u << (r)))

static long seq_pred(const struct venv *env, long x)
{
	if (x <= 0)
		return -1;
	if (x >= 2 && !env->ops[x - 1])
		return x - 2;
	return x - 1;
}

static void bt_linked(struct bt *bt, const struct vhist *e, unsigned dst, int src)
{
	bool any = bt->reg[bt->fr] & RBIT(dst);
	if (src >= 0)
		any |= (bt->reg[bt->fr] & RBIT(src)) != 0;
	for (unsigned i = 0; e && i < e->nlinked; i++) {
		unsigned f = e->linked[i] >> 8, x = e->linked[i] & 0xff;
		any |= x & 0x80 ? (bt->stk[f] >> (x & 0x3f)) & 1 : (bt->reg[f] >> x) & 1;
	}
	if (!any)
		return;
	bt->reg[bt->fr] |= RBIT(dst);
	if (src >= 0)
		bt->reg[bt->fr] |= RBIT(src);
	for (unsigned i = 0; e && i < e->nlinked; i++) {
		unsigned f = e->linked[i] >> 8, x = e->linked[i] & 0xff;
		if (x & 0x80)
			bt->stk[f] |= 1ull << (x & 0x3f);
		else
			bt->reg[f] |= RBIT(x);
	}
}

/* Undo insn p's effect on what must be precise; `left` is how control left p. */
static void backtrack_insn(struct venv *env, struct bt *bt, uint32_t p, const struct vhist *e, uint8_t left)
{
	const struct opinfo *oi = env->ops[p];
	const struct bpfrt_insn *in = &env->insns[p];
	uint16_t *m = &bt->reg[bt->fr];
	unsigned d = in->dst, s = in->src;
	switch (oi->form) {
	case F_ALU:
		if (oi->id == OP_MOV64_IMM || oi->id == OP_MOV32_IMM) {
			*m &= (uint16_t)~RBIT(d);
		} else if (oi->id == OP_MOV64_REG || oi->id == OP_MOV32_REG) {
			if (*m & RBIT(d)) {
				*m &= (uint16_t)~RBIT(d);
				if (s != 10)
					*m |= RBIT(s);
			}
		} else if (op_src_is_reg(oi) && (*m & RBIT(d))) {
			*m |= RBIT(s);
		}
		break;
	case F_MOVSX:
		if (*m & RBIT(d)) {
			*m &= (uint16_t)~RBIT(d);
			*m |= RBIT(s);
		}
		break;
	case F_LDX:
		if (*m & RBIT(d)) {
			*m &= (uint16_t)~RBIT(d);
			if (e && e->stack >= 0)
				bt->stk[e->stack >> 8] |= 1ull << (e->stack & 0xff);
		}
		break;
	case F_ST: case F_STX:
		if (e && e->stack >= 0) {
			unsigned f = (unsigned)e->stack >> 8, spi = e->stack & 0xff;
			if (bt->stk[f] & (1ull << spi)) {
				bt->stk[f] &= ~(1ull << spi);
				if (oi->form == F_STX)
					*m |= RBIT(s);
			}
		}
		break;
	case F_ATOMIC:
		if (oi->vval == 0xf1)
			*m &= (uint16_t)~RBIT(0);
		else if (oi->vval & 1)
			*m &= (uint16_t)~RBIT(s);
		break;
	case F_LDDW:
		*m &= (uint16_t)~RBIT(d);
		break;
	case F_LDABS: case F_LDIND:
		*m &= (uint16_t)~0x3f;
		break;
	case F_JCOND:
		bt_linked(bt, e, d, op_src_is_reg(oi) ? (int)s : -1);
		break;
	case F_CALL: case F_CALLX:
		if (left == H_SEQ)
			*m &= (uint16_t)~0x3f; /* r0 is the helper's result, r1..r5 clobbered */
		break;
	default:
		break;
	}
	*m &= (uint16_t)~RBIT(10); /* the frame pointer is never a scalar */
}

/* Control went from p (in another frame) to x: move what is traced to p's frame. */
static void backtrack_transition(struct bt *bt, uint8_t kind)
{
	unsigned fr = bt->fr;
	switch (kind) {
	case H_CALL: case H_CB_ENTER:
		/* callee entry: r1..r5 came from the caller (a helper sets a callback's) */
		if (fr == 0 || (bt->reg[fr] & ~0x3e) || bt->stk[fr]) {
			bt->failed = true;
			return;
		}
		if (kind == H_CALL)
			bt->reg[fr - 1] |= bt->reg[fr] & 0x3e;
		bt->reg[fr] = 0;
		bt->fr = fr - 1;
		break;
	case H_RET:
		/* back into the callee's exit: the caller's r0 is the callee's r0 */
		if (fr + 1 >= BPFRT_MAX_FRAMES) {
			bt->failed = true;
			return;
		}
		bt->reg[fr + 1] = bt->reg[fr] & 1;
		bt->stk[fr + 1] = 0;
		bt->reg[fr] &= (uint16_t)~0x3f;
		bt->fr = fr + 1;
		break;
	case H_CB_RET:
		/* back into the callback's exit: the caller's registers were untouched */
		if (fr + 1 >= BPFRT_MAX_FRAMES) {
			bt->failed = true;
			return;
		}
		bt->reg[fr + 1] = 0;
		bt->stk[fr + 1] = 0;
		bt->fr = fr + 1;
		break;
	default:
		break;
	}
}

/* The walk reached node n (its state is the state before the insn we stand at). */
static void mark_node(struct bt *bt, struct vnode *n)
{
	struct vstate *s = &n->st;
	if (bt->fr != s->curframe) {
		bt->failed = true;
		return;
	}
	for (unsigned f = 0; f < BPFRT_MAX_FRAMES; f++) {
		if (f > s->curframe) {
			if (bt->reg[f] || bt->stk[f])
				bt->failed = true;
			continue;
		}
		struct vframe *fr = s->frame[f];
		for (unsigned r = 0; r < BPFRT_NREGS; r++) {
			if (!(bt->reg[f] & RBIT(r)))
				continue;
			struct vreg *reg = &fr->regs[r];
			if (reg->type != SCALAR || reg->precise)
				bt->reg[f] &= (uint16_t)~RBIT(r);
			else
				reg->precise = true;
		}
		for (unsigned spi = 0; spi < 64; spi++) {
			if (!(bt->stk[f] & (1ull << spi)))
				continue;
			struct vslot *sl = spi < fr->nslots ? &fr->slots[spi] : NULL;
			if (!sl || !slot_spilled(sl) || sl->spill.type != SCALAR || sl->spill.precise)
				bt->stk[f] &= ~(1ull << spi);
			else
				sl->spill.precise = true;
		}
	}
}

static void backtrack(struct venv *env, const struct vstate *st, struct bt *bt)
{
	const struct vstate *seg = st;
	const struct vhist *h = st->hist;
	long x = st->insn, pred;
	uint8_t kind;
	size_t guard = 0;

	if (st->jmp_from >= 0) {
		pred = st->jmp_from;
		kind = st->jmp_kind;
	} else if (h && st->hist_step == env->insn_processed && h->idx == st->insn) {
		pred = h->from != (uint32_t)-1 ? (long)h->from : seq_pred(env, x);
		kind = h->kind;
		h = h->prev;
	} else {
		pred = seq_pred(env, x);
		kind = H_SEQ;
	}
	for (;;) {
		if (++guard > 4 * VERIFIER_INSN_BUDGET) {
			bt->failed = true;
			return;
		}
		if (x == seg->first_insn && !h) {
			struct vnode *n = seg->parent;
			if (!n)
				return;
			if (n->st.insn != (uint32_t)x) {
				bt->failed = true;
				return;
			}
			mark_node(bt, n);
			if (bt->failed || bt_empty(bt))
				return;
			seg = &n->st;
			h = seg->hist;
		}
		if (pred < 0) {
			bt->failed = true;
			return;
		}
		backtrack_transition(bt, kind);
		if (bt->failed)
			return;
		uint32_t p = (uint32_t)pred;
		const struct vhist *e = NULL;
		if (h && h->idx == p) {
			e = h;
			h = h->prev;
		}
		backtrack_insn(env, bt, p, e, kind);
		if (bt_empty(bt))
			return;
		x = p;
		if (e) {
			pred = e->from != (uint32_t)-1 ? (long)e->from : seq_pred(env, x);
			kind = e->kind;
		} else {
			pred = seq_pred(env, x);
			kind = H_SEQ;
		}
	}
}

static int run_backtrack(struct venv *env, struct vstate *st, struct bt *bt)
{
	if (env->precise_all || bt_empty(bt))
		return 0;
	bt->fr = st->curframe;
	backtrack(env, st, bt);
	if (bt->failed) {
		env->precise_all = true; /* give up safely: every scalar matters */
		vlog(env, "precision tracking gave up at insn %u: all scalars are precise from now on\n",
		     st->insn);
	}
	return 0;
}

int mark_precise(struct venv *env, struct vstate *st, int regno)
{
	struct vreg *r = &cur_regs(st)[regno];
	if (r->type != SCALAR)
		return 0;
	struct bt bt = { 0 };
	bt.reg[st->curframe] = RBIT(regno);
	return run_backtrack(env, st, &bt);
}

int mark_precise_slot(struct venv *env, struct vstate *st, unsigned frameno, unsigned spi)
{
	struct bt bt = { 0 };
	bt.stk[frameno] = 1ull << spi;
	return run_backtrack(env, st, &bt);
}

int propagate_precision(struct venv *env, struct vstate *st, const struct vstate *old)
{
	struct bt bt = { 0 };
	for (unsigned f = 0; f <= old->curframe; f++) {
		const struct vframe *fr = old->frame[f];
		for (unsigned r = 0; r < 10; r++)
			if (fr->regs[r].type == SCALAR && fr->regs[r].precise &&
			    st->frame[f]->regs[r].type == SCALAR)
				bt.reg[f] |= RBIT(r);
		for (unsigned spi = 0; spi < fr->nslots && spi < 64; spi++)
			if (slot_spilled(&fr->slots[spi]) && fr->slots[spi].spill.type == SCALAR &&
			    fr->slots[spi].spill.precise)
				bt.stk[f] |= 1ull << spi;
	}
	return run_backtrack(env, st, &bt);
}
