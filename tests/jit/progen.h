/* SPDX-License-Identifier: MIT */
/*
 * progen.h - random valid eBPF programs that are memory-safe by construction,
 * for differential testing of the JIT against the interpreter.
 *
 * A program is a main function and up to PROGEN_MAX_FUNCS - 1 subprograms,
 * each a tree of blocks: ALU soup over r0..r5 and r7..r9 with every ALU
 * instruction of the table and edge-case immediates; loads, stores and every
 * atomic on the stack (through r10) and the input memory (through r6, which
 * holds r1's pointer and is never written); forward conditional and
 * unconditional jumps over nested blocks; counted loops whose counters live
 * in the top 32 bytes of the frame; bpf-to-bpf calls, callx through function
 * tokens and helper ids; helper calls; legacy packet loads. A function only
 * calls functions after it, so calls are never deeper than PROGEN_MAX_FUNCS
 * frames (some chains pass BPFRT_MAX_FRAMES and must fail alike in both
 * engines); loops have small constant counts and every call is charged its
 * callee's cost, so every program ends within a bounded number of steps.
 * Pointers reach the soup registers only as values (spilled, compared,
 * computed with), never to be dereferenced; diffrun runs both engines on the
 * same memory, so they compare equal.
 *
 * Helpers the programs call (the caller registers them, see progen.c):
 * PROGEN_H_MIX (mixes its arguments), PROGEN_H_STOP (stops the program for
 * some arguments), PROGEN_H_FAIL (fails the run for some), PROGEN_H_CALLBACK
 * (runs function r1 with r2, r3 through exec_call_func, as bpf_loop does).
 * Callbacks run the last few functions, which never touch the input memory
 * (r6 is 0 there): they nest, call later functions and helpers, and may stop
 * the program or pass the frame limit, all in the callback's own frame.
 */
#ifndef BPFRT_TESTS_JIT_PROGEN_H
#define BPFRT_TESTS_JIT_PROGEN_H

#include <stddef.h>
#include <stdint.h>
#include "bpfrt/bpfrt.h"

#define PROGEN_MEM_LEN 64      /* bytes of input memory programs may touch */
#define PROGEN_MAX_FUNCS 10   /* more than BPFRT_MAX_FRAMES: some chains are too deep */
#define PROGEN_MAX_INSNS 4096

enum { PROGEN_H_MIX = 1, PROGEN_H_STOP = 2, PROGEN_H_FAIL = 3, PROGEN_H_CALLBACK = 4,
       PROGEN_NHELPERS = 5 };

/* The helper table the programs expect, indexed by id. */
extern bpfrt_helper_fn const progen_helpers[PROGEN_NHELPERS];

/*
 * Randomness: a seeded xorshift generator, or (for libFuzzer) the bytes of an
 * input, read until they run out and then zeros.
 */
struct progen_rng {
	uint64_t state;
	const uint8_t *bytes;
	size_t nbytes, pos;
};

/*
 * Generate one program into insns[0..PROGEN_MAX_INSNS) and its input memory
 * into mem[0..PROGEN_MEM_LEN). Returns the number of slots.
 */
size_t progen_program(struct progen_rng *rng, struct bpfrt_insn *insns, uint8_t *mem);

#endif
