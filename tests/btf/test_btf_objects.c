/* SPDX-License-Identifier: MIT */
/*
 * test_btf_objects.c - what src/btf reads out of a real clang object
 * (progs/maps.bpf.c): BTF-defined maps of every shape, the DATASECs of global
 * data before and after libbpf's fix-up against ELF symbols, functions and
 * their func_info, line info down to the text of a known source line, and
 * the type queries the loader relies on.
 *
 * usage: test_btf_objects maps.bpf.o maps.bpf.c
 */
#include <stdlib.h>
#include <string.h>
#include "bpfrt/map.h"
#include "testutil.h"

static const struct btf *btf;

static void check_attrs(const char *map, const struct btf_map_attrs *a, uint32_t type,
			uint32_t key, uint32_t value, uint32_t max, uint32_t flags,
			const char *key_type, const char *value_type)
{
	CHECK(a->map_type == type, "map '%s': type %u, expected %u", map, a->map_type, type);
	CHECK(a->key_size == key, "map '%s': key_size %u, expected %u", map, a->key_size, key);
	CHECK(a->value_size == value, "map '%s': value_size %u, expected %u", map, a->value_size, value);
	CHECK(a->max_entries == max, "map '%s': max_entries %u, expected %u", map, a->max_entries, max);
	CHECK(a->map_flags == flags, "map '%s': map_flags 0x%x, expected 0x%x", map, a->map_flags, flags);
	CHECK(!strcmp(btf_name(btf, a->key_type_id), key_type), "map '%s': key type '%s', expected '%s'",
	      map, btf_name(btf, a->key_type_id), key_type);
	CHECK(!strcmp(btf_name(btf, a->value_type_id), value_type),
	      "map '%s': value type '%s', expected '%s'", map, btf_name(btf, a->value_type_id), value_type);
}

static struct btf_map_def map_def(const char *name)
{
	struct btf_map_def def;
	struct diag d;
	diag_clear(&d);
	memset(&def, 0, sizeof(def));
	int32_t var = btf_find_by_name_kind(btf, name, BTF_KIND_VAR);
	CHECK(var > 0, "no VAR '%s'", name);
	if (var > 0)
		CHECK(!btf_map_def_parse(btf, (uint32_t)var, &def, &d), "map '%s': %s", name, d.msg);
	return def;
}

static void test_maps(void)
{
	struct btf_map_def m = map_def("flows");
	check_attrs("flows", &m.map, BPFRT_MAP_TYPE_HASH, 8, 32, 1024, 1 /* BPF_F_NO_PREALLOC */,
		    "flow_key", "flow_stats");
	CHECK(m.map.pinning == BTF_MAP_PIN_BY_NAME, "flows: pinning %u", m.map.pinning);
	CHECK(m.map.parts & BTF_MAP_PINNING, "flows: pinning not recorded");
	CHECK(!(m.map.parts & BTF_MAP_INNER), "flows: has an inner map");

	m = map_def("stats");
	check_attrs("stats", &m.map, BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 4 /* BPF_F_NUMA_NODE */,
		    "__u32", "__u64");
	CHECK(m.map.numa_node == 1 && (m.map.parts & BTF_MAP_NUMA_NODE), "stats: numa_node %u", m.map.numa_node);

	m = map_def("events");
	check_attrs("events", &m.map, BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, "", "");
	CHECK(m.map.parts == (BTF_MAP_TYPE | BTF_MAP_MAX_ENTRIES), "events: parts 0x%x", m.map.parts);

	m = map_def("queue");
	check_attrs("queue", &m.map, BPFRT_MAP_TYPE_QUEUE, 0, 8, 16, 0, "", "");
	CHECK(!(m.map.parts & BTF_MAP_VALUE_TYPE), "queue: value size given as a number has no type");

	m = map_def("bloom");
	check_attrs("bloom", &m.map, BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 4, 100, 0, "", "__u32");
	CHECK(m.map.map_extra == 0x300000005ULL && (m.map.parts & BTF_MAP_EXTRA),
	      "bloom: map_extra 0x%llx (a 64-bit __ulong)", (unsigned long long)m.map.map_extra);

	m = map_def("inner1");
	check_attrs("inner1", &m.map, BPFRT_MAP_TYPE_ARRAY, 4, 32, 2, 0, "int", "flow_stats");

	m = map_def("outer");
	check_attrs("outer", &m.map, BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, "int", "");
	CHECK(m.map.parts & BTF_MAP_INNER, "outer: no inner map");
	check_attrs("outer.inner", &m.inner, BPFRT_MAP_TYPE_ARRAY, 4, 32, 2, 0, "int", "flow_stats");
	CHECK(!strcmp(btf_name(btf, m.inner.struct_id), "inner_map"), "outer: inner struct '%s'",
	      btf_name(btf, m.inner.struct_id));

	m = map_def("outer_hash");
	check_attrs("outer_hash", &m.map, BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 8, 0, "", "");
	check_attrs("outer_hash.inner", &m.inner, BPFRT_MAP_TYPE_HASH, 4, 8, 64, 0, "__u32", "__u64");

	m = map_def("jumps");
	check_attrs("jumps", &m.map, BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, "", "");
	CHECK((m.map.parts & BTF_MAP_PROG_VALUES) && !(m.map.parts & BTF_MAP_INNER),
	      "jumps: parts 0x%x", m.map.parts);

	/* every variable of .maps is a definition */
	int32_t sec = btf_find_datasec(btf, ".maps");
	struct btf_var_info v;
	uint32_t n = 0;
	CHECK(sec > 0, "no .maps DATASEC");
	while (sec > 0 && !btf_datasec_var(btf, (uint32_t)sec, n, &v))
		n++;
	CHECK(n == 10, ".maps has %u variables, expected 10", n);

	/* a VAR that is not a map definition */
	struct btf_map_def def;
	struct diag d;
	diag_clear(&d);
	int32_t var = btf_find_by_name_kind(btf, "packets_seen", BTF_KIND_VAR);
	CHECK(btf_map_def_parse(btf, (uint32_t)var, &def, &d) == -EINVAL && strstr(d.msg, "packets_seen"),
	      "a non-map VAR: '%s'", d.msg);
}

