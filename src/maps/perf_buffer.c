/* SPDX-License-Identifier: MIT */
/*
 * perf_buffer.c - perf event array consumers, as libbpf's perf_buffer__*:
 * one ring per CPU slot, records handed to the sample callback (the raw data)
 * or the lost callback (PERF_RECORD_LOST), in order per slot.
 *
 * Waiting works across processes as for ring buffers (ringbuf_user.c): note
 * the map's wake_seq, announce a waiter, look once more, sleep on wake_seq
 * with a shared futex. Producers bump it after every record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bpfrt/perf_buffer.h"
#include "map_impl.h"
#include "perf_ring.h"
#include "shlock.h"

struct held_slot {
	uint32_t index;
	uint32_t gen; /* the slot's gen when we opened it: another value, it is not ours */
};

struct bpfrt_perf_buffer {
	struct bpfrt_map *map;
	bpfrt_perf_buffer_sample_fn sample_cb;
	bpfrt_perf_buffer_lost_fn lost_cb;
	void *ctx;
	uint64_t size;      /* bytes of each ring */
	struct held_slot *slots;
	uint32_t nslots;
	uint8_t *copy;      /* a record that wraps, made contiguous */
};

static bool held(const struct bpfrt_perf_buffer *pb, const struct held_slot *h)
{
	return __atomic_load_n(&perf_slot_of(pb->map, h->index)->gen, __ATOMIC_ACQUIRE) == h->gen;
}

struct bpfrt_perf_buffer *bpfrt_perf_buffer__new(struct bpfrt_map *map, size_t page_cnt,
						 bpfrt_perf_buffer_sample_fn sample_cb,
						 bpfrt_perf_buffer_lost_fn lost_cb, void *ctx,
						 const struct bpfrt_perf_buffer_opts *opts)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bpfrt_perf_buffer *pb;
	int err;

	if (!map) {
		errno = EINVAL;
		return NULL;
	}
	if (map->type != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY) {
		err = rt_fail(map->rt, -EINVAL, "map '%s': perf buffer: a %s is not a perf event array",
			      map->name, map_type_name(map->type));
		goto fail;
	}
	if (!sample_cb || (opts && opts->sz < sizeof(size_t))) {
		err = rt_fail(map->rt, -EINVAL, "map '%s': perf buffer: %s", map->name,
			      sample_cb ? "invalid options" : "no sample callback");
		goto fail;
	}
	if (!page_cnt || (page_cnt & (page_cnt - 1)) ||
	    page_cnt > PERF_RING_MAX / (uint64_t)page) {
		err = rt_fail(map->rt, -EINVAL, "map '%s': perf buffer: page_cnt %zu is not a power "
			      "of two from 1 to %lu", map->name, page_cnt, PERF_RING_MAX / page);
		goto fail;
	}
	pb = calloc(1, sizeof(*pb));
	uint32_t ncpus = (uint32_t)bpfrt_num_possible_cpus();
	uint32_t n = map->max_entries < ncpus ? map->max_entries : ncpus;
	if (pb) {
		pb->size = page_cnt * (uint64_t)page;
		pb->slots = calloc(n, sizeof(*pb->slots));
		pb->copy = malloc(UINT16_MAX + 1);
	}
	if (!pb || !pb->slots || !pb->copy) {
		if (pb) {
			free(pb->slots);
			free(pb->copy);
		}
		free(pb);
		err = rt_fail(map->rt, -ENOMEM, "map '%s': perf buffer: out of memory", map->name);
		goto fail;
	}
	pb->map = map_get(map);
	pb->sample_cb = sample_cb;
	pb->lost_cb = lost_cb;
	pb->ctx = ctx;
	for (uint32_t i = 0; i < n; i++) {
		struct perf_slot *s = perf_slot_of(map, i);

		shlock_lock(&s->lock);
		s->head = s->tail = s->lost = 0;
		s->data_size = pb->size;
		pb->slots[i] = (struct held_slot){ i, s->gen + 1 };
		/* Last: a consumer that sees the new gen sees the reset ring. */
		__atomic_store_n(&s->gen, pb->slots[i].gen, __ATOMIC_RELEASE);
		shlock_unlock(&s->lock);
	}
	pb->nslots = n;
	return pb;
fail:
	errno = -err;
	return NULL;
}

void bpfrt_perf_buffer__free(struct bpfrt_perf_buffer *pb)
{
	if (!pb)
		return;
	for (uint32_t i = 0; i < pb->nslots; i++) {
		struct perf_slot *s = perf_slot_of(pb->map, pb->slots[i].index);

		shlock_lock(&s->lock);
		if (s->gen == pb->slots[i].gen)
			s->data_size = 0;
		shlock_unlock(&s->lock);
	}
	bpfrt_map__put(pb->map);
	free(pb->slots);
	free(pb->copy);
	free(pb);
}

