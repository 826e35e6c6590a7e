/* SPDX-License-Identifier: MIT */
/*
 * tramp.h (internal) - in-process probes: a jump over the probed instruction
 * into a trampoline that saves the registers as struct pt_regs, calls a
 * handler, restores them, runs the moved instructions and jumps back (or,
 * if the handler says so, returns from the probed function).
 */
#ifndef BPFRT_TRACE_TRAMP_H
#define BPFRT_TRACE_TRAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The registers as the kernel's x86-64 struct pt_regs lays them out. */
struct tramp_regs {
	uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax;
	uint64_t ip, cs, flags, sp, ss;
};

/*
 * Called on a hit of probe `site`, with the registers at the probed
 * instruction. Return: false to go on with the code (registers as left in
 * regs, ip and sp excepted); true to return from the probed function at
 * once instead, with regs->ax, as a ret there would (for a probe on a
 * function's first instruction only, where the stack top is the return
 * address: bpf_override_return).
 */
typedef bool (*tramp_hit_fn)(uint64_t site, struct tramp_regs *regs);
/*
 * Called when a function returns into the return trampoline: regs->sp is
 * the slot the real return address must be written to (regs->ip is
 * unknown until then); returns it.
 */
typedef uint64_t (*tramp_ret_fn)(struct tramp_regs *regs);

struct tramp_pool;

struct tramp_pool *tramp_pool_new(void);
/*
 * size bytes within reach of a rel32 jump from addr, in a page mapped
 * read-write-execute when new (a sealed page must be made writable again
 * by whoever writes into it). Return: NULL when no such memory is free.
 */
uint8_t *tramp_pool_alloc(struct tramp_pool *pool, uint64_t addr, size_t size);
/*
 * At most this many pages of trampolines, their list allocated now, so that
 * tramp_pool_alloc calls no malloc (a pool used in a signal handler).
 * Return: 0 or -ENOMEM.
 */
int tramp_pool_limit(struct tramp_pool *pool, size_t pages);
/* Make every trampoline executable (and no longer writable). */
int tramp_pool_seal(struct tramp_pool *pool);

/*
 * Patch the code at addr with a jump to a new trampoline calling hit(site).
 * Return: 0, or -1 with why filled (an instruction that cannot be moved,
 * no memory within reach of a rel32 jump, the page cannot be written).
 */
int tramp_patch(struct tramp_pool *pool, uint64_t addr, uint64_t site, tramp_hit_fn hit,
		char *why, size_t whylen);

/*
 * Put back every patched instruction (the process goes on unprobed; the
 * trampolines stay, for threads inside one and returns still pending).
 */
int tramp_unpatch_all(struct tramp_pool *pool);

/* The return trampoline calling ret (one per process), or 0. */
uint64_t tramp_ret(struct tramp_pool *pool, tramp_ret_fn ret);

#endif