static struct elfobj *elf;

static int sym(void *ctx, const char *name, uint32_t *off, bool *hidden)
{
	return elfobj_symbol(elf, name, off, hidden);
}

static void expect_var(uint32_t sec, const char *name, uint32_t size, bool fixed)
{
	struct btf_var_info v;
	CHECK(!btf_datasec_find_var(btf, sec, name, &v), "no variable '%s'", name);
	CHECK(v.size == size, "'%s': size %u, expected %u", name, v.size, size);
	if (fixed) {
		uint32_t off;
		bool hidden;
		CHECK(!elfobj_symbol(elf, name, &off, &hidden), "no symbol '%s'", name);
		CHECK(v.offset == off, "'%s': offset %u, symbol at %u", name, v.offset, off);
	}
}

static void test_datasecs(struct btf *mbtf)
{
	static const struct { const char *sec, *var; uint32_t size; } vars[] = {
		{ ".data", "packets_seen", 8 }, { ".data", "verbose", 4 },
		{ ".rodata", "max_len", 4 }, { ".rodata", "label", 8 },
		{ ".bss", "drops", 8 }, { ".bss", "last", 32 },
	};
	/* as clang leaves them: no size, every offset 0 */
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		int32_t sec = btf_find_datasec(btf, vars[i].sec);
		CHECK(sec > 0, "no DATASEC '%s'", vars[i].sec);
		if (sec > 0)
			expect_var((uint32_t)sec, vars[i].var, vars[i].size, false);
	}
	/* after the fix-up: sizes from the ELF sections, offsets from the symbols */
	const char *secs[] = { ".data", ".rodata", ".bss", ".maps" };
	for (size_t i = 0; i < 4; i++) {
		struct diag d;
		diag_clear(&d);
		int32_t sec = btf_find_datasec(mbtf, secs[i]);
		long size = elfobj_section_size(elf, secs[i]);
		CHECK(!btf_datasec_fixup(mbtf, (uint32_t)sec, (uint32_t)size, sym, NULL, &d),
		      "fix-up of %s: %s", secs[i], d.msg);
		CHECK(btf_type_by_id(mbtf, (uint32_t)sec)->size == (uint32_t)size, "%s: size %u, ELF %ld",
		      secs[i], btf_type_by_id(mbtf, (uint32_t)sec)->size, size);
		/* sorted by offset */
		struct btf_var_info a, b;
		for (uint32_t j = 1; !btf_datasec_var(mbtf, (uint32_t)sec, j, &b); j++) {
			btf_datasec_var(mbtf, (uint32_t)sec, j - 1, &a);
			CHECK(a.offset < b.offset, "%s: '%s' at %u before '%s' at %u", secs[i], a.name, a.offset,
			      b.name, b.offset);
		}
	}
	const struct btf *saved = btf;
	btf = mbtf;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		expect_var((uint32_t)btf_find_datasec(btf, vars[i].sec), vars[i].var, vars[i].size, true);
	btf = saved;

	/* a variable without a symbol is an error naming it */
	struct diag d;
	diag_clear(&d);
	CHECK(btf_datasec_fixup(mbtf, (uint32_t)btf_find_datasec(mbtf, ".data"), 12, NULL, NULL, &d) == -EINVAL &&
	      strstr(d.msg, "'packets_seen' has no ELF symbol") && strstr(d.msg, "DATASEC '.data'"),
	      "a global without a symbol: '%s'", d.msg);
}

