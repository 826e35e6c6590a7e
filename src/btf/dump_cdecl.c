/* SPDX-License-Identifier: MIT */
/*
 * dump_cdecl.c - writing C declarations of BTF types: struct, union and enum
 * bodies (with the padding that reproduces BTF's offsets), typedefs, and
 * declarators, C's inside-out syntax for pointers, arrays and functions.
 *
 * A declarator is printed from a chain of types pushed outermost first
 * (for "int *a[10]": ARRAY, PTR, INT) and popped innermost first: the base
 * type, then pointers, and arrays/functions wrap what remains in
 * parentheses. The chains of nested declarations (a function pointer's
 * parameters) share one stack, each using the part above its start.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cdump.h"

static const char *pfx(int lvl)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	size_t n = (size_t)lvl < sizeof(tabs) - 1 ? (size_t)lvl : sizeof(tabs) - 1;
	return tabs + sizeof(tabs) - 1 - n;
}

static const struct btf_type *type(struct cdump *c, uint32_t id)
{
	return btf_type_by_id(c->btf, id);
}

static const char *str(struct cdump *c, uint32_t off)
{
	const char *s = btf_str(c->btf, off);
	return s ? s : "";
}

void cd_emit_struct_fwd(struct cdump *c, uint32_t id)
{
	const struct btf_type *t = type(c, id);
	fprintf(c->out, "%s%s%s", btf_kind(t) == BTF_KIND_STRUCT ? "struct" : "union",
		t->name_off ? " " : "", cd_type_name(c, id));
}

void cd_emit_fwd_def(struct cdump *c, uint32_t id)
{
	fprintf(c->out, "%s %s", btf_kflag(type(c, id)) ? "union" : "struct", cd_type_name(c, id));
}

void cd_emit_typedef_def(struct cdump *c, uint32_t id, int lvl)
{
	const struct btf_type *t = type(c, id);
	const char *name = cd_ident_name(c, id);
	/* old GCC typed __gnuc_va_list as void; only the builtin compiles */
	if (!t->type && !strcmp(name, "__gnuc_va_list")) {
		fputs("typedef __builtin_va_list __gnuc_va_list", c->out);
		return;
	}
	fputs("typedef ", c->out);
	cd_emit_type_decl(c, t->type, name, lvl);
}

/*
 * btf_align_of(), remembered per struct: the dump asks for every member of
 * every struct, and nested structs would be walked again each time.
 */
static uint32_t align(struct cdump *c, uint32_t id)
{
	const struct btf_type *t = type(c, id);
	for (int i = 0; t && (btf_is_mod(t) || btf_kind(t) == BTF_KIND_TYPEDEF ||
			      btf_kind(t) == BTF_KIND_ARRAY) && i < 64; i++) {
		id = btf_kind(t) == BTF_KIND_ARRAY ? btf_array(t)->type : t->type;
		t = type(c, id);
	}
	if (!t || !btf_is_composite(t))
		return t ? btf_align_of(c->btf, id) : 0;
	if (c->align[id] || !cd_enter(c, id))
		return c->align[id];
	uint32_t max = 1, res = 0;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		uint32_t a = align(c, btf_members(t)[i].type);
		if (!a)
			goto out;
		max = a > max ? a : max;
		/* a misaligned member means the struct was packed */
		if (!btf_member_bitfield_size(t, i) && btf_member_bit_offset(t, i) % (8 * a)) {
			res = 1;
			goto out;
		}
	}
	res = t->size % max ? 1 : max;
out:
	cd_leave(c);
	c->align[id] = res;
	return res;
}

static bool struct_packed(struct cdump *c, const struct btf_type *t)
{
	uint32_t max = 1;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		uint32_t a = align(c, btf_members(t)[i].type);
		if (a && !btf_member_bitfield_size(t, i) && btf_member_bit_offset(t, i) % (8 * a))
			return true;
		if (a > max)
			max = a;
	}
	return t->size % max != 0;
}

static uint32_t roundup(uint32_t v, uint32_t to)
{
	return (uint32_t)(((uint64_t)v + to - 1) / to * to);
}

#define BIG_GAP_BITS (65536 * 8)

/*
 * Fill bits [cur, next) with unnamed bitfields ("long: 64;"), leaning on C's
 * natural alignment where it already lands on next (libbpf's algorithm).
 */
