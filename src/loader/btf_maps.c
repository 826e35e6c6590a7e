/* SPDX-License-Identifier: MIT */
/*
 * btf_maps.c - the object's BTF, and the BTF-defined maps of .maps.
 *
 * A .maps variable is a struct whose members encode the map's attributes
 * (__uint, __type, __array); btf/ reads them. Definitions nested through
 * __array(values, struct inner) become templates for the inner maps, and
 * `.values = { [i] = &x }` initializers, which clang leaves as relocations
 * in .maps, become initial slots filled once maps and programs exist.
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btf_maps.h"
#include "btf/btf.h"

int btf_load(struct bpfrt_object *obj)
{
	if (!obj->btf || !obj->btf->data)
		return 0;
	struct diag d;
	diag_clear(&d);
	obj->btf_types = btf_parse(obj->btf->data, obj->btf->size, "section '.BTF'", &d);
	if (!obj->btf_types) {
		snprintf(obj->btf_error, sizeof(obj->btf_error), "%s", d.msg);
		return 0;
	}
	if (obj->btf_ext && obj->btf_ext->data) {
		diag_clear(&d);
		obj->btf_ext_info = btf_ext_parse(obj->btf_ext->data, obj->btf_ext->size, obj->btf_types, &d);
		if (!obj->btf_ext_info)
			rt_fail(obj->rt, 0, "object '%s': ignoring .BTF.ext (no line info): %s", obj->name, d.msg);
	}
	return 0;
}

/* The ELF symbol of a .maps variable: where libbpf finds its offset. */
struct sym_ctx {
	const struct bpfrt_object *obj;
	unsigned sec;
};

static int find_sym(void *p, const char *name, uint32_t *offset, bool *hidden)
{
	const struct sym_ctx *c = p;
	for (size_t i = 0; i < c->obj->nsyms; i++) {
		const struct obj_sym *y = &c->obj->syms[i];
		if (y->shndx == c->sec && !strcmp(y->name, name)) {
			*offset = (uint32_t)y->value;
			*hidden = false;
			return 0;
		}
	}
	return -ENOENT;
}

static struct obj_mapdef *add_def(struct bpfrt_object *obj, const char *name,
				  const struct btf_map_attrs *a, unsigned sec, uint64_t off)
{
	struct obj_mapdef *m = mapdef_add(obj, name);
	if (!m)
		return NULL;
	m->type = (enum bpfrt_map_type)a->map_type;
	m->key_size = a->key_size;
	m->value_size = a->value_size;
	m->max_entries = a->max_entries;
	m->map_flags = a->map_flags;
	m->map_extra = a->map_extra;
	m->pinning = a->pinning;
	m->sec_idx = sec;
	m->sec_off = off;
	return m;
}

/* The .maps relocations inside one definition: its `.values` initializers. */
static int read_slots(struct bpfrt_object *obj, const struct obj_sec *s, size_t outer,
		      uint32_t var_off, uint32_t var_size, uint32_t values_off, bool progs)
{
	struct obj_rel *rels;
	size_t n;
	int err = elf_relocs(obj, s->idx, &rels, &n);
	for (size_t i = 0; !err && i < n; i++) {
		if (rels[i].offset < (uint64_t)var_off + values_off || rels[i].offset >= (uint64_t)var_off + var_size)
			continue;
		uint64_t rel = rels[i].offset - var_off - values_off;
		const char *target = obj->syms[rels[i].sym].name;
		if (rel % 8) {
			err = obj_fail(obj, -EINVAL, "map '%s': initializer for '%s' is not at a slot",
				       obj->maps[outer].name, target);
			break;
		}
		struct init_slot sl = { outer, (uint32_t)(rel / 8), -1, -1 };
		if (progs) {
			for (size_t k = 0; k < obj->nprogs && sl.prog < 0; k++)
				if (!strcmp(obj->progs[k].name, target))
					sl.prog = (int)k;
		} else {
			for (size_t k = 0; k < obj->nmaps && sl.map < 0; k++)
				if (!strcmp(obj->maps[k].name, target) && !obj->maps[k].is_inner)
					sl.map = (int)k;
		}
		if (sl.prog < 0 && sl.map < 0) {
			err = obj_fail(obj, -EINVAL, "map '%s': slot %u refers to '%s', which is not a %s "
				       "of this object (define it before the map)", obj->maps[outer].name,
				       sl.slot, target, progs ? "program" : "map");
			break;
		}
		struct init_slot *v = realloc(obj->slots, (obj->nslots + 1) * sizeof(*v));
		if (!v) {
			err = obj_fail(obj, -ENOMEM, "out of memory");
			break;
		}
		obj->slots = v;
		v[obj->nslots++] = sl;
	}
	free(rels);
	return err;
}

