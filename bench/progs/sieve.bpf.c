/* SPDX-License-Identifier: MIT */
/*
 * sieve - sieve of Eratosthenes in a bitset on the stack, then a fold of the
 * input bytes at prime offsets: stack reads and writes at computed indices.
 */
#include "bench_prog.h"

#define SIEVE_LIMIT 4096
/* One bit per odd number below the limit: 32 words, 256 bytes of stack. */
#define SIEVE_WORDS (SIEVE_LIMIT / 2 / 64)

/* Odd n lives at bit n / 2 of the set, so at word n / 128. */
BENCH_INLINE uint64_t is_composite(const uint64_t *set, uint64_t n)
{
	return set[n >> 7] >> ((n >> 1) & 63) & 1;
}

BENCH_ENTRY uint64_t sieve(uint8_t *data, uint64_t len)
{
	uint64_t set[SIEVE_WORDS];
	uint64_t acc;

	for (uint64_t i = 0; i < SIEVE_WORDS; i++)
		set[i] = 0;
	for (uint64_t p = 3; p * p < SIEVE_LIMIT; p += 2) {
		if (is_composite(set, p))
			continue;
		for (uint64_t m = p * p; m < SIEVE_LIMIT; m += 2 * p)
			set[m >> 7] |= 1ull << ((m >> 1) & 63);
	}

	/* The fold makes the result depend on the input, so it cannot be precomputed. */
	acc = len > 2 ? data[2] : 0;
	for (uint64_t n = 3; n < len && n < SIEVE_LIMIT; n += 2)
		if (!is_composite(set, n))
			acc = acc * 31 + data[n];
	return acc;
}
