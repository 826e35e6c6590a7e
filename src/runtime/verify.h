/* SPDX-License-Identifier: MIT */
/*
 * verify.h (internal) - the load pipeline's verifier step: what a program
 * refers to (its maps, the runtime's helpers, its type, its source lines)
 * turned into a verifier_input, and bpfrt_verify() run on it.
 */
#ifndef BPFRT_RUNTIME_VERIFY_H
#define BPFRT_RUNTIME_VERIFY_H

#include "bpfrt/prog.h"
#include "isa/opcodes.h"
#include "progtype.h"
#include "runtime.h"
#include "util/diag.h"

struct prog_verify_args {
	struct bpfrt_runtime *rt;
	const struct progtype *type;
	const char *name;
	const struct bpfrt_insn *insns;
	size_t cnt;
	const struct opinfo *const *ops;       /* from bpfrt_validate() */
	struct bpfrt_map *const *lddw_maps;     /* per insn: the map of a map lddw, else NULL */
	const struct bpfrt_prog_load_opts *opts; /* source line, log, stats (may be NULL) */
};

/* 0 when the program is proven safe; else bpfrt_verify()'s error and message in d. */
int prog_verify(const struct prog_verify_args *a, struct diag *d);

#endif
