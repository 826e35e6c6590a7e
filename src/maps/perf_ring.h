/* SPDX-License-Identifier: MIT */
/*
 * perf_ring.h (internal to src/maps/) - the rings of a perf event array, as
 * the producer (perf_event_array.c) and the consumer (perf_buffer.c) share
 * them in the map's region, and the perf record headers they exchange.
 */
#ifndef BPFRT_MAPS_PERF_RING_H
#define BPFRT_MAPS_PERF_RING_H

#include <stdint.h>
#include "map_impl.h"

/* Address space of one slot's ring: the largest size a consumer may ask for. */
#define PERF_RING_MAX (256u * 1024)

/* perf_event.h's record types bpfrt writes. */
#define PERF_RECORD_LOST 2
#define PERF_RECORD_SAMPLE 9

struct perf_event_hdr {
	uint32_t type;
	uint16_t misc;
	uint16_t size;
};

/* PERF_RECORD_SAMPLE with only PERF_SAMPLE_RAW: the header, the raw size, the data. */
struct perf_sample_hdr {
	struct perf_event_hdr hdr;
	uint32_t raw_size;
};
#define PERF_SAMPLE_HDR 12u

struct perf_lost_rec {
	struct perf_event_hdr hdr;
	uint64_t id;
	uint64_t lost;
};
#define PERF_LOST_SIZE 24u
_Static_assert(sizeof(struct perf_lost_rec) == PERF_LOST_SIZE, "PERF_RECORD_LOST is 24 bytes");

/*
 * One slot: closed while data_size is 0 (output fails with -ENOENT, as with
 * no event in the slot). A consumer opens it by setting data_size and gen
 * under the lock; producers write under the lock and publish head; the
 * consumer alone moves tail. Head and tail on their own cache lines.
 */
struct perf_slot {
	uint32_t lock;
	uint32_t gen;       /* bumped by every consumer that opens the slot */
	uint64_t data_size; /* bytes of the ring in use: a power of two, or 0 */
	uint64_t lost;      /* records dropped since the last PERF_RECORD_LOST */
	uint64_t head;      /* producer position */
	uint8_t pad[32];
	uint64_t tail;      /* consumer position */
	uint8_t pad2[56];
};
_Static_assert(sizeof(struct perf_slot) == 128, "perf slots are two cache lines");

static inline uint64_t perf_page_round(uint64_t n)
{
	return (n + MAP_HDR_SIZE - 1) / MAP_HDR_SIZE * MAP_HDR_SIZE;
}

static inline struct perf_slot *perf_slot_of(const struct bpfrt_map *m, uint32_t i)
{
	return (struct perf_slot *)map_at(m, m->lay.tab_off + (uint64_t)i * sizeof(struct perf_slot));
}

static inline uint8_t *perf_ring_of(const struct bpfrt_map *m, uint32_t i)
{
	return map_at(m, m->lay.elem_off + (uint64_t)i * m->lay.elem_size);
}

#endif
