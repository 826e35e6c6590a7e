/* SPDX-License-Identifier: MIT */
/*
 * x86insn.h (internal) - decode x86-64 instructions far enough to move them.
 */
#ifndef BPFRT_TRACE_X86INSN_H
#define BPFRT_TRACE_X86INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x86_insn {
	unsigned len;    /* bytes */
	int fix_off;     /* offset of a 32-bit field relative to the next instruction (RIP-relative
			    displacement or rel32 branch), -1 if none */
	bool ends_flow;  /* ret or jmp: the next bytes are not reached from here */
};

/* Decode the instruction at p. Return: 0, or -1 for one that cannot be moved. */
int x86_decode(const uint8_t *p, size_t avail, struct x86_insn *out);

/*
 * The length of the instruction at p, also of those x86_decode will not
 * move (rel8 branches, int3, string instructions, VEX and EVEX encodings),
 * for walking a function from its start. Return: the length, or -1 for an
 * encoding not known here.
 */
int x86_length(const uint8_t *p, size_t avail);

/*
 * Copy the instruction from address from to dst, which will execute at to,
 * re-basing its 32-bit relative field. Return: 0, or -1 when out of reach.
 */
int x86_relocate(const uint8_t *src, uint64_t from, uint8_t *dst, uint64_t to,
		 const struct x86_insn *in);

#endif
