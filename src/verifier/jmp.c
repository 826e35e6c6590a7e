/* SPDX-License-Identifier: MIT */
/*
 * jmp.c - conditional jumps: decide them when the values allow, otherwise
 * explore both ways with each side's knowledge refined (Linux's
 * check_cond_jmp_op). Three kinds of comparison involve pointers:
 *
 *  - `ptr == 0` / `ptr != 0` on a pointer that may be NULL (a map lookup, a
 *    ring buffer reservation) settles it, for every copy of it, on both sides;
 *  - `pkt + N > pkt_end` and its variants prove bytes of a packet present
 *    for every pointer sharing the base (`meta + N > data` for metadata);
 *  - a pointer that cannot be NULL compared with 0 is decided.
 *
 * Other comparisons of pointers are refused: their outcome would reveal
 * addresses. A side that the refined ranges show impossible is dropped, and
 * the values that showed it are marked precise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vstate.h"

enum jop { J_EQ, J_NE, J_GT, J_GE, J_LT, J_LE, J_SGT, J_SGE, J_SLT, J_SLE, J_SET };

static enum jop jop_of(const struct opinfo *oi)
{
	/* The LLVM operator names the comparison for all widths and source kinds. */
	static const struct { const char *op; enum jop j; } t[] = {
		{ "==", J_EQ }, { "!=", J_NE }, { ">", J_GT }, { ">=", J_GE }, { "<", J_LT },
		{ "<=", J_LE }, { "s>", J_SGT }, { "s>=", J_SGE }, { "s<", J_SLT }, { "s<=", J_SLE },
		{ "&", J_SET },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(oi->llvm, t[i].op))
			return t[i].j;
	return J_SET;
}

int push_state(struct venv *env, struct vstate *st, uint32_t insn, uint32_t from, uint8_t kind)
{
	if (env->npending >= 8192) {
		state_free(st);
		return verr_code(env, -E2BIG, from, "the program is too complex: more than 8192 branches "
				 "are pending at once (Linux's limit on the sequence of jumps)");
	}
	if (env->npending == env->cap_pending) {
		size_t cap = env->cap_pending ? env->cap_pending * 2 : 64;
		struct vstate **p = realloc(env->pending, cap * sizeof(*p));
		if (!p) {
			state_free(st);
			return -ENOMEM;
		}
		env->pending = p;
		env->cap_pending = cap;
	}
	st->insn = insn;
	st->jmp_from = (int32_t)from;
	st->jmp_kind = kind;
	if (st->parent)
		st->parent->branches++;
	env->pending[env->npending++] = st;
	return 0;
}

/* Registers sharing dst's or src's scalar id, for precision (history). */
static unsigned linked_regs(struct vstate *st, const struct vreg *d, const struct vreg *s,
			    uint16_t *out)
{
	unsigned n = 0;
	uint32_t a = d && d->type == SCALAR ? d->id : 0, b = s && s->type == SCALAR ? s->id : 0;
	if (!a && !b)
		return 0;
	for (unsigned f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frame[f];
		for (unsigned r = 0; r < 10; r++) {
			struct vreg *x = &fr->regs[r];
			if (x == d || x == s || x->type != SCALAR || !x->id || (x->id != a && x->id != b))
				continue;
			if (n < MAX_LINKED)
				out[n++] = (uint16_t)(f << 8 | r);
		}
		for (unsigned spi = 0; spi < fr->nslots && spi < 64; spi++) {
			struct vreg *x = &fr->slots[spi].spill;
			if (!slot_spilled(&fr->slots[spi]) || x->type != SCALAR || !x->id ||
			    (x->id != a && x->id != b))
				continue;
			if (n < MAX_LINKED)
				out[n++] = (uint16_t)(f << 8 | 0x80 | spi);
		}
	}
	return n;
}

/*
 * After a branch refined r: its copies (same id) learn the same, shifted by
 * the constant they differ by (Linux's sync_linked_regs).
 */