int btf_maps_read(struct bpfrt_object *obj, struct obj_sec *s)
{
	struct btf *btf = obj->btf_types;
	if (!btf)
		return obj_fail(obj, -EINVAL, "section '.maps' needs the object's BTF (compile with -g)%s%s",
				obj->btf_error[0] ? ": " : "", obj->btf_error);
	int32_t sec_id = btf_find_datasec(btf, ".maps");
	if (sec_id < 0)
		return obj_fail(obj, -EINVAL, "section '.maps' has no DATASEC in the BTF");
	struct diag d;
	diag_clear(&d);
	struct sym_ctx c = { obj, s->idx };
	if (btf_datasec_fixup(btf, (uint32_t)sec_id, (uint32_t)s->size, find_sym, &c, &d))
		return obj_fail(obj, -EINVAL, "%s", d.msg);
	const struct btf_type *sec = btf_type_by_id(btf, (uint32_t)sec_id);
	for (uint32_t i = 0; i < btf_vlen(sec); i++) {
		struct btf_var_info v;
		struct btf_map_def def;
		diag_clear(&d);
		if (btf_datasec_var(btf, (uint32_t)sec_id, i, &v) || btf_map_def_parse(btf, v.var_id, &def, &d))
			return obj_fail(obj, -EINVAL, "section '.maps': %s", d.msg[0] ? d.msg : "bad variable");
		if (!(def.map.parts & BTF_MAP_TYPE))
			return obj_fail(obj, -EINVAL, "map '%s': no type given (__uint(type, ...))", v.name);
		int inner = -1;
		if (def.map.parts & BTF_MAP_INNER) {
			char name[256];
			snprintf(name, sizeof(name), "%s.inner", v.name);
			struct obj_mapdef *t = add_def(obj, name, &def.inner, s->idx, v.offset);
			if (!t)
				return obj_fail(obj, -ENOMEM, "out of memory");
			t->is_inner = true;
			inner = (int)(obj->nmaps - 1);
		}
		struct obj_mapdef *m = add_def(obj, v.name, &def.map, s->idx, v.offset);
		if (!m)
			return obj_fail(obj, -ENOMEM, "out of memory");
		m->inner = inner;
		if (def.map.parts & (BTF_MAP_INNER | BTF_MAP_PROG_VALUES)) {
			struct btf_member_info mi;
			if (btf_member_by_name(btf, def.map.struct_id, "values", &mi))
				return obj_fail(obj, -EINVAL, "map '%s': no 'values' member", v.name);
			int err = read_slots(obj, s, obj->nmaps - 1, v.offset, v.size, mi.bit_offset / 8,
					     def.map.parts & BTF_MAP_PROG_VALUES);
			if (err)
				return err;
		}
	}
	return 0;
}

int init_slots_apply(struct bpfrt_object *obj, bool progs)
{
	for (size_t i = 0; i < obj->nslots; i++) {
		const struct init_slot *sl = &obj->slots[i];
		if ((sl->prog >= 0) != progs)
			continue;
		struct bpfrt_map *outer = obj->maps[sl->outer].map;
		uint32_t id = progs ? bpfrt_prog__id(obj->progs[sl->prog].prog)
				    : bpfrt_map__id(obj->maps[sl->map].map);
		int err = bpfrt_map__update_elem(outer, &sl->slot, 4, &id, 4, BPFRT_ANY);
		if (err)
			return obj_fail(obj, err, "map '%s': cannot set slot %u: %s", obj->maps[sl->outer].name,
					sl->slot, bpfrt_runtime__last_error(obj->rt));
	}
	return 0;
}
