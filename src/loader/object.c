/* SPDX-License-Identifier: MIT */
/*
 * object.c - the object API: open (read and check), load (create maps, link
 * and load programs), find, close.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "object.h"
#include "btf/btf.h"

#define MAX_OBJECT_SIZE (256u << 20)

int obj_fail(const struct bpfrt_object *obj, int err, const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rt_fail(obj->rt, err, "object '%s': %s", obj->name, msg);
}

static void obj_free(struct bpfrt_object *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->nprogs; i++) {
		bpfrt_prog__free(obj->progs[i].prog);
		free(obj->progs[i].name);
		free(obj->progs[i].sec_name);
		free(obj->progs[i].insns);
		free(obj->progs[i].origins);
	}
	for (size_t i = 0; i < obj->nmaps; i++) {
		if (obj->maps[i].map)
			bpfrt_map__put(obj->maps[i].map);
		free(obj->maps[i].name);
	}
	for (size_t i = 0; i < obj->nsecs; i++)
		free(obj->secs[i].name);
	for (size_t i = 0; i < obj->nsyms; i++)
		free(obj->syms[i].name);
	elf_release(obj);
	btf_ext_free(obj->btf_ext_info);
	btf_free(obj->btf_types);
	btf_free(obj->core_target);
	free(obj->slots);
	free(obj->progs);
	free(obj->maps);
	free(obj->secs);
	free(obj->syms);
	free(obj->buf);
	free(obj->name);
	free(obj->pin_root);
	free(obj->kcfg);
	free(obj->kcfg_data);
	free(obj->kconfig_text);
	free(obj);
}

struct bpfrt_object *bpfrt_object__open_mem(struct bpfrt_runtime *rt, const void *buf,
					    size_t size, const struct bpfrt_object_open_opts *opts)
{
	struct bpfrt_object *obj = calloc(1, sizeof(*obj));
	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	obj->rt = rt;
	const char *name = opts && opts->sz > offsetof(struct bpfrt_object_open_opts, object_name)
			   && opts->object_name ? opts->object_name : "memory";
	const char *pin = opts && opts->sz > offsetof(struct bpfrt_object_open_opts, pin_root_path)
			  ? opts->pin_root_path : NULL;
	const char *kconfig = opts && opts->sz > offsetof(struct bpfrt_object_open_opts, kconfig)
			      ? opts->kconfig : NULL;
	obj->name = strdup(name);
	obj->pin_root = pin ? strdup(pin) : NULL;
	obj->pin_all_maps = opts && opts->sz > offsetof(struct bpfrt_object_open_opts, pin_all_maps) &&
			    opts->pin_all_maps;
	obj->kconfig_text = kconfig ? strdup(kconfig) : NULL;
	int err = -ENOMEM;
	if (!obj->name || (pin && !obj->pin_root) || (kconfig && !obj->kconfig_text)) {
		rt_fail(rt, err, "object: out of memory");
		goto fail;
	}
	if (!buf || size < 64 || size > MAX_OBJECT_SIZE) {
		err = obj_fail(obj, -EINVAL, "size %zu is not that of an ELF object", size);
		goto fail;
	}
	/* Our own copy: libelf reads in place, and the caller may free theirs. */
	obj->buf = malloc(size);
	if (!obj->buf) {
		err = obj_fail(obj, -ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(obj->buf, buf, size);
	obj->size = size;
	err = elf_read(obj);
	if (!err)
		err = btf_load(obj);
	if (!err)
		err = progs_find(obj);
	if (!err)
		err = mapdefs_read(obj);
	if (err)
		goto fail;
	return obj;
fail:
	obj_free(obj);
	errno = -err;
	return NULL;
}

struct bpfrt_object *bpfrt_object__open_file(struct bpfrt_runtime *rt, const char *path,
					     const struct bpfrt_object_open_opts *opts)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		errno = -rt_fail(rt, -e, "object '%s': %s", path, strerror(e));
		return NULL;
	}
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > MAX_OBJECT_SIZE * 2u) {
				fclose(f);
				free(buf);
				errno = -rt_fail(rt, -E2BIG, "object '%s': larger than %u MiB", path,
						 MAX_OBJECT_SIZE >> 20);
				return NULL;
			}
			uint8_t *n = realloc(buf, cap);
			if (!n) {
				fclose(f);
				free(buf);
				errno = -rt_fail(rt, -ENOMEM, "object '%s': out of memory", path);
				return NULL;
			}
			buf = n;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	bool ioerr = ferror(f);
	fclose(f);
	if (ioerr) {
		free(buf);
		errno = -rt_fail(rt, -EIO, "object '%s': read error", path);
		return NULL;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	BPFRT_OPTS(bpfrt_object_open_opts, o, .object_name = base);
	if (opts) {
		o.pin_root_path = opts->sz > offsetof(struct bpfrt_object_open_opts, pin_root_path)
				  ? opts->pin_root_path : NULL;
		if (opts->object_name)
			o.object_name = opts->object_name;
		o.pin_all_maps = opts->sz > offsetof(struct bpfrt_object_open_opts, pin_all_maps) &&
				 opts->pin_all_maps;
		o.kconfig = opts->sz > offsetof(struct bpfrt_object_open_opts, kconfig)
			    ? opts->kconfig : NULL;
	}
	struct bpfrt_object *obj = bpfrt_object__open_mem(rt, buf, len, &o);
	int e = errno;
	free(buf);
	errno = e;
	return obj;
}

