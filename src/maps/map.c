/* SPDX-License-Identifier: MIT */
/*
 * map.c - creating and releasing maps, their properties, and what the map
 * types share: type table, value copies, failure reporting.
 *
 * Creation mirrors BPF_MAP_CREATE: generic checks here (flags every type
 * refuses, map_extra, map-in-map templates), then the type's own check,
 * which also computes the region's layout with overflow-checked arithmetic,
 * then the shared memory is created, the header written and the type's
 * state initialised.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "map_impl.h"

#define OPT(opts, field, dflt) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field) \
	 ? (opts)->field : (dflt))

static const struct {
	const char *name;
	const struct map_ops *ops;
} types[] = {
	[BPFRT_MAP_TYPE_HASH] = { "hash", &hash_ops },
	[BPFRT_MAP_TYPE_ARRAY] = { "array", &array_ops },
	[BPFRT_MAP_TYPE_PROG_ARRAY] = { "prog_array", &prog_array_ops },
	[BPFRT_MAP_TYPE_PERF_EVENT_ARRAY] = { "perf_event_array", &perf_event_array_ops },
	[BPFRT_MAP_TYPE_PERCPU_HASH] = { "percpu_hash", &percpu_hash_ops },
	[BPFRT_MAP_TYPE_PERCPU_ARRAY] = { "percpu_array", &percpu_array_ops },
	[BPFRT_MAP_TYPE_LRU_HASH] = { "lru_hash", &lru_hash_ops },
	[BPFRT_MAP_TYPE_LRU_PERCPU_HASH] = { "lru_percpu_hash", &lru_percpu_hash_ops },
	[BPFRT_MAP_TYPE_LPM_TRIE] = { "lpm_trie", &lpm_ops },
	[BPFRT_MAP_TYPE_ARRAY_OF_MAPS] = { "array_of_maps", &array_of_maps_ops },
	[BPFRT_MAP_TYPE_HASH_OF_MAPS] = { "hash_of_maps", &hash_of_maps_ops },
	[BPFRT_MAP_TYPE_DEVMAP] = { "devmap", &devmap_ops },
	[BPFRT_MAP_TYPE_QUEUE] = { "queue", &queue_ops },
	[BPFRT_MAP_TYPE_STACK] = { "stack", &stack_ops },
	[BPFRT_MAP_TYPE_DEVMAP_HASH] = { "devmap_hash", &devmap_hash_ops },
	[BPFRT_MAP_TYPE_RINGBUF] = { "ringbuf", &ringbuf_ops },
	[BPFRT_MAP_TYPE_BLOOM_FILTER] = { "bloom_filter", &bloom_ops },
};

const struct map_ops *map_type_ops(uint32_t type)
{
	return type < sizeof(types) / sizeof(types[0]) ? types[type].ops : NULL;
}

const char *map_type_name(uint32_t type)
{
	const char *n = type < sizeof(types) / sizeof(types[0]) ? types[type].name : NULL;
	return n ? n : "unknown";
}

bool map_is_percpu_type(uint32_t type)
{
	return type == BPFRT_MAP_TYPE_PERCPU_ARRAY || type == BPFRT_MAP_TYPE_PERCPU_HASH ||
	       type == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPFRT_MAP_TYPE_ARRAY_OF_MAPS || type == BPFRT_MAP_TYPE_HASH_OF_MAPS;
}

bool lay_mul(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out) && *out <= MAP_MAX_REGION;
}

bool lay_add(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out) && *out <= MAP_MAX_REGION;
}

void map_from_hdr(struct bpfrt_map *m, const struct map_hdr *h)
{
	m->ops = map_type_ops(h->type);
	m->type = (enum bpfrt_map_type)h->type;
	m->key_size = h->key_size;
	m->value_size = h->value_size;
	m->max_entries = h->max_entries;
	m->map_flags = h->map_flags;
	m->stride = (uint32_t)round_up8(h->value_size);
	m->ncpus = map_is_percpu_type(h->type) ? h->ncpus : 1;
	m->seed = h->seed;
	m->map_extra = h->map_extra;
	m->lay = h->lay;
	memcpy(m->name, h->name, MAP_NAME_LEN);
	m->name[MAP_NAME_LEN - 1] = '\0';
}

struct bpfrt_map *map_register(struct bpfrt_map *m)
{
	m->refcnt = 1;
	m->id = rt_id_alloc(m->rt, ID_MAP, m);
	if (m->id)
		return m;
	rt_fail(m->rt, -ENOMEM, "map '%s': out of memory for its id", m->name);
	region_unmap(m);
	free(m->pin_path);
	free(m);
	errno = ENOMEM;
	return NULL;
}

static struct bpfrt_map *create_fail(struct bpfrt_runtime *rt, struct bpfrt_map *m, int err,
				     const char *name, const char *why)
{
	rt_fail(rt, err, "map '%s': %s", name, why);
	if (m) {
		region_unmap(m);
		free(m);
	}
	errno = -err;
	return NULL;
}

/* The checks of BPF_MAP_CREATE that come before the type's own. */
static int check_generic(struct map_hdr *h, const struct bpfrt_map *inner, char *why, size_t len)
{
	if (!map_type_ops(h->type)) {
		snprintf(why, len, "unknown or unsupported map type %u", h->type);
		return -EINVAL;
	}
	if (h->map_extra && h->type != BPFRT_MAP_TYPE_BLOOM_FILTER) {
		snprintf(why, len, "map_extra (%llu) is only for bloom filters",
			 (unsigned long long)h->map_extra);
		return -EINVAL;
	}
	if ((h->map_flags & MF_RDONLY) && (h->map_flags & MF_WRONLY)) {
		snprintf(why, len, "both BPF_F_RDONLY and BPF_F_WRONLY");
		return -EINVAL;
	}
	if ((h->map_flags & MF_RDONLY_PROG) && (h->map_flags & MF_WRONLY_PROG)) {
		snprintf(why, len, "both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG");
		return -EINVAL;
	}
	if (!is_map_in_map(h->type))
		return 0;
	if (!inner) {
		snprintf(why, len, "a %s needs an inner map template (opts.inner_map)",
			 map_type_name(h->type));
		return -EINVAL;
	}
	if (is_map_in_map(inner->type)) {
		snprintf(why, len, "inner map '%s' is itself a map of maps (one level only)",
			 inner->name);
		return -EINVAL;
	}
	if (inner->type == BPFRT_MAP_TYPE_PROG_ARRAY) {
		snprintf(why, len, "inner map '%s' is a prog array, which cannot be an inner map",
			 inner->name);
		return -ENOTSUPP;
	}
	h->inner_type = inner->type;
	h->inner_key_size = inner->key_size;
	h->inner_value_size = inner->value_size;
	h->inner_max_entries = inner->max_entries;
	h->inner_flags = inner->map_flags;
	return 0;
}

