/* SPDX-License-Identifier: MIT */
/*
 * rejects.h - the list of conformance files on which the kernel is expected
 * not to agree with bpfrt (tests/kernel/kernel_rejects.txt).
 *
 * One entry a line, '#' starts a comment:
 *   name: reason             the kernel's verifier refuses the program
 *   name: differs: reason    the kernel runs it but its result differs, for a
 *                            known reason outside bpfrt (say a helper id whose
 *                            meaning differs)
 * name is the file name without ".data".
 */
#ifndef BPFRT_TESTS_KERNEL_REJECTS_H
#define BPFRT_TESTS_KERNEL_REJECTS_H

#include <stdbool.h>
#include <stddef.h>

enum reject_kind {
	REJECT_VERIFIER, /* the kernel refuses to load it */
	REJECT_DIFFERS,  /* the kernel runs it with a different outcome */
};

struct reject {
	char *name;
	char *reason;
	enum reject_kind kind;
	int line;        /* in the list file, for messages */
	bool seen;       /* a file of that name was checked */
};

struct reject_list {
	char *path;
	struct reject *v;
	size_t n;
};

/* Read the list at path; -1 with a message naming the file and line in err. */
int rejects_read(const char *path, struct reject_list *list, char *err, size_t errlen);

/* The entry for name, or NULL. */
struct reject *rejects_find(struct reject_list *list, const char *name);

void rejects_free(struct reject_list *list);

#endif
