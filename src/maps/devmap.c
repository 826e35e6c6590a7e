/* SPDX-License-Identifier: MIT */
/*
 * devmap.c - the XDP redirect targets: devmap (an array of interfaces) and
 * devmap_hash (interfaces by any u32 key), what bpf_redirect_map() sends a
 * packet to.
 *
 * A value is the kernel's struct bpf_devmap_val: the interface index, then
 * (8-byte values) a program to run on the egress device, by fd on update and
 * by id on lookup. bpfrt runs no devmap programs: an update that names one
 * fails with -EINVAL, so the id read back is always 0.
 *
 * As in the kernel: a devmap slot with ifindex 0 is empty (the update
 * succeeds and clears it), deleting always succeeds inside the array, and
 * BPF_NOEXIST always fails; devmap_hash refuses ifindex 0 like any interface
 * that does not exist. Programs read values (read-only, the kernel sets
 * BPF_F_RDONLY_PROG on every devmap) and redirect to them; they cannot
 * update or delete. The interface must exist in the network namespace of
 * the process that updates the map, as the kernel checks it in the updater's.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "map_impl.h"

/*
 * The kernel's mask, plus BPF_F_RDONLY_PROG: the check that sets it runs
 * again on the header of a pinned map when another process opens it (so
 * bpfrt, unlike Linux, also accepts it given at creation).
 */
#define DEVMAP_FLAGS (MF_NUMA_NODE | MF_RDONLY | MF_WRONLY | MF_RDONLY_PROG)

struct devmap_val {
	uint32_t ifindex;
	int32_t prog_fd; /* prog id when read back */
};

static int devmap_check(struct map_hdr *h, char *why, size_t len)
{
	if (h->key_size != 4 || (h->value_size != 4 && h->value_size != 8)) {
		snprintf(why, len, "a %s has a 4-byte key and a 4- or 8-byte value (struct "
			 "bpf_devmap_val), not %u and %u bytes", map_type_name(h->type),
			 h->key_size, h->value_size);
		return -EINVAL;
	}
	if (!h->max_entries) {
		snprintf(why, len, "max_entries must not be 0");
		return -EINVAL;
	}
	if (h->map_flags & ~DEVMAP_FLAGS) {
		snprintf(why, len, "map_flags 0x%x not allowed for a %s (allowed: 0x%x)",
			 h->map_flags, map_type_name(h->type), DEVMAP_FLAGS);
		return -EINVAL;
	}
	h->map_flags |= MF_RDONLY_PROG; /* as dev_map_init_map(): lookups give the value itself */
	if (h->type == BPFRT_MAP_TYPE_DEVMAP_HASH) {
		/* hash_check() knows the type by what it is not (LRU, per-CPU, of maps) */
		return hash_ops.check(h, why, len);
	}
	uint64_t bytes;
	if (!lay_mul(8, h->max_entries, &bytes) || !lay_add(bytes, MAP_HDR_SIZE, &h->lay.size)) {
		snprintf(why, len, "%u entries would exceed bpfrt's 1 GiB per map", h->max_entries);
		return -E2BIG;
	}
	h->lay.elem_off = MAP_HDR_SIZE;
	h->lay.elem_size = 8;
	h->lay.nelems = h->max_entries;
	h->lay.value_total = 8;
	return 0;
}

/* What an update stores, or an error: the interface must exist, no programs. */
static int devmap_value(struct bpfrt_map *m, const void *value, bool user, struct devmap_val *out)
{
	struct devmap_val v = { 0, 0 };
	memcpy(&v, value, m->value_size);
	if (m->value_size == 8 && v.prog_fd > 0)
		return map_fail(m, user, -EINVAL, "update: ifindex %u with a devmap program "
				"(fd %d): bpfrt runs no programs on egress", v.ifindex, v.prog_fd);
	char name[IF_NAMESIZE];
	if (v.ifindex && !if_indextoname(v.ifindex, name))
		return map_fail(m, user, -EINVAL, "update: no interface with ifindex %u",
				v.ifindex);
	if (!v.ifindex && m->type == BPFRT_MAP_TYPE_DEVMAP_HASH)
		return map_fail(m, user, -EINVAL, "update: ifindex 0 is no interface");
	out->ifindex = v.ifindex;
	out->prog_fd = 0;
	return 0;
}

static uint32_t key_index(const void *key)
{
	uint32_t i;
	memcpy(&i, key, sizeof(i));
	return i;
}

static uint32_t *slot(struct bpfrt_map *m, uint32_t i)
{
	return map_at(m, m->lay.elem_off + (uint64_t)i * 8);
}

