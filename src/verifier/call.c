/* SPDX-License-Identifier: MIT */
/*
 * call.c - calls and returns: helpers checked against their prototypes
 * (Linux's check_helper_call), bpf-to-bpf calls with a frame each, callbacks
 * of bpf_loop and bpf_for_each_map_elem verified as functions called any
 * number of times, references that must be given back (ring buffer records)
 * and the spin lock, and what may leave the program in r0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vstate.h"

#define BPF_FUNC_map_lookup_elem 1
#define BPF_FUNC_map_update_elem 2
#define BPF_FUNC_map_delete_elem 3
#define BPF_FUNC_tail_call 12
#define BPF_FUNC_perf_event_output 25
#define BPF_FUNC_redirect_map 51
#define BPF_FUNC_map_push_elem 87
#define BPF_FUNC_map_pop_elem 88
#define BPF_FUNC_map_peek_elem 89
#define BPF_FUNC_spin_lock 93
#define BPF_FUNC_spin_unlock 94
#define BPF_FUNC_ringbuf_output 130
#define BPF_FUNC_ringbuf_reserve 131
#define BPF_FUNC_ringbuf_submit 132
#define BPF_FUNC_ringbuf_discard 133
#define BPF_FUNC_ringbuf_query 134
#define BPF_FUNC_for_each_map_elem 164
#define BPF_FUNC_loop 181

/* Linux's BPF_MAX_VAR_SIZ: largest size a helper may be handed. */
#define MAX_VAR_SIZ (1u << 29)

struct call_meta {
	uint32_t id;
	const struct verifier_map *map;
	int map_regno;
	int mem_regno;        /* the memory argument a size argument belongs to */
	bool mem_write, mem_or_null;
	uint32_t alloc_size;
	uint32_t release;     /* ref_obj_id given back */
	uint32_t func;        /* callback: first insn */
	bool has_func;
	const struct vreg *lock; /* the spin lock argument */
	char name[64];
};

int release_reference(struct venv *env, struct vstate *st, uint32_t ref_obj_id)
{
	(void)env;
	for (unsigned i = 0; i < st->nrefs; i++) {
		if (st->refs[i].id != ref_obj_id)
			continue;
		memmove(&st->refs[i], &st->refs[i + 1], (st->nrefs - i - 1) * sizeof(st->refs[0]));
		st->nrefs--;
		break;
	}
	/* Every copy of the pointer is gone; spilled copies may not be read back as data. */
	for (unsigned f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frame[f];
		for (unsigned r = 0; r < BPFRT_NREGS; r++)
			if (fr->regs[r].ref_obj_id == ref_obj_id)
				memset(&fr->regs[r], 0, sizeof(fr->regs[r]));
		for (unsigned s = 0; s < fr->nslots; s++)
			if (slot_spilled(&fr->slots[s]) && fr->slots[s].spill.ref_obj_id == ref_obj_id)
				memset(&fr->slots[s], 0, sizeof(fr->slots[s]));
	}
	return 0;
}

/*
 * A helper that may move or resize the packet (bpf_xdp_adjust_head/meta/tail)
 * leaves every packet pointer and the data_end the program holds pointing at
 * the old layout, and their proven ranges wrong: after adjust_tail(ctx, -60)
 * a pointer checked against the old end reads past the new one. So every copy
 * in every frame, in registers and spilled, is forgotten, as Linux's
 * clear_all_pkt_pointers does (to not-init, its unprivileged rule). The mark
 * says which helper did it, for the message when one is used again.
 */
static void forget_pkt_pointers(struct vstate *st, uint32_t idx, uint32_t helper)
{
	FOR_EACH_REG(st, r, {
		if (type_is_pkt(r->type) || r->type == PTR_TO_PACKET_END) {
			memset(r, 0, sizeof(*r));
			r->flags = REG_PKT_GONE;
			r->origin = idx + 1;
			r->pkt_helper = helper;
		}
	});
}

static void clobber_caller_saved(struct vstate *st, uint32_t idx)
{
	struct vreg *regs = cur_regs(st);
	for (int r = 0; r <= 5; r++) {
		memset(&regs[r], 0, sizeof(regs[r]));
		regs[r].origin = idx + 1;
	}
}