static void expect_func(const char *name, unsigned linkage, const char *param0)
{
	int32_t id = btf_find_by_name_kind(btf, name, BTF_KIND_FUNC);
	uint32_t proto;
	unsigned l;
	CHECK(id > 0, "no FUNC '%s'", name);
	if (id <= 0)
		return;
	CHECK(!btf_func_info(btf, (uint32_t)id, &proto, &l) && l == linkage, "'%s': linkage %u", name, l);
	const struct btf_type *p = btf_type_by_id(btf, proto);
	CHECK(btf_kind(p) == BTF_KIND_FUNC_PROTO && btf_vlen(p) >= 1, "'%s': proto", name);
	CHECK(!strcmp(btf_str(btf, btf_params(p)[0].name_off), param0), "'%s': first parameter '%s'",
	      name, btf_str(btf, btf_params(p)[0].name_off));
}

/* The instruction a func_info record of sec names for func, or -1. */
static long func_insn(const struct btf_ext *ext, const char *sec, const char *func)
{
	const struct btf_ext_sec *s = btf_ext_sec_by_name(ext, sec);
	for (uint32_t i = 0; s && i < s->func_info_cnt; i++)
		if (!strcmp(btf_name(btf, s->func_info[i].type_id), func))
			return s->func_info[i].insn_off / 8;
	return -1;
}

static void test_funcs(const struct btf_ext *ext)
{
	expect_func("count_flow", BTF_FUNC_GLOBAL, "k");
	expect_func("classify", BTF_FUNC_STATIC, "k");
	expect_func("xdp_count", BTF_FUNC_GLOBAL, "ctx");
	expect_func("tc_jump", BTF_FUNC_GLOBAL, "skb");
	CHECK(func_insn(ext, "xdp", "xdp_count") == 0, "func_info: xdp_count not at insn 0 of 'xdp'");
	CHECK(func_insn(ext, "tc", "tc_jump") == 0, "func_info: tc_jump not at insn 0 of 'tc'");
	CHECK(func_insn(ext, ".text", "count_flow") >= 0, "func_info: count_flow not in '.text'");
	CHECK(func_insn(ext, ".text", "classify") >= 0, "func_info: classify not in '.text'");
	CHECK(btf_ext_sec_by_name(ext, "xdp") && btf_ext_sec_by_name(ext, "xdp")->line_info_cnt > 3,
	      "line_info: too few records for 'xdp'");
	CHECK(!btf_ext_sec_by_name(ext, "nosuch"), "a section that is not there");
}

/* The number of the source line holding marker. */
static uint32_t source_line(const char *path, const char *marker)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	uint32_t n = 0;
	while (f && fgets(buf, sizeof(buf), f)) {
		n++;
		if (strstr(buf, marker)) {
			fclose(f);
			return n;
		}
	}
	if (f)
		fclose(f);
	return 0;
}

static void test_lines(const struct btf_ext *ext, const char *src)
{
	uint32_t want = source_line(src, "drops++; /* LINE-MARK");
	CHECK(want, "no LINE-MARK in %s", src);
	const struct btf_ext_sec *s = btf_ext_sec_by_name(ext, ".text");
	long insn = -1;
	for (uint32_t i = 0; s && i < s->line_info_cnt && insn < 0; i++)
		if (BTF_LINE_NUM(s->line_info[i].line_col) == want)
			insn = s->line_info[i].insn_off / 8;
	CHECK(insn >= 0, "no instruction of '.text' comes from line %u", want);
	struct btf_line l;
	char buf[256];
	if (btf_ext_line_lookup(ext, ".text", (size_t)insn, &l)) {
		CHECK(0, "lookup of insn %ld", insn);
		return;
	}
	CHECK(l.line == want && strstr(l.text, "drops++") && strstr(l.file, "maps.bpf.c"),
	      "insn %ld: %s:%u '%s'", insn, l.file, l.line, l.text);
	btf_line_format(&l, buf, sizeof(buf));
	char expect[64];
	snprintf(expect, sizeof(expect), "maps.bpf.c:%u: drops++;", want);
	CHECK(!strncmp(buf, expect, strlen(expect)), "formatted '%s', expected '%s...'", buf, expect);
	/* the instruction after keeps that line until the next record */
	CHECK(!btf_ext_line_lookup(ext, "xdp", 0, &l) && strstr(l.text, "xdp_count"),
	      "xdp insn 0: '%s'", l.text);
	CHECK(btf_ext_line_lookup(ext, "nosuch", 0, &l) == -ENOENT, "lookup in a missing section");
}

