/* SPDX-License-Identifier: MIT */
/*
 * hash.c - hash tables: hash, percpu_hash, lru_hash, lru_percpu_hash and
 * hash_of_maps (whose values are inner map ids).
 *
 * As the kernel's: roundup_pow_of_two(max_entries) buckets, each a chain
 * of elements, newest first, with its own lock; a random seed per map (0
 * with BPF_F_ZERO_SEED). Every operation holds the bucket lock while it
 * walks the chain, lookups included (the kernel's lookups are lock-free
 * under RCU, which a region shared between processes does not have).
 * Updates of an existing key copy the value in place, so they succeed in a
 * full map. Element storage is in hash_alloc.c.
 *
 * Iteration (get_next_key, batches) goes bucket by bucket, as the kernel's:
 * a key that is not in the map restarts from the first bucket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"

#define HASH_FLAGS (MF_NO_PREALLOC | MF_NO_COMMON_LRU | MF_NUMA_NODE | MF_ACCESS | MF_ZERO_SEED)
#define PERCPU_UNIT_MAX 32768

static int hash_check(struct map_hdr *h, char *why, size_t len)
{
	bool lru = h->type == BPFRT_MAP_TYPE_LRU_HASH || h->type == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
	bool percpu = map_is_percpu_type(h->type);
	if (h->map_flags & ~HASH_FLAGS) {
		snprintf(why, len, "map_flags 0x%x not allowed for a %s (allowed: 0x%x)",
			 h->map_flags, map_type_name(h->type), HASH_FLAGS);
		return -EINVAL;
	}
	if (!lru && (h->map_flags & MF_NO_COMMON_LRU)) {
		snprintf(why, len, "BPF_F_NO_COMMON_LRU is only for LRU maps");
		return -EINVAL;
	}
	if (lru && (h->map_flags & MF_NO_PREALLOC)) {
		snprintf(why, len, "LRU maps are always preallocated (BPF_F_NO_PREALLOC)");
		return -ENOTSUPP;
	}
	if (!h->key_size || !h->value_size || !h->max_entries) {
		snprintf(why, len, "key_size (%u), value_size (%u) and max_entries (%u) must not be 0",
			 h->key_size, h->value_size, h->max_entries);
		return -EINVAL;
	}
	if (h->type == BPFRT_MAP_TYPE_HASH_OF_MAPS && h->value_size != 4) {
		snprintf(why, len, "a hash_of_maps' value is a 4-byte map id, not %u bytes",
			 h->value_size);
		return -EINVAL;
	}
	if (h->key_size > MAP_MAX_KEY || h->value_size > MAP_MAX_VALUE ||
	    (percpu && round_up8(h->value_size) > PERCPU_UNIT_MAX)) {
		snprintf(why, len, "key_size %u or value_size %u too large (at most %u and %u%s)",
			 h->key_size, h->value_size, MAP_MAX_KEY,
			 percpu ? PERCPU_UNIT_MAX : MAP_MAX_VALUE, percpu ? " per CPU" : "");
		return -E2BIG;
	}
	struct map_layout *l = &h->lay;
	uint64_t buckets = 1, total, tab, elems, size;
	while (buckets < h->max_entries)
		buckets <<= 1;
	l->key_off = sizeof(struct helem);
	l->value_off = (uint32_t)round_up8(l->key_off + h->key_size);
	if (buckets > (1u << 31) || !lay_mul(round_up8(h->value_size), percpu ? h->ncpus : 1, &total) ||
	    !lay_mul(buckets, sizeof(struct hbucket), &tab) ||
	    !lay_mul(round_up8(l->value_off + total), h->max_entries, &elems) ||
	    !lay_add(MAP_HDR_SIZE + round_up8(tab), elems, &size)) {
		snprintf(why, len, "%u entries of key %u and value %u bytes would exceed bpfrt's "
			 "1 GiB per map", h->max_entries, h->key_size, h->value_size);
		return -E2BIG;
	}
	l->nbuckets = (uint32_t)buckets;
	l->tab_off = MAP_HDR_SIZE;
	l->tab_size = tab;
	l->elem_off = MAP_HDR_SIZE + round_up8(tab);
	l->value_total = (uint32_t)total;
	l->elem_size = round_up8(l->value_off + total);
	l->nelems = h->max_entries;
	l->size = size;
	return 0;
}

static void hash_init(struct bpfrt_map *m)
{
	hash_alloc_init(m);
}

static uint32_t key_hash(const struct bpfrt_map *m, const void *key)
{
	return map_jhash(key, m->key_size, m->seed);
}

/* The element holding key in bucket b (lock held), or 0. */
static uint32_t find(const struct bpfrt_map *m, struct hbucket *b, const void *key, uint32_t hash)
{
	uint32_t idx = b->head;
	for (uint32_t n = 0; n <= m->lay.nelems; n++) {
		struct helem *e = helem_at(m, idx);
		if (!e)
			return 0;
		if (e->hash == hash && !memcmp(helem_key(m, e), key, m->key_size))
			return idx;
		idx = e->next;
	}
	return 0; /* a cycle: only a corrupt region has one */
}