/* Copy n bytes at position pos of a ring, wrapping at its end. */
static void ring_get(const uint8_t *ring, uint64_t size, uint64_t pos, void *dst, uint64_t n)
{
	uint64_t off = pos & (size - 1), first = n < size - off ? n : size - off;

	memcpy(dst, ring + off, first);
	memcpy((uint8_t *)dst + first, ring, n - first);
}

/*
 * Handle the records of one slot. The region is shared with processes we do
 * not trust to be correct, so every size is checked before it is used: a
 * record that is too short or runs past the head ends with -EINVAL.
 */
static int64_t consume_slot(struct bpfrt_perf_buffer *pb, const struct held_slot *h)
{
	struct perf_slot *s = perf_slot_of(pb->map, h->index);
	const uint8_t *ring = perf_ring_of(pb->map, h->index);
	uint64_t tail = s->tail, head = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);
	int64_t n = 0;

	if (head - tail > pb->size)
		return rt_fail(pb->map->rt, -EINVAL, "map '%s': perf buffer: slot %u holds %llu "
			       "bytes in a %llu-byte ring", pb->map->name, h->index,
			       (unsigned long long)(head - tail), (unsigned long long)pb->size);
	while (tail < head) {
		struct perf_event_hdr eh;

		ring_get(ring, pb->size, tail, &eh, sizeof(eh));
		if (eh.size < sizeof(eh) || eh.size > head - tail)
			return rt_fail(pb->map->rt, -EINVAL, "map '%s': perf buffer: slot %u: a "
				       "%u-byte record at %llu", pb->map->name, h->index, eh.size,
				       (unsigned long long)tail);
		ring_get(ring, pb->size, tail, pb->copy, eh.size);
		if (eh.type == PERF_RECORD_SAMPLE && eh.size >= PERF_SAMPLE_HDR) {
			uint32_t raw;

			memcpy(&raw, pb->copy + 8, 4);
			if (raw <= eh.size - PERF_SAMPLE_HDR)
				pb->sample_cb(pb->ctx, (int)h->index, pb->copy + PERF_SAMPLE_HDR, raw);
		} else if (eh.type == PERF_RECORD_LOST && eh.size >= PERF_LOST_SIZE) {
			uint64_t lost;

			memcpy(&lost, pb->copy + 16, 8);
			if (pb->lost_cb)
				pb->lost_cb(pb->ctx, (int)h->index, lost);
		}
		tail += eh.size;
		__atomic_store_n(&s->tail, tail, __ATOMIC_RELEASE);
		n++;
	}
	return n;
}

int bpfrt_perf_buffer__consume(struct bpfrt_perf_buffer *pb)
{
	int64_t total = 0;

	if (!pb)
		return -EINVAL;
	for (uint32_t i = 0; i < pb->nslots; i++) {
		if (!held(pb, &pb->slots[i]))
			continue;
		int64_t n = consume_slot(pb, &pb->slots[i]);
		if (n < 0)
			return (int)n;
		total += n;
	}
	return total > __INT_MAX__ ? __INT_MAX__ : (int)total;
}

static bool ready(const struct bpfrt_perf_buffer *pb)
{
	for (uint32_t i = 0; i < pb->nslots; i++) {
		struct perf_slot *s = perf_slot_of(pb->map, pb->slots[i].index);

		if (held(pb, &pb->slots[i]) &&
		    __atomic_load_n(&s->head, __ATOMIC_SEQ_CST) !=
		    __atomic_load_n(&s->tail, __ATOMIC_SEQ_CST))
			return true;
	}
	return false;
}

static int64_t ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int bpfrt_perf_buffer__poll(struct bpfrt_perf_buffer *pb, int timeout_ms)
{
	struct timespec deadline;

	if (!pb)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms > 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
	}
	struct perf_state *ps = &pb->map->hdr->st.perf;
	for (;;) {
		int n = bpfrt_perf_buffer__consume(pb);
		if (n || timeout_ms == 0 || (timeout_ms > 0 && ms_left(&deadline) <= 0))
			return n;
		uint32_t seq = __atomic_load_n(&ps->wake_seq, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&ps->waiters, 1, __ATOMIC_SEQ_CST);
		long r = 0;
		if (!ready(pb)) {
			struct timespec rel, *t = NULL;
			int64_t ms = timeout_ms < 0 ? 0 : ms_left(&deadline);

			if (timeout_ms >= 0) {
				if (ms < 0)
					ms = 0;
				rel = (struct timespec){ ms / 1000, (ms % 1000) * 1000000 };
				t = &rel;
			}
			r = shfutex_wait(&ps->wake_seq, seq, t);
		}
		__atomic_fetch_sub(&ps->waiters, 1, __ATOMIC_SEQ_CST);
		if (r < 0 && errno == EINTR)
			return -EINTR;
	}
}