static void sync_linked(struct vstate *st, const struct vreg *r)
{
	if (r->type != SCALAR || !r->id)
		return;
	struct vreg known = *r;
	FOR_EACH_REG(st, x, {
		if (x != r && x->type == SCALAR && x->id == known.id) {
			bool p = x->precise;
			int32_t off = x->off;
			uint8_t flags = x->flags;
			*x = known;
			if (off != known.off) {
				struct vreg d;
				reg_mark_known(&d, (uint64_t)(int64_t)((int64_t)off - known.off));
				scalar_alu(x, &d, OP_ADD64_REG, false);
			}
			x->off = off;
			x->flags = flags;
			x->precise = p;
		}
	});
}

/* The data size of a generic program is at least n: data pointers at its start may reach n bytes. */
static void data_len_at_least(struct vstate *st, uint64_t n)
{
	if (n > MAX_PACKET_OFF)
		n = MAX_PACKET_OFF;
	FOR_EACH_REG(st, x, {
		if (x->type == PTR_TO_PACKET && !x->id && x->range < n)
			x->range = (uint32_t)n;
	});
}

/*
 * Generic programs: `x <= size` (or <) for a linked scalar x teaches
 * size >= base(x) + c for good; later branches that raise what x's base
 * is known to be at least then prove more of the data present (e.g. an IP
 * header's length checked against the size once, then a loop up to it).
 */
static void add_len_fact(struct venv *env, struct vstate *st, struct vreg *x, uint32_t k)
{
	if (x->type != SCALAR || tnum_is_const(x->var_off) || x->umin < (uint64_t)(int64_t)x->off ||
	    x->off < 0 || st->nlenfacts == 4)
		return;
	if (!x->id)
		x->id = new_id(env);
	for (unsigned i = 0; i < st->nlenfacts; i++)
		if (st->lenfacts[i].id == x->id) {
			if (st->lenfacts[i].c < (uint32_t)x->off + k)
				st->lenfacts[i].c = (uint32_t)x->off + k;
			return;
		}
	st->lenfacts[st->nlenfacts].id = x->id;
	st->lenfacts[st->nlenfacts++].c = (uint32_t)x->off + k;
}

/* Apply the size facts: the lowest a fact's base may be, read from a register holding it. */
static int apply_len_facts(struct venv *env, struct vstate *st)
{
	struct vreg *regs = cur_regs(st);
	for (unsigned i = 0; i < st->nlenfacts; i++) {
		uint64_t best = 0;
		int best_reg = -1;
		for (int r = 0; r < 10; r++) {
			struct vreg *x = &regs[r];
			if (x->type != SCALAR || x->id != st->lenfacts[i].id || x->off < 0 ||
			    x->umin < (uint64_t)x->off)
				continue;
			uint64_t base = x->umin - (uint64_t)x->off;
			if (best_reg < 0 || base > best) {
				best = base;
				best_reg = r;
			}
		}
		if (best_reg < 0 || best + st->lenfacts[i].c <= best)
			continue;
		/* the register's lower bound now decides a packet range: it matters */
		int err = mark_precise(env, st, best_reg);
		if (err)
			return err;
		data_len_at_least(st, best + st->lenfacts[i].c);
	}
	return 0;
}

