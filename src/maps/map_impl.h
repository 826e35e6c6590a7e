/* SPDX-License-Identifier: MIT */
/*
 * map_impl.h (internal to src/maps/) - what a map is: a region of shared
 * memory that holds everything (header, state, entries), and the
 * process-local handle that maps it.
 *
 * The region is a file (tmpfs), mapped MAP_SHARED by every process that uses
 * the map, possibly at different addresses: it holds no pointers, only
 * offsets and element indices (index + 1, so that 0 means "none"). The
 * header says what the map is, so that bpfrt_map__open_pinned() can check
 * what it maps; everything a handle needs is copied from a checked header
 * into the handle, so a region changed behind our back can give wrong
 * answers but never send us outside of it.
 *
 * Region: [ header + type state: MAP_HDR_SIZE bytes ][ type data ... ]
 *  array:   values, value_total bytes each (per-CPU: one stride per CPU)
 *  hash:    buckets (lock, head), then max_entries elements
 *  lpm:     2 * max_entries nodes (real and intermediate)
 *  queue:   max_entries + 1 slots
 *  bloom:   the bit array
 *  ringbuf: the data (mapped twice in a row, as the kernel maps it)
 *  perf event array: slot controls, then one ring per slot (perf_ring.h)
 */
#ifndef BPFRT_MAPS_MAP_IMPL_H
#define BPFRT_MAPS_MAP_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "maps.h"
#include "runtime/runtime.h"

/* The kernel's ENOTSUPP: not in libc, but what bpf() hands user space. */
#define ENOTSUPP 524

/* map_flags bits of the kernel that bpfrt.h does not name. */
#define MF_NO_PREALLOC BPFRT_F_NO_PREALLOC
#define MF_NO_COMMON_LRU BPFRT_F_NO_COMMON_LRU
#define MF_NUMA_NODE (1u << 2)
#define MF_RDONLY (1u << 3)
#define MF_WRONLY (1u << 4)
#define MF_ZERO_SEED (1u << 6)
#define MF_RDONLY_PROG BPFRT_F_RDONLY_PROG
#define MF_WRONLY_PROG BPFRT_F_WRONLY_PROG
#define MF_MMAPABLE BPFRT_F_MMAPABLE
#define MF_INNER_MAP (1u << 12)
#define MF_ACCESS (MF_RDONLY | MF_WRONLY | MF_RDONLY_PROG | MF_WRONLY_PROG)

/* Update flag bit beyond BPF_EXIST: needs a bpf_spin_lock in the value (BTF). */
#define UF_LOCK 4

/* Caps that keep every size computation far from overflow. */
#define MAP_MAX_REGION (1ull << 30)
#define MAP_MAX_KEY 512
#define MAP_MAX_VALUE (1u << 20)

#define MAP_MAGIC 0x50414d5452504642ull /* "BPFRTMAP" */
#define MAP_VERSION 1
#define MAP_HDR_SIZE 4096 /* header page: the data after it is page aligned */
#define MAP_NAME_LEN 64

/* Sizes and offsets of a map's region, computed from its parameters. */
struct map_layout {
	uint64_t size;        /* bytes of the whole region */
	uint64_t tab_off;     /* hash: buckets */
	uint64_t tab_size;    /* bloom: bytes of the bit array */
	uint64_t elem_off;    /* elements, values, nodes, slots, ring data */
	uint64_t elem_size;   /* stride of one element */
	uint32_t nelems;      /* number of elements */
	uint32_t nbuckets;    /* hash: a power of two */
	uint32_t key_off;     /* offset of the key in an element */
	uint32_t value_off;   /* offset of the value in an element */
	uint32_t value_total; /* value bytes per element (per-CPU: stride * ncpus) */
	uint32_t aux;         /* bloom: hash functions; lru: eviction scan limit */
	uint64_t mask;        /* bloom: bit mask; ringbuf: data size - 1 */
};

