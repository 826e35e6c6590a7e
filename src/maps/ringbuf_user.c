/* SPDX-License-Identifier: MIT */
/*
 * ringbuf_user.c - ring buffer consumers, as libbpf's ring_buffer__*: one
 * consumer reads records in order, calls the callback for each one that was
 * not discarded, and advances the consumer position past it.
 *
 * Waiting works across processes: a consumer notes the ring's wake_seq,
 * announces itself in `waiters`, checks once more for data, and sleeps on
 * wake_seq with a shared futex; producers bump wake_seq and, only if
 * someone waits, wake. Several rings are waited on at once with
 * futex_waitv(2) (Linux 5.16+), or by polling every millisecond without it.
 *
 * One consumer per ring at a time, as with libbpf.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "map_impl.h"
#include "shlock.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef FUTEX_32
#define FUTEX_32 2
struct futex_waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t __reserved;
};
#endif
#define MAX_RINGS 128 /* futex_waitv's limit */

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8

struct ring {
	struct bpfrt_map *map;
	bpfrt_ring_buffer_sample_fn cb;
	void *ctx;
};

struct bpfrt_ring_buffer {
	struct ring *rings;
	int n;
	struct bpfrt_runtime *rt;
};

static struct ringbuf_state *st(struct ring *r)
{
	return &r->map->hdr->st.rb;
}

static int check_ring(struct bpfrt_map *map, const char *what)
{
	if (!map)
		return -EINVAL;
	if (map->type != BPFRT_MAP_TYPE_RINGBUF)
		return rt_fail(map->rt, -EINVAL, "map '%s': %s: a %s is not a ring buffer",
			       map->name, what, map_type_name(map->type));
	return 0;
}

int bpfrt_ring_buffer__add(struct bpfrt_ring_buffer *rb, struct bpfrt_map *map,
			   bpfrt_ring_buffer_sample_fn sample_cb, void *ctx)
{
	int err = check_ring(map, "ring buffer consumer");
	if (err)
		return err;
	if (!sample_cb)
		return rt_fail(map->rt, -EINVAL, "map '%s': ring buffer consumer: no callback",
			       map->name);
	if (rb->n == MAX_RINGS)
		return rt_fail(map->rt, -E2BIG, "map '%s': ring buffer consumer: more than %d rings",
			       map->name, MAX_RINGS);
	struct ring *r = realloc(rb->rings, (size_t)(rb->n + 1) * sizeof(*r));
	if (!r)
		return rt_fail(map->rt, -ENOMEM, "map '%s': ring buffer consumer: out of memory",
			       map->name);
	rb->rings = r;
	rb->rings[rb->n++] = (struct ring){ map_get(map), sample_cb, ctx };
	return 0;
}

struct bpfrt_ring_buffer *bpfrt_ring_buffer__new(struct bpfrt_map *map,
						 bpfrt_ring_buffer_sample_fn sample_cb, void *ctx)
{
	struct bpfrt_ring_buffer *rb = calloc(1, sizeof(*rb));
	if (!rb) {
		errno = ENOMEM;
		return NULL;
	}
	int err = map ? bpfrt_ring_buffer__add(rb, map, sample_cb, ctx) : -EINVAL;
	if (err) {
		free(rb);
		errno = -err;
		return NULL;
	}
	return rb;
}

void bpfrt_ring_buffer__free(struct bpfrt_ring_buffer *rb)
{
	if (!rb)
		return;
	for (int i = 0; i < rb->n; i++)
		bpfrt_map__put(rb->rings[i].map);
	free(rb->rings);
	free(rb);
}

/*
 * Consume what one ring holds (libbpf's ringbuf_process_ring). Returns the
 * records handed to the callback, or the callback's non-zero return.
 */
