/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - what the BTF tests share: a CHECK macro that counts
 * failures, and loading a clang object's .BTF/.BTF.ext through src/btf.
 */
#ifndef BPFRT_TESTS_BTF_TESTUTIL_H
#define BPFRT_TESTS_BTF_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include "btf/btf.h"
#include "elfobj.h"

extern int test_failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		test_failures++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

/* A clang object: its ELF file, and its BTF parsed (exits on failure). */
struct obj {
	struct elfobj *elf;
	struct btf *btf;
	struct btf_ext *ext;	/* NULL if the object has no .BTF.ext */
};

void obj_load(const char *path, struct obj *o);
void obj_free(struct obj *o);

/* Print the summary line and return the exit status. */
int test_done(const char *name);

#endif
