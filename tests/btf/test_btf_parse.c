/* SPDX-License-Identifier: MIT */
/*
 * test_btf_parse.c - corrupt .BTF and .BTF.ext are refused cleanly, with a
 * message naming the section and the type id or offset; nothing crashes or
 * hangs (this runs under ASan+UBSan too). Cases:
 *  - one hand-built BTF per validation rule, with the expected message;
 *  - every truncation of a real object's .BTF and .BTF.ext;
 *  - byte mutations, exhaustive over the headers and the first types, and
 *    pseudo-random over the whole blobs: what still parses is exercised
 *    through every query, dumper and CO-RE computation;
 *  - split BTF on top of a base; the kernel's BTF parsed quickly;
 *  - the C dumper on type cycles C cannot express.
 *
 * usage: test_btf_parse OBJECT.bpf.o [/sys/kernel/btf/vmlinux]
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "builder.h"
#include "exercise.h"
#include "testutil.h"

#define WHAT "section '.BTF'"

/* Parse; on failure the message must start with WHAT and contain each of want. */
static struct btf *parse_expect(const void *data, size_t size, const char *case_name,
				const char *want1, const char *want2)
{
	struct diag d;
	diag_clear(&d);
	struct btf *btf = btf_parse(data, size, NULL, &d);
	if (!want1) {
		CHECK(btf, "%s: refused: %s", case_name, d.msg);
		return btf;
	}
	CHECK(!btf, "%s: accepted", case_name);
	CHECK(!strncmp(d.msg, WHAT ": ", strlen(WHAT) + 2), "%s: message '%s' does not name the section",
	      case_name, d.msg);
	CHECK(strstr(d.msg, want1) && (!want2 || strstr(d.msg, want2)),
	      "%s: message '%s', expected '%s'%s%s", case_name, d.msg, want1, want2 ? " and " : "",
	      want2 ? want2 : "");
	btf_free(btf);
	return NULL;
}

/* Build, parse, expect. */
static void expect_built(struct bb *b, const char *case_name, const char *want1, const char *want2)
{
	size_t size;
	void *raw = bb_finish(b, &size);
	struct btf *btf = parse_expect(raw, size, case_name, want1, want2);
	if (btf)
		CHECK(!btf_exercise(btf, NULL), "%s: exercise", case_name);
	btf_free(btf);
	free(raw);
	bb_free(b);
}

static void test_header(void)
{
	struct bb b;
	bb_init(&b);
	bb_int(&b, "int", 4, BTF_INT_SIGNED);
	size_t size;
	uint8_t *raw = bb_finish(&b, &size);
	struct btf_header *h = (void *)raw;
	uint8_t *copy = malloc(size + 8);

	parse_expect(raw, 0, "empty", "truncated header", NULL);
	parse_expect(raw, 10, "10 bytes", "truncated header", NULL);
#define MUTATE(stmt, name, w1, w2) do { \
		memcpy(copy, raw, size); \
		h = (void *)copy; \
		stmt; \
		parse_expect(copy, size, name, w1, w2); \
	} while (0)
	MUTATE(h->magic = 0x1234, "bad magic", "bad magic 0x1234", NULL);
	MUTATE(h->magic = 0x9feb, "big-endian", "big-endian", NULL);
	MUTATE(h->version = 2, "version", "unsupported version 2", NULL);
	MUTATE(h->flags = 1, "flags", "flags 0x1", NULL);
	MUTATE(h->hdr_len = 8, "short header", "header length 8", NULL);
	MUTATE(h->hdr_len = 1000, "long header", "header length 1000", NULL);
	MUTATE(h->type_len = 1000, "type section too long", "truncated", "type section");
	MUTATE(h->str_len += 1, "string section too long", "truncated", NULL);
	MUTATE(h->type_off = 2, "unaligned types", "not 4-byte aligned", NULL);
	MUTATE(h->str_off = 0, "overlap", "overlap", NULL);
	MUTATE(h->type_len -= 4, "type section cut", "type id 1", "truncated INT");
	MUTATE(copy[size - 1] = 'x', "strings unterminated", "not NUL-terminated", NULL);
	MUTATE(copy[sizeof(*h) + h->str_off] = 'x', "strings start", "empty string", NULL);
	MUTATE(h->str_len = 0, "no strings", "string section", NULL);
	/* a longer header is fine if its unknown part is zero */
	memset(copy, 0, size + 8);
	memcpy(copy, raw, sizeof(*h));
	memcpy(copy + sizeof(*h) + 8, raw + sizeof(*h), size - sizeof(*h));
	h = (void *)copy;
	h->hdr_len += 8;
	btf_free(parse_expect(copy, size + 8, "longer header", NULL, NULL));
	copy[sizeof(*h) + 3] = 1;
	parse_expect(copy, size + 8, "longer header, non-zero", "unknown non-zero header byte at offset 27", NULL);
	free(copy);
	free(raw);
	bb_free(&b);
}

