/* SPDX-License-Identifier: MIT */
/*
 * ext.c - .BTF.ext: func_info, line_info and CO-RE relocation records,
 * grouped by ELF section, and source-line lookup for messages.
 *
 * The three blocks list sections independently; they are merged here into
 * one struct btf_ext_sec per section name. Records are copied at their
 * known size (a newer, longer record keeps its known prefix).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct btf_ext {
	const struct btf *btf;	/* for strings; outlives ext */
	struct btf_ext_sec *secs;
	uint32_t nsecs;
	void *records;	/* all records, one allocation */
};

enum { FUNC_INFO, LINE_INFO, CORE_RELO };
static const char *const block_name[] = { "func_info", "line_info", "core_relo" };
static const size_t rec_size[] = {
	sizeof(struct btf_ext_func_info), sizeof(struct btf_ext_line_info),
	sizeof(struct btf_ext_core_relo),
};

__attribute__((format(printf, 2, 3)))
static int fail(struct diag *d, const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_set(d, "section '.BTF.ext': %s", msg);
	return -EINVAL;
}

struct block {
	const uint8_t *p;	/* the groups, after the record size */
	uint32_t len;
	uint32_t rsize;
};

/* Walk a block's groups: count records, check bounds and section names. */
static int scan_block(const struct btf *btf, int kind, const struct block *b, size_t *nrec,
		      struct diag *d)
{
	const char *bn = block_name[kind];
	uint32_t off = 0;
	*nrec = 0;
	while (off < b->len) {
		struct btf_ext_info_sec s;
		if (b->len - off < sizeof(s))
			return fail(d, "%s: truncated section header at offset %u", bn, off);
		memcpy(&s, b->p + off, sizeof(s));
		const char *name = btf_str(btf, s.sec_name_off);
		if (!name || !*name)
			return fail(d, "%s: section name offset %u at offset %u is not a string of .BTF",
				    bn, s.sec_name_off, off);
		if (!s.num_info)
			return fail(d, "%s: section '%s' has no records", bn, name);
		uint64_t need = sizeof(s) + (uint64_t)s.num_info * b->rsize;
		if (need > b->len - off)
			return fail(d, "%s: section '%s': %u records of %u bytes run past the block's end",
				    bn, name, s.num_info, b->rsize);
		off += (uint32_t)need;
		*nrec += s.num_info;
	}
	return 0;
}

