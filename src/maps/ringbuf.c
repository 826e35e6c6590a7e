/* SPDX-License-Identifier: MIT */
/*
 * ringbuf.c - ring buffers, the producer side, as the kernel's ringbuf.c.
 *
 * max_entries bytes of data (a power of two, a multiple of the page size),
 * mapped twice in a row so that a record is contiguous even where it wraps.
 * Positions only grow; position & (size - 1) is the offset in the data.
 * Each record starts with the kernel's 8-byte header: u32 len, with
 * BPF_RINGBUF_BUSY_BIT (31) set until it is submitted and
 * BPF_RINGBUF_DISCARD_BIT (30) when it was discarded, then u32 pg_off, the
 * header's distance in pages from the start of the region (how submit finds
 * the ring from a record). Records take round_up(len + 8, 8) bytes.
 *
 * Producers reserve under the ring's lock; a reservation fails when the
 * producer position would get more than size - 1 ahead of the consumer, or
 * of the oldest record not yet submitted (pending_pos). Submit and discard
 * clear BUSY without a lock, then wake consumers (futex on wake_seq) when
 * the consumer has caught up with the record, or when asked to.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "map_impl.h"
#include "shlock.h"

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8
#define RB_MAX_RECORD (UINT32_MAX / 4)
#define RB_NO_WAKEUP 1
#define RB_FORCE_WAKEUP 2
enum { RB_AVAIL_DATA, RB_RING_SIZE, RB_CONS_POS, RB_PROD_POS };

static int ringbuf_check(struct map_hdr *h, char *why, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t size = h->max_entries;
	if (h->key_size || h->value_size || !size || (size & (size - 1)) || size % page) {
		snprintf(why, len, "a ring buffer has no key or value (sizes %u, %u), and its "
			 "max_entries (%u) is its size: a power of 2 and a multiple of the page "
			 "size (%ld)", h->key_size, h->value_size, size, page);
		return -EINVAL;
	}
	if (h->map_flags & ~MF_NUMA_NODE) {
		snprintf(why, len, "map_flags 0x%x not allowed for a ring buffer", h->map_flags);
		return -EINVAL;
	}
	/* the data is mapped twice: both copies count against the cap */
	if (2ull * size + MAP_HDR_SIZE > MAP_MAX_REGION) {
		snprintf(why, len, "a %u-byte ring (mapped twice) would exceed bpfrt's 1 GiB per map",
			 size);
		return -E2BIG;
	}
	h->lay.elem_off = MAP_HDR_SIZE > (uint64_t)page ? MAP_HDR_SIZE : (uint64_t)page;
	h->lay.size = h->lay.elem_off + size;
	h->lay.mask = size - 1;
	return 0;
}

static void ringbuf_init(struct bpfrt_map *m)
{
	(void)m;
}

static struct ringbuf_state *st(struct map_hdr *h)
{
	return &h->st.rb;
}

static uint8_t *data_of(struct map_hdr *h)
{
	return (uint8_t *)h + h->lay.elem_off;
}

void *ringbuf_reserve(struct bpfrt_map *m, uint64_t size, uint64_t flags)
{
	if (m->type != BPFRT_MAP_TYPE_RINGBUF || flags || size > RB_MAX_RECORD)
		return NULL;
	uint64_t len = round_up8(size + RB_HDR), mask = m->lay.mask;
	if (len > mask + 1)
		return NULL;
	struct ringbuf_state *s = st(m->hdr);
	uint8_t *data = map_at(m, m->lay.elem_off);
	uint64_t cons = __atomic_load_n(&s->consumer_pos, __ATOMIC_ACQUIRE);
	shlock_lock(&s->lock);
	uint64_t pend = s->pending_pos, prod = s->producer_pos;
	/* skip records already submitted: the oldest busy one limits us */
	for (uint64_t n = 0; pend < prod && n <= (mask + 1) / RB_HDR; n++) {
		uint32_t hlen = __atomic_load_n((uint32_t *)(data + (pend & mask)), __ATOMIC_ACQUIRE);
		if (hlen & RB_BUSY)
			break;
		pend += round_up8((hlen & ~RB_DISCARD) + RB_HDR);
	}
	s->pending_pos = pend;
	if (prod + len - cons > mask || prod + len - pend > mask) {
		shlock_unlock(&s->lock);
		return NULL;
	}
	uint8_t *hdr = data + (prod & mask);
	uint32_t pg_off = (uint32_t)((uint64_t)(hdr - m->base) / (uint64_t)sysconf(_SC_PAGESIZE));
	__atomic_store_n((uint32_t *)hdr, (uint32_t)size | RB_BUSY, __ATOMIC_RELAXED);
	memcpy(hdr + 4, &pg_off, 4);
	__atomic_store_n(&s->producer_pos, prod + len, __ATOMIC_RELEASE);
	shlock_unlock(&s->lock);
	return hdr + RB_HDR;
}

static void commit(void *sample, uint64_t flags, bool discard)
{
	uint8_t *hdr = (uint8_t *)sample - RB_HDR;
	uint32_t pg_off;
	memcpy(&pg_off, hdr + 4, 4);
	long page = sysconf(_SC_PAGESIZE);
	struct map_hdr *h = (struct map_hdr *)(((uintptr_t)hdr & ~(uintptr_t)(page - 1)) -
					       (uintptr_t)pg_off * (uintptr_t)page);
	uint32_t len = __atomic_load_n((uint32_t *)hdr, __ATOMIC_RELAXED);
	uint32_t new_len = (len & ~RB_BUSY) | (discard ? RB_DISCARD : 0);
	__atomic_exchange_n((uint32_t *)hdr, new_len, __ATOMIC_SEQ_CST);

	struct ringbuf_state *s = st(h);
	uint64_t rec_pos = (uint64_t)(hdr - data_of(h));
	uint64_t cons = __atomic_load_n(&s->consumer_pos, __ATOMIC_ACQUIRE) & h->lay.mask;
	if ((flags & RB_FORCE_WAKEUP) || (cons == rec_pos && !(flags & RB_NO_WAKEUP))) {
		__atomic_fetch_add(&s->wake_seq, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->waiters, __ATOMIC_SEQ_CST))
			shfutex_wake(&s->wake_seq, __INT_MAX__);
	}
}

void ringbuf_submit(void *sample, uint64_t flags)
{
	commit(sample, flags, false);
}

void ringbuf_discard(void *sample, uint64_t flags)
{
	commit(sample, flags, true);
}

long ringbuf_output(struct bpfrt_map *m, const void *data, uint64_t size, uint64_t flags)
{
	if (flags & ~(uint64_t)(RB_NO_WAKEUP | RB_FORCE_WAKEUP))
		return -EINVAL;
	void *rec = ringbuf_reserve(m, size, 0);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	ringbuf_submit(rec, flags);
	return 0;
}

uint64_t ringbuf_query(struct bpfrt_map *m, uint64_t flags)
{
	if (m->type != BPFRT_MAP_TYPE_RINGBUF)
		return 0;
	struct ringbuf_state *s = st(m->hdr);
	uint64_t cons = __atomic_load_n(&s->consumer_pos, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(&s->producer_pos, __ATOMIC_ACQUIRE);
	switch (flags) {
	case RB_AVAIL_DATA: return prod - cons;
	case RB_RING_SIZE: return m->lay.mask + 1;
	case RB_CONS_POS: return cons;
	case RB_PROD_POS: return prod;
	default: return 0;
	}
}

const struct map_ops ringbuf_ops = {
	.check = ringbuf_check,
	.init = ringbuf_init,
};
