/* SPDX-License-Identifier: MIT */
/*
 * core.c - CO-RE relocations: what the compiler assumed (the local BTF),
 * what holds on the target (the kernel's BTF), following libbpf's
 * relo_core.c step for step so that bpfrt relocates as libbpf would.
 *
 * An access string "0:2:1" starts at the root type (first index: as if the
 * root were an array), then names members by index (anonymous members
 * included) or array elements. The "spec" of an access is that raw list plus
 * the high-level accessors that matter across BTFs: named members (matched
 * by name) and array indices (kept as is). A target spec is built by
 * replaying the high-level accessors on each candidate type.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define SPEC_MAX_LEN 64

struct accessor {
	uint32_t type_id;	/* the struct (named member) or element type (index) */
	uint32_t idx;
	const char *name;	/* member or enumerator name; NULL for an index */
};

struct spec {
	const struct btf *btf;
	struct accessor acc[SPEC_MAX_LEN];
	int len;
	uint32_t raw[SPEC_MAX_LEN];
	int raw_len;
	uint32_t root_type_id;
	unsigned kind;
	uint64_t bit_offset;
	uint32_t steps;		/* members visited matching it: bounded */
};

/* Enough for any real type; hostile BTF sharing anonymous types among many
 * members at many levels would otherwise make matching exponential. */
#define MAX_MATCH_STEPS (1u << 20)

static bool field_based(unsigned k)
{
	return k <= BTF_CORE_FIELD_RSHIFT_U64;
}

static bool type_based(unsigned k)
{
	return (k >= BTF_CORE_TYPE_ID_LOCAL && k <= BTF_CORE_TYPE_SIZE) || k == BTF_CORE_TYPE_MATCHES;
}

static bool enumval_based(unsigned k)
{
	return k == BTF_CORE_ENUMVAL_EXISTS || k == BTF_CORE_ENUMVAL_VALUE;
}

const char *btf_core_kind_str(unsigned kind)
{
	static const char *const names[] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
		"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
		"enumval_value", "type_matches",
	};
	return kind <= BTF_CORE_KIND_MAX ? names[kind] : "unknown";
}

struct relo {
	const struct btf *local;
	uint32_t type_id;
	const char *access;
	unsigned kind;
	struct diag *d;
};

__attribute__((format(printf, 3, 4)))
static int fail(const struct relo *r, int err, const char *fmt, ...)
{
	char msg[DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const struct btf_type *t = btf_type_by_id(r->local, r->type_id);
	diag_set(r->d, "CO-RE %s relocation of type id %u (%s '%s'), access '%s': %s",
		 btf_core_kind_str(r->kind), r->type_id, t ? btf_kind_str(btf_kind(t)) : "?",
		 btf_name(r->local, r->type_id), r->access, msg);
	return err;
}

/* A zero-length array as the last member of its struct: indexable past its end. */
static bool is_flex_arr(const struct btf *btf, const struct accessor *acc, const struct btf_array *a)
{
	if (!acc->name || a->nelems)
		return false;
	const struct btf_type *t = btf_type_by_id(btf, acc->type_id);
	return acc->idx == btf_vlen(t) - 1;
}

/* "0:1:2" into spec->raw: decimal indices separated by single colons. */
static int parse_raw(const struct relo *r, struct spec *s)
{
	const char *p = r->access;
	if (!*p)
		return fail(r, -EINVAL, "empty access string");
	while (*p) {
		if (*p < '0' || *p > '9')
			return fail(r, -EINVAL, "malformed access string");
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint64_t)(*p++ - '0');
			if (v > INT32_MAX)
				return fail(r, -EINVAL, "index too large in access string");
		}
		if (*p == ':' && !p[1])
			return fail(r, -EINVAL, "malformed access string");
		if (*p == ':')
			p++;
		if (s->raw_len == SPEC_MAX_LEN)
			return fail(r, -E2BIG, "access string deeper than %d", SPEC_MAX_LEN);
		s->raw[s->raw_len++] = (uint32_t)v;
	}
	return 0;
}

