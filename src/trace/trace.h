/* SPDX-License-Identifier: MIT */
/*
 * trace.h (internal) - the pieces of the process tracer: hooks taken from an
 * object's sections, tracepoint record layouts, the traced tasks, seccomp.
 */
#ifndef BPFRT_TRACE_INTERNAL_H
#define BPFRT_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "bpfrt/runtime.h"

struct bpfrt_object;
struct bpfrt_prog;

/* --- system call names (x86-64 numbers from <asm/unistd_64.h>) --- */

/* The number of system call name, or -1. */
int syscall_nr(const char *name);
/* The name of system call nr, or NULL. */
const char *syscall_name(int nr);
/* One past the highest system call number. */
int syscall_count(void);

/* --- tracepoint records --- */

#define TP_MAX_ARGS 6
#define TP_MAX_RECORD 128

/*
 * Where the fields of a syscall tracepoint's record lie, as the kernel's
 * format file (events/syscalls/sys_{enter,exit}_NAME/format) says.
 */
struct tp_layout {
	uint16_t id;         /* common_type: the event's ID (0 when tracefs is absent) */
	uint32_t size;       /* bytes of the record */
	uint32_t pid_off;    /* common_pid */
	uint32_t nr_off;     /* __syscall_nr */
	unsigned nargs;      /* enter: arguments */
	uint32_t arg_off[TP_MAX_ARGS];
	uint32_t ret_off;    /* exit: ret */
};

/*
 * Read the layout of sys_enter_NAME (enter) or sys_exit_NAME from tracefs;
 * without tracefs, the layout every syscall event of x86-64 has (header,
 * __syscall_nr at 8, 8-byte arguments or ret from 16) with six arguments.
 * Return: 0, or -ENOENT with why filled when tracefs has no such event.
 */
int tp_layout_read(const char *name, bool enter, struct tp_layout *l, char *why, size_t whylen);

/* Fill a record for l: header for pid, nr, and the arguments or the return value. */
void tp_record_fill(const struct tp_layout *l, uint8_t *rec, int pid, int nr,
		    const uint64_t *args, int64_t ret);

/* --- hooks --- */

enum hook_kind {
	HOOK_SYS_ENTER,     /* tracepoint/syscalls/sys_enter_NAME */
	HOOK_SYS_EXIT,      /* tracepoint/syscalls/sys_exit_NAME */
	HOOK_RAW_SYS_ENTER, /* raw_tracepoint/sys_enter */
	HOOK_RAW_SYS_EXIT,  /* raw_tracepoint/sys_exit */
};

struct hook {
	enum hook_kind kind;
	struct bpfrt_prog *prog;
	const char *name;   /* the program's */
	int nr;             /* system call (-1: every one) */
	struct tp_layout layout;
};

/*
 * The hooks of obj's loaded programs (only the one named only, if given).
 * Return: 0, or a negative errno after rt_fail() naming the program.
 */
int hooks_build(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *only,
		struct hook **hooks, size_t *nhooks);

/* --- seccomp --- */

/*
 * Install, in the calling process, a filter that makes the system calls with
 * want[nr] set (every one when all) stop for the tracer (SECCOMP_RET_TRACE)
 * and lets the others run. Return: 0 or a negative errno.
 */
int seccomp_trace_install(const bool *want, int nwant, bool all);

/* --- traced tasks --- */

struct task {
	pid_t tid;
	pid_t tgid;
	bool exit_wanted;     /* resume to the syscall-exit stop */
	bool info_fresh;      /* uid, gid and comm read since the last exec */
	struct bpfrt_task info;
};

struct task_set {
	struct task *v;
	size_t n, cap;
};

struct task *tasks_find(struct task_set *s, pid_t tid);
/* Add tid (or return it if known); NULL when out of memory. */
struct task *tasks_add(struct task_set *s, pid_t tid);
void tasks_remove(struct task_set *s, pid_t tid);
void tasks_free(struct task_set *s);
/* The task's ids and name for the helpers, read from /proc when stale. */
const struct bpfrt_task *task_info(struct task *t);

#endif