static void test_types(void)
{
	struct bb b;
	uint32_t i, s, p, t, c;

	bb_init(&b);
	bb_type(&b, "x", 20, 0, false, 0);
	expect_built(&b, "kind 20", "type id 1", "unknown kind 20");

	bb_init(&b);
	bb_int(&b, "int", 4, 1);
	bb_type(&b, NULL, 0, 0, false, 0);
	expect_built(&b, "kind 0", "type id 2", "unknown kind 0");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_struct(&b, "s", false, 8, 5);
	bb_member(&b, "a", i, 0);
	expect_built(&b, "truncated struct", "type id 2", "truncated STRUCT: needs 72 bytes, 24 left (vlen 5)");

	bb_init(&b);
	bb_type(&b, NULL, BTF_KIND_INT, 0, false, 4);
	bb_u32(&b, 32);
	b.types[0] = 0xff;	/* name_off 255: no such string */
	expect_built(&b, "name offset", "type id 1", "name offset 255 is past the string section");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_struct(&b, "s", false, 4, 1);
	bb_member(&b, "a", 99, 0);
	expect_built(&b, "member type", "type id 2 (STRUCT 's')", "member 0 ('a') refers to type id 99, past the last type id 2");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_type(&b, NULL, BTF_KIND_PTR, 1, false, i);
	expect_built(&b, "ptr vlen", "type id 2", "PTR with vlen 1 (must be 0)");

	bb_init(&b);
	bb_int(&b, "int", 3, 1);
	expect_built(&b, "int size", "type id 1", "INT of size 3");

	bb_init(&b);
	bb_type(&b, "int", BTF_KIND_INT, 0, false, 2);
	bb_u32(&b, 32);
	expect_built(&b, "int bits", "type id 1", "INT of 32 bits at bit 0 does not fit its 2 bytes");

	bb_init(&b);
	bb_type(&b, "x", BTF_KIND_INT, 0, false, 4);
	bb_u32(&b, 0x10000020);
	expect_built(&b, "int reserved", "type id 1", "reserved bits");

	bb_init(&b);
	bb_type(&b, NULL, BTF_KIND_PTR | 0x20, 0, false, 0);
	expect_built(&b, "info reserved", "type id 1", "reserved bits set in info");

	bb_init(&b);
	bb_typedef(&b, "a", 2);
	bb_type(&b, NULL, BTF_KIND_CONST, 0, false, 3);
	bb_typedef(&b, "b", 1);
	expect_built(&b, "modifier loop", "loop in a chain of modifiers, typedefs and pointers", "1 -> 2 -> 3 -> 1");

	bb_init(&b);
	bb_ptr(&b, 1);
	expect_built(&b, "pointer to itself", "type id 1", "loop in a chain");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	s = bb_struct(&b, "s", false, 8, 2);
	bb_member(&b, "a", i, 0);
	bb_member(&b, "self", 3, 32);
	bb_array(&b, 4, i, 1);
	bb_typedef(&b, "s_t", s);
	expect_built(&b, "struct in itself", "loop in types containing themselves", "2 -> 3 -> 4 -> 2");

	bb_init(&b);	/* a linked list: through a pointer, fine */
	i = bb_int(&b, "int", 4, 1);
	s = bb_struct(&b, "node", false, 16, 2);
	bb_member(&b, "v", i, 0);
	bb_member(&b, "next", 3, 64);
	bb_ptr(&b, 4);
	bb_typedef(&b, "node_t", s);
	expect_built(&b, "linked list", NULL, NULL);

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_func(&b, "f", i, 1);
	expect_built(&b, "func type", "type id 2 (FUNC 'f')", "type id 1 is not a FUNC_PROTO");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_type(&b, ".data", BTF_KIND_DATASEC, 1, false, 4);
	bb_u32(&b, i);
	bb_u32(&b, 0);
	bb_u32(&b, 4);
	expect_built(&b, "datasec entry", "DATASEC '.data'", "variable 0 is type id 1, a INT");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	t = bb_var(&b, "v", i, 1);
	bb_type(&b, ".data", BTF_KIND_DATASEC, 1, false, 4);
	bb_u32(&b, t);
	bb_u32(&b, 2);
	bb_u32(&b, 4);
	expect_built(&b, "datasec bounds", "DATASEC '.data'", "at 2+4 is past the section's 4 bytes");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	s = bb_struct(&b, "s", false, 4, 1);
	bb_member(&b, "a", i, 0);
	bb_type(&b, "tag", BTF_KIND_DECL_TAG, 0, false, s);
	bb_u32(&b, 1);
	expect_built(&b, "decl tag component", "DECL_TAG 'tag'", "component 1 of type id 2, which has 1");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	s = bb_struct(&b, "s", false, 4, 1);
	bb_member(&b, "a", i, 32);
	expect_built(&b, "member past end", "type id 2 (STRUCT 's')", "member 0 ('a') at bit 32, 4 bytes long, is past the end of 4 bytes");

	bb_init(&b);
	i = bb_int(&b, "long", 8, 1);
	s = bb_struct(&b, "s", false, 4, 1);
	bb_member(&b, "a", i, 0);
	expect_built(&b, "member too big", "type id 2 (STRUCT 's')", "8 bytes long, is past the end of 4 bytes");

	bb_init(&b);
	t = bb_type(&b, "fwd", BTF_KIND_FWD, 0, false, 0);
	s = bb_struct(&b, "s", false, 4, 1);
	bb_member(&b, "a", t, 0);
	expect_built(&b, "incomplete member", "member 0 ('a'): type id 1 (FWD) has no size", NULL);

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	p = bb_proto(&b, i, 2);
	bb_param(&b, "a", i);
	bb_param(&b, "rest", 0);
	expect_built(&b, "named varargs", "type id 2 (FUNC_PROTO", "variadic parameter 1 has a name");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_struct(&b, "u", true, 4, 1);
	bb_member(&b, "a", i, 8);
	expect_built(&b, "union offset", "type id 2", "UNION member 0 at bit offset 8");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_array(&b, 0, i, 4);
	expect_built(&b, "array of void", "type id 2 (ARRAY", "the element type is void");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_array(&b, i, i, 0x40000001);
	expect_built(&b, "array too large", "type id 2 (ARRAY", "too large");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_type(&b, "p", BTF_KIND_PTR, 0, false, i);
	expect_built(&b, "named pointer", "type id 2", "PTR may not have a name ('p')");

	bb_init(&b);
	bb_typedef(&b, NULL, 0);
	expect_built(&b, "anonymous typedef", "type id 1", "TYPEDEF without a name");

	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	c = bb_var(&b, "v", i, 1);
	bb_ptr(&b, c);
	expect_built(&b, "pointer to a VAR", "type id 3 (PTR", "refers to type id 2, a VAR");

	/* every kind, valid, in one BTF: accepted and exercised */
	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);				/* 1 */
	p = bb_ptr(&b, i);					/* 2 */
	bb_array(&b, i, i, 3);					/* 3 */
	s = bb_struct(&b, "s", false, 16, 3);			/* 4 */
	bb_member(&b, "a", i, 0);
	bb_member(&b, "p", p, 64);
	bb_member(&b, NULL, 5, 0);
	bb_struct(&b, NULL, true, 4, 1);			/* 5: anonymous union */
	bb_member(&b, "u", i, 0);
	bb_enum(&b, "e", 4, 2);					/* 6 */
	bb_enumval(&b, "E0", 0);
	bb_enumval(&b, "E1", -1);
	bb_type(&b, "fw", BTF_KIND_FWD, 0, true, 0);		/* 7: union fwd */
	bb_typedef(&b, "t", s);					/* 8 */
	bb_type(&b, NULL, BTF_KIND_VOLATILE, 0, false, i);	/* 9 */
	bb_type(&b, NULL, BTF_KIND_CONST, 0, false, 9);		/* 10 */
	bb_type(&b, NULL, BTF_KIND_RESTRICT, 0, false, p);	/* 11 */
	c = bb_proto(&b, i, 2);					/* 12 */
	bb_param(&b, "x", 10);
	bb_param(&b, NULL, 0);
	bb_func(&b, "f", c, 1);					/* 13 */
	t = bb_var(&b, "v", 8, 1);				/* 14 */
	bb_type(&b, ".data", BTF_KIND_DATASEC, 1, false, 16);	/* 15 */
	bb_u32(&b, t);
	bb_u32(&b, 0);
	bb_u32(&b, 16);
	bb_type(&b, "double", BTF_KIND_FLOAT, 0, false, 8);	/* 16 */
	bb_type(&b, "tag", BTF_KIND_DECL_TAG, 0, false, s);	/* 17 */
	bb_u32(&b, (uint32_t)-1);
	bb_type(&b, "user", BTF_KIND_TYPE_TAG, 0, false, i);	/* 18 */
	bb_type(&b, "e64", BTF_KIND_ENUM64, 1, true, 8);	/* 19 */
	bb_u32(&b, bb_str(&b, "BIG"));
	bb_u32(&b, 1);
	bb_u32(&b, 0x80000000);
	expect_built(&b, "every kind", NULL, NULL);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Parse a mutated blob; what parses must survive btf_exercise(). */
