/* SPDX-License-Identifier: MIT */
/*
 * validate.c - structural checks of a raw program (see validate.h).
 */
#include <errno.h>
#include <stdlib.h>
#include "validate.h"

/* Does the instruction write its dst register? r10 may never be written. */
static bool writes_dst(const struct opinfo *oi)
{
	switch (oi->form) {
	case F_ALU: case F_NEG: case F_MOVSX: case F_END: case F_LDX: case F_LDDW:
		return true;
	default:
		return false;
	}
}

/* Fetching atomics write the old value back into src (cmpxchg into r0). */
static bool writes_src(const struct opinfo *oi)
{
	return oi->form == F_ATOMIC && (oi->vval & 0x01) && oi->vval != 0xf1;
}

static bool uses_src_reg(const struct opinfo *oi)
{
	switch (oi->form) {
	case F_ALU: case F_JCOND: return op_src_is_reg(oi);
	case F_MOVSX: case F_LDX: case F_STX: case F_ATOMIC: case F_LDIND: return true;
	default: return false;
	}
}

static bool uses_dst_reg(const struct opinfo *oi)
{
	switch (oi->form) {
	case F_LDABS: case F_LDIND: case F_JA: case F_GOTOL: case F_CALL: case F_EXIT:
		return false;
	default:
		return true;
	}
}

long bpfrt_branch_target(const struct opinfo *oi, const struct bpfrt_insn *insn, size_t idx)
{
	switch (oi->form) {
	case F_JA: case F_JCOND: return (long)idx + 1 + insn->off;
	case F_GOTOL: return (long)idx + 1 + insn->imm;
	case F_CALL: return oi->id == OP_CALL_LOCAL ? (long)idx + 1 + insn->imm : -1;
	default: return -1; /* not a branch */
	}
}

/* Reserved fields, per form: Linux rejects an instruction that sets them. */
int bpfrt_validate_fields(const struct opinfo *oi, const struct bpfrt_insn *insn,
			  size_t idx, struct diag *d)
{
	bool src_zero = false, dst_zero = false, off_zero = false, imm_zero = false;

	switch (oi->form) {
	case F_ALU:
		off_zero = oi->vkind != V_OFF;
		if (op_src_is_reg(oi))
			imm_zero = true;
		else
			src_zero = true;
		break;
	case F_NEG: src_zero = off_zero = imm_zero = true; break;
	case F_MOVSX: imm_zero = true; break;
	case F_END: src_zero = off_zero = true; break;
	case F_LDX: imm_zero = true; break;
	case F_ST: src_zero = true; break;
	case F_STX: imm_zero = true; break;
	case F_ATOMIC: break;
	case F_LDDW:
		off_zero = true;
		if (insn->src > BPFRT_PSEUDO_MAP_IDX_VALUE) {
			diag_insn(d, idx, "lddw has unknown pseudo source %u (0..6 are defined)", insn->src);
			return -EINVAL;
		}
		break;
	case F_LDABS: src_zero = dst_zero = off_zero = true; break;
	case F_LDIND: dst_zero = off_zero = true; break;
	case F_JA: src_zero = dst_zero = imm_zero = true; break;
	case F_GOTOL: src_zero = dst_zero = off_zero = true; break;
	case F_JCOND:
		if (op_src_is_reg(oi))
			imm_zero = true;
		else
			src_zero = true;
		break;
	case F_CALL:
		dst_zero = true;
		off_zero = oi->id != OP_CALL_KFUNC; /* a kfunc's off names its module BTF */
		break;
	case F_CALLX: src_zero = off_zero = imm_zero = true; break;
	case F_EXIT: src_zero = dst_zero = off_zero = imm_zero = true; break;
	}

	const char *field = NULL;
	if (src_zero && insn->src) field = "src register";
	else if (dst_zero && insn->dst) field = "dst register";
	else if (off_zero && insn->off) field = "offset";
	else if (imm_zero && insn->imm) field = "immediate";
	if (field) {
		diag_insn(d, idx, "'%s' (opcode 0x%02x) has a non-zero %s, a reserved field for it",
			  oi->name, insn->code, field);
		return -EINVAL;
	}

	if ((uses_dst_reg(oi) && insn->dst >= BPFRT_NREGS) ||
	    (uses_src_reg(oi) && insn->src >= BPFRT_NREGS)) {
		diag_insn(d, idx, "invalid register r%u (registers are r0..r10)",
			  insn->dst >= BPFRT_NREGS ? insn->dst : insn->src);
		return -EINVAL;
	}
	if ((writes_dst(oi) && insn->dst == 10) || (writes_src(oi) && insn->src == 10)) {
		diag_insn(d, idx, "'%s' writes r10, the frame pointer, which is read-only", oi->name);
		return -EINVAL;
	}
	return 0;
}