bool hash_unlink(struct bpfrt_map *m, struct hbucket *b, uint32_t idx)
{
	uint32_t *link = &b->head;
	for (uint32_t n = 0; n <= m->lay.nelems; n++) {
		struct helem *e = helem_at(m, *link);
		if (!e)
			return false;
		if (*link == idx) {
			*link = e->next;
			e->next = 0;
			return true;
		}
		link = &e->next;
	}
	return false;
}

static void *hash_lookup(struct bpfrt_map *m, const void *key)
{
	uint32_t hash = key_hash(m, key);
	struct hbucket *b = hbucket_of(m, hash);
	shlock_lock(&b->lock);
	struct helem *e = helem_at(m, find(m, b, key, hash));
	shlock_unlock(&b->lock);
	if (!e)
		return NULL;
	hash_touch(m, e);
	return map_this_cpu(m, helem_value(m, e));
}

static int hash_lookup_user(struct bpfrt_map *m, const void *key, void *value)
{
	uint32_t hash = key_hash(m, key);
	struct hbucket *b = hbucket_of(m, hash);
	shlock_lock(&b->lock);
	struct helem *e = helem_at(m, find(m, b, key, hash));
	if (e)
		map_copy_out(m, value, helem_value(m, e));
	shlock_unlock(&b->lock);
	return e ? 0 : map_note(m, true, -ENOENT, "lookup: no such key");
}

/* Update an existing element in place (bucket lock held). */
static int update_existing(struct bpfrt_map *m, struct helem *e, const void *value,
			   uint64_t flags, bool user)
{
	if (flags == BPFRT_NOEXIST)
		return map_note(m, user, -EEXIST, "update: key exists (BPF_NOEXIST)");
	map_copy_in(m, helem_value(m, e), value, user, false);
	hash_touch(m, e);
	return 0;
}

static void fill(struct bpfrt_map *m, uint32_t idx, uint32_t hash, const void *key,
		 const void *value, bool user)
{
	struct helem *e = helem_at(m, idx);
	e->hash = hash;
	memcpy(helem_key(m, e), key, m->key_size);
	map_copy_in(m, helem_value(m, e), value, user, true);
}

static void link_new(struct bpfrt_map *m, struct hbucket *b, uint32_t idx)
{
	helem_at(m, idx)->next = b->head;
	b->head = idx;
	hash_linked(m, idx);
}

static int hash_update(struct bpfrt_map *m, const void *key, const void *value, uint64_t flags,
		       bool user)
{
	int err = map_check_update_flags(m, flags, user);
	if (err)
		return err;
	uint32_t id = 0;
	if (m->type == BPFRT_MAP_TYPE_HASH_OF_MAPS) {
		if (!user)
			return -EINVAL; /* programs cannot store maps */
		memcpy(&id, value, sizeof(id));
		if ((err = map_inner_check(m, id, user)))
			return err;
	}
	uint32_t hash = key_hash(m, key);
	struct hbucket *b = hbucket_of(m, hash);
	shlock_lock(&b->lock);
	struct helem *e = helem_at(m, find(m, b, key, hash));
	if (e || flags == BPFRT_EXIST) {
		err = e ? update_existing(m, e, value, flags, user)
			: map_note(m, user, -ENOENT, "update: no such key (BPF_EXIST)");
		shlock_unlock(&b->lock);
		return err;
	}
	if (!hash_is_lru(m)) {
		uint32_t idx = hash_alloc(m);
		if (idx) {
			fill(m, idx, hash, key, value, user);
			link_new(m, b, idx);
		}
		shlock_unlock(&b->lock);
		return idx ? 0 : map_note(m, user, -E2BIG, "update: map is full (max_entries %u)",
					  m->max_entries);
	}
	/* LRU: eviction takes another bucket's lock, so allocate without ours. */
	shlock_unlock(&b->lock);
	uint32_t idx = hash_alloc(m);
	if (!idx)
		return map_note(m, user, -ENOMEM, "update: no element to evict (all in use by "
				"concurrent updates)");
	fill(m, idx, hash, key, value, user);
	shlock_lock(&b->lock);
	e = helem_at(m, find(m, b, key, hash));
	if (e) {
		/* inserted meanwhile by someone else */
		err = update_existing(m, e, value, flags, user);
		shlock_unlock(&b->lock);
		hash_free(m, idx);
		return err;
	}
	link_new(m, b, idx);
	shlock_unlock(&b->lock);
	return 0;
}

