/* SPDX-License-Identifier: MIT */
/*
 * map_prog.c - the program side of maps (maps.h): what the helpers call.
 *
 * Return values are those of the kernel's helpers. Nothing here reports a
 * failure: a program that looks up a missing key is not an error, and the
 * helpers decide what deserves a message.
 */
#include <errno.h>
#include <string.h>
#include "map_impl.h"

void *map_lookup_elem(struct bpfrt_map *m, const void *key)
{
	if (!m->ops->lookup)
		return NULL;
	return m->ops->lookup(m, key);
}

long map_update_elem(struct bpfrt_map *m, const void *key, const void *value, uint64_t flags)
{
	if (m->type == BPFRT_MAP_TYPE_BLOOM_FILTER)
		return -EOPNOTSUPP;
	if (!m->ops->update)
		return m->ops->push ? -EINVAL : -ENOTSUPP;
	if (m->map_flags & MF_RDONLY_PROG)
		return -EPERM;
	return m->ops->update(m, key, value, flags, false);
}

long map_delete_elem(struct bpfrt_map *m, const void *key)
{
	if (!m->ops->delete)
		return -ENOTSUPP;
	if (m->map_flags & MF_RDONLY_PROG)
		return -EPERM;
	return m->ops->delete(m, key, false);
}

long map_push_elem(struct bpfrt_map *m, const void *value, uint64_t flags)
{
	if (!m->ops->push)
		return -ENOTSUPP;
	if (m->map_flags & MF_RDONLY_PROG)
		return -EPERM;
	return m->ops->push(m, value, flags, false);
}

/* Queues and stacks: lookup_and_delete is pop. */
long map_pop_elem(struct bpfrt_map *m, void *value)
{
	if (m->type == BPFRT_MAP_TYPE_BLOOM_FILTER)
		return -EOPNOTSUPP;
	if (!m->ops->push || !m->ops->lookup_and_delete)
		return -ENOTSUPP;
	if (m->map_flags & MF_RDONLY_PROG)
		return -EPERM;
	return m->ops->lookup_and_delete(m, NULL, value, false);
}

long map_peek_elem(struct bpfrt_map *m, void *value)
{
	if (!m->ops->peek)
		return -ENOTSUPP;
	if (m->map_flags & MF_WRONLY_PROG)
		return -EPERM;
	return m->ops->peek(m, value, false);
}

long map_for_each(struct bpfrt_map *m, map_elem_cb cb, void *ctx, uint64_t flags)
{
	if (flags || !m->ops->for_each)
		return -EINVAL;
	return m->ops->for_each(m, cb, ctx);
}

uint32_t map_prog_array_get(struct bpfrt_map *m, uint32_t index)
{
	if (m->type != BPFRT_MAP_TYPE_PROG_ARRAY || index >= m->max_entries)
		return 0;
	uint32_t *slot = map_at(m, m->lay.elem_off + (uint64_t)index * m->lay.elem_size);
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

bool map_value_region(const struct bpfrt_map *m, uintptr_t *lo, uintptr_t *hi, bool *writable)
{
	uint64_t start = m->lay.elem_off, end;
	switch (m->type) {
	case BPFRT_MAP_TYPE_ARRAY:
	case BPFRT_MAP_TYPE_PERCPU_ARRAY:
		/* the values, then the keys bpf_for_each_map_elem hands out */
		end = m->lay.tab_off + m->lay.tab_size;
		break;
	case BPFRT_MAP_TYPE_HASH:
	case BPFRT_MAP_TYPE_PERCPU_HASH:
	case BPFRT_MAP_TYPE_LRU_HASH:
	case BPFRT_MAP_TYPE_LRU_PERCPU_HASH:
	case BPFRT_MAP_TYPE_LPM_TRIE:
	case BPFRT_MAP_TYPE_DEVMAP:
	case BPFRT_MAP_TYPE_DEVMAP_HASH:
		end = start + (uint64_t)m->lay.nelems * m->lay.elem_size;
		break;
	case BPFRT_MAP_TYPE_RINGBUF:
		/* the data, and its second mapping for records that wrap */
		end = start + 2 * (m->lay.mask + 1);
		break;
	default:
		return false;
	}
	*lo = (uintptr_t)m->base + start;
	*hi = (uintptr_t)m->base + end;
	*writable = !(m->map_flags & MF_RDONLY_PROG);
	return true;
}

void *map_array_value_addr(struct bpfrt_map *m, uint32_t off)
{
	if (m->type != BPFRT_MAP_TYPE_ARRAY || off >= m->value_size)
		return NULL;
	return map_at(m, m->lay.elem_off + off);
}