static const char *arg_kind(enum arg_type t)
{
	switch (t) {
	case ARG_CONST_MAP_PTR: return "a map";
	case ARG_PTR_TO_MAP_KEY: return "a pointer to the key";
	case ARG_PTR_TO_MAP_VALUE: return "a pointer to a value";
	case ARG_PTR_TO_UNINIT_MAP_VALUE: return "a pointer to room for a value";
	case ARG_PTR_TO_MEM: case ARG_PTR_TO_MEM_OR_NULL: return "a pointer to memory";
	case ARG_PTR_TO_UNINIT_MEM: return "a pointer to writable memory";
	case ARG_CONST_SIZE: case ARG_CONST_SIZE_OR_ZERO: return "a size";
	case ARG_CONST_ALLOC_SIZE_OR_ZERO: return "a constant size";
	case ARG_PTR_TO_CTX: return "the context";
	case ARG_PTR_TO_FUNC: return "a function";
	case ARG_PTR_TO_STACK_OR_NULL: return "a stack pointer or NULL";
	case ARG_PTR_TO_CONST_STR: return "a constant string";
	case ARG_PTR_TO_SPIN_LOCK: return "a struct bpf_spin_lock in a map value";
	case ARG_PTR_TO_RINGBUF_MEM: return "a ring buffer record";
	case ARG_PTR_TO_LONG: return "a pointer to a writable long";
	default: return "a value";
	}
}

static int bad_arg(struct venv *env, uint32_t idx, const struct call_meta *m, int regno,
		   enum arg_type t, const char *why)
{
	char b[160];
	return verr(env, idx, "argument %d (R%d) of %s must be %s, but R%d is %s%s%s", regno, regno,
		    m->name, arg_kind(t), regno, reg_desc(env, &cur_regs(env->cur)[regno], b, sizeof(b)),
		    why ? ": " : "", why ? why : "");
}

/* Which maps each map helper works on (Linux's check_map_func_compatibility). */
static int map_compatible(struct venv *env, uint32_t idx, const struct call_meta *m)
{
	enum bpfrt_map_type t = m->map->type;
	bool ok;
	switch (m->id) {
	case BPF_FUNC_map_lookup_elem:
		ok = t != BPFRT_MAP_TYPE_RINGBUF && t != BPFRT_MAP_TYPE_PROG_ARRAY &&
		     t != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY && t != BPFRT_MAP_TYPE_QUEUE &&
		     t != BPFRT_MAP_TYPE_STACK && t != BPFRT_MAP_TYPE_BLOOM_FILTER;
		break;
	case BPF_FUNC_map_update_elem: case BPF_FUNC_map_delete_elem:
		ok = t == BPFRT_MAP_TYPE_HASH || t == BPFRT_MAP_TYPE_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_HASH ||
		     t == BPFRT_MAP_TYPE_PERCPU_ARRAY || t == BPFRT_MAP_TYPE_LRU_HASH ||
		     t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH || t == BPFRT_MAP_TYPE_LPM_TRIE;
		break;
	case BPF_FUNC_map_push_elem: case BPF_FUNC_map_peek_elem:
		ok = t == BPFRT_MAP_TYPE_QUEUE || t == BPFRT_MAP_TYPE_STACK || t == BPFRT_MAP_TYPE_BLOOM_FILTER;
		break;
	case BPF_FUNC_map_pop_elem:
		ok = t == BPFRT_MAP_TYPE_QUEUE || t == BPFRT_MAP_TYPE_STACK;
		break;
	case BPF_FUNC_tail_call:
		ok = t == BPFRT_MAP_TYPE_PROG_ARRAY;
		break;
	case BPF_FUNC_ringbuf_output: case BPF_FUNC_ringbuf_reserve: case BPF_FUNC_ringbuf_query:
		ok = t == BPFRT_MAP_TYPE_RINGBUF;
		break;
	case BPF_FUNC_perf_event_output:
		ok = t == BPFRT_MAP_TYPE_PERF_EVENT_ARRAY;
		break;
	case BPF_FUNC_redirect_map:
		/* Linux also takes cpumaps and xskmaps, which bpfrt does not have. */
		ok = t == BPFRT_MAP_TYPE_DEVMAP || t == BPFRT_MAP_TYPE_DEVMAP_HASH;
		break;
	case BPF_FUNC_for_each_map_elem:
		ok = t == BPFRT_MAP_TYPE_HASH || t == BPFRT_MAP_TYPE_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_HASH ||
		     t == BPFRT_MAP_TYPE_PERCPU_ARRAY || t == BPFRT_MAP_TYPE_LRU_HASH ||
		     t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
		break;
	default:
		/* other helpers take no map, or any map (embedder helpers) */
		ok = true;
		break;
	}
	/* And maps that only some helpers may touch. */
	if (ok && (t == BPFRT_MAP_TYPE_PROG_ARRAY) && m->id != BPF_FUNC_tail_call)
		ok = false;
	if (ok && t == BPFRT_MAP_TYPE_RINGBUF && m->id != BPF_FUNC_ringbuf_output &&
	    m->id != BPF_FUNC_ringbuf_reserve && m->id != BPF_FUNC_ringbuf_query)
		ok = false;
	if (ok && (t == BPFRT_MAP_TYPE_DEVMAP || t == BPFRT_MAP_TYPE_DEVMAP_HASH) &&
	    m->id != BPF_FUNC_redirect_map && m->id != BPF_FUNC_map_lookup_elem)
		ok = false;
	if (ok && (t == BPFRT_MAP_TYPE_ARRAY_OF_MAPS || t == BPFRT_MAP_TYPE_HASH_OF_MAPS) &&
	    m->id != BPF_FUNC_map_lookup_elem)
		ok = false;
	if (!ok)
		return verr(env, idx, "%s cannot be used with map '%s' (type %d)", m->name,
			    m->map->name ? m->map->name : "?", (int)t);
	return 0;
}

