/* SPDX-License-Identifier: MIT */
/*
 * test_btf_core.c - CO-RE relocations computed by src/btf:
 *  - every relocation kind of progs/core.bpf.c against the hand-written
 *    target progs/core_target.bpf.c, with values worked out by hand;
 *  - for every relocation of every object, the local value (what libbpf
 *    checks before patching) equals what clang wrote into the instruction;
 *  - libbpf's candidate rules on built BTF: flavors, ambiguity, kinds;
 *  - malformed relocations are refused with messages naming the type id and
 *    the access string.
 *
 * usage: test_btf_core core.bpf.o core_target.bpf.o [more objects...]
 */
#include <stdlib.h>
#include <string.h>
#include "btf/format.h"
#include "builder.h"
#include "testutil.h"

struct expect {
	unsigned kind;
	const char *type, *access;
	uint64_t orig, new;
	bool poison;
	int seen;
};

/* core.bpf.c against core_target.bpf.c; see the layouts in both files. */
static struct expect expects[] = {
	{ BTF_CORE_FIELD_BYTE_OFFSET, "sample", "0:1", 8, 0, false, 0 },		/* b */
	{ BTF_CORE_FIELD_BYTE_OFFSET, "sample", "0:6", 40, 72, false, 0 },	/* next */
	{ BTF_CORE_FIELD_BYTE_OFFSET, "sample", "0:0", 0, 8, false, 0 },		/* next->a */
	{ BTF_CORE_FIELD_BYTE_OFFSET, "sample", "0:2:1:2", 20, 18, false, 0 },	/* d[2], anonymous */
	{ BTF_CORE_FIELD_BYTE_OFFSET, "sample", "0:5:3", 36, 48, false, 0 },	/* arr[3] */
	{ BTF_CORE_FIELD_BYTE_OFFSET, "sample___old", "0:1", 8, 0, false, 0 },	/* flavor */
	{ BTF_CORE_FIELD_BYTE_OFFSET, "sample", "0:4", 20, 32, false, 0 },	/* mode: u32 load */
	{ BTF_CORE_FIELD_BYTE_SIZE, "sample", "0:4", 4, 4, false, 0 },
	{ BTF_CORE_FIELD_LSHIFT_U64, "sample", "0:4", 40, 48, false, 0 },	/* bits 19-23 / 10-15 */
	{ BTF_CORE_FIELD_SIGNED, "sample", "0:4", 0, 1, false, 0 },
	{ BTF_CORE_FIELD_RSHIFT_U64, "sample", "0:4", 59, 58, false, 0 },
	{ BTF_CORE_FIELD_EXISTS, "sample", "0:2:0", 1, 1, false, 0 },
	{ BTF_CORE_FIELD_EXISTS, "sample___old", "0:0", 1, 0, false, 0 },
	{ BTF_CORE_FIELD_BYTE_SIZE, "sample", "0:5", 16, 32, false, 0 },	/* arr */
	{ BTF_CORE_TYPE_EXISTS, "only_local", "0", 1, 0, false, 0 },
	{ BTF_CORE_TYPE_EXISTS, "sample_id_t", "0", 1, 1, false, 0 },
	{ BTF_CORE_TYPE_SIZE, "sample", "0", 48, 80, false, 0 },
	{ BTF_CORE_TYPE_ID_TARGET, "sample", "0", 0 /* local id */, 1, false, 0 },
	{ BTF_CORE_TYPE_ID_LOCAL, "sample", "0", 0, 0, false, 0 },
	{ BTF_CORE_ENUMVAL_EXISTS, "sample_state", "2", 1, 1, false, 0 },
	{ BTF_CORE_ENUMVAL_VALUE, "sample_state", "1", 1, 5, false, 0 },
	{ BTF_CORE_TYPE_MATCHES, "matching", "0", 1, 1, false, 0 },
	{ BTF_CORE_TYPE_MATCHES, "sample", "0", 1, 0, false, 0 },	/* anonymous struct vs union */
};