static int remove_key(struct bpfrt_map *m, const void *key, void *value, bool user)
{
	uint32_t hash = key_hash(m, key);
	struct hbucket *b = hbucket_of(m, hash);
	shlock_lock(&b->lock);
	uint32_t idx = find(m, b, key, hash);
	if (idx) {
		if (value)
			map_copy_out(m, value, helem_value(m, helem_at(m, idx)));
		hash_unlink(m, b, idx);
		hash_unlinked(m, idx);
	}
	shlock_unlock(&b->lock);
	return idx ? 0 : map_note(m, user, -ENOENT, "%s: no such key",
				  value ? "lookup and delete" : "delete");
}

static int hash_delete(struct bpfrt_map *m, const void *key, bool user)
{
	if (!user && m->type == BPFRT_MAP_TYPE_HASH_OF_MAPS)
		return -EINVAL;
	return remove_key(m, key, NULL, user);
}

static int hash_lookup_and_delete(struct bpfrt_map *m, const void *key, void *value, bool user)
{
	if (m->type == BPFRT_MAP_TYPE_HASH_OF_MAPS)
		return map_fail(m, user, -ENOTSUPP, "lookup and delete is not supported by "
				"hash_of_maps");
	return remove_key(m, key, value, user);
}

/* First key of the first non-empty bucket from i on. */
static int first_from(struct bpfrt_map *m, uint32_t i, void *next)
{
	for (; i < m->lay.nbuckets; i++) {
		struct hbucket *b = (struct hbucket *)map_at(m, m->lay.tab_off) + i;
		if (!__atomic_load_n(&b->head, __ATOMIC_RELAXED))
			continue;
		shlock_lock(&b->lock);
		struct helem *e = helem_at(m, b->head);
		if (e)
			memcpy(next, helem_key(m, e), m->key_size);
		shlock_unlock(&b->lock);
		if (e)
			return 0;
	}
	return map_note(m, true, -ENOENT, "get_next_key: no more keys");
}

static int hash_get_next_key(struct bpfrt_map *m, const void *key, void *next)
{
	if (!key)
		return first_from(m, 0, next);
	uint32_t hash = key_hash(m, key);
	struct hbucket *b = hbucket_of(m, hash);
	shlock_lock(&b->lock);
	struct helem *e = helem_at(m, find(m, b, key, hash));
	struct helem *n = e ? helem_at(m, e->next) : NULL;
	if (n)
		memcpy(next, helem_key(m, n), m->key_size);
	shlock_unlock(&b->lock);
	if (n)
		return 0;
	return first_from(m, e ? (hash & (m->lay.nbuckets - 1)) + 1 : 0, next);
}

/*
 * The callback runs without the bucket lock, so that it may update or
 * delete elements of this map (as kernel callbacks may): the bucket's
 * elements are noted first, then visited.
 */
static long hash_for_each(struct bpfrt_map *m, map_elem_cb cb, void *ctx)
{
	uint32_t small[64], *idx = small, cap = 64;
	long n = 0;
	bool stop = false;
	for (uint32_t i = 0; i < m->lay.nbuckets && !stop; i++) {
		struct hbucket *b = (struct hbucket *)map_at(m, m->lay.tab_off) + i;
		if (!__atomic_load_n(&b->head, __ATOMIC_RELAXED))
			continue;
		uint32_t cnt = 0;
		shlock_lock(&b->lock);
		for (struct helem *e = helem_at(m, b->head); e && cnt <= m->lay.nelems;
		     e = helem_at(m, e->next)) {
			if (cnt == cap) {
				uint32_t *bigger = malloc(2 * cap * sizeof(*bigger));
				if (!bigger)
					break;
				memcpy(bigger, idx, cnt * sizeof(*idx));
				if (idx != small)
					free(idx);
				idx = bigger;
				cap *= 2;
			}
			idx[cnt++] = (uint32_t)(((uint8_t *)e - (uint8_t *)map_at(m, m->lay.elem_off)) /
						m->lay.elem_size) + 1;
		}
		shlock_unlock(&b->lock);
		for (uint32_t j = 0; j < cnt && !stop; j++) {
			struct helem *e = helem_at(m, idx[j]);
			n++;
			stop = cb(m, helem_key(m, e), map_this_cpu(m, helem_value(m, e)), ctx) != 0;
		}
	}
	if (idx != small)
		free(idx);
	return n;
}