/* The key a lookup reads, when it is a constant on the stack (for array lookups). */
static bool const_stack_key(struct venv *env, struct vstate *st, const struct vreg *r, uint32_t size,
			    uint64_t *key)
{
	if (r->type != PTR_TO_STACK || !tnum_is_const(r->var_off) || size != 4)
		return false;
	int64_t off = r->off + (int64_t)r->var_off.value;
	if (off >= 0 || off < -BPFRT_STACK_SIZE)
		return false;
	struct vframe *f = st->frame[r->frameno];
	unsigned spi = (unsigned)((-off - 1) / 8);
	if (spi >= f->nslots)
		return false;
	struct vslot *s = &f->slots[spi];
	int64_t start = off + 8 * ((int64_t)spi + 1);
	bool zero = true;
	for (int64_t i = start; i < start + 4; i++)
		zero &= i < 8 && s->type[i] == STACK_ZERO;
	if (zero) {
		*key = 0;
		return true;
	}
	unsigned n, at = slot_spill_start(s, &n);
	if ((int64_t)at != start || n < 4 || s->spill.type != SCALAR || !tnum_is_const(s->spill.var_off))
		return false;
	if (mark_precise_slot(env, st, r->frameno, spi))
		return false;
	*key = (uint32_t)s->spill.var_off.value;
	return true;
}

static int check_size_arg(struct venv *env, struct vstate *st, uint32_t idx, struct call_meta *m,
			  int regno, enum arg_type t)
{
	struct vreg *r = &cur_regs(st)[regno];
	bool zero_ok = t == ARG_CONST_SIZE_OR_ZERO;
	char b[160];
	if (r->type != SCALAR)
		return bad_arg(env, idx, m, regno, t, NULL);
	if (m->mem_regno < 0)
		return verr(env, idx, "%s: argument %d is a size, but no memory argument precedes it",
			    m->name, regno);
	if (r->smin < 0)
		return verr(env, idx, "argument %d (R%d) of %s is a size but may be negative (%s); use an "
			    "unsigned type or check it", regno, regno, m->name, reg_desc(env, r, b, sizeof(b)));
	if (r->umin == 0 && !zero_ok)
		return verr(env, idx, "argument %d (R%d) of %s is a size that may be 0 (%s); it must be at "
			    "least 1", regno, regno, m->name, reg_desc(env, r, b, sizeof(b)));
	if (r->umax >= MAX_VAR_SIZ)
		return verr(env, idx, "argument %d (R%d) of %s is an unbounded size (%s); bound it, e.g. "
			    "`if (len > sizeof(buf)) return 0;` or `len &= N - 1`", regno, regno, m->name,
			    reg_desc(env, r, b, sizeof(b)));
	int err = mark_precise(env, st, regno);
	if (err)
		return err;
	struct vreg *p = &cur_regs(st)[m->mem_regno];
	if (m->mem_or_null && p->type == SCALAR && tnum_equals_const(p->var_off, 0)) {
		if (r->umax)
			return verr(env, idx, "argument %d of %s is NULL, so its size (argument %d) must be 0, "
				    "but it may be %llu", m->mem_regno, m->name, regno,
				    (unsigned long long)r->umax);
		return 0;
	}
	char what[96];
	snprintf(what, sizeof(what), "argument %d of %s", m->mem_regno, m->name);
	return check_mem_range(env, st, idx, m->mem_regno, 0, r, 0, m->mem_write, zero_ok, what, true);
}

