/* SPDX-License-Identifier: MIT */
/*
 * exec.h - the state of one running invocation (struct bpfrt_exec).
 *
 * Helpers receive a pointer to it; the interpreter keeps registers and the
 * program counter in locals and only touches this struct on calls, exits and
 * memory checks.
 */
#ifndef BPFRT_INTERP_EXEC_H
#define BPFRT_INTERP_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include "bpfrt/insn.h"
#include "bpfrt/runtime.h"
#include "xcode.h"

struct bpfrt_prog;

struct hook_override; /* runtime/runtime.h */

/* A block of memory a checked program may access. */
struct mem_region {
	uintptr_t lo, hi; /* [lo, hi) */
	bool writable;
	const char *name; /* for messages: "stack", "data", "ctx", a map's name */
};

#define EXEC_MAX_REGIONS (4 + 64) /* stack, data, ctx, spare, and up to 64 maps */

struct frame {
	const struct xinsn *ret; /* where the caller continues */
	uint64_t saved[5];       /* caller's r6..r10 */
};

struct bpfrt_exec {
	const struct xinsn *code;
	size_t ncode;
	bpfrt_helper_fn const *helpers;
	uint32_t nhelpers;

	/* Legacy packet loads (LD_ABS/LD_IND) read from here. */
	const uint8_t *pkt;
	uint64_t pkt_len;

	/* Checked engine: regions[0] is the stack, its low end moving with calls. */
	struct mem_region regions[EXEC_MAX_REGIONS];
	unsigned nregions;
	uint64_t budget; /* instructions left */

	/* Set by bpfrt_exec__stop(): end the program after the helper returns. */
	bool stop;
	uint64_t stop_ret;
	int error; /* a helper's fault (negative errno) ends the run with it */

	void *user_data;
	uint64_t cookie;   /* bpf_get_attach_cookie(): the hook's (0 outside hooks) */
	/*
	 * bpf_override_return(): where the hook takes the value the probed
	 * call is to return; NULL where the hook cannot return early (the
	 * helper then fails the run rather than do nothing).
	 */
	struct hook_override *override;
	struct diag *diag; /* where a run-time error is reported */
	struct bpfrt_runtime *rt;
	struct bpfrt_prog *prog;
	bool checked;      /* running in the checked engine */
	unsigned depth;    /* frame of the instruction calling a helper */
	/* Pending tail call (bpf_tail_call): the program to continue with. */
	struct bpfrt_prog *tail_target;
	unsigned tail_calls;

	/*
	 * The JIT's entry sets native_call to its image's callback entry, and
	 * the interpreters clear it, so that exec_call_func() runs a callback
	 * in the engine of the program that called the helper: native code
	 * runs function slot at frame depth with r1..r5 = args, returning as
	 * exec_call_func() does. jit_sp is that engine's own bookkeeping: the
	 * native stack pointer of its innermost entry frame.
	 */
	int (*native_call)(struct bpfrt_exec *ex, uint64_t slot, const uint64_t *args, uint64_t *ret,
			   uint64_t depth);
	uintptr_t jit_sp;

	struct frame frames[BPFRT_MAX_FRAMES];
	_Alignas(16) uint8_t stack[BPFRT_MAX_FRAMES * BPFRT_STACK_SIZE];
};

/*
 * Prepare ex for a run of code: regions hold only the stack afterwards; the
 * caller adds its data and context with exec_add_region().
 */
void exec_init(struct bpfrt_exec *ex, const struct xinsn *code, size_t ncode,
	       bpfrt_helper_fn const *helpers, uint32_t nhelpers, struct diag *diag);

int exec_add_region(struct bpfrt_exec *ex, const void *p, size_t len, bool writable,
		    const char *name);

/* Is [addr, addr+size) inside one region (writable if write)? */
bool exec_mem_ok(const struct bpfrt_exec *ex, uintptr_t addr, uint64_t size, bool write);

/*
 * Run from code[0] with r1, r2 as given; on 0 the program's r0 is in *ret.
 * The checked variant enforces regions and the budget and fails with -EFAULT
 * or -ELOOP; both fail with -E2BIG on calls deeper than BPFRT_MAX_FRAMES and
 * -ENOENT on callx to nothing.
 */
int bpfrt_interp_run(struct bpfrt_exec *ex, uint64_t r1, uint64_t r2, uint64_t *ret);
int bpfrt_interp_run_checked(struct bpfrt_exec *ex, uint64_t r1, uint64_t r2, uint64_t *ret);

/*
 * From a helper: run the program's function func (a token from lddw of a
 * function, as callbacks of bpf_loop and bpf_for_each_map_elem are) with
 * r1..r5 = args, in a new frame below the caller's, in the same engine
 * (natively when the caller runs in the JIT: ex->native_call).
 * Returns 0 with its r0 in *ret, or the error that stopped it.
 */
int exec_call_func(struct bpfrt_exec *ex, uint64_t func, const uint64_t args[5], uint64_t *ret);

#endif
