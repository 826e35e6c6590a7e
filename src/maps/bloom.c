/* SPDX-License-Identifier: MIT */
/*
 * bloom.c - bloom filters, as the kernel's bloom_filter.c: push adds a
 * value, peek tests it (0: maybe present, -ENOENT: certainly absent).
 * There are no keys and nothing can be deleted.
 *
 * map_extra (low 4 bits) is the number of hash functions, 5 when 0. The bit
 * array has max_entries * hashes / ln 2 bits (ln 2 taken as 5/7), rounded up
 * to a power of two (at least 64, at most 2^32), as in the kernel. Bits are
 * set with atomic ORs, so pushes and peeks need no lock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "map_impl.h"

#define BLOOM_FLAGS (MF_NUMA_NODE | MF_ZERO_SEED | MF_ACCESS)

static int bloom_check(struct map_hdr *h, char *why, size_t len)
{
	if (h->key_size || !h->value_size || !h->max_entries) {
		snprintf(why, len, "a bloom filter has no key (key_size %u) and needs a value_size "
			 "and max_entries that are not 0", h->key_size);
		return -EINVAL;
	}
	if ((h->map_flags & ~BLOOM_FLAGS) || (h->map_extra & ~0xfull)) {
		snprintf(why, len, "map_flags 0x%x (allowed: 0x%x) or map_extra %llu (number of hash "
			 "functions, 0..15) not allowed", h->map_flags, BLOOM_FLAGS,
			 (unsigned long long)h->map_extra);
		return -EINVAL;
	}
	if (h->value_size > MAP_MAX_VALUE) {
		snprintf(why, len, "value_size %u is too large (at most %u)", h->value_size,
			 MAP_MAX_VALUE);
		return -E2BIG;
	}
	uint32_t nhash = h->map_extra ? (uint32_t)h->map_extra : 5;
	uint64_t bits = (uint64_t)h->max_entries * nhash / 5 * 7;
	if (bits > (1ull << 31)) {
		bits = 1ull << 32;
	} else {
		uint64_t p = 64;
		while (p < bits)
			p <<= 1;
		bits = p;
	}
	h->lay.aux = nhash;
	h->lay.mask = bits - 1;
	h->lay.tab_size = bits / 8;
	h->lay.elem_off = MAP_HDR_SIZE;
	h->lay.size = MAP_HDR_SIZE + bits / 8;
	return 0;
}

static void bloom_init(struct bpfrt_map *m)
{
	(void)m;
}

static uint64_t bit_of(struct bpfrt_map *m, const void *value, uint32_t i)
{
	return map_jhash(value, m->value_size, m->seed + i) & m->lay.mask;
}

static uint64_t *word_of(struct bpfrt_map *m, uint64_t bit)
{
	return (uint64_t *)map_at(m, m->lay.elem_off) + bit / 64;
}

static int bloom_push(struct bpfrt_map *m, const void *value, uint64_t flags, bool user)
{
	if (flags != BPFRT_ANY)
		return map_fail(m, user, -EINVAL, "push: a bloom filter only takes BPF_ANY, not "
				"flags 0x%llx", (unsigned long long)flags);
	for (uint32_t i = 0; i < m->lay.aux; i++) {
		uint64_t bit = bit_of(m, value, i);
		__atomic_fetch_or(word_of(m, bit), 1ull << (bit % 64), __ATOMIC_RELAXED);
	}
	return 0;
}

static int bloom_peek(struct bpfrt_map *m, void *value, bool user)
{
	for (uint32_t i = 0; i < m->lay.aux; i++) {
		uint64_t bit = bit_of(m, value, i);
		if (!(__atomic_load_n(word_of(m, bit), __ATOMIC_RELAXED) & (1ull << (bit % 64))))
			return map_note(m, user, -ENOENT, "peek: value is not in the filter");
	}
	return 0;
}

static int bloom_delete(struct bpfrt_map *m, const void *key, bool user)
{
	return map_fail(m, user, -EOPNOTSUPP, "delete: bloom filters cannot forget values");
}

static int bloom_get_next_key(struct bpfrt_map *m, const void *key, void *next)
{
	return map_fail(m, true, -EOPNOTSUPP, "get_next_key: a bloom filter has no keys");
}

const struct map_ops bloom_ops = {
	.check = bloom_check,
	.init = bloom_init,
	.delete = bloom_delete,
	.get_next_key = bloom_get_next_key,
	.push = bloom_push,
	.peek = bloom_peek,
};
