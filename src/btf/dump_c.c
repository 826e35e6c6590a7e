/* SPDX-License-Identifier: MIT */
/*
 * dump_c.c - BTF as a C header, like `bpftool btf dump file X format c`:
 * which types to print, in which order, under which names.
 *
 * For each type id in turn, order() lists what must be printed before it can
 * be (its "strong" dependencies: what it holds by value), then emit() prints
 * that list, adding forward declarations for types only reached through
 * pointers. See cdump.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cdump.h"

/* Deep enough for any real BTF; hostile BTF (function prototypes taking
 * pointers to themselves, which C cannot write) stops here, not on the stack. */
#define MAX_NESTING 512

bool cd_enter(struct cdump *c, uint32_t id)
{
	if (c->err)
		return false;
	if (++c->work > c->budget) {
		btf_fail(c->btf, id, c->d, "C dump: anonymous types expand past %llu steps",
			 (unsigned long long)c->budget);
		c->err = -E2BIG;
		return false;
	}
	if (++c->depth > MAX_NESTING) {
		c->depth--;
		btf_fail(c->btf, id, c->d, "C dump: types nest more than %d deep (a cycle C cannot express)",
			 MAX_NESTING);
		c->err = -ELOOP;
		return false;
	}
	return true;
}

uint32_t cd_name_dups(struct cdump *c, struct namecount *map, const char *name)
{
	if (map->n * 2 >= map->cap) {
		uint32_t cap = map->cap ? map->cap * 2 : 1024;
		const char **keys = calloc(cap, sizeof(*keys));
		uint32_t *counts = calloc(cap, sizeof(*counts));
		if (!keys || !counts) {
			free(keys);
			free(counts);
			c->err = -ENOMEM;
			return 1;
		}
		for (uint32_t i = 0; i < map->cap; i++) {
			if (!map->keys[i])
				continue;
			uint32_t h = btf_name_hash(map->keys[i], strlen(map->keys[i])) & (cap - 1);
			while (keys[h])
				h = (h + 1) & (cap - 1);
			keys[h] = map->keys[i];
			counts[h] = map->counts[i];
		}
		free(map->keys);
		free(map->counts);
		map->keys = keys;
		map->counts = counts;
		map->cap = cap;
	}
	uint32_t h = btf_name_hash(name, strlen(name)) & (map->cap - 1);
	while (map->keys[h] && strcmp(map->keys[h], name))
		h = (h + 1) & (map->cap - 1);
	if (!map->keys[h]) {
		map->keys[h] = name;
		map->n++;
	}
	return ++map->counts[h];
}

/* The n-th distinct type to claim a name prints as "name___n" (libbpf's rule). */
static const char *resolve_name(struct cdump *c, uint32_t id, struct namecount *map)
{
	const struct btf_type *t = btf_type_by_id(c->btf, id);
	const char *name = btf_str(c->btf, t->name_off);
	if (!t->name_off)
		return "";
	if (c->st[id].name_resolved)
		return c->names[id] ? c->names[id] : name;
	c->st[id].name_resolved = true;
	/* forward declarations and empty enums never define anything */
	if (btf_kind(t) == BTF_KIND_FWD || (btf_kind(t) == BTF_KIND_ENUM && !btf_vlen(t)))
		return name;
	uint32_t dups = cd_name_dups(c, map, name);
	if (dups > 1) {
		size_t len = strlen(name) + 16;
		c->names[id] = malloc(len);
		if (!c->names[id]) {
			c->err = -ENOMEM;
			return name;
		}
		snprintf(c->names[id], len, "%s___%u", name, dups);
	}
	return c->names[id] ? c->names[id] : name;
}

const char *cd_type_name(struct cdump *c, uint32_t id)
{
	return resolve_name(c, id, &c->tags);
}

const char *cd_ident_name(struct cdump *c, uint32_t id)
{
	return resolve_name(c, id, &c->idents);
}

static void mark_referenced(struct cdump *c)
{
	for (uint32_t id = 1; id < btf_type_cnt(c->btf); id++) {
		const struct btf_type *t = btf_type_by_id(c->btf, id);
		switch (btf_kind(t)) {
		case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF: case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			c->st[t->type].referenced = true;
			break;
		case BTF_KIND_ARRAY:
			c->st[btf_array(t)->index_type].referenced = true;
			c->st[btf_array(t)->type].referenced = true;
			break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			for (unsigned i = 0; i < btf_vlen(t); i++)
				c->st[btf_members(t)[i].type].referenced = true;
			break;
		case BTF_KIND_FUNC_PROTO:
			/* the return type too (libbpf does not): an anonymous enum
			 * returned is printed inline, so it must not print at top level */
			c->st[t->type].referenced = true;
			for (unsigned i = 0; i < btf_vlen(t); i++)
				c->st[btf_params(t)[i].type].referenced = true;
			break;
		case BTF_KIND_DATASEC:
			for (unsigned i = 0; i < btf_vlen(t); i++)
				c->st[btf_secinfos(t)[i].type].referenced = true;
			break;
		default:
			break;
		}
	}
}

