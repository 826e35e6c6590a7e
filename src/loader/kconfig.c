/* SPDX-License-Identifier: MIT */
/*
 * kconfig.c - `extern ... __kconfig` variables, as libbpf provides them: one
 * read-only array map named .kconfig holding every such extern, filled at
 * open from the kernel's configuration and version, and lddw relocations of
 * the externs turned into pointers into it.
 *
 * clang leaves the externs undefined in the symbol table; their types are in
 * the BTF DATASEC ".kconfig". Supported, as in libbpf:
 *  - LINUX_KERNEL_VERSION (a 4-byte integer): KERNEL_VERSION(a, b, c) of
 *    uname's release, c capped at 255;
 *  - LINUX_HAS_BPF_COOKIE (a bool, libbpf's own): true;
 *  - LINUX_HAS_SYSCALL_WRAPPER (a bool, libbpf's own, read by BPF_KSYSCALL):
 *    true, as on x86-64 Linux since 4.17: bpfrt trace gives ksyscall and
 *    kprobe/__x64_sys_NAME programs the wrapper's registers, whose di points
 *    at the user's (so PT_REGS_SYSCALL_REGS and the _CORE_SYSCALL reads work);
 *  - CONFIG_* from the configuration: /boot/config-<release>, else
 *    /proc/config.gz (gzip or plain, read with zlib), or the text given as
 *    the open option `kconfig`. Values y/n/m go to bool (m refused), enum
 *    libbpf_tristate (y 1, n 0, m 2) and char; numbers to integers of 1 to 8
 *    bytes (range-checked) and char; "strings" to char arrays (truncated to
 *    fit with their NUL). "# CONFIG_X is not set" is n.
 * An extern absent from the configuration is an error unless it is __weak:
 * then it is zero, as is every weak extern when there is no configuration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include "object.h"
#include "btf_maps.h"
#include "btf/btf.h"

enum kcfg_type { KCFG_BOOL, KCFG_CHAR, KCFG_TRISTATE, KCFG_INT, KCFG_CHAR_ARR };

struct kcfg_ctx {
	struct bpfrt_object *obj;
	const char *source; /* where values come from, for messages */
	int err;
};

static const char *type_name(enum kcfg_type t)
{
	static const char *const names[] = { "bool", "char", "tristate", "integer", "char array" };

	return names[t];
}

/* What kind of value the extern's type holds, as libbpf classifies them. */
static int kcfg_type_of(const struct btf *btf, uint32_t id, enum kcfg_type *type, bool *is_signed)
{
	const struct btf_type *t = btf_skip_mods_typedefs_t(btf, id, &id);

	*is_signed = false;
	if (!t)
		return -EINVAL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint32_t enc = BTF_INT_ENCODING(btf_int_info(t));

		if (enc & BTF_INT_BOOL) {
			*type = KCFG_BOOL;
			return t->size == 1 ? 0 : -EINVAL;
		}
		*is_signed = enc & BTF_INT_SIGNED;
		if (t->size == 1) {
			*type = KCFG_CHAR;
			return 0;
		}
		*type = KCFG_INT;
		return t->size == 2 || t->size == 4 || t->size == 8 ? 0 : -EINVAL;
	}
	case BTF_KIND_ENUM:
		*type = KCFG_TRISTATE;
		return t->size == 4 && !strcmp(btf_name(btf, id), "libbpf_tristate") ? 0 : -EINVAL;
	case BTF_KIND_ARRAY: {
		enum kcfg_type elem;
		bool s;

		*type = KCFG_CHAR_ARR;
		return !kcfg_type_of(btf, btf_array(t)->type, &elem, &s) && elem == KCFG_CHAR ? 0 :
										 -EINVAL;
	}
	default:
		return -EINVAL;
	}
}

