/* SPDX-License-Identifier: MIT */
/*
 * validate.h - structural checks of a raw program, before anything runs it.
 *
 * These are the checks that need no knowledge of types or values: every
 * instruction is a known encoding with its reserved fields zero (as Linux
 * insists), registers are in range and r10 is never written, jumps and local
 * calls land on an instruction inside the program (not in the middle of an
 * lddw), lddw is not truncated, and control cannot fall off the end.
 */
#ifndef BPFRT_ISA_VALIDATE_H
#define BPFRT_ISA_VALIDATE_H

#include <stddef.h>
#include "bpfrt/insn.h"
#include "opcodes.h"
#include "../util/diag.h"

/* Largest program accepted, as Linux's BPF_COMPLEXITY_LIMIT_INSNS. */
#define BPFRT_MAX_INSNS (1u << 20)

/*
 * Check insns[0..n). On success returns 0 and, when ops is not NULL, fills
 * ops[i] with the table entry of each instruction (NULL for the second slot
 * of an lddw). On failure returns -EINVAL with the reason in d.
 */
int bpfrt_validate(const struct bpfrt_insn *insns, size_t n,
		   const struct opinfo **ops, struct diag *d);

/* Check one instruction's fields alone (no jump targets); used by the above. */
int bpfrt_validate_fields(const struct opinfo *oi, const struct bpfrt_insn *insn,
			  size_t idx, struct diag *d);

/* Jump/call destination of a branch at idx, as a signed slot index. */
long bpfrt_branch_target(const struct opinfo *oi, const struct bpfrt_insn *insn, size_t idx);

#endif
