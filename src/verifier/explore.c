/* SPDX-License-Identifier: MIT */
/*
 * explore.c - the search over every path of the program (Linux's do_check
 * and is_state_visited), and bpfrt_verify() itself.
 *
 * One path is followed at a time; at a conditional jump the other side is
 * pushed and explored later (depth first). At prune points the current
 * state is compared with the states stored there (nodes):
 *
 *  - a finished node (no path below it still running) that includes the
 *    current state ends the path: everything from here was proven safe;
 *  - an unfinished node is an ancestor, so the path has come around a loop.
 *    An identical state means the loop never ends ("infinite loop"); a
 *    bounded loop changes something each time and is explored until its
 *    condition is decided, within the budget of 1 million instructions. At
 *    the call of bpf_loop or bpf_for_each_map_elem (a loop the helper
 *    bounds), an ancestor that includes the current state does end the path:
 *    the callback's runs have reached a fixed point.
 *
 * A node whose subtree relied on such a fixed point may be incomplete in
 * its precision marks, so it only prunes states its full ranges include.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vstate.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A path ended below p: p and its ancestors may now be finished. */
static void path_done(struct venv *env, struct vnode *p)
{
	while (p) {
		if (--p->branches)
			break;
		p = p->st.parent;
	}
	(void)env;
}

static void reset_precise(struct vstate *st)
{
	FOR_EACH_REG(st, r, { r->precise = false; });
}

static void node_free(struct venv *env, struct vnode *n)
{
	state_clear(&n->st);
	free(n);
	env->cur_states--;
}

/*
 * Returns 1 when cur is covered by a stored state (the path ends), 0 to go
 * on (having stored cur as a new node, unless in a tight loop), or an error.
 */
static int is_state_visited(struct venv *env, struct vstate *cur, uint32_t idx)
{
	bool cb_call = env->flags[idx] & INSN_CB_CALL;
	bool add = true;
	struct vnode **pp = &env->explored[idx];
	while (*pp) {
		struct vnode *n = *pp;
		if (n->branches) {
			/* an ancestor: we came around a loop */
			if (cb_call && states_equal(env, &n->st, cur, CMP_RANGE)) {
				for (struct vnode *a = cur->parent; a && a != n; a = a->st.parent)
					a->range_only = true;
				n->hits++;
				return 1;
			}
			if (states_equal(env, &n->st, cur, CMP_EXACT)) {
				log_state(env, cur);
				return verr_code(env, -EINVAL, idx, "infinite loop detected: the program comes back "
						 "here in exactly the same state as before, so it would never end");
			}
			if (!cb_call && env->jmps_processed - env->prev_jmps_processed < 20 &&
			    env->insn_processed - env->prev_insn_processed < 100)
				add = false;
			/*
			 * Each iteration of a long loop leaves an ancestor here; comparing
			 * with all of them makes a loop quadratic. One that keeps missing
			 * is unlinked (as Linux does) but kept alive: paths below still
			 * point to it.
			 */
			if (++n->misses > n->hits * 3 + 3) {
				*pp = n->next;
				n->next = env->retired;
				env->retired = n;
				continue;
			}
			pp = &n->next;
			continue;
		}
		enum cmp_mode mode = n->range_only || env->precise_all ? CMP_RANGE : CMP_PRUNE;
		if (states_equal(env, &n->st, cur, mode)) {
			n->hits++;
			if (mode == CMP_PRUNE) {
				int err = propagate_precision(env, cur, &n->st);
				if (err)
					return err;
			}
			if (env->log_level >= 2 && env->log)
				vlog(env, "%u: safe (pruned against a state stored here)\n", idx);
			return 1;
		}
		/* A stored state that keeps missing only costs time: drop it (as Linux). */
		if (++n->misses > n->hits * 3 + 3) {
			*pp = n->next;
			node_free(env, n);
			continue;
		}
		pp = &n->next;
	}
	if (!add)
		return 0;
	struct vnode *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	reset_precise(cur);
	int err = state_copy(env, &n->st, cur);
	if (err) {
		free(n);
		return err;
	}
	n->st.insn = idx;
	n->branches = 1;
	n->next = env->explored[idx];
	env->explored[idx] = n;
	cur->parent = n;
	cur->hist = NULL;
	cur->first_insn = (int32_t)idx;
	env->nstates++;
	if (++env->cur_states > env->peak_states)
		env->peak_states = env->cur_states;
	env->prev_insn_processed = env->insn_processed;
	env->prev_jmps_processed = env->jmps_processed;
	return 0;
}

