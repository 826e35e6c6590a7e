/* SPDX-License-Identifier: MIT */
/*
 * array.c - arrays: array, percpu_array, and the arrays of ids, prog_array
 * and array_of_maps (the kernel's "fd arrays").
 *
 * Values sit one after the other from the first page after the header,
 * round_up(value_size, 8) bytes each (per-CPU: that much per possible CPU),
 * then (array, percpu_array) a table of the keys, for bpf_for_each_map_elem.
 * As in the kernel, lookups take no lock: the value's address is the
 * answer. Elements always exist, so they cannot be deleted (-EINVAL) and
 * BPF_NOEXIST always fails (-EEXIST).
 *
 * An fd array holds a u32 id per slot (0: empty), written atomically: a
 * program's id (prog_array, for tail calls) or an inner map's id
 * (array_of_maps, whose lookups give programs the inner map itself).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "map_impl.h"

#define ARRAY_FLAGS (MF_NUMA_NODE | MF_MMAPABLE | MF_ACCESS | MF_INNER_MAP)
#define PERCPU_UNIT_MAX 32768 /* the kernel's PCPU_MIN_UNIT_SIZE */

static int array_layout(struct map_hdr *h, uint32_t allowed_flags, char *why, size_t len)
{
	bool percpu = map_is_percpu_type(h->type);
	if (h->key_size != 4) {
		snprintf(why, len, "an array's key is a 4-byte index, not %u bytes", h->key_size);
		return -EINVAL;
	}
	if (!h->value_size || !h->max_entries) {
		snprintf(why, len, "value_size (%u) and max_entries (%u) must not be 0",
			 h->value_size, h->max_entries);
		return -EINVAL;
	}
	if (h->map_flags & ~allowed_flags) {
		snprintf(why, len, "map_flags 0x%x not allowed for a %s (allowed: 0x%x)",
			 h->map_flags, map_type_name(h->type), allowed_flags);
		return -EINVAL;
	}
	if (h->value_size > MAP_MAX_VALUE || (percpu && round_up8(h->value_size) > PERCPU_UNIT_MAX)) {
		snprintf(why, len, "value_size %u is too large (at most %u%s)", h->value_size,
			 percpu ? PERCPU_UNIT_MAX : MAP_MAX_VALUE, percpu ? " per CPU" : "");
		return -E2BIG;
	}
	uint64_t total, bytes;
	if (!lay_mul(round_up8(h->value_size), percpu ? h->ncpus : 1, &total) ||
	    !lay_mul(total, h->max_entries, &bytes) || !lay_add(bytes, MAP_HDR_SIZE, &h->lay.size)) {
		snprintf(why, len, "%u entries of %u bytes would exceed bpfrt's 1 GiB per map",
			 h->max_entries, h->value_size);
		return -E2BIG;
	}
	h->lay.elem_off = MAP_HDR_SIZE;
	h->lay.elem_size = total;
	h->lay.nelems = h->max_entries;
	h->lay.value_total = (uint32_t)total;
	return 0;
}

/*
 * Arrays that programs iterate (bpf_for_each_map_elem) also keep a table of
 * their keys, 0..max_entries-1, after the values: the callback's key must
 * be memory the program may read, and that is the map's region.
 */
static int key_table(struct map_hdr *h, char *why, size_t len)
{
	uint64_t keys;
	h->lay.tab_off = h->lay.size;
	if (!lay_mul(h->max_entries, 4, &keys) || !lay_add(h->lay.size, keys, &h->lay.size)) {
		snprintf(why, len, "%u entries of %u bytes would exceed bpfrt's 1 GiB per map",
			 h->max_entries, h->value_size);
		return -E2BIG;
	}
	h->lay.tab_size = keys;
	return 0;
}

static int array_check(struct map_hdr *h, char *why, size_t len)
{
	uint32_t flags = ARRAY_FLAGS;
	if (map_is_percpu_type(h->type))
		flags &= ~MF_MMAPABLE;
	int err = array_layout(h, flags, why, len);
	return err ? err : key_table(h, why, len);
}

