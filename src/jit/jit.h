/* SPDX-License-Identifier: MIT */
/*
 * jit.h - compile a decoded program (xcode.h) to native code.
 *
 * The JIT is the fast unchecked engine: like bpfrt_interp_run() it is only for
 * programs proven safe (the checked interpreter stays the safety net), so it
 * does no memory bounds checks. Everything else is the interpreter's exact
 * semantics: division by zero and INT_MIN / -1 give the ISA's results instead
 * of trapping, shift counts are masked, 32-bit results are zero-extended,
 * atomics are sequentially consistent, calls nest at most BPFRT_MAX_FRAMES
 * deep, helpers may stop the program, LD_ABS/LD_IND out of bounds ends it
 * with 0. The one documented difference: after a helper call r1..r5 hold
 * whatever the helper left in them (the ISA says they are clobbered, and a
 * verifier rejects reading them), where the interpreter happens to keep them.
 * Callbacks a helper runs through exec_call_func() (bpf_loop and the like)
 * run as native code too, in the frame below the caller's: the entry sets
 * ex->native_call to the image's callback entry.
 *
 * One backend per host architecture, each a file of its own (x86_64.c); this
 * interface and jit.c (memory, the offset map, the dump) are shared by all.
 */
#ifndef BPFRT_JIT_JIT_H
#define BPFRT_JIT_JIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "interp/xcode.h"
#include "util/diag.h"

struct bpfrt_exec;

/*
 * The compiled program: exactly the interpreter's entry contract. Runs the
 * program from code[0] with r1, r2 as given and r10 at the top of ex->stack;
 * reads ex->helpers, ex->nhelpers, ex->pkt, ex->pkt_len, ex->stop and
 * ex->stop_ret as the interpreter does. Returns 0 with r0 in *ret, or a
 * negative errno with a message in ex->diag: -E2BIG for calls nested deeper
 * than BPFRT_MAX_FRAMES, -ENOENT for callx through a value that is neither a
 * helper nor a function. Reentrant: the image is read-only, all run state is
 * in ex, so one image may run on many threads with one exec each.
 */
typedef int (*bpfrt_jit_fn)(struct bpfrt_exec *ex, uint64_t r1, uint64_t r2, uint64_t *ret);

struct jit_image {
	bpfrt_jit_fn run;     /* the entry point, inside mem */
	void *mem;            /* the mapping: read+execute once compiled */
	size_t mem_size;      /* its length (whole pages) */
	size_t code_size;     /* bytes of code at mem (the rest is data, e.g. callx's table) */
	size_t n;             /* instruction slots of the program */
	uint32_t *insn_off;   /* [0..n]: offset in mem of each slot's code; [n] = end of the body */
	uint8_t *ops;         /* [0..n): each slot's op id, for the dump; 0xff: second lddw slot */
};

/**
 * bpfrt_jit_compile() - compile code[0..n) for this host.
 * @code: the program as bpfrt_xcode_build() made it (validated, helper calls
 *        resolved, lddw values plain or function tokens).
 * @n: its number of slots.
 * @img: filled in on success; bpfrt_jit_free() releases it.
 * @d: the reason on failure, naming the instruction.
 *
 * Nothing falls back silently: an instruction the backend cannot compile is
 * an error. Return: 0, -ENOTSUP (no backend for this host, or an instruction
 * it cannot compile), -EINVAL (no instructions), -ENOMEM, -EFBIG (code too
 * large).
 */
int bpfrt_jit_compile(const struct xinsn *code, size_t n, struct jit_image *img, struct diag *d);

/* Options of bpfrt_jit_compile_opts(). */
struct jit_opts {
	/*
	 * Constant blinding, as Linux's bpf_jit_harden: every immediate of
	 * the program (ALU and jump operands, stored constants, lddw values)
	 * reaches the code XOR-ed with a key drawn at random for this
	 * compilation, and is recovered into a scratch register at run time,
	 * so that the program cannot place chosen bytes in executable memory.
	 */
	bool blind;
};

/* bpfrt_jit_compile() with options (NULL: none). */
int bpfrt_jit_compile_opts(const struct xinsn *code, size_t n, const struct jit_opts *opts,
			   struct jit_image *img, struct diag *d);

/** bpfrt_jit_free() - unmap the code and free the image's tables; img may be zeroed. */
void bpfrt_jit_free(struct jit_image *img);

/**
 * bpfrt_jit_dump() - print the native code in hex, one line per eBPF
 * instruction ("insn 12 (add): 48 01 f7"), with the prologue, epilogue and
 * shared stubs on lines of their own. For `bpfrt prog dump jited`; feed the
 * bytes to a disassembler for mnemonics.
 */
void bpfrt_jit_dump(const struct jit_image *img, FILE *out);

#endif