static struct obj_kconfig *find_extern(struct bpfrt_object *obj, const char *name, size_t len)
{
	for (size_t i = 0; i < obj->nkcfg; i++)
		if (strlen(obj->kcfg[i].name) == len && !strncmp(obj->kcfg[i].name, name, len))
			return &obj->kcfg[i];
	return NULL;
}

static bool fits(uint64_t v, bool neg, uint32_t size, bool is_signed)
{
	unsigned bits = size * 8;

	if (bits == 64)
		return is_signed ? (neg ? (int64_t)v < 0 : (int64_t)v >= 0) : !neg;
	if (is_signed) {
		int64_t s = (int64_t)v, lim = (int64_t)1 << (bits - 1);
		return s >= -lim && s < lim;
	}
	return !neg && v < (uint64_t)1 << bits;
}

/* Store value (the text after '=', or "n" for "is not set") in extern e. */
static int set_value(struct kcfg_ctx *c, struct obj_kconfig *e, const char *value)
{
	uint8_t *p = c->obj->kcfg_data + e->off;
	size_t n = strlen(value);

	if (n == 1 && strchr("ynm", value[0])) {
		int tri = value[0] == 'y' ? 1 : value[0] == 'm' ? 2 : 0;

		if (e->type == KCFG_CHAR) {
			*p = (uint8_t)value[0];
			return 0;
		}
		if (e->type == KCFG_TRISTATE || (e->type == KCFG_BOOL && tri != 2)) {
			if (e->type == KCFG_BOOL)
				*p = (uint8_t)tri;
			else
				memcpy(p, &tri, 4);
			return 0;
		}
	} else if (value[0] == '"') {
		if (e->type == KCFG_CHAR_ARR && n >= 2 && value[n - 1] == '"') {
			size_t len = n - 2 < e->size - 1 ? n - 2 : e->size - 1;

			memcpy(p, value + 1, len);
			p[len] = '\0';
			return 0;
		}
	} else if (e->type == KCFG_INT || e->type == KCFG_CHAR) {
		char *end;
		bool neg = value[0] == '-';
		uint64_t v;

		errno = 0;
		v = neg ? (uint64_t)strtoll(value, &end, 0) : strtoull(value, &end, 0);
		if (!errno && end != value && !*end && fits(v, neg, e->size, e->is_signed)) {
			memcpy(p, &v, e->size); /* little-endian: the low bytes */
			return 0;
		}
		return obj_fail(c->obj, -ERANGE, "extern '%s' (.kconfig): value '%s' from %s is not "
				"a %u-byte %s integer", e->name, value, c->source, e->size,
				e->is_signed ? "signed" : "unsigned");
	}
	return obj_fail(c->obj, -EINVAL, "extern '%s' (.kconfig): value '%s' from %s does not fit "
			"its type (%s)", e->name, value, c->source, type_name(e->type));
}

/* One line of a config file: CONFIG_X=value or "# CONFIG_X is not set". */
static int config_line(struct kcfg_ctx *c, char *line)
{
	struct obj_kconfig *e;
	char *eq;

	line[strcspn(line, "\r\n")] = '\0';
	if (!strncmp(line, "# CONFIG_", 9)) {
		char *sp = strstr(line + 2, " is not set");

		if (!sp || sp[11])
			return 0;
		e = find_extern(c->obj, line + 2, (size_t)(sp - (line + 2)));
		if (!e)
			return 0;
		e->found = true;
		return set_value(c, e, "n");
	}
	if (strncmp(line, "CONFIG_", 7) || !(eq = strchr(line, '=')))
		return 0;
	e = find_extern(c->obj, line, (size_t)(eq - line));
	if (!e)
		return 0;
	e->found = true;
	return set_value(c, e, eq + 1);
}

static int read_text(struct kcfg_ctx *c, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		char *line = strndup(text, n);
		int err;

		if (!line)
			return obj_fail(c->obj, -ENOMEM, "out of memory");
		err = config_line(c, line);
		free(line);
		if (err)
			return err;
		text += n + (text[n] == '\n');
	}
	return 0;
}

