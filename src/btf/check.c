/* SPDX-License-Identifier: MIT */
/*
 * check.c - the checks of a parsed BTF that need every type: each reference
 * points to an existing type of a kind that may stand there, type chains
 * have no loops, and members lie inside their struct.
 *
 * Two kinds of loop are errors, as in the kernel: a chain of modifiers,
 * typedefs and pointers that comes back to itself (nothing ends it), and a
 * type that contains itself by value (struct in itself, through arrays or
 * typedefs: it would have no size). A struct reaching itself through a
 * pointer is a linked list, and fine. Once these hold, every walk along
 * modifiers or by-value members ends, which the rest of src/btf relies on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Kinds that can never be the type of a value: pointers, members, params... */
static bool not_a_value_type(unsigned kind)
{
	return kind == BTF_KIND_VAR || kind == BTF_KIND_DATASEC || kind == BTF_KIND_DECL_TAG ||
	       kind == BTF_KIND_FUNC;
}

/*
 * A reference from type id to ref: in range, of an allowed kind. what names
 * the referring part ("member", index 2, name "next"; index -1: no index);
 * it is only formatted on failure, as this runs for every reference.
 */
static int check_ref(const struct btf *btf, uint32_t id, const char *what, int idx,
		     const char *name, uint32_t ref, bool void_ok, bool proto_ok, struct diag *d)
{
	const char *problem = NULL;
	unsigned kind = 0;
	if (ref >= btf_type_cnt(btf))
		problem = "past the last type id";
	else if (!ref && !void_ok)
		problem = "void";
	else if (ref) {
		kind = btf_kind(btf_type_by_id(btf, ref));
		if (not_a_value_type(kind) || (!proto_ok && kind == BTF_KIND_FUNC_PROTO))
			problem = "kind";
	}
	if (!problem)
		return 0;
	char part[96];
	if (idx < 0)
		snprintf(part, sizeof(part), "%s", what);
	else if (name)
		snprintf(part, sizeof(part), "%s %d ('%s')", what, idx, name);
	else
		snprintf(part, sizeof(part), "%s %d", what, idx);
	if (ref >= btf_type_cnt(btf))
		return btf_fail(btf, id, d, "%s refers to type id %u, past the last type id %u", part, ref,
				btf_type_cnt(btf) - 1);
	if (!ref)
		return btf_fail(btf, id, d, "%s is void", part);
	return btf_fail(btf, id, d, "%s refers to type id %u, a %s", part, ref, btf_kind_str(kind));
}

