/* SPDX-License-Identifier: MIT */
/*
 * batch.c - batch operations, as BPF_MAP_*_BATCH.
 *
 * Hash maps have their own bucket-wise lookup batches (hash.c), whose batch
 * token is a u32 bucket number. Arrays and LPM tries use the kernel's
 * generic batches, which walk with get_next_key: their token is the last
 * key returned (key_size bytes). Updates and deletes of a batch go element
 * by element and stop at the first failure, *count saying how many were
 * done, as in the kernel. Other types have no batches (-ENOTSUPP).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "map_impl.h"

#define LOOKUP_RETRIES 3 /* the kernel's MAP_LOOKUP_RETRIES */

static int unsupported(struct bpfrt_map *m, const char *op)
{
	return map_fail(m, true, -ENOTSUPP, "%s is not supported by %s maps", op,
			map_type_name(m->type));
}

static int check_args(struct bpfrt_map *m, const char *op, const void *keys, const void *values,
		      const uint32_t *count, bool write)
{
	if (!count)
		return map_fail(m, true, -EINVAL, "%s: count is NULL", op);
	if (*count && (!keys || (!values && strcmp(op, "delete batch"))))
		return map_fail(m, true, -EINVAL, "%s: keys or values is NULL", op);
	if (write && (m->map_flags & MF_RDONLY))
		return map_fail(m, true, -EPERM, "%s: map is read-only for user space "
				"(BPF_F_RDONLY)", op);
	if (!write && (m->map_flags & MF_WRONLY))
		return map_fail(m, true, -EPERM, "%s: map is write-only for user space "
				"(BPF_F_WRONLY)", op);
	return 0;
}

/* The kernel's generic_map_lookup_batch(). */
static int generic_lookup(struct bpfrt_map *m, const void *in_batch, void *out_batch, void *keys,
			  void *values, uint32_t *count)
{
	uint32_t max = *count, cp = 0;
	size_t vsz = bpfrt_map__value_size_user(m);
	*count = 0;
	if (!max)
		return 0;
	uint8_t *buf = malloc(2 * (size_t)m->key_size);
	if (!buf)
		return map_fail(m, true, -ENOMEM, "lookup batch: out of memory");
	uint8_t *prev = NULL, *key = buf, *other = buf + m->key_size;
	if (in_batch) {
		memcpy(other, in_batch, m->key_size);
		prev = other;
	}
	int err = 0, retry = LOOKUP_RETRIES;
	while (cp < max) {
		err = m->ops->get_next_key(m, prev, key);
		if (err)
			break;
		err = m->ops->lookup_user(m, key, (uint8_t *)values + cp * vsz);
		if (err == -ENOENT) {
			/* deleted since get_next_key: try again from the same place */
			if (retry--)
				continue;
			err = map_fail(m, true, -EINTR, "lookup batch: entries keep disappearing");
			break;
		}
		if (err)
			break;
		memcpy((uint8_t *)keys + (size_t)cp * m->key_size, key, m->key_size);
		prev = key;
		key = key == buf ? buf + m->key_size : buf;
		retry = LOOKUP_RETRIES;
		cp++;
	}
	*count = cp;
	if (cp)
		memcpy(out_batch, prev, m->key_size);
	free(buf);
	return err;
}

int bpfrt_map__lookup_batch(const struct bpfrt_map *cm, const void *in_batch, void *out_batch,
			    void *keys, void *values, uint32_t *count)
{
	struct bpfrt_map *m = (struct bpfrt_map *)cm;
	if (!m->ops->lookup_batch && !m->ops->generic_batch)
		return unsupported(m, "lookup batch");
	int err = check_args(m, "lookup batch", keys, values, count, false);
	if (!err && !out_batch)
		err = map_fail(m, true, -EINVAL, "lookup batch: out_batch is NULL");
	if (err)
		return err;
	if (m->ops->lookup_batch)
		return m->ops->lookup_batch(m, in_batch, out_batch, keys, values, count, false);
	return generic_lookup(m, in_batch, out_batch, keys, values, count);
}

int bpfrt_map__lookup_and_delete_batch(struct bpfrt_map *m, const void *in_batch,
				       void *out_batch, void *keys, void *values, uint32_t *count)
{
	if (!m->ops->lookup_batch)
		return unsupported(m, "lookup and delete batch");
	int err = check_args(m, "lookup and delete batch", keys, values, count, true);
	err = err ? err : check_args(m, "lookup and delete batch", keys, values, count, false);
	if (!err && !out_batch)
		err = map_fail(m, true, -EINVAL, "lookup and delete batch: out_batch is NULL");
	if (err)
		return err;
	return m->ops->lookup_batch(m, in_batch, out_batch, keys, values, count, true);
}

int bpfrt_map__update_batch(struct bpfrt_map *m, const void *keys, const void *values,
			    uint32_t *count, uint64_t elem_flags)
{
	if (!m->ops->lookup_batch && !m->ops->generic_batch)
		return unsupported(m, "update batch");
	int err = check_args(m, "update batch", keys, values, count, true);
	if (err)
		return err;
	uint32_t n = *count, i;
	size_t vsz = bpfrt_map__value_size_user(m);
	for (i = 0; i < n && !err; i++)
		err = m->ops->update(m, (const uint8_t *)keys + (size_t)i * m->key_size,
				     (const uint8_t *)values + i * vsz, elem_flags, true);
	*count = err ? i - 1 : i;
	return err;
}

int bpfrt_map__delete_batch(struct bpfrt_map *m, const void *keys, uint32_t *count)
{
	if (!m->ops->delete_batch)
		return unsupported(m, "delete batch");
	int err = check_args(m, "delete batch", keys, NULL, count, true);
	if (err)
		return err;
	uint32_t n = *count, i;
	for (i = 0; i < n && !err; i++)
		err = m->ops->delete(m, (const uint8_t *)keys + (size_t)i * m->key_size, true);
	*count = err ? i - 1 : i;
	return err;
}
