/* SPDX-License-Identifier: MIT */
/*
 * bounds.c - what a scalar may be: known bits (tnum) plus unsigned and
 * signed ranges of the full 64-bit value and of its low 32 bits, kept
 * consistent with each other (Linux's reg_bounds_sync), through every ALU
 * operation and every branch.
 *
 * Soundness is the rule everywhere: each operation's result covers every
 * value the instruction can produce from values the operands cover. Where
 * an exact rule would be long, a coarser one is used (e.g. signed division
 * by a non-constant gives "unknown"). The arithmetic is written once for
 * both widths over struct rng; 32-bit results are then zero-extended.
 */
#include <string.h>
#include "vstate.h"

/* Bounds of a w-bit quantity (w = 32 or 64), each kept in 64-bit fields. */
struct rng {
	uint64_t umin, umax;
	int64_t smin, smax;
};

static inline uint64_t umax_w(unsigned w) { return w == 64 ? UINT64_MAX : UINT32_MAX; }
static inline int64_t smax_w(unsigned w) { return w == 64 ? INT64_MAX : INT32_MAX; }
static inline int64_t smin_w(unsigned w) { return w == 64 ? INT64_MIN : INT32_MIN; }

static struct rng rng_full(unsigned w)
{
	return (struct rng){ 0, umax_w(w), smin_w(w), smax_w(w) };
}

static void rng_full_signed(struct rng *r, unsigned w) { r->smin = smin_w(w); r->smax = smax_w(w); }
static void rng_full_unsigned(struct rng *r, unsigned w) { r->umin = 0; r->umax = umax_w(w); }

static struct rng rng64(const struct vreg *r) { return (struct rng){ r->umin, r->umax, r->smin, r->smax }; }
static struct rng rng32(const struct vreg *r)
{
	return (struct rng){ r->u32_min, r->u32_max, r->s32_min, r->s32_max };
}

/* Unsigned a + b at width w: *res wrapped, true on wrap. */
static bool uadd(unsigned w, uint64_t a, uint64_t b, uint64_t *res)
{
	uint64_t s;
	bool o = __builtin_add_overflow(a, b, &s);
	if (w == 32) {
		o = s > UINT32_MAX;
		s &= UINT32_MAX;
	}
	*res = s;
	return o;
}

static bool usub(unsigned w, uint64_t a, uint64_t b, uint64_t *res)
{
	*res = (a - b) & umax_w(w);
	return a < b;
}

/* Signed arithmetic at width w: true when the result leaves the w-bit range. */
static bool sadd(unsigned w, int64_t a, int64_t b, int64_t *res)
{
	if (w == 64)
		return __builtin_add_overflow(a, b, res);
	*res = a + b;
	return *res < INT32_MIN || *res > INT32_MAX;
}

static bool ssub(unsigned w, int64_t a, int64_t b, int64_t *res)
{
	if (w == 64)
		return __builtin_sub_overflow(a, b, res);
	*res = a - b;
	return *res < INT32_MIN || *res > INT32_MAX;
}

static bool smul(unsigned w, int64_t a, int64_t b, int64_t *res)
{
	if (w == 64)
		return __builtin_mul_overflow(a, b, res);
	*res = a * b; /* |a|, |b| <= 2^31: fits */
	return *res < INT32_MIN || *res > INT32_MAX;
}

/*
 * Sums: if no sum or every sum wraps, the results stay a contiguous range;
 * if only some wrap, nothing is known (Linux's scalar_min_max_add).
 */
static struct rng rng_add(unsigned w, struct rng a, struct rng b)
{
	struct rng r;
	if (sadd(w, a.smin, b.smin, &r.smin) || sadd(w, a.smax, b.smax, &r.smax))
		rng_full_signed(&r, w);
	bool lo = uadd(w, a.umin, b.umin, &r.umin), hi = uadd(w, a.umax, b.umax, &r.umax);
	if (!lo && hi)
		rng_full_unsigned(&r, w);
	return r;
}

static struct rng rng_sub(unsigned w, struct rng a, struct rng b)
{
	struct rng r;
	if (ssub(w, a.smin, b.smax, &r.smin) || ssub(w, a.smax, b.smin, &r.smax))
		rng_full_signed(&r, w);
	bool lo = usub(w, a.umin, b.umax, &r.umin), hi = usub(w, a.umax, b.umin, &r.umax);
	if (lo && !hi)
		rng_full_unsigned(&r, w);
	return r;
}

static struct rng rng_mul(unsigned w, struct rng a, struct rng b)
{
	struct rng r;
	uint64_t p;
	if (__builtin_mul_overflow(a.umax, b.umax, &p) || p > umax_w(w)) {
		rng_full_unsigned(&r, w);
	} else {
		r.umin = a.umin * b.umin;
		r.umax = p;
	}
	int64_t q[4];
	if (smul(w, a.smin, b.smin, &q[0]) || smul(w, a.smin, b.smax, &q[1]) ||
	    smul(w, a.smax, b.smin, &q[2]) || smul(w, a.smax, b.smax, &q[3])) {
		rng_full_signed(&r, w);
	} else {
		r.smin = r.smax = q[0];
		for (int i = 1; i < 4; i++) {
			if (q[i] < r.smin)
				r.smin = q[i];
			if (q[i] > r.smax)
				r.smax = q[i];
		}
	}
	return r;
}