/* What clang put in the instruction a relocation patches (libbpf's cases). */
static bool insn_value(const uint8_t *text, size_t size, uint32_t off, uint64_t *val)
{
	if ((size_t)off + 8 > size)
		return false;
	const uint8_t *i = text + off;
	uint8_t cls = i[0] & 7;
	int16_t o;
	int32_t imm;
	memcpy(&o, i + 2, 2);
	memcpy(&imm, i + 4, 4);
	if (cls == 4 || cls == 7) {		/* ALU, ALU64 */
		*val = (uint32_t)imm;
		return true;
	}
	if (cls == 1 || cls == 2 || cls == 3) {	/* LDX, ST, STX */
		*val = (uint64_t)(int64_t)o;
		return true;
	}
	if (i[0] == 0x18 && (size_t)off + 16 <= size) {	/* lddw */
		int32_t hi;
		memcpy(&hi, i + 12, 4);
		*val = (uint32_t)imm | (uint64_t)(uint32_t)hi << 32;
		return true;
	}
	return false;
}

/*
 * Every relocation of obj computed against targ (may be NULL); the local
 * side checked against the instructions; matched against expects if given.
 */
static unsigned run_object(const char *path, const struct btf *targ, struct expect *ex, size_t nex)
{
	struct obj o;
	obj_load(path, &o);
	unsigned n = 0;
	for (uint32_t i = 0; o.ext && i < btf_ext_sec_cnt(o.ext); i++) {
		const struct btf_ext_sec *s = btf_ext_sec_by_idx(o.ext, i);
		size_t tsize;
		uint8_t *text = elfobj_section(o.elf, s->name, &tsize);
		for (uint32_t j = 0; j < s->core_relo_cnt; j++, n++) {
			const struct btf_ext_core_relo *r = &s->core_relo[j];
			const char *access = btf_str(o.btf, r->access_str_off);
			const char *tname = btf_name(o.btf, r->type_id);
			struct btf_core_res res;
			struct diag d;
			diag_clear(&d);
			if (btf_core_calc_relo(o.btf, r, targ, &res, &d)) {
				CHECK(0, "%s: %s insn %u: %s", path, s->name, r->insn_off / 8, d.msg);
				continue;
			}
			uint64_t v = 0;
			if (res.validate) {
				CHECK(text && insn_value(text, tsize, r->insn_off, &v) && v == res.orig_val,
				      "%s: %s insn %u (%s %s '%s'): clang wrote %llu, local value %llu", path,
				      s->name, r->insn_off / 8, btf_core_kind_str(r->kind), tname, access,
				      (unsigned long long)v, (unsigned long long)res.orig_val);
			}
			for (size_t k = 0; k < nex; k++) {
				struct expect *e = &ex[k];
				if (e->kind != r->kind || strcmp(e->type, tname) || strcmp(e->access, access))
					continue;
				e->seen++;
				uint64_t orig = e->orig, new = e->new;
				if (r->kind == BTF_CORE_TYPE_ID_TARGET || r->kind == BTF_CORE_TYPE_ID_LOCAL)
					orig = r->type_id;
				if (r->kind == BTF_CORE_TYPE_ID_LOCAL)
					new = r->type_id;
				CHECK(res.orig_val == orig && res.new_val == new && res.poison == e->poison,
				      "%s %s '%s': %llu -> %llu%s, expected %llu -> %llu (%s)",
				      btf_core_kind_str(r->kind), tname, access,
				      (unsigned long long)res.orig_val, (unsigned long long)res.new_val,
				      res.poison ? " poison" : "", (unsigned long long)orig,
				      (unsigned long long)new, res.spec);
			}
		}
		free(text);
	}
	obj_free(&o);
	return n;
}

