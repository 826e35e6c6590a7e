/* SPDX-License-Identifier: MIT */
/*
 * runtime.h (internal) - the runtime object and its error reporting.
 */
#ifndef BPFRT_RUNTIME_INTERNAL_H
#define BPFRT_RUNTIME_INTERNAL_H

#include "bpfrt/runtime.h"
#include "util/diag.h"

struct helper_slot {
	bpfrt_helper_fn fn;
	char *name;
};

struct bpfrt_runtime {
	bpfrt_print_fn print;
	void *print_ctx;
	bool quiet;
	char last_error[DIAG_MAX + 128];

	/* Helper table indexed by id; fns mirrors slots for the interpreter. */
	struct helper_slot *helpers;
	bpfrt_helper_fn *helper_fns;
	uint32_t nhelpers;
};

/*
 * Record a failure: becomes bpfrt_runtime__last_error() and is printed at
 * WARN level. Returns err (a negative errno) so callers can `return rt_fail()`.
 */
__attribute__((format(printf, 3, 4)))
int rt_fail(struct bpfrt_runtime *rt, int err, const char *fmt, ...);

#endif