static void try_btf(const uint8_t *data, size_t size, const char *what)
{
	struct diag d;
	diag_clear(&d);
	struct btf *btf = btf_parse(data, size, NULL, &d);
	if (!btf) {
		CHECK(!strncmp(d.msg, WHAT ": ", strlen(WHAT) + 2), "%s: message '%s'", what, d.msg);
		return;
	}
	CHECK(!btf_exercise(btf, NULL), "%s: exercise", what);
	btf_free(btf);
}

static void try_ext(const struct btf *btf, const uint8_t *data, size_t size, const char *what)
{
	struct diag d;
	diag_clear(&d);
	struct btf_ext *ext = btf_ext_parse(data, size, btf, &d);
	if (!ext) {
		CHECK(!strncmp(d.msg, "section '.BTF.ext': ", 20), "%s: message '%s'", what, d.msg);
		return;
	}
	CHECK(!btf_exercise(btf, ext), "%s: exercise", what);
	btf_ext_free(ext);
}

static void test_mutations(const char *path)
{
	struct obj o;
	obj_load(path, &o);
	size_t size, ext_size;
	uint8_t *raw = elfobj_section(o.elf, ".BTF", &size);
	uint8_t *ext = elfobj_section(o.elf, ".BTF.ext", &ext_size);
	uint8_t *m = malloc(size > ext_size ? size : ext_size);
	char what[64];

	for (size_t n = 0; n < size; n++) {
		snprintf(what, sizeof(what), ".BTF cut to %zu bytes", n);
		struct diag d;
		diag_clear(&d);
		struct btf *btf = btf_parse(raw, n, NULL, &d);
		CHECK(!btf && !strncmp(d.msg, WHAT, strlen(WHAT)), "%s: '%s'", what, d.msg);
		btf_free(btf);
	}
	for (size_t n = 0; n < ext_size; n++) {
		snprintf(what, sizeof(what), ".BTF.ext cut to %zu bytes", n);
		try_ext(o.btf, ext, n, what);
	}
	/* every byte of the header and the first types, set to telling values */
	static const uint8_t vals[] = { 0, 1, 0x7f, 0x80, 0xff };
	for (size_t i = 0; i < 24 + 256 && i < size; i++)
		for (size_t v = 0; v < sizeof(vals); v++) {
			memcpy(m, raw, size);
			m[i] ^= vals[v] ? vals[v] : m[i];
			snprintf(what, sizeof(what), ".BTF byte %zu ^ 0x%x", i, vals[v]);
			try_btf(m, size, what);
		}
	for (size_t i = 0; i < ext_size; i++)
		for (size_t v = 0; v < sizeof(vals); v++) {
			memcpy(m, ext, ext_size);
			m[i] ^= vals[v] ? vals[v] : m[i];
			snprintf(what, sizeof(what), ".BTF.ext byte %zu ^ 0x%x", i, vals[v]);
			try_ext(o.btf, m, ext_size, what);
		}
	/* random: a few bytes anywhere */
	for (int it = 0; it < 3000; it++) {
		memcpy(m, raw, size);
		for (uint32_t k = rnd() % 4 + 1; k; k--)
			m[rnd() % size] = (uint8_t)rnd();
		snprintf(what, sizeof(what), ".BTF random mutation %d", it);
		try_btf(m, size, what);
	}
	for (int it = 0; it < 3000; it++) {
		memcpy(m, ext, ext_size);
		for (uint32_t k = rnd() % 3 + 1; k; k--)
			m[rnd() % ext_size] = (uint8_t)rnd();
		snprintf(what, sizeof(what), ".BTF.ext random mutation %d", it);
		try_ext(o.btf, m, ext_size, what);
	}
	free(m);
	free(raw);
	free(ext);
	obj_free(&o);
}

