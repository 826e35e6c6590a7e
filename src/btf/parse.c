/* SPDX-License-Identifier: MIT */
/*
 * parse.c - reading a .BTF blob: the header, the string section, and each
 * type's own layout (what can be checked looking at one type alone). The
 * checks that need every type (references, loops, layout) are in check.c.
 *
 * The rules are the kernel's (kernel/bpf/btf.c), so that what bpfrt accepts
 * Linux would accept too; kernel_flag is allowed on DECL_TAG and TYPE_TAG as
 * Linux >= 6.14 emits it there.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Size of the kind-specific tail, or SIZE_MAX for an unknown kind. */
static size_t tail_size(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case BTF_KIND_INT: return sizeof(uint32_t);
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY: return sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM: return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO: return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR: return sizeof(struct btf_var);
	case BTF_KIND_DATASEC: return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG: return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64: return vlen * sizeof(struct btf_enum64);
	default: return SIZE_MAX;
	}
}

size_t btf_type_size(const struct btf_type *t)
{
	size_t tail = tail_size(btf_kind(t), btf_vlen(t));
	return tail == SIZE_MAX ? 0 : sizeof(*t) + tail;
}

int btf_fail(const struct btf *btf, uint32_t id, struct diag *d, const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const struct btf_type *t = btf_type_by_id(btf, id);
	const char *name = btf_name(btf, id);
	if (t && id && *name)
		diag_set(d, "%s: type id %u (%s '%s'): %s", btf->what, id, btf_kind_str(btf_kind(t)), name, msg);
	else if (t && id)
		diag_set(d, "%s: type id %u (%s): %s", btf->what, id, btf_kind_str(btf_kind(t)), msg);
	else
		diag_set(d, "%s: type id %u: %s", btf->what, id, msg);
	return -EINVAL;
}