static int64_t consume_ring(struct ring *r)
{
	struct bpfrt_map *m = r->map;
	struct ringbuf_state *s = st(r);
	uint8_t *data = map_at(m, m->lay.elem_off);
	uint64_t mask = m->lay.mask, cons = __atomic_load_n(&s->consumer_pos, __ATOMIC_ACQUIRE);
	int64_t cnt = 0;
	for (;;) {
		bool progress = false;
		uint64_t prod = __atomic_load_n(&s->producer_pos, __ATOMIC_ACQUIRE);
		if (prod - cons > mask)
			/* producers never get that far ahead: a damaged (shared) header */
			return rt_fail(m->rt, -EINVAL, "map '%s': corrupt ring buffer: producer at "
				       "%llu, consumer at %llu", m->name, (unsigned long long)prod,
				       (unsigned long long)cons);
		while (cons < prod) {
			uint32_t len = __atomic_load_n((uint32_t *)(data + (cons & mask)),
						       __ATOMIC_ACQUIRE);
			if (len & RB_BUSY)
				return cnt;
			uint32_t size = len & ~RB_DISCARD;
			if (size > mask + 1 - RB_HDR)
				return rt_fail(m->rt, -EINVAL, "map '%s': corrupt ring buffer: record "
					       "of %u bytes at position %llu", m->name, size,
					       (unsigned long long)cons);
			progress = true;
			void *sample = data + (cons & mask) + RB_HDR;
			cons += round_up8((uint64_t)size + RB_HDR);
			if (!(len & RB_DISCARD)) {
				int ret = r->cb(r->ctx, sample, size);
				__atomic_store_n(&s->consumer_pos, cons, __ATOMIC_RELEASE);
				if (ret)
					return ret;
				cnt++;
			} else {
				__atomic_store_n(&s->consumer_pos, cons, __ATOMIC_RELEASE);
			}
		}
		if (!progress)
			return cnt;
	}
}

int bpfrt_ring_buffer__consume(struct bpfrt_ring_buffer *rb)
{
	int64_t total = 0;
	for (int i = 0; i < rb->n; i++) {
		int64_t n = consume_ring(&rb->rings[i]);
		if (n < 0)
			return (int)n;
		total += n;
	}
	return total > __INT_MAX__ ? __INT_MAX__ : (int)total;
}

/* Is there a record to consume (submitted or discarded) in this ring? */
static bool ready(struct ring *r)
{
	struct ringbuf_state *s = st(r);
	uint64_t cons = __atomic_load_n(&s->consumer_pos, __ATOMIC_SEQ_CST);
	uint64_t prod = __atomic_load_n(&s->producer_pos, __ATOMIC_SEQ_CST);
	if (cons >= prod)
		return false;
	uint8_t *data = map_at(r->map, r->map->lay.elem_off);
	uint32_t len = __atomic_load_n((uint32_t *)(data + (cons & r->map->lay.mask)),
				       __ATOMIC_SEQ_CST);
	return !(len & RB_BUSY);
}

static int64_t ms_left(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Sleep until a producer wakes one of the rings, or the deadline (NULL: none). */
static int wait_rings(struct bpfrt_ring_buffer *rb, const uint32_t *seqs,
		      const struct timespec *deadline)
{
	if (rb->n == 1) {
		struct timespec rel, *t = NULL;
		if (deadline) {
			int64_t ms = ms_left(deadline);
			if (ms <= 0)
				return 0;
			rel = (struct timespec){ ms / 1000, (ms % 1000) * 1000000 };
			t = &rel;
		}
		long r = shfutex_wait(&st(&rb->rings[0])->wake_seq, seqs[0], t);
		return r < 0 && errno == EINTR ? -EINTR : 0;
	}
	struct futex_waitv w[MAX_RINGS];
	memset(w, 0, sizeof(w));
	for (int i = 0; i < rb->n; i++) {
		w[i].val = seqs[i];
		w[i].uaddr = (uintptr_t)&st(&rb->rings[i])->wake_seq;
		w[i].flags = FUTEX_32;
	}
	long r = syscall(SYS_futex_waitv, w, rb->n, 0, deadline, CLOCK_MONOTONIC);
	if (r < 0 && errno == ENOSYS) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
		return 0;
	}
	return r < 0 && errno == EINTR ? -EINTR : 0;
}

int bpfrt_ring_buffer__poll(struct bpfrt_ring_buffer *rb, int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms > 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
	}
	uint32_t seqs[MAX_RINGS];
	if (!rb->n)
		return 0;
	for (;;) {
		int n = bpfrt_ring_buffer__consume(rb);
		if (n || timeout_ms == 0 || (timeout_ms > 0 && ms_left(&deadline) <= 0))
			return n;
		bool any = false;
		for (int i = 0; i < rb->n; i++) {
			seqs[i] = __atomic_load_n(&st(&rb->rings[i])->wake_seq, __ATOMIC_SEQ_CST);
			__atomic_fetch_add(&st(&rb->rings[i])->waiters, 1, __ATOMIC_SEQ_CST);
		}
		for (int i = 0; i < rb->n; i++)
			any |= ready(&rb->rings[i]);
		int err = any ? 0 : wait_rings(rb, seqs, timeout_ms < 0 ? NULL : &deadline);
		for (int i = 0; i < rb->n; i++)
			__atomic_fetch_sub(&st(&rb->rings[i])->waiters, 1, __ATOMIC_SEQ_CST);
		if (err)
			return err;
	}
}
