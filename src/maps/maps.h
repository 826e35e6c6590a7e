/* SPDX-License-Identifier: MIT */
/*
 * maps.h (internal) - what the rest of bpfrt uses of maps: the program-side
 * operations behind the helpers, and what the checked engine and the loader
 * need to know about a map's memory.
 *
 * Program-side operations have the kernel helpers' semantics and return
 * values (a negative errno as a long); values are pointers into the map's
 * shared memory that stay valid while the map lives.
 */
#ifndef BPFRT_MAPS_H
#define BPFRT_MAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "bpfrt/map.h"

/* bpf_map_lookup_elem: the value (this CPU's, for per-CPU maps), or NULL. */
void *map_lookup_elem(struct bpfrt_map *m, const void *key);
/* bpf_map_update_elem / bpf_map_delete_elem from a program. */
long map_update_elem(struct bpfrt_map *m, const void *key, const void *value, uint64_t flags);
long map_delete_elem(struct bpfrt_map *m, const void *key);
/* bpf_map_push_elem / pop / peek: queue, stack (and bloom filter: push adds, peek tests). */
long map_push_elem(struct bpfrt_map *m, const void *value, uint64_t flags);
long map_pop_elem(struct bpfrt_map *m, void *value);
long map_peek_elem(struct bpfrt_map *m, void *value);

/*
 * bpf_for_each_map_elem: call cb(map, key, value, ctx) for each element
 * (array, per-CPU array, hash maps) until it returns non-zero. Returns the
 * number of elements visited, or -EINVAL for types without iteration.
 */
typedef long (*map_elem_cb)(struct bpfrt_map *m, const void *key, void *value, void *ctx);
long map_for_each(struct bpfrt_map *m, map_elem_cb cb, void *ctx, uint64_t flags);

/* bpf_ringbuf_*: records are 8-byte aligned, headers as the kernel's. */
void *ringbuf_reserve(struct bpfrt_map *m, uint64_t size, uint64_t flags);
void ringbuf_submit(void *sample, uint64_t flags);
void ringbuf_discard(void *sample, uint64_t flags);
long ringbuf_output(struct bpfrt_map *m, const void *data, uint64_t size, uint64_t flags);
uint64_t ringbuf_query(struct bpfrt_map *m, uint64_t flags);

/*
 * bpf_perf_event_output: a PERF_RECORD_SAMPLE of size bytes into the ring of
 * slot flags & BPF_F_INDEX_MASK (BPF_F_CURRENT_CPU: this CPU's).
 */
long perf_event_output(struct bpfrt_map *m, uint64_t flags, const void *data, uint64_t size);

/* prog array: the id stored at index (0 if none); map-in-map: the inner map. */
uint32_t map_prog_array_get(struct bpfrt_map *m, uint32_t index);

/*
 * The memory a program may touch through this map's values: [lo, hi) and
 * whether programs may write it (not for BPFRT_F_RDONLY_PROG, e.g. .rodata).
 * False for maps whose values programs never see directly (ringbuf data is
 * reached through reserved records, which lie inside the returned range).
 */
bool map_value_region(const struct bpfrt_map *m, uintptr_t *lo, uintptr_t *hi, bool *writable);

/*
 * For a JIT that inlines bpf_map_lookup_elem on an array, as Linux's
 * verifier does (map_gen_lookup): value i of a plain (not per-CPU) array
 * is at values + i * stride for i < max_entries. False for other types.
 */
bool map_array_layout(const struct bpfrt_map *m, uintptr_t *values, uint32_t *stride,
		      uint32_t *max_entries);

/* For lddw of a map value (global data): address of value 0 of an array map + off. */
void *map_array_value_addr(struct bpfrt_map *m, uint32_t off);

/* Is p a live map of this runtime? (helpers check map arguments in checked mode) */
bool map_is_valid(const struct bpfrt_runtime *rt, const void *p);

/* Take a reference (the loader holds one per program using the map). */
struct bpfrt_map *map_get(struct bpfrt_map *m);

#endif