static int set_init_value(struct bpfrt_map *m, const void *init, size_t size, char *why,
			  size_t len)
{
	if (!init && !size)
		return 0;
	if (m->type != BPFRT_MAP_TYPE_ARRAY) {
		snprintf(why, len, "an initial value is only for array maps, not %s",
			 map_type_name(m->type));
		return -EINVAL;
	}
	if (!init || size > m->value_size) {
		snprintf(why, len, "initial value of %zu bytes does not fit its %u-byte value",
			 size, m->value_size);
		return -EINVAL;
	}
	memcpy(map_at(m, m->lay.elem_off), init, size);
	return 0;
}

struct bpfrt_map *bpfrt_map__create(struct bpfrt_runtime *rt, enum bpfrt_map_type type,
				    const char *name, uint32_t key_size, uint32_t value_size,
				    uint32_t max_entries, const struct bpfrt_map_create_opts *opts)
{
	char why[256];
	if (!rt) {
		errno = EINVAL;
		return NULL;
	}
	if (!name)
		name = "";
	if (opts && opts->sz < sizeof(size_t)) {
		snprintf(why, sizeof(why), "invalid options (sz %zu)", opts->sz);
		return create_fail(rt, NULL, -EINVAL, name, why);
	}
	struct map_hdr h;
	memset(&h, 0, sizeof(h));
	h.version = MAP_VERSION;
	h.hdr_size = sizeof(h);
	h.type = (uint32_t)type;
	h.key_size = key_size;
	h.value_size = value_size;
	h.max_entries = max_entries;
	h.map_flags = OPT(opts, map_flags, 0);
	h.map_extra = OPT(opts, map_extra, 0);
	h.ncpus = (uint32_t)bpfrt_num_possible_cpus();
	snprintf(h.name, sizeof(h.name), "%s", name);
	int err = check_generic(&h, OPT(opts, inner_map, NULL), why, sizeof(why));
	if (!err)
		err = map_type_ops(h.type)->check(&h, why, sizeof(why));
	if (err)
		return create_fail(rt, NULL, err, name, why);
	if (!(h.map_flags & MF_ZERO_SEED) && getrandom(&h.seed, sizeof(h.seed), GRND_NONBLOCK) < 0)
		h.seed = (uint32_t)(uintptr_t)&h ^ 0x9e3779b9u;

	struct bpfrt_map *m = calloc(1, sizeof(*m));
	if (!m)
		return create_fail(rt, NULL, -ENOMEM, name, "out of memory");
	m->rt = rt;
	m->fd = -1;
	map_from_hdr(m, &h);
	err = region_create(m, h.lay.size, why, sizeof(why));
	if (err)
		return create_fail(rt, m, err, name, why);
	memcpy(m->hdr, &h, sizeof(h));
	m->ops->init(m);
	err = set_init_value(m, OPT(opts, init_value, NULL), OPT(opts, init_size, 0), why,
			     sizeof(why));
	if (err)
		return create_fail(rt, m, err, name, why);
	/* Last: a half-made region never looks like a map. */
	__atomic_store_n(&m->hdr->magic, MAP_MAGIC, __ATOMIC_RELEASE);
	return map_register(m);
}

struct bpfrt_map *map_get(struct bpfrt_map *m)
{
	__atomic_fetch_add(&m->refcnt, 1, __ATOMIC_RELAXED);
	return m;
}