static bool is_null(const struct vreg *r)
{
	return r->type == SCALAR && tnum_equals_const(r->var_off, 0);
}

static int check_arg(struct venv *env, struct vstate *st, uint32_t idx, struct call_meta *m, int regno,
		     enum arg_type t)
{
	struct vreg *r = &cur_regs(st)[regno];
	char what[96];
	int err;
	if (t == ARG_DONTCARE)
		return 0;
	if ((err = check_read(env, st, idx, regno)))
		return err;
	snprintf(what, sizeof(what), "argument %d of %s", regno, m->name);
	if (reg_is_pointer(r) && (r->flags & REG_MAYBE_NULL) && t != ARG_ANYTHING)
		return bad_arg(env, idx, m, regno, t, "it may be NULL; check it first");
	switch (t) {
	case ARG_ANYTHING:
		return 0;
	case ARG_CONST_MAP_PTR:
		if (r->type != CONST_PTR_TO_MAP)
			return bad_arg(env, idx, m, regno, t, NULL);
		m->map = r->map;
		m->map_regno = regno;
		return map_compatible(env, idx, m);
	case ARG_PTR_TO_MAP_KEY: case ARG_PTR_TO_MAP_VALUE: case ARG_PTR_TO_UNINIT_MAP_VALUE:
		if (!m->map)
			return verr(env, idx, "%s: a key or value argument needs a map argument before it",
				    m->name);
		if (!reg_is_pointer(r))
			return bad_arg(env, idx, m, regno, t, NULL);
		return check_mem_range(env, st, idx, regno, 0, NULL,
				       t == ARG_PTR_TO_MAP_KEY ? m->map->key_size : m->map->value_size,
				       t == ARG_PTR_TO_UNINIT_MAP_VALUE, false, what, false);
	case ARG_PTR_TO_MEM: case ARG_PTR_TO_MEM_OR_NULL: case ARG_PTR_TO_UNINIT_MEM:
		if (!reg_is_pointer(r) && !(t == ARG_PTR_TO_MEM_OR_NULL && is_null(r)))
			return bad_arg(env, idx, m, regno, t, NULL);
		m->mem_regno = regno;
		m->mem_write = t == ARG_PTR_TO_UNINIT_MEM;
		m->mem_or_null = t == ARG_PTR_TO_MEM_OR_NULL;
		return 0;
	case ARG_CONST_SIZE: case ARG_CONST_SIZE_OR_ZERO:
		return check_size_arg(env, st, idx, m, regno, t);
	case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (r->type != SCALAR || !tnum_is_const(r->var_off))
			return bad_arg(env, idx, m, regno, t, "it must be a known constant");
		if (r->var_off.value >= MAX_VAR_SIZ)
			return bad_arg(env, idx, m, regno, t, "it is too large");
		m->alloc_size = (uint32_t)r->var_off.value;
		return mark_precise(env, st, regno);
	case ARG_PTR_TO_CTX:
		if (r->type == PTR_TO_CTX && !r->off && tnum_equals_const(r->var_off, 0))
			return 0;
		if (env->generic && r->type == PTR_TO_PACKET && !r->id && !r->off &&
		    tnum_equals_const(r->var_off, 0))
			return 0; /* generic programs: r1 is the context */
		return bad_arg(env, idx, m, regno, t, "pass the context pointer unmodified (r1 at entry)");
	case ARG_PTR_TO_FUNC:
		if (r->type != PTR_TO_FUNC)
			return bad_arg(env, idx, m, regno, t, "use a function's address (lddw of a function)");
		m->func = r->subprog;
		m->has_func = true;
		return 0;
	case ARG_PTR_TO_STACK_OR_NULL:
		if (is_null(r) || r->type == PTR_TO_STACK)
			return 0;
		return bad_arg(env, idx, m, regno, t, NULL);
	case ARG_PTR_TO_CONST_STR:
		if (r->type != PTR_TO_MAP_VALUE || !(r->map->map_flags & BPFRT_F_RDONLY_PROG))
			return bad_arg(env, idx, m, regno, t, "it must point into read-only data such as "
				       ".rodata (a string literal)");
		if (!tnum_is_const(r->var_off) || r->off + (int64_t)r->var_off.value < 0 ||
		    r->off + (int64_t)r->var_off.value >= (int64_t)r->map->value_size)
			return bad_arg(env, idx, m, regno, t, "its offset must be constant and inside the value");
		return 0;
	case ARG_PTR_TO_SPIN_LOCK: {
		int64_t off = r->off + (int64_t)r->var_off.value;
		if (r->type != PTR_TO_MAP_VALUE)
			return bad_arg(env, idx, m, regno, t, NULL);
		if (!tnum_is_const(r->var_off) || off < 0 || off % 4 || off + 4 > r->map->value_size)
			return bad_arg(env, idx, m, regno, t, "it must be at a constant, 4-byte aligned offset "
				       "inside the value");
		m->lock = r;
		return 0;
	}
	case ARG_PTR_TO_RINGBUF_MEM:
		if (r->type != PTR_TO_MEM || !r->ref_obj_id)
			return bad_arg(env, idx, m, regno, t, "pass the pointer bpf_ringbuf_reserve returned");
		if (r->off || !tnum_equals_const(r->var_off, 0))
			return bad_arg(env, idx, m, regno, t, "pass the record's start, not a pointer into it");
		m->release = r->ref_obj_id;
		return 0;
	case ARG_PTR_TO_LONG:
		if (!reg_is_pointer(r))
			return bad_arg(env, idx, m, regno, t, NULL);
		if (!tnum_is_aligned(tnum_add(r->var_off, tnum_const((uint64_t)(int64_t)r->off)), 8))
			return bad_arg(env, idx, m, regno, t, "it must be 8-byte aligned");
		return check_mem_range(env, st, idx, regno, 0, NULL, 8, true, false, what, false);
	default:
		return verr(env, idx, "%s: argument %d has a kind the verifier does not know", m->name, regno);
	}
}