static void test_queries(void)
{
	int32_t key = btf_find_by_name_kind(btf, "flow_key", BTF_KIND_STRUCT);
	CHECK(key > 0 && btf_resolve_size(btf, (uint32_t)key) == 8, "sizeof(struct flow_key)");
	CHECK(btf_find_by_name_kind(btf, "flow_key", BTF_KIND_UNION) == -ENOENT, "flow_key is no union");
	CHECK(btf_find_by_name_kind(btf, "flow_key", -1) == key, "flow_key by name alone");
	struct btf_member_info mi;
	CHECK(!btf_member_by_name(btf, (uint32_t)key, "port", &mi) && mi.bit_offset == 32 && mi.index == 1,
	      "flow_key.port at bit %u", mi.bit_offset);
	CHECK(btf_member_by_name(btf, (uint32_t)key, "nope", &mi) == -ENOENT, "missing member");

	int32_t stats = btf_find_by_name_kind(btf, "flow_stats", BTF_KIND_STRUCT);
	CHECK(!btf_member_by_name(btf, (uint32_t)stats, "tag", &mi), "flow_stats.tag");
	struct btf_array a;
	CHECK(!btf_array_info(btf, mi.type_id, &a) && a.nelems == 12 && !strcmp(btf_name(btf, a.type), "char"),
	      "flow_stats.tag is char[12]");
	CHECK(btf_resolve_size(btf, mi.type_id) == 12, "sizeof tag");
	CHECK(btf_align_of(btf, (uint32_t)stats) == 8, "alignof(struct flow_stats) %u",
	      btf_align_of(btf, (uint32_t)stats));

	/* const volatile __u32 max_len: modifiers, then the typedef */
	int32_t var = btf_find_by_name_kind(btf, "max_len", BTF_KIND_VAR);
	uint32_t t = btf_type_by_id(btf, (uint32_t)var)->type;
	CHECK(btf_kind(btf_type_by_id(btf, t)) == BTF_KIND_VOLATILE || btf_kind(btf_type_by_id(btf, t)) == BTF_KIND_CONST,
	      "max_len is qualified");
	CHECK(!strcmp(btf_name(btf, btf_skip_mods(btf, t)), "__u32"), "skip_mods -> '%s'",
	      btf_name(btf, btf_skip_mods(btf, t)));
	CHECK(!strcmp(btf_name(btf, btf_skip_mods_typedefs(btf, t)), "unsigned int"),
	      "skip_mods_typedefs -> '%s'", btf_name(btf, btf_skip_mods_typedefs(btf, t)));
	CHECK(btf_resolve_size(btf, (uint32_t)var) == 4, "size through a VAR");
	CHECK(btf_resolve_size(btf, 0) == -EINVAL, "void has no size");

	/* __sk_buff's 'sk' lives in an anonymous union: found as in C */
	int32_t skb = btf_find_by_name_kind(btf, "__sk_buff", BTF_KIND_STRUCT);
	CHECK(skb > 0 && !btf_member_by_name(btf, (uint32_t)skb, "sk", &mi), "__sk_buff.sk");
	CHECK(!strcmp(mi.name, "sk") && mi.bit_offset % 64 == 0 && mi.parent_id != (uint32_t)skb,
	      "__sk_buff.sk found in its anonymous union at bit %u", mi.bit_offset);
	CHECK(!btf_member_by_index(btf, (uint32_t)skb, 0, &mi) && !strcmp(mi.name, "len"), "member 0");
	CHECK(btf_member_by_index(btf, (uint32_t)key, 99, &mi) == -ENOENT, "member 99");
	CHECK(btf_type_by_id(btf, btf_type_cnt(btf)) == NULL, "id past the end");
	CHECK(!strcmp(btf_kind_str(BTF_KIND_ENUM64), "ENUM64") && !strcmp(btf_kind_str(99), "UNKNOWN"),
	      "kind names");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_btf_objects maps.bpf.o maps.bpf.c\n");
		return 2;
	}
	struct obj o;
	obj_load(argv[1], &o);
	btf = o.btf;
	elf = o.elf;
	CHECK(o.ext != NULL, "no .BTF.ext");
	test_maps();
	/* the fix-up writes into the BTF: do it on a second copy */
	size_t size;
	void *raw = elfobj_section(o.elf, ".BTF", &size);
	struct btf *mbtf = btf_parse(raw, size, NULL, NULL);
	free(raw);
	test_datasecs(mbtf);
	btf_free(mbtf);
	if (o.ext) {
		test_funcs(o.ext);
		test_lines(o.ext, argv[2]);
	}
	test_queries();
	obj_free(&o);
	return test_done("test_btf_objects");
}