/* Refine the scalars of one side; false if that side cannot happen. */
static bool refine_side(struct venv *env, struct vstate *st, const struct bpfrt_insn *in,
			const struct opinfo *oi, bool taken)
{
	struct vreg *regs = cur_regs(st);
	struct vreg imm, *d = &regs[in->dst], *s = &imm;
	bool is32 = oi->bits == 32;
	if (op_src_is_reg(oi))
		s = &regs[in->src];
	else
		reg_mark_known(&imm, (uint64_t)(int64_t)in->imm);
	scalar_refine(d, s, oi->id, is32, taken);
	if (reg_bounds_empty(d) || reg_bounds_empty(s))
		return false;
	sync_linked(st, d);
	if (s != &imm)
		sync_linked(st, s);
	if (d->flags & REG_DATA_LEN)
		data_len_at_least(st, d->umin);
	if (s != &imm && (s->flags & REG_DATA_LEN))
		data_len_at_least(st, s->umin);
	if (env->generic && s != &imm && !is32) {
		/* which relation to the size this side proves, if any */
		enum jop j = jop_of(oi);
		if (!taken)
			j = j == J_LT ? J_GE : j == J_LE ? J_GT : j == J_GT ? J_LE : j == J_GE ? J_LT :
			    j == J_SLT ? J_SGE : j == J_SLE ? J_SGT : j == J_SGT ? J_SLE : j == J_SGE ? J_SLT : J_EQ;
		bool sgn = j >= J_SGT && j <= J_SLE;
		if ((s->flags & REG_DATA_LEN) && !(d->flags & REG_DATA_LEN) && (!sgn || d->smin >= 0)) {
			if (j == J_LE || j == J_SLE)
				add_len_fact(env, st, d, 0);
			else if (j == J_LT || j == J_SLT)
				add_len_fact(env, st, d, 1);
		} else if ((d->flags & REG_DATA_LEN) && !(s->flags & REG_DATA_LEN) && (!sgn || s->smin >= 0)) {
			if (j == J_GE || j == J_SGE)
				add_len_fact(env, st, s, 0);
			else if (j == J_GT || j == J_SGT)
				add_len_fact(env, st, s, 1);
		}
	}
	if (st->nlenfacts && apply_len_facts(env, st))
		return false;
	return true;
}

static int mark_operands(struct venv *env, struct vstate *st, const struct bpfrt_insn *in,
			 const struct opinfo *oi)
{
	int err = mark_precise(env, st, in->dst);
	if (!err && op_src_is_reg(oi))
		err = mark_precise(env, st, in->src);
	return err;
}

/* Continue st at the target of the jump at idx. */
static void take_jump(struct vstate *st, uint32_t idx, long target, long *next)
{
	st->jmp_from = (int32_t)idx;
	st->jmp_kind = H_SEQ;
	*next = target;
}

/* Pointers that are never NULL once they exist. */
static bool never_null(const struct vreg *r)
{
	return reg_is_pointer(r) && !(r->flags & REG_MAYBE_NULL) && r->type != PTR_TO_FUNC;
}

static bool is_zero(const struct vreg *r)
{
	return r->type == SCALAR && tnum_equals_const(r->var_off, 0);
}

/* Settle every copy of a maybe-NULL pointer (same id) as NULL or not. */
static void mark_null(struct venv *env, struct vstate *st, uint32_t id, bool is_null)
{
	uint32_t ref = 0;
	FOR_EACH_REG(st, x, {
		if (!reg_is_pointer(x) || x->id != id || !(x->flags & REG_MAYBE_NULL))
			continue;
		if (is_null) {
			if (x->ref_obj_id)
				ref = x->ref_obj_id;
			reg_mark_known(x, 0);
		} else {
			x->flags &= (uint8_t)~REG_MAYBE_NULL;
		}
	});
	if (ref)
		release_reference(env, st, ref); /* nothing was reserved */
}

/* Packet bounds checks: which side proves bytes present, and how many from p's base. */
static void pkt_range(struct vstate *st, const struct vreg *p, uint32_t range)
{
	uint8_t type = p->type;
	uint32_t id = p->id;
	FOR_EACH_REG(st, x, {
		if (x->type == type && x->id == id && x->range < range)
			x->range = range;
	});
}

/*
 * `p op e` where p is a packet (or metadata) pointer and e the end it may
 * not pass. Returns 1 if handled, 0 if the pair is not such a comparison.
 */
