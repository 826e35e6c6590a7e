/* SPDX-License-Identifier: MIT */
/*
 * tnum.h (internal) - tristate numbers: what is known about the bits of a
 * 64-bit value, as Linux's kernel/bpf/tnum.c. A bit set in mask is unknown;
 * otherwise it equals the bit in value (value & mask is always 0).
 */
#ifndef BPFRT_VERIFIER_TNUM_H
#define BPFRT_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stdint.h>

struct tnum {
	uint64_t value;
	uint64_t mask;
};

#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })
static const struct tnum tnum_unknown = { 0, UINT64_MAX };

static inline struct tnum tnum_const(uint64_t v) { return TNUM(v, 0); }
static inline bool tnum_is_const(struct tnum a) { return !a.mask; }
static inline bool tnum_is_unknown(struct tnum a) { return !~a.mask; }
static inline bool tnum_equals_const(struct tnum a, uint64_t v) { return !a.mask && a.value == v; }
/* Low 32 bits only, upper bits known zero. */
static inline struct tnum tnum_subreg(struct tnum a) { return TNUM((uint32_t)a.value, (uint32_t)a.mask); }
static inline struct tnum tnum_clear_subreg(struct tnum a)
{
	return TNUM(a.value & ~0xffffffffull, a.mask & ~0xffffffffull);
}
/* Upper 32 bits of a with the low 32 bits of sub. */
static inline struct tnum tnum_with_subreg(struct tnum a, struct tnum sub)
{
	return TNUM((a.value & ~0xffffffffull) | (uint32_t)sub.value,
		    (a.mask & ~0xffffffffull) | (uint32_t)sub.mask);
}
static inline bool tnum_subreg_is_const(struct tnum a) { return !(uint32_t)a.mask; }

/* The smallest tnum holding every value in [min, max]. */
struct tnum tnum_range(uint64_t min, uint64_t max);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_lshift(struct tnum a, unsigned shift);
struct tnum tnum_rshift(struct tnum a, unsigned shift);
/* Arithmetic shift of the low `bits` (32 or 64) bits. */
struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits);
/* Both a and b hold: the known bits of either. *ok = false if they conflict. */
struct tnum tnum_intersect(struct tnum a, struct tnum b);
bool tnum_conflict(struct tnum a, struct tnum b);
/* Keep the low size bytes. */
struct tnum tnum_cast(struct tnum a, unsigned size);
/* Sign-extend the low `bits` bits. */
struct tnum tnum_sext(struct tnum a, unsigned bits);
/* Byte-swap the low size bytes (the rest become zero). */
struct tnum tnum_bswap(struct tnum a, unsigned size);
/*
 * The least value of a that is >= x (false if none), and the greatest that
 * is <= x: they tighten ranges with the known bits (e.g. a multiple of 4 that
 * is at least 21 is at least 24).
 */
bool tnum_min_ge(struct tnum a, uint64_t x, uint64_t *res);
bool tnum_max_le(struct tnum a, uint64_t x, uint64_t *res);
/* Every value of b is a value of a. */
bool tnum_in(struct tnum a, struct tnum b);
/* Every value is a multiple of size (a power of two). */
bool tnum_is_aligned(struct tnum a, uint64_t size);
/* "0x10" for constants, "(0x10; 0xf)" otherwise. */
int tnum_str(char *buf, unsigned long len, struct tnum a);

#endif
