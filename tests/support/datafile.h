/* SPDX-License-Identifier: MIT */
/*
 * datafile.h - reader of the conformance-suite test vectors (*.data).
 *
 * A file has sections introduced by "-- NAME" lines: asm (program text), raw
 * (64-bit instruction words), mem (hex bytes of input memory), result
 * (expected r0), error (expected failure text); others are ignored. '#'
 * starts a comment. bpfrt's own vectors in tests/data use the same format.
 */
#ifndef BPFRT_TESTS_DATAFILE_H
#define BPFRT_TESTS_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpfrt/insn.h"

struct datafile {
	char *asm_text;             /* the -- asm section, or NULL */
	struct bpfrt_insn *raw;     /* the -- raw section, or NULL */
	size_t raw_cnt;
	uint8_t *mem;               /* the -- mem bytes, or NULL */
	size_t mem_len;
	bool has_result;
	uint64_t result;
	char *error;                /* the -- error section text, or NULL */
};

/* Parse path; on failure returns -1 with a message in err. */
int datafile_read(const char *path, struct datafile *df, char *err, size_t errlen);

/*
 * The program as instructions: from -- raw if present, else assembled from
 * -- asm. Returns 0, or -1 with a message in err.
 */
int datafile_program(const struct datafile *df, struct bpfrt_insn **insns, size_t *cnt,
		     char *err, size_t errlen);

void datafile_free(struct datafile *df);

#endif