/* .BTF.ext rules, on a built BTF with one FUNC. */
static void test_ext_rules(void)
{
	struct bb b;
	bb_init(&b);
	uint32_t i = bb_int(&b, "int", 4, 1);
	uint32_t f = bb_func(&b, "f", bb_proto(&b, i, 0), 1);
	uint32_t sec = bb_str(&b, "xdp"), file = bb_str(&b, "a.c"), line = bb_str(&b, "return 0;");
	uint32_t acc = bb_str(&b, "0");
	size_t size;
	void *raw = bb_finish(&b, &size);
	struct btf *btf = btf_parse(raw, size, NULL, NULL);
	free(raw);
	bb_free(&b);
	CHECK(btf, "ext base");
	if (!btf)
		return;
	struct {
		struct btf_ext_header h;
		uint32_t func[1 + 2 + 2];		/* rec size, sec header, one record */
		uint32_t line[1 + 2 + 8];		/* rec size, sec header, two records */
		uint32_t core[1 + 2 + 4];
	} e, x;
	memset(&e, 0, sizeof(e));
	e.h = (struct btf_ext_header){ BTF_MAGIC, 1, 0, sizeof(e.h), 0, sizeof(e.func),
				       sizeof(e.func), sizeof(e.line), sizeof(e.func) + sizeof(e.line),
				       sizeof(e.core) };
	uint32_t fi[] = { 8, sec, 1, 0, f };
	uint32_t li[] = { 16, sec, 2, 0, file, line, 7 << 10 | 3, 16, file, line, 8 << 10 };
	uint32_t co[] = { 16, sec, 1, 8, i, acc, BTF_CORE_TYPE_EXISTS };
	memcpy(e.func, fi, sizeof(fi));
	memcpy(e.line, li, sizeof(li));
	memcpy(e.core, co, sizeof(co));
	struct diag d;
	diag_clear(&d);
	struct btf_ext *ext = btf_ext_parse(&e, sizeof(e), btf, &d);
	CHECK(ext, "valid ext: %s", d.msg);
	if (ext) {
		struct btf_line l;
		const struct btf_ext_sec *s = btf_ext_sec_by_name(ext, "xdp");
		CHECK(s && s->func_info_cnt == 1 && s->line_info_cnt == 2 && s->core_relo_cnt == 1, "counts");
		CHECK(!btf_ext_line_lookup(ext, "xdp", 1, &l) && l.line == 7 && l.col == 3 &&
		      !strcmp(l.file, "a.c") && !strcmp(l.text, "return 0;"), "insn 1: line %u", l.line);
		CHECK(!btf_ext_line_lookup(ext, "xdp", 100, &l) && l.line == 8, "insn 100: line %u", l.line);
		btf_ext_free(ext);
	}
#define EXT_CASE(stmt, want) do { \
		x = e; \
		stmt; \
		diag_clear(&d); \
		ext = btf_ext_parse(&x, sizeof(x), btf, &d); \
		CHECK(!ext && strstr(d.msg, want) && !strncmp(d.msg, "section '.BTF.ext': ", 20), \
		      "ext: '%s', expected '%s'", d.msg, want); \
		btf_ext_free(ext); \
	} while (0)
	EXT_CASE(x.h.magic = 1, "bad magic");
	EXT_CASE(x.h.hdr_len = 4, "header length 4");
	EXT_CASE(x.h.func_info_len = 1000, "func_info: 0+1000 runs past");
	EXT_CASE(x.h.line_info_off = 2, "line_info: offset 2 is not 4-byte aligned");
	EXT_CASE(x.func[0] = 4, "func_info: record size 4");
	EXT_CASE(x.func[0] = 10, "func_info: record size 10");
	EXT_CASE(x.func[1] = 9999, "func_info: section name offset 9999");
	EXT_CASE(x.func[2] = 0, "func_info: section 'xdp' has no records");
	EXT_CASE(x.func[2] = 5, "func_info: section 'xdp': 5 records of 8 bytes");
	EXT_CASE(x.func[4] = i, "type id 1 is not a FUNC");
	EXT_CASE(x.func[3] = 4, "insn_off 4 is not a multiple of 8");
	EXT_CASE(x.line[4] = 9999, "file or line string offset out of range");
	EXT_CASE(x.line[3] = 24, "record 1: insn 2 is before insn 3");
	EXT_CASE(x.core[6] = 13, "unknown relocation kind 13");
	EXT_CASE(x.core[4] = 99, "type id 99 is past the last type id");
	EXT_CASE(x.core[5] = 9999, "access string offset 9999");
	btf_free(btf);
}