static void test_objects(int argc, char **argv)
{
	struct obj targ;
	obj_load(argv[2], &targ);
	size_t nex = sizeof(expects) / sizeof(expects[0]);
	unsigned n = run_object(argv[1], targ.btf, expects, nex);
	unsigned seen = 0;
	for (size_t k = 0; k < nex; k++) {
		CHECK(expects[k].seen, "no %s relocation of '%s' '%s' in %s",
		      btf_core_kind_str(expects[k].kind), expects[k].type, expects[k].access, argv[1]);
		seen += (unsigned)expects[k].seen;
	}
	CHECK(seen == n, "%s: %u relocations, %u expected", argv[1], n, seen);
	/* with no target at all: fields poisoned, existence 0 */
	run_object(argv[1], NULL, NULL, 0);
	/* the other objects: the local side against clang (not themselves as
	 * targets: their flavors would make every relocation ambiguous) */
	for (int i = 3; i < argc; i++)
		CHECK(run_object(argv[i], NULL, NULL, 0) > 0, "%s: no CO-RE relocations", argv[i]);
	obj_free(&targ);
}

/* struct s { int a; int b; } and, in the target, flavors of it. */
static struct btf *build(int variant)
{
	struct bb b;
	bb_init(&b);
	uint32_t i = bb_int(&b, "int", 4, BTF_INT_SIGNED);
	uint32_t s = bb_struct(&b, "s", false, 8, 2);
	bb_member(&b, "a", i, 0);
	bb_member(&b, "b", i, 32);
	if (variant >= 1) {	/* s___v2: b first (ambiguous), or the same layout */
		bb_struct(&b, "s___v2", false, 8, 2);
		bb_member(&b, variant == 1 ? "b" : "a", i, 0);
		bb_member(&b, variant == 1 ? "a" : "b", i, 32);
	}
	if (variant == 3) {	/* a union named s: another kind, never a candidate */
		bb_struct(&b, "s___u", true, 4, 1);
		bb_member(&b, "b", i, 0);
	}
	bb_struct(&b, NULL, false, 4, 1);	/* anonymous */
	bb_member(&b, "x", i, 0);
	(void)s;
	size_t size;
	void *raw = bb_finish(&b, &size);
	struct diag d;
	diag_clear(&d);
	struct btf *btf = btf_parse(raw, size, "built", &d);
	if (!btf)
		printf("FAIL: building variant %d: %s\n", variant, d.msg);
	free(raw);
	bb_free(&b);
	return btf;
}