static bool str_ok(const struct btf *btf, uint32_t off)
{
	return btf_str(btf, off) != NULL;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Parse-time failure: the type is not yet known to be sane, so name its offset. */
__attribute__((format(printf, 5, 6)))
static int meta_fail(const struct btf *btf, uint32_t id, uint32_t off, struct diag *d,
		     const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_set(d, "%s: type id %u at offset %u of the type section: %s", btf->what, id, off, msg);
	return -EINVAL;
}

/* Names a kind requires (true), forbids (false), or leaves free (not called). */
static int check_name(const struct btf *btf, uint32_t id, uint32_t off,
		      const struct btf_type *t, bool required, struct diag *d)
{
	const char *kind = btf_kind_str(btf_kind(t));
	if (required && !*btf_str(btf, t->name_off))
		return meta_fail(btf, id, off, d, "%s without a name", kind);
	if (!required && t->name_off)
		return meta_fail(btf, id, off, d, "%s may not have a name ('%s')", kind,
				 btf_str(btf, t->name_off));
	return 0;
}

/* Everything about type id (at off in the type section) that it alone decides. */
static int check_meta(const struct btf *btf, uint32_t id, uint32_t off,
		      const struct btf_type *t, struct diag *d)
{
	unsigned kind = btf_kind(t), vlen = btf_vlen(t);
	const char *ks = btf_kind_str(kind);
	bool kflag = btf_kflag(t);

	if (!str_ok(btf, t->name_off))
		return meta_fail(btf, id, off, d, "name offset %u is past the string section (%u bytes)",
				 t->name_off, btf->start_str + btf->strs_len);
	if (t->info & 0x60ff0000)
		return meta_fail(btf, id, off, d, "reserved bits set in info 0x%08x", t->info);

	/* vlen and kind_flag, where the kind gives them no meaning */
	switch (kind) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
	case BTF_KIND_FUNC_PROTO: case BTF_KIND_DATASEC: case BTF_KIND_FUNC:
		break;
	default:
		if (vlen)
			return meta_fail(btf, id, off, d, "%s with vlen %u (must be 0)", ks, vlen);
	}
	switch (kind) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
	case BTF_KIND_FWD: case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
		break;
	default:
		if (kflag)
			return meta_fail(btf, id, off, d, "%s with kind_flag set", ks);
	}

	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t v = btf_int_info(t), enc = BTF_INT_ENCODING(v);
		if (t->size > 16 || !is_pow2(t->size))
			return meta_fail(btf, id, off, d, "INT of size %u (1, 2, 4, 8 or 16)", t->size);
		if (v & ~0x0fffffffu)
			return meta_fail(btf, id, off, d, "INT with reserved bits set (0x%08x)", v);
		if (BTF_INT_BITS(v) > 128 || BTF_INT_OFFSET(v) + BTF_INT_BITS(v) > t->size * 8)
			return meta_fail(btf, id, off, d, "INT of %u bits at bit %u does not fit its %u bytes",
					 BTF_INT_BITS(v), BTF_INT_OFFSET(v), t->size);
		if (enc && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL)
			return meta_fail(btf, id, off, d, "INT with encoding 0x%x (SIGNED, CHAR or BOOL)", enc);
		return 0;
	}
	case BTF_KIND_PTR: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
		return check_name(btf, id, off, t, false, d);
	case BTF_KIND_TYPEDEF: case BTF_KIND_FWD: case BTF_KIND_TYPE_TAG:
		return check_name(btf, id, off, t, true, d);
	case BTF_KIND_ARRAY:
		if (t->size)
			return meta_fail(btf, id, off, d, "ARRAY with size %u (must be 0)", t->size);
		return check_name(btf, id, off, t, false, d);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);
		for (unsigned i = 0; i < vlen; i++) {
			if (!str_ok(btf, m[i].name_off))
				return meta_fail(btf, id, off, d, "member %u: name offset %u is past the string section",
						 i, m[i].name_off);
			if (kind == BTF_KIND_UNION && btf_member_bit_offset(t, i))
				return meta_fail(btf, id, off, d, "UNION member %u at bit offset %u (must be 0)",
						 i, btf_member_bit_offset(t, i));
			if (btf_member_bit_offset(t, i) + btf_member_bitfield_size(t, i) >
			    (uint64_t)t->size * 8)
				return meta_fail(btf, id, off, d,
						 "member %u ('%s') at bit %u is past the end of its %u bytes",
						 i, btf_str(btf, m[i].name_off), btf_member_bit_offset(t, i), t->size);
		}
		return 0;
	}
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
		if (t->size > 8 || !is_pow2(t->size))
			return meta_fail(btf, id, off, d, "%s of size %u (1, 2, 4 or 8)", ks, t->size);
		for (unsigned i = 0; i < vlen; i++) {
			uint32_t n = kind == BTF_KIND_ENUM ? btf_enums(t)[i].name_off : btf_enums64(t)[i].name_off;
			if (!str_ok(btf, n) || !*btf_str(btf, n))
				return meta_fail(btf, id, off, d, "value %u: bad name offset %u", i, n);
		}
		return 0;
	}
	case BTF_KIND_FUNC:
		if (vlen > BTF_FUNC_EXTERN)
			return meta_fail(btf, id, off, d, "FUNC with linkage %u (0..2)", vlen);
		return check_name(btf, id, off, t, true, d);
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);
		for (unsigned i = 0; i < vlen; i++)
			if (!str_ok(btf, p[i].name_off))
				return meta_fail(btf, id, off, d, "parameter %u: name offset %u is past the string section",
						 i, p[i].name_off);
		return check_name(btf, id, off, t, false, d);
	}
	case BTF_KIND_VAR:
		if (btf_var(t)->linkage > BTF_VAR_GLOBAL_EXTERN)
			return meta_fail(btf, id, off, d, "VAR with linkage %u (0..2)", btf_var(t)->linkage);
		return check_name(btf, id, off, t, true, d);
	case BTF_KIND_DATASEC:
		if (!vlen)
			return meta_fail(btf, id, off, d, "DATASEC without variables");
		return check_name(btf, id, off, t, true, d);
	case BTF_KIND_FLOAT:
		if (t->size != 2 && t->size != 4 && t->size != 8 && t->size != 12 && t->size != 16)
			return meta_fail(btf, id, off, d, "FLOAT of size %u (2, 4, 8, 12 or 16)", t->size);
		return check_name(btf, id, off, t, true, d);
	case BTF_KIND_DECL_TAG:
		if (btf_decl_tag(t)->component_idx < -1)
			return meta_fail(btf, id, off, d, "DECL_TAG with component_idx %d (must be >= -1)",
					 btf_decl_tag(t)->component_idx);
		return check_name(btf, id, off, t, true, d);
	}
	return 0;
}