/* Split BTF: ids and strings continue the base's. */
static void test_split(void)
{
	struct bb b;
	bb_init(&b);
	uint32_t i = bb_int(&b, "int", 4, 1);
	bb_struct(&b, "base_s", false, 4, 1);
	bb_member(&b, "a", i, 0);
	size_t size;
	void *raw = bb_finish(&b, &size);
	struct btf *base = btf_parse(raw, size, NULL, NULL);
	uint32_t base_strs = (uint32_t)b.slen;
	free(raw);
	bb_free(&b);

	/* split: its strings start after the base's; its ids at 3 */
	bb_init(&b);
	b.slen = 0;	/* no leading "": the base has it */
	uint32_t name = bb_str(&b, "mod_s") + base_strs;
	bb_type(&b, NULL, BTF_KIND_STRUCT, 2, false, 16);
	memcpy(b.types, &name, 4);
	bb_u32(&b, 1);	/* member "a" (a base string at offset 1+4..): reuse the base's "a" */
	bb_u32(&b, 2);
	bb_u32(&b, 0);
	bb_u32(&b, 0);
	bb_u32(&b, 4);	/* member 1: a pointer to type 4 (below) */
	bb_u32(&b, 64);
	bb_ptr(&b, 2);
	raw = bb_finish(&b, &size);
	struct diag d;
	diag_clear(&d);
	/* "a" in the base: "\0int\0base_s\0a\0" -> offset 12 */
	uint32_t a_off = 12;
	memcpy((uint8_t *)raw + sizeof(struct btf_header), &name, 4);
	memcpy((uint8_t *)raw + sizeof(struct btf_header) + 12, &a_off, 4);
	struct btf *split = btf_parse_split(raw, size, base, "split", &d);
	CHECK(split, "split BTF: %s", d.msg);
	if (split) {
		CHECK(btf_start_id(split) == 3 && btf_type_cnt(split) == 5, "split ids %u..%u",
		      btf_start_id(split), btf_type_cnt(split));
		CHECK(!strcmp(btf_name(split, 3), "mod_s") && !strcmp(btf_name(split, 2), "base_s"), "names");
		CHECK(btf_find_by_name_kind(split, "base_s", BTF_KIND_STRUCT) == 2 &&
		      btf_find_by_name_kind(split, "mod_s", BTF_KIND_STRUCT) == 3, "find in base and split");
		struct btf_member_info mi;
		CHECK(!btf_member_by_name(split, 3, "a", &mi) && mi.type_id == 2, "member from base string");
		CHECK(btf_resolve_size(split, 3) == 16, "size");
		CHECK(!btf_exercise(split, NULL), "split: exercise");
		btf_free(split);
	}
	/* a reference past the split's end */
	uint32_t bad = 9;
	memcpy((uint8_t *)raw + sizeof(struct btf_header) + 16, &bad, 4);
	diag_clear(&d);
	split = btf_parse_split(raw, size, base, "split", &d);
	CHECK(!split && strstr(d.msg, "split: type id 3") && strstr(d.msg, "type id 9"), "split: '%s'", d.msg);
	btf_free(split);
	free(raw);
	bb_free(&b);
	btf_free(base);
}

