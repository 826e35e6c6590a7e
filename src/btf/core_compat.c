/* SPDX-License-Identifier: MIT */
/*
 * core_compat.c - when a local type and a target type are "the same" for
 * CO-RE, with libbpf's three relations (relo_core.c), so that bpfrt picks
 * the same targets as libbpf would:
 *
 *  - fields_are_compat: can a member be relocated onto a target member?
 *    Any two structs/unions, any two pointers or floats; ints unless old
 *    bitfield-style ints; enums and forward declarations by name; arrays by
 *    element type.
 *  - types_are_compat (TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET): kinds agree,
 *    pointers and arrays recursively, function prototypes by arity and types.
 *  - types_match (TYPE_MATCHES): stricter; names must match all the way
 *    down, struct members by name and recursively (only names behind a
 *    pointer), ints by size and sign, enums by value names, arrays by length.
 *
 * All return 1 (yes), 0 (no) or a negative errno; recursion is bounded by
 * libbpf's depth limits so hostile BTF cannot exhaust the stack, and the
 * branching ones by a step budget so it cannot take exponential time.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

#define MAX_DEPTH 32
#define MAX_STEPS (1u << 20)

static bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

/* Names equal once "___flavor" suffixes are dropped; an anonymous target only matches anonymous. */
static bool names_match(const struct btf *lb, uint32_t loff, const struct btf *tb, uint32_t toff)
{
	const char *l = btf_str(lb, loff), *t = btf_str(tb, toff);
	if (!l || !t)
		return false;
	if (!*t)
		return !*l;
	size_t ll = btf_essential_name_len(l), tl = btf_essential_name_len(t);
	return ll == tl && !strncmp(l, t, ll);
}

static bool int_plain(const struct btf_type *t)
{
	return BTF_INT_OFFSET(btf_int_info(t)) == 0;
}

