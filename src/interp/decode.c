/* SPDX-License-Identifier: MIT */
/*
 * decode.c - raw instructions to the interpreter's internal form (xcode.h).
 */
#include <errno.h>
#include <string.h>
#include "xcode.h"
#include "isa/validate.h"

static const char *pseudo_name(unsigned src)
{
	static const char *const names[] = {
		[BPFRT_PSEUDO_MAP_FD] = "map fd", [BPFRT_PSEUDO_MAP_VALUE] = "map value",
		[BPFRT_PSEUDO_BTF_ID] = "BTF id", [BPFRT_PSEUDO_MAP_IDX] = "map index",
		[BPFRT_PSEUDO_MAP_IDX_VALUE] = "map index value",
	};
	return src < sizeof(names) / sizeof(names[0]) && names[src] ? names[src] : "unknown";
}

int bpfrt_xcode_build(const struct bpfrt_insn *insns, size_t n,
		      const struct opinfo *const *ops, bpfrt_helper_fn const *helpers,
		      uint32_t nhelpers, const uint64_t *resolved, struct xinsn *code,
		      struct diag *d)
{
	memset(code, 0, n * sizeof(*code));
	for (size_t i = 0; i < n; i++) {
		const struct opinfo *oi = ops[i];
		const struct bpfrt_insn *in = &insns[i];
		struct xinsn *x = &code[i];
		if (!oi) {
			/* Second slot of an lddw: never executed. */
			x->op = OP_EXIT;
			continue;
		}
		x->op = (uint8_t)oi->id;
		x->dst = in->dst;
		x->src = in->src;
		x->off = in->off;
		x->imm = in->imm;

		switch (oi->form) {
		case F_LDDW:
			x->imm = (int64_t)((uint64_t)(uint32_t)in->imm |
					   (uint64_t)(uint32_t)in[1].imm << 32);
			if (in->src == BPFRT_PSEUDO_FUNC) {
				long t = (long)i + 1 + in->imm;
				if (t < 0 || (size_t)t >= n || !ops[t]) {
					diag_insn(d, i, "lddw of a function: target %ld is not an instruction", t);
					return -EINVAL;
				}
				x->imm = (int64_t)(XFUNC_TOKEN_TAG | (uint64_t)t);
			} else if (in->src != BPFRT_PSEUDO_NONE && resolved) {
				x->imm = (int64_t)resolved[i];
			} else if (in->src != BPFRT_PSEUDO_NONE) {
				diag_insn(d, i, "lddw refers to a %s (pseudo source %u) that was not "
					  "resolved: load the program from an object file",
					  pseudo_name(in->src), in->src);
				return -EINVAL;
			}
			break;
		case F_JA: case F_JCOND: case F_GOTOL: {
			long t = bpfrt_branch_target(oi, in, i);
			x->off = (int32_t)(t - (long)i - 1);
			break;
		}
		case F_CALL:
			if (oi->id == OP_CALL_LOCAL) {
				x->off = in->imm;
			} else if (oi->id == OP_CALL_KFUNC) {
				diag_insn(d, i, "call to kernel function with BTF id %d: kfuncs are not "
					  "available in this runtime", in->imm);
				return -ENOENT;
			} else if (in->imm < 0 || (uint32_t)in->imm >= nhelpers ||
				   !helpers[in->imm]) {
				diag_insn(d, i, "call to unknown helper %d", in->imm);
				return -ENOENT;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}
