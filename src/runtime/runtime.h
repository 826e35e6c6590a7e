/* SPDX-License-Identifier: MIT */
/*
 * runtime.h (internal) - the runtime object and its error reporting.
 */
#ifndef BPFRT_RUNTIME_INTERNAL_H
#define BPFRT_RUNTIME_INTERNAL_H

#include <pthread.h>
#include "bpfrt/runtime.h"
#include "util/diag.h"

struct bpfrt_map;
struct bpfrt_prog;

struct helper_slot {
	bpfrt_helper_fn fn;
	char *name;
	uint32_t groups; /* enum helper_group: which program types may call it */
};

struct bpfrt_runtime {
	bpfrt_print_fn print;
	void *print_ctx;
	bool quiet;
	char last_error[DIAG_MAX + 128];
	FILE *trace_out;
	/* The task programs run for (bpfrt_runtime__set_task), when has_task. */
	bool has_task;
	struct bpfrt_task task;

	/* Helper table indexed by id; fns mirrors slots for the interpreter. */
	struct helper_slot *helpers;
	bpfrt_helper_fn *helper_fns;
	uint32_t nhelpers;

	/*
	 * Maps and programs by id (slot id - 1), where the kernel would use fds:
	 * prog array and map-in-map values, and `map_fd` in raw programs.
	 */
	pthread_mutex_t ids_lock;
	void **objs;    /* struct bpfrt_map * or struct bpfrt_prog * */
	uint8_t *kinds; /* ID_MAP or ID_PROG, 0 for a free slot */
	uint32_t nobjs;
};

enum { ID_FREE = 0, ID_MAP = 1, ID_PROG = 2 };

/* Register a helper callable from program types allowing any of groups. */
int rt_add_helper(struct bpfrt_runtime *rt, uint32_t id, const char *name, bpfrt_helper_fn fn,
		  uint32_t groups);
/* Which helper groups id belongs to (0: no such helper). */
uint32_t rt_helper_groups(const struct bpfrt_runtime *rt, uint32_t id);
FILE *rt_trace_output(const struct bpfrt_runtime *rt);
/* The task set with bpfrt_runtime__set_task(), or NULL for the calling thread. */
const struct bpfrt_task *rt_task(const struct bpfrt_runtime *rt);
/* The id of the helper named name, or -1. */
long rt_helper_id(const struct bpfrt_runtime *rt, const char *name);

/* Does prog refer to map through an lddw? (a lock-free first check for helpers) */
bool prog_uses_map(const struct bpfrt_prog *prog, const void *map);

/*
 * Run an XDP program once on the frame in b (xdp/buff.h), following tail
 * calls, with ex as scratch state; r0 on success. On failure the message
 * naming the program and instruction is the runtime's last error.
 */
struct bpfrt_exec;
struct xdp_block;
struct bpfrt_runtime *prog_runtime(const struct bpfrt_prog *prog);
int prog_run_xdp(struct bpfrt_prog *prog, struct bpfrt_exec *ex, struct xdp_block *b,
		 uint64_t *r0);

/* What bpf_override_return() asked of the hook running the program. */
struct hook_override {
	bool set;    /* a program called it: the call returns rc without running */
	uint64_t rc;
};
/*
 * bpfrt_prog__run_ctx_cookie() for a hook that can make the probed call
 * return early: with ov, a bpf_override_return() of the program (or of a
 * tail call's target) sets ov->set and ov->rc (ov is left alone otherwise;
 * clear it before the hook's first program). Without, the helper fails.
 */
int prog_run_hook(struct bpfrt_prog *prog, void *ctx, uint32_t ctx_size, uint64_t cookie,
		  struct hook_override *ov, uint64_t *retval);
/* Does prog (its subprograms included) call kernel helper id? */
bool prog_calls_helper(const struct bpfrt_prog *prog, uint32_t id);

/* Give obj an id (>= 1); returns it, or 0 when out of memory. */
uint32_t rt_id_alloc(struct bpfrt_runtime *rt, int kind, void *obj);
void rt_id_free(struct bpfrt_runtime *rt, uint32_t id);
/* The object with that id and kind, or NULL. */
void *rt_id_lookup(struct bpfrt_runtime *rt, uint32_t id, int kind);
/* Is obj a live object of that kind in this runtime? */
bool rt_id_owns(struct bpfrt_runtime *rt, const void *obj, int kind);

/*
 * Record a failure: becomes bpfrt_runtime__last_error() and is printed at
 * WARN level. Returns err (a negative errno) so callers can `return rt_fail()`.
 */
__attribute__((format(printf, 3, 4)))
int rt_fail(struct bpfrt_runtime *rt, int err, const char *fmt, ...);

#endif