/*
 * BPF_MAP_LOOKUP_BATCH (and _AND_DELETE) as the kernel's hash maps do it:
 * whole buckets at a time, the batch token being the next bucket's number
 * (a u32). A bucket that does not fit stops the batch, or fails it with
 * -ENOSPC when nothing was copied yet.
 */
static int hash_lookup_batch(struct bpfrt_map *m, const void *in_batch, void *out_batch,
			     void *keys, void *values, uint32_t *count, bool del)
{
	uint32_t max = *count, total = 0, batch = 0;
	size_t vsz = bpfrt_map__value_size_user(m);
	int err = 0;
	*count = 0;
	if (!max)
		return 0;
	if (in_batch)
		memcpy(&batch, in_batch, sizeof(batch));
	if (batch >= m->lay.nbuckets)
		return map_note(m, true, -ENOENT, "lookup batch: no more buckets (batch %u)", batch);
	for (; batch < m->lay.nbuckets; batch++) {
		struct hbucket *b = (struct hbucket *)map_at(m, m->lay.tab_off) + batch;
		if (!__atomic_load_n(&b->head, __ATOMIC_RELAXED))
			continue;
		shlock_lock(&b->lock);
		uint32_t cnt = 0;
		for (struct helem *e = helem_at(m, b->head); e && cnt <= m->lay.nelems;
		     e = helem_at(m, e->next))
			cnt++;
		if (cnt > max - total) {
			shlock_unlock(&b->lock);
			if (!total)
				err = map_fail(m, true, -ENOSPC, "lookup batch: bucket %u holds %u "
					       "entries, more than count (%u)", batch, cnt, max);
			break;
		}
		uint32_t idx = b->head;
		for (uint32_t k = 0; k < cnt; k++) {
			struct helem *e = helem_at(m, idx);
			uint32_t next = e->next;
			memcpy((uint8_t *)keys + (size_t)total * m->key_size, helem_key(m, e),
			       m->key_size);
			map_copy_out(m, (uint8_t *)values + total * vsz, helem_value(m, e));
			total++;
			if (del) {
				hash_unlink(m, b, idx);
				hash_unlinked(m, idx);
			}
			idx = next;
		}
		shlock_unlock(&b->lock);
	}
	if (!err && batch >= m->lay.nbuckets)
		err = map_note(m, true, -ENOENT, "lookup batch: reached the end");
	memcpy(out_batch, &batch, sizeof(batch));
	*count = total;
	return err;
}

#define HASH_OPS(extra_lookup)                      \
	.check = hash_check,                        \
	.init = hash_init,                          \
	.lookup = extra_lookup,                     \
	.lookup_user = hash_lookup_user,            \
	.update = hash_update,                      \
	.delete = hash_delete,                      \
	.lookup_and_delete = hash_lookup_and_delete, \
	.get_next_key = hash_get_next_key,          \
	.lookup_batch = hash_lookup_batch,          \
	.delete_batch = true

const struct map_ops hash_ops = { HASH_OPS(hash_lookup), .for_each = hash_for_each };
const struct map_ops percpu_hash_ops = { HASH_OPS(hash_lookup), .for_each = hash_for_each };
const struct map_ops lru_hash_ops = { HASH_OPS(hash_lookup), .for_each = hash_for_each };
const struct map_ops lru_percpu_hash_ops = { HASH_OPS(hash_lookup), .for_each = hash_for_each };

/* Programs get the inner map itself. */
static void *hash_of_maps_lookup(struct bpfrt_map *m, const void *key)
{
	uint32_t *id = hash_lookup(m, key);
	return id ? map_inner_lookup(m, __atomic_load_n(id, __ATOMIC_RELAXED)) : NULL;
}

const struct map_ops hash_of_maps_ops = { HASH_OPS(hash_of_maps_lookup) };