/* Bitwise ops: t is the result's known bits (already at width w). */
static struct rng rng_and(unsigned w, struct rng a, struct rng b, struct tnum t)
{
	struct rng r = rng_full(w);
	r.umin = t.value;
	r.umax = a.umax < b.umax ? a.umax : b.umax;
	/* A non-negative operand bounds the result to [0, itself]. */
	if (a.smin >= 0 || b.smin >= 0) {
		r.smin = 0;
		int64_t m = smax_w(w);
		if (a.smin >= 0 && a.smax < m)
			m = a.smax;
		if (b.smin >= 0 && b.smax < m)
			m = b.smax;
		r.smax = m;
	}
	return r;
}

static struct rng rng_or(unsigned w, struct rng a, struct rng b, struct tnum t)
{
	struct rng r = rng_full(w);
	r.umin = a.umin > b.umin ? a.umin : b.umin;
	r.umax = t.value | t.mask;
	if (a.smin >= 0 && b.smin >= 0) {
		r.smin = a.smin > b.smin ? a.smin : b.smin;
		r.smax = (int64_t)r.umax;
	}
	return r;
}

static struct rng rng_xor(unsigned w, struct rng a, struct rng b, struct tnum t)
{
	struct rng r = rng_full(w);
	r.umin = t.value;
	r.umax = t.value | t.mask;
	if (a.smin >= 0 && b.smin >= 0) {
		r.smin = 0;
		r.smax = (int64_t)r.umax;
	}
	return r;
}

static struct rng rng_lsh(unsigned w, struct rng a, unsigned k)
{
	struct rng r = rng_full(w);
	if (a.umax <= (umax_w(w) >> k)) {
		r.umin = a.umin << k;
		r.umax = a.umax << k;
	}
	return r;
}

static struct rng rng_rsh(unsigned w, struct rng a, unsigned k)
{
	struct rng r = rng_full(w);
	r.umin = a.umin >> k;
	r.umax = a.umax >> k;
	return r;
}

static struct rng rng_arsh(unsigned w, struct rng a, unsigned k)
{
	struct rng r = rng_full(w);
	r.smin = a.smin >> k; /* arithmetic shift: gcc defines it */
	r.smax = a.smax >> k;
	return r;
}

/* Unsigned division and modulo with the ISA's rules for 0 (x/0 = 0, x%0 = x). */
static struct rng rng_div(unsigned w, struct rng a, struct rng b)
{
	struct rng r = rng_full(w);
	if (b.umin >= 1) {
		r.umin = a.umin / b.umax;
		r.umax = a.umax / b.umin;
	} else {
		r.umax = a.umax;
	}
	return r;
}

static struct rng rng_mod(unsigned w, struct rng a, struct rng b)
{
	struct rng r = rng_full(w);
	if (a.umax < b.umin) /* a % b == a */
		return a;
	r.umax = a.umax;
	if (b.umin >= 1 && b.umax - 1 < r.umax)
		r.umax = b.umax - 1;
	return r;
}

static int64_t sext_w(unsigned w, uint64_t v) { return w == 64 ? (int64_t)v : (int32_t)(uint32_t)v; }

/* Signed division by a constant; anything else is unknown. */
static struct rng rng_sdiv(unsigned w, struct rng a, bool b_const, int64_t b)
{
	struct rng r = rng_full(w);
	if (!b_const)
		return r;
	if (b == 0) {
		r = (struct rng){ 0, 0, 0, 0 };
	} else if (b == -1) {
		if (a.smin != smin_w(w)) {
			r.smin = -a.smax;
			r.smax = -a.smin;
		}
	} else if (b > 0) {
		r.smin = a.smin / b;
		r.smax = a.smax / b;
	} else {
		r.smin = a.smax / b;
		r.smax = a.smin / b;
	}
	return r;
}

static struct rng rng_smod(unsigned w, struct rng a, bool b_const, int64_t b)
{
	struct rng r = rng_full(w);
	if (!b_const || b == smin_w(w))
		return r;
	if (b == 0)
		return a;
	if (b == -1 || b == 1)
		return (struct rng){ 0, 0, 0, 0 };
	int64_t m = (b < 0 ? -b : b) - 1;
	if (a.smin >= 0) {
		r.smin = 0;
		r.smax = a.smax < m ? a.smax : m;
	} else if (a.smax <= 0) {
		r.smin = a.smin > -m ? a.smin : -m;
		r.smax = 0;
	} else {
		r.smin = -m;
		r.smax = m;
	}
	return r;
}

/* --- registers --- */

