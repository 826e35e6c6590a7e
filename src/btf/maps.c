/* SPDX-License-Identifier: MIT */
/*
 * maps.c - BTF-defined map definitions (libbpf's convention for .maps).
 *
 * A definition is a struct whose members carry the attributes in their
 * types, not their values, since the section holds no data for them:
 *   __uint(name, N)   is  int (*name)[N]       the number is the array length
 *   __type(name, T)   is  typeof(T) *name      the type is the pointee
 *   __array(values, S) is typeof(S) *values[]  S: the inner map's definition
 *   __ulong(name, N)  is  enum { x = N } name  for 64-bit numbers (map_extra)
 * The checks and messages follow libbpf's parse_btf_map_def() in strict mode.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "internal.h"
#include "bpfrt/map.h"

struct ctx {
	const struct btf *btf;
	const char *map;	/* "flows", or "flows.inner" */
	uint32_t struct_id;
	struct diag *d;
};

__attribute__((format(printf, 3, 4)))
static int fail(const struct ctx *c, const char *member, const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (member)
		diag_set(c->d, "%s: map '%s' (type id %u): member '%s': %s", c->btf->what, c->map,
			 c->struct_id, member, msg);
	else
		diag_set(c->d, "%s: map '%s' (type id %u): %s", c->btf->what, c->map, c->struct_id, msg);
	return -EINVAL;
}

static const char *kind_of(const struct btf_type *t)
{
	return btf_kind_str(btf_kind(t));
}

/* __uint(name, N): a pointer to an array of N ints. */
static int get_uint(const struct ctx *c, const struct btf_member *m, const char *name, uint32_t *res)
{
	const struct btf_type *t = btf_skip_mods_typedefs_t(c->btf, m->type, NULL);
	if (btf_kind(t) != BTF_KIND_PTR)
		return fail(c, name, "expected PTR (__uint), got %s", kind_of(t));
	const struct btf_type *arr = btf_type_by_id(c->btf, t->type);
	if (btf_kind(arr) != BTF_KIND_ARRAY)
		return fail(c, name, "expected a pointer to ARRAY (__uint), got a pointer to %s", kind_of(arr));
	*res = btf_array(arr)->nelems;
	return 0;
}

/* __ulong(name, N) (an enum of one value N), or __uint. */
static int get_ulong(const struct ctx *c, const struct btf_member *m, const char *name, uint64_t *res)
{
	const struct btf_type *t = btf_skip_mods_typedefs_t(c->btf, m->type, NULL);
	if (btf_kind(t) == BTF_KIND_PTR) {
		uint32_t v;
		int err = get_uint(c, m, name, &v);
		*res = v;
		return err;
	}
	if (!btf_is_any_enum(t))
		return fail(c, name, "expected PTR (__uint) or ENUM (__ulong), got %s", kind_of(t));
	if (btf_vlen(t) != 1)
		return fail(c, name, "an __ulong enum has one value, this one %u", btf_vlen(t));
	*res = btf_kind(t) == BTF_KIND_ENUM ? (uint32_t)btf_enums(t)->val : btf_enum64_value(btf_enums64(t));
	return 0;
}

/* key_size / value_size: a size given twice must agree. */
static int set_size(const struct ctx *c, const char *name, uint32_t *size, uint32_t v,
		    uint32_t *parts, uint32_t part)
{
	if ((*parts & part) && *size != v)
		return fail(c, name, "conflicting size %u != %u", *size, v);
	*size = v;
	*parts |= part;
	return 0;
}

