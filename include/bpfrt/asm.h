/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/asm.h - assembler and disassembler.
 *
 * Two text syntaxes are understood, and may be mixed line by line:
 *
 *  - LLVM/kernel syntax, as llvm-objdump and verifier logs print it:
 *      r0 = *(u32 *)(r1 + 4)      if r1 > 5 goto +2      w0 += w1
 *      lock *(u64 *)(r10 - 8) += r1      r1 = 0x1122334455667788 ll
 *  - the syntax of the BPF conformance suite (and uBPF):
 *      ldxw %r0, [%r1+4]          jgt %r1, 5, +2         add32 %r0, %r1
 *
 * Jump targets are relative (+2, -3) or labels ("name:" on its own line).
 * Comments start with '#', ';' or '//'.
 */
#ifndef BPFRT_ASM_H
#define BPFRT_ASM_H

#include <stddef.h>
#include "insn.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfrt_syntax {
	BPFRT_SYNTAX_LLVM = 0,        /* r0 = *(u32 *)(r1 + 4) */
	BPFRT_SYNTAX_CONFORMANCE = 1, /* ldxw %r0, [%r1+4] */
};

/**
 * bpfrt_asm() - assemble a program.
 * @text: NUL-terminated source.
 * @insns: out: malloc'ed instructions, to be freed by the caller.
 * @cnt: out: number of instruction slots.
 * @err: out: on failure, "line N: reason" (may be NULL).
 * @errlen: size of err.
 *
 * Return: 0, or -EINVAL for a syntax error, -ENOMEM.
 */
int bpfrt_asm(const char *text, struct bpfrt_insn **insns, size_t *cnt, char *err, size_t errlen);

/**
 * bpfrt_disasm_insn() - print the instruction at insns[idx].
 * @buf, @len: output, always NUL-terminated.
 *
 * An invalid encoding prints as "invalid: ..." with its raw fields.
 * Return: slots taken by the instruction (2 for lddw, else 1).
 */
int bpfrt_disasm_insn(const struct bpfrt_insn *insns, size_t cnt, size_t idx,
		      enum bpfrt_syntax syntax, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
