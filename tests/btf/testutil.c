/* SPDX-License-Identifier: MIT */
/*
 * testutil.c - see testutil.h.
 */
#include <stdlib.h>
#include "testutil.h"

int test_failures;

void obj_load(const char *path, struct obj *o)
{
	size_t size, ext_size;
	struct diag d;
	diag_clear(&d);
	o->elf = elfobj_open(path);
	if (!o->elf)
		exit(1);
	void *data = elfobj_section(o->elf, ".BTF", &size);
	void *ext = elfobj_section(o->elf, ".BTF.ext", &ext_size);
	if (!data) {
		printf("FAIL: %s has no .BTF\n", path);
		exit(1);
	}
	o->btf = btf_parse(data, size, NULL, &d);
	if (!o->btf) {
		printf("FAIL: %s: %s\n", path, d.msg);
		exit(1);
	}
	o->ext = NULL;
	if (ext) {
		o->ext = btf_ext_parse(ext, ext_size, o->btf, &d);
		if (!o->ext) {
			printf("FAIL: %s: %s\n", path, d.msg);
			exit(1);
		}
	}
	free(data);
	free(ext);
}

void obj_free(struct obj *o)
{
	btf_ext_free(o->ext);
	btf_free(o->btf);
	elfobj_close(o->elf);
}

int test_done(const char *name)
{
	if (test_failures) {
		printf("%s: %d check(s) failed\n", name, test_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}
