/* SPDX-License-Identifier: MIT */
/*
 * cfg.c - what the verifier learns from the instruction graph alone, before
 * exploring any path: where functions (subprograms) begin and end, that
 * jumps stay inside their function and every function ends in exit or a
 * jump, that no instruction is unreachable (as Linux's check_cfg), which
 * registers each instruction may still read later (liveness, used to ignore
 * dead registers when comparing states), and where states are stored for
 * pruning.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vstate.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Helpers whose prototype takes a callback. */
static bool proto_has_callback(const struct helper_proto *p)
{
	if (!p)
		return false;
	for (int i = 0; i < 5; i++)
		if (p->arg[i] == ARG_PTR_TO_FUNC)
			return true;
	return false;
}

static const struct helper_proto *proto_of(const struct venv *env, uint32_t id)
{
	const struct verifier_input *in = env->in;
	return in->helper_proto ? in->helper_proto(in->ctx, id) : NULL;
}

/* Subprogram starts: insn 0, targets of local calls and of lddw of functions. */
static int find_subprogs(struct venv *env)
{
	size_t n = 1;
	uint32_t *starts = malloc(sizeof(*starts) * (env->cnt + 1));
	if (!starts)
		return -ENOMEM;
	starts[0] = 0;
	for (size_t i = 0; i < env->cnt; i++) {
		const struct opinfo *oi = env->ops[i];
		const struct bpfrt_insn *in = &env->insns[i];
		long t;
		if (!oi)
			continue;
		if (oi->id == OP_CALL_LOCAL) {
			t = (long)i + 1 + in->imm;
		} else if (oi->form == F_LDDW && in->src == BPFRT_PSEUDO_FUNC) {
			t = (long)i + 1 + in->imm;
			if (t < 0 || (size_t)t >= env->cnt || !env->ops[t]) {
				free(starts);
				return verr_code(env, -EINVAL, (uint32_t)i,
						 "lddw of a function refers to insn %ld, which is not the "
						 "start of an instruction of the program", t);
			}
		} else {
			continue;
		}
		starts[n++] = (uint32_t)t;
	}
	qsort(starts, n, sizeof(*starts), cmp_u32);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || starts[m - 1] != starts[i])
			starts[m++] = starts[i];
	env->subprogs = calloc(m, sizeof(*env->subprogs));
	env->subprog_of = malloc(sizeof(*env->subprog_of) * env->cnt);
	if (!env->subprogs || !env->subprog_of) {
		free(starts);
		return -ENOMEM;
	}
	env->nsubprogs = (uint32_t)m;
	for (size_t s = 0; s < m; s++) {
		env->subprogs[s].start = starts[s];
		env->subprogs[s].end = s + 1 < m ? starts[s + 1] : (uint32_t)env->cnt;
		for (uint32_t i = env->subprogs[s].start; i < env->subprogs[s].end; i++)
			env->subprog_of[i] = (uint32_t)s;
	}
	free(starts);
	return 0;
}

/* Jumps stay in their function; each function ends in exit or a jump. */
static int check_subprogs(struct venv *env)
{
	bool ld_abs = false;
	size_t ld_abs_at = 0;
	for (uint32_t s = 0; s < env->nsubprogs; s++) {
		struct subprog *sp = &env->subprogs[s];
		uint32_t last = sp->end - 1;
		if (!env->ops[last])
			last--;
		const struct opinfo *oi = env->ops[last];
		if (oi->form != F_EXIT && oi->form != F_JA && oi->form != F_GOTOL)
			return verr_code(env, -EINVAL, last, "the function starting at insn %u ends here with '%s', "
					 "and control would run into the next function (end it with exit or a jump)",
					 sp->start, oi->name);
		for (uint32_t i = sp->start; i < sp->end; i++) {
			oi = env->ops[i];
			if (!oi)
				continue;
			if (oi->form == F_LDABS || oi->form == F_LDIND) {
				if (!ld_abs)
					ld_abs_at = i;
				ld_abs = true;
			}
			if (oi->form != F_JA && oi->form != F_GOTOL && oi->form != F_JCOND)
				continue;
			long t = bpfrt_branch_target(oi, &env->insns[i], i);
			if (t < sp->start || t >= sp->end)
				return verr_code(env, -EINVAL, i, "jump to insn %ld leaves the function that starts "
						 "at insn %u (functions are entered and left only by call and exit)",
						 t, sp->start);
		}
	}
	if (ld_abs && env->nsubprogs > 1)
		return verr_code(env, -EINVAL, (uint32_t)ld_abs_at, "legacy packet loads (LD_ABS/LD_IND) cannot "
				 "be mixed with bpf-to-bpf calls, as in Linux");
	return 0;
}

