/* SPDX-License-Identifier: MIT */
/*
 * link.c - one program's final code: its function, followed by every
 * subprogram it calls (from .text or any executable section), with calls and
 * lddw relocated, as libbpf's bpf_object__relocate does.
 *
 * Calls use the kernel's rule for the callee: for a relocated call, the
 * target is the symbol's instruction plus imm + 1; for an unrelocated one
 * (clang resolved it within the section), the call's own position plus
 * imm + 1. The callee's whole function is appended once, and the call's imm
 * is rewritten to the new distance. lddw of a map becomes a map-id pseudo load
 * (src 1), of global data a map-value load (src 2, offset in the second
 * slot), of a function a function pseudo load (src 4).
 */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "object.h"

#define R_BPF_64_64 1
#define R_BPF_64_32 10

struct placed {
	unsigned sec;   /* section index */
	size_t off;     /* first instruction within the section */
	size_t len;
	size_t at;      /* first instruction within the program */
	const char *name;
};

struct linker {
	struct bpfrt_object *obj;
	struct bpfrt_program *p;
	struct bpfrt_insn *code;
	size_t cnt, cap;
	struct placed *funcs;
	size_t nfuncs;
};

static int cmp_rel(const void *a, const void *b)
{
	const struct obj_rel *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static const struct obj_rel *find_rel(const struct obj_rel *v, size_t n, uint64_t off)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].offset == off ? &v[lo] : NULL;
}

/* The function of section sec containing instruction off: [*start, *start + *len). */
static bool func_at(const struct bpfrt_object *obj, unsigned sec, size_t off, size_t *start,
		    size_t *len, const char **name)
{
	for (size_t k = 0; k < obj->nsyms; k++) {
		const struct obj_sym *y = &obj->syms[k];
		if (y->shndx != sec || y->type != STT_FUNC || y->size % 8 || y->value % 8)
			continue;
		if (off >= y->value / 8 && off < (y->value + y->size) / 8) {
			*start = y->value / 8;
			*len = y->size / 8;
			*name = y->name;
			return true;
		}
	}
	return false;
}

/* Place the function holding (sec, off) unless it is placed; its index. */
static int place(struct linker *l, unsigned sec, size_t off, const char *why, size_t *fi)
{
	for (size_t i = 0; i < l->nfuncs; i++)
		if (l->funcs[i].sec == sec && off >= l->funcs[i].off &&
		    off < l->funcs[i].off + l->funcs[i].len) {
			*fi = i;
			return 0;
		}
	const struct obj_sec *s = obj_sec_by_idx(l->obj, sec);
	size_t start, len;
	const char *name;
	if (!s || s->kind != SK_PROG || !func_at(l->obj, sec, off, &start, &len, &name))
		return obj_fail(l->obj, -EINVAL, "program '%s': %s instruction %zu of section '%s', "
				"which is in no function", l->p->name, why, off, s ? s->name : "?");
	if (l->cnt + len > (1u << 20))
		return obj_fail(l->obj, -E2BIG, "program '%s' is too large after linking", l->p->name);
	if (l->cnt + len > l->cap) {
		size_t cap = (l->cnt + len) * 2;
		struct bpfrt_insn *c = realloc(l->code, cap * sizeof(*c));
		if (!c)
			return obj_fail(l->obj, -ENOMEM, "out of memory");
		l->code = c;
		l->cap = cap;
	}
	struct placed *f = realloc(l->funcs, (l->nfuncs + 1) * sizeof(*f));
	if (!f)
		return obj_fail(l->obj, -ENOMEM, "out of memory");
	l->funcs = f;
	memcpy(l->code + l->cnt, s->data + start * 8, len * 8);
	int err = core_relocate(l->obj, l->p->name, s->name, start, len, l->code + l->cnt);
	if (err)
		return err;
	f[l->nfuncs] = (struct placed){ sec, start, len, l->cnt, name };
	l->cnt += len;
	*fi = l->nfuncs++;
	return 0;
}