static int step(struct venv *env, struct vstate *st, uint32_t idx, long *next)
{
	const struct opinfo *oi = env->ops[idx];
	const struct bpfrt_insn *in = &env->insns[idx];
	int err = 0;
	*next = (long)idx + 1;
	switch (oi->form) {
	case F_ALU: case F_NEG: case F_END: case F_MOVSX:
		return do_alu(env, st, oi, in, idx);
	case F_LDX:
		return do_ldx(env, st, oi, in, idx);
	case F_ST: case F_STX:
		return do_store(env, st, oi, in, idx);
	case F_ATOMIC:
		return do_atomic(env, st, oi, in, idx);
	case F_LDDW:
		*next = (long)idx + 2;
		return do_lddw(env, st, in, idx);
	case F_LDABS: case F_LDIND:
		return do_ld_pkt(env, st, oi, in, idx);
	case F_JA: case F_GOTOL:
		*next = bpfrt_branch_target(oi, in, idx);
		st->jmp_from = (int32_t)idx;
		st->jmp_kind = H_SEQ;
		env->jmps_processed++;
		return 0;
	case F_JCOND:
		return do_cond_jmp(env, st, oi, in, idx, next);
	case F_CALL: case F_CALLX:
		return do_call(env, st, in, idx, next);
	case F_EXIT:
		return do_exit(env, st, idx, next);
	}
	return err;
}

static struct vstate *initial_state(struct venv *env)
{
	struct vstate *st = state_new(env);
	struct vframe *f = st ? frame_new(0, -1, 0) : NULL;
	if (!f) {
		free(st);
		return NULL;
	}
	st->frame[0] = f;
	struct vreg *r1 = &f->regs[1];
	r1->var_off = tnum_const(0);
	if (env->generic) {
		/* r1 = the data (checked like a packet), r2 = its size */
		r1->type = PTR_TO_PACKET;
		reg_mark_unknown(&f->regs[2]);
		f->regs[2].umax = UINT32_MAX;
		reg_bounds_sync(&f->regs[2]);
		f->regs[2].flags = REG_DATA_LEN;
	} else {
		r1->type = PTR_TO_CTX;
	}
	return st;
}

/* Largest stack of a call chain, as Linux's check_max_stack_depth (JIT rounding). */
static int check_stack_depth(struct venv *env, struct verifier_result *res)
{
	struct { uint32_t sp, total; uint32_t pos; } chain[BPFRT_MAX_FRAMES + 1];
	uint32_t best = 0;
	int n = 0;
	chain[0].sp = 0;
	chain[0].total = (env->subprogs[0].stack_depth + 15) & ~15u;
	chain[0].pos = env->subprogs[0].start;
	n = 1;
	while (n) {
		struct subprog *sp = &env->subprogs[chain[n - 1].sp];
		if (chain[n - 1].total > best)
			best = chain[n - 1].total;
		if (chain[n - 1].total > BPFRT_STACK_SIZE)
			return verr_code(env, -EACCES, sp->start, "the stack of this chain of %d call(s) totals "
					 "%u bytes, more than %d (Linux's limit for all frames together)",
					 n, chain[n - 1].total, BPFRT_STACK_SIZE);
		uint32_t i = chain[n - 1].pos;
		long callee = -1;
		for (; i < sp->end; i++) {
			const struct opinfo *oi = env->ops[i];
			if (!oi)
				continue;
			if (oi->id == OP_CALL_LOCAL ||
			    (oi->form == F_LDDW && env->insns[i].src == BPFRT_PSEUDO_FUNC)) {
				callee = (long)i + 1 + env->insns[i].imm;
				break;
			}
		}
		if (callee < 0) {
			n--;
			continue;
		}
		chain[n - 1].pos = i + 1;
		if (n == BPFRT_MAX_FRAMES)
			return verr_code(env, -E2BIG, i, "calls may nest more than %d deep here (recursion?)",
					 BPFRT_MAX_FRAMES);
		uint32_t s = env->subprog_of[callee];
		chain[n].sp = s;
		chain[n].total = chain[n - 1].total + ((env->subprogs[s].stack_depth + 15) & ~15u);
		chain[n].pos = env->subprogs[s].start;
		n++;
	}
	if (res)
		res->max_stack_depth = best;
	return 0;
}

static void env_free(struct venv *env)
{
	if (env->explored) {
		for (size_t i = 0; i < env->cnt; i++) {
			struct vnode *n = env->explored[i];
			while (n) {
				struct vnode *next = n->next;
				state_clear(&n->st);
				free(n);
				n = next;
			}
		}
	}
	while (env->retired) {
		struct vnode *next = env->retired->next;
		state_clear(&env->retired->st);
		free(env->retired);
		env->retired = next;
	}
	for (size_t i = 0; i < env->npending; i++)
		state_free(env->pending[i]);
	free(env->pending);
	free(env->explored);
	free(env->flags);
	free(env->live);
	free(env->visits);
	free(env->subprogs);
	free(env->subprog_of);
	varena_free(env->arena);
}