static int pkt_compare(struct venv *env, struct vstate *st, uint32_t idx, const struct bpfrt_insn *in,
		       enum jop j, bool is32, long target, long fall, long *next)
{
	struct vreg *regs = cur_regs(st);
	struct vreg *a = &regs[in->dst], *b = &regs[in->src];
	bool a_is_p = (a->type == PTR_TO_PACKET && b->type == PTR_TO_PACKET_END) ||
		      (a->type == PTR_TO_PACKET_META && b->type == PTR_TO_PACKET);
	bool b_is_p = (b->type == PTR_TO_PACKET && a->type == PTR_TO_PACKET_END) ||
		      (b->type == PTR_TO_PACKET_META && a->type == PTR_TO_PACKET);
	if (!a_is_p && !b_is_p)
		return 0;
	if (is32 || j == J_EQ || j == J_NE || j == J_SET || j >= J_SGT)
		return verr(env, idx, "packet pointers may only be compared with the unsigned 64-bit "
			    "<, <=, > and >= (as in `if (data + N > data_end)`)");
	/* Normalize to `p op e`. */
	const struct vreg *p = a_is_p ? a : b;
	if (!a_is_p)
		j = j == J_GT ? J_LT : j == J_GE ? J_LE : j == J_LT ? J_GT : J_GE;
	/*
	 * p <= e proves [base, base + p.off) present; p < e one byte more.
	 * The taken side of `p > e` and `p >= e` says nothing; of `p < e` and
	 * `p <= e` it is the proof, and the fall-through side is the reverse.
	 */
	bool proof_when_taken = j == J_LT || j == J_LE;
	bool strict = j == J_LT || j == J_GE; /* the proving side has p < e */
	uint32_t range = 0;
	bool useful = p->off >= 0 && p->umax <= MAX_PACKET_OFF &&
		      p->umax + (uint64_t)p->off <= MAX_PACKET_OFF;
	if (useful)
		range = (uint32_t)p->off + (strict ? 1 : 0);
	struct vstate *other = state_dup(env, st);
	if (!other)
		return -ENOMEM;
	struct vstate *prove = proof_when_taken ? other : st;
	if (useful && range) {
		/* p in the copy is the same register */
		const struct vreg *pp = &cur_regs(prove)[p == a ? in->dst : in->src];
		pkt_range(prove, pp, range);
	}
	int err = push_state(env, other, (uint32_t)target, idx, H_SEQ);
	if (err)
		return err;
	*next = fall;
	return 1;
}

static int pointer_compare(struct venv *env, struct vstate *st, const struct opinfo *oi,
			   const struct bpfrt_insn *in, uint32_t idx, long target, long fall, long *next)
{
	struct vreg *regs = cur_regs(st);
	bool x = op_src_is_reg(oi), is32 = oi->bits == 32;
	enum jop j = jop_of(oi);
	struct vreg imm, *a = &regs[in->dst], *b = x ? &regs[in->src] : &imm;
	char b1[160], b2[160];
	if (!x)
		reg_mark_known(&imm, (uint64_t)(int64_t)in->imm);
	if (x && in->src == in->dst) {
		/* a register against itself: known, and reveals nothing */
		bool eq = j == J_EQ || j == J_GE || j == J_LE || j == J_SGE || j == J_SLE;
		if (eq)
			take_jump(st, idx, target, next);
		else
			*next = fall;
		return 0;
	}
	if (x) {
		int r = pkt_compare(env, st, idx, in, j, is32, target, fall, next);
		if (r)
			return r < 0 ? r : 0;
	}
	/* NULL checks: one side a pointer, the other the constant 0. */
	struct vreg *p = reg_is_pointer(a) ? a : b, *z = p == a ? b : a;
	int z_regno = z == &imm ? -1 : (z == a ? in->dst : in->src);
	if (!is32 && (j == J_EQ || j == J_NE) && !reg_is_pointer(z) && is_zero(z)) {
		if (z_regno >= 0) {
			int err = mark_precise(env, st, z_regno);
			if (err)
				return err;
		}
		if (never_null(p)) {
			if (j == J_NE)
				take_jump(st, idx, target, next);
			else
				*next = fall;
			return 0;
		}
		if (p->flags & REG_MAYBE_NULL) {
			uint32_t id = p->id;
			struct vstate *other = state_dup(env, st);
			if (!other)
				return -ENOMEM;
			/* `== 0` taken: NULL on the jump side, not NULL on the fall-through. */
			mark_null(env, other, id, j == J_EQ);
			mark_null(env, st, id, j != J_EQ);
			int err = push_state(env, other, (uint32_t)target, idx, H_SEQ);
			if (err)
				return err;
			*next = fall;
			return 0;
		}
	}
	if (reg_is_pointer(a) && reg_is_pointer(b))
		return verr(env, idx, "comparing two pointers (R%d: %s, R%d: %s) is not allowed: only "
			    "packet pointers against the packet end, and pointers against 0",
			    in->dst, reg_desc(env, a, b1, sizeof(b1)), in->src, reg_desc(env, b, b2, sizeof(b2)));
	if (is32)
		return verr(env, idx, "32-bit comparison of %s is not allowed: compare pointers with "
			    "64-bit jumps", reg_desc(env, p, b1, sizeof(b1)));
	return verr(env, idx, "comparing %s with %s is not allowed: a pointer may only be checked "
		    "against 0 (== or !=), which would otherwise reveal its address",
		    reg_desc(env, p, b1, sizeof(b1)), z == &imm ? "a constant" : reg_desc(env, z, b2, sizeof(b2)));
}

