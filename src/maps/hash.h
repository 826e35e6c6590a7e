/* SPDX-License-Identifier: MIT */
/*
 * hash.h (internal to src/maps/) - the elements and buckets of hash maps,
 * shared by the table (hash.c) and element allocation (hash_alloc.c).
 *
 * Locks: each bucket has one; the map has one more for the free list and
 * the LRU list. A thread may take the alloc lock while holding a bucket
 * lock, never the other way round, and never two bucket locks: so there
 * is no lock order to get wrong.
 */
#ifndef BPFRT_MAPS_HASH_H
#define BPFRT_MAPS_HASH_H

#include "map_impl.h"
#include "shlock.h"

struct hbucket {
	uint32_t lock;
	uint32_t head; /* first element (index + 1), newest first, or 0 */
};

/*
 * Element states, changed under the alloc lock: free (in the free list),
 * allocated (being filled by an inserter), used (in a bucket; for LRU maps
 * also in the LRU list), evicting (taken off the LRU list by an evictor).
 */
enum { HE_FREE, HE_ALLOC, HE_USED, HE_EVICTING };

struct helem {
	uint32_t next;               /* next in the bucket */
	uint32_t hash;
	uint32_t lru_prev, lru_next; /* LRU list; the free list goes through lru_next */
	uint8_t state;               /* HE_* */
	uint8_t ref;                 /* LRU: used since the eviction scan last passed */
	uint8_t pad[2];
	uint32_t pad2;
	/* key at lay.key_off, value at lay.value_off */
};
_Static_assert(sizeof(struct helem) == 24, "hash element header");

static inline bool hash_is_lru(const struct bpfrt_map *m)
{
	return m->type == BPFRT_MAP_TYPE_LRU_HASH || m->type == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
}

/* The element with this index, or NULL for 0 and (in a corrupt map) out of range. */
static inline struct helem *helem_at(const struct bpfrt_map *m, uint32_t idx)
{
	if (!idx || idx > m->lay.nelems)
		return NULL;
	return map_at(m, m->lay.elem_off + (uint64_t)(idx - 1) * m->lay.elem_size);
}

static inline void *helem_key(const struct bpfrt_map *m, struct helem *e)
{
	return (uint8_t *)e + m->lay.key_off;
}

static inline void *helem_value(const struct bpfrt_map *m, struct helem *e)
{
	return (uint8_t *)e + m->lay.value_off;
}

static inline struct hbucket *hbucket_of(const struct bpfrt_map *m, uint32_t hash)
{
	return (struct hbucket *)map_at(m, m->lay.tab_off) + (hash & (m->lay.nbuckets - 1));
}

/* Unlink idx from its bucket (the caller holds the bucket lock); false if not there. */
bool hash_unlink(struct bpfrt_map *m, struct hbucket *b, uint32_t idx);

/* hash_alloc.c */
void hash_alloc_init(struct bpfrt_map *m);
/* A free element (LRU maps: evicting one when none is free), or 0. No bucket lock held. */
uint32_t hash_alloc(struct bpfrt_map *m);
/* Give back an element that was never linked into a bucket. */
void hash_free(struct bpfrt_map *m, uint32_t idx);
/* A new element was linked into a bucket (whose lock is held): LRU maps list it. */
void hash_linked(struct bpfrt_map *m, uint32_t idx);
/* An element was unlinked from a bucket (whose lock is held): free it. */
void hash_unlinked(struct bpfrt_map *m, uint32_t idx);
/* A program used the element: LRU maps keep it longer. */
static inline void hash_touch(const struct bpfrt_map *m, struct helem *e)
{
	if (hash_is_lru(m) && !__atomic_load_n(&e->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&e->ref, 1, __ATOMIC_RELAXED);
}

#endif
