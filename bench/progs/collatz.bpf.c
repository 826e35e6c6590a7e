/* SPDX-License-Identifier: MIT */
/*
 * collatz - Collatz chain lengths for 16-bit seeds taken from the input: a
 * tight, branchy ALU loop with almost no memory traffic, the interpreter's
 * dispatch cost laid bare.
 */
#include "bench_prog.h"

#define COLLATZ_MAX_SEEDS 512
/* No 16-bit seed needs more than 350 steps; the cap only bounds the loop. */
#define COLLATZ_MAX_STEPS 1024

BENCH_INLINE uint64_t collatz_steps(uint64_t n)
{
	uint64_t steps = 0;

	while (n != 1 && steps < COLLATZ_MAX_STEPS) {
		n = (n & 1) ? 3 * n + 1 : n >> 1;
		steps++;
	}
	return steps;
}

BENCH_ENTRY uint64_t collatz(uint8_t *data, uint64_t len)
{
	uint64_t total = 0, longest = 0;

	for (uint64_t i = 0; i < COLLATZ_MAX_SEEDS && 2 * i + 1 < len; i++) {
		/* +1: a seed of 0 would never reach 1 */
		uint64_t seed = ((uint64_t)data[2 * i] | (uint64_t)data[2 * i + 1] << 8) + 1;
		uint64_t steps = collatz_steps(seed);

		total += steps;
		if (steps > longest)
			longest = steps;
	}
	return total << 16 | longest;
}