/* fd arrays hold ids: 4-byte values, no program access flags, no mmap. */
static int fd_array_check(struct map_hdr *h, char *why, size_t len)
{
	if (h->value_size != 4) {
		snprintf(why, len, "a %s's value is a 4-byte id, not %u bytes",
			 map_type_name(h->type), h->value_size);
		return -EINVAL;
	}
	return array_layout(h, ARRAY_FLAGS & ~(MF_RDONLY_PROG | MF_WRONLY_PROG | MF_MMAPABLE),
			    why, len);
}

static void array_init(struct bpfrt_map *m)
{
	(void)m; /* the file starts zeroed */
}

static uint32_t *key_slot(struct bpfrt_map *m, uint32_t i)
{
	return (uint32_t *)map_at(m, m->lay.tab_off) + i;
}

static void array_init_keys(struct bpfrt_map *m)
{
	for (uint32_t i = 0; i < m->max_entries; i++)
		*key_slot(m, i) = i;
}

static uint32_t key_index(const void *key)
{
	uint32_t i;
	memcpy(&i, key, sizeof(i));
	return i;
}

static void *elem(struct bpfrt_map *m, uint32_t i)
{
	return map_at(m, m->lay.elem_off + (uint64_t)i * m->lay.elem_size);
}

bool map_array_layout(const struct bpfrt_map *m, uintptr_t *values, uint32_t *stride,
		      uint32_t *max_entries)
{
	if (m->type != BPFRT_MAP_TYPE_ARRAY || m->lay.elem_size > INT32_MAX)
		return false;
	*values = (uintptr_t)m->base + m->lay.elem_off;
	*stride = (uint32_t)m->lay.elem_size;
	*max_entries = m->max_entries;
	return true;
}

static void *array_lookup(struct bpfrt_map *m, const void *key)
{
	uint32_t i = key_index(key);
	return i < m->max_entries ? map_this_cpu(m, elem(m, i)) : NULL;
}

static int array_lookup_user(struct bpfrt_map *m, const void *key, void *value)
{
	uint32_t i = key_index(key);
	if (i >= m->max_entries)
		return map_note(m, true, -ENOENT, "lookup: index %u out of range (max_entries %u)",
				i, m->max_entries);
	map_copy_out(m, value, elem(m, i));
	return 0;
}

static int array_update(struct bpfrt_map *m, const void *key, const void *value, uint64_t flags,
			bool user)
{
	int err = map_check_update_flags(m, flags, user);
	if (err)
		return err;
	uint32_t i = key_index(key);
	if (i >= m->max_entries)
		return map_fail(m, user, -E2BIG, "update: index %u out of range (max_entries %u)",
				i, m->max_entries);
	if (flags == BPFRT_NOEXIST)
		return map_note(m, user, -EEXIST, "update: array elements always exist "
				"(BPF_NOEXIST)");
	map_copy_in(m, elem(m, i), value, user, false);
	return 0;
}

static int array_delete(struct bpfrt_map *m, const void *key, bool user)
{
	return map_fail(m, user, -EINVAL, "delete: array elements cannot be deleted");
}

/* As the kernel: a missing or out-of-range key starts over at 0. */
static int array_get_next_key(struct bpfrt_map *m, const void *key, void *next)
{
	uint32_t i = key ? key_index(key) : UINT32_MAX;
	if (i >= m->max_entries) {
		i = 0;
	} else if (i == m->max_entries - 1) {
		return map_note(m, true, -ENOENT, "get_next_key: index %u is the last", i);
	} else {
		i++;
	}
	memcpy(next, &i, sizeof(i));
	return 0;
}