static int spin_lock(struct venv *env, struct vstate *st, uint32_t idx, const struct call_meta *m)
{
	const struct vreg *r = m->lock;
	int32_t off = r->off + (int32_t)r->var_off.value;
	if (m->id == BPF_FUNC_spin_lock) {
		if (st->lock_insn >= 0)
			return verr(env, idx, "taking a second spin lock while holding the one taken at insn %d "
				    "is not allowed", st->lock_insn);
		st->lock_map = r->map;
		st->lock_off = off;
		st->lock_id = r->id;
		st->lock_insn = (int32_t)idx;
		return 0;
	}
	if (st->lock_insn < 0)
		return verr(env, idx, "bpf_spin_unlock without holding a lock");
	if (st->lock_map != r->map || st->lock_off != off || st->lock_id != r->id)
		return verr(env, idx, "bpf_spin_unlock of a different lock than the one taken at insn %d",
			    st->lock_insn);
	st->lock_insn = -1;
	st->lock_map = NULL;
	st->lock_id = 0;
	st->lock_off = 0;
	return 0;
}

/* A callback starts: a new frame with the arguments its helper passes. */
static int push_callback(struct venv *env, struct vstate *st, uint32_t idx, const struct call_meta *m)
{
	if (m->id != BPF_FUNC_loop && m->id != BPF_FUNC_for_each_map_elem)
		return verr(env, idx, "%s takes a callback, which the verifier does not support for it",
			    m->name);
	if (st->curframe + 1 >= BPFRT_MAX_FRAMES)
		return verr_code(env, -E2BIG, idx, "the callback of %s would be frame %d: calls nest at "
				 "most %d deep", m->name, st->curframe + 2, BPFRT_MAX_FRAMES);
	struct vstate *cb = state_dup(env, st);
	if (!cb)
		return -ENOMEM;
	struct vreg *caller = cur_regs(cb);
	uint32_t sp = env->subprog_of[m->func];
	env->subprogs[sp].is_callback = true;
	struct vframe *f = frame_new((uint8_t)(cb->curframe + 1), (int32_t)idx, sp);
	if (!f) {
		state_free(cb);
		return -ENOMEM;
	}
	f->in_callback = true;
	f->cb_helper = m->id;
	f->nrefs_in = cb->nrefs;
	if (m->id == BPF_FUNC_loop) {
		reg_mark_unknown(&f->regs[1]);
		f->regs[1].umax = (1u << 23) - 1; /* the index: bpf_loop runs at most 1 << 23 times */
		reg_bounds_sync(&f->regs[1]);
		f->regs[2] = caller[3];
	} else {
		const struct verifier_map *map = m->map;
		memset(&f->regs[1], 0, 3 * sizeof(f->regs[1]));
		f->regs[1].type = CONST_PTR_TO_MAP;
		f->regs[2].type = PTR_TO_MAP_KEY;
		f->regs[3].type = PTR_TO_MAP_VALUE;
		for (int r = 1; r <= 3; r++) {
			f->regs[r].map = map;
			f->regs[r].var_off = tnum_const(0);
			f->regs[r].origin = idx;
		}
		f->regs[4] = caller[3];
	}
	for (int r = 1; r <= 4; r++)
		f->regs[r].precise = false;
	cb->curframe++;
	cb->frame[cb->curframe] = f;
	cb->cb_iter++;
	return push_state(env, cb, m->func, idx, H_CB_ENTER);
}

