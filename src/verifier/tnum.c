/* SPDX-License-Identifier: MIT */
/*
 * tnum.c - arithmetic on partially known values (see tnum.h). The add, sub
 * and mul rules are Linux's, whose soundness has been proven (Vishwanathan
 * et al., "Sound, Precise, and Fast Abstract Interpretation with Tristate
 * Numbers", CGO 2022).
 */
#include <stdio.h>
#include "tnum.h"

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max;
	if (!chi)
		return tnum_const(min);
	unsigned bits = 64 - (unsigned)__builtin_clzll(chi);
	if (bits > 63)
		return tnum_unknown;
	uint64_t delta = (1ull << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
	uint64_t sigma = sm + sv, chi = sigma ^ sv, mu = chi | a.mask | b.mask;
	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t chi = alpha ^ beta, mu = chi | a.mask | b.mask;
	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;
	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;
	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;
	return TNUM(v & ~mu, mu);
}

/* Long multiplication: add b shifted for every bit of a that may be 1. */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	uint64_t acc_v = a.value * b.value;
	struct tnum acc_m = TNUM(0, 0);
	while (a.value || a.mask) {
		if (a.value & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.mask));
		else if (a.mask & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.value | b.mask));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return tnum_add(TNUM(acc_v, 0), acc_m);
}

struct tnum tnum_lshift(struct tnum a, unsigned shift)
{
	return shift >= 64 ? tnum_const(0) : TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, unsigned shift)
{
	return shift >= 64 ? tnum_const(0) : TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits)
{
	if (bits == 32)
		return TNUM((uint32_t)((int32_t)(uint32_t)a.value >> (shift & 31)),
			    (uint32_t)((int32_t)(uint32_t)a.mask >> (shift & 31)));
	return TNUM((uint64_t)((int64_t)a.value >> (shift & 63)),
		    (uint64_t)((int64_t)a.mask >> (shift & 63)));
}

bool tnum_conflict(struct tnum a, struct tnum b)
{
	return ((a.value ^ b.value) & ~a.mask & ~b.mask) != 0;
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;
	return TNUM(v & ~mu, mu);
}

struct tnum tnum_cast(struct tnum a, unsigned size)
{
	if (size >= 8)
		return a;
	uint64_t keep = (1ull << (size * 8)) - 1;
	return TNUM(a.value & keep, a.mask & keep);
}

/*
 * With the sign bit known, both halves extend exactly; with it unknown the
 * upper bits become unknown (value's sign bit is then 0, so value extends
 * with zeros and mask with ones).
 */
struct tnum tnum_sext(struct tnum a, unsigned bits)
{
	if (bits >= 64)
		return a;
	unsigned sh = 64 - bits;
	return TNUM((uint64_t)((int64_t)(a.value << sh) >> sh), (uint64_t)((int64_t)(a.mask << sh) >> sh));
}

struct tnum tnum_bswap(struct tnum a, unsigned size)
{
	switch (size) {
	case 2: return TNUM(__builtin_bswap16((uint16_t)a.value), __builtin_bswap16((uint16_t)a.mask));
	case 4: return TNUM(__builtin_bswap32((uint32_t)a.value), __builtin_bswap32((uint32_t)a.mask));
	default: return TNUM(__builtin_bswap64(a.value), __builtin_bswap64(a.mask));
	}
}

/*
 * Take x's bits where a's are unknown: above the highest bit where this
 * differs from x, it equals x. If it is already above x, clearing the
 * unknown bits below that point gives the least; if below, the lowest
 * unknown bit above it that is 0 must become 1 (then the unknown bits below
 * it 0).
 */
bool tnum_min_ge(struct tnum a, uint64_t x, uint64_t *res)
{
	uint64_t y = a.value | (x & a.mask), diff = y ^ x;
	if (!diff) {
		*res = x;
		return true;
	}
	unsigned d = 63 - (unsigned)__builtin_clzll(diff);
	uint64_t below = d == 63 ? UINT64_MAX : (2ull << d) - 1;
	if (y & (1ull << d)) {
		*res = y & ~(a.mask & below);
		return true;
	}
	uint64_t cand = a.mask & ~y & ~below; /* unknown bits above d that are 0 */
	if (!cand)
		return false;
	uint64_t j = cand & -cand;
	*res = ((y | j) & ~(j - 1)) | (a.value & (j - 1));
	return true;
}

bool tnum_max_le(struct tnum a, uint64_t x, uint64_t *res)
{
	uint64_t y = a.value | (x & a.mask), diff = y ^ x;
	if (!diff) {
		*res = x;
		return true;
	}
	unsigned d = 63 - (unsigned)__builtin_clzll(diff);
	uint64_t below = d == 63 ? UINT64_MAX : (2ull << d) - 1;
	if (!(y & (1ull << d))) {
		*res = y | (a.mask & below);
		return true;
	}
	uint64_t cand = a.mask & y & ~below; /* unknown bits above d that are 1 */
	if (!cand)
		return false;
	uint64_t j = cand & -cand;
	*res = ((y & ~j) & ~(j - 1)) | ((a.value | a.mask) & (j - 1));
	return true;
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

bool tnum_is_aligned(struct tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

int tnum_str(char *buf, unsigned long len, struct tnum a)
{
	if (!a.mask)
		return snprintf(buf, len, "%#llx", (unsigned long long)a.value);
	return snprintf(buf, len, "(%#llx; %#llx)", (unsigned long long)a.value,
			(unsigned long long)a.mask);
}