int btf_core_fields_are_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *l = btf_skip_mods_typedefs_t(lb, lid, &lid);
		const struct btf_type *t = btf_skip_mods_typedefs_t(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (btf_is_composite(l) && btf_is_composite(t))
			return 1;
		if (!kinds_compat(l, t))
			return 0;
		switch (btf_kind(l)) {
		case BTF_KIND_PTR: case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
			const char *ln = btf_str(lb, l->name_off), *tn = btf_str(tb, t->name_off);
			size_t ll = btf_essential_name_len(ln), tl = btf_essential_name_len(tn);
			/* one of them anonymous, or the same name without flavors */
			return !ll || !tl || (ll == tl && !strncmp(ln, tn, ll));
		}
		case BTF_KIND_INT:
			return int_plain(l) && int_plain(t);
		case BTF_KIND_ARRAY:
			lid = btf_array(l)->type;
			tid = btf_array(t)->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

static int types_are_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
			    int level, uint32_t *steps)
{
	const struct btf_type *l = btf_type_by_id(lb, lid), *t = btf_type_by_id(tb, tid);
	if (!l || !t)
		return -EINVAL;
	if (!kinds_compat(l, t))
		return 0;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		if (++*steps > MAX_STEPS)
			return -E2BIG;
		l = btf_skip_mods_typedefs_t(lb, lid, &lid);
		t = btf_skip_mods_typedefs_t(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (!kinds_compat(l, t))
			return 0;
		switch (btf_kind(l)) {
		case BTF_KIND_UNKN: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
		case BTF_KIND_FWD: case BTF_KIND_ENUM64:
			return 1;
		case BTF_KIND_INT:
			return int_plain(l) && int_plain(t);
		case BTF_KIND_PTR:
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = btf_array(l)->type;
			tid = btf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (btf_vlen(l) != btf_vlen(t))
				return 0;
			for (unsigned i = 0; i < btf_vlen(l); i++) {
				if (level <= 0)
					return -EINVAL;
				uint32_t pl = btf_skip_mods_typedefs(lb, btf_params(l)[i].type);
				uint32_t pt = btf_skip_mods_typedefs(tb, btf_params(t)[i].type);
				int r = types_are_compat(lb, pl, tb, pt, level - 1, steps);
				if (r <= 0)
					return r;
			}
			lid = l->type;	/* and the return type */
			tid = t->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int btf_core_types_are_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid)
{
	uint32_t steps = 0;
	return types_are_compat(lb, lid, tb, tid, MAX_DEPTH, &steps);
}

static int types_match(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
		       bool behind_ptr, int level, uint32_t *steps);

static bool enums_match(const struct btf *lb, const struct btf_type *l, const struct btf *tb,
			const struct btf_type *t)
{
	if (l->size != t->size || btf_vlen(l) > btf_vlen(t))
		return false;
	/* every local value name exists in the target (values may differ) */
	for (unsigned i = 0; i < btf_vlen(l); i++) {
		uint32_t ln = btf_kind(l) == BTF_KIND_ENUM ? btf_enums(l)[i].name_off : btf_enums64(l)[i].name_off;
		bool found = false;
		for (unsigned j = 0; j < btf_vlen(t) && !found; j++) {
			uint32_t tn = btf_kind(t) == BTF_KIND_ENUM ? btf_enums(t)[j].name_off : btf_enums64(t)[j].name_off;
			found = names_match(lb, ln, tb, tn);
		}
		if (!found)
			return false;
	}
	return true;
}

static int composites_match(const struct btf *lb, const struct btf_type *l, const struct btf *tb,
			    const struct btf_type *t, bool behind_ptr, int level, uint32_t *steps)
{
	if (btf_vlen(l) > btf_vlen(t))
		return 0;
	for (unsigned i = 0; i < btf_vlen(l); i++) {
		const struct btf_member *lm = &btf_members(l)[i];
		bool matched = false;
		for (unsigned j = 0; j < btf_vlen(t) && !matched; j++) {
			const struct btf_member *tm = &btf_members(t)[j];
			if (!names_match(lb, lm->name_off, tb, tm->name_off))
				continue;
			int r = types_match(lb, lm->type, tb, tm->type, behind_ptr, level - 1, steps);
			if (r < 0)
				return r;
			matched = r > 0;
		}
		if (!matched)
			return 0;
	}
	return 1;
}

static int types_match(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
		       bool behind_ptr, int level, uint32_t *steps)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		if (++*steps > MAX_STEPS)
			return -E2BIG;
		const struct btf_type *l = btf_skip_mods_typedefs_t(lb, lid, &lid);
		const struct btf_type *t = btf_skip_mods_typedefs_t(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (!names_match(lb, l->name_off, tb, t->name_off))
			return 0;
		unsigned lk = btf_kind(l), tk = btf_kind(t);
		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD:
			/* kind_flag: a union (1) or struct (0) forward declaration */
			if (lk == tk)
				return btf_kflag(l) == btf_kflag(t);
			return behind_ptr && ((tk == BTF_KIND_STRUCT && !btf_kflag(l)) ||
					      (tk == BTF_KIND_UNION && btf_kflag(l)));
		case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
			return btf_is_any_enum(t) && enums_match(lb, l, tb, t);
		case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			if (behind_ptr) {
				if (lk == tk)
					return 1;
				return tk == BTF_KIND_FWD && (lk == BTF_KIND_UNION) == btf_kflag(t);
			}
			if (lk != tk)
				return 0;
			return composites_match(lb, l, tb, t, behind_ptr, level, steps);
		case BTF_KIND_INT:
			return lk == tk && l->size == t->size &&
			       (BTF_INT_ENCODING(btf_int_info(l)) & BTF_INT_SIGNED) ==
			       (BTF_INT_ENCODING(btf_int_info(t)) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			if (lk != tk || btf_array(l)->nelems != btf_array(t)->nelems)
				return 0;
			lid = btf_array(l)->type;
			tid = btf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (lk != tk || btf_vlen(l) != btf_vlen(t))
				return 0;
			for (unsigned i = 0; i < btf_vlen(l); i++) {
				int r = types_match(lb, btf_params(l)[i].type, tb, btf_params(t)[i].type,
						    behind_ptr, level - 1, steps);
				if (r <= 0)
					return r;
			}
			lid = l->type;
			tid = t->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int btf_core_types_match(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid)
{
	uint32_t steps = 0;
	return types_match(lb, lid, tb, tid, false, MAX_DEPTH, &steps);
}