static int add_offset(const struct relo *r, struct spec *s, uint64_t bits)
{
	s->bit_offset += bits;
	if (s->bit_offset > UINT32_MAX)
		return fail(r, -EINVAL, "the field lies beyond 512 MiB");
	return 0;
}

/* bpf_core_parse_spec: the local spec of a relocation. */
static int parse_spec(const struct relo *r, struct spec *s)
{
	const struct btf *btf = r->local;
	memset(s, 0, sizeof(*s));
	s->btf = btf;
	s->root_type_id = r->type_id;
	s->kind = r->kind;
	if (!btf_type_by_id(btf, r->type_id))
		return fail(r, -EINVAL, "no such type");
	if (type_based(r->kind)) {
		if (strcmp(r->access, "0"))
			return fail(r, -EINVAL, "a type relocation's access string must be \"0\"");
		return 0;
	}
	int err = parse_raw(r, s);
	if (err)
		return err;
	uint32_t id;
	const struct btf_type *t = btf_skip_mods_typedefs_t(btf, r->type_id, &id);
	uint32_t idx = s->raw[0];
	s->acc[0] = (struct accessor){ id, idx, NULL };
	s->len = 1;

	if (enumval_based(r->kind)) {
		if (!btf_is_any_enum(t) || s->raw_len > 1 || idx >= btf_vlen(t))
			return fail(r, -EINVAL, "not an enumerator of an enum");
		s->acc[0].name = btf_str(btf, btf_kind(t) == BTF_KIND_ENUM ? btf_enums(t)[idx].name_off :
					      btf_enums64(t)[idx].name_off);
		return 0;
	}
	int64_t sz = btf_resolve_size(btf, id);
	if (sz < 0)
		return fail(r, -EINVAL, "the root type has no size");
	if ((err = add_offset(r, s, (uint64_t)idx * (uint64_t)sz * 8)))
		return err;

	for (int i = 1; i < s->raw_len; i++) {
		t = btf_skip_mods_typedefs_t(btf, id, &id);
		idx = s->raw[i];
		struct accessor *acc = &s->acc[s->len];
		if (btf_is_composite(t)) {
			if (idx >= btf_vlen(t))
				return fail(r, -EINVAL, "index %d: member %u of type id %u, which has %u",
					    i, idx, id, btf_vlen(t));
			if ((err = add_offset(r, s, btf_member_bit_offset(t, idx))))
				return err;
			const struct btf_member *m = &btf_members(t)[idx];
			if (m->name_off) {
				*acc = (struct accessor){ id, idx, btf_str(btf, m->name_off) };
				s->len++;
			}
			id = m->type;
		} else if (btf_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *a = btf_array(t);
			bool flex = is_flex_arr(btf, acc - 1, a);
			btf_skip_mods_typedefs_t(btf, a->type, &id);
			if (!flex && idx >= a->nelems)
				return fail(r, -EINVAL, "index %d: element %u of an array of %u", i, idx, a->nelems);
			*acc = (struct accessor){ id, idx, NULL };
			s->len++;
			sz = btf_resolve_size(btf, id);
			if (sz < 0)
				return fail(r, -EINVAL, "index %d: the element type id %u has no size", i, id);
			if ((err = add_offset(r, s, (uint64_t)idx * (uint64_t)sz * 8)))
				return err;
		} else {
			return fail(r, -EINVAL, "index %d: type id %u is a %s, not a struct, union or array",
				    i, id, btf_kind_str(btf_kind(t)));
		}
	}
	return 0;
}

/*
 * bpf_core_match_member: find the local named member in target struct id,
 * looking through anonymous members; the target spec grows as it descends.
 */
