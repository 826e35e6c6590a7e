/* SPDX-License-Identifier: MIT */
/*
 * mapdefs.c - the maps an object declares: BTF-defined maps in .maps, legacy
 * struct bpf_map_def entries in "maps", and one array map per global data
 * section (.data, .rodata, .bss and their .name variants), as libbpf makes them.
 */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "object.h"
#include "btf_maps.h"

struct obj_mapdef *mapdef_add(struct bpfrt_object *obj, const char *name)
{
	struct obj_mapdef *v = realloc(obj->maps, (obj->nmaps + 1) * sizeof(*v));
	if (!v)
		return NULL;
	obj->maps = v;
	struct obj_mapdef *m = &v[obj->nmaps];
	memset(m, 0, sizeof(*m));
	m->inner = -1;
	m->name = strdup(name);
	if (!m->name)
		return NULL;
	obj->nmaps++;
	return m;
}

/* The legacy layout: struct bpf_map_def { u32 type, key_size, value_size, max_entries, map_flags; }. */
static int legacy_maps(struct bpfrt_object *obj, const struct obj_sec *s)
{
	for (size_t k = 0; k < obj->nsyms; k++) {
		const struct obj_sym *y = &obj->syms[k];
		if (y->shndx != s->idx || y->type == STT_SECTION || !y->name[0])
			continue;
		uint32_t f[5] = { 0 };
		if (!s->data || y->value + 20 > s->size)
			return obj_fail(obj, -EINVAL, "map '%s' in section 'maps': definition at offset "
					"%llu is truncated", y->name, (unsigned long long)y->value);
		memcpy(f, s->data + y->value, sizeof(f));
		struct obj_mapdef *m = mapdef_add(obj, y->name);
		if (!m)
			return obj_fail(obj, -ENOMEM, "out of memory");
		m->type = (enum bpfrt_map_type)f[0];
		m->key_size = f[1];
		m->value_size = f[2];
		m->max_entries = f[3];
		m->map_flags = f[4];
		m->sec_idx = s->idx;
		m->sec_off = y->value;
	}
	return 0;
}

static int data_map(struct bpfrt_object *obj, struct obj_sec *s)
{
	if (!s->size)
		return 0;
	if (s->size > UINT32_MAX)
		return obj_fail(obj, -E2BIG, "section '%s' is too large for a map", s->name);
	struct obj_mapdef *m = mapdef_add(obj, s->name);
	if (!m)
		return obj_fail(obj, -ENOMEM, "out of memory");
	m->type = BPFRT_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (uint32_t)s->size;
	m->max_entries = 1;
	/* Programs may not write .rodata; user space still may, before load. */
	m->map_flags = s->kind == SK_RODATA ? BPFRT_F_RDONLY_PROG : 0;
	m->sec_idx = s->idx;
	m->init = s->data; /* NULL for .bss: zeros */
	m->init_size = s->data ? s->size : 0;
	s->map_idx = (int)(obj->nmaps - 1);
	return 0;
}

int mapdefs_read(struct bpfrt_object *obj)
{
	for (size_t i = 0; i < obj->nsecs; i++) {
		struct obj_sec *s = &obj->secs[i];
		int err = 0;
		switch (s->kind) {
		case SK_LEGACY_MAPS: err = legacy_maps(obj, s); break;
		case SK_MAPS: err = btf_maps_read(obj, s); break;
		case SK_DATA: case SK_RODATA: case SK_BSS: err = data_map(obj, s); break;
		case SK_KCONFIG:
			err = obj_fail(obj, -ENOTSUP, "section '.kconfig' holds definitions: only "
				       "extern declarations (__kconfig) belong there");
			break;
		default: break;
		}
		if (err)
			return err;
	}
	return kconfig_read(obj);
}