static long array_for_each(struct bpfrt_map *m, map_elem_cb cb, void *ctx)
{
	long n = 0;
	for (uint32_t i = 0; i < m->max_entries; i++) {
		uint32_t *key = key_slot(m, i);
		n++;
		/* programs may write the table: give each callback the right key */
		__atomic_store_n(key, i, __ATOMIC_RELAXED);
		if (cb(m, key, map_this_cpu(m, elem(m, i)), ctx))
			break;
	}
	return n;
}

const struct map_ops array_ops = {
	.check = array_check,
	.init = array_init_keys,
	.lookup = array_lookup,
	.lookup_user = array_lookup_user,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
	.for_each = array_for_each,
	.generic_batch = true,
};

const struct map_ops percpu_array_ops = {
	.check = array_check,
	.init = array_init_keys,
	.lookup = array_lookup,
	.lookup_user = array_lookup_user,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
	.for_each = array_for_each,
	.generic_batch = true,
};

/* --- fd arrays --- */

static uint32_t *slot(struct bpfrt_map *m, uint32_t i)
{
	return elem(m, i);
}

/* User space reads the id that is stored: the kernel gives the prog/map id too. */
static int fd_array_lookup_user(struct bpfrt_map *m, const void *key, void *value)
{
	uint32_t i = key_index(key);
	uint32_t id = i < m->max_entries ? __atomic_load_n(slot(m, i), __ATOMIC_ACQUIRE) : 0;
	if (!id)
		return map_note(m, true, -ENOENT, "lookup: no entry at index %u", i);
	memcpy(value, &id, sizeof(id));
	return 0;
}

static int fd_array_update(struct bpfrt_map *m, const void *key, const void *value,
			   uint64_t flags, bool user)
{
	if (!user)
		return -EINVAL; /* programs cannot store programs or maps */
	if (flags != BPFRT_ANY)
		return map_fail(m, user, -EINVAL, "update: a %s only takes BPF_ANY, not flags 0x%llx",
				map_type_name(m->type), (unsigned long long)flags);
	uint32_t i = key_index(key), id;
	memcpy(&id, value, sizeof(id));
	if (i >= m->max_entries)
		return map_fail(m, user, -E2BIG, "update: index %u out of range (max_entries %u)",
				i, m->max_entries);
	if (m->type == BPFRT_MAP_TYPE_PROG_ARRAY) {
		if (!rt_id_lookup(m->rt, id, ID_PROG))
			return map_fail(m, user, -EBADF, "update: no program with id %u", id);
	} else {
		int err = map_inner_check(m, id, user);
		if (err)
			return err;
	}
	__atomic_store_n(slot(m, i), id, __ATOMIC_RELEASE);
	return 0;
}

static int fd_array_delete(struct bpfrt_map *m, const void *key, bool user)
{
	if (!user)
		return -EINVAL;
	uint32_t i = key_index(key);
	if (i >= m->max_entries)
		return map_fail(m, user, -E2BIG, "delete: index %u out of range (max_entries %u)",
				i, m->max_entries);
	if (!__atomic_exchange_n(slot(m, i), 0, __ATOMIC_ACQ_REL))
		return map_note(m, user, -ENOENT, "delete: no entry at index %u", i);
	return 0;
}

static void *array_of_maps_lookup(struct bpfrt_map *m, const void *key)
{
	uint32_t i = key_index(key);
	if (i >= m->max_entries)
		return NULL;
	return map_inner_lookup(m, __atomic_load_n(slot(m, i), __ATOMIC_ACQUIRE));
}

const struct map_ops prog_array_ops = {
	.check = fd_array_check,
	.init = array_init,
	.lookup_user = fd_array_lookup_user,
	.update = fd_array_update,
	.delete = fd_array_delete,
	.get_next_key = array_get_next_key,
};

const struct map_ops array_of_maps_ops = {
	.check = fd_array_check,
	.init = array_init,
	.lookup = array_of_maps_lookup,
	.lookup_user = fd_array_lookup_user,
	.update = fd_array_update,
	.delete = fd_array_delete,
	.get_next_key = array_get_next_key,
};
