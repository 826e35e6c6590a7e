/* SPDX-License-Identifier: MIT */
/*
 * test_btf_layout.c - the C dumper's output describes the same memory as
 * the BTF it came from: dump_c.sh compiles the dump with clang -g and hands
 * both BTFs here. Every struct, union and enum whose name is unique in the
 * original must come back with the same size, the same members at the same
 * bit offsets, bitfield sizes and sizes.
 *
 * usage: test_btf_layout [--sample] ORIGINAL ROUNDTRIP (objects or raw BTF)
 * --sample: the round trip declared only some of the types (compiling all
 * of the kernel's takes clang ~20 s): compare those it has.
 */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static struct btf *load(const char *path)
{
	size_t size;
	void *raw;
	struct elfobj *o = elfobj_open_quiet(path);
	if (o) {
		raw = elfobj_section(o, ".BTF", &size);
		elfobj_close(o);
	} else {
		raw = read_file(path, &size);
	}
	struct diag d;
	diag_clear(&d);
	struct btf *btf = raw ? btf_parse(raw, size, path, &d) : NULL;
	if (!btf) {
		printf("FAIL: %s: %s\n", path, raw ? d.msg : "unreadable");
		exit(1);
	}
	free(raw);
	return btf;
}

static const struct btf *sort_btf;

static int by_name(const void *x, const void *y)
{
	return strcmp(btf_name(sort_btf, *(const uint32_t *)x), btf_name(sort_btf, *(const uint32_t *)y));
}

static bool is_tag(const struct btf_type *t)
{
	return btf_is_composite(t) || btf_is_any_enum(t);
}

/*
 * Struct, union and enum names share C's tag namespace: a name used by two
 * of them comes back suffixed ("x___2"), so only unique names are compared.
 */
static bool *unique_tags(const struct btf *btf)
{
	uint32_t n = btf_type_cnt(btf), cnt = 0;
	uint32_t *ids = malloc(n * sizeof(*ids));
	bool *uniq = calloc(n, sizeof(*uniq));
	for (uint32_t id = 1; id < n; id++)
		if (is_tag(btf_type_by_id(btf, id)) && *btf_name(btf, id))
			ids[cnt++] = id;
	sort_btf = btf;
	qsort(ids, cnt, sizeof(*ids), by_name);
	for (uint32_t i = 0; i < cnt; i++)
		uniq[ids[i]] = (!i || strcmp(btf_name(btf, ids[i - 1]), btf_name(btf, ids[i]))) &&
			       (i + 1 == cnt || strcmp(btf_name(btf, ids[i + 1]), btf_name(btf, ids[i])));
	free(ids);
	return uniq;
}

/*
 * va_list is the one type whose layout is the compiler target's: 24 bytes
 * on x86-64, 8 on BPF, where the dump is compiled. Structs holding one differ.
 */
static bool holds_va_list(const struct btf *btf, const struct btf_type *t)
{
	for (unsigned i = 0; btf_is_composite(t) && i < btf_vlen(t); i++) {
		uint32_t id = btf_members(t)[i].type;
		for (const struct btf_type *m = btf_type_by_id(btf, id);
		     m && (btf_kind(m) == BTF_KIND_TYPEDEF || btf_is_mod(m)); m = btf_type_by_id(btf, m->type))
			if (strstr(btf_str(btf, m->name_off), "va_list"))
				return true;
	}
	return false;
}

static void compare(const struct btf *a, uint32_t ida, const struct btf *b, uint32_t idb)
{
	const struct btf_type *ta = btf_type_by_id(a, ida), *tb = btf_type_by_id(b, idb);
	const char *name = btf_name(a, ida);
	CHECK(ta->size == tb->size, "%s '%s': size %u, round trip %u", btf_kind_str(btf_kind(ta)), name,
	      ta->size, tb->size);
	if (!btf_is_composite(ta))
		return;
	CHECK(btf_vlen(ta) == btf_vlen(tb), "'%s': %u members, round trip %u", name, btf_vlen(ta), btf_vlen(tb));
	for (unsigned i = 0; i < btf_vlen(ta) && i < btf_vlen(tb); i++) {
		const char *ma = btf_str(a, btf_members(ta)[i].name_off), *mb = btf_str(b, btf_members(tb)[i].name_off);
		CHECK(!strcmp(ma, mb), "'%s': member %u '%s', round trip '%s'", name, i, ma, mb);
		CHECK(btf_member_bit_offset(ta, i) == btf_member_bit_offset(tb, i) &&
		      btf_member_bitfield_size(ta, i) == btf_member_bitfield_size(tb, i),
		      "'%s.%s': bit %u:%u, round trip %u:%u", name, ma, btf_member_bit_offset(ta, i),
		      btf_member_bitfield_size(ta, i), btf_member_bit_offset(tb, i), btf_member_bitfield_size(tb, i));
		CHECK(btf_resolve_size(a, btf_members(ta)[i].type) == btf_resolve_size(b, btf_members(tb)[i].type),
		      "'%s.%s': size %lld, round trip %lld", name, ma,
		      (long long)btf_resolve_size(a, btf_members(ta)[i].type),
		      (long long)btf_resolve_size(b, btf_members(tb)[i].type));
	}
}

int main(int argc, char **argv)
{
	bool sample = argc == 4 && !strcmp(argv[1], "--sample");
	if (argc != 3 + sample) {
		fprintf(stderr, "usage: test_btf_layout [--sample] ORIGINAL ROUNDTRIP\n");
		return 2;
	}
	struct btf *a = load(argv[1 + sample]), *b = load(argv[2 + sample]);
	bool *uniq = unique_tags(a);
	unsigned n = 0;
	for (uint32_t id = 1; id < btf_type_cnt(a); id++) {
		const struct btf_type *t = btf_type_by_id(a, id);
		unsigned k = btf_kind(t);
		if (!is_tag(t) || !uniq[id] || holds_va_list(a, t))
			continue;
		int32_t idb = btf_find_by_name_kind(b, btf_name(a, id), (int)k);
		if (idb < 0 && btf_is_any_enum(t))	/* enum and enum64 are interchangeable */
			idb = btf_find_by_name_kind(b, btf_name(a, id),
						    k == BTF_KIND_ENUM ? BTF_KIND_ENUM64 : BTF_KIND_ENUM);
		if (idb < 0 && sample)
			continue;
		CHECK(idb > 0, "%s '%s' is missing from the round trip", btf_kind_str(k), btf_name(a, id));
		if (idb > 0)
			compare(a, id, b, (uint32_t)idb);
		n++;
	}
	free(uniq);
	printf("%u types compared\n", n);
	CHECK(n > 0, "nothing compared");
	btf_free(a);
	btf_free(b);
	return test_done("test_btf_layout");
}