/* Cycles the validator lets through (C cannot write them): the C dumper stops. */
static void test_cdump_cycles(void)
{
	struct bb b;
	struct diag d;
	FILE *out = fopen("/dev/null", "w");
	/* a function pointer type taking a pointer to itself */
	bb_init(&b);
	uint32_t i = bb_int(&b, "int", 4, 1);
	bb_proto(&b, i, 1);		/* 2 */
	bb_param(&b, "f", 3);
	bb_ptr(&b, 2);			/* 3 */
	bb_typedef(&b, "fn_t", 3);	/* 4 */
	size_t size;
	void *raw = bb_finish(&b, &size);
	struct btf *btf = btf_parse(raw, size, NULL, &d);
	CHECK(btf, "proto cycle accepted (Linux accepts it)");
	diag_clear(&d);
	CHECK(btf && btf_dump_c(btf, out, 0, &d) == -ELOOP && strstr(d.msg, "cannot express"),
	      "proto cycle: '%s'", d.msg);
	btf_free(btf);
	free(raw);
	bb_free(&b);
	/* an anonymous struct pointing to itself */
	bb_init(&b);
	i = bb_int(&b, "int", 4, 1);
	bb_struct(&b, NULL, false, 8, 1);	/* 2 */
	bb_member(&b, "self", 3, 0);
	bb_ptr(&b, 2);				/* 3 */
	bb_typedef(&b, "anon_t", 2);		/* 4 */
	raw = bb_finish(&b, &size);
	btf = btf_parse(raw, size, NULL, &d);
	diag_clear(&d);
	CHECK(btf && btf_dump_c(btf, out, 0, &d) == -ELOOP && strstr(d.msg, "type id 2"),
	      "anonymous struct cycle: '%s'", d.msg);
	btf_free(btf);
	free(raw);
	bb_free(&b);
	fclose(out);
}