void reg_mark_unbounded(struct vreg *r)
{
	r->smin = INT64_MIN;
	r->smax = INT64_MAX;
	r->umin = 0;
	r->umax = UINT64_MAX;
	r->s32_min = INT32_MIN;
	r->s32_max = INT32_MAX;
	r->u32_min = 0;
	r->u32_max = UINT32_MAX;
}

void reg_mark_unknown(struct vreg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR;
	r->var_off = tnum_unknown;
	reg_mark_unbounded(r);
}

void reg_mark_known(struct vreg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR;
	r->var_off = tnum_const(v);
	r->umin = r->umax = v;
	r->smin = r->smax = (int64_t)v;
	r->u32_min = r->u32_max = (uint32_t)v;
	r->s32_min = r->s32_max = (int32_t)(uint32_t)v;
}

bool reg_is_const(const struct vreg *r, bool is32)
{
	return r->type == SCALAR && (is32 ? tnum_subreg_is_const(r->var_off) : tnum_is_const(r->var_off));
}

uint64_t reg_const(const struct vreg *r, bool is32)
{
	return is32 ? (uint32_t)r->var_off.value : r->var_off.value;
}

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* Bounds implied by the known bits. */
static void update_bounds(struct vreg *r)
{
	struct tnum t32 = tnum_subreg(r->var_off);
	r->s32_min = MAX(r->s32_min, (int32_t)(uint32_t)(t32.value | (t32.mask & 0x80000000u)));
	r->s32_max = MIN(r->s32_max, (int32_t)(uint32_t)(t32.value | (t32.mask & 0x7fffffffu)));
	r->u32_min = MAX(r->u32_min, (uint32_t)t32.value);
	r->u32_max = MIN(r->u32_max, (uint32_t)(t32.value | t32.mask));

	r->smin = MAX(r->smin, (int64_t)(r->var_off.value | (r->var_off.mask & (1ull << 63))));
	r->smax = MIN(r->smax, (int64_t)(r->var_off.value | (r->var_off.mask & INT64_MAX)));
	r->umin = MAX(r->umin, r->var_off.value);
	r->umax = MIN(r->umax, r->var_off.value | r->var_off.mask);

	/* Ends of the ranges that no value with the known bits reaches move inwards. */
	uint64_t v;
	if (r->umin <= r->umax) {
		if (!tnum_min_ge(r->var_off, r->umin, &v) || v > r->umax) {
			r->umin = 1, r->umax = 0; /* no value left: an impossible path */
			return;
		}
		r->umin = v;
		if (tnum_max_le(r->var_off, r->umax, &v))
			r->umax = v;
	}
	if (r->u32_min <= r->u32_max) {
		if (!tnum_min_ge(t32, r->u32_min, &v) || v > r->u32_max) {
			r->u32_min = 1, r->u32_max = 0;
			return;
		}
		r->u32_min = (uint32_t)v;
		if (tnum_max_le(t32, r->u32_max, &v))
			r->u32_max = (uint32_t)v;
	}
}

/* 32-bit bounds from 64-bit ones and from each other (Linux's __reg32_deduce_bounds). */
static void deduce32(struct vreg *r)
{
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32_min = MAX(r->u32_min, (uint32_t)r->umin);
		r->u32_max = MIN(r->u32_max, (uint32_t)r->umax);
		if ((int32_t)(uint32_t)r->umin <= (int32_t)(uint32_t)r->umax) {
			r->s32_min = MAX(r->s32_min, (int32_t)(uint32_t)r->umin);
			r->s32_max = MIN(r->s32_max, (int32_t)(uint32_t)r->umax);
		}
	}
	if ((r->smin >> 32) == (r->smax >> 32)) {
		if ((uint32_t)r->smin <= (uint32_t)r->smax) {
			r->u32_min = MAX(r->u32_min, (uint32_t)r->smin);
			r->u32_max = MIN(r->u32_max, (uint32_t)r->smax);
		}
		if ((int32_t)(uint32_t)r->smin <= (int32_t)(uint32_t)r->smax) {
			r->s32_min = MAX(r->s32_min, (int32_t)(uint32_t)r->smin);
			r->s32_max = MIN(r->s32_max, (int32_t)(uint32_t)r->smax);
		}
	}
	/* Upper halves two consecutive numbers, lower halves crossing 0 as s32. */
	if ((uint32_t)(r->umin >> 32) + 1 == (uint32_t)(r->umax >> 32) &&
	    (int32_t)(uint32_t)r->umin < 0 && (int32_t)(uint32_t)r->umax >= 0) {
		r->s32_min = MAX(r->s32_min, (int32_t)(uint32_t)r->umin);
		r->s32_max = MIN(r->s32_max, (int32_t)(uint32_t)r->umax);
	}
	if ((uint32_t)((uint64_t)r->smin >> 32) + 1 == (uint32_t)((uint64_t)r->smax >> 32) &&
	    (int32_t)(uint32_t)r->smin < 0 && (int32_t)(uint32_t)r->smax >= 0) {
		r->s32_min = MAX(r->s32_min, (int32_t)(uint32_t)r->smin);
		r->s32_max = MIN(r->s32_max, (int32_t)(uint32_t)r->smax);
	}
	if ((int32_t)r->u32_min <= (int32_t)r->u32_max) {
		r->s32_min = MAX(r->s32_min, (int32_t)r->u32_min);
		r->s32_max = MIN(r->s32_max, (int32_t)r->u32_max);
	}
	if ((uint32_t)r->s32_min <= (uint32_t)r->s32_max) {
		r->u32_min = MAX(r->u32_min, (uint32_t)r->s32_min);
		r->u32_max = MIN(r->u32_max, (uint32_t)r->s32_max);
	}
}

