/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/map.h - maps: the kernel's map types, with the kernel's semantics,
 * in memory that programs, user space and other processes share.
 *
 * Map types, flags and update modes have the kernel's numbers, so code
 * written against <linux/bpf.h> passes its constants unchanged. Every map
 * lives in one shared-memory region (a file on tmpfs); pinning a map gives that
 * region a path, and another process opens it with bpfrt_map__open_pinned()
 * to read and write the same entries while programs run.
 *
 * Functions return 0 or a negative errno, as libbpf 1.x does, and pointers are
 * NULL with errno set on failure.
 */
#ifndef BPFRT_MAP_H
#define BPFRT_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_map;

/* The kernel's enum bpf_map_type values for the types bpfrt implements. */
enum bpfrt_map_type {
	BPFRT_MAP_TYPE_HASH = 1,
	BPFRT_MAP_TYPE_ARRAY = 2,
	BPFRT_MAP_TYPE_PROG_ARRAY = 3,
	BPFRT_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPFRT_MAP_TYPE_PERCPU_HASH = 5,
	BPFRT_MAP_TYPE_PERCPU_ARRAY = 6,
	BPFRT_MAP_TYPE_LRU_HASH = 9,
	BPFRT_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPFRT_MAP_TYPE_LPM_TRIE = 11,
	BPFRT_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPFRT_MAP_TYPE_HASH_OF_MAPS = 13,
	BPFRT_MAP_TYPE_DEVMAP = 14,        /* XDP redirect targets (struct bpf_devmap_val) */
	BPFRT_MAP_TYPE_QUEUE = 22,
	BPFRT_MAP_TYPE_STACK = 23,
	BPFRT_MAP_TYPE_DEVMAP_HASH = 25,
	BPFRT_MAP_TYPE_RINGBUF = 27,
	BPFRT_MAP_TYPE_BLOOM_FILTER = 30,
};

/* Update modes (the kernel's BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
#define BPFRT_ANY 0
#define BPFRT_NOEXIST 1
#define BPFRT_EXIST 2

/* map_flags bits with the kernel's values. */
#define BPFRT_F_NO_PREALLOC (1u << 0)
#define BPFRT_F_NO_COMMON_LRU (1u << 1)
#define BPFRT_F_RDONLY_PROG (1u << 7)
#define BPFRT_F_WRONLY_PROG (1u << 8)
#define BPFRT_F_MMAPABLE (1u << 10)

struct bpfrt_map_create_opts {
	size_t sz;             /* sizeof(struct bpfrt_map_create_opts) */
	uint32_t map_flags;    /* BPFRT_F_* */
	uint64_t map_extra;    /* bloom filter: number of hash functions (0: 5) */
	/* map-in-map: a map whose type and sizes every inner map must have */
	const struct bpfrt_map *inner_map;
	/*
	 * Initial contents of the value of entry 0 of an array map (the
	 * .data/.rodata of an object), copied in at creation.
	 */
	const void *init_value;
	size_t init_size;
};

/**
 * bpfrt_map__create() - create a map in a runtime.
 *
 * Checks sizes as the kernel does: key and value sizes the type needs (4-byte
 * keys for arrays, 8+ byte value for LPM tries' prefix, no key for queues,
 * stacks, bloom filters and ring buffers), max_entries > 0 (a power of two
 * multiple of the page size for ring buffers), and refuses maps larger than
 * memory allows with -E2BIG rather than failing later.
 *
 * Return: the map (owned by the runtime until bpfrt_map__put()), or NULL with
 * errno set and the reason in bpfrt_runtime__last_error().
 */
struct bpfrt_map *bpfrt_map__create(struct bpfrt_runtime *rt, enum bpfrt_map_type type,
				    const char *name, uint32_t key_size, uint32_t value_size,
				    uint32_t max_entries, const struct bpfrt_map_create_opts *opts);

/** bpfrt_map__put() - drop a reference; the map goes when the last one does. */
void bpfrt_map__put(struct bpfrt_map *map);

const char *bpfrt_map__name(const struct bpfrt_map *map);
enum bpfrt_map_type bpfrt_map__type(const struct bpfrt_map *map);
uint32_t bpfrt_map__key_size(const struct bpfrt_map *map);
uint32_t bpfrt_map__value_size(const struct bpfrt_map *map);
uint32_t bpfrt_map__max_entries(const struct bpfrt_map *map);
uint32_t bpfrt_map__map_flags(const struct bpfrt_map *map);
/* Runtime-wide id, used where the kernel uses an fd (prog and map-in-map values). */
uint32_t bpfrt_map__id(const struct bpfrt_map *map);

