/* SPDX-License-Identifier: MIT */
/*
 * sort - insertion sort of the input, 128 little-endian 16-bit keys at a time,
 * in an array on the stack: data-dependent inner loops and stack traffic.
 * The result is an order-sensitive hash of each sorted chunk.
 */
#include "bench_prog.h"

/* 256 bytes of stack */
#define SORT_KEYS 128

BENCH_INLINE void insertion_sort(uint16_t *keys, uint64_t n)
{
	for (uint64_t i = 1; i < n; i++) {
		uint16_t key = keys[i];
		uint64_t j = i;

		while (j > 0 && keys[j - 1] > key) {
			keys[j] = keys[j - 1];
			j--;
		}
		keys[j] = key;
	}
}

BENCH_ENTRY uint64_t sort(uint8_t *data, uint64_t len)
{
	uint16_t keys[SORT_KEYS];
	uint64_t acc = 0;

	for (uint64_t off = 0; off + 1 < len; off += 2 * SORT_KEYS) {
		uint64_t n = 0;

		while (n < SORT_KEYS && off + 2 * n + 1 < len) {
			keys[n] = data[off + 2 * n] | data[off + 2 * n + 1] << 8;
			n++;
		}
		insertion_sort(keys, n);
		for (uint64_t i = 0; i < n; i++)
			acc = acc * 0x100000001b3ull ^ keys[i];
	}
	return acc;
}