static int set_return(struct venv *env, struct vstate *st, uint32_t idx, const struct helper_proto *p,
		      const struct call_meta *m)
{
	struct vreg *r0 = &cur_regs(st)[0];
	if (!p) {
		reg_mark_unknown(r0);
		return 0;
	}
	switch (p->ret) {
	case RET_INTEGER:
		reg_mark_unknown(r0);
		return 0;
	case RET_VOID:
		return 0; /* r0 stays clobbered */
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!m->map)
			return verr(env, idx, "%s returns a map value but took no map", m->name);
		memset(r0, 0, sizeof(*r0));
		r0->var_off = tnum_const(0);
		r0->origin = idx;
		if (m->map->type == BPFRT_MAP_TYPE_ARRAY_OF_MAPS || m->map->type == BPFRT_MAP_TYPE_HASH_OF_MAPS) {
			if (!m->map->inner)
				return verr(env, idx, "map-in-map '%s' has no inner map shape", m->map->name);
			r0->type = CONST_PTR_TO_MAP;
			r0->map = m->map->inner;
		} else {
			r0->type = PTR_TO_MAP_VALUE;
			r0->map = m->map;
		}
		r0->flags = REG_MAYBE_NULL;
		r0->id = new_id(env);
		return 0;
	case RET_PTR_TO_RINGBUF_MEM_OR_NULL:
		if (st->nrefs >= MAX_REFS)
			return verr(env, idx, "more than %d ring buffer records are held at once", MAX_REFS);
		memset(r0, 0, sizeof(*r0));
		r0->type = PTR_TO_MEM;
		r0->flags = REG_MAYBE_NULL;
		r0->var_off = tnum_const(0);
		r0->mem_size = m->alloc_size;
		r0->id = r0->ref_obj_id = new_id(env);
		r0->origin = idx;
		st->refs[st->nrefs++] = (struct vref){ r0->id, idx, st->curframe };
		return 0;
	}
	return verr(env, idx, "%s has a return type the verifier does not know", m->name);
}

static int helper_call(struct venv *env, struct vstate *st, uint32_t id, uint32_t idx, long *next)
{
	const struct verifier_input *in = env->in;
	struct call_meta m = { .id = id, .map_regno = -1, .mem_regno = -1 };
	helper_name(env, id, m.name, sizeof(m.name));
	if (in->helper_allowed && !in->helper_allowed(in->ctx, id))
		return verr_code(env, -EINVAL, idx, "%s is not available to %s programs", m.name,
				 ctx_type_name(env->ctx));
	const struct helper_proto *p = in->helper_proto ? in->helper_proto(in->ctx, id) : NULL;
	if (st->lock_insn >= 0 && id != BPF_FUNC_spin_unlock)
		return verr(env, idx, "calling %s while holding the spin lock taken at insn %d is not "
			    "allowed; unlock first", m.name, st->lock_insn);
	if (p) {
		for (int a = 0; a < 5; a++) {
			int err = check_arg(env, st, idx, &m, a + 1, p->arg[a]);
			if (err)
				return err;
		}
		if (p->tail_call && st->nrefs)
			return verr(env, idx, "bpf_tail_call would leave the ring buffer record reserved at "
				    "insn %u unreleased", st->refs[0].insn);
	}
	if (m.lock) {
		int err = spin_lock(env, st, idx, &m);
		if (err)
			return err;
	}
	if (m.release) {
		bool found = false;
		for (unsigned i = 0; i < st->nrefs; i++)
			if (st->refs[i].id == m.release) {
				found = true;
				if (cur_frame(st)->in_callback && i < cur_frame(st)->nrefs_in)
					return verr(env, idx, "%s in a callback releases a record reserved outside "
						    "it, which a second run of the callback would release again",
						    m.name);
			}
		if (!found)
			return verr(env, idx, "%s: the record was already submitted or discarded", m.name);
		release_reference(env, st, m.release);
	}
	if (m.has_func) {
		int err = push_callback(env, st, idx, &m);
		if (err)
			return err;
	}
	/* Array lookups of a constant key inside the array cannot fail (as Linux since 6.14). */
	bool non_null = false;
	if (id == BPF_FUNC_map_lookup_elem && m.map &&
	    (m.map->type == BPFRT_MAP_TYPE_ARRAY || m.map->type == BPFRT_MAP_TYPE_PERCPU_ARRAY)) {
		uint64_t key;
		if (const_stack_key(env, st, &cur_regs(st)[2], m.map->key_size, &key) &&
		    key < m.map->max_entries)
			non_null = true;
	}
	if (p && p->changes_pkt_data)
		forget_pkt_pointers(st, idx, id);
	clobber_caller_saved(st, idx);
	int err = set_return(env, st, idx, p, &m);
	if (err)
		return err;
	if (non_null)
		cur_regs(st)[0].flags &= (uint8_t)~REG_MAYBE_NULL;
	*next = idx + 1;
	return 0;
}