/* Signed from unsigned and back (Linux's __reg64_deduce_bounds). */
static void deduce64(struct vreg *r)
{
	if ((int64_t)r->umin <= (int64_t)r->umax) {
		r->smin = MAX(r->smin, (int64_t)r->umin);
		r->smax = MIN(r->smax, (int64_t)r->umax);
	}
	if ((uint64_t)r->smin <= (uint64_t)r->smax) {
		r->umin = MAX(r->umin, (uint64_t)r->smin);
		r->umax = MIN(r->umax, (uint64_t)r->smax);
	} else {
		/* The signed range wraps through the unsigned one's ends. */
		if (r->umax < (uint64_t)r->smin) {
			r->smin = (int64_t)r->umin;
			r->umax = MIN(r->umax, (uint64_t)r->smax);
		} else if ((uint64_t)r->smax < r->umin) {
			r->smax = (int64_t)r->umax;
			r->umin = MAX(r->umin, (uint64_t)r->smin);
		}
	}
}

/* 64-bit bounds from 32-bit knowledge (Linux's __reg_deduce_mixed_bounds). */
static void deduce_mixed(struct vreg *r)
{
	uint64_t nu_min = (r->umin & ~0xffffffffull) | r->u32_min;
	uint64_t nu_max = (r->umax & ~0xffffffffull) | r->u32_max;
	r->umin = MAX(r->umin, nu_min);
	r->umax = MIN(r->umax, nu_max);
	int64_t ns_min = (int64_t)(((uint64_t)r->smin & ~0xffffffffull) | r->u32_min);
	int64_t ns_max = (int64_t)(((uint64_t)r->smax & ~0xffffffffull) | r->u32_max);
	r->smin = MAX(r->smin, ns_min);
	r->smax = MIN(r->smax, ns_max);
	if (r->s32_min >= 0 && r->smin >= INT32_MIN && r->smax <= INT32_MAX) {
		r->smin = r->s32_min;
		r->smax = r->s32_max;
		r->umin = (uint64_t)r->s32_min;
		r->umax = (uint64_t)r->s32_max;
		r->var_off = tnum_intersect(r->var_off, tnum_range((uint64_t)r->smin, (uint64_t)r->smax));
	}
}

static void bound_offset(struct vreg *r)
{
	struct tnum t64 = tnum_intersect(r->var_off, tnum_range(r->umin, r->umax));
	struct tnum t32 = tnum_intersect(tnum_subreg(t64), tnum_range(r->u32_min, r->u32_max));
	r->var_off = tnum_or(tnum_clear_subreg(t64), t32);
}

void reg_bounds_sync(struct vreg *r)
{
	update_bounds(r);
	for (int i = 0; i < 2; i++) {
		deduce32(r);
		deduce64(r);
		deduce_mixed(r);
	}
	bound_offset(r);
	update_bounds(r);
}

bool reg_bounds_empty(const struct vreg *r)
{
	if (r->umin > r->umax || r->smin > r->smax || r->u32_min > r->u32_max || r->s32_min > r->s32_max)
		return true;
	/* Known bits outside the range. */
	if (r->var_off.value > r->umax || (r->var_off.value | r->var_off.mask) < r->umin)
		return true;
	if (tnum_is_const(r->var_off) && (r->umin != r->var_off.value || r->umax != r->var_off.value))
		return true;
	return false;
}

void reg_coerce_zext(struct vreg *r, unsigned size)
{
	if (size >= 8)
		return;
	r->var_off = tnum_cast(r->var_off, size);
	uint64_t mask = (1ull << (size * 8)) - 1;
	if ((r->umin & ~mask) == (r->umax & ~mask)) {
		r->umin &= mask;
		r->umax &= mask;
	} else {
		r->umin = 0;
		r->umax = mask;
	}
	r->smin = (int64_t)r->umin;
	r->smax = (int64_t)r->umax;
	if (size < 4) {
		r->s32_min = INT32_MIN;
		r->s32_max = INT32_MAX;
		r->u32_min = 0;
		r->u32_max = UINT32_MAX;
	}
	reg_bounds_sync(r);
}