static int match_member(const struct btf *lb, const struct accessor *lacc, const struct btf *tb,
			uint32_t tid, struct spec *ts, uint32_t *next_tid)
{
	const struct btf_type *t = btf_skip_mods_typedefs_t(tb, tid, &tid);
	if (!t)
		return -EINVAL;
	if (!btf_is_composite(t))
		return 0;
	const struct btf_type *lt = btf_type_by_id(lb, lacc->type_id);
	const struct btf_member *lm = &btf_members(lt)[lacc->idx];
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = &btf_members(t)[i];
		uint32_t off = btf_member_bit_offset(t, i);
		if (ts->raw_len == SPEC_MAX_LEN || ++ts->steps > MAX_MATCH_STEPS)
			return -E2BIG;
		/* suppose this member is the one; undone below if not */
		ts->bit_offset += off;
		ts->raw[ts->raw_len++] = i;
		const char *name = btf_str(tb, m->name_off);
		if (!*name) {
			int found = match_member(lb, lacc, tb, m->type, ts, next_tid);
			if (found)
				return found;
		} else if (!strcmp(lacc->name, name)) {
			if (ts->len == SPEC_MAX_LEN)
				return -E2BIG;
			ts->acc[ts->len++] = (struct accessor){ tid, i, name };
			*next_tid = m->type;
			int found = btf_core_fields_are_compat(lb, lm->type, tb, m->type);
			if (!found)
				ts->len--;
			return found;
		}
		ts->bit_offset -= off;
		ts->raw_len--;
	}
	return 0;
}

/* bpf_core_spec_match: replay the local spec on target type tid. 1: matched. */
static int spec_match(const struct spec *ls, const struct btf *tb, uint32_t tid, struct spec *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->btf = tb;
	ts->root_type_id = tid;
	ts->kind = ls->kind;
	if (type_based(ls->kind)) {
		if (ls->kind == BTF_CORE_TYPE_MATCHES)
			return btf_core_types_match(ls->btf, ls->root_type_id, tb, tid);
		return btf_core_types_are_compat(ls->btf, ls->root_type_id, tb, tid);
	}
	const struct accessor *la = &ls->acc[0];
	if (enumval_based(ls->kind)) {
		const struct btf_type *t = btf_skip_mods_typedefs_t(tb, tid, &tid);
		if (!t || !btf_is_any_enum(t))
			return 0;
		size_t len = btf_essential_name_len(la->name);
		for (unsigned i = 0; i < btf_vlen(t); i++) {
			const char *n = btf_str(tb, btf_kind(t) == BTF_KIND_ENUM ? btf_enums(t)[i].name_off :
						    btf_enums64(t)[i].name_off);
			if (btf_essential_name_len(n) == len && !strncmp(la->name, n, len)) {
				ts->acc[0] = (struct accessor){ tid, i, n };
				ts->len = 1;
				ts->raw[0] = i;
				ts->raw_len = 1;
				return 1;
			}
		}
		return 0;
	}
	for (int i = 0; i < ls->len; i++, la++) {
		const struct btf_type *t = btf_skip_mods_typedefs_t(tb, tid, &tid);
		if (!t)
			return -EINVAL;
		if (la->name) {
			int m = match_member(ls->btf, la, tb, tid, ts, &tid);
			if (m <= 0)
				return m;
			continue;
		}
		/* the first index applies to the root itself, later ones to arrays */
		if (i > 0) {
			if (btf_kind(t) != BTF_KIND_ARRAY)
				return 0;
			const struct btf_array *a = btf_array(t);
			if (!is_flex_arr(tb, &ts->acc[ts->len - 1], a) && la->idx >= a->nelems)
				return 0;
			btf_skip_mods_typedefs_t(tb, a->type, &tid);
		}
		if (ts->raw_len == SPEC_MAX_LEN || ts->len == SPEC_MAX_LEN)
			return -E2BIG;
		ts->acc[ts->len++] = (struct accessor){ tid, la->idx, NULL };
		ts->raw[ts->raw_len++] = la->idx;
		int64_t sz = btf_resolve_size(tb, tid);
		if (sz < 0)
			return (int)sz;
		ts->bit_offset += (uint64_t)la->idx * (uint64_t)sz * 8;
	}
	return 1;
}

#define POISON 1	/* from the calc_* helpers: no target, poison the insn */