static int reloc_lddw(struct linker *l, size_t at, const struct obj_rel *r, const struct placed *F)
{
	struct bpfrt_object *obj = l->obj;
	struct bpfrt_insn *in = &l->code[at];
	const struct obj_sym *y = &obj->syms[r->sym];
	const struct obj_sec *ys = y->shndx && y->shndx < SHN_LORESERVE ? obj_sec_by_idx(obj, y->shndx) : NULL;
	if (at + 1 >= l->cnt || in->code != 0x18)
		return obj_fail(obj, -EINVAL, "program '%s': 64-bit relocation for '%s' at instruction "
				"%zu of '%s', which is not an lddw", l->p->name, y->name, at - F->at, F->name);
	if (!ys && y->shndx == SHN_UNDEF) {
		int err = kconfig_reloc(obj, y->name, in);
		if (err != -ENOENT)
			return err;
	}
	if (!ys)
		return obj_fail(obj, -ENOTSUP, "program '%s': '%s' is an extern symbol (a kernel "
				"variable or config value), which bpfrt cannot provide", l->p->name, y->name);
	if (ys->kind == SK_MAPS || ys->kind == SK_LEGACY_MAPS) {
		for (size_t i = 0; i < obj->nmaps; i++) {
			const struct obj_mapdef *m = &obj->maps[i];
			if (m->sec_idx == ys->idx && m->sec_off == y->value && !m->is_inner) {
				in->src = BPFRT_PSEUDO_MAP_FD;
				in->imm = (int32_t)bpfrt_map__id(m->map);
				return 0;
			}
		}
		return obj_fail(obj, -EINVAL, "program '%s': '%s' in section '%s' is not a map "
				"definition", l->p->name, y->name, ys->name);
	}
	if (ys->map_idx >= 0) {
		uint64_t off = y->value + (uint64_t)(uint32_t)in->imm;
		if (off >= ys->size)
			return obj_fail(obj, -EINVAL, "program '%s': reference to '%s'+%d is outside "
					"section '%s'", l->p->name, y->name, in->imm, ys->name);
		in->src = BPFRT_PSEUDO_MAP_VALUE;
		in->imm = (int32_t)bpfrt_map__id(obj->maps[ys->map_idx].map);
		in[1].imm = (int32_t)off;
		return 0;
	}
	if (ys->kind == SK_PROG) {
		/* The address of a function: a callback for bpf_loop and friends. */
		uint64_t byte = y->value + (uint64_t)(uint32_t)in->imm;
		size_t fi;
		if (byte % 8)
			return obj_fail(obj, -EINVAL, "program '%s': function address '%s'+%d is not an "
					"instruction", l->p->name, y->name, in->imm);
		int err = place(l, ys->idx, byte / 8, "takes the address of", &fi);
		if (err)
			return err;
		const struct placed *G = &l->funcs[fi];
		in = &l->code[at]; /* place() may have moved the code */
		in->src = BPFRT_PSEUDO_FUNC;
		in->imm = (int32_t)((long)(G->at + byte / 8 - G->off) - (long)at - 1);
		return 0;
	}
	return obj_fail(obj, -ENOTSUP, "program '%s': lddw of '%s' in section '%s', which is "
			"neither a map, global data nor code", l->p->name, y->name, ys->name);
}

