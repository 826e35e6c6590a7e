/* SPDX-License-Identifier: MIT */
/*
 * map_user.c - element access from user space, as the bpf() commands
 * BPF_MAP_LOOKUP_ELEM, UPDATE_ELEM, DELETE_ELEM, LOOKUP_AND_DELETE_ELEM and
 * GET_NEXT_KEY: argument checks common to every type, then the type's own
 * operation. Queues, stacks and bloom filters take no key: lookup is peek,
 * update is push and lookup-and-delete is pop, as in the kernel.
 */
#include <errno.h>
#include "map_impl.h"

static int unsupported(struct bpfrt_map *m, const char *op)
{
	return map_fail(m, true, -ENOTSUPP, "%s is not supported by %s maps", op,
			map_type_name(m->type));
}

static int check_key(struct bpfrt_map *m, const char *op, const void *key, size_t key_sz)
{
	if (key_sz != m->key_size)
		return map_fail(m, true, -EINVAL, "%s: key size %zu, the map's is %u", op, key_sz,
				m->key_size);
	if (!m->key_size && key)
		return map_fail(m, true, -EINVAL, "%s: a %s takes no key (pass NULL)", op,
				map_type_name(m->type));
	if (m->key_size && !key)
		return map_fail(m, true, -EINVAL, "%s: key is NULL", op);
	return 0;
}

static int check_value(struct bpfrt_map *m, const char *op, const void *value, size_t value_sz)
{
	size_t want = bpfrt_map__value_size_user(m);
	if (value_sz != want)
		return map_fail(m, true, -EINVAL, "%s: value size %zu, the map's is %zu%s", op,
				value_sz, want,
				want != m->value_size ? " (per-CPU: round_up(value_size, 8) "
							"* possible CPUs)" : "");
	if (!value)
		return map_fail(m, true, -EINVAL, "%s: value is NULL", op);
	return 0;
}

static int check_lookup_flags(struct bpfrt_map *m, const char *op, uint64_t flags)
{
	if (flags & ~(uint64_t)UF_LOCK)
		return map_fail(m, true, -EINVAL, "%s: invalid flags 0x%llx", op,
				(unsigned long long)flags);
	if (flags)
		return map_fail(m, true, -EINVAL, "%s: BPF_F_LOCK needs a bpf_spin_lock described "
				"by BTF in the value, which bpfrt maps do not have", op);
	return 0;
}

static int check_access(struct bpfrt_map *m, const char *op, bool write)
{
	if (write && (m->map_flags & MF_RDONLY))
		return map_fail(m, true, -EPERM, "%s: map is read-only for user space "
				"(BPF_F_RDONLY)", op);
	if (!write && (m->map_flags & MF_WRONLY))
		return map_fail(m, true, -EPERM, "%s: map is write-only for user space "
				"(BPF_F_WRONLY)", op);
	return 0;
}

int bpfrt_map__lookup_elem(const struct bpfrt_map *cm, const void *key, size_t key_sz,
			   void *value, size_t value_sz, uint64_t flags)
{
	struct bpfrt_map *m = (struct bpfrt_map *)cm;
	if (!m->ops->lookup_user && !m->ops->peek)
		return unsupported(m, "lookup");
	int err = check_key(m, "lookup", key, key_sz);
	err = err ? err : check_value(m, "lookup", value, value_sz);
	err = err ? err : check_lookup_flags(m, "lookup", flags);
	err = err ? err : check_access(m, "lookup", false);
	if (err)
		return err;
	return m->ops->peek ? m->ops->peek(m, value, true) : m->ops->lookup_user(m, key, value);
}

int bpfrt_map__update_elem(struct bpfrt_map *m, const void *key, size_t key_sz,
			   const void *value, size_t value_sz, uint64_t flags)
{
	if (!m->ops->update && !m->ops->push)
		return unsupported(m, "update");
	int err = check_key(m, "update", key, key_sz);
	err = err ? err : check_value(m, "update", value, value_sz);
	err = err ? err : check_access(m, "update", true);
	if (err)
		return err;
	if (m->ops->push)
		return m->ops->push(m, value, flags, true);
	return m->ops->update(m, key, value, flags, true);
}

int bpfrt_map__delete_elem(struct bpfrt_map *m, const void *key, size_t key_sz, uint64_t flags)
{
	if (!m->ops->delete)
		return unsupported(m, "delete");
	int err = check_key(m, "delete", key, key_sz);
	err = err ? err : check_lookup_flags(m, "delete", flags);
	err = err ? err : check_access(m, "delete", true);
	return err ? err : m->ops->delete(m, key, true);
}

int bpfrt_map__lookup_and_delete_elem(struct bpfrt_map *m, const void *key, size_t key_sz,
				      void *value, size_t value_sz, uint64_t flags)
{
	if (!m->ops->lookup_and_delete)
		return unsupported(m, "lookup and delete");
	int err = check_key(m, "lookup and delete", key, key_sz);
	err = err ? err : check_value(m, "lookup and delete", value, value_sz);
	if (!err && !m->key_size && flags)
		err = map_fail(m, true, -EINVAL, "pop: invalid flags 0x%llx",
			       (unsigned long long)flags);
	err = err ? err : check_lookup_flags(m, "lookup and delete", flags);
	err = err ? err : check_access(m, "lookup and delete", true);
	err = err ? err : check_access(m, "lookup and delete", false);
	return err ? err : m->ops->lookup_and_delete(m, key, value, true);
}

int bpfrt_map__get_next_key(const struct bpfrt_map *cm, const void *cur_key, void *next_key,
			    size_t key_sz)
{
	struct bpfrt_map *m = (struct bpfrt_map *)cm;
	if (!m->ops->get_next_key)
		return unsupported(m, "get_next_key");
	if (key_sz != m->key_size)
		return map_fail(m, true, -EINVAL, "get_next_key: key size %zu, the map's is %u",
				key_sz, m->key_size);
	if (!next_key)
		return map_fail(m, true, -EINVAL, "get_next_key: next_key is NULL");
	int err = check_access(m, "get_next_key", false);
	return err ? err : m->ops->get_next_key(m, cur_key, next_key);
}
