/* SPDX-License-Identifier: MIT */
/*
 * syspatch.h (internal) - system call instructions rewritten into jumps to an
 * in-process handler, so that a hooked call costs a function call and not
 * a signal (sud.c finds the sites: each first runs through SIGSYS).
 */
#ifndef BPFRT_TRACE_SYSPATCH_H
#define BPFRT_TRACE_SYSPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct syspatch;

/*
 * Sites will jump to entry with the stack as follows: the return address
 * (just past the syscall instruction) on top, 128 bytes of red zone
 * skipped above it, the registers as at the syscall instruction, rcx and
 * r11 free (a syscall clobbers them). entry returns with `ret $128`, to
 * that address or, to have the call made by the syscall instruction
 * itself, 2 bytes before it.
 */
/* Never freed: rewritten code jumps into its stubs as long as the process runs. */
struct syspatch *syspatch_new(uint64_t entry);

/*
 * Whether the syscall instruction at addr can be rewritten: the
 * instruction right before it (at *insn, *len bytes) is 5 bytes or more
 * and can run elsewhere (glibc's `mov $nr,%eax`), both found to begin
 * where decoding the function from its start (ehframe.c) says
 * instructions begin. Only that instruction is replaced, so code jumping
 * straight to the syscall, or returning to it from a signal, still finds
 * it. Return: 0, or -1 with why.
 */
int syspatch_check(uint64_t addr, uint64_t *insn, unsigned *len, char *why, size_t whylen);

/*
 * Check and rewrite the site at addr, once: a site tried before (either
 * way) is not tried again. The jump is written by one atomic store when
 * the instruction lies in an aligned 16 bytes (other threads may run it),
 * else only while the process has one thread. Return: 0 rewritten, or -1
 * with why (why is empty for a site tried before or while another thread
 * rewrites one).
 */
int syspatch_site(struct syspatch *sp, uint64_t addr, char *why, size_t whylen);

/*
 * Forget which sites were tried: code was unmapped and other code may come
 * at the same addresses (a site rewritten already is refused again when
 * tried: the instruction before it is a jump). Not in a signal handler.
 */
void syspatch_forget(struct syspatch *sp);

/* In a fork child: the lock another thread may have held is free. */
void syspatch_after_fork(struct syspatch *sp);

/* Sites rewritten so far. */
size_t syspatch_count(const struct syspatch *sp);

#endif
