/* SPDX-License-Identifier: MIT */
/*
 * crc32 - CRC-32 (the zlib/Ethernet one: reflected polynomial 0xedb88320)
 * computed a bit at a time, without a table: eight shift/and/xor rounds per
 * byte, with 32-bit ALU operations throughout.
 */
#include "bench_prog.h"

#define CRC32_POLY 0xedb88320u

BENCH_ENTRY uint64_t crc32(uint8_t *data, uint64_t len)
{
	uint32_t crc = 0xffffffffu;

	for (uint64_t i = 0; i < len; i++) {
		crc ^= data[i];
		/* Branch-free: the mask is all ones exactly when the low bit is set. */
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (CRC32_POLY & -(crc & 1));
	}
	return ~crc;
}
