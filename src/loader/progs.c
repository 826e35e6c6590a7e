/* SPDX-License-Identifier: MIT */
/*
 * progs.c - finding the programs of an object, as libbpf does: every function
 * symbol of an executable section other than .text is a program, typed by the
 * section's name; functions in .text are subprograms, linked in on demand.
 */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "object.h"

static int add_prog(struct bpfrt_object *obj, const struct obj_sec *s, const char *name,
		    uint64_t off, uint64_t size)
{
	enum bpfrt_prog_type type;
	const char *attach;
	if (!sec_prog_type(s->name, &type, &attach))
		return obj_fail(obj, -ENOTSUP, "section '%s': not a program type bpfrt knows (program "
				"'%s'); use SEC(\"xdp\"), SEC(\"tracepoint/...\"), SEC(\"bpfrt\")...",
				s->name, name);
	if (off % 8 || size % 8 || !size)
		return obj_fail(obj, -EINVAL, "program '%s' in section '%s': offset %llu or size %llu "
				"is not a whole number of instructions", name, s->name,
				(unsigned long long)off, (unsigned long long)size);
	struct bpfrt_program *v = realloc(obj->progs, (obj->nprogs + 1) * sizeof(*v));
	if (!v)
		return obj_fail(obj, -ENOMEM, "out of memory");
	obj->progs = v;
	struct bpfrt_program *p = &v[obj->nprogs];
	memset(p, 0, sizeof(*p));
	p->obj = obj;
	p->name = strdup(name);
	p->sec_name = strdup(s->name);
	if (!p->name || !p->sec_name) {
		free(p->name);
		free(p->sec_name);
		return obj_fail(obj, -ENOMEM, "out of memory");
	}
	obj->nprogs++;
	p->sec_idx = s->idx;
	p->sec_off = off / 8;
	p->len = size / 8;
	p->type = type;
	sec_prog_type(p->sec_name, &type, &p->attach);
	return 0;
}

int progs_find(struct bpfrt_object *obj)
{
	for (size_t i = 0; i < obj->nsecs; i++) {
		const struct obj_sec *s = &obj->secs[i];
		if (s->kind != SK_PROG || !strcmp(s->name, ".text") || !s->size)
			continue;
		size_t before = obj->nprogs;
		for (size_t k = 0; k < obj->nsyms; k++) {
			const struct obj_sym *y = &obj->syms[k];
			if (y->shndx != s->idx || y->type != STT_FUNC)
				continue;
			int err = add_prog(obj, s, y->name, y->value, y->size);
			if (err)
				return err;
		}
		/* Hand-written sections without symbols: the whole section, named for it. */
		if (obj->nprogs == before) {
			int err = add_prog(obj, s, s->name, 0, s->size);
			if (err)
				return err;
		}
	}
	if (!obj->nprogs)
		return obj_fail(obj, -ENOENT, "no programs: no executable section other than .text");
	return 0;
}
