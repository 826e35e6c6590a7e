/* SPDX-License-Identifier: MIT */
/*
 * hash_alloc.c - where hash elements come from: all max_entries of them are
 * made with the map (as the kernel's preallocated maps; BPF_F_NO_PREALLOC
 * changes nothing) and wait in a free list, so a full map fails an insert
 * with -E2BIG, and a value's address stays inside the map forever.
 *
 * LRU maps keep the elements in use on a list, newest first, and when none
 * is free they evict one instead of failing: the "second chance" (CLOCK)
 * approximation of LRU that the kernel's LRU lists also use. A program's
 * lookup only sets the element's ref bit (no lock, no list move); eviction
 * scans from the oldest end, moves referenced elements back to the front
 * with the bit cleared, and takes the first unreferenced one. Unlike the
 * kernel, which refills per-CPU free lists by evicting a batch of up to 128
 * elements at a time, bpfrt evicts exactly one element per insertion into
 * a full map.
 *
 * An element being evicted leaves the LRU list (under the alloc lock)
 * before it leaves its bucket (under the bucket lock, taken after the alloc
 * lock is released). Its state, HE_EVICTING, tells a concurrent delete that
 * unlinks it first that the evictor owns it.
 *
 * The states also make the lists recoverable: when a process dies holding
 * the alloc lock, the next holder rebuilds them (see rebuild()).
 */
#include "hash.h"

static struct hash_state *st(struct bpfrt_map *m)
{
	return &m->hdr->st.hash;
}

static void rebuild(struct bpfrt_map *m);

/*
 * The alloc lock. Taken over from a process that died holding it, the
 * lists may be half-changed: they are rebuilt from the elements' states.
 */
static void alloc_lock(struct bpfrt_map *m)
{
	if (shlock_lock(&st(m)->alloc_lock))
		rebuild(m);
}

static void alloc_unlock(struct bpfrt_map *m)
{
	shlock_unlock(&st(m)->alloc_lock);
}

void hash_alloc_init(struct bpfrt_map *m)
{
	uint32_t n = m->lay.nelems;
	for (uint32_t i = 1; i <= n; i++) {
		struct helem *e = helem_at(m, i);
		e->lru_next = i < n ? i + 1 : 0;
		e->state = HE_FREE;
	}
	st(m)->free_head = n ? 1 : 0;
}

static uint32_t pop_free(struct bpfrt_map *m)
{
	uint32_t idx = st(m)->free_head;
	struct helem *e = helem_at(m, idx);
	if (!e) {
		st(m)->free_head = 0;
		return 0;
	}
	st(m)->free_head = e->lru_next;
	e->state = HE_ALLOC;
	return idx;
}

static void push_free(struct bpfrt_map *m, uint32_t idx, struct helem *e)
{
	e->state = HE_FREE;
	e->ref = 0;
	e->lru_next = st(m)->free_head;
	st(m)->free_head = idx;
}

static void lru_remove(struct bpfrt_map *m, struct helem *e)
{
	struct helem *prev = helem_at(m, e->lru_prev), *next = helem_at(m, e->lru_next);
	if (prev)
		prev->lru_next = e->lru_next;
	else
		st(m)->lru_head = e->lru_next;
	if (next)
		next->lru_prev = e->lru_prev;
	else
		st(m)->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = 0;
}

static void lru_push_head(struct bpfrt_map *m, uint32_t idx, struct helem *e)
{
	struct helem *head = helem_at(m, st(m)->lru_head);
	e->lru_prev = 0;
	e->lru_next = st(m)->lru_head;
	if (head)
		head->lru_prev = idx;
	else
		st(m)->lru_tail = idx;
	st(m)->lru_head = idx;
}

/*
 * Free elements go back to the free list, used ones (LRU maps) to the LRU
 * list, in index order: the recency a dead holder may have garbled is lost.
 * Elements some thread was allocating or evicting stay with that thread;
 * if it was the one that died, they are lost to the map.
 */
static void rebuild(struct bpfrt_map *m)
{
	st(m)->free_head = st(m)->lru_head = st(m)->lru_tail = 0;
	for (uint32_t idx = m->lay.nelems; idx; idx--) {
		struct helem *e = helem_at(m, idx);
		uint8_t state = __atomic_load_n(&e->state, __ATOMIC_RELAXED);
		if (state == HE_FREE) {
			e->lru_next = st(m)->free_head;
			st(m)->free_head = idx;
		} else if (state == HE_USED && hash_is_lru(m)) {
			lru_push_head(m, idx, e);
		}
	}
}

/* Pick the element to evict (alloc lock held): it leaves the LRU list. */
static uint32_t lru_pick_victim(struct bpfrt_map *m)
{
	for (uint32_t scanned = 0;; scanned++) {
		uint32_t idx = st(m)->lru_tail;
		struct helem *e = helem_at(m, idx);
		if (!e)
			return 0; /* everything is being evicted by other threads */
		if (__atomic_load_n(&e->ref, __ATOMIC_RELAXED) && scanned < m->lay.nelems) {
			__atomic_store_n(&e->ref, 0, __ATOMIC_RELAXED);
			lru_remove(m, e);
			lru_push_head(m, idx, e);
			continue;
		}
		lru_remove(m, e);
		e->state = HE_EVICTING;
		return idx;
	}
}

uint32_t hash_alloc(struct bpfrt_map *m)
{
	alloc_lock(m);
	uint32_t idx = pop_free(m);
	if (idx || !hash_is_lru(m)) {
		alloc_unlock(m);
		return idx;
	}
	idx = lru_pick_victim(m);
	alloc_unlock(m);
	struct helem *e = helem_at(m, idx);
	if (!e)
		return 0;
	struct hbucket *b = hbucket_of(m, e->hash);
	shlock_lock(&b->lock);
	hash_unlink(m, b, idx); /* a delete may have been first: it is ours either way */
	shlock_unlock(&b->lock);
	return idx;
}

void hash_free(struct bpfrt_map *m, uint32_t idx)
{
	struct helem *e = helem_at(m, idx);
	if (!e)
		return;
	alloc_lock(m);
	push_free(m, idx, e);
	alloc_unlock(m);
}

void hash_linked(struct bpfrt_map *m, uint32_t idx)
{
	struct helem *e = helem_at(m, idx);
	if (!hash_is_lru(m)) {
		/* no list to join: only the state, read by rebuild() under the lock */
		__atomic_store_n(&e->state, HE_USED, __ATOMIC_RELAXED);
		return;
	}
	alloc_lock(m);
	e->state = HE_USED;
	e->ref = 0;
	lru_push_head(m, idx, e);
	alloc_unlock(m);
}

void hash_unlinked(struct bpfrt_map *m, uint32_t idx)
{
	struct helem *e = helem_at(m, idx);
	alloc_lock(m);
	if (e->state == HE_USED) {
		if (hash_is_lru(m))
			lru_remove(m, e);
		push_free(m, idx, e);
	}
	/* HE_EVICTING: the evictor owns it now */
	alloc_unlock(m);
}