static int check_unknown(const struct bpfrt_insn *insn, size_t idx, struct diag *d)
{
	if (!bpfrt_op_code_known(insn->code)) {
		diag_insn(d, idx, "unknown opcode 0x%02x", insn->code);
		return -EINVAL;
	}
	/* The byte is known: some other field selects a variant that does not exist. */
	switch (insn->code) {
	case 0xc3: case 0xdb:
		diag_insn(d, idx, "unknown atomic operation 0x%x (opcode 0x%02x)", (unsigned)insn->imm, insn->code);
		break;
	case 0xd4: case 0xdc: case 0xd7:
		diag_insn(d, idx, "invalid byte-swap width %d (16, 32 or 64)", insn->imm);
		break;
	case 0x85:
		diag_insn(d, idx, "call with unknown kind src=%u (0 helper, 1 local, 2 kfunc)", insn->src);
		break;
	case 0xbf: case 0xbc:
		diag_insn(d, idx, "mov with invalid sign-extension offset %d", insn->off);
		break;
	default:
		diag_insn(d, idx, "opcode 0x%02x with invalid offset %d (0 unsigned, 1 signed)", insn->code, insn->off);
		break;
	}
	return -EINVAL;
}

int bpfrt_validate(const struct bpfrt_insn *insns, size_t n,
		   const struct opinfo **ops, struct diag *d)
{
	if (n == 0) {
		diag_set(d, "program is empty");
		return -EINVAL;
	}
	if (n > BPFRT_MAX_INSNS) {
		diag_set(d, "program has %zu instructions, more than the limit of %u", n, BPFRT_MAX_INSNS);
		return -E2BIG;
	}

	/* Pass 1: decode each slot, mark second halves of lddw. */
	const struct opinfo **dec = ops ? ops : calloc(n, sizeof(*dec));
	if (!dec) {
		diag_set(d, "out of memory");
		return -ENOMEM;
	}
	int err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		const struct opinfo *oi = bpfrt_op_decode(&insns[i]);
		dec[i] = oi;
		if (!oi) {
			err = check_unknown(&insns[i], i, d);
			break;
		}
		err = bpfrt_validate_fields(oi, &insns[i], i, d);
		if (!err && oi->form == F_LDDW) {
			if (i + 1 >= n) {
				diag_insn(d, i, "lddw is truncated: its second slot is missing at the end of the program");
				err = -EINVAL;
				break;
			}
			const struct bpfrt_insn *hi = &insns[i + 1];
			if (hi->code || hi->dst || hi->src || hi->off) {
				diag_insn(d, i + 1, "second slot of lddw at insn %zu must have only an immediate "
					  "(found opcode 0x%02x)", i, hi->code);
				err = -EINVAL;
				break;
			}
			/* Only the *_VALUE sources use the second immediate (an offset). */
			if (hi->imm && insns[i].src != BPFRT_PSEUDO_NONE &&
			    insns[i].src != BPFRT_PSEUDO_MAP_VALUE &&
			    insns[i].src != BPFRT_PSEUDO_MAP_IDX_VALUE) {
				diag_insn(d, i, "lddw with pseudo source %u must have 0 in the "
					  "immediate of its second slot", insns[i].src);
				err = -EINVAL;
				break;
			}
			dec[++i] = NULL;
		}
	}

	/* Pass 2: branch targets, and the fall-through at the end. */
	for (size_t i = 0; i < n && !err; i++) {
		const struct opinfo *oi = dec[i];
		if (!oi)
			continue;
		bool branches = oi->form == F_JA || oi->form == F_GOTOL || oi->form == F_JCOND ||
				oi->id == OP_CALL_LOCAL;
		long t = bpfrt_branch_target(oi, &insns[i], i);
		if (branches) {
			const char *what = oi->form == F_CALL ? "call" : "jump";
			if (t < 0 || (size_t)t >= n) {
				diag_insn(d, i, "%s to %ld is out of range (program has %zu instructions)", what, t, n);
				err = -EINVAL;
			} else if (!dec[t]) {
				diag_insn(d, i, "%s to %ld lands in the middle of the lddw at %ld", what, t, t - 1);
				err = -EINVAL;
			}
		}
	}
	if (!err) {
		size_t last = n - 1;
		if (!dec[last])
			last--; /* the lddw itself */
		const struct opinfo *oi = dec[last];
		if (oi->form != F_EXIT && oi->form != F_JA && oi->form != F_GOTOL) {
			diag_insn(d, last, "'%s' is the last instruction and control falls through past "
				  "the end of the program (end with exit or a jump)", oi->name);
			err = -EINVAL;
		}
	}
	if (!ops)
		free(dec);
	return err;
}
