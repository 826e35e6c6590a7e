/* SPDX-License-Identifier: MIT */
/*
 * queue.c - queues (FIFO) and stacks (LIFO), as the kernel's
 * queue_stack_maps.c: a ring of max_entries + 1 slots with head and tail,
 * empty when they are equal, full when head is one behind tail. Values are
 * copied in and out, so programs never hold pointers into it.
 *
 * Push with BPF_EXIST into a full map overwrites the oldest value, else
 * fails with -E2BIG; pop and peek of an empty map give -ENOENT (and, for
 * programs, a zeroed value, as the kernel).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "map_impl.h"
#include "shlock.h"

#define QUEUE_FLAGS (MF_NUMA_NODE | MF_ACCESS)

static int queue_check(struct map_hdr *h, char *why, size_t len)
{
	if (h->key_size || !h->value_size || !h->max_entries) {
		snprintf(why, len, "a %s has no key (key_size %u) and needs a value_size and "
			 "max_entries that are not 0", map_type_name(h->type), h->key_size);
		return -EINVAL;
	}
	if (h->map_flags & ~QUEUE_FLAGS) {
		snprintf(why, len, "map_flags 0x%x not allowed for a %s (allowed: 0x%x)",
			 h->map_flags, map_type_name(h->type), QUEUE_FLAGS);
		return -EINVAL;
	}
	if (h->value_size > MAP_MAX_VALUE) {
		snprintf(why, len, "value_size %u is too large (at most %u)", h->value_size,
			 MAP_MAX_VALUE);
		return -E2BIG;
	}
	uint64_t bytes;
	if (!lay_mul((uint64_t)h->max_entries + 1, h->value_size, &bytes) ||
	    !lay_add(bytes, MAP_HDR_SIZE, &h->lay.size)) {
		snprintf(why, len, "%u entries of %u bytes would exceed bpfrt's 1 GiB per map",
			 h->max_entries, h->value_size);
		return -E2BIG;
	}
	h->lay.elem_off = MAP_HDR_SIZE;
	h->lay.elem_size = h->value_size;
	h->lay.nelems = h->max_entries + 1;
	return 0;
}

static void queue_init(struct bpfrt_map *m)
{
	(void)m;
}

static struct queue_state *st(struct bpfrt_map *m)
{
	return &m->hdr->st.queue;
}

static void *slot(struct bpfrt_map *m, uint32_t i)
{
	return map_at(m, m->lay.elem_off + (uint64_t)i * m->lay.elem_size);
}

/* head and tail as stored, brought back in range should the region be corrupt */
static void positions(struct bpfrt_map *m, uint32_t *head, uint32_t *tail)
{
	*head = st(m)->head % m->lay.nelems;
	*tail = st(m)->tail % m->lay.nelems;
}

static int queue_push(struct bpfrt_map *m, const void *value, uint64_t flags, bool user)
{
	if ((flags & BPFRT_NOEXIST) || flags > BPFRT_EXIST)
		return map_fail(m, user, -EINVAL, "push: invalid flags 0x%llx (BPF_ANY or BPF_EXIST)",
				(unsigned long long)flags);
	uint32_t size = m->lay.nelems, head, tail;
	shlock_lock(&st(m)->lock);
	positions(m, &head, &tail);
	if ((head + 1) % size == tail) {
		if (flags != BPFRT_EXIST) {
			shlock_unlock(&st(m)->lock);
			return map_note(m, user, -E2BIG, "push: %s is full (max_entries %u)",
					map_type_name(m->type), m->max_entries);
		}
		tail = (tail + 1) % size; /* drop the oldest */
	}
	memcpy(slot(m, head), value, m->value_size);
	st(m)->head = (head + 1) % size;
	st(m)->tail = tail;
	shlock_unlock(&st(m)->lock);
	return 0;
}

/* Peek or pop: the oldest value for a queue, the newest for a stack. */
static int get(struct bpfrt_map *m, void *value, bool del, bool user)
{
	uint32_t size = m->lay.nelems, head, tail;
	shlock_lock(&st(m)->lock);
	positions(m, &head, &tail);
	if (head == tail) {
		shlock_unlock(&st(m)->lock);
		if (!user)
			memset(value, 0, m->value_size);
		return map_note(m, user, -ENOENT, "%s: %s is empty", del ? "pop" : "peek",
				map_type_name(m->type));
	}
	if (m->type == BPFRT_MAP_TYPE_QUEUE) {
		memcpy(value, slot(m, tail), m->value_size);
		if (del)
			st(m)->tail = (tail + 1) % size;
	} else {
		uint32_t top = (head + size - 1) % size;
		memcpy(value, slot(m, top), m->value_size);
		if (del)
			st(m)->head = top;
	}
	shlock_unlock(&st(m)->lock);
	return 0;
}

static int queue_peek(struct bpfrt_map *m, void *value, bool user)
{
	return get(m, value, false, user);
}

static int queue_pop(struct bpfrt_map *m, const void *key, void *value, bool user)
{
	return get(m, value, true, user);
}

static int queue_delete(struct bpfrt_map *m, const void *key, bool user)
{
	return map_fail(m, user, -EINVAL, "delete: a %s has no keys (use pop)",
			map_type_name(m->type));
}

static int queue_get_next_key(struct bpfrt_map *m, const void *key, void *next)
{
	return map_fail(m, true, -EINVAL, "get_next_key: a %s has no keys",
			map_type_name(m->type));
}

const struct map_ops queue_ops = {
	.check = queue_check,
	.init = queue_init,
	.peek = queue_peek,
	.delete = queue_delete,
	.lookup_and_delete = queue_pop,
	.get_next_key = queue_get_next_key,
	.push = queue_push,
};

const struct map_ops stack_ops = {
	.check = queue_check,
	.init = queue_init,
	.peek = queue_peek,
	.delete = queue_delete,
	.lookup_and_delete = queue_pop,
	.get_next_key = queue_get_next_key,
	.push = queue_push,
};
