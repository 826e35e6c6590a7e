/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/perf_buffer.h - consuming a perf event array, as libbpf's
 * perf_buffer__*.
 *
 * Programs write records with bpf_perf_event_output(ctx, &map, flags, data,
 * size) into the ring of one slot of a BPF_MAP_TYPE_PERF_EVENT_ARRAY: slot
 * flags & BPF_F_INDEX_MASK, or the CPU's own with BPF_F_CURRENT_CPU. A slot
 * has a ring only while a perf buffer holds it open: output to a closed slot
 * fails with -ENOENT, to a full ring with -ENOSPC (the record is counted as
 * lost), as in Linux when no perf event is stored in the slot or its ring is
 * full. The rings live in the map's shared memory, so a process that opened
 * the map pinned (bpfrt_map__open_pinned) can consume what another process's
 * programs write.
 */
#ifndef BPFRT_PERF_BUFFER_H
#define BPFRT_PERF_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include "map.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_perf_buffer;

/*
 * A record: cpu is the slot, data the raw sample and size its raw size,
 * which perf pads so that a record is a multiple of 8 bytes (size =
 * round_up(n + 4, 8) - 4 for n bytes written). bpfrt zeroes the padding;
 * Linux leaves whatever its ring held there.
 */
typedef void (*bpfrt_perf_buffer_sample_fn)(void *ctx, int cpu, void *data, uint32_t size);
/* cnt records of that slot were dropped because its ring was full. */
typedef void (*bpfrt_perf_buffer_lost_fn)(void *ctx, int cpu, uint64_t cnt);

struct bpfrt_perf_buffer_opts {
	size_t sz; /* sizeof(struct bpfrt_perf_buffer_opts) */
};

/**
 * bpfrt_perf_buffer__new() - open a ring of page_cnt pages in each slot of
 * map that has a CPU (slots 0 .. min(max_entries, CPUs) - 1).
 * @page_cnt: a power of two, at most 64 (256 KiB rings with 4 KiB pages).
 * @sample_cb: required; @lost_cb: may be NULL.
 *
 * A slot another perf buffer held is taken over (as storing a new perf
 * event in the kernel's map replaces the old one): the old buffer no longer
 * sees it. Return: the buffer, or NULL with errno set and the reason in the
 * runtime's last error.
 */
struct bpfrt_perf_buffer *bpfrt_perf_buffer__new(struct bpfrt_map *map, size_t page_cnt,
						 bpfrt_perf_buffer_sample_fn sample_cb,
						 bpfrt_perf_buffer_lost_fn lost_cb, void *ctx,
						 const struct bpfrt_perf_buffer_opts *opts);
/* Wait up to timeout_ms (-1: forever) for records; returns records handled or -errno. */
int bpfrt_perf_buffer__poll(struct bpfrt_perf_buffer *pb, int timeout_ms);
/* Handle what is there without waiting; returns records handled or -errno. */
int bpfrt_perf_buffer__consume(struct bpfrt_perf_buffer *pb);
/* Close the slots it still holds (output to them fails again) and free it. */
void bpfrt_perf_buffer__free(struct bpfrt_perf_buffer *pb);

#ifdef __cplusplus
}
#endif
#endif