/* Where a map pinned by name lives: the object's pin root, or the default directory. */
static void pin_path(const struct bpfrt_object *obj, const char *name, char *buf, size_t len)
{
	const char *dir = obj->pin_root ? obj->pin_root : getenv("BPFRT_PIN_DIR");
	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "/dev/shm/bpfrt", name);
}

/*
 * A map pinned by name that already exists is reused, as libbpf does, so a
 * second run of a program shares its maps with the first, and with the
 * `bpfrt map` commands. It must have the definition's shape.
 */
static int reuse_pinned(struct bpfrt_object *obj, struct obj_mapdef *d, const char *path)
{
	if (access(path, F_OK))
		return 0;
	struct bpfrt_map *m = bpfrt_map__open_pinned(obj->rt, path);
	if (!m)
		return obj_fail(obj, -errno, "map '%s': pinned at '%s' but cannot be opened", d->name, path);
	if (bpfrt_map__type(m) != d->type || bpfrt_map__key_size(m) != d->key_size ||
	    bpfrt_map__value_size(m) != d->value_size || bpfrt_map__max_entries(m) != d->max_entries ||
	    bpfrt_map__map_flags(m) != d->map_flags) {
		bpfrt_map__put(m);
		return obj_fail(obj, -EINVAL, "map '%s': the map pinned at '%s' has another type, size "
				"or flags; remove it or rename the map", d->name, path);
	}
	d->map = m;
	return 0;
}

/* Create every map; map-in-map outer maps after their inner templates. */
static int create_maps(struct bpfrt_object *obj)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < obj->nmaps; i++) {
			struct obj_mapdef *d = &obj->maps[i];
			if (d->map || (pass == 0) != (d->inner < 0))
				continue;
			char path[4096];
			pin_path(obj, d->name, path, sizeof(path));
			if ((d->pinning == 1 || obj->pin_all_maps) && !d->is_inner) {
				int err = reuse_pinned(obj, d, path);
				if (err)
					return err;
				if (d->map)
					continue;
			}
			/* As libbpf: a perf event array without a size gets a slot per CPU. */
			if (d->type == BPFRT_MAP_TYPE_PERF_EVENT_ARRAY && !d->max_entries)
				d->max_entries = (uint32_t)bpfrt_num_possible_cpus();
			BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = d->map_flags,
				   .map_extra = d->map_extra, .init_value = d->init,
				   .init_size = d->init_size,
				   .inner_map = d->inner >= 0 ? obj->maps[d->inner].map : NULL);
			d->map = bpfrt_map__create(obj->rt, d->type, d->name, d->key_size, d->value_size,
						   d->max_entries, &o);
			if (!d->map)
				return obj_fail(obj, -errno, "map '%s' cannot be created (see above)", d->name);
			if ((d->pinning == 1 || obj->pin_all_maps) && !d->is_inner) {
				/* A bare name: the maps' own default directory, made on demand. */
				if (obj->pin_root && mkdir(obj->pin_root, 0755) && errno != EEXIST)
					return obj_fail(obj, -errno, "pin root '%s': %s", obj->pin_root,
							strerror(errno));
				int err = bpfrt_map__pin(d->map, obj->pin_root ? path : d->name);
				if (err)
					return obj_fail(obj, err, "map '%s' cannot be pinned at '%s': %s", d->name,
							path, bpfrt_runtime__last_error(obj->rt));
			}
		}
	}
	return 0;
}

