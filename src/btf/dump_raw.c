/* SPDX-License-Identifier: MIT */
/*
 * dump_raw.c - BTF printed as `bpftool btf dump file X` prints it (its
 * default, "raw" format), so that the two can be compared line by line.
 */
#include <errno.h>
#include <inttypes.h>
#include "internal.h"

/* bpftool prints "(anon)" for an empty name. */
static const char *name_of(const struct btf *btf, uint32_t off)
{
	const char *s = btf_str(btf, off);
	return !off ? "(anon)" : s ? s : "(invalid)";
}

static const char *int_encoding(uint32_t enc)
{
	switch (enc) {
	case 0: return "(none)";
	case BTF_INT_SIGNED: return "SIGNED";
	case BTF_INT_CHAR: return "CHAR";
	case BTF_INT_BOOL: return "BOOL";
	default: return "UNKN";
	}
}

static const char *func_linkage(unsigned l)
{
	static const char *const s[] = { "static", "global", "extern" };
	return l < 3 ? s[l] : "(unknown)";
}

static const char *var_linkage(unsigned l)
{
	static const char *const s[] = { "static", "global", "extern" };
	return l < 3 ? s[l] : "(unknown)";
}

int btf_dump_raw_type(const struct btf *btf, uint32_t id, FILE *out)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	if (!t || !id)
		return -EINVAL;
	unsigned kind = btf_kind(t), vlen = btf_vlen(t);
	fprintf(out, "[%u] %s '%s'", id, btf_kind_str(kind), name_of(btf, t->name_off));
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t v = btf_int_info(t);
		fprintf(out, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
			BTF_INT_OFFSET(v), BTF_INT_BITS(v), int_encoding(BTF_INT_ENCODING(v)));
		break;
	}
	case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF: case BTF_KIND_TYPE_TAG:
		fprintf(out, " type_id=%u", t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		fprintf(out, " type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type, a->nelems);
		break;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		fprintf(out, " size=%u vlen=%u", t->size, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_member *m = &btf_members(t)[i];
			uint32_t bits = btf_member_bitfield_size(t, i);
			fprintf(out, "\n\t'%s' type_id=%u bits_offset=%u", name_of(btf, m->name_off),
				m->type, btf_member_bit_offset(t, i));
			if (bits)
				fprintf(out, " bitfield_size=%u", bits);
		}
		break;
	case BTF_KIND_ENUM:
		fprintf(out, " encoding=%s size=%u vlen=%u", btf_kflag(t) ? "SIGNED" : "UNSIGNED",
			t->size, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_enum *e = &btf_enums(t)[i];
			if (btf_kflag(t))
				fprintf(out, "\n\t'%s' val=%d", name_of(btf, e->name_off), e->val);
			else
				fprintf(out, "\n\t'%s' val=%u", name_of(btf, e->name_off), (uint32_t)e->val);
		}
		break;
	case BTF_KIND_ENUM64:
		fprintf(out, " encoding=%s size=%u vlen=%u", btf_kflag(t) ? "SIGNED" : "UNSIGNED",
			t->size, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_enum64 *e = &btf_enums64(t)[i];
			uint64_t v = btf_enum64_value(e);
			if (btf_kflag(t))
				fprintf(out, "\n\t'%s' val=%" PRId64 "LL", name_of(btf, e->name_off), (int64_t)v);
			else
				fprintf(out, "\n\t'%s' val=%" PRIu64 "ULL", name_of(btf, e->name_off), v);
		}
		break;
	case BTF_KIND_FWD:
		fprintf(out, " fwd_kind=%s", btf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		fprintf(out, " type_id=%u linkage=%s", t->type, func_linkage(vlen));
		break;
	case BTF_KIND_FUNC_PROTO:
		fprintf(out, " ret_type_id=%u vlen=%u", t->type, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_param *p = &btf_params(t)[i];
			fprintf(out, "\n\t'%s' type_id=%u", name_of(btf, p->name_off), p->type);
		}
		break;
	case BTF_KIND_VAR:
		fprintf(out, " type_id=%u, linkage=%s", t->type, var_linkage(btf_var(t)->linkage));
		break;
	case BTF_KIND_DATASEC:
		fprintf(out, " size=%u vlen=%u", t->size, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_var_secinfo *v = &btf_secinfos(t)[i];
			fprintf(out, "\n\ttype_id=%u offset=%u size=%u", v->type, v->offset, v->size);
			const struct btf_type *vt = btf_type_by_id(btf, v->type);
			if (vt)
				fprintf(out, " (%s '%s')", btf_kind_str(btf_kind(vt)), name_of(btf, vt->name_off));
		}
		break;
	case BTF_KIND_FLOAT:
		fprintf(out, " size=%u", t->size);
		break;
	case BTF_KIND_DECL_TAG:
		fprintf(out, " type_id=%u component_idx=%d", t->type, btf_decl_tag(t)->component_idx);
		break;
	}
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int btf_dump_raw(const struct btf *btf, FILE *out)
{
	for (uint32_t id = btf_start_id(btf); id < btf_type_cnt(btf); id++) {
		int err = btf_dump_raw_type(btf, id, out);
		if (err)
			return err;
	}
	return 0;
}
