/* SPDX-License-Identifier: MIT */
/*
 * packet.c - packet helpers: bpf_csum_diff.
 */
#include <errno.h>
#include <string.h>
#include "helpers.h"

/*
 * bpf_csum_diff(from, from_size, to, to_size, seed): the one's-complement
 * sum of seed, the complement of each 32-bit word of from, and each word of
 * to, folded to 16 bits. Linux folds to 16 bits since it made the helper
 * return the same value on every architecture (6.12); the kernel oracle test
 * (tests/kernel/object_diff) checks we agree. Sizes are multiples of 4, at
 * most 512 bytes each.
 */
HELPER(bpf_csum_diff)
{
	if ((r2 | r4) & 3 || r2 > 512 || r4 > 512 || (!r1 && r2) || (!r3 && r4))
		return (uint64_t)-EINVAL;
	if (!helper_mem(ex, "bpf_csum_diff", 1, r1, r2, false) ||
	    !helper_mem(ex, "bpf_csum_diff", 3, r3, r4, false))
		return 0;
	uint64_t sum = (uint32_t)r5;
	for (uint64_t i = 0; i < r2; i += 4) {
		uint32_t w;
		memcpy(&w, (const uint8_t *)(uintptr_t)r1 + i, 4);
		sum += (uint32_t)~w;
	}
	for (uint64_t i = 0; i < r4; i += 4) {
		uint32_t w;
		memcpy(&w, (const uint8_t *)(uintptr_t)r3 + i, 4);
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

const struct helper_def helpers_packet[] = {
	{ 28, "bpf_csum_diff", bpf_csum_diff, HG_PKT, PROTO(RET_INTEGER, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 0 },
};
