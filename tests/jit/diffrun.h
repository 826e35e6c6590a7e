/* SPDX-License-Identifier: MIT */
/*
 * diffrun.h - run one program in the checked interpreter and in the JIT, and
 * compare everything they leave behind.
 *
 * Shared by the vector runner (jit_vector), the differential fuzzer
 * (jit_fuzz, fuzz_jit) and the speed check (jit_speed). Programs are loaded
 * as bpfrt_prog__load() loads them (validate, then decode against a helper
 * table) and run from an exec set up as bpfrt_prog__test_run() sets one up
 * for raw data: the data copied, r1 = the copy, r2 = its length, packet loads
 * reading it.
 */
#ifndef BPFRT_TESTS_JIT_DIFFRUN_H
#define BPFRT_TESTS_JIT_DIFFRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpfrt/bpfrt.h"
#include "interp/exec.h"
#include "jit/jit.h"

/* A program decoded for running: what bpfrt_prog__load() keeps. */
struct diff_prog {
	struct xinsn *code;
	size_t n;
	bpfrt_helper_fn const *helpers;
	uint32_t nhelpers;
};

/* Validate and decode; returns 0, or -errno with the reason in d. */
int diff_load(const struct bpfrt_insn *insns, size_t cnt, bpfrt_helper_fn const *helpers,
	      uint32_t nhelpers, struct diff_prog *p, struct diag *d);
void diff_prog_free(struct diff_prog *p);

/*
 * The runtime's own control helper with this kernel id (181 bpf_loop, ...),
 * NULL if none: so that a test program's callbacks go through
 * exec_call_func() exactly as a loaded program's do.
 */
bpfrt_helper_fn diff_control_helper(uint32_t id);

/*
 * What helpers saw, in order: each engine gets its own log as user_data and
 * helpers append to it with diff_log_add(); the logs must be equal.
 */
#define DIFF_LOG_MAX 1024
struct diff_log {
	uint64_t v[DIFF_LOG_MAX];
	unsigned n;
};
void diff_log_add(struct bpfrt_exec *ex, uint64_t v);

/* One engine's run: its return, r0, message and the memory afterwards. */
struct diff_run {
	int err;
	uint64_t r0;
	char msg[DIAG_MAX];
	uint8_t *mem;          /* the data afterwards (malloc'd) */
	uint8_t *stack;        /* ex->stack afterwards (malloc'd) */
	struct diff_log log;
	uint64_t executed;     /* instructions the reference ran */
};

/* Set up ex to run p over data[0..len), as test_run does for raw data. */
void diff_exec_init(struct bpfrt_exec *ex, const struct diff_prog *p, uint8_t *data, size_t len,
		    struct diag *d);
/* The same in a new exec (malloc'd). */
struct bpfrt_exec *diff_exec_new(const struct diff_prog *p, uint8_t *data, size_t len,
				 struct diag *d);

/*
 * Run p in the checked interpreter (the reference) and in img, one after the
 * other on the same exec and data buffer, reset in between, so that pointers
 * a program computes or spills are equal in both runs; then compare return
 * code, r0, message, data, stack and helper log. Returns 0 when they agree,
 * with the reference's outcome in *ref; else -1 with the first difference
 * described in why.
 */
int diff_compare(const struct diff_prog *p, const struct jit_image *img, const uint8_t *mem,
		 size_t mem_len, struct diff_run *ref, char *why, size_t whylen);
void diff_run_free(struct diff_run *r);

#endif