static int reloc_call(struct linker *l, size_t at, const struct obj_rel *r, const struct placed *F,
		      size_t pos)
{
	struct bpfrt_object *obj = l->obj;
	struct bpfrt_insn *in = &l->code[at];
	unsigned sec = F->sec;
	long target = (long)pos + 1 + in->imm;
	if (r) {
		const struct obj_sym *y = &obj->syms[r->sym];
		if (r->type == R_BPF_64_32 && y->shndx == SHN_UNDEF) {
			/*
			 * An extern function (__ksym): in the kernel a kfunc found by
			 * name; here a helper the embedder registered under that name.
			 */
			long id = rt_helper_id(obj->rt, y->name);
			if (id < 0)
				return obj_fail(obj, -ENOENT, "program '%s': calls extern function '%s', "
						"which no helper registered with the runtime is named "
						"(bpfrt_runtime__add_helper)", l->p->name, y->name);
			in->src = BPFRT_CALL_HELPER;
			in->imm = (int32_t)id;
			return 0;
		}
		if (r->type != R_BPF_64_32 || y->shndx >= SHN_LORESERVE)
			return obj_fail(obj, -ENOTSUP, "program '%s': call to '%s' (relocation type %u) "
					"cannot be resolved", l->p->name, y->name, r->type);
		sec = y->shndx;
		target = (long)(y->value / 8) + in->imm + 1;
	}
	if (target < 0)
		return obj_fail(obj, -EINVAL, "program '%s': call at instruction %zu of '%s' goes "
				"before its section", l->p->name, at - F->at, F->name);
	size_t fi;
	int err = place(l, sec, (size_t)target, "calls", &fi);
	if (err)
		return err;
	const struct placed *G = &l->funcs[fi];
	in = &l->code[at];
	in->imm = (int32_t)((long)(G->at + (size_t)target - G->off) - (long)at - 1);
	return 0;
}

int link_program(struct bpfrt_object *obj, struct bpfrt_program *p)
{
	struct linker l = { .obj = obj, .p = p };
	struct obj_rel **rels = calloc(obj->nsecs, sizeof(*rels));
	size_t *nrels = calloc(obj->nsecs, sizeof(*nrels));
	size_t fi;
	int err = rels && nrels ? 0 : obj_fail(obj, -ENOMEM, "out of memory");
	if (!err)
		err = place(&l, p->sec_idx, p->sec_off, "starts at", &fi);
	/* Functions appended while walking are walked in turn. */
	for (size_t f = 0; !err && f < l.nfuncs; f++) {
		struct placed F = l.funcs[f];
		size_t si;
		for (si = 0; si < obj->nsecs && obj->secs[si].idx != F.sec; si++)
			;
		if (!rels[si] && !nrels[si]) {
			err = elf_relocs(obj, F.sec, &rels[si], &nrels[si]);
			if (err)
				break;
			if (nrels[si])
				qsort(rels[si], nrels[si], sizeof(*rels[si]), cmp_rel);
			if (!rels[si])
				rels[si] = malloc(1); /* mark as read (an empty section gave none) */
		}
		for (size_t i = 0; !err && i < F.len; i++) {
			size_t at = F.at + i, pos = F.off + i;
			const struct obj_rel *r = find_rel(rels[si], nrels[si], pos * 8);
			const struct bpfrt_insn in = l.code[at];
			if (in.code == 0x85 && in.src == BPFRT_CALL_LOCAL)
				err = reloc_call(&l, at, r, &F, pos);
			else if (r && r->type == R_BPF_64_64)
				err = reloc_lddw(&l, at, r, &F);
			else if (r)
				err = obj_fail(obj, -ENOTSUP, "program '%s': relocation type %u for '%s' at "
					       "instruction %zu of '%s' is not supported", p->name, r->type,
					       obj->syms[r->sym].name, i, F.name);
			if (!err && in.code == 0x18)
				i++; /* skip the second slot */
		}
	}
	for (size_t i = 0; rels && i < obj->nsecs; i++)
		free(rels[i]);
	free(rels);
	free(nrels);
	struct prog_origin *orig = err ? NULL : calloc(l.nfuncs ? l.nfuncs : 1, sizeof(*orig));
	if (!err && !orig)
		err = obj_fail(obj, -ENOMEM, "out of memory");
	for (size_t i = 0; !err && i < l.nfuncs; i++)
		orig[i] = (struct prog_origin){ obj_sec_by_idx(obj, l.funcs[i].sec)->name, l.funcs[i].off,
						l.funcs[i].len, l.funcs[i].at };
	free(l.funcs);
	if (err) {
		free(l.code);
		return err;
	}
	free(p->insns);
	p->insns = l.code;
	p->cnt = l.cnt;
	free(p->origins);
	p->origins = orig;
	p->norigins = l.nfuncs;
	return 0;
}