static int local_call(struct venv *env, struct vstate *st, uint32_t target, uint32_t idx, long *next)
{
	if (st->curframe + 1 >= BPFRT_MAX_FRAMES)
		return verr_code(env, -E2BIG, idx, "this call would make frame %d: calls nest at most %d "
				 "deep (including the program itself)", st->curframe + 2, BPFRT_MAX_FRAMES);
	if (env->subprogs[env->subprog_of[target]].start != target)
		return verr_code(env, -EINVAL, idx, "call to insn %u, which is not the start of a function",
				 target);
	struct vframe *f = frame_new((uint8_t)(st->curframe + 1), (int32_t)idx, env->subprog_of[target]);
	if (!f)
		return -ENOMEM;
	struct vreg *caller = cur_regs(st);
	for (int r = 1; r <= 5; r++) {
		f->regs[r] = caller[r];
		f->regs[r].precise = false;
	}
	st->curframe++;
	st->frame[st->curframe] = f;
	st->jmp_from = (int32_t)idx;
	st->jmp_kind = H_CALL;
	*next = target;
	return 0;
}

int do_call(struct venv *env, struct vstate *st, const struct bpfrt_insn *in, uint32_t idx, long *next)
{
	const struct opinfo *oi = env->ops[idx];
	char b[160];
	switch (oi->id) {
	case OP_CALL_KFUNC:
		return verr_code(env, -EINVAL, idx, "kfunc calls (BTF id %d) are not available: bpfrt has no "
				 "kernel functions", in->imm);
	case OP_CALL_LOCAL:
		return local_call(env, st, (uint32_t)((long)idx + 1 + in->imm), idx, next);
	case OP_CALLX: {
		int err = check_read(env, st, idx, in->dst);
		if (err)
			return err;
		struct vreg *r = &cur_regs(st)[in->dst];
		if (r->type == PTR_TO_FUNC)
			return local_call(env, st, r->subprog, idx, next);
		if (r->type == SCALAR && tnum_is_const(r->var_off) && r->var_off.value <= UINT32_MAX) {
			int err2 = mark_precise(env, st, in->dst);
			return err2 ? err2 : helper_call(env, st, (uint32_t)r->var_off.value, idx, next);
		}
		return verr(env, idx, "callx through R%d, which is %s: it must hold a function (lddw of a "
			    "function) or a constant helper id", in->dst, reg_desc(env, r, b, sizeof(b)));
	}
	default:
		return helper_call(env, st, (uint32_t)in->imm, idx, next);
	}
}

/* The program's own exit: what may leave it. */
static int program_exit(struct venv *env, struct vstate *st, uint32_t idx)
{
	struct vreg *r0 = &cur_regs(st)[0];
	char b[160];
	if (r0->type == NOT_INIT)
		return verr(env, idx, "the program exits without setting R0, its return value%s",
			    r0->origin ? " (the call before clobbered it)" : "");
	if (reg_is_pointer(r0))
		return verr(env, idx, "the program returns %s in R0, which would leak its address; return "
			    "a number", reg_desc(env, r0, b, sizeof(b)));
	return 0;
}

/* Look back along this path for the state at the callback's call site (for widening). */
static const struct vstate *callsite_state(const struct vstate *st, uint32_t callsite)
{
	for (const struct vnode *n = st->parent; n; n = n->st.parent)
		if (n->st.insn == callsite && n->st.curframe == st->curframe)
			return &n->st;
	return NULL;
}

