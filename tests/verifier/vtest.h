/* SPDX-License-Identifier: MIT */
/*
 * vtest.h - what the verifier's tests share: reading case files, turning a
 * case into a verifier_input (assembled, validated, maps resolved), and the
 * helper table and groups of the runtime, as the loader will pass them.
 *
 * A case file holds cases, each introduced by "== name":
 *
 *   == lookup without a NULL check
 *   -- type xdp                          (default: unspec, the generic type)
 *   -- map 1 hash key 4 value 8 entries 16 [rdonly] [wronly] [inner N] [name S]
 *   -- asm                               (LLVM syntax; `r1 = map_fd(1) ll`)
 *   ...
 *   -- verdict accept|reject
 *   -- error text the message must contain
 *
 * '#' starts a comment line outside -- asm.
 */
#ifndef BPFRT_TESTS_VTEST_H
#define BPFRT_TESTS_VTEST_H

#include <stdbool.h>
#include <stdio.h>
#include "verifier/verifier.h"

#define VT_MAX_MAPS 32

struct vt_map {
	int num;
	struct verifier_map vm;
	int inner; /* num of the inner map, or -1 */
	char name[32];
};

struct vt_case {
	char name[160];
	int line;
	enum bpfrt_prog_type type;
	struct vt_map maps[VT_MAX_MAPS];
	int nmaps;
	char *asm_text;
	int verdict; /* 1 accept, 0 reject, -1 not given */
	char error[256];
};

struct vt_prog {
	struct bpfrt_insn *insns;
	size_t cnt;
	const struct opinfo **ops;
	const struct verifier_map **lddw;
};

/* Parse a case file; *cases is malloc'ed. Returns 0 or -1 with err. */
int vt_read_cases(const char *path, struct vt_case **cases, size_t *n, char *err, size_t len);
void vt_free_cases(struct vt_case *cases, size_t n);

/* Program type by name ("xdp", "socket_filter"...); -1 if unknown. */
int vt_prog_type(const char *name);
const char *vt_map_type_name(enum bpfrt_map_type t);
int vt_map_type(const char *name);

/* Assemble and validate c's program and resolve its map references. */
int vt_prepare(struct vt_case *c, struct vt_prog *p, char *err, size_t len);
/* The same for instructions given directly (maps optional). */
int vt_prepare_insns(const struct bpfrt_insn *insns, size_t cnt, struct vt_map *maps, int nmaps,
		     struct vt_prog *p, char *err, size_t len);
void vt_prog_free(struct vt_prog *p);

/* Fill in with the runtime's helpers for type t (helper groups, prototypes, names). */
void vt_input(struct verifier_input *in, const struct vt_prog *p, enum bpfrt_prog_type t);

#endif