static int check_type_refs(const struct btf *btf, uint32_t id, struct diag *d)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	unsigned vlen = btf_vlen(t);
	int err = 0;

	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		return check_ref(btf, id, "the referenced type", -1, NULL, t->type, true, true, d);
	case BTF_KIND_ARRAY:
		err = check_ref(btf, id, "the element type", -1, NULL, btf_array(t)->type, false, false, d);
		return err ? err : check_ref(btf, id, "the index type", -1, NULL, btf_array(t)->index_type,
					     false, false, d);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (unsigned i = 0; i < vlen && !err; i++) {
			const struct btf_member *m = &btf_members(t)[i];
			err = check_ref(btf, id, "member", (int)i, btf_str(btf, m->name_off), m->type,
					false, false, d);
		}
		return err;
	case BTF_KIND_FUNC: {
		if (t->type >= btf_type_cnt(btf) || !t->type ||
		    btf_kind(btf_type_by_id(btf, t->type)) != BTF_KIND_FUNC_PROTO)
			return btf_fail(btf, id, d, "type id %u is not a FUNC_PROTO", t->type);
		return 0;
	}
	case BTF_KIND_FUNC_PROTO:
		err = check_ref(btf, id, "the return type", -1, NULL, t->type, true, false, d);
		for (unsigned i = 0; i < vlen && !err; i++) {
			const struct btf_param *p = &btf_params(t)[i];
			/* void as the last parameter is "...", unnamed */
			bool varargs = i == vlen - 1 && !p->type;
			if (varargs && p->name_off)
				return btf_fail(btf, id, d, "variadic parameter %u has a name", i);
			err = check_ref(btf, id, "parameter", (int)i, NULL, p->type, varargs, false, d);
		}
		return err;
	case BTF_KIND_VAR:
		return check_ref(btf, id, "the variable's type", -1, NULL, t->type, false, false, d);
	case BTF_KIND_DATASEC:
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_var_secinfo *v = &btf_secinfos(t)[i];
			if (v->type >= btf_type_cnt(btf) || !v->type)
				return btf_fail(btf, id, d, "variable %u refers to type id %u, past the last type id %u",
						i, v->type, btf_type_cnt(btf) - 1);
			unsigned k = btf_kind(btf_type_by_id(btf, v->type));
			if (k != BTF_KIND_VAR && k != BTF_KIND_FUNC)
				return btf_fail(btf, id, d, "variable %u is type id %u, a %s (VAR or FUNC expected)",
						i, v->type, btf_kind_str(k));
			if (t->size && (uint64_t)v->offset + v->size > t->size)
				return btf_fail(btf, id, d, "variable %u ('%s') at %u+%u is past the section's %u bytes",
						i, btf_name(btf, v->type), v->offset, v->size, t->size);
		}
		return 0;
	case BTF_KIND_DECL_TAG: {
		int32_t idx = btf_decl_tag(t)->component_idx;
		if (t->type >= btf_type_cnt(btf) || !t->type)
			return btf_fail(btf, id, d, "tags type id %u, past the last type id %u or void",
					t->type, btf_type_cnt(btf) - 1);
		const struct btf_type *tt = btf_type_by_id(btf, t->type);
		if (idx < 0)
			return 0;
		if (btf_kind(tt) == BTF_KIND_FUNC)
			tt = btf_type_by_id(btf, tt->type);
		else if (!btf_is_composite(tt))
			return btf_fail(btf, id, d, "component %d of type id %u, a %s (struct, union or function expected)",
					idx, t->type, btf_kind_str(btf_kind(tt)));
		if ((uint32_t)idx >= btf_vlen(tt))
			return btf_fail(btf, id, d, "component %d of type id %u, which has %u", idx, t->type,
					btf_vlen(tt));
		return 0;
	}
	default:
		return 0;
	}
}

