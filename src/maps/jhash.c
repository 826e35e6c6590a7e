/* SPDX-License-Identifier: MIT */
/*
 * jhash.c - Bob Jenkins' lookup3 hash, as the kernel's jhash(): what its
 * hash maps and bloom filters hash keys and values with.
 */
#include <string.h>
#include "map_impl.h"

static inline uint32_t rol32(uint32_t w, unsigned s)
{
	return (w << s) | (w >> ((32 - s) & 31));
}

#define JHASH_MIX(a, b, c) do {                          \
	a -= c; a ^= rol32(c, 4);  c += b;               \
	b -= a; b ^= rol32(a, 6);  a += c;               \
	c -= b; c ^= rol32(b, 8);  b += a;               \
	a -= c; a ^= rol32(c, 16); c += b;               \
	b -= a; b ^= rol32(a, 19); a += c;               \
	c -= b; c ^= rol32(b, 4);  b += a;               \
} while (0)

#define JHASH_FINAL(a, b, c) do {                        \
	c ^= b; c -= rol32(b, 14);                       \
	a ^= c; a -= rol32(c, 11);                       \
	b ^= a; b -= rol32(a, 25);                       \
	c ^= b; c -= rol32(b, 16);                       \
	a ^= c; a -= rol32(c, 4);                        \
	b ^= a; b -= rol32(a, 14);                       \
	c ^= b; c -= rol32(b, 24);                       \
} while (0)

static inline uint32_t word(const uint8_t *k)
{
	uint32_t w;
	memcpy(&w, k, sizeof(w));
	return w;
}

uint32_t map_jhash(const void *key, uint32_t len, uint32_t seed)
{
	const uint8_t *k = key;
	uint32_t a, b, c;
	a = b = c = 0xdeadbeef + len + seed;
	while (len > 12) {
		a += word(k);
		b += word(k + 4);
		c += word(k + 8);
		JHASH_MIX(a, b, c);
		len -= 12;
		k += 12;
	}
	/* the last 1..12 bytes, little-endian, as the kernel's switch adds them */
	uint8_t tail[12] = { 0 };
	if (!len)
		return c;
	memcpy(tail, k, len);
	a += (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
	     (uint32_t)tail[3] << 24;
	b += (uint32_t)tail[4] | (uint32_t)tail[5] << 8 | (uint32_t)tail[6] << 16 |
	     (uint32_t)tail[7] << 24;
	c += (uint32_t)tail[8] | (uint32_t)tail[9] << 8 | (uint32_t)tail[10] << 16 |
	     (uint32_t)tail[11] << 24;
	JHASH_FINAL(a, b, c);
	return c;
}