static void test_vmlinux(const char *path)
{
	struct timespec t0, t1;
	struct diag d;
	size_t size;
	void *raw = read_file(path, &size);
	if (!raw) {
		printf("skip: %s not readable\n", path);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct btf *btf = btf_parse(raw, size, path, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(btf, "%s: %s", path, d.msg);
	printf("%s: %u types parsed in %.1f ms\n", path, btf ? btf_type_cnt(btf) : 0, ms);
	/* generous: ~40 ms optimized, a few hundred under the sanitizers */
	CHECK(ms < 3000, "parsing %s took %.0f ms", path, ms);
	if (btf) {
		int32_t t = btf_find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
		struct btf_member_info mi;
		CHECK(t > 0 && !btf_member_by_name(btf, (uint32_t)t, "pid", &mi), "task_struct.pid");
		CHECK(btf_find_by_name_kind(btf, "no_such_type_anywhere", -1) == -ENOENT, "missing name");
	}
	/* from the file directly; a missing file named in the message */
	diag_clear(&d);
	struct btf *f = btf_parse_file(path, NULL, &d);
	CHECK(f && btf && btf_type_cnt(f) == btf_type_cnt(btf), "btf_parse_file(%s): %s", path, d.msg);
	btf_free(f);
	diag_clear(&d);
	CHECK(!btf_parse_file("/nonexistent/vmlinux", NULL, &d) && errno == ENOENT &&
	      strstr(d.msg, "/nonexistent/vmlinux: "), "missing file: '%s'", d.msg);
	/* a few mutations of a large BTF */
	uint8_t *m = malloc(size);
	for (int it = 0; it < 20 && btf; it++) {
		memcpy(m, raw, size);
		m[24 + rnd() % (size - 24)] ^= (uint8_t)(rnd() | 1);
		diag_clear(&d);
		struct btf *mb = btf_parse(m, size, path, &d);
		CHECK(mb || !strncmp(d.msg, path, strlen(path)), "vmlinux mutation: '%s'", d.msg);
		btf_free(mb);
	}
	free(m);
	btf_free(btf);
	free(raw);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_btf_parse OBJECT.bpf.o [vmlinux]\n");
		return 2;
	}
	test_header();
	test_types();
	test_ext_rules();
	test_split();
	test_cdump_cycles();
	for (int i = 1; i < argc; i++) {
		if (strstr(argv[i], ".o"))
			test_mutations(argv[i]);
		else
			test_vmlinux(argv[i]);
	}
	return test_done("test_btf_parse");
}
