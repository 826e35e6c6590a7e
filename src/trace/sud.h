/* SPDX-License-Identifier: MIT */
/*
 * sud.h (internal) - system call hooks inside the traced process through
 * Linux's syscall user dispatch (the agent's --inproc-syscalls mode).
 */
#ifndef BPFRT_TRACE_SUD_H
#define BPFRT_TRACE_SUD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

/*
 * Called on the entry (exit false) and exit of each system call of the
 * process: regs as at the syscall instruction (orig_rax the number, rax the
 * result at exit). Runs inside a SIGSYS handler, or called from a rewritten
 * site, with dispatch off either way. Return (entry): true to skip the call,
 * its result then regs->rax (bpf_override_return); false to make it.
 */
typedef bool (*sud_hook_fn)(struct user_regs_struct *regs, bool exit);

/*
 * Install the SIGSYS handler and turn dispatch on for the calling thread;
 * threads and fork children the process creates later are armed as they
 * start. With rewrite, each call site that can be is rewritten into a jump
 * to the hooks (syspatch.c) the first time it traps. Return: 0 or a
 * negative errno (EINVAL: the kernel lacks dispatch).
 */
int sud_start(sud_hook_fn fn, bool rewrite);

/*
 * Only calls of the numbers nrs[] marks (n of them) go to the hooks from
 * rewritten sites; the others go straight to the kernel. Before sud_start;
 * without it every call goes to the hooks.
 */
void sud_want(const bool *nrs, size_t n);

/*
 * Libraries were loaded or unloaded: their system call sites are known (or
 * forgotten) for rewriting. Not in a signal handler.
 */
void sud_modules_changed(void);

/* How the calls of armed threads reached the hooks so far, in this process. */
struct sud_stats {
	uint64_t signalled;       /* through SIGSYS */
	uint64_t rewritten_calls; /* through rewritten sites */
	uint64_t rewritten_sites;
};
void sud_stats(struct sud_stats *st);

/*
 * Whether the calling thread's calls skip the hooks (the agent's own
 * output). Return: whether they did before, to put back.
 */
bool sud_unhooked(bool on);

#endif