/* Returns 1 when the file could not be opened (try the next one). */
static int read_file(struct kcfg_ctx *c, const char *path)
{
	char line[4096];
	gzFile f = gzopen(path, "r");
	int err = 0;

	if (!f)
		return 1;
	c->source = path;
	while (!err && gzgets(f, line, sizeof(line)))
		err = config_line(c, line);
	gzclose(f);
	return err;
}

static int kernel_version(struct bpfrt_object *obj, struct obj_kconfig *e, const char *release)
{
	unsigned a = 0, b = 0, v = 0;

	if (e->type != KCFG_INT || e->size != 4)
		return obj_fail(obj, -EINVAL, "extern 'LINUX_KERNEL_VERSION' (.kconfig) must be a "
				"4-byte integer");
	if (sscanf(release, "%u.%u.%u", &a, &b, &v) < 2)
		return obj_fail(obj, -EINVAL, "extern 'LINUX_KERNEL_VERSION' (.kconfig): cannot "
				"parse the kernel release '%s'", release);
	uint32_t kv = a << 16 | (b & 0xff) << 8 | (v > 255 ? 255 : v);
	memcpy(obj->kcfg_data + e->off, &kv, 4);
	e->found = true;
	return 0;
}

/*
 * libbpf's own LINUX_HAS_* flags, which it sets from probes of the kernel;
 * both true here. LINUX_HAS_BPF_COOKIE: bpfrt has bpf_get_attach_cookie
 * (libbpf's usdt.bpf.h then takes a USDT site's spec id from the cookie
 * rather than from its ip-to-spec map). LINUX_HAS_SYSCALL_WRAPPER: see the
 * top of this file.
 */
static bool libbpf_flag(const char *name)
{
	return !strcmp(name, "LINUX_HAS_BPF_COOKIE") || !strcmp(name, "LINUX_HAS_SYSCALL_WRAPPER");
}

static int set_libbpf_flag(struct bpfrt_object *obj, struct obj_kconfig *e)
{
	if (e->type != KCFG_BOOL)
		return obj_fail(obj, -EINVAL, "extern '%s' (.kconfig) must be a bool", e->name);
	obj->kcfg_data[e->off] = 1;
	e->found = true;
	return 0;
}

/* Collect the externs of DATASEC .kconfig and give each its place in the map. */
static int collect(struct bpfrt_object *obj, int32_t sec)
{
	const struct btf *btf = obj->btf_types;
	uint32_t vlen = btf_vlen(btf_type_by_id(btf, (uint32_t)sec)), off = 0;

	obj->kcfg = calloc(vlen ? vlen : 1, sizeof(*obj->kcfg));
	if (!obj->kcfg)
		return obj_fail(obj, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < vlen; i++) {
		struct obj_kconfig *e = &obj->kcfg[obj->nkcfg];
		enum kcfg_type type;
		struct btf_var_info v;
		int64_t size;
		uint32_t align;

		if (btf_datasec_var(btf, (uint32_t)sec, i, &v))
			return obj_fail(obj, -EINVAL, "BTF DATASEC '.kconfig': variable %u is malformed", i);
		size = btf_resolve_size(btf, v.type_id);
		align = btf_align_of(btf, v.type_id);
		if (kcfg_type_of(btf, v.type_id, &type, &e->is_signed) || size <= 0 ||
		    size > 4096 || !align)
			return obj_fail(obj, -ENOTSUP, "extern '%s' (.kconfig): its type is none that "
					"kernel config values have (bool, char, tristate, integer, "
					"char array)", v.name);
		e->name = v.name;
		e->type = (int)type;
		e->size = (uint32_t)size;
		e->off = (off + align - 1) / align * align;
		off = e->off + e->size;
		for (size_t k = 0; k < obj->nsyms; k++)
			if (obj->syms[k].shndx == SHN_UNDEF && !strcmp(obj->syms[k].name, v.name))
				e->weak = obj->syms[k].bind == STB_WEAK;
		if (strncmp(e->name, "CONFIG_", 7) && strcmp(e->name, "LINUX_KERNEL_VERSION") &&
		    !libbpf_flag(e->name) && !e->weak)
			return obj_fail(obj, -ENOTSUP, "extern '%s' (.kconfig) is neither CONFIG_*, "
					"LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE nor "
					"LINUX_HAS_SYSCALL_WRAPPER, the values bpfrt provides", e->name);
		obj->nkcfg++;
	}
	obj->kcfg_size = (off + 7) / 8 * 8;
	return 0;
}