void bpfrt_map__put(struct bpfrt_map *m)
{
	if (!m || __atomic_sub_fetch(&m->refcnt, 1, __ATOMIC_ACQ_REL))
		return;
	rt_id_free(m->rt, m->id);
	region_unmap(m);
	free(m->pin_path);
	free(m);
}

bool map_is_valid(const struct bpfrt_runtime *rt, const void *p)
{
	return p && rt_id_owns((struct bpfrt_runtime *)rt, p, ID_MAP);
}

const char *bpfrt_map__name(const struct bpfrt_map *m)
{
	return m->name;
}

enum bpfrt_map_type bpfrt_map__type(const struct bpfrt_map *m)
{
	return m->type;
}

uint32_t bpfrt_map__key_size(const struct bpfrt_map *m)
{
	return m->key_size;
}

uint32_t bpfrt_map__value_size(const struct bpfrt_map *m)
{
	return m->value_size;
}

uint32_t bpfrt_map__max_entries(const struct bpfrt_map *m)
{
	return m->max_entries;
}

uint32_t bpfrt_map__map_flags(const struct bpfrt_map *m)
{
	return m->map_flags;
}

uint32_t bpfrt_map__id(const struct bpfrt_map *m)
{
	return m->id;
}

size_t bpfrt_map__value_size_user(const struct bpfrt_map *m)
{
	return map_is_percpu_type(m->type) ? (size_t)m->stride * m->ncpus : m->value_size;
}

void *map_this_cpu(const struct bpfrt_map *m, void *values)
{
	if (!map_is_percpu_type(m->type))
		return values;
	return (uint8_t *)values + (size_t)m->stride * (size_t)map_cpu_index();
}

void map_copy_out(const struct bpfrt_map *m, void *dst, const void *values)
{
	if (map_is_percpu_type(m->type))
		memcpy(dst, values, (size_t)m->stride * m->ncpus);
	else
		memcpy(dst, values, m->value_size);
}

/*
 * User space gives every CPU's value; a program gives its CPU's, and a new
 * element (fresh) starts with zeroes on the other CPUs, as in the kernel.
 */
void map_copy_in(const struct bpfrt_map *m, void *values, const void *src, bool user, bool fresh)
{
	if (!map_is_percpu_type(m->type)) {
		memcpy(values, src, m->value_size);
		return;
	}
	if (user) {
		memcpy(values, src, (size_t)m->stride * m->ncpus);
		return;
	}
	uint8_t *mine = map_this_cpu(m, values);
	if (fresh)
		memset(values, 0, (size_t)m->stride * m->ncpus);
	memcpy(mine, src, m->value_size);
}

int map_fail(const struct bpfrt_map *m, bool user, int err, const char *fmt, ...)
{
	if (!user)
		return err;
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rt_fail(m->rt, err, "map '%s': %s", m->name, msg);
}

int map_note(const struct bpfrt_map *m, bool user, int err, const char *fmt, ...)
{
	if (!user)
		return err;
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(m->rt->last_error, sizeof(m->rt->last_error), "map '%s': %s", m->name, msg);
	return err;
}

int map_check_update_flags(const struct bpfrt_map *m, uint64_t flags, bool user)
{
	if ((flags & ~(uint64_t)UF_LOCK) > BPFRT_EXIST)
		return map_fail(m, user, -EINVAL, "update: invalid flags 0x%llx",
				(unsigned long long)flags);
	if (flags & UF_LOCK)
		return map_fail(m, user, -EINVAL, "update: BPF_F_LOCK needs a bpf_spin_lock "
				"described by BTF in the value, which bpfrt maps do not have");
	if (!user && (m->map_flags & MF_RDONLY_PROG))
		return -EPERM;
	return 0;
}

struct bpfrt_map *map_inner_lookup(struct bpfrt_map *m, uint32_t id)
{
	return id ? rt_id_lookup(m->rt, id, ID_MAP) : NULL;
}

/* As the kernel's bpf_map_meta_equal(): same type, sizes and flags. */
int map_inner_check(struct bpfrt_map *m, uint32_t id, bool user)
{
	struct bpfrt_map *in = map_inner_lookup(m, id);
	const struct map_hdr *h = m->hdr;
	if (!in)
		return map_fail(m, user, -EBADF, "update: no map with id %u", id);
	bool any_size = h->inner_flags & MF_INNER_MAP;
	if (in->type != h->inner_type || in->key_size != h->inner_key_size ||
	    in->value_size != h->inner_value_size || in->map_flags != h->inner_flags ||
	    (!any_size && in->max_entries != h->inner_max_entries))
		return map_fail(m, user, -EINVAL, "update: map '%s' (id %u) is a %s with key %u, "
				"value %u, max_entries %u, flags 0x%x; inner maps here must be "
				"%s with key %u, value %u, max_entries %u, flags 0x%x",
				in->name, id, map_type_name(in->type), in->key_size,
				in->value_size, in->max_entries, in->map_flags,
				map_type_name(h->inner_type), h->inner_key_size,
				h->inner_value_size, h->inner_max_entries, h->inner_flags);
	return 0;
}