static bool is_signed(const struct btf_type *t)
{
	if (btf_is_any_enum(t))
		return btf_kflag(t);
	return btf_kind(t) == BTF_KIND_INT && (BTF_INT_ENCODING(btf_int_info(t)) & BTF_INT_SIGNED);
}

/* bpf_core_calc_field_relo: one side (local or target) of a field relocation. */
static int calc_field(const struct relo *r, const struct spec *s, uint64_t *val, uint32_t *field_sz,
		      uint32_t *type_id, bool *validate)
{
	*field_sz = 0;
	if (r->kind == BTF_CORE_FIELD_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return POISON;
	const struct accessor *acc = &s->acc[s->len - 1];
	const struct btf_type *t = btf_type_by_id(s->btf, acc->type_id);
	int64_t sz;
	if (!acc->name) {	/* the access ends on an array element */
		sz = btf_resolve_size(s->btf, acc->type_id);
		if (sz < 0)
			return fail(r, -EINVAL, "type id %u has no size", acc->type_id);
		if (r->kind == BTF_CORE_FIELD_BYTE_OFFSET) {
			*val = s->bit_offset / 8;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else if (r->kind == BTF_CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			return fail(r, -EINVAL, "this relocation does not apply to an array element");
		}
		if (validate)
			*validate = true;
		return 0;
	}
	uint32_t ftype;
	const struct btf_type *mt = btf_skip_mods_typedefs_t(s->btf, btf_members(t)[acc->idx].type, &ftype);
	uint32_t bit_off = (uint32_t)s->bit_offset, bit_sz = btf_member_bitfield_size(t, acc->idx);
	uint32_t byte_off, byte_sz;
	bool bitfield = bit_sz > 0;
	if (bitfield) {
		/* the smallest naturally aligned load that covers the bits */
		byte_sz = mt->size;
		if (!byte_sz)
			return fail(r, -EINVAL, "bitfield of a zero-sized type");
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8)
				return fail(r, -E2BIG, "the bitfield cannot be read with one 64-bit load");
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = btf_resolve_size(s->btf, ftype);
		if (sz < 0)
			return fail(r, -EINVAL, "the field's type id %u has no size", ftype);
		byte_sz = (uint32_t)sz;
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}
	/* the compiler's and libbpf's bitfield arithmetic may legitimately differ */
	if (validate)
		*validate = !bitfield;
	switch (r->kind) {
	case BTF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*type_id = ftype;
		}
		break;
	case BTF_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BTF_CORE_FIELD_SIGNED:
		*val = is_signed(mt);
		if (validate)
			*validate = true;
		break;
	case BTF_CORE_FIELD_LSHIFT_U64:	/* little-endian: bpfrt runs on LE hosts */
		*val = 64 - (bit_off + bit_sz - byte_off * 8);
		break;
	case BTF_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		break;
	default:
		return fail(r, -EOPNOTSUPP, "unknown field relocation");
	}
	return 0;
}

static int calc_type(const struct relo *r, const struct spec *s, uint64_t *val, bool *validate)
{
	if (validate)
		*validate = true;
	if (!s) {		/* type relocations give 0 when nothing matches */
		*val = 0;
		return 0;
	}
	switch (r->kind) {
	case BTF_CORE_TYPE_ID_TARGET:
		*val = s->root_type_id;
		if (validate)	/* ids in the insn change when objects are linked */
			*validate = false;
		return 0;
	case BTF_CORE_TYPE_EXISTS: case BTF_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BTF_CORE_TYPE_SIZE: {
		int64_t sz = btf_resolve_size(s->btf, s->root_type_id);
		if (sz < 0)
			return fail(r, -EINVAL, "type id %u has no size", s->root_type_id);
		*val = (uint64_t)sz;
		return 0;
	}
	default:
		return fail(r, -EOPNOTSUPP, "unknown type relocation");
	}
}