static void test_candidates(void)
{
	struct btf *local = build(0), *ambiguous = build(1), *agree = build(2), *kinds = build(3);
	struct btf_core_res res;
	struct diag d;
	diag_clear(&d);
	int32_t s = btf_find_by_name_kind(local, "s", BTF_KIND_STRUCT);

	CHECK(btf_core_calc(local, (uint32_t)s, "0:1", BTF_CORE_FIELD_BYTE_OFFSET, ambiguous, &res, &d) == -EINVAL &&
	      strstr(d.msg, "different offsets") && strstr(d.msg, "access '0:1'") && strstr(d.msg, "type id 2"),
	      "ambiguous flavors: '%s'", d.msg);
	diag_clear(&d);
	CHECK(!btf_core_calc(local, (uint32_t)s, "0:1", BTF_CORE_FIELD_BYTE_OFFSET, agree, &res, &d) &&
	      res.new_val == 4 && res.targ_id == 2, "flavors that agree: %s", d.msg);
	CHECK(!btf_core_calc(local, (uint32_t)s, "0:1", BTF_CORE_FIELD_BYTE_OFFSET, kinds, &res, &d) &&
	      res.new_val == 4, "a union flavor is not a candidate: %llu", (unsigned long long)res.new_val);
	CHECK(!btf_core_calc(local, (uint32_t)s, "0:1", BTF_CORE_FIELD_BYTE_OFFSET, NULL, &res, &d) &&
	      res.poison && res.orig_val == 4, "no target: poisoned");
	CHECK(!btf_core_calc(local, (uint32_t)s, "0:1", BTF_CORE_FIELD_EXISTS, NULL, &res, &d) &&
	      !res.poison && res.new_val == 0, "no target: the field does not exist");
	CHECK(!btf_core_calc(local, (uint32_t)s, "1:1", BTF_CORE_FIELD_BYTE_OFFSET, agree, &res, &d) &&
	      res.orig_val == 12 && res.new_val == 12, "s[1].b: %llu", (unsigned long long)res.new_val);
	CHECK(btf_core_types_are_compat(local, (uint32_t)s, agree, 2) == 1, "compat");
	CHECK(btf_core_types_match(local, (uint32_t)s, ambiguous, 3) == 1, "match ignores member order");
	CHECK(btf_core_fields_are_compat(local, 1, kinds, (uint32_t)btf_find_by_name_kind(kinds, "s___u", -1)) == 0,
	      "int vs union");

	/* malformed relocations */
	static const struct { const char *access; unsigned kind; int err; const char *msg; } bad[] = {
		{ "", BTF_CORE_FIELD_BYTE_OFFSET, -EINVAL, "empty access string" },
		{ "0:9", BTF_CORE_FIELD_BYTE_OFFSET, -EINVAL, "member 9" },
		{ "0:1:0", BTF_CORE_FIELD_BYTE_OFFSET, -EINVAL, "not a struct, union or array" },
		{ "0:x", BTF_CORE_FIELD_BYTE_OFFSET, -EINVAL, "malformed" },
		{ "0:", BTF_CORE_FIELD_BYTE_OFFSET, -EINVAL, "malformed" },
		{ "-1", BTF_CORE_FIELD_BYTE_OFFSET, -EINVAL, "malformed" },
		{ "99999999999", BTF_CORE_FIELD_BYTE_OFFSET, -EINVAL, "too large" },
		{ "1", BTF_CORE_TYPE_EXISTS, -EINVAL, "must be \"0\"" },
		{ "0", BTF_CORE_ENUMVAL_VALUE, -EINVAL, "not an enumerator" },
		{ "0", 13, -EOPNOTSUPP, "unknown relocation kind 13" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		diag_clear(&d);
		int err = btf_core_calc(local, (uint32_t)s, bad[k].access, bad[k].kind, agree, &res, &d);
		CHECK(err == bad[k].err && strstr(d.msg, bad[k].msg) && strstr(d.msg, "type id 2 (STRUCT 's')"),
		      "access '%s' kind %u: %d '%s'", bad[k].access, bad[k].kind, err, d.msg);
	}
	diag_clear(&d);
	uint32_t anon = btf_type_cnt(local) - 1;
	CHECK(btf_core_calc(local, anon, "0:0", BTF_CORE_FIELD_BYTE_OFFSET, agree, &res, &d) == -EOPNOTSUPP &&
	      strstr(d.msg, "anonymous"), "anonymous root: '%s'", d.msg);
	diag_clear(&d);
	CHECK(btf_core_calc(local, 999, "0", BTF_CORE_TYPE_EXISTS, agree, &res, &d) == -EINVAL &&
	      strstr(d.msg, "type id 999"), "type out of range: '%s'", d.msg);
	CHECK(!btf_core_calc(local, (uint32_t)s, "0", BTF_CORE_TYPE_ID_LOCAL, NULL, &res, &d) &&
	      res.new_val == (uint64_t)s && !res.validate, "TYPE_ID_LOCAL needs no target");
	btf_free(local);
	btf_free(ambiguous);
	btf_free(agree);
	btf_free(kinds);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test_btf_core core.bpf.o core_target.bpf.o [objects...]\n");
		return 2;
	}
	test_objects(argc, argv);
	test_candidates();
	return test_done("test_btf_core");
}