/* __type(key, T) / __type(value, T): a pointer to T; the size is T's. */
static int get_type(const struct ctx *c, const struct btf_member *m, const char *name,
		    uint32_t *type_id, uint32_t *size)
{
	const struct btf_type *t = btf_type_by_id(c->btf, m->type);
	if (btf_kind(t) != BTF_KIND_PTR)
		return fail(c, name, "expected PTR (__type), got %s", kind_of(t));
	int64_t sz = btf_resolve_size(c->btf, t->type);
	if (sz < 0)
		return fail(c, name, "type id %u has no size", t->type);
	*type_id = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static int parse_struct(const struct ctx *c, bool is_inner, struct btf_map_attrs *a,
			struct btf_map_attrs *inner);

/* __array(values, S): a zero-length array of pointers to S. */
static int get_values(const struct ctx *c, const struct btf_member *m, const char *name,
		      bool last, struct btf_map_attrs *a, struct btf_map_attrs *inner)
{
	bool in_map = a->map_type == BPFRT_MAP_TYPE_ARRAY_OF_MAPS ||
		      a->map_type == BPFRT_MAP_TYPE_HASH_OF_MAPS;
	bool progs = a->map_type == BPFRT_MAP_TYPE_PROG_ARRAY;
	if (!inner)
		return fail(c, name, "multi-level inner maps are not supported");
	if (!last)
		return fail(c, name, "'values' must be the last member");
	if (!in_map && !progs)
		return fail(c, name, "only map-in-map and prog array maps have 'values' (type %u)",
			    a->map_type);
	int err = set_size(c, name, &a->value_size, 4, &a->parts, BTF_MAP_VALUE_SIZE);
	if (err)
		return err;
	const struct btf_type *t = btf_type_by_id(c->btf, m->type);
	if (btf_kind(t) != BTF_KIND_ARRAY || btf_array(t)->nelems)
		return fail(c, name, "expected a zero-sized ARRAY (__array), got %s", kind_of(t));
	t = btf_skip_mods_typedefs_t(c->btf, btf_array(t)->type, NULL);
	if (btf_kind(t) != BTF_KIND_PTR)
		return fail(c, name, "expected an array of PTR, got an array of %s", kind_of(t));
	uint32_t id;
	t = btf_skip_mods_typedefs_t(c->btf, t->type, &id);
	if (progs) {
		if (btf_kind(t) != BTF_KIND_FUNC_PROTO)
			return fail(c, name, "a prog array's values are functions, not %s", kind_of(t));
		a->parts |= BTF_MAP_PROG_VALUES;
		return 0;
	}
	if (btf_kind(t) != BTF_KIND_STRUCT)
		return fail(c, name, "the inner map definition is a %s, not a STRUCT", kind_of(t));
	char inner_name[128];
	snprintf(inner_name, sizeof(inner_name), "%s.inner", c->map);
	struct ctx ic = { c->btf, inner_name, id, c->d };
	err = parse_struct(&ic, true, inner, NULL);
	if (!err)
		a->parts |= BTF_MAP_INNER;
	return err;
}

static int parse_member(const struct ctx *c, const struct btf_member *m, bool last,
			bool is_inner, struct btf_map_attrs *a, struct btf_map_attrs *inner)
{
	const char *name = btf_str(c->btf, m->name_off);
	uint32_t v, id;
	int err;
	if (!*name)
		return fail(c, NULL, "a member has no name");
	if (!strcmp(name, "type")) {
		err = get_uint(c, m, name, &a->map_type);
		a->parts |= BTF_MAP_TYPE;
	} else if (!strcmp(name, "max_entries")) {
		err = get_uint(c, m, name, &a->max_entries);
		a->parts |= BTF_MAP_MAX_ENTRIES;
	} else if (!strcmp(name, "map_flags")) {
		err = get_uint(c, m, name, &a->map_flags);
		a->parts |= BTF_MAP_FLAGS;
	} else if (!strcmp(name, "numa_node")) {
		err = get_uint(c, m, name, &a->numa_node);
		a->parts |= BTF_MAP_NUMA_NODE;
	} else if (!strcmp(name, "key_size")) {
		err = get_uint(c, m, name, &v);
		err = err ? err : set_size(c, name, &a->key_size, v, &a->parts, BTF_MAP_KEY_SIZE);
	} else if (!strcmp(name, "value_size")) {
		err = get_uint(c, m, name, &v);
		err = err ? err : set_size(c, name, &a->value_size, v, &a->parts, BTF_MAP_VALUE_SIZE);
	} else if (!strcmp(name, "key")) {
		err = get_type(c, m, name, &id, &v);
		err = err ? err : set_size(c, name, &a->key_size, v, &a->parts, BTF_MAP_KEY_SIZE);
		a->key_type_id = err ? 0 : id;
		a->parts |= err ? 0 : BTF_MAP_KEY_TYPE;
	} else if (!strcmp(name, "value")) {
		err = get_type(c, m, name, &id, &v);
		err = err ? err : set_size(c, name, &a->value_size, v, &a->parts, BTF_MAP_VALUE_SIZE);
		a->value_type_id = err ? 0 : id;
		a->parts |= err ? 0 : BTF_MAP_VALUE_TYPE;
	} else if (!strcmp(name, "values")) {
		err = get_values(c, m, name, last, a, is_inner ? NULL : inner);
	} else if (!strcmp(name, "pinning")) {
		if (is_inner)
			return fail(c, name, "an inner map cannot be pinned");
		err = get_uint(c, m, name, &a->pinning);
		if (!err && a->pinning != BTF_MAP_PIN_NONE && a->pinning != BTF_MAP_PIN_BY_NAME)
			return fail(c, name, "invalid pinning %u (0: none, 1: by name)", a->pinning);
		a->parts |= BTF_MAP_PINNING;
	} else if (!strcmp(name, "map_extra")) {
		err = get_ulong(c, m, name, &a->map_extra);
		a->parts |= BTF_MAP_EXTRA;
	} else {
		return fail(c, name, "unknown map attribute");
	}
	return err;
}

static int parse_struct(const struct ctx *c, bool is_inner, struct btf_map_attrs *a,
			struct btf_map_attrs *inner)
{
	const struct btf_type *t = btf_type_by_id(c->btf, c->struct_id);
	memset(a, 0, sizeof(*a));
	a->struct_id = c->struct_id;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		int err = parse_member(c, &btf_members(t)[i], i == btf_vlen(t) - 1, is_inner, a, inner);
		if (err)
			return err;
	}
	return 0;
}

int btf_map_def_parse(const struct btf *btf, uint32_t var_id, struct btf_map_def *def,
		      struct diag *d)
{
	memset(def, 0, sizeof(*def));
	const struct btf_type *var = btf_type_by_id(btf, var_id);
	if (!var || btf_kind(var) != BTF_KIND_VAR)
		return btf_fail(btf, var_id, d, "a map definition must be a VAR");
	def->name = btf_name(btf, var_id);
	def->var_id = var_id;
	if (btf_var(var)->linkage == BTF_VAR_GLOBAL_EXTERN)
		return btf_fail(btf, var_id, d, "map '%s': an extern map has no definition", def->name);
	uint32_t sid;
	const struct btf_type *t = btf_skip_mods_typedefs_t(btf, var->type, &sid);
	if (!t || btf_kind(t) != BTF_KIND_STRUCT)
		return btf_fail(btf, var_id, d, "map '%s': the definition is a %s, not a STRUCT",
				def->name, t ? kind_of(t) : "bad type");
	struct ctx c = { btf, def->name, sid, d };
	return parse_struct(&c, false, &def->map, &def->inner);
}