int bpfrt_program__source_line(const struct bpfrt_program *p, size_t insn, char *buf, size_t len)
{
	if (!p->obj->btf_ext_info)
		return -ENOENT;
	for (size_t i = 0; i < p->norigins; i++) {
		const struct prog_origin *o = &p->origins[i];
		struct btf_line l;
		if (insn < o->at || insn >= o->at + o->len)
			continue;
		if (btf_ext_line_lookup(p->obj->btf_ext_info, o->sec, o->off + (insn - o->at), &l))
			return -ENOENT;
		return btf_line_format(&l, buf, len) < 0 ? -EINVAL : 0;
	}
	return -ENOENT;
}

/* The verifier's view of line info: "prog.bpf.c:42: return *val;". */
static int source_line(void *ctx, size_t insn, char *buf, size_t len)
{
	return bpfrt_program__source_line(ctx, insn, buf, len);
}

int bpfrt_object__load_engine(struct bpfrt_object *obj, enum bpfrt_engine engine)
{
	if (obj->loaded)
		return obj_fail(obj, -EALREADY, "already loaded");
	int err = create_maps(obj);
	if (!err)
		err = init_slots_apply(obj, false);
	for (size_t i = 0; !err && i < obj->nprogs; i++) {
		struct bpfrt_program *p = &obj->progs[i];
		err = link_program(obj, p);
		if (err)
			break;
		BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = engine, .prog_type = p->type,
			   .license = obj->license, .source_line = source_line,
			   .source_line_ctx = p);
		p->prog = bpfrt_prog__load(obj->rt, p->name, p->insns, p->cnt, &o);
		if (!p->prog)
			err = obj_fail(obj, -errno, "program '%s' (section '%s') failed to load: %s",
				       p->name, p->sec_name, bpfrt_runtime__last_error(obj->rt));
	}
	if (!err)
		err = init_slots_apply(obj, true);
	if (!err)
		obj->loaded = true;
	return err;
}

int bpfrt_object__load(struct bpfrt_object *obj)
{
	return bpfrt_object__load_engine(obj, BPFRT_ENGINE_DEFAULT);
}

void bpfrt_object__close(struct bpfrt_object *obj)
{
	obj_free(obj);
}

const char *bpfrt_object__name(const struct bpfrt_object *obj) { return obj->name; }
const char *bpfrt_object__license(const struct bpfrt_object *obj) { return obj->license; }
uint32_t bpfrt_object__kversion(const struct bpfrt_object *obj) { return obj->kversion; }

struct bpfrt_program *bpfrt_object__find_program_by_name(const struct bpfrt_object *obj,
							 const char *name)
{
	for (size_t i = 0; i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	errno = ENOENT;
	return NULL;
}

struct bpfrt_program *bpfrt_object__next_program(const struct bpfrt_object *obj,
						 const struct bpfrt_program *prev)
{
	size_t i = prev ? (size_t)(prev - obj->progs) + 1 : 0;
	return i < obj->nprogs ? &obj->progs[i] : NULL;
}

struct bpfrt_map *bpfrt_object__find_map_by_name(const struct bpfrt_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].name, name) && obj->maps[i].map)
			return obj->maps[i].map;
	errno = ENOENT;
	return NULL;
}

struct bpfrt_map *bpfrt_object__next_map(const struct bpfrt_object *obj, const struct bpfrt_map *prev)
{
	size_t i = 0;
	if (prev) {
		while (i < obj->nmaps && obj->maps[i].map != prev)
			i++;
		i++;
	}
	for (; i < obj->nmaps; i++)
		if (obj->maps[i].map && !obj->maps[i].is_inner)
			return obj->maps[i].map;
	return NULL;
}

const char *bpfrt_program__name(const struct bpfrt_program *p) { return p->name; }
const char *bpfrt_program__section_name(const struct bpfrt_program *p) { return p->sec_name; }
enum bpfrt_prog_type bpfrt_program__type(const struct bpfrt_program *p) { return p->type; }
const char *bpfrt_program__attach_target(const struct bpfrt_program *p) { return p->attach; }
const struct bpfrt_insn *bpfrt_program__insns(const struct bpfrt_program *p) { return p->insns; }
size_t bpfrt_program__insn_cnt(const struct bpfrt_program *p) { return p->cnt; }
struct bpfrt_prog *bpfrt_program__prog(const struct bpfrt_program *p) { return p->prog; }