/* Shared, mutable state of each type; plain integers used with atomics. */
struct hash_state {
	uint32_t alloc_lock; /* free list, and LRU list */
	uint32_t free_head;
	uint32_t lru_head, lru_tail; /* most recently used first */
};

struct lpm_state {
	uint32_t lock;
	uint32_t root;
	uint32_t free_head;
	uint32_t n_entries;
};

struct queue_state {
	uint32_t lock;
	uint32_t head, tail; /* as the kernel's: empty when equal */
};

struct ringbuf_state {
	uint32_t lock;
	uint32_t pad0;
	uint64_t pending_pos;
	uint8_t pad1[48];
	uint64_t consumer_pos; /* each position on its own cache line */
	uint8_t pad2[56];
	uint64_t producer_pos;
	uint32_t wake_seq;     /* bumped on each wakeup; consumers wait on it */
	uint32_t waiters;      /* consumers waiting, so producers can skip futex_wake */
};

struct perf_state {
	uint32_t wake_seq; /* bumped after each record, in any slot; consumers wait on it */
	uint32_t waiters;
};

struct map_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t hdr_size;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	uint32_t ncpus;
	uint64_t map_extra;
	/* map-in-map: what every inner map must look like */
	uint32_t inner_type, inner_key_size, inner_value_size, inner_max_entries, inner_flags;
	uint32_t seed;
	char name[MAP_NAME_LEN];
	struct map_layout lay;
	uint8_t pad[64];
	union {
		struct hash_state hash;
		struct lpm_state lpm;
		struct queue_state queue;
		struct ringbuf_state rb;
		struct perf_state perf;
	} st __attribute__((aligned(64)));
};
_Static_assert(sizeof(struct map_hdr) <= MAP_HDR_SIZE, "map header must fit its page");

struct map_ops;

/* The process-local handle. */
struct bpfrt_map {
	struct bpfrt_runtime *rt;
	const struct map_ops *ops;
	struct map_hdr *hdr;
	uint8_t *base;   /* == (uint8_t *)hdr */
	size_t map_len;  /* bytes mapped at base */
	int fd;
	uint32_t id;
	int refcnt;
	char *pin_path;  /* last path pinned at or opened from, or NULL */
	char name[MAP_NAME_LEN];
	/* copied from the checked header */
	enum bpfrt_map_type type;
	uint32_t key_size, value_size, max_entries, map_flags;
	uint32_t stride; /* round_up(value_size, 8) */
	uint32_t ncpus;  /* CPUs with a value: 1 unless per-CPU */
	uint32_t seed;
	uint64_t map_extra;
	struct map_layout lay;
};

/*
 * What a type provides. `user` says whether user space or a program calls:
 * user space copies whole values in and out (every CPU's, for per-CPU maps),
 * a program sees its CPU's value, and only user-space failures are reported.
 * A NULL operation is one the type does not have.
 */
struct map_ops {
	/* Check creation parameters in h (why: the reason) and fill h->lay. */
	int (*check)(struct map_hdr *h, char *why, size_t len);
	void (*init)(struct bpfrt_map *m);
	void *(*lookup)(struct bpfrt_map *m, const void *key);
	int (*lookup_user)(struct bpfrt_map *m, const void *key, void *value);
	int (*update)(struct bpfrt_map *m, const void *key, const void *value, uint64_t flags,
		      bool user);
	int (*delete)(struct bpfrt_map *m, const void *key, bool user);
	int (*lookup_and_delete)(struct bpfrt_map *m, const void *key, void *value, bool user);
	int (*get_next_key)(struct bpfrt_map *m, const void *key, void *next);
	/*
	 * queue, stack, bloom filter (no key): user-space update is push, lookup
	 * is peek, lookup_and_delete (key NULL) is pop
	 */
	int (*push)(struct bpfrt_map *m, const void *value, uint64_t flags, bool user);
	int (*peek)(struct bpfrt_map *m, void *value, bool user);
	long (*for_each)(struct bpfrt_map *m, map_elem_cb cb, void *ctx);
	/* hash maps: the kernel's bucket-wise batches; others use the generic ones */
	int (*lookup_batch)(struct bpfrt_map *m, const void *in_batch, void *out_batch,
			    void *keys, void *values, uint32_t *count, bool del);
	bool generic_batch; /* lookup batches through get_next_key, update batches */
	bool delete_batch;  /* delete batches */
};