static int enqueue(struct cdump *c, uint32_t id)
{
	if (c->qlen == c->qcap) {
		size_t cap = c->qcap ? c->qcap * 2 : 64;
		uint32_t *q = realloc(c->queue, cap * sizeof(*q));
		if (!q)
			return c->err = -ENOMEM;
		c->queue = q;
		c->qcap = cap;
	}
	c->queue[c->qlen++] = id;
	return 0;
}

/*
 * List in c->queue, in dependency order, the named types id needs printed
 * before itself. Returns 1 if id is a "strong" (by-value) dependency that
 * is now ordered, 0 if a forward declaration will do, <0 on a cycle C
 * cannot express.
 */
static int order(struct cdump *c, uint32_t id, bool through_ptr)
{
	struct tstate *s = &c->st[id];
	const struct btf_type *t = btf_type_by_id(c->btf, id);
	int err = 0;
	if (s->order == ORDERED)
		return 1;
	if (s->order == ORDERING) {
		/* a loop through a pointer to a named struct: a forward declaration breaks it */
		if (btf_is_composite(t) && through_ptr && t->name_off)
			return 0;
		btf_fail(c->btf, id, c->d, "C dump: the type contains itself in a way C cannot express");
		return c->err = -ELOOP;
	}
	if (!cd_enter(c, id))
		return c->err;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: case BTF_KIND_FLOAT:
		s->order = ORDERED;
		break;
	case BTF_KIND_PTR:
		err = order(c, t->type, true);
		s->order = ORDERED;
		break;
	case BTF_KIND_ARRAY:
		err = order(c, btf_array(t)->type, false);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		/* a named struct behind a pointer needs only "struct x;" */
		if (through_ptr && t->name_off)
			break;
		s->order = ORDERING;
		for (unsigned i = 0; i < btf_vlen(t) && err >= 0; i++)
			err = order(c, btf_members(t)[i].type, false);
		if (err >= 0 && t->name_off)
			err = enqueue(c, id);
		s->order = ORDERED;
		err = err < 0 ? err : 1;
		break;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FWD:
		/* anonymous enums used somewhere are printed inline there */
		if (t->name_off || !s->referenced)
			err = enqueue(c, id);
		s->order = ORDERED;
		err = err < 0 ? err : 1;
		break;
	case BTF_KIND_TYPEDEF: {
		int strong = order(c, t->type, through_ptr);
		if (strong < 0 || (through_ptr && !strong)) {
			err = strong;
			break;
		}
		err = enqueue(c, id);
		s->order = ORDERED;
		err = err < 0 ? err : 1;
		break;
	}
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		err = order(c, t->type, through_ptr);
		break;
	case BTF_KIND_FUNC_PROTO: {
		bool strong = false;
		err = order(c, t->type, through_ptr);
		strong = err > 0;
		for (unsigned i = 0; i < btf_vlen(t) && err >= 0; i++) {
			err = order(c, btf_params(t)[i].type, through_ptr);
			strong = strong || err > 0;
		}
		err = err < 0 ? err : strong;
		break;
	}
	default:	/* FUNC, VAR, DATASEC, DECL_TAG: not printed as types */
		s->order = ORDERED;
		break;
	}
	cd_leave(c);
	return c->err ? c->err : err;
}

/* libbpf never prints a typedef of this compiler builtin. */
static bool skipped(struct cdump *c, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(c->btf, id);
	return t->name_off && !strcmp(btf_str(c->btf, t->name_off), "__builtin_va_list");
}

static void emit_typedef(struct cdump *c, uint32_t id)
{
	if (skipped(c, id))
		return;
	cd_emit_typedef_def(c, id, 0);
	fputs(";\n\n", c->out);
}

/*
 * Print id if it is a top-level definition (cont_id 0), or what it needs
 * when it is used inside the struct cont_id; structs being printed get a
 * forward declaration if something inside refers back to them.
 */