void reg_coerce_sext(struct vreg *r, unsigned size)
{
	if (size >= 8)
		return;
	unsigned bits = size * 8;
	int64_t lo = -(1ll << (bits - 1)), hi = (1ll << (bits - 1)) - 1;
	if (tnum_is_const(r->var_off)) {
		uint64_t v = r->var_off.value;
		reg_mark_known(r, (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits)));
		return;
	}
	struct tnum t = tnum_sext(tnum_cast(r->var_off, size), bits);
	int64_t smin = lo, smax = hi;
	uint64_t mask = (1ull << bits) - 1;
	if (r->smin >= lo && r->smax <= hi) {
		smin = r->smin; /* already in range: extension changes nothing */
		smax = r->smax;
	} else if ((r->umin & ~mask) == (r->umax & ~mask)) {
		uint64_t a = r->umin & mask, b = r->umax & mask, sign = 1ull << (bits - 1);
		if ((a & sign) == (b & sign)) {
			smin = (int64_t)(a << (64 - bits)) >> (64 - bits);
			smax = (int64_t)(b << (64 - bits)) >> (64 - bits);
		}
	}
	reg_mark_unbounded(r);
	r->var_off = t;
	r->smin = smin;
	r->smax = smax;
	reg_bounds_sync(r);
}

static bool is_div(enum op_id op)
{
	switch (op) {
	case OP_DIV64_IMM: case OP_DIV64_REG: case OP_DIV32_IMM: case OP_DIV32_REG:
		return true;
	default:
		return false;
	}
}

/* The operation of an ALU op id, independent of width and source kind. */
enum aop { A_ADD, A_SUB, A_MUL, A_DIV, A_SDIV, A_OR, A_AND, A_LSH, A_RSH, A_NEG, A_MOD, A_SMOD,
	   A_XOR, A_ARSH, A_OTHER };

static enum aop aop_of(enum op_id op)
{
	switch (op) {
	case OP_ADD64_IMM: case OP_ADD64_REG: case OP_ADD32_IMM: case OP_ADD32_REG: return A_ADD;
	case OP_SUB64_IMM: case OP_SUB64_REG: case OP_SUB32_IMM: case OP_SUB32_REG: return A_SUB;
	case OP_MUL64_IMM: case OP_MUL64_REG: case OP_MUL32_IMM: case OP_MUL32_REG: return A_MUL;
	case OP_SDIV64_IMM: case OP_SDIV64_REG: case OP_SDIV32_IMM: case OP_SDIV32_REG: return A_SDIV;
	case OP_OR64_IMM: case OP_OR64_REG: case OP_OR32_IMM: case OP_OR32_REG: return A_OR;
	case OP_AND64_IMM: case OP_AND64_REG: case OP_AND32_IMM: case OP_AND32_REG: return A_AND;
	case OP_LSH64_IMM: case OP_LSH64_REG: case OP_LSH32_IMM: case OP_LSH32_REG: return A_LSH;
	case OP_RSH64_IMM: case OP_RSH64_REG: case OP_RSH32_IMM: case OP_RSH32_REG: return A_RSH;
	case OP_NEG64: case OP_NEG32: return A_NEG;
	case OP_MOD64_IMM: case OP_MOD64_REG: case OP_MOD32_IMM: case OP_MOD32_REG: return A_MOD;
	case OP_SMOD64_IMM: case OP_SMOD64_REG: case OP_SMOD32_IMM: case OP_SMOD32_REG: return A_SMOD;
	case OP_XOR64_IMM: case OP_XOR64_REG: case OP_XOR32_IMM: case OP_XOR32_REG: return A_XOR;
	case OP_ARSH64_IMM: case OP_ARSH64_REG: case OP_ARSH32_IMM: case OP_ARSH32_REG: return A_ARSH;
	default: return is_div(op) ? A_DIV : A_OTHER;
	}
}

/*
 * One operation at width w on ranges a, b and known bits ta, tb (both at
 * width w). Sets *t and returns the range; *low32_ok tells whether, for
 * w = 64, the low 32 bits of the result are the same operation on the low
 * 32 bits of the operands (then the caller computes them that way too).
 */