/*
 * A callback may run again and again. Scalars that nothing needed exactly
 * and that changed since the call are forgotten (Linux's
 * widen_imprecise_scalars), so that the visits converge.
 */
static void widen(const struct vstate *old, struct vstate *cur)
{
	for (unsigned f = 0; f <= cur->curframe; f++) {
		const struct vframe *of = old->frame[f];
		struct vframe *cf = cur->frame[f];
		for (unsigned r = 0; r < 10; r++) {
			const struct vreg *o = &of->regs[r];
			struct vreg *c = &cf->regs[r];
			if (o->type == SCALAR && c->type == SCALAR && !o->precise && !c->precise &&
			    !(o->flags | c->flags) &&
			    (o->var_off.value != c->var_off.value || o->var_off.mask != c->var_off.mask ||
			     o->umin != c->umin || o->umax != c->umax || o->smin != c->smin || o->smax != c->smax))
				reg_mark_unknown(c);
		}
		for (unsigned s = 0; s < cf->nslots && s < of->nslots; s++) {
			const struct vslot *os = &of->slots[s];
			struct vslot *cs = &cf->slots[s];
			const struct vreg *o = &os->spill;
			struct vreg *c = &cs->spill;
			if (!slot_spilled(os) || memcmp(os->type, cs->type, 8))
				continue;
			if (o->type == SCALAR && c->type == SCALAR && !o->precise && !c->precise &&
			    !(o->flags | c->flags) &&
			    (o->var_off.value != c->var_off.value || o->var_off.mask != c->var_off.mask ||
			     o->umin != c->umin || o->umax != c->umax || o->smin != c->smin || o->smax != c->smax))
				reg_mark_unknown(c);
		}
	}
}

int do_exit(struct venv *env, struct vstate *st, uint32_t idx, long *next)
{
	struct vframe *f = cur_frame(st);
	char b[160];
	if (st->lock_insn >= 0)
		return verr(env, idx, "exit while holding the spin lock taken at insn %d; call "
			    "bpf_spin_unlock on every path first", st->lock_insn);
	if (!st->curframe) {
		int err = program_exit(env, st, idx);
		if (err)
			return err;
		if (st->nrefs) {
			char hn[64], where[200];
			uint32_t at = st->refs[0].insn;
			return verr(env, idx, "the program can exit here without releasing the record from %s%s; "
				    "call bpf_ringbuf_submit or bpf_ringbuf_discard on every path",
				    helper_name(env, (uint32_t)env->insns[at].imm, hn, sizeof(hn)),
				    insn_where(env, at, where, sizeof(where)));
		}
		*next = -1;
		return 0;
	}
	struct vreg *r0 = &f->regs[0];
	if (f->in_callback) {
		if (r0->type != SCALAR)
			return verr(env, idx, "a callback must return 0 or 1 in R0, but R0 is %s",
				    r0->type == NOT_INIT ? "not set" : reg_desc(env, r0, b, sizeof(b)));
		int err = mark_precise(env, st, 0);
		if (err)
			return err;
		if (r0->umax > 1)
			return verr(env, idx, "a callback must return 0 (continue) or 1 (stop), but R0 is %s",
				    reg_desc(env, r0, b, sizeof(b)));
		if (st->nrefs > f->nrefs_in)
			return verr(env, idx, "the callback exits without releasing the record reserved at insn "
				    "%u", st->refs[st->nrefs - 1].insn);
	} else if (r0->type == PTR_TO_STACK && r0->frameno == st->curframe) {
		return verr(env, idx, "returning a pointer to this function's own stack (%s), which is gone "
			    "after the return", reg_desc(env, r0, b, sizeof(b)));
	}
	int32_t callsite = f->callsite;
	bool cb = f->in_callback;
	st->curframe--;
	st->frame[st->curframe + 1] = NULL;
	struct vreg *caller = cur_regs(st);
	if (!cb) {
		caller[0] = *r0;
		caller[0].precise = false;
		for (int r = 1; r <= 5; r++) {
			memset(&caller[r], 0, sizeof(caller[r]));
			caller[r].origin = (uint32_t)callsite + 1;
		}
	}
	frame_free(f);
	st->jmp_from = (int32_t)idx;
	if (cb) {
		/* back to the helper call, which may run the callback again */
		const struct vstate *old = callsite_state(st, (uint32_t)callsite);
		if (old)
			widen(old, st);
		st->jmp_kind = H_CB_RET;
		*next = callsite;
	} else {
		st->jmp_kind = H_RET;
		*next = callsite + 1;
	}
	return 0;
}