static void devmap_init(struct bpfrt_map *m)
{
	(void)m; /* the file starts zeroed: every slot empty */
}

static void *devmap_lookup(struct bpfrt_map *m, const void *key)
{
	uint32_t i = key_index(key);
	if (i >= m->max_entries || !__atomic_load_n(slot(m, i), __ATOMIC_ACQUIRE))
		return NULL;
	return slot(m, i);
}

static int devmap_lookup_user(struct bpfrt_map *m, const void *key, void *value)
{
	const uint32_t *v = devmap_lookup(m, key);
	if (!v)
		return map_note(m, true, -ENOENT, "lookup: no interface at index %u",
				key_index(key));
	memcpy(value, v, m->value_size);
	return 0;
}

static int devmap_update(struct bpfrt_map *m, const void *key, const void *value,
			 uint64_t flags, bool user)
{
	if (!user)
		return -EINVAL; /* the verifier lets programs only look up and redirect */
	if (flags > BPFRT_EXIST)
		return map_fail(m, user, -EINVAL, "update: invalid flags 0x%llx",
				(unsigned long long)flags);
	uint32_t i = key_index(key);
	if (i >= m->max_entries)
		return map_fail(m, user, -E2BIG, "update: index %u out of range (max_entries %u)",
				i, m->max_entries);
	if (flags == BPFRT_NOEXIST)
		return map_note(m, user, -EEXIST, "update: devmap elements always exist "
				"(BPF_NOEXIST)");
	struct devmap_val v;
	int err = devmap_value(m, value, user, &v);
	if (err)
		return err;
	__atomic_store_n(slot(m, i) + 1, 0, __ATOMIC_RELAXED);
	__atomic_store_n(slot(m, i), v.ifindex, __ATOMIC_RELEASE);
	return 0;
}

static int devmap_delete(struct bpfrt_map *m, const void *key, bool user)
{
	if (!user)
		return -EINVAL;
	uint32_t i = key_index(key);
	if (i >= m->max_entries)
		return map_fail(m, user, -EINVAL, "delete: index %u out of range (max_entries %u)",
				i, m->max_entries);
	__atomic_store_n(slot(m, i), 0, __ATOMIC_RELEASE);
	return 0;
}

/* As the kernel's: a missing or out-of-range key starts over at 0. */
static int devmap_get_next_key(struct bpfrt_map *m, const void *key, void *next)
{
	uint32_t i = key ? key_index(key) : UINT32_MAX;
	if (i >= m->max_entries)
		i = 0;
	else if (i == m->max_entries - 1)
		return map_note(m, true, -ENOENT, "get_next_key: index %u is the last", i);
	else
		i++;
	memcpy(next, &i, sizeof(i));
	return 0;
}

const struct map_ops devmap_ops = {
	.check = devmap_check,
	.init = devmap_init,
	.lookup = devmap_lookup,
	.lookup_user = devmap_lookup_user,
	.update = devmap_update,
	.delete = devmap_delete,
	.get_next_key = devmap_get_next_key,
};

/* devmap_hash: a hash map whose updates check the interface first. */
static int devmap_hash_update(struct bpfrt_map *m, const void *key, const void *value,
			      uint64_t flags, bool user)
{
	if (!user)
		return -EINVAL;
	struct devmap_val v;
	int err = devmap_value(m, value, user, &v);
	if (err)
		return err;
	uint8_t stored[8];
	memcpy(stored, &v, sizeof(stored));
	return hash_ops.update(m, key, stored, flags, user);
}

static int devmap_hash_delete(struct bpfrt_map *m, const void *key, bool user)
{
	return user ? hash_ops.delete(m, key, user) : -EINVAL;
}

/* The rest is hash_ops' (a const table cannot be built from another one). */
static void devmap_hash_init(struct bpfrt_map *m) { hash_ops.init(m); }
static void *devmap_hash_lookup(struct bpfrt_map *m, const void *key) { return hash_ops.lookup(m, key); }
static int devmap_hash_lookup_user(struct bpfrt_map *m, const void *key, void *value)
{
	return hash_ops.lookup_user(m, key, value);
}
static int devmap_hash_get_next_key(struct bpfrt_map *m, const void *key, void *next)
{
	return hash_ops.get_next_key(m, key, next);
}

const struct map_ops devmap_hash_ops = {
	.check = devmap_check,
	.init = devmap_hash_init,
	.lookup = devmap_hash_lookup,
	.lookup_user = devmap_hash_lookup_user,
	.update = devmap_hash_update,
	.delete = devmap_hash_delete,
	.get_next_key = devmap_hash_get_next_key,
};