static struct rng alu_w(unsigned w, enum aop op, struct rng a, struct tnum ta, struct rng b,
			struct tnum tb, bool b_const, struct tnum *t)
{
	uint64_t wmask = umax_w(w);
	unsigned k = (unsigned)(tb.value & (w - 1));
	struct rng r = rng_full(w);
	*t = tnum_unknown;
	switch (op) {
	case A_ADD: *t = tnum_add(ta, tb); r = rng_add(w, a, b); break;
	case A_SUB: *t = tnum_sub(ta, tb); r = rng_sub(w, a, b); break;
	case A_NEG: {
		struct rng z = { 0, 0, 0, 0 };
		*t = tnum_sub(tnum_const(0), ta);
		r = rng_sub(w, z, a);
		break;
	}
	case A_MUL: *t = tnum_mul(ta, tb); r = rng_mul(w, a, b); break;
	case A_AND: *t = tnum_and(ta, tb); r = rng_and(w, a, b, *t); break;
	case A_OR: *t = tnum_or(ta, tb); r = rng_or(w, a, b, *t); break;
	case A_XOR: *t = tnum_xor(ta, tb); r = rng_xor(w, a, b, *t); break;
	case A_LSH:
		if (b_const) {
			*t = tnum_lshift(ta, k);
			r = rng_lsh(w, a, k);
		}
		break;
	case A_RSH:
		if (b_const) {
			*t = tnum_rshift(ta, k);
			r = rng_rsh(w, a, k);
		} else {
			r.umax = a.umax; /* shifting right never grows */
		}
		break;
	case A_ARSH:
		if (b_const) {
			*t = tnum_arshift(ta, k, w);
			r = rng_arsh(w, a, k);
		} else {
			r.smin = a.smin < 0 ? a.smin : 0;
			r.smax = a.smax > 0 ? a.smax : 0;
		}
		break;
	case A_DIV: r = rng_div(w, a, b); break;
	case A_MOD:
		r = rng_mod(w, a, b);
		if (a.umax < b.umin)
			*t = ta; /* a % b == a */
		break;
	case A_SDIV: r = rng_sdiv(w, a, b_const, sext_w(w, tb.value)); break;
	case A_SMOD: r = rng_smod(w, a, b_const, sext_w(w, tb.value)); break;
	default: break;
	}
	t->value &= wmask;
	t->mask &= wmask;
	return r;
}

/* Operations whose low 32 result bits depend only on the operands' low 32 bits. */
static bool low32_closed(enum aop op, bool b_const, unsigned k)
{
	switch (op) {
	case A_ADD: case A_SUB: case A_NEG: case A_MUL: case A_AND: case A_OR: case A_XOR:
		return true;
	case A_LSH:
		return b_const && k < 32;
	default:
		return false;
	}
}

void scalar_alu(struct vreg *dst, const struct vreg *src, enum op_id op, bool is32)
{
	enum aop a = aop_of(op);
	struct tnum t;
	if (is32) {
		bool bc = tnum_subreg_is_const(src->var_off);
		struct rng r = alu_w(32, a, rng32(dst), tnum_subreg(dst->var_off), rng32(src),
				     tnum_subreg(src->var_off), bc, &t);
		dst->var_off = t;
		dst->u32_min = (uint32_t)r.umin;
		dst->u32_max = (uint32_t)r.umax;
		dst->s32_min = (int32_t)r.smin;
		dst->s32_max = (int32_t)r.smax;
		/* zero-extension: the 64-bit value is the unsigned 32-bit one */
		dst->umin = r.umin;
		dst->umax = r.umax;
		dst->smin = (int64_t)r.umin;
		dst->smax = (int64_t)r.umax;
		reg_bounds_sync(dst);
		return;
	}
	bool bc = tnum_is_const(src->var_off);
	unsigned k = (unsigned)(src->var_off.value & 63);
	struct rng r32 = rng_full(32);
	struct tnum t32;
	if (low32_closed(a, bc, k))
		r32 = alu_w(32, a, rng32(dst), tnum_subreg(dst->var_off), rng32(src),
			    tnum_subreg(src->var_off), tnum_subreg_is_const(src->var_off), &t32);
	struct rng r = alu_w(64, a, rng64(dst), dst->var_off, rng64(src), src->var_off, bc, &t);
	dst->var_off = t;
	dst->umin = r.umin;
	dst->umax = r.umax;
	dst->smin = r.smin;
	dst->smax = r.smax;
	dst->u32_min = (uint32_t)r32.umin;
	dst->u32_max = (uint32_t)r32.umax;
	dst->s32_min = (int32_t)r32.smin;
	dst->s32_max = (int32_t)r32.smax;
	reg_bounds_sync(dst);
}

/* --- branches --- */

static struct rng rng_of(const struct vreg *r, bool is32) { return is32 ? rng32(r) : rng64(r); }
static struct tnum tn_of(const struct vreg *r, bool is32) { return is32 ? tnum_subreg(r->var_off) : r->var_off; }

/* The condition of a jump op: its comparison, independent of width and source kind. */
enum cmp { C_EQ, C_NE, C_GT, C_GE, C_LT, C_LE, C_SGT, C_SGE, C_SLT, C_SLE, C_SET, C_NSET, C_NONE };

