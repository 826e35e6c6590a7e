/* SPDX-License-Identifier: MIT */
/*
 * fnv1a - 64-bit FNV-1a over the whole input: one byte load, an xor and a
 * 64-bit multiply per byte, the simplest streaming loop there is.
 */
#include "bench_prog.h"

#define FNV64_OFFSET_BASIS 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

BENCH_ENTRY uint64_t fnv1a(uint8_t *data, uint64_t len)
{
	uint64_t h = FNV64_OFFSET_BASIS;

	for (uint64_t i = 0; i < len; i++) {
		h ^= data[i];
		h *= FNV64_PRIME;
	}
	return h;
}