extern const struct map_ops array_ops, percpu_array_ops, prog_array_ops, array_of_maps_ops;
extern const struct map_ops hash_ops, percpu_hash_ops, lru_hash_ops, lru_percpu_hash_ops,
	hash_of_maps_ops;
extern const struct map_ops lpm_ops, queue_ops, stack_ops, bloom_ops, ringbuf_ops;
extern const struct map_ops devmap_ops, devmap_hash_ops;
extern const struct map_ops perf_event_array_ops;

/* --- helpers shared by the types --- */

static inline uint64_t round_up8(uint64_t x)
{
	return (x + 7) & ~7ull;
}

/* Address of a region offset. */
static inline void *map_at(const struct bpfrt_map *m, uint64_t off)
{
	return m->base + off;
}

/* Value slot of this CPU (per-CPU maps) within a value block. */
void *map_this_cpu(const struct bpfrt_map *m, void *values);

/* Copy a value block to user space (all CPUs) or from user space / a program. */
void map_copy_out(const struct bpfrt_map *m, void *dst, const void *values);
void map_copy_in(const struct bpfrt_map *m, void *values, const void *src, bool user, bool fresh);

/*
 * Failure reporting for user-space calls (program-side calls stay silent):
 * map_fail() is for misuse and prints through the runtime (rt_fail);
 * map_note() is for ordinary outcomes (no such key, full, empty) and only
 * records the message as bpfrt_runtime__last_error(). Both return err.
 */
__attribute__((format(printf, 4, 5)))
int map_fail(const struct bpfrt_map *m, bool user, int err, const char *fmt, ...);
__attribute__((format(printf, 4, 5)))
int map_note(const struct bpfrt_map *m, bool user, int err, const char *fmt, ...);

/* Flag checks of the kernel's update path. */
int map_check_update_flags(const struct bpfrt_map *m, uint64_t flags, bool user);

/* The inner map a map-in-map value (an id) names, checked against the template. */
int map_inner_check(struct bpfrt_map *m, uint32_t id, bool user);
struct bpfrt_map *map_inner_lookup(struct bpfrt_map *m, uint32_t id);

/* Layout arithmetic with overflow checks: false when the region would be too large. */
bool lay_mul(uint64_t a, uint64_t b, uint64_t *out);
bool lay_add(uint64_t a, uint64_t b, uint64_t *out);

/* CPUs (cpus.c). */
int map_cpu_index(void);

/* Shared memory (region.c). */
const char *map_pin_dir(void);
int region_create(struct bpfrt_map *m, uint64_t size, char *why, size_t len);
int region_map(struct bpfrt_map *m, uint64_t size, char *why, size_t len);
void region_unmap(struct bpfrt_map *m);
int region_read_hdr(int fd, struct map_hdr *h, uint64_t *file_size, char *why, size_t len);

/* The ops and name of a type (NULL when bpfrt does not have it). */
const struct map_ops *map_type_ops(uint32_t type);
const char *map_type_name(uint32_t type);
bool map_is_percpu_type(uint32_t type);
/* Fill a handle's copies from a checked header. */
void map_from_hdr(struct bpfrt_map *m, const struct map_hdr *h);
/* Give a new handle its id and first reference; on failure, free it. */
struct bpfrt_map *map_register(struct bpfrt_map *m);

/* Hash of bytes (jhash, as the kernel's maps use). */
uint32_t map_jhash(const void *key, uint32_t len, uint32_t seed);

#endif
