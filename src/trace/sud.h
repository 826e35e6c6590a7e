/* SPDX-License-Identifier: MIT */
/*
 * sud.h (internal) - system call hooks inside the traced process through
 * Linux's syscall user dispatch (the agent's --inproc-syscalls mode).
 */
#ifndef BPFRT_TRACE_SUD_H
#define BPFRT_TRACE_SUD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

/*
 * Called on the entry (exit false) and exit of each system call of the
 * process: regs as at the syscall instruction (orig_rax the number, rax the
 * result at exit). Runs inside a SIGSYS handler, with dispatch off.
 */
typedef void (*sud_hook_fn)(struct user_regs_struct *regs, bool exit);

/*
 * Install the SIGSYS handler and turn dispatch on for the calling thread;
 * threads and fork children the process creates later are armed as they
 * start. Return: 0 or a negative errno (EINVAL: the kernel lacks dispatch).
 */
int sud_start(sud_hook_fn fn);

#endif
