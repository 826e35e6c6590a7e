/* SPDX-License-Identifier: MIT */
/*
 * backend.h - what jit.c and an architecture backend (x86_64.c, later
 * arm64.c) share: the growing byte buffer code is emitted into, the result a
 * backend hands back, and the C functions generated code calls for its rare
 * run-time errors.
 *
 * A backend only produces bytes and the offset map; jit.c owns executable
 * memory, so no backend ever sees a writable+executable page.
 */
#ifndef BPFRT_JIT_BACKEND_H
#define BPFRT_JIT_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "interp/xcode.h"
#include "util/diag.h"

struct bpfrt_exec;

/* Bytes being emitted. On allocation failure oom is set and writes are dropped. */
struct jit_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static inline void jit_buf_put(struct jit_buf *b, const void *bytes, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = b->oom ? NULL : realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, bytes, n);
	b->len += n;
}

/* What a backend returns: position-independent code, data after it, the offset map. */
struct jit_out {
	uint8_t *bytes;     /* malloc'd; code then data */
	size_t len;         /* all bytes */
	size_t code_len;    /* bytes that are code */
	size_t entry;       /* offset of the bpfrt_jit_fn entry point */
	uint32_t *insn_off; /* malloc'd [0..n]: offset of each slot's code, [n] = end of the body */
};

/*
 * Compile for x86-64 (System V ABI). Returns 0, or -errno with the reason in d.
 */
int jit_x86_64_compile(const struct xinsn *code, size_t n, bool blind, struct jit_out *out,
		       struct diag *d);

/*
 * Called by generated code on a run-time error: write the interpreter's
 * message for instruction idx into ex->diag and return the interpreter's
 * error code, which the caller then returns from the program.
 */
int jit_rt_too_deep(struct bpfrt_exec *ex, uint64_t idx);
int jit_rt_bad_callx(struct bpfrt_exec *ex, uint64_t idx, uint64_t dst, uint64_t value);

#endif
