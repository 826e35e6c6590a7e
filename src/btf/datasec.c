/* SPDX-License-Identifier: MIT */
/*
 * datasec.c - the variables of DATASECs (.data, .rodata, .bss, .maps, ...),
 * and the fix-up libbpf applies to them before use (clang leaves sizes and
 * offsets zero: only the ELF symbols know where each variable ended up).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

int32_t btf_find_datasec(const struct btf *btf, const char *sec)
{
	return btf_find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
}

static const struct btf_type *datasec(const struct btf *btf, uint32_t sec_id)
{
	const struct btf_type *t = btf_type_by_id(btf, sec_id);
	return t && btf_kind(t) == BTF_KIND_DATASEC ? t : NULL;
}

int btf_datasec_var(const struct btf *btf, uint32_t sec_id, uint32_t idx, struct btf_var_info *out)
{
	const struct btf_type *t = datasec(btf, sec_id);
	if (!t)
		return -EINVAL;
	if (idx >= btf_vlen(t))
		return -ENOENT;
	const struct btf_var_secinfo *v = &btf_secinfos(t)[idx];
	const struct btf_type *vt = btf_type_by_id(btf, v->type);
	out->name = btf_name(btf, v->type);
	out->var_id = v->type;
	out->offset = v->offset;
	out->size = v->size;
	if (btf_kind(vt) == BTF_KIND_VAR) {
		out->type_id = vt->type;
		out->linkage = btf_var(vt)->linkage;
	} else {
		out->type_id = vt->type;	/* a FUNC (extern kfunc): its proto */
		out->linkage = btf_vlen(vt);
	}
	return 0;
}

int btf_datasec_find_var(const struct btf *btf, uint32_t sec_id, const char *name,
			 struct btf_var_info *out)
{
	const struct btf_type *t = datasec(btf, sec_id);
	if (!t)
		return -EINVAL;
	for (uint32_t i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf_name(btf, btf_secinfos(t)[i].type), name))
			return btf_datasec_var(btf, sec_id, i, out);
	return -ENOENT;
}

static int cmp_offset(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int btf_datasec_fixup(struct btf *btf, uint32_t sec_id, uint32_t sec_size,
		      btf_sym_fn sym, void *ctx, struct diag *d)
{
	if (!datasec(btf, sec_id) || sec_id < btf->start_id)
		return btf_fail(btf, sec_id, d, "not a DATASEC of this BTF");
	/* The BTF is ours (a private copy), so writing through the cast is fine. */
	struct btf_type *t = (struct btf_type *)btf_own_type(btf, sec_id);
	struct btf_var_secinfo *vs = (struct btf_var_secinfo *)(t + 1);
	const char *sec = btf_name(btf, sec_id);
	unsigned n = btf_vlen(t);

	/* extern-backed sections get their layout from the loader */
	bool externs = !strcmp(sec, ".kconfig") || !strcmp(sec, ".ksyms");
	bool set_offsets = false;
	if (!externs && !t->size) {
		if (!sec_size)
			return btf_fail(btf, sec_id, d, "section '%s' is empty in the ELF file", sec);
		t->size = sec_size;
		set_offsets = true;
	}
	for (unsigned i = 0; i < n && !externs; i++) {
		struct btf_type *vt = (struct btf_type *)btf_type_by_id(btf, vs[i].type);
		const char *name = btf_name(btf, vs[i].type);
		if (btf_kind(vt) != BTF_KIND_VAR)
			return btf_fail(btf, sec_id, d, "variable %u ('%s') is a %s, not a VAR", i, name,
					btf_kind_str(btf_kind(vt)));
		struct btf_var *var = (struct btf_var *)(vt + 1);
		if (var->linkage == BTF_VAR_GLOBAL_EXTERN)
			continue;
		uint32_t off;
		bool hidden = false;
		if (!sym || sym(ctx, name, &off, &hidden)) {
			/* libbpf skips statics; bpfrt places those it finds (local symbols) */
			if (var->linkage == BTF_VAR_STATIC)
				continue;
			return btf_fail(btf, sec_id, d, "variable '%s' has no ELF symbol", name);
		}
		if (set_offsets)
			vs[i].offset = off;
		/* libbpf treats hidden globals as static (not shared with user space) */
		if (hidden)
			var->linkage = BTF_VAR_STATIC;
	}
	qsort(vs, n, sizeof(*vs), cmp_offset);
	for (unsigned i = 0; i < n && !externs; i++)
		if ((uint64_t)vs[i].offset + vs[i].size > t->size)
			return btf_fail(btf, sec_id, d, "variable '%s' at %u+%u is past the section's %u bytes",
					btf_name(btf, vs[i].type), vs[i].offset, vs[i].size, t->size);
	return 0;
}