/* Every instruction must be reachable from insn 0 in the graph (Linux's check_cfg). */
static int check_reachable(struct venv *env)
{
	uint8_t *seen = calloc(env->cnt, 1);
	uint32_t *work = malloc(sizeof(*work) * env->cnt);
	size_t nw = 0;
	if (!seen || !work) {
		free(seen);
		free(work);
		return -ENOMEM;
	}
#define VISIT(t) do { if (!seen[t]) { seen[t] = 1; work[nw++] = (uint32_t)(t); } } while (0)
	VISIT(0);
	while (nw) {
		uint32_t i = work[--nw];
		const struct opinfo *oi = env->ops[i];
		const struct bpfrt_insn *in = &env->insns[i];
		size_t next = i + (oi->form == F_LDDW ? 2 : 1);
		switch (oi->form) {
		case F_EXIT:
			break;
		case F_JA: case F_GOTOL:
			VISIT((size_t)bpfrt_branch_target(oi, in, i));
			break;
		case F_JCOND:
			VISIT((size_t)bpfrt_branch_target(oi, in, i));
			VISIT(next);
			break;
		case F_CALL:
			if (oi->id == OP_CALL_LOCAL)
				VISIT((size_t)bpfrt_branch_target(oi, in, i));
			VISIT(next);
			break;
		case F_LDDW:
			if (in->src == BPFRT_PSEUDO_FUNC)
				VISIT((size_t)((long)i + 1 + in->imm));
			VISIT(next);
			break;
		default:
			VISIT(next);
			break;
		}
	}
#undef VISIT
	int err = 0;
	for (size_t i = 0; i < env->cnt && !err; i++)
		if (env->ops[i] && !seen[i])
			err = verr_code(env, -EINVAL, (uint32_t)i, "unreachable insn %zu: no path from the "
					 "program's start leads here (Linux refuses dead code)", i);
	free(seen);
	free(work);
	return err;
}

#define R(n) (1u << (n))
#define ARGS (R(1) | R(2) | R(3) | R(4) | R(5))
#define CALLER_SAVED (R(0) | ARGS)

/* Registers insn i reads (use) and writes (def), for liveness. */
static void use_def(const struct venv *env, size_t i, uint16_t *use, uint16_t *def)
{
	const struct opinfo *oi = env->ops[i];
	const struct bpfrt_insn *in = &env->insns[i];
	uint16_t u = 0, d = 0;
	switch (oi->form) {
	case F_ALU:
		if (oi->id != OP_MOV64_IMM && oi->id != OP_MOV32_IMM && oi->id != OP_MOV64_REG &&
		    oi->id != OP_MOV32_REG)
			u |= R(in->dst);
		if (op_src_is_reg(oi))
			u |= R(in->src);
		d |= R(in->dst);
		break;
	case F_NEG: case F_END: u |= R(in->dst); d |= R(in->dst); break;
	case F_MOVSX: u |= R(in->src); d |= R(in->dst); break;
	case F_LDX: u |= R(in->src); d |= R(in->dst); break;
	case F_ST: u |= R(in->dst); break;
	case F_STX: u |= R(in->dst) | R(in->src); break;
	case F_ATOMIC:
		u |= R(in->dst) | R(in->src);
		if (oi->vval == 0xf1) {
			u |= R(0);
			d |= R(0);
		} else if (oi->vval & 1) {
			d |= R(in->src);
		}
		break;
	case F_LDDW: d |= R(in->dst); break;
	case F_LDABS: u |= R(6); d |= CALLER_SAVED; break;
	case F_LDIND: u |= R(6) | R(in->src); d |= CALLER_SAVED; break;
	case F_JCOND:
		u |= R(in->dst);
		if (op_src_is_reg(oi))
			u |= R(in->src);
		break;
	case F_CALL:
		if (oi->id == OP_CALL_HELPER) {
			const struct helper_proto *p = proto_of(env, (uint32_t)in->imm);
			if (!p) {
				u |= ARGS;
			} else {
				for (int a = 0; a < 5; a++)
					if (p->arg[a] != ARG_DONTCARE)
						u |= R(a + 1);
			}
		} else {
			u |= ARGS;
		}
		d |= CALLER_SAVED;
		break;
	case F_CALLX: u |= R(in->dst) | ARGS; d |= CALLER_SAVED; break;
	case F_EXIT: u |= R(0); break;
	default: break;
	}
	*use = u & 0x3ff;
	*def = d & 0x3ff;
}