static void emit_padding(struct cdump *c, uint32_t cur, uint32_t next, uint32_t next_align,
			 bool in_bitfield, int lvl)
{
	static const struct { const char *name; uint32_t bits; } pads[] = {
		{ "long", 64 }, { "int", 32 }, { "short", 16 }, { "char", 8 },
	};
	if (cur >= next)
		return;
	/*
	 * libbpf prints one "long: 64;" per 8 bytes; past 64 KiB (a hostile
	 * size, not a real layout) a char array keeps the output small.
	 */
	if (next - cur > BIG_GAP_BITS) {
		uint32_t from = roundup(cur, 8), to = next / 8 * 8;
		emit_padding(c, cur, from, 1, in_bitfield, lvl);
		fprintf(c->out, "\n%schar __pad_at_%u[%u];", pfx(lvl), from / 8, (to - from) / 8);
		cur = to;
		in_bitfield = false;
		if (cur == next)
			return;
	}
	/* the largest type whose alignment boundary after cur is not past next */
	size_t p = 0;
	uint32_t new_off = 0;
	for (p = 0; p < 4; p++) {
		new_off = roundup(cur, pads[p].bits);
		if (new_off <= next)
			break;
	}
	if (p == 4)
		p = 3;
	if (new_off > cur && new_off <= next) {
		/* an explicit ": 0" when the compiler would not align there by itself */
		if (in_bitfield || (new_off == next && roundup(cur, next_align * 8) != new_off) ||
		    (new_off != next && next - new_off <= new_off - cur))
			fprintf(c->out, "\n%s%s: %u;", pfx(lvl), pads[p].name, in_bitfield ? new_off - cur : 0);
		cur = new_off;
	}
	while (cur != next) {
		uint32_t bits = next - cur < pads[p].bits ? next - cur : pads[p].bits;
		if (bits == pads[p].bits) {
			fprintf(c->out, "\n%s%s: %u;", pfx(lvl), pads[p].name, bits);
			cur += bits;
			continue;
		}
		/* the remainder: the smallest type that holds it */
		for (size_t q = 4; q-- > 0;)
			if (pads[q].bits >= bits) {
				fprintf(c->out, "\n%s%s: %u;", pfx(lvl), pads[q].name, bits);
				cur += bits;
				break;
			}
	}
}

void cd_emit_struct_def(struct cdump *c, uint32_t id, int lvl)
{
	const struct btf_type *t = type(c, id);
	bool is_struct = btf_kind(t) == BTF_KIND_STRUCT;
	bool packed = is_struct && struct_packed(c, t), prev_bitfield = false;
	uint32_t off = 0;
	if (!cd_enter(c, id))
		return;
	fprintf(c->out, "%s%s%s {", is_struct ? "struct" : "union", t->name_off ? " " : "",
		cd_type_name(c, id));
	for (unsigned i = 0; i < btf_vlen(t) && !c->err; i++) {
		const struct btf_member *m = &btf_members(t)[i];
		uint32_t bits = btf_member_bitfield_size(t, i), m_off = btf_member_bit_offset(t, i);
		uint32_t a = packed ? 1 : align(c, m->type);
		emit_padding(c, off, m_off, a ? a : 1, prev_bitfield && bits, lvl + 1);
		fprintf(c->out, "\n%s", pfx(lvl + 1));
		cd_emit_type_decl(c, m->type, str(c, m->name_off), lvl + 1);
		if (bits) {
			fprintf(c->out, ": %u", bits);
			off = m_off + bits;
			prev_bitfield = true;
		} else {
			int64_t sz = btf_resolve_size(c->btf, m->type);
			off = m_off + (uint32_t)(sz > 0 ? sz : 0) * 8;
			prev_bitfield = false;
		}
		fputc(';', c->out);
	}
	if (is_struct) {
		uint32_t a = align(c, id);
		emit_padding(c, off, t->size * 8, a ? a : 1, false, lvl + 1);
	}
	/* "struct empty {}" stays on one line */
	if (btf_vlen(t) || t->size)
		fprintf(c->out, "\n%s}", pfx(lvl));
	else
		fputc('}', c->out);
	if (packed)
		fputs(" __attribute__((packed))", c->out);
	cd_leave(c);
}