static bool is_chain_kind(unsigned kind)
{
	return kind == BTF_KIND_PTR || kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_CONST ||
	       kind == BTF_KIND_VOLATILE || kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

enum { NEW, ON_PATH, DONE };

static int report_loop(const struct btf *btf, const uint32_t *path, size_t n, uint32_t back,
		       const char *how, struct diag *d)
{
	char buf[160];
	size_t len = 0, start = 0;
	while (start < n && path[start] != back)
		start++;
	if (n - start > 8)
		start = n - 8;
	for (size_t i = start; i < n && len < sizeof(buf) - 16; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u -> ", path[i]);
	snprintf(buf + len, sizeof(buf) - len, "%u", back);
	return btf_fail(btf, back, d, "loop in %s: %s", how, buf);
}

/* Modifier/typedef/pointer chains: each has one successor, so follow each once. */
static int check_chain_loops(const struct btf *btf, uint8_t *state, uint32_t *path, struct diag *d)
{
	uint32_t start = btf->start_id, end = btf_type_cnt(btf);
	for (uint32_t id = start; id < end; id++) {
		size_t n = 0;
		uint32_t cur = id;
		while (cur >= start && state[cur - start] == NEW &&
		       is_chain_kind(btf_kind(btf_own_type(btf, cur)))) {
			state[cur - start] = ON_PATH;
			path[n++] = cur;
			cur = btf_own_type(btf, cur)->type;
		}
		if (cur >= start && state[cur - start] == ON_PATH)
			return report_loop(btf, path, n, cur, "a chain of modifiers, typedefs and pointers", d);
		for (size_t i = 0; i < n; i++)
			state[path[i] - start] = DONE;
	}
	return 0;
}

/* The types id holds by value: members, array elements, what a typedef names. */
static uint32_t contained(const struct btf_type *t, uint32_t i, bool *more)
{
	*more = false;
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		if (i < btf_vlen(t)) {
			*more = true;
			return btf_members(t)[i].type;
		}
		return 0;
	case BTF_KIND_ARRAY:
		*more = i == 0;
		return btf_array(t)->type;
	case BTF_KIND_TYPEDEF: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		*more = i == 0;
		return t->type;
	default:
		return 0;
	}
}

/* By-value containment: a depth-first search with an explicit stack. */
static int check_nesting_loops(const struct btf *btf, uint8_t *state, uint32_t *path,
			       uint32_t *edge, struct diag *d)
{
	uint32_t start = btf->start_id, end = btf_type_cnt(btf);
	memset(state, NEW, end - start);
	for (uint32_t root = start; root < end; root++) {
		if (state[root - start] != NEW)
			continue;
		size_t n = 0;
		path[n] = root;
		edge[n++] = 0;
		state[root - start] = ON_PATH;
		while (n) {
			uint32_t cur = path[n - 1];
			bool more;
			uint32_t next = contained(btf_own_type(btf, cur), edge[n - 1]++, &more);
			if (!more) {
				state[cur - start] = DONE;
				n--;
				continue;
			}
			if (next < start || state[next - start] == DONE)
				continue;
			if (state[next - start] == ON_PATH)
				return report_loop(btf, path, n, next, "types containing themselves", d);
			state[next - start] = ON_PATH;
			path[n] = next;
			edge[n++] = 0;
		}
	}
	return 0;
}

/* Members inside their struct, arrays of a size, bitfields within their type. */
static int check_layout(const struct btf *btf, uint32_t id, struct diag *d)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	if (btf_kind(t) == BTF_KIND_ARRAY) {
		int64_t sz = btf_resolve_size(btf, id);
		if (sz < 0)
			return btf_fail(btf, id, d, "the array has no size (%s)",
					sz == -E2BIG ? "too large or too deep" : "element type incomplete");
		return 0;
	}
	if (!btf_is_composite(t))
		return 0;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = &btf_members(t)[i];
		int64_t sz = btf_resolve_size(btf, m->type);
		if (sz < 0)
			return btf_fail(btf, id, d, "member %u ('%s'): type id %u (%s) has no size", i,
					btf_str(btf, m->name_off), m->type,
					btf_kind_str(btf_kind(btf_type_by_id(btf, m->type))));
		uint32_t bits = btf_member_bitfield_size(t, i);
		if (bits > sz * 8)
			return btf_fail(btf, id, d, "member %u ('%s'): bitfield of %u bits in a %lld-byte type",
					i, btf_str(btf, m->name_off), bits, (long long)sz);
		if (!bits && btf_member_bit_offset(t, i) + (uint64_t)sz * 8 > (uint64_t)t->size * 8)
			return btf_fail(btf, id, d, "member %u ('%s') at bit %u, %lld bytes long, is past the end of %u bytes",
					i, btf_str(btf, m->name_off), btf_member_bit_offset(t, i), (long long)sz, t->size);
	}
	return 0;
}

int btf_check_refs(const struct btf *btf, struct diag *d)
{
	uint32_t start = btf->start_id, end = btf_type_cnt(btf);
	int err = 0;
	for (uint32_t id = start; id < end && !err; id++)
		err = check_type_refs(btf, id, d);
	if (err)
		return err;

	size_t n = end - start + 1;
	uint8_t *state = calloc(n, 1);
	uint32_t *path = malloc(n * sizeof(*path));
	uint32_t *edge = malloc(n * sizeof(*edge));
	if (!state || !path || !edge)
		err = -ENOMEM;
	if (!err)
		err = check_chain_loops(btf, state, path, d);
	if (!err)
		err = check_nesting_loops(btf, state, path, edge, d);
	free(state);
	free(path);
	free(edge);
	for (uint32_t id = start; id < end && !err; id++)
		err = check_layout(btf, id, d);
	return err;
}