static enum cmp cmp_of(enum op_id op)
{
	switch (op) {
	case OP_JEQ_IMM: case OP_JEQ_REG: case OP_JEQ32_IMM: case OP_JEQ32_REG: return C_EQ;
	case OP_JNE_IMM: case OP_JNE_REG: case OP_JNE32_IMM: case OP_JNE32_REG: return C_NE;
	case OP_JGT_IMM: case OP_JGT_REG: case OP_JGT32_IMM: case OP_JGT32_REG: return C_GT;
	case OP_JGE_IMM: case OP_JGE_REG: case OP_JGE32_IMM: case OP_JGE32_REG: return C_GE;
	case OP_JLT_IMM: case OP_JLT_REG: case OP_JLT32_IMM: case OP_JLT32_REG: return C_LT;
	case OP_JLE_IMM: case OP_JLE_REG: case OP_JLE32_IMM: case OP_JLE32_REG: return C_LE;
	case OP_JSGT_IMM: case OP_JSGT_REG: case OP_JSGT32_IMM: case OP_JSGT32_REG: return C_SGT;
	case OP_JSGE_IMM: case OP_JSGE_REG: case OP_JSGE32_IMM: case OP_JSGE32_REG: return C_SGE;
	case OP_JSLT_IMM: case OP_JSLT_REG: case OP_JSLT32_IMM: case OP_JSLT32_REG: return C_SLT;
	case OP_JSLE_IMM: case OP_JSLE_REG: case OP_JSLE32_IMM: case OP_JSLE32_REG: return C_SLE;
	case OP_JSET_IMM: case OP_JSET_REG: case OP_JSET32_IMM: case OP_JSET32_REG: return C_SET;
	default: return C_NONE;
	}
}

static enum cmp cmp_negate(enum cmp c)
{
	static const enum cmp neg[] = { [C_EQ] = C_NE, [C_NE] = C_EQ, [C_GT] = C_LE, [C_GE] = C_LT,
		[C_LT] = C_GE, [C_LE] = C_GT, [C_SGT] = C_SLE, [C_SGE] = C_SLT, [C_SLT] = C_SGE,
		[C_SLE] = C_SGT, [C_SET] = C_NSET, [C_NSET] = C_SET, [C_NONE] = C_NONE };
	return neg[c];
}

static int cmp_taken(enum cmp c, struct rng a, struct tnum ta, struct rng b, struct tnum tb)
{
	switch (c) {
	case C_EQ:
		if (tnum_is_const(ta) && tnum_is_const(tb))
			return ta.value == tb.value;
		if (tnum_conflict(ta, tb) || a.umin > b.umax || a.umax < b.umin ||
		    a.smin > b.smax || a.smax < b.smin)
			return 0;
		return -1;
	case C_NE: {
		int r = cmp_taken(C_EQ, a, ta, b, tb);
		return r < 0 ? r : !r;
	}
	case C_SET:
		if (ta.value & tb.value)
			return 1;
		if (!((ta.value | ta.mask) & (tb.value | tb.mask)))
			return 0;
		return -1;
	case C_NSET: {
		int r = cmp_taken(C_SET, a, ta, b, tb);
		return r < 0 ? r : !r;
	}
	case C_GT: return a.umin > b.umax ? 1 : a.umax <= b.umin ? 0 : -1;
	case C_GE: return a.umin >= b.umax ? 1 : a.umax < b.umin ? 0 : -1;
	case C_LT: return a.umax < b.umin ? 1 : a.umin >= b.umax ? 0 : -1;
	case C_LE: return a.umax <= b.umin ? 1 : a.umin > b.umax ? 0 : -1;
	case C_SGT: return a.smin > b.smax ? 1 : a.smax <= b.smin ? 0 : -1;
	case C_SGE: return a.smin >= b.smax ? 1 : a.smax < b.smin ? 0 : -1;
	case C_SLT: return a.smax < b.smin ? 1 : a.smin >= b.smax ? 0 : -1;
	case C_SLE: return a.smax <= b.smin ? 1 : a.smin > b.smax ? 0 : -1;
	default: return -1;
	}
}

int scalar_branch_taken(const struct vreg *a, const struct vreg *b, enum op_id op, bool is32)
{
	return cmp_taken(cmp_of(op), rng_of(a, is32), tn_of(a, is32), rng_of(b, is32), tn_of(b, is32));
}

/*
 * Narrow a and b to the values where `a c b` holds (Linux's
 * regs_refine_cond_op). Only called when the outcome is not already
 * decided, so the +-1 adjustments cannot wrap.
 */