void cd_emit_enum_def(struct cdump *c, uint32_t id, int lvl)
{
	const struct btf_type *t = type(c, id);
	bool sign = btf_kflag(t), is64 = btf_kind(t) == BTF_KIND_ENUM64;
	fprintf(c->out, "enum%s%s", t->name_off ? " " : "", cd_type_name(c, id));
	if (!btf_vlen(t))
		return;
	fputs(" {", c->out);
	bool fits_int = true, fits_uint = true;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		uint32_t name_off = is64 ? btf_enums64(t)[i].name_off : btf_enums(t)[i].name_off;
		const char *name = str(c, name_off);
		/* enumerators share the namespace of typedefs */
		uint32_t dups = cd_name_dups(c, &c->idents, name);
		fprintf(c->out, "\n%s%s", pfx(lvl + 1), name);
		if (dups > 1)
			fprintf(c->out, "___%u", dups);
		if (is64) {
			uint64_t v = btf_enum64_value(&btf_enums64(t)[i]);
			int64_t sv = (int64_t)v;
			fits_int = fits_int && (sign ? sv >= INT32_MIN && sv <= INT32_MAX : v <= INT32_MAX);
			fits_uint = fits_uint && (sign ? sv >= 0 && sv <= UINT32_MAX : v <= UINT32_MAX);
			if (sign)
				fprintf(c->out, " = %lldLL,", (long long)v);
			else
				fprintf(c->out, " = %lluULL,", (unsigned long long)v);
		} else if (sign) {
			fprintf(c->out, " = %d,", btf_enums(t)[i].val);
		} else {
			fprintf(c->out, " = %u,", (uint32_t)btf_enums(t)[i].val);
		}
	}
	fprintf(c->out, "\n%s}", pfx(lvl));
	/*
	 * Sizes C would not pick from the values: C makes an enum an int
	 * (or unsigned int) when its values fit, else 64 bits.
	 */
	if (t->size == 1)
		fputs(" __attribute__((mode(byte)))", c->out);
	else if (t->size == 2)
		fputs(" __attribute__((mode(HI)))", c->out);
	else if (t->size == 8 && (fits_int || fits_uint))
		fputs(" __attribute__((mode(word)))", c->out);
}

/* ---- declarators ---- */

static void push(struct cdump *c, uint32_t id)
{
	if (c->dlen == c->dcap) {
		size_t cap = c->dcap ? c->dcap * 2 : 64;
		uint32_t *p = realloc(c->decl, cap * sizeof(*p));
		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		c->decl = p;
		c->dcap = cap;
	}
	c->decl[c->dlen++] = id;
}

/*
 * A part of the shared stack: c->decl[base .. base + cnt), top last. By index,
 * not pointer: nested declarations push above it and may move the stack.
 */
struct chain {
	size_t base, cnt;
};

static uint32_t top(struct cdump *c, const struct chain *ch)
{
	return c->decl[ch->base + ch->cnt - 1];
}

/* Qualifiers right before a base type print before it: "const int". */
static void emit_mods(struct cdump *c, struct chain *ch)
{
	while (ch->cnt) {
		unsigned k = btf_kind(type(c, top(c, ch)));
		if (k == BTF_KIND_VOLATILE)
			fputs("volatile ", c->out);
		else if (k == BTF_KIND_CONST)
			fputs("const ", c->out);
		else if (k == BTF_KIND_RESTRICT)
			fputs("restrict ", c->out);
		else
			return;
		ch->cnt--;
	}
}

/* Qualifiers on arrays and functions mean nothing in C (GCC emits some): dropped. */
static void drop_mods(struct cdump *c, struct chain *ch)
{
	while (ch->cnt && btf_is_mod(type(c, top(c, ch))))
		ch->cnt--;
}

static void emit_name(struct cdump *c, const char *name, bool last_was_ptr)
{
	fprintf(c->out, "%s%s", *name && !last_was_ptr ? " " : "", name);
}