/* Backward dataflow to a fixed point: live-in = use | (live-out & ~def). */
static int compute_liveness(struct venv *env)
{
	env->live = calloc(env->cnt, sizeof(*env->live));
	if (!env->live)
		return -ENOMEM;
	bool changed = true;
	while (changed) {
		changed = false;
		for (size_t k = env->cnt; k-- > 0;) {
			const struct opinfo *oi = env->ops[k];
			if (!oi)
				continue;
			uint16_t use, def, out = 0;
			use_def(env, k, &use, &def);
			size_t next = k + (oi->form == F_LDDW ? 2 : 1);
			bool falls = oi->form != F_EXIT && oi->form != F_JA && oi->form != F_GOTOL;
			if (falls && next < env->cnt)
				out |= env->live[next];
			if (oi->form == F_JA || oi->form == F_GOTOL || oi->form == F_JCOND)
				out |= env->live[bpfrt_branch_target(oi, &env->insns[k], k)];
			uint16_t in = (uint16_t)(use | (out & ~def));
			if (in != env->live[k]) {
				env->live[k] = in;
				changed = true;
			}
		}
	}
	return 0;
}

bool insn_is_cb_helper(uint32_t id)
{
	return id == 164 || id == 181; /* bpf_for_each_map_elem, bpf_loop */
}

static void mark_prune_points(struct venv *env)
{
	for (size_t i = 0; i < env->cnt; i++) {
		const struct opinfo *oi = env->ops[i];
		if (!oi)
			continue;
		const struct bpfrt_insn *in = &env->insns[i];
		switch (oi->form) {
		case F_JA: case F_GOTOL:
			env->flags[bpfrt_branch_target(oi, in, i)] |= INSN_PRUNE | INSN_JMP_TARGET;
			break;
		case F_JCOND:
			env->flags[i] |= INSN_PRUNE;
			env->flags[bpfrt_branch_target(oi, in, i)] |= INSN_PRUNE | INSN_JMP_TARGET;
			break;
		case F_CALL: case F_CALLX:
			if (oi->id == OP_CALL_LOCAL || oi->form == F_CALLX)
				env->flags[i] |= INSN_PRUNE;
			if (oi->id == OP_CALL_HELPER &&
			    proto_has_callback(proto_of(env, (uint32_t)in->imm)))
				env->flags[i] |= INSN_PRUNE | INSN_CB_CALL;
			if (i + 1 < env->cnt)
				env->flags[i + 1] |= INSN_PRUNE;
			break;
		default:
			break;
		}
	}
}

int cfg_check(struct venv *env)
{
	int err = find_subprogs(env);
	if (!err)
		err = check_subprogs(env);
	if (!err)
		err = check_reachable(env);
	if (!err)
		err = compute_liveness(env);
	if (!err)
		mark_prune_points(env);
	return err;
}
