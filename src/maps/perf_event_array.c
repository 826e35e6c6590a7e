/* SPDX-License-Identifier: MIT */
/*
 * perf_event_array.c - BPF_MAP_TYPE_PERF_EVENT_ARRAY, the producer side:
 * bpf_perf_event_output() writing records as the kernel's perf ring buffers
 * hold them for user space.
 *
 * In Linux each slot holds a perf event (a PERF_COUNT_SW_BPF_OUTPUT event
 * opened by user space on one CPU), with its own ring. bpfrt has no perf
 * events: each slot owns a ring in the map's shared memory, which a consumer
 * (perf_buffer.c, bpfrt_perf_buffer__new) opens with its size, as libbpf's
 * perf_buffer__new opens and stores an event per CPU. Region:
 *
 *   [ header ][ max_entries slot controls, page-rounded ][ rings ]
 *
 * every ring PERF_RING_MAX bytes of address space, of which the consumer's
 * size (a power of two) is used. Positions only grow; position & (size - 1)
 * is the offset, and a record may wrap around the end, as in perf.
 *
 * Records, as perf lays them out with sample_type PERF_SAMPLE_RAW:
 *   PERF_RECORD_SAMPLE: u32 type = 9, u16 misc = 0, u16 size; u32 raw_size;
 *       the data, then padding up to raw_size, which makes the whole record
 *       a multiple of 8 bytes: raw_size = round_up(size + 4, 8) - 4. Linux
 *       leaves the padding as the ring held it; bpfrt zeroes it.
 *   PERF_RECORD_LOST: u32 type = 2, u16 misc = 0, u16 size = 24; u64 id
 *       (here the slot index); u64 lost: records dropped because the ring
 *       was full, written before the next record that fits, as perf does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "map_impl.h"
#include "perf_ring.h"
#include "shlock.h"

#define F_INDEX_MASK 0xffffffffull
#define F_CURRENT_CPU F_INDEX_MASK

static int perf_check(struct map_hdr *h, char *why, size_t len)
{
	uint64_t ctl, rings, size;

	if (h->key_size != 4 || h->value_size != 4 || !h->max_entries) {
		snprintf(why, len, "a perf event array has 4-byte keys and values (not %u and %u) "
			 "and at least one entry (max_entries %u)", h->key_size, h->value_size,
			 h->max_entries);
		return -EINVAL;
	}
	if (h->map_flags & ~(MF_NUMA_NODE | MF_RDONLY | MF_WRONLY)) {
		snprintf(why, len, "map_flags 0x%x not allowed for a perf event array",
			 h->map_flags);
		return -EINVAL;
	}
	if (!lay_mul(h->max_entries, sizeof(struct perf_slot), &ctl) ||
	    !lay_mul(h->max_entries, PERF_RING_MAX, &rings) ||
	    !lay_add(MAP_HDR_SIZE + perf_page_round(ctl), rings, &size)) {
		snprintf(why, len, "%u entries of %u KiB rings would exceed bpfrt's 1 GiB per map",
			 h->max_entries, PERF_RING_MAX / 1024);
		return -E2BIG;
	}
	h->lay.tab_off = MAP_HDR_SIZE;
	h->lay.elem_off = MAP_HDR_SIZE + perf_page_round(ctl);
	h->lay.elem_size = PERF_RING_MAX;
	h->lay.nelems = h->max_entries;
	h->lay.size = size;
	return 0;
}

static void perf_init(struct bpfrt_map *m)
{
	(void)m; /* a zeroed region: every slot closed */
}

/* Copy into the ring at position pos, wrapping at its end. */
static void ring_put(uint8_t *ring, uint64_t size, uint64_t pos, const void *src, uint64_t n)
{
	uint64_t off = pos & (size - 1), first = n < size - off ? n : size - off;

	memcpy(ring + off, src, first);
	memcpy(ring, (const uint8_t *)src + first, n - first);
}

static void ring_zero(uint8_t *ring, uint64_t size, uint64_t pos, uint64_t n)
{
	uint64_t off = pos & (size - 1), first = n < size - off ? n : size - off;

	memset(ring + off, 0, first);
	memset(ring, 0, n - first);
}

long perf_event_output(struct bpfrt_map *m, uint64_t flags, const void *data, uint64_t size)
{
	struct perf_state *ps = &m->hdr->st.perf;
	uint64_t index = flags & F_INDEX_MASK;

	if (m->type != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY || (flags & ~F_INDEX_MASK))
		return -EINVAL;
	if (index == F_CURRENT_CPU)
		index = (uint64_t)map_cpu_index();
	if (index >= m->max_entries)
		return -E2BIG;
	/* As a perf event belongs to one CPU: only that CPU's programs write it. */
	if (index != (uint64_t)map_cpu_index())
		return -EOPNOTSUPP;
	/* A record's size is a u16 in its header. */
	uint64_t rec = PERF_SAMPLE_HDR + round_up8(size + 4) - 4;
	if (size > UINT16_MAX || rec > UINT16_MAX)
		return -E2BIG;

	struct perf_slot *s = perf_slot_of(m, (uint32_t)index);
	uint8_t *ring = perf_ring_of(m, (uint32_t)index);
	shlock_lock(&s->lock);
	uint64_t rsize = s->data_size;
	if (!rsize) {
		shlock_unlock(&s->lock);
		return -ENOENT;
	}
	uint64_t head = s->head, tail = __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE);
	uint64_t need = rec + (s->lost ? PERF_LOST_SIZE : 0);
	/* As perf's CIRC_SPACE: one byte stays free, so a ring is never seen full. */
	if (head - tail >= rsize || need > rsize - (head - tail) - 1) {
		s->lost++;
		shlock_unlock(&s->lock);
		return -ENOSPC;
	}
	if (s->lost) {
		struct perf_lost_rec l = {
			.hdr = { .type = PERF_RECORD_LOST, .size = PERF_LOST_SIZE },
			.id = index,
			.lost = s->lost,
		};
		ring_put(ring, rsize, head, &l, sizeof(l));
		head += PERF_LOST_SIZE;
		s->lost = 0;
	}
	struct perf_sample_hdr h = {
		.hdr = { .type = PERF_RECORD_SAMPLE, .size = (uint16_t)rec },
		.raw_size = (uint32_t)(rec - PERF_SAMPLE_HDR),
	};
	ring_put(ring, rsize, head, &h, PERF_SAMPLE_HDR);
	ring_put(ring, rsize, head + PERF_SAMPLE_HDR, data, size);
	ring_zero(ring, rsize, head + PERF_SAMPLE_HDR + size, rec - PERF_SAMPLE_HDR - size);
	__atomic_store_n(&s->head, head + rec, __ATOMIC_RELEASE);
	shlock_unlock(&s->lock);

	/* perf wakes the reader after every sample (libbpf's wakeup_events = 1). */
	__atomic_fetch_add(&ps->wake_seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ps->waiters, __ATOMIC_SEQ_CST))
		shfutex_wake(&ps->wake_seq, __INT_MAX__);
	return 0;
}

const struct map_ops perf_event_array_ops = {
	.check = perf_check,
	.init = perf_init,
};