static void emit(struct cdump *c, uint32_t id, uint32_t cont_id)
{
	struct tstate *s = &c->st[id];
	const struct btf_type *t = btf_type_by_id(c->btf, id);
	bool top = cont_id == 0;
	if (s->emit == EMITTED || c->err)
		return;
	if (s->emit == EMITTING) {
		if (s->fwd_emitted)
			return;
		if (btf_is_composite(t)) {
			/* a struct referring to itself needs nothing */
			if (id == cont_id || !t->name_off)
				return;
			cd_emit_struct_fwd(c, id);
			fputs(";\n\n", c->out);
			s->fwd_emitted = true;
		} else if (btf_kind(t) == BTF_KIND_TYPEDEF) {
			/* usable through pointers from here on */
			emit_typedef(c, id);
			s->fwd_emitted = true;
		}
		return;
	}
	if (!cd_enter(c, id))
		return;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: case BTF_KIND_FLOAT:
		s->emit = EMITTED;
		break;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		if (top) {
			cd_emit_enum_def(c, id, 0);
			fputs(";\n\n", c->out);
		}
		s->emit = EMITTED;
		break;
	case BTF_KIND_PTR: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		emit(c, t->type, cont_id);
		break;
	case BTF_KIND_ARRAY:
		emit(c, btf_array(t)->type, cont_id);
		break;
	case BTF_KIND_FWD:
		cd_emit_fwd_def(c, id);
		fputs(";\n\n", c->out);
		s->emit = EMITTED;
		break;
	case BTF_KIND_TYPEDEF:
		s->emit = EMITTING;
		emit(c, t->type, id);
		if (!s->fwd_emitted)
			emit_typedef(c, id);
		s->emit = EMITTED;
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		s->emit = EMITTING;
		/* members of what is printed in full need their own declarations first */
		if (top || !t->name_off) {
			uint32_t inner = t->name_off ? id : cont_id;
			for (unsigned i = 0; i < btf_vlen(t); i++)
				emit(c, btf_members(t)[i].type, inner);
		} else if (!s->fwd_emitted && id != cont_id) {
			cd_emit_struct_fwd(c, id);
			fputs(";\n\n", c->out);
			s->fwd_emitted = true;
		}
		if (top) {
			cd_emit_struct_def(c, id, 0);
			fputs(";\n\n", c->out);
			s->emit = EMITTED;
		} else {
			s->emit = NOT_EMITTED;
		}
		break;
	case BTF_KIND_FUNC_PROTO:
		emit(c, t->type, cont_id);
		for (unsigned i = 0; i < btf_vlen(t); i++)
			emit(c, btf_params(t)[i].type, cont_id);
		break;
	default:
		break;
	}
	cd_leave(c);
}

static void dump_type(struct cdump *c, uint32_t id)
{
	c->qlen = 0;
	if (order(c, id, false) < 0)
		return;
	for (size_t i = 0; i < c->qlen && !c->err; i++)
		emit(c, c->queue[i], 0);
}

/* A FUNC as a prototype: "static int f(struct x *p);". */
static void emit_func(struct cdump *c, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(c->btf, id);
	dump_type(c, t->type);
	if (c->err)
		return;
	static const char *const linkage[] = { "static ", "", "extern " };
	fputs(linkage[btf_vlen(t)], c->out);
	cd_emit_type_decl(c, t->type, cd_ident_name(c, id), 0);
	/* a static function declared but not defined here is not a mistake */
	fputs(btf_vlen(t) == BTF_FUNC_STATIC ? " __attribute__((unused));\n\n" : ";\n\n", c->out);
}

int btf_dump_c(const struct btf *btf, FILE *out, unsigned flags, struct diag *d)
{
	struct cdump c = { .btf = btf, .out = out, .d = d };
	uint32_t n = btf_type_cnt(btf);
	c.st = calloc(n, sizeof(*c.st));
	c.names = calloc(n, sizeof(*c.names));
	c.align = calloc(n, sizeof(*c.align));
	if (!c.st || !c.names || !c.align) {
		c.err = -ENOMEM;
		goto out;
	}
	/*
	 * Real BTF inlines each anonymous type about once per reference; the
	 * budget is a generous multiple of the references there are.
	 */
	c.budget = 1 << 20;
	for (uint32_t id = 1; id < n; id++)
		c.budget += 16 * (1 + (uint64_t)btf_vlen(btf_type_by_id(btf, id)));
	/* void is always known */
	c.st[0].order = ORDERED;
	c.st[0].emit = EMITTED;
	mark_referenced(&c);

	fputs("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
	      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	      "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
	      "#endif\n\n", out);
	for (uint32_t id = btf_start_id(btf); id < n && !c.err; id++)
		dump_type(&c, id);
	for (uint32_t id = btf_start_id(btf); id < n && !c.err && (flags & BTF_DUMP_C_FUNCS); id++)
		if (btf_kind(btf_type_by_id(btf, id)) == BTF_KIND_FUNC)
			emit_func(&c, id);
	fputs("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
	      "#endif /* __VMLINUX_H__ */\n", out);
out:
	if (c.err == -ENOMEM)
		diag_set(d, "%s: C dump: out of memory", btf->what);
	if (!c.err && ferror(out)) {
		diag_set(d, "%s: C dump: write error", btf->what);
		c.err = -EIO;
	}
	for (uint32_t i = 0; c.names && i < n; i++)
		free(c.names[i]);
	free(c.names);
	free(c.align);
	free(c.st);
	free(c.tags.keys);
	free(c.tags.counts);
	free(c.idents.keys);
	free(c.idents.counts);
	free(c.queue);
	free(c.decl);
	return c.err;
}
