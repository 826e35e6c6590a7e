/* SPDX-License-Identifier: MIT */
/*
 * helpers.h (internal) - the kernel's helpers, implemented in user space.
 *
 * Each helper has the kernel's id, name and prototype. In the checked engine
 * a helper checks its pointer arguments against the memory the program may
 * touch, and its map arguments against the runtime's maps, before using them;
 * a bad argument ends the run with -EFAULT and a message naming the helper
 * and the argument. Unchecked runs trust the verifier and skip those checks.
 */
#ifndef BPFRT_HELPERS_H
#define BPFRT_HELPERS_H

#include <stdbool.h>
#include <stdint.h>
#include "bpfrt/runtime.h"
#include "interp/exec.h"
#include "runtime/progtype.h"
#include "proto.h"

struct helper_def {
	uint32_t id;
	const char *name;
	bpfrt_helper_fn fn;
	uint32_t groups; /* enum helper_group */
	const struct helper_proto *proto;
};

/* The prototype of kernel helper id, NULL if bpfrt has none. */
const struct helper_proto *helper_proto(uint32_t id);
/* The kernel helper with this id, from the tables above, or NULL. */
const struct helper_def *helper_kernel_def(uint32_t id);

#define HELPER(fn) \
	static uint64_t fn(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
			   struct bpfrt_exec *ex)

/* Each file's table, ended by an entry with fn == NULL. */
extern const struct helper_def helpers_map[];
extern const struct helper_def helpers_time[];
extern const struct helper_def helpers_task[];
extern const struct helper_def helpers_print[];
extern const struct helper_def helpers_string[];
extern const struct helper_def helpers_probe[];
extern const struct helper_def helpers_ringbuf[];
extern const struct helper_def helpers_control[];
extern const struct helper_def helpers_packet[];
extern const struct helper_def helpers_stack[];
extern const struct helper_def helpers_xdp[];
extern const struct helper_def helpers_perf[];
extern const struct helper_def helpers_cookie[];
extern const struct helper_def helpers_override[];

/* Register every kernel helper in rt (called by bpfrt_runtime__new). */
int helpers_register_kernel(struct bpfrt_runtime *rt);

/* Checked runs: may the program hand [p, p+size) to the helper? */
bool helper_mem(struct bpfrt_exec *ex, const char *helper, int arg, uint64_t p, uint64_t size,
		bool write);
/* Checked runs: is p a map of this runtime? */
bool helper_map(struct bpfrt_exec *ex, const char *helper, int arg, uint64_t p);
/*
 * Checked runs: let the program access the values of m (an inner map it
 * reached through a map of maps). False after failing the run (too many).
 */
struct bpfrt_map;
bool helper_learn_map(struct bpfrt_exec *ex, const char *helper, struct bpfrt_map *m);
/* End the run with err and a message (a helper's own fault). Returns 0. */
__attribute__((format(printf, 3, 4)))
uint64_t helper_fail(struct bpfrt_exec *ex, int err, const char *fmt, ...);

/*
 * Fault-safe copies from any address of this process (probe_read_*): they
 * return -EFAULT instead of crashing on unmapped memory.
 */
long probe_copy(void *dst, const void *src, uint64_t size);
/* Copies up to size-1 bytes and a NUL; returns the length with the NUL. */
long probe_copy_str(char *dst, const void *src, uint64_t size);

/*
 * The same from user memory: the process of the runtime's task when one is
 * set (bpfrt_runtime__set_task), else this process.
 */
long probe_copy_user(const struct bpfrt_exec *ex, void *dst, const void *src, uint64_t size);
long probe_copy_user_str(const struct bpfrt_exec *ex, char *dst, const void *src, uint64_t size);
/*
 * A string a program hands over (printk's %s): from the program's own memory
 * (stack, context, maps) when it lies there, else from user memory.
 */
long probe_copy_any_str(const struct bpfrt_exec *ex, char *dst, const void *src, uint64_t size);

/*
 * The kernel's bpf_trace_printk/bpf_snprintf formatting: %d %i %u %x %X %ld
 * %lu %lx %lld %llu %llx %p %s %c %% with width and '-'/'0' flags; strings
 * are read fault-safely. Returns the length written (without the NUL) or
 * -EINVAL for a format the kernel refuses.
 */
long bpf_format(struct bpfrt_exec *ex, char *out, uint64_t out_size, const char *fmt,
		uint64_t fmt_size, const uint64_t *args, uint32_t nargs);

#endif
