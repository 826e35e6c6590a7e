/* SPDX-License-Identifier: MIT */
/*
 * parse - walk the input as a stream of variable-length records shaped like
 * packets, as a classifier would: bounds checks, big-endian field loads,
 * per-protocol counters and a payload checksum on some records.
 *
 * Record layout (all multi-byte fields big-endian):
 *   0  u16 payload length (low 5 bits used, so any input parses)
 *   2  u8  protocol (low 3 bits index the counters)
 *   3  u8  flags (bit 0: payload carries a checksum to add up)
 *   4  u32 source address
 *   8  u16 port
 *  10  payload
 * The walk stops at the first record that does not fit.
 */
#include "bench_prog.h"

#define REC_HDR_LEN 10
#define REC_LEN_MASK 0x1f
#define REC_FLAG_CSUM 0x01
#define NPROTO 8

BENCH_INLINE uint32_t load_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

BENCH_INLINE uint32_t load_be32(const uint8_t *p)
{
	return load_be16(p) << 16 | load_be16(p + 2);
}

/* Ones'-complement sum of the payload as 16-bit words, as in IP checksums. */
BENCH_INLINE uint32_t payload_csum(const uint8_t *p, uint64_t n)
{
	uint32_t sum = 0;
	uint64_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += load_be16(p + i);
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

BENCH_ENTRY uint64_t parse(uint8_t *data, uint64_t len)
{
	uint32_t per_proto[NPROTO];
	uint64_t off = 0, csum = 0, src_xor = 0, records = 0, h;
	uint32_t max_port = 0;

	for (int i = 0; i < NPROTO; i++)
		per_proto[i] = 0;
	while (off + REC_HDR_LEN <= len) {
		const uint8_t *rec = data + off;
		uint64_t plen = load_be16(rec) & REC_LEN_MASK;
		uint32_t port;

		if (off + REC_HDR_LEN + plen > len)
			break;
		per_proto[rec[2] & (NPROTO - 1)]++;
		src_xor ^= load_be32(rec + 4);
		port = load_be16(rec + 8);
		if (port > max_port)
			max_port = port;
		if (rec[3] & REC_FLAG_CSUM)
			csum += payload_csum(rec + REC_HDR_LEN, plen);
		records++;
		off += REC_HDR_LEN + plen;
	}

	h = records;
	for (int i = 0; i < NPROTO; i++)
		h = h * 0x100000001b3ull ^ per_proto[i];
	return h ^ csum << 32 ^ src_xor << 16 ^ max_port;
}
