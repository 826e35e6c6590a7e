/* SPDX-License-Identifier: MIT */
/*
 * index.c - finding types by name without scanning them all.
 *
 * The kernel's BTF has ~100k types and CO-RE looks one up per relocation, so
 * parsing builds a hash table keyed by each name's essential part (the name
 * without a "___flavor" suffix). One table serves exact lookups (hash the
 * query's essential part, then compare whole names) and CO-RE candidate
 * searches (compare essential parts).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* A "___" with a non-underscore on each side starts a flavor: libbpf's rule. */
static bool is_flavor_sep(const char *s)
{
	return s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_';
}

size_t btf_essential_name_len(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (is_flavor_sep(name + i))
			return i + 1;
	return n;
}

/* FNV-1a */
uint32_t btf_name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

int btf_index_build(struct btf *btf)
{
	uint32_t nb = 16;
	while (nb < 2 * btf->nr)
		nb *= 2;
	btf->bucket = calloc(nb, sizeof(*btf->bucket));
	btf->next = calloc(btf->nr ? btf->nr : 1, sizeof(*btf->next));
	if (!btf->bucket || !btf->next)
		return -ENOMEM;
	btf->nbucket = nb;
	/* Insert from the last id so that each chain runs in increasing id order. */
	for (uint32_t i = btf->nr; i-- > 0;) {
		uint32_t id = btf->start_id + i;
		const char *name = btf_str(btf, btf_own_type(btf, id)->name_off);
		if (!*name)
			continue;
		uint32_t h = btf_name_hash(name, btf_essential_name_len(name)) & (nb - 1);
		btf->next[i] = btf->bucket[h];
		btf->bucket[h] = id;
	}
	return 0;
}

uint32_t btf_next_by_essential_name(const struct btf *btf, const char *name, size_t len,
				    uint32_t prev)
{
	uint32_t id;
	if (!prev)
		id = btf->bucket[btf_name_hash(name, len) & (btf->nbucket - 1)];
	else if (prev >= btf->start_id && prev < btf_type_cnt(btf))
		id = btf->next[prev - btf->start_id];
	else
		return 0;
	for (; id; id = btf->next[id - btf->start_id]) {
		const char *n = btf_str(btf, btf_own_type(btf, id)->name_off);
		if (!strncmp(n, name, len) && btf_essential_name_len(n) == len)
			return id;
	}
	return 0;
}

int32_t btf_find_by_name_kind(const struct btf *btf, const char *name, int kind)
{
	if (!name || !*name)
		return -ENOENT;
	if (btf->base) {
		int32_t id = btf_find_by_name_kind(btf->base, name, kind);
		if (id > 0)
			return id;
	}
	size_t len = btf_essential_name_len(name);
	for (uint32_t id = 0; (id = btf_next_by_essential_name(btf, name, len, id));) {
		const struct btf_type *t = btf_own_type(btf, id);
		if ((kind < 0 || btf_kind(t) == (unsigned)kind) && !strcmp(btf_str(btf, t->name_off), name))
			return (int32_t)id;
	}
	return -ENOENT;
}