static void refine(struct vreg *a, struct vreg *b, enum cmp c, bool is32)
{
	struct vreg *t;
	switch (c) {
	case C_GE: case C_GT: case C_SGE: case C_SGT:
		t = a; a = b; b = t;
		c = c == C_GE ? C_LE : c == C_GT ? C_LT : c == C_SGE ? C_SLE : C_SLT;
		break;
	default:
		break;
	}
	switch (c) {
	case C_EQ:
		if (is32) {
			a->u32_min = b->u32_min = MAX(a->u32_min, b->u32_min);
			a->u32_max = b->u32_max = MIN(a->u32_max, b->u32_max);
			a->s32_min = b->s32_min = MAX(a->s32_min, b->s32_min);
			a->s32_max = b->s32_max = MIN(a->s32_max, b->s32_max);
			struct tnum x = tnum_intersect(tnum_subreg(a->var_off), tnum_subreg(b->var_off));
			if (tnum_conflict(tnum_subreg(a->var_off), tnum_subreg(b->var_off)))
				a->u32_min = b->u32_min = 1, a->u32_max = b->u32_max = 0; /* empty */
			a->var_off = tnum_with_subreg(a->var_off, x);
			b->var_off = tnum_with_subreg(b->var_off, x);
		} else {
			a->umin = b->umin = MAX(a->umin, b->umin);
			a->umax = b->umax = MIN(a->umax, b->umax);
			a->smin = b->smin = MAX(a->smin, b->smin);
			a->smax = b->smax = MIN(a->smax, b->smax);
			bool bad = tnum_conflict(a->var_off, b->var_off);
			a->var_off = b->var_off = tnum_intersect(a->var_off, b->var_off);
			if (bad)
				a->umin = b->umin = 1, a->umax = b->umax = 0;
		}
		break;
	case C_NE:
		if (!reg_is_const(b, is32)) {
			t = a; a = b; b = t;
		}
		if (!reg_is_const(b, is32) || reg_is_const(a, is32))
			break;
		{
			uint64_t v = reg_const(b, is32);
			if (is32) {
				if (a->u32_min == (uint32_t)v) a->u32_min++;
				if (a->u32_max == (uint32_t)v) a->u32_max--;
				if (a->s32_min == (int32_t)(uint32_t)v) a->s32_min++;
				if (a->s32_max == (int32_t)(uint32_t)v) a->s32_max--;
			} else {
				if (a->umin == v) a->umin++;
				if (a->umax == v) a->umax--;
				if (a->smin == (int64_t)v) a->smin++;
				if (a->smax == (int64_t)v) a->smax--;
			}
		}
		break;
	case C_SET:
		if (!reg_is_const(b, is32)) {
			t = a; a = b; b = t;
		}
		if (!reg_is_const(b, is32))
			break;
		{
			uint64_t v = reg_const(b, is32);
			if (!v || (v & (v - 1)))
				break; /* several bits: which one is set is unknown */
			if (is32)
				a->var_off = tnum_with_subreg(a->var_off, tnum_or(tnum_subreg(a->var_off), tnum_const(v)));
			else
				a->var_off = tnum_or(a->var_off, tnum_const(v));
		}
		break;
	case C_NSET:
		if (!reg_is_const(b, is32)) {
			t = a; a = b; b = t;
		}
		if (!reg_is_const(b, is32))
			break;
		{
			uint64_t v = reg_const(b, is32);
			/* Forget ranges first: narrowing bits on an impossible path could contradict them. */
			if (is32) {
				a->var_off = tnum_with_subreg(a->var_off,
							      tnum_and(tnum_subreg(a->var_off), tnum_const(~v)));
				a->u32_min = 0; a->u32_max = UINT32_MAX;
				a->s32_min = INT32_MIN; a->s32_max = INT32_MAX;
				/* The upper half is untouched, but the 64-bit ranges spoke of the low bits too. */
				a->umin = 0; a->umax = UINT64_MAX; a->smin = INT64_MIN; a->smax = INT64_MAX;
			} else {
				reg_mark_unbounded(a);
				a->var_off = tnum_and(a->var_off, tnum_const(~v));
			}
		}
		break;
	case C_LE:
		if (is32) {
			a->u32_max = MIN(a->u32_max, b->u32_max);
			b->u32_min = MAX(a->u32_min, b->u32_min);
		} else {
			a->umax = MIN(a->umax, b->umax);
			b->umin = MAX(a->umin, b->umin);
		}
		break;
	case C_LT:
		if (is32) {
			a->u32_max = MIN(a->u32_max, b->u32_max - 1);
			b->u32_min = MAX(a->u32_min + 1, b->u32_min);
		} else {
			a->umax = MIN(a->umax, b->umax - 1);
			b->umin = MAX(a->umin + 1, b->umin);
		}
		break;
	case C_SLE:
		if (is32) {
			a->s32_max = MIN(a->s32_max, b->s32_max);
			b->s32_min = MAX(a->s32_min, b->s32_min);
		} else {
			a->smax = MIN(a->smax, b->smax);
			b->smin = MAX(a->smin, b->smin);
		}
		break;
	case C_SLT:
		if (is32) {
			a->s32_max = MIN(a->s32_max, b->s32_max - 1);
			b->s32_min = MAX(a->s32_min + 1, b->s32_min);
		} else {
			a->smax = MIN(a->smax, b->smax - 1);
			b->smin = MAX(a->smin + 1, b->smin);
		}
		break;
	default:
		break;
	}
}

void scalar_refine(struct vreg *a, struct vreg *b, enum op_id op, bool is32, bool taken)
{
	enum cmp c = cmp_of(op);
	if (!taken)
		c = cmp_negate(c);
	refine(a, b, c, is32);
	/* Contradictions survive syncing (it only narrows), and a real set is left consistent. */
	reg_bounds_sync(a);
	reg_bounds_sync(b);
}
