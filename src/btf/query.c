/* SPDX-License-Identifier: MIT */
/*
 * query.c - questions about the types of a parsed BTF: by id, names, sizes,
 * alignment, members, arrays, functions.
 *
 * Every walk here ends: check.c refused loops in modifier chains and in
 * by-value nesting. Walks still carry a depth limit (libbpf's 32) so that a
 * pathological but loop-free chain costs bounded stack, and the walks that
 * branch (into every member) a step budget: a hostile BTF sharing one type
 * among many members at many levels would otherwise take exponential time.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

#define MAX_RESOLVE_DEPTH 32
#define MAX_STEPS (1u << 20)

uint32_t btf_type_cnt(const struct btf *btf)
{
	return btf->start_id + btf->nr;
}

uint32_t btf_start_id(const struct btf *btf)
{
	return btf->start_id;
}

const struct btf *btf_base(const struct btf *btf)
{
	return btf->base;
}

const struct btf_type *btf_type_by_id(const struct btf *btf, uint32_t id)
{
	static const struct btf_type void_type;
	if (id >= btf->start_id) {
		if (id - btf->start_id >= btf->nr)
			return NULL;
		return btf_own_type(btf, id);
	}
	return btf->base ? btf_type_by_id(btf->base, id) : &void_type;
}

const char *btf_str(const struct btf *btf, uint32_t off)
{
	if (off < btf->start_str)
		return btf->base ? btf_str(btf->base, off) : NULL;
	off -= btf->start_str;
	return off < btf->strs_len ? btf->strs + off : NULL;
}

const char *btf_name(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	const char *s = t ? btf_str(btf, t->name_off) : NULL;
	return s ? s : "";
}

const char *btf_kind_str(unsigned kind)
{
	static const char *const names[NR_BTF_KINDS] = {
		[BTF_KIND_UNKN] = "UNKNOWN", [BTF_KIND_INT] = "INT", [BTF_KIND_PTR] = "PTR",
		[BTF_KIND_ARRAY] = "ARRAY", [BTF_KIND_STRUCT] = "STRUCT", [BTF_KIND_UNION] = "UNION",
		[BTF_KIND_ENUM] = "ENUM", [BTF_KIND_FWD] = "FWD", [BTF_KIND_TYPEDEF] = "TYPEDEF",
		[BTF_KIND_VOLATILE] = "VOLATILE", [BTF_KIND_CONST] = "CONST",
		[BTF_KIND_RESTRICT] = "RESTRICT", [BTF_KIND_FUNC] = "FUNC",
		[BTF_KIND_FUNC_PROTO] = "FUNC_PROTO", [BTF_KIND_VAR] = "VAR",
		[BTF_KIND_DATASEC] = "DATASEC", [BTF_KIND_FLOAT] = "FLOAT",
		[BTF_KIND_DECL_TAG] = "DECL_TAG", [BTF_KIND_TYPE_TAG] = "TYPE_TAG",
		[BTF_KIND_ENUM64] = "ENUM64",
	};
	return kind < NR_BTF_KINDS ? names[kind] : "UNKNOWN";
}

const struct btf_type *btf_skip_mods_typedefs_t(const struct btf *btf, uint32_t id, uint32_t *res_id)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	for (int i = 0; t && (btf_is_mod(t) || btf_kind(t) == BTF_KIND_TYPEDEF) && i < MAX_RESOLVE_DEPTH; i++) {
		id = t->type;
		t = btf_type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

uint32_t btf_skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	for (int i = 0; t && btf_is_mod(t) && i < MAX_RESOLVE_DEPTH; i++) {
		id = t->type;
		t = btf_type_by_id(btf, id);
	}
	return id;
}

uint32_t btf_skip_mods_typedefs(const struct btf *btf, uint32_t id)
{
	btf_skip_mods_typedefs_t(btf, id, &id);
	return id;
}

int64_t btf_resolve_size(const struct btf *btf, uint32_t id)
{
	uint64_t nelems = 1;
	const struct btf_type *t = btf_type_by_id(btf, id);
	for (int i = 0; i < MAX_RESOLVE_DEPTH; i++) {
		if (!t || !id)
			return -EINVAL;
		uint64_t size;
		switch (btf_kind(t)) {
		case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: case BTF_KIND_DATASEC: case BTF_KIND_FLOAT:
			size = t->size;
			break;
		case BTF_KIND_PTR:
			size = 8;	/* BPF and 64-bit kernels */
			break;
		case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			t = btf_type_by_id(btf, id);
			continue;
		case BTF_KIND_ARRAY:
			nelems *= btf_array(t)->nelems;
			if (nelems > UINT32_MAX)
				return -E2BIG;
			id = btf_array(t)->type;
			t = btf_type_by_id(btf, id);
			continue;
		default:
			return -EINVAL;
		}
		if (nelems && size > UINT32_MAX / nelems)
			return -E2BIG;
		return (int64_t)(size * nelems);
	}
	return -E2BIG;
}