static struct btf_ext_sec *sec_for(struct btf_ext *ext, const char *name)
{
	for (uint32_t i = 0; i < ext->nsecs; i++)
		if (!strcmp(ext->secs[i].name, name))
			return &ext->secs[i];
	struct btf_ext_sec *s = &ext->secs[ext->nsecs++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	return s;
}

/* One record, after the group was placed: the checks that need its content. */
static int check_record(const struct btf *btf, int kind, const char *sec, uint32_t i,
			const void *rec, uint32_t prev_off, struct diag *d)
{
	const char *bn = block_name[kind];
	uint32_t insn_off = *(const uint32_t *)rec;
	if (insn_off % 8)
		return fail(d, "%s: section '%s': record %u: insn_off %u is not a multiple of 8",
			    bn, sec, i, insn_off);
	if (kind == FUNC_INFO) {
		const struct btf_ext_func_info *f = rec;
		const struct btf_type *t = btf_type_by_id(btf, f->type_id);
		if (!t || btf_kind(t) != BTF_KIND_FUNC)
			return fail(d, "func_info: section '%s': record %u (insn %u): type id %u is not a FUNC",
				    sec, i, insn_off / 8, f->type_id);
		if (i && insn_off <= prev_off)
			return fail(d, "func_info: section '%s': record %u: insn %u is not after insn %u",
				    sec, i, insn_off / 8, prev_off / 8);
	} else if (kind == LINE_INFO) {
		const struct btf_ext_line_info *l = rec;
		if (!btf_str(btf, l->file_name_off) || !btf_str(btf, l->line_off))
			return fail(d, "line_info: section '%s': record %u (insn %u): file or line string offset out of range",
				    sec, i, insn_off / 8);
		if (i && insn_off < prev_off)
			return fail(d, "line_info: section '%s': record %u: insn %u is before insn %u",
				    sec, i, insn_off / 8, prev_off / 8);
	} else {
		const struct btf_ext_core_relo *r = rec;
		if (r->type_id >= btf_type_cnt(btf))
			return fail(d, "core_relo: section '%s': record %u (insn %u): type id %u is past the last type id %u",
				    sec, i, insn_off / 8, r->type_id, btf_type_cnt(btf) - 1);
		if (!btf_str(btf, r->access_str_off))
			return fail(d, "core_relo: section '%s': record %u (insn %u): access string offset %u out of range",
				    sec, i, insn_off / 8, r->access_str_off);
		if (r->kind > BTF_CORE_KIND_MAX)
			return fail(d, "core_relo: section '%s': record %u (insn %u): unknown relocation kind %u",
				    sec, i, insn_off / 8, r->kind);
	}
	return 0;
}

/* Copy a block's records into dst, attaching each group to its section. */
static int load_block(struct btf_ext *ext, const struct btf *btf, int kind,
		      const struct block *b, uint8_t *dst, struct diag *d)
{
	size_t rs = rec_size[kind];
	uint32_t off = 0;
	while (off < b->len) {
		struct btf_ext_info_sec s;
		memcpy(&s, b->p + off, sizeof(s));
		off += sizeof(s);
		const char *name = btf_str(btf, s.sec_name_off);
		struct btf_ext_sec *sec = sec_for(ext, name);
		const void **recs = kind == FUNC_INFO ? (const void **)&sec->func_info :
				    kind == LINE_INFO ? (const void **)&sec->line_info :
				    (const void **)&sec->core_relo;
		uint32_t *cnt = kind == FUNC_INFO ? &sec->func_info_cnt :
				kind == LINE_INFO ? &sec->line_info_cnt : &sec->core_relo_cnt;
		if (*recs)
			return fail(d, "%s: section '%s' is listed twice", block_name[kind], name);
		*recs = dst;
		*cnt = s.num_info;
		uint32_t prev = 0;
		for (uint32_t i = 0; i < s.num_info; i++, off += b->rsize, dst += rs) {
			memcpy(dst, b->p + off, rs);
			int err = check_record(btf, kind, name, i, dst, prev, d);
			if (err)
				return err;
			prev = *(const uint32_t *)dst;
		}
	}
	return 0;
}

/* Locate a block from the header's offset and length, and read its record size. */
static int find_block(const uint8_t *body, size_t body_len, int kind, uint32_t off, uint32_t len,
		      struct block *b, struct diag *d)
{
	const char *bn = block_name[kind];
	memset(b, 0, sizeof(*b));
	if (!len)
		return 0;
	if (off % 4)
		return fail(d, "%s: offset %u is not 4-byte aligned", bn, off);
	if ((uint64_t)off + len > body_len)
		return fail(d, "%s: %u+%u runs past the %zu bytes after the header", bn, off, len, body_len);
	if (len < sizeof(uint32_t))
		return fail(d, "%s: truncated: no record size", bn);
	memcpy(&b->rsize, body + off, sizeof(uint32_t));
	if (b->rsize < rec_size[kind] || b->rsize % 4)
		return fail(d, "%s: record size %u (at least %zu, a multiple of 4)", bn, b->rsize,
			    rec_size[kind]);
	b->p = body + off + sizeof(uint32_t);
	b->len = len - (uint32_t)sizeof(uint32_t);
	if (!b->len)
		return fail(d, "%s: no records", bn);
	return 0;
}

struct btf_ext *btf_ext_parse(const void *data, size_t size, const struct btf *btf,
			      struct diag *d)
{
	struct btf_ext_header h = { 0 };
	const size_t min_hdr = offsetof(struct btf_ext_header, core_relo_off);
	int err = 0;
	if (size < min_hdr) {
		fail(d, "truncated header: %zu byte(s), the header needs %zu", size, min_hdr);
		errno = EINVAL;
		return NULL;
	}
	memcpy(&h, data, min_hdr);
	if (h.magic != BTF_MAGIC || h.version != BTF_VERSION || h.flags)
		err = fail(d, "bad magic 0x%04x, version %u or flags 0x%x", h.magic, h.version, h.flags);
	else if (h.hdr_len < min_hdr || h.hdr_len > size)
		err = fail(d, "header length %u (at least %zu, within the %zu-byte input)", h.hdr_len,
			   min_hdr, size);
	if (err) {
		errno = EINVAL;
		return NULL;
	}
	/* The CO-RE fields exist only in headers long enough to hold them. */
	if (h.hdr_len >= sizeof(h))
		memcpy(&h, data, sizeof(h));
	const uint8_t *body = (const uint8_t *)data + h.hdr_len;
	size_t body_len = size - h.hdr_len;
	struct block b[3];
	uint32_t offs[3] = { h.func_info_off, h.line_info_off, h.core_relo_off };
	uint32_t lens[3] = { h.func_info_len, h.line_info_len, h.core_relo_len };
	size_t nrec[3] = { 0 }, nsec_max = 0, bytes = 0;
	for (int k = 0; k < 3 && !err; k++) {
		err = find_block(body, body_len, k, offs[k], lens[k], &b[k], d);
		if (!err)
			err = scan_block(btf, k, &b[k], &nrec[k], d);
		/* each group is at least a header and one record */
		nsec_max += b[k].len / (sizeof(struct btf_ext_info_sec) + rec_size[k]);
		bytes += nrec[k] * rec_size[k];
	}
	struct btf_ext *ext = err ? NULL : calloc(1, sizeof(*ext));
	if (ext) {
		ext->btf = btf;
		ext->secs = calloc(nsec_max ? nsec_max : 1, sizeof(*ext->secs));
		ext->records = malloc(bytes ? bytes : 1);
		if (!ext->secs || !ext->records)
			err = -ENOMEM;
	} else if (!err) {
		err = -ENOMEM;
	}
	uint8_t *dst = ext ? ext->records : NULL;
	for (int k = 0; k < 3 && !err; k++) {
		err = load_block(ext, btf, k, &b[k], dst, d);
		dst += nrec[k] * rec_size[k];
	}
	if (err) {
		if (err == -ENOMEM)
			diag_set(d, "section '.BTF.ext': out of memory");
		btf_ext_free(ext);
		errno = -err;
		return NULL;
	}
	return ext;
}

void btf_ext_free(struct btf_ext *ext)
{
	if (!ext)
		return;
	free(ext->secs);
	free(ext->records);
	free(ext);
}

const struct btf *btf_ext_btf(const struct btf_ext *ext)
{
	return ext->btf;
}

uint32_t btf_ext_sec_cnt(const struct btf_ext *ext)
{
	return ext->nsecs;
}

const struct btf_ext_sec *btf_ext_sec_by_idx(const struct btf_ext *ext, uint32_t idx)
{
	return idx < ext->nsecs ? &ext->secs[idx] : NULL;
}

const struct btf_ext_sec *btf_ext_sec_by_name(const struct btf_ext *ext, const char *name)
{
	for (uint32_t i = 0; i < ext->nsecs; i++)
		if (!strcmp(ext->secs[i].name, name))
			return &ext->secs[i];
	return NULL;
}