static int explore(struct venv *env)
{
	struct vstate *cur = initial_state(env);
	int err = 0;
	if (!cur)
		return -ENOMEM;
	for (;;) {
		if (!cur) {
			if (!env->npending)
				break;
			cur = env->pending[--env->npending];
			if (env->log_level >= 2 && env->log)
				vlog(env, "from %d to %u:", cur->jmp_from, cur->insn);
			if (env->log_level >= 2)
				log_state(env, cur);
		}
		env->cur = cur;
		uint32_t idx = cur->insn;
		if (env->flags[idx] & INSN_PRUNE) {
			err = is_state_visited(env, cur, idx);
			if (err < 0)
				break;
			if (err == 1) {
				err = 0;
				path_done(env, cur->parent);
				state_free(cur);
				cur = NULL;
				continue;
			}
		}
		if (++env->insn_processed > VERIFIER_INSN_BUDGET) {
			/* The instruction processed most often is most likely in the loop to blame. */
			uint32_t hot = idx;
			for (uint32_t i = 0; i < env->cnt; i++)
				if (env->visits[i] > env->visits[hot])
					hot = i;
			char where[200];
			err = verr_code(env, -E2BIG, idx, "the program is too complex to verify: %u instructions "
					"were processed over all paths (Linux's limit); insn %u was processed %u "
					"times%s: a loop there may not be bounded by a constant, or branches "
					"multiply", VERIFIER_INSN_BUDGET, hot, env->visits[hot],
					insn_source(env, hot, where, sizeof(where)));
			break;
		}
		env->visits[idx]++;
		if ((err = hist_arrive(env, cur, idx)))
			break;
		log_insn(env, cur, idx);
		long next;
		err = step(env, cur, idx, &next);
		if (err)
			break;
		if (next < 0) {
			path_done(env, cur->parent);
			state_free(cur);
			cur = NULL;
			continue;
		}
		cur->insn = (uint32_t)next;
	}
	state_free(cur);
	env->cur = NULL;
	return err;
}

int bpfrt_verify(const struct verifier_input *in, struct verifier_result *res, struct diag *d)
{
	uint64_t t0 = now_ns();
	struct venv env = { .in = in, .insns = in->insns, .ops = in->ops, .cnt = in->cnt, .d = d,
			    .log = in->log, .log_level = in->log ? in->log_level : 0 };
	if (res)
		memset(res, 0, sizeof(*res));
	env.ctx = ctx_desc_get(in->prog_type);
	if (!env.ctx) {
		diag_set(d, "program type %d is unknown to the verifier", (int)in->prog_type);
		return -EINVAL;
	}
	if (!in->cnt || !in->insns || !in->ops) {
		diag_set(d, "the verifier needs a validated, non-empty program");
		return -EINVAL;
	}
	env.generic = in->prog_type == BPFRT_PROG_TYPE_UNSPEC;
	env.flags = calloc(in->cnt, 1);
	env.explored = calloc(in->cnt, sizeof(*env.explored));
	env.visits = calloc(in->cnt, sizeof(*env.visits));
	int err = env.flags && env.explored && env.visits ? 0 : -ENOMEM;
	if (!err)
		err = cfg_check(&env);
	if (!err)
		err = explore(&env);
	if (!err)
		err = check_stack_depth(&env, res);
	if (err == -ENOMEM && !d->msg[0])
		diag_set(d, "out of memory while verifying");
	uint64_t t1 = now_ns();
	if (res) {
		res->insns_processed = env.insn_processed;
		res->states = env.nstates;
		res->peak_states = env.peak_states;
		res->time_ns = t1 - t0;
	}
	if (env.log && env.log_level >= 1) {
		fprintf(env.log, "%s: %s\nprocessed %zu insns (limit %u) total_states %zu peak_states %zu\n",
			in->prog_name ? in->prog_name : "program", err ? "rejected" : "verified",
			env.insn_processed, VERIFIER_INSN_BUDGET, env.nstates, env.peak_states);
		if (!err && res)
			fprintf(env.log, "stack depth %zu\n", res->max_stack_depth);
		fprintf(env.log, "verification time %llu usec\n", (unsigned long long)((t1 - t0) / 1000));
	}
	env_free(&env);
	return err;
}
