/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/runtime.h - the runtime: bpfrt's equivalent of "the kernel".
 *
 * A struct bpfrt_runtime owns everything programs share: the helper table,
 * the diagnostics callback, and (later) maps. Two runtimes in one process never
 * see each other. Every function that can fail returns a negative errno (or
 * NULL with errno set) and leaves a message naming the subject of the failure
 * in bpfrt_runtime__last_error(); the message also goes to the print callback.
 */
#ifndef BPFRT_RUNTIME_H
#define BPFRT_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declare an options struct with its size filled in, as libbpf's LIBBPF_OPTS. */
#define BPFRT_OPTS(type, name, ...) \
	struct type name = { .sz = sizeof(struct type), __VA_ARGS__ }

struct bpfrt_runtime;
struct bpfrt_exec;

enum bpfrt_print_level {
	BPFRT_WARN,
	BPFRT_INFO,
	BPFRT_DEBUG,
};

/* Receives each diagnostic line (without trailing newline). */
typedef void (*bpfrt_print_fn)(enum bpfrt_print_level level, const char *msg, void *ctx);

struct bpfrt_runtime_opts {
	size_t sz;            /* sizeof(struct bpfrt_runtime_opts) */
	bpfrt_print_fn print; /* NULL: warnings to stderr */
	void *print_ctx;
	bool quiet;           /* true: no default printing at all */
	/* Do not register the kernel's helpers (for embedders with their own ids). */
	bool no_kernel_helpers;
	/* Where bpf_trace_printk lines go (NULL: stderr). */
	FILE *trace_output;
};

/**
 * bpfrt_runtime__new() - create a runtime.
 * @opts: options, or NULL for defaults.
 *
 * Return: the runtime, or NULL with errno set (ENOMEM, EINVAL for bad opts).
 */
struct bpfrt_runtime *bpfrt_runtime__new(const struct bpfrt_runtime_opts *opts);

/** bpfrt_runtime__free() - free a runtime; its programs must be freed first. */
void bpfrt_runtime__free(struct bpfrt_runtime *rt);

/**
 * bpfrt_runtime__last_error() - the message of the last failure in this runtime.
 *
 * Return: a string owned by the runtime, empty if nothing failed yet.
 */
const char *bpfrt_runtime__last_error(const struct bpfrt_runtime *rt);

/*
 * A helper: called with the program's r1..r5 and the running invocation, it
 * returns the new r0. Helper ids are the kernel's (bpf_map_lookup_elem is 1).
 */
typedef uint64_t (*bpfrt_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3,
				    uint64_t r4, uint64_t r5, struct bpfrt_exec *ex);

/* Largest helper id a runtime accepts. */
#define BPFRT_MAX_HELPER_ID 65535

/**
 * bpfrt_runtime__add_helper() - make a helper callable by programs.
 * @id: helper id used by `call id` (and by callx with the id in a register).
 *      The kernel's helpers are registered already (unless the runtime was
 *      created with no_kernel_helpers); their ids are taken.
 * @name: name used in messages and by the disassembler; copied.
 * @fn: the function.
 *
 * Programs loaded afterwards can call it; programs already loaded keep the
 * helper table they were loaded with. Objects reach it by id, or by name:
 * a call to an extern function (`extern long name(...) __ksym;`, a kfunc in
 * the kernel) is linked to the helper with that name.
 *
 * Return: 0, -EINVAL for a bad id or NULL fn, -EEXIST if id is taken,
 * -ENOMEM.
 */
int bpfrt_runtime__add_helper(struct bpfrt_runtime *rt, uint32_t id, const char *name,
			      bpfrt_helper_fn fn);

/**
 * bpfrt_runtime__set_trace_output() - send bpf_trace_printk lines to f
 * (one line per call, with trace_pipe's prefix fields). NULL: stderr.
 */
void bpfrt_runtime__set_trace_output(struct bpfrt_runtime *rt, FILE *f);

/*
 * A task (thread) of another process that programs run on behalf of: a
 * tracer such as `bpfrt trace` runs the program of a hook in its own process
 * while a thread of the traced process is stopped at the hook. Numbers are
 * the kernel's: tgid is the process id, pid the thread id.
 */
struct bpfrt_task {
	int32_t tgid;
	int32_t pid;
	uint32_t uid, gid;
	char comm[16];
};

/**
 * bpfrt_runtime__set_task() - the task the next program runs stand for.
 * @task: copied; NULL returns to the calling thread.
 *
 * With a task set, bpf_get_current_pid_tgid, _uid_gid and _comm report it,
 * bpf_probe_read_user(_str) read its process's memory (fault-safely, through
 * process_vm_readv), and bpf_trace_printk lines carry its name and thread id.
 * The _kernel variants keep reading this process: the runtime is the
 * "kernel" (a raw tracepoint's struct pt_regs lives here).
 */
void bpfrt_runtime__set_task(struct bpfrt_runtime *rt, const struct bpfrt_task *task);

/** bpfrt_runtime__helper_name() - name of helper id, or NULL if none. */
const char *bpfrt_runtime__helper_name(const struct bpfrt_runtime *rt, uint32_t id);

/* --- inside a helper: the running invocation --- */

/** bpfrt_exec__user_data() - the user_data pointer given to the run. */
void *bpfrt_exec__user_data(const struct bpfrt_exec *ex);

/**
 * bpfrt_exec__stop() - end the program when the helper returns, as if every
 * frame had exited, with r0 = retval (the "unwind" of the conformance suite,
 * and the way a helper aborts a program).
 */
void bpfrt_exec__stop(struct bpfrt_exec *ex, uint64_t retval);

/**
 * bpfrt_exec__check_mem() - may the program let a helper touch [ptr, ptr+size)?
 *
 * In checked execution this tests the same regions the program itself may
 * access (its stack, its data and context, memory the runtime handed out);
 * helpers that take pointers call it before dereferencing them.
 *
 * Return: true if the whole range is accessible.
 */
bool bpfrt_exec__check_mem(const struct bpfrt_exec *ex, const void *ptr, size_t size, bool write);

#ifdef __cplusplus
}
#endif
#endif