/* Walk the type section: offsets of every type, each checked on its own. */
static int read_types(struct btf *btf, struct diag *d)
{
	uint32_t cap = 256, off = 0;
	btf->offs = malloc(cap * sizeof(*btf->offs));
	if (!btf->offs)
		return -ENOMEM;
	while (off < btf->types_len) {
		uint32_t id = btf->start_id + btf->nr;
		uint32_t left = btf->types_len - off;
		if (id > BTF_MAX_TYPE) {
			diag_set(d, "%s: more than %u types", btf->what, BTF_MAX_TYPE);
			return -E2BIG;
		}
		if (left < sizeof(struct btf_type))
			return meta_fail(btf, id, off, d, "truncated: %u byte(s) left, a type needs %zu",
					 left, sizeof(struct btf_type));
		const struct btf_type *t = (const void *)(btf->types + off);
		unsigned kind = btf_kind(t);
		size_t tail = tail_size(kind, btf_vlen(t));
		if (kind == BTF_KIND_UNKN || tail == SIZE_MAX)
			return meta_fail(btf, id, off, d, "unknown kind %u", kind);
		if (tail > left - sizeof(*t))
			return meta_fail(btf, id, off, d, "truncated %s: needs %zu bytes, %u left (vlen %u)",
					 btf_kind_str(kind), sizeof(*t) + tail, left, btf_vlen(t));
		int err = check_meta(btf, id, off, t, d);
		if (err)
			return err;
		if (btf->nr == cap) {
			uint32_t *p = realloc(btf->offs, 2 * cap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			btf->offs = p;
			cap *= 2;
		}
		btf->offs[btf->nr++] = off;
		off += (uint32_t)(sizeof(*t) + tail);
	}
	return 0;
}

/* Header and section bounds; on success the sections are copied into btf. */
static int read_header(struct btf *btf, const uint8_t *data, size_t size, struct diag *d)
{
	struct btf_header h;
	if (size < sizeof(h)) {
		diag_set(d, "%s: truncated header: %zu byte(s), the header needs %zu", btf->what,
			 size, sizeof(h));
		return -EINVAL;
	}
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC) {
		diag_set(d, "%s: bad magic 0x%04x (expected 0x%04x%s)", btf->what, h.magic, BTF_MAGIC,
			 h.magic == 0x9feb ? "; big-endian BTF is not supported" : "");
		return -EINVAL;
	}
	if (h.version != BTF_VERSION || h.flags) {
		diag_set(d, "%s: unsupported version %u or flags 0x%x (version 1, no flags)", btf->what,
			 h.version, h.flags);
		return -EINVAL;
	}
	if (h.hdr_len < sizeof(h) || h.hdr_len > size) {
		diag_set(d, "%s: header length %u (at least %zu, within the %zu-byte input)", btf->what,
			 h.hdr_len, sizeof(h), size);
		return -EINVAL;
	}
	/* A longer header is a newer format: fine only if what we don't know is zero. */
	for (size_t i = sizeof(h); i < h.hdr_len; i++)
		if (data[i]) {
			diag_set(d, "%s: unknown non-zero header byte at offset %zu", btf->what, i);
			return -EINVAL;
		}
	uint64_t body = size - h.hdr_len;
	if ((uint64_t)h.type_off + h.type_len > body || (uint64_t)h.str_off + h.str_len > body) {
		diag_set(d, "%s: truncated: type section at %u+%u or string section at %u+%u runs past the %llu bytes after the header",
			 btf->what, h.type_off, h.type_len, h.str_off, h.str_len, (unsigned long long)body);
		return -EINVAL;
	}
	if (h.type_off % 4) {
		diag_set(d, "%s: type section offset %u is not 4-byte aligned", btf->what, h.type_off);
		return -EINVAL;
	}
	if (h.type_len && h.str_len && h.type_off < (uint64_t)h.str_off + h.str_len &&
	    h.str_off < (uint64_t)h.type_off + h.type_len) {
		diag_set(d, "%s: type section (%u+%u) and string section (%u+%u) overlap", btf->what,
			 h.type_off, h.type_len, h.str_off, h.str_len);
		return -EINVAL;
	}
	const uint8_t *strs = data + h.hdr_len + h.str_off;
	if (!btf->base || h.str_len) {
		if (!h.str_len || h.str_len - 1 > BTF_MAX_NAME_OFFSET || strs[h.str_len - 1]) {
			diag_set(d, "%s: string section of %u byte(s) is empty, too large or not NUL-terminated",
				 btf->what, h.str_len);
			return -EINVAL;
		}
		if (!btf->base && strs[0]) {
			diag_set(d, "%s: string section does not start with the empty string", btf->what);
			return -EINVAL;
		}
	}
	if (h.type_len % 4) {
		diag_set(d, "%s: type section length %u is not a multiple of 4", btf->what, h.type_len);
		return -EINVAL;
	}
	btf->types = malloc((size_t)h.type_len + h.str_len + 1);
	if (!btf->types)
		return -ENOMEM;
	memcpy(btf->types, data + h.hdr_len + h.type_off, h.type_len);
	memcpy(btf->types + h.type_len, strs, h.str_len);
	btf->types_len = h.type_len;
	btf->strs = (const char *)btf->types + h.type_len;
	btf->strs_len = h.str_len;
	return 0;
}