static void emit_chain(struct cdump *c, struct chain *ch, const char *fname, int lvl)
{
	/* no space between "*"s, nor before the name after one: "int **p" */
	bool last_was_ptr = true;
	while (ch->cnt && !c->err) {
		uint32_t id = top(c, ch);
		ch->cnt--;
		if (!id) {
			emit_mods(c, ch);
			fputs("void", c->out);
			last_was_ptr = false;
			continue;
		}
		const struct btf_type *t = type(c, id);
		unsigned kind = btf_kind(t);
		switch (kind) {
		case BTF_KIND_INT: case BTF_KIND_FLOAT:
			emit_mods(c, ch);
			fputs(str(c, t->name_off), c->out);
			break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			emit_mods(c, ch);
			if (!t->name_off)	/* anonymous: defined right here */
				cd_emit_struct_def(c, id, lvl);
			else
				cd_emit_struct_fwd(c, id);
			break;
		case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
			emit_mods(c, ch);
			if (!t->name_off)
				cd_emit_enum_def(c, id, lvl);
			else
				fprintf(c->out, "enum %s", cd_type_name(c, id));
			break;
		case BTF_KIND_FWD:
			emit_mods(c, ch);
			cd_emit_fwd_def(c, id);
			break;
		case BTF_KIND_TYPEDEF:
			emit_mods(c, ch);
			fputs(cd_ident_name(c, id), c->out);
			break;
		case BTF_KIND_PTR:
			fputs(last_was_ptr ? "*" : " *", c->out);
			break;
		case BTF_KIND_VOLATILE:
			fputs(" volatile", c->out);
			break;
		case BTF_KIND_CONST:
			fputs(" const", c->out);
			break;
		case BTF_KIND_RESTRICT:
			fputs(" restrict", c->out);
			break;
		case BTF_KIND_TYPE_TAG:
			emit_mods(c, ch);
			/* kind_flag: a plain attribute (Linux >= 6.14), else a btf_type_tag */
			if (btf_kflag(t))
				fprintf(c->out, " __attribute__((%s))", str(c, t->name_off));
			else
				fprintf(c->out, " __attribute__((btf_type_tag(\"%s\")))", str(c, t->name_off));
			break;
		case BTF_KIND_ARRAY: {
			const struct btf_array *a = btf_array(t);
			drop_mods(c, ch);
			if (!ch->cnt) {
				emit_name(c, fname, last_was_ptr);
				fprintf(c->out, "[%u]", a->nelems);
				return;
			}
			/* "int (*p)[4]", but "int m[2][3]" without parentheses */
			bool multidim = btf_kind(type(c, top(c, ch))) == BTF_KIND_ARRAY;
			if (*fname && !last_was_ptr)
				fputc(' ', c->out);
			if (!multidim)
				fputc('(', c->out);
			emit_chain(c, ch, fname, lvl);
			if (!multidim)
				fputc(')', c->out);
			fprintf(c->out, "[%u]", a->nelems);
			return;
		}
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *p = btf_params(t);
			unsigned vlen = btf_vlen(t);
			drop_mods(c, ch);
			if (ch->cnt) {
				fputs(" (", c->out);
				emit_chain(c, ch, fname, lvl);
				fputc(')', c->out);
			} else {
				emit_name(c, fname, last_was_ptr);
			}
			/* clang writes f(void) as one void parameter */
			if (!vlen || (vlen == 1 && !p[0].type)) {
				fputs("(void)", c->out);
				return;
			}
			fputc('(', c->out);
			for (unsigned i = 0; i < vlen && !c->err; i++) {
				if (i)
					fputs(", ", c->out);
				if (i == vlen - 1 && !p[i].type) {
					fputs("...", c->out);
					break;
				}
				cd_emit_type_decl(c, p[i].type, str(c, p[i].name_off), lvl);
			}
			fputc(')', c->out);
			return;
		}
		default:
			return;
		}
		last_was_ptr = kind == BTF_KIND_PTR;
	}
	emit_name(c, fname, last_was_ptr);
}

void cd_emit_type_decl(struct cdump *c, uint32_t id, const char *fname, int lvl)
{
	if (!cd_enter(c, id))
		return;
	size_t start = c->dlen;
	/* push from the declared type inward, to the base type */
	for (;;) {
		push(c, id);
		if (!id || c->err)
			break;
		const struct btf_type *t = type(c, id);
		unsigned k = btf_kind(t);
		if (k == BTF_KIND_PTR || btf_is_mod(t) || k == BTF_KIND_FUNC_PROTO)
			id = t->type;
		else if (k == BTF_KIND_ARRAY)
			id = btf_array(t)->type;
		else
			break;
		if (c->dlen - start > 4096) {	/* a pointer/proto cycle */
			btf_fail(c->btf, id, c->d, "C dump: declarator chain too long (a cycle C cannot express)");
			c->err = -ELOOP;
			break;
		}
	}
	if (!c->err) {
		struct chain ch = { start, c->dlen - start };
		emit_chain(c, &ch, fname, lvl);
	}
	c->dlen = start;
	cd_leave(c);
}