int do_cond_jmp(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in,
		uint32_t idx, long *next)
{
	bool x = op_src_is_reg(oi), is32 = oi->bits == 32;
	long target = bpfrt_branch_target(oi, in, idx), fall = (long)idx + 1;
	int err = check_read(env, st, idx, in->dst);
	if (!err && x)
		err = check_read(env, st, idx, in->src);
	if (err)
		return err;
	env->jmps_processed++;
	struct vreg *regs = cur_regs(st);
	struct vreg *d = &regs[in->dst], *s = x ? &regs[in->src] : NULL;
	if (reg_is_pointer(d) || (s && reg_is_pointer(s)))
		return pointer_compare(env, st, oi, in, idx, target, fall, next);

	int taken;
	if (x && in->src == in->dst) {
		enum jop j = jop_of(oi);
		taken = j == J_EQ || j == J_GE || j == J_LE || j == J_SGE || j == J_SLE ? 1 :
			j == J_SET ? -1 : 0;
		if (j == J_SET) {
			struct vreg zero;
			reg_mark_known(&zero, 0);
			taken = scalar_branch_taken(d, &zero, is32 ? OP_JNE32_IMM : OP_JNE_IMM, is32);
		}
	} else {
		struct vreg imm;
		if (!x)
			reg_mark_known(&imm, (uint64_t)(int64_t)in->imm);
		taken = scalar_branch_taken(d, x ? s : &imm, oi->id, is32);
	}
	if (taken >= 0) {
		err = mark_operands(env, st, in, oi);
		if (err)
			return err;
		if (taken)
			take_jump(st, idx, target, next);
		else
			*next = fall;
		return 0;
	}

	uint16_t linked[MAX_LINKED];
	unsigned nl = linked_regs(st, d, s, linked);
	if (nl && (err = hist_note(env, st, idx, -1, linked, nl)))
		return err;
	struct vstate *other = state_dup(env, st);
	if (!other)
		return -ENOMEM;
	bool ok_taken = true, ok_fall = true;
	if (!(x && in->src == in->dst)) {
		ok_taken = refine_side(env, other, in, oi, true);
		ok_fall = refine_side(env, st, in, oi, false);
	}
	if (!ok_taken || !ok_fall) {
		/* one side is impossible: the values that show it matter */
		err = mark_operands(env, st, in, oi);
		if (err) {
			state_free(other);
			return err;
		}
	}
	if (ok_taken && ok_fall) {
		err = push_state(env, other, (uint32_t)target, idx, H_SEQ);
		*next = fall;
		return err;
	}
	if (ok_taken) {
		err = state_copy(env, st, other);
		state_free(other);
		if (err)
			return err;
		take_jump(st, idx, target, next);
		return 0;
	}
	state_free(other);
	*next = ok_fall ? fall : -1;
	return 0;
}