struct btf *btf_parse_split(const void *data, size_t size, const struct btf *base,
			    const char *what, struct diag *d)
{
	struct btf *btf = calloc(1, sizeof(*btf));
	if (!btf) {
		diag_set(d, "%s: out of memory", what ? what : "section '.BTF'");
		errno = ENOMEM;
		return NULL;
	}
	snprintf(btf->what, sizeof(btf->what), "%s", what ? what : "section '.BTF'");
	btf->base = base;
	btf->start_id = base ? btf_type_cnt(base) : 1;
	btf->start_str = base ? base->start_str + base->strs_len : 0;
	int err = read_header(btf, data, size, d);
	if (!err)
		err = read_types(btf, d);
	if (!err)
		err = btf_check_refs(btf, d);
	if (!err)
		err = btf_index_build(btf);
	if (err) {
		if (err == -ENOMEM)
			diag_set(d, "%s: out of memory", btf->what);
		btf_free(btf);
		errno = -err;
		return NULL;
	}
	return btf;
}

struct btf *btf_parse(const void *data, size_t size, const char *what, struct diag *d)
{
	return btf_parse_split(data, size, NULL, what, d);
}

struct btf *btf_parse_file(const char *path, const struct btf *base, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		diag_set(d, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	/* sysfs files report no size: read until EOF. */
	size_t cap = 1 << 20, len = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap)
			break;
		uint8_t *p = cap < (1u << 30) ? realloc(buf, cap * 2) : NULL;
		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		cap *= 2;
	}
	int rerr = ferror(f);
	fclose(f);
	if (!buf || rerr) {
		free(buf);
		diag_set(d, "%s: %s", path, buf ? "read error" : "out of memory or too large");
		errno = buf ? EIO : ENOMEM;
		return NULL;
	}
	struct btf *btf = btf_parse_split(buf, len, base, path, d);
	int e = errno;
	free(buf);
	errno = e;
	return btf;
}

void btf_free(struct btf *btf)
{
	if (!btf)
		return;
	free(btf->types);
	free(btf->offs);
	free(btf->bucket);
	free(btf->next);
	free(btf);
}