/* A struct's alignment is its largest member's, unless it is laid out packed. */
static uint32_t align_of(const struct btf *btf, uint32_t id, int depth, uint32_t *steps)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	if (!t || depth > MAX_RESOLVE_DEPTH * 4 || ++*steps > MAX_STEPS)
		return 0;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
		return t->size < 8 ? t->size : 8;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return align_of(btf, t->type, depth + 1, steps);
	case BTF_KIND_ARRAY:
		return align_of(btf, btf_array(t)->type, depth + 1, steps);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		uint32_t max = 1;
		for (unsigned i = 0; i < btf_vlen(t); i++) {
			uint32_t a = align_of(btf, btf_members(t)[i].type, depth + 1, steps);
			if (!a)
				return 0;
			if (a > max)
				max = a;
			/* a misaligned member means the struct was packed */
			if (!btf_member_bitfield_size(t, i) && btf_member_bit_offset(t, i) % (8 * a))
				return 1;
		}
		return t->size % max ? 1 : max;
	}
	default:
		return 0;
	}
}

uint32_t btf_align_of(const struct btf *btf, uint32_t id)
{
	uint32_t steps = 0;
	return align_of(btf, id, 0, &steps);
}

static void fill_member(const struct btf *btf, uint32_t parent, const struct btf_type *t,
			uint32_t i, uint32_t base_off, struct btf_member_info *out)
{
	const struct btf_member *m = &btf_members(t)[i];
	out->name = btf_str(btf, m->name_off);
	out->type_id = m->type;
	out->bit_offset = base_off + btf_member_bit_offset(t, i);
	out->bitfield_size = btf_member_bitfield_size(t, i);
	out->index = i;
	out->parent_id = parent;
}

static int member_by_name(const struct btf *btf, uint32_t id, const char *name, uint32_t base_off,
			  int depth, uint32_t *steps, struct btf_member_info *out)
{
	const struct btf_type *t = btf_skip_mods_typedefs_t(btf, id, &id);
	if (!t || !btf_is_composite(t))
		return -EINVAL;
	if (depth > MAX_RESOLVE_DEPTH)
		return -E2BIG;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		if (++*steps > MAX_STEPS)
			return -E2BIG;
		const struct btf_member *m = &btf_members(t)[i];
		const char *n = btf_str(btf, m->name_off);
		if (*n) {
			if (!strcmp(n, name)) {
				fill_member(btf, id, t, i, base_off, out);
				return 0;
			}
			continue;
		}
		/* an anonymous struct/union member: its members are the parent's in C */
		const struct btf_type *mt = btf_skip_mods_typedefs_t(btf, m->type, NULL);
		if (mt && btf_is_composite(mt) &&
		    !member_by_name(btf, m->type, name, base_off + btf_member_bit_offset(t, i), depth + 1,
				    steps, out))
			return 0;
	}
	return *steps > MAX_STEPS ? -E2BIG : -ENOENT;
}

int btf_member_by_name(const struct btf *btf, uint32_t id, const char *name,
		       struct btf_member_info *out)
{
	if (!name || !*name)
		return -ENOENT;
	uint32_t steps = 0;
	return member_by_name(btf, id, name, 0, 0, &steps, out);
}

int btf_member_by_index(const struct btf *btf, uint32_t id, uint32_t index,
			struct btf_member_info *out)
{
	const struct btf_type *t = btf_skip_mods_typedefs_t(btf, id, &id);
	if (!t || !btf_is_composite(t))
		return -EINVAL;
	if (index >= btf_vlen(t))
		return -ENOENT;
	fill_member(btf, id, t, index, 0, out);
	return 0;
}

int btf_array_info(const struct btf *btf, uint32_t id, struct btf_array *out)
{
	const struct btf_type *t = btf_skip_mods_typedefs_t(btf, id, NULL);
	if (!t || btf_kind(t) != BTF_KIND_ARRAY)
		return -EINVAL;
	*out = *btf_array(t);
	return 0;
}

int btf_func_info(const struct btf *btf, uint32_t id, uint32_t *proto_id, unsigned *linkage)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	if (!t || btf_kind(t) != BTF_KIND_FUNC)
		return -EINVAL;
	if (proto_id)
		*proto_id = t->type;
	if (linkage)
		*linkage = btf_vlen(t);
	return 0;
}
