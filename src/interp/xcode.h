/* SPDX-License-Identifier: MIT */
/*
 * xcode.h - the interpreter's internal form of a program.
 *
 * A program is decoded once, after validation, into an array of xinsn: one
 * per instruction slot, 16 bytes, with the operation already resolved from
 * the opcode table (so div and sdiv, or the atomics, are different ops and the
 * loop never looks at variant fields), immediates sign-extended to 64 bits, the
 * lddw value whole in its first slot, and branch distances in one field.
 */
#ifndef BPFRT_INTERP_XCODE_H
#define BPFRT_INTERP_XCODE_H

#include <stdint.h>
#include "isa/opcodes.h"
#include "util/diag.h"
#include "bpfrt/runtime.h"

struct xinsn {
	uint8_t op;    /* enum op_id */
	uint8_t dst;
	uint8_t src;
	uint8_t pad;
	int32_t off;   /* memory displacement, or branch distance from the next slot */
	int64_t imm;   /* immediate, sign-extended; lddw: the 64-bit value */
};

struct bpfrt_runtime;

/*
 * Decode validated instructions into code[0..n). Helper calls are checked
 * against the helper table helpers[0..nhelpers) (NULL: no such helper). lddw pseudo sources
 * other than NONE and FUNC take their value from resolved[i] (the address of
 * a map or map value, found by the caller); without resolved they are an
 * error. Returns 0 or -errno with the reason in d.
 */
int bpfrt_xcode_build(const struct bpfrt_insn *insns, size_t n,
		      const struct opinfo *const *ops, bpfrt_helper_fn const *helpers,
		      uint32_t nhelpers, const uint64_t *resolved, struct xinsn *code,
		      struct diag *d);

/*
 * lddw with BPFRT_PSEUDO_FUNC yields a token that names a subprogram; callx
 * on such a value calls the subprogram (helpers taking callbacks use it too).
 */
#define XFUNC_TOKEN_TAG 0xbf00000000000000ull
#define XFUNC_TOKEN_MASK 0xff00000000000000ull

#endif