/*
 * Size of one value as user space sees it: value_size, or for per-CPU maps
 * round_up(value_size, 8) * bpfrt_num_possible_cpus(), every CPU's value in
 * turn, as the kernel lays them out.
 */
size_t bpfrt_map__value_size_user(const struct bpfrt_map *map);

/* CPUs bpfrt keeps per-CPU values for (the possible CPUs of this machine). */
int bpfrt_num_possible_cpus(void);

/*
 * User-space element access. key_sz and value_sz must equal the map's sizes
 * (value_sz: bpfrt_map__value_size_user()), else -EINVAL. flags as the kernel:
 * BPFRT_ANY/NOEXIST/EXIST for updates (-EEXIST, -ENOENT, -E2BIG when full).
 */
int bpfrt_map__lookup_elem(const struct bpfrt_map *map, const void *key, size_t key_sz,
			   void *value, size_t value_sz, uint64_t flags);
int bpfrt_map__update_elem(struct bpfrt_map *map, const void *key, size_t key_sz,
			   const void *value, size_t value_sz, uint64_t flags);
int bpfrt_map__delete_elem(struct bpfrt_map *map, const void *key, size_t key_sz, uint64_t flags);
/* Queue/stack pop (key NULL), or lookup-and-delete for hash maps. */
int bpfrt_map__lookup_and_delete_elem(struct bpfrt_map *map, const void *key, size_t key_sz,
				      void *value, size_t value_sz, uint64_t flags);
/* The key after cur_key (cur_key NULL: the first); -ENOENT after the last. */
int bpfrt_map__get_next_key(const struct bpfrt_map *map, const void *cur_key, void *next_key,
			    size_t key_sz);

/*
 * Batch operations, as BPF_MAP_LOOKUP_BATCH etc.: *count is in: room in keys
 * and values, out: entries done. in_batch NULL starts from the beginning;
 * out_batch receives the position to pass next time. -ENOENT when the end
 * was reached (with *count entries still returned).
 */
int bpfrt_map__lookup_batch(const struct bpfrt_map *map, const void *in_batch, void *out_batch,
			    void *keys, void *values, uint32_t *count);
int bpfrt_map__lookup_and_delete_batch(struct bpfrt_map *map, const void *in_batch,
				       void *out_batch, void *keys, void *values, uint32_t *count);
int bpfrt_map__update_batch(struct bpfrt_map *map, const void *keys, const void *values,
			    uint32_t *count, uint64_t elem_flags);
int bpfrt_map__delete_batch(struct bpfrt_map *map, const void *keys, uint32_t *count);

/*
 * Pinning: give the map's shared memory a path (default directory
 * /dev/shm/bpfrt, or $BPFRT_PIN_DIR, when path has no '/'). Another process
 * opens it with bpfrt_map__open_pinned() and sees the same entries.
 */
int bpfrt_map__pin(struct bpfrt_map *map, const char *path);
int bpfrt_map__unpin(struct bpfrt_map *map, const char *path);
struct bpfrt_map *bpfrt_map__open_pinned(struct bpfrt_runtime *rt, const char *path);

/* --- ring buffers, as libbpf's ring_buffer__* --- */

struct bpfrt_ring_buffer;

/* Called for each record; a non-zero return stops the poll and is returned. */
typedef int (*bpfrt_ring_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct bpfrt_ring_buffer *bpfrt_ring_buffer__new(struct bpfrt_map *map,
						 bpfrt_ring_buffer_sample_fn sample_cb, void *ctx);
int bpfrt_ring_buffer__add(struct bpfrt_ring_buffer *rb, struct bpfrt_map *map,
			   bpfrt_ring_buffer_sample_fn sample_cb, void *ctx);
/* Wait up to timeout_ms (-1: forever) for records; returns records consumed or -errno. */
int bpfrt_ring_buffer__poll(struct bpfrt_ring_buffer *rb, int timeout_ms);
/* Consume what is there without waiting. */
int bpfrt_ring_buffer__consume(struct bpfrt_ring_buffer *rb);
void bpfrt_ring_buffer__free(struct bpfrt_ring_buffer *rb);

#ifdef __cplusplus
}
#endif
#endif