static int calc_enumval(const struct relo *r, const struct spec *s, uint64_t *val)
{
	if (r->kind == BTF_CORE_ENUMVAL_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return POISON;
	const struct btf_type *t = btf_type_by_id(s->btf, s->acc[0].type_id);
	uint32_t i = s->acc[0].idx;
	/* libbpf sign-extends 32-bit values whatever the enum's signedness */
	*val = btf_kind(t) == BTF_KIND_ENUM ? (uint64_t)(int64_t)btf_enums(t)[i].val :
		btf_enum64_value(&btf_enums64(t)[i]);
	return 0;
}

/* bpf_core_calc_relo: local and target values for one candidate (ts NULL: none). */
static int calc_relo(const struct relo *r, const struct spec *ls, const struct spec *ts,
		     struct btf_core_res *res)
{
	int err = 0;
	res->orig_val = res->new_val = 0;
	res->poison = res->fail_memsz_adjust = false;
	res->validate = true;
	res->orig_sz = res->new_sz = res->orig_type_id = res->new_type_id = 0;
	if (field_based(r->kind)) {
		err = calc_field(r, ls, &res->orig_val, &res->orig_sz, &res->orig_type_id, &res->validate);
		if (!err)
			err = calc_field(r, ts, &res->new_val, &res->new_sz, &res->new_type_id, NULL);
		if (!err && res->orig_sz != res->new_sz) {
			/*
			 * A load can only be resized if the value survives: pointers
			 * (a 32-bit kernel's, zero-extended) and unsigned integers.
			 */
			const struct btf_type *o = btf_type_by_id(ls->btf, res->orig_type_id);
			const struct btf_type *n = btf_type_by_id(ts->btf, res->new_type_id);
			bool ptrs = btf_kind(o) == BTF_KIND_PTR && btf_kind(n) == BTF_KIND_PTR;
			bool uints = btf_kind(o) == BTF_KIND_INT && btf_kind(n) == BTF_KIND_INT &&
				     BTF_INT_ENCODING(btf_int_info(o)) != BTF_INT_SIGNED &&
				     BTF_INT_ENCODING(btf_int_info(n)) != BTF_INT_SIGNED;
			res->fail_memsz_adjust = !ptrs && !uints;
		}
	} else if (type_based(r->kind)) {
		err = calc_type(r, ls, &res->orig_val, &res->validate);
		if (!err)
			err = calc_type(r, ts, &res->new_val, NULL);
	} else if (enumval_based(r->kind)) {
		err = calc_enumval(r, ls, &res->orig_val);
		if (!err)
			err = calc_enumval(r, ts, &res->new_val);
	} else {
		err = fail(r, -EOPNOTSUPP, "unknown relocation kind %u", r->kind);
	}
	if (err == POISON) {
		res->poison = true;
		err = 0;
	}
	return err;
}

/* bpf_core_format_spec, for messages: "struct task_struct.pid (0:12 @ offset 4)". */
static void format_spec(const struct spec *s, char *buf, size_t size)
{
	const struct btf_type *t = btf_type_by_id(s->btf, s->root_type_id);
	const char *name = btf_name(s->btf, s->root_type_id);
	static const char *const kw[NR_BTF_KINDS] = {
		[BTF_KIND_STRUCT] = "struct ", [BTF_KIND_UNION] = "union ", [BTF_KIND_ENUM] = "enum ",
		[BTF_KIND_ENUM64] = "enum ", [BTF_KIND_FWD] = "struct ",
	};
	const char *k = kw[btf_kind(t)] ? kw[btf_kind(t)] : "";
	size_t n = (size_t)snprintf(buf, size, "%s%s", k, *name ? name : "<anon>");
	if (type_based(s->kind) || n >= size)
		return;
	if (enumval_based(s->kind)) {
		snprintf(buf + n, size - n, "::%s", s->acc[0].name);
		return;
	}
	for (int i = 0; i < s->len && n < size; i++) {
		if (s->acc[i].name)
			n += (size_t)snprintf(buf + n, size - n, ".%s", s->acc[i].name);
		else if (i > 0 || s->acc[i].idx > 0)
			n += (size_t)snprintf(buf + n, size - n, "[%u]", s->acc[i].idx);
	}
	for (int i = 0; i < s->raw_len && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%u", i ? ":" : " (", s->raw[i]);
	if (n < size && s->bit_offset % 8)	/* libbpf's "byte.bit" for bitfields */
		snprintf(buf + n, size - n, " @ offset %llu.%llu)", (unsigned long long)s->bit_offset / 8,
			 (unsigned long long)s->bit_offset % 8);
	else if (n < size)
		snprintf(buf + n, size - n, " @ offset %llu)", (unsigned long long)s->bit_offset / 8);
}

/* Candidates: target types with the local root's essential name and a compatible kind. */
static int calc(const struct relo *r, const struct btf *targ, struct btf_core_res *res)
{
	struct spec specs[3];	/* local, candidate, chosen target */
	struct spec *ls = &specs[0], *cs = &specs[1], *ts = &specs[2];
	memset(res, 0, sizeof(*res));
	if (r->kind > BTF_CORE_KIND_MAX)
		return fail(r, -EOPNOTSUPP, "unknown relocation kind %u", r->kind);
	int err = parse_spec(r, ls);
	if (err)
		return err;
	format_spec(ls, res->spec, sizeof(res->spec));

	if (r->kind == BTF_CORE_TYPE_ID_LOCAL) {	/* no target involved */
		res->orig_val = res->new_val = r->type_id;
		return 0;
	}
	const struct btf_type *lt = btf_type_by_id(r->local, r->type_id);
	const char *lname = btf_str(r->local, lt->name_off);
	if (!*lname)
		return fail(r, -EOPNOTSUPP, "anonymous types cannot be relocated");
	size_t len = btf_essential_name_len(lname);
	int matched = 0;
	for (uint32_t id = 0; targ && (id = btf_next_by_essential_name(targ, lname, len, id));) {
		const struct btf_type *t = btf_type_by_id(targ, id);
		if (btf_kind(t) != btf_kind(lt) && !(btf_is_any_enum(t) && btf_is_any_enum(lt)))
			continue;
		int m = spec_match(ls, targ, id, cs);
		if (m < 0)
			return fail(r, m, "matching target type id %u failed (%s)", id,
				    m == -E2BIG ? "nested too deep" : "malformed");
		if (!m)
			continue;
		struct btf_core_res cres;
		err = calc_relo(r, ls, cs, &cres);
		if (err)
			return err;
		if (!matched) {
			cres.targ_id = id;
			memcpy(cres.spec, res->spec, sizeof(res->spec));
			*res = cres;
			*ts = *cs;
		} else if (cs->bit_offset != ts->bit_offset) {
			return fail(r, -EINVAL, "target types %u and %u put the field at different offsets (bit %llu, %llu)",
				    res->targ_id, id, (unsigned long long)ts->bit_offset,
				    (unsigned long long)cs->bit_offset);
		} else if (cres.poison != res->poison || cres.new_val != res->new_val) {
			return fail(r, -EINVAL, "target types %u and %u disagree (%llu, %llu)", res->targ_id,
				    id, (unsigned long long)res->new_val, (unsigned long long)cres.new_val);
		}
		matched++;
	}
	if (!matched) {
		char spec[sizeof(res->spec)];
		memcpy(spec, res->spec, sizeof(spec));
		err = calc_relo(r, ls, NULL, res);
		memcpy(res->spec, spec, sizeof(spec));
		res->targ_id = 0;
	}
	return err;
}

int btf_core_calc(const struct btf *local, uint32_t type_id, const char *access,
		  enum btf_core_kind kind, const struct btf *targ, struct btf_core_res *res,
		  struct diag *d)
{
	struct relo r = { local, type_id, access ? access : "", (unsigned)kind, d };
	return calc(&r, targ, res);
}

int btf_core_calc_relo(const struct btf *local, const struct btf_ext_core_relo *relo,
		       const struct btf *targ, struct btf_core_res *res, struct diag *d)
{
	const char *access = btf_str(local, relo->access_str_off);
	struct relo r = { local, relo->type_id, access ? access : "", relo->kind, d };
	if (!access)
		return fail(&r, -EINVAL, "access string offset %u is out of range", relo->access_str_off);
	return calc(&r, targ, res);
}