int kconfig_read(struct bpfrt_object *obj)
{
	struct kcfg_ctx c = { .obj = obj, .source = "the kconfig option" };
	struct utsname u;
	bool need_config = false;
	int32_t sec;
	int err;

	if (!obj->btf_types || (sec = btf_find_datasec(obj->btf_types, ".kconfig")) < 0)
		return 0;
	err = collect(obj, sec);
	if (err || !obj->nkcfg)
		return err;
	obj->kcfg_data = calloc(1, obj->kcfg_size);
	if (!obj->kcfg_data)
		return obj_fail(obj, -ENOMEM, "out of memory");
	if (uname(&u))
		return obj_fail(obj, -errno, "uname: %s", strerror(errno));

	for (size_t i = 0; i < obj->nkcfg; i++) {
		struct obj_kconfig *e = &obj->kcfg[i];

		if (!strcmp(e->name, "LINUX_KERNEL_VERSION")) {
			err = kernel_version(obj, e, u.release);
			if (err)
				return err;
		}
		if (libbpf_flag(e->name)) {
			err = set_libbpf_flag(obj, e);
			if (err)
				return err;
		}
		need_config |= !strncmp(e->name, "CONFIG_", 7);
	}
	if (need_config) {
		char path[sizeof(u.release) + 16];

		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		if (obj->kconfig_text)
			err = read_text(&c, obj->kconfig_text);
		else if ((err = read_file(&c, path)) == 1 && (err = read_file(&c, "/proc/config.gz")) == 1)
			c.source = "no kernel config (neither /boot/config-<release> nor /proc/config.gz)";
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < obj->nkcfg; i++) {
		struct obj_kconfig *e = &obj->kcfg[i];

		if (!e->found && !e->weak)
			return obj_fail(obj, -ENOENT, "extern '%s' (.kconfig) is not set in %s; declare "
					"it __weak to get 0 instead", e->name, c.source);
	}

	struct obj_mapdef *m = mapdef_add(obj, ".kconfig");
	if (!m)
		return obj_fail(obj, -ENOMEM, "out of memory");
	m->type = BPFRT_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = obj->kcfg_size;
	m->max_entries = 1;
	m->map_flags = BPFRT_F_RDONLY_PROG;
	m->init = obj->kcfg_data;
	m->init_size = obj->kcfg_size;
	obj->kcfg_map = (int)obj->nmaps;
	return 0;
}

int kconfig_reloc(struct bpfrt_object *obj, const char *name, struct bpfrt_insn *in)
{
	struct obj_kconfig *e = obj->kcfg_map ? find_extern(obj, name, strlen(name)) : NULL;

	if (!e)
		return -ENOENT;
	if (in[0].imm < 0 || (uint32_t)in[0].imm >= e->size)
		return obj_fail(obj, -EINVAL, "reference to extern '%s'%+d is outside it", name, in[0].imm);
	in[0].src = BPFRT_PSEUDO_MAP_VALUE;
	in[1].imm = (int32_t)(e->off + (uint32_t)in[0].imm);
	in[0].imm = (int32_t)bpfrt_map__id(obj->maps[obj->kcfg_map - 1].map);
	return 0;
}
