/* SPDX-License-Identifier: MIT */
/*
 * mem.c - loads, stores, atomics and legacy packet loads: every byte touched
 * must lie inside the object the pointer points to, for every value its
 * variable offset may take (Linux's check_mem_access).
 *
 * The stack is tracked byte by byte (uninitialized, some data, zero, or part
 * of a spilled register). An 8-byte aligned store of a register spills it:
 * loading it back restores its type and bounds, pointers included. Scalars
 * may also be spilled narrower, at the start of a slot. Stores of pointers
 * anywhere but the stack, partial pointer spills, and reads of bytes of a
 * spilled pointer as data are refused (they would leak addresses), as is
 * reading uninitialized stack.
 */
#include <errno.h>
#include <string.h>
#include "vstate.h"

struct access {
	uint32_t idx;
	int regno;            /* the pointer register */
	int32_t off;          /* the instruction's offset */
	unsigned size;
	bool write, sext, atomic;
	const struct vreg *val; /* stores: the value (a register or a constant) */
	int val_regno;          /* its register, or -1 for an immediate */
	struct vreg *dst;       /* loads: receives the value */
};

static const char *rw(const struct access *a) { return a->write ? "writing" : "reading"; }

/* [lo, hi] of the pointer's offset plus the access, in 64-bit arithmetic that cannot wrap. */
static void span(const struct vreg *r, const struct access *a, int64_t *lo, int64_t *hi)
{
	int64_t base = (int64_t)r->off + a->off;
	*lo = base + r->smin; /* |smin| < 2^29 (sane offsets), off < 2^31 */
	*hi = r->smax > (1ll << 40) ? INT64_MAX / 2 : base + r->smax + (int64_t)a->size;
}

static void load_scalar(struct vreg *dst, const struct access *a)
{
	reg_mark_unknown(dst);
	if (a->sext)
		reg_coerce_sext(dst, a->size);
	else
		reg_coerce_zext(dst, a->size);
}

static int no_ptr_store(struct venv *env, const struct access *a, const char *where)
{
	char b[160];
	if (a->val && reg_is_pointer(a->val))
		return verr(env, a->idx, "storing R%d (%s) into %s would leak its address; only the stack "
			    "may hold pointers", a->val_regno, reg_desc(env, a->val, b, sizeof(b)), where);
	return 0;
}

/* --- stack --- */

static int stack_bounds(struct venv *env, const struct access *a, const struct vreg *r, int64_t lo,
			int64_t hi)
{
	char b[160];
	if (lo < -BPFRT_STACK_SIZE || hi > 0) {
		if (tnum_is_const(r->var_off))
			return verr(env, a->idx, "%s %u bytes at fp%+lld is outside the stack frame (fp-%d "
				    "to fp); R%d is %s", rw(a), a->size, (long long)lo, BPFRT_STACK_SIZE,
				    a->regno, reg_desc(env, r, b, sizeof(b)));
		return verr(env, a->idx, "%s %u bytes through R%d (%s) may reach fp%+lld..fp%+lld, outside "
			    "the stack frame (fp-%d to fp); bound the offset first", rw(a), a->size,
			    a->regno, reg_desc(env, r, b, sizeof(b)), (long long)lo, (long long)hi,
			    BPFRT_STACK_SIZE);
	}
	struct tnum t = tnum_add(r->var_off, tnum_const((uint64_t)((int64_t)r->off + a->off)));
	if (!tnum_is_aligned(t, a->size))
		return verr(env, a->idx, "misaligned stack access: %s %u bytes at fp%+lld, which is not a "
			    "multiple of %u (stack accesses must be aligned to their size)", rw(a),
			    a->size, (long long)lo, a->size);
	return 0;
}

static void note_depth(struct venv *env, const struct vframe *f, int64_t lo)
{
	struct subprog *sp = &env->subprogs[f->subprog];
	if ((uint64_t)-lo > sp->stack_depth)
		sp->stack_depth = (uint32_t)-lo;
}

/* Byte at fp+a (a < 0) of frame f. */
static uint8_t *byte_type(struct vframe *f, int64_t a, unsigned *spi)
{
	unsigned s = (unsigned)((-a - 1) / 8);
	*spi = s;
	if (s >= f->nslots)
		return NULL;
	return &f->slots[s].type[a + 8 * ((int64_t)s + 1)];
}

/* A write destroys a spill: its other bytes become plain data. */
static void scrub_slot(struct vslot *s)
{
	if (!slot_spilled(s))
		return;
	for (int i = 0; i < 8; i++)
		if (s->type[i] == STACK_SPILL)
			s->type[i] = STACK_MISC;
	memset(&s->spill, 0, sizeof(s->spill));
}

static bool slot_has_ptr(const struct vslot *s)
{
	return slot_spilled(s) && reg_is_pointer(&s->spill);
}

static int stack_write(struct venv *env, struct vstate *st, const struct access *a, const struct vreg *r)
{
	struct vframe *f = st->frame[r->frameno];
	int64_t lo, hi;
	char b[160];
	span(r, a, &lo, &hi);
	int err = stack_bounds(env, a, r, lo, hi);
	if (err || (err = frame_grow(f, (unsigned)((-lo + 7) / 8))))
		return err;
	note_depth(env, f, lo);
	if (!tnum_is_const(r->var_off)) {
		/* Any byte in range may be written; refuse to half-overwrite a spilled pointer. */
		for (int64_t x = lo; x < hi; x += 8 - ((x + 8 * 64) % 8)) {
			unsigned spi;
			byte_type(f, x, &spi);
			if (slot_has_ptr(&f->slots[spi]))
				return verr(env, a->idx, "a write through R%d (%s) may overwrite part of the "
					    "pointer spilled at fp-%u; write pointers' slots with fixed offsets",
					    a->regno, reg_desc(env, r, b, sizeof(b)), 8 * (spi + 1));
		}
		if ((err = no_ptr_store(env, a, "the stack through a variable offset")))
			return err;
		for (int64_t x = lo; x < hi; x++) {
			unsigned spi;
			uint8_t *t = byte_type(f, x, &spi);
			scrub_slot(&f->slots[spi]);
			*t = STACK_MISC; /* as Linux: the range counts as written */
		}
		return 0;
	}
	unsigned spi;
	byte_type(f, lo, &spi);
	struct vslot *s = &f->slots[spi];
	unsigned boff = (unsigned)(lo + 8 * ((int64_t)spi + 1));
	const struct vreg *v = a->val;
	if (v && v->type == PTR_TO_STACK && v->frameno > r->frameno)
		return verr(env, a->idx, "storing a pointer to a called function's stack (%s) into its "
			    "caller's stack is not allowed: that stack is gone after the return",
			    reg_desc(env, v, b, sizeof(b)));
	if (v && reg_is_pointer(v)) {
		if (a->size != 8)
			return verr(env, a->idx, "storing %u bytes of R%d (%s) would split a pointer; spill "
				    "pointers with 8-byte stores to 8-byte aligned slots", a->size,
				    a->val_regno, reg_desc(env, v, b, sizeof(b)));
	}
	if (slot_has_ptr(s) && (a->size != 8 || a->atomic))
		return verr(env, a->idx, "%s %u bytes at fp%+lld would overwrite part of the pointer "
			    "spilled there, leaving the rest readable as data", a->atomic ? "an atomic "
			    "operation on" : "writing", a->size, (long long)lo);
	scrub_slot(s);
	if (v && !a->atomic) {
		/* a spill: the register (a scalar possibly narrower) is remembered */
		s->spill = *v;
		s->spill.precise = false;
		if (v->type == SCALAR && a->size < 8 && (v->umax >> (a->size * 8)))
			s->spill.id = 0; /* truncated: no longer a copy */
		for (unsigned i = 0; i < a->size; i++)
			s->type[boff + i] = STACK_SPILL;
		return hist_note(env, st, a->idx, (int16_t)(r->frameno << 8 | spi), NULL, 0);
	}
	for (int64_t x = lo; x < hi; x++)
		*byte_type(f, x, &spi) = STACK_MISC; /* atomics: the old value is gone */
	return 0;
}

/* Every byte of [lo, hi) of frame f holds data (pointers only if allowed). */
static int stack_initialized(struct venv *env, const struct access *a, const struct vreg *r,
			     struct vframe *f, int64_t lo, int64_t hi, bool allow_ptrs, bool *all_zero)
{
	*all_zero = true;
	for (int64_t x = lo; x < hi; x++) {
		unsigned spi;
		uint8_t *t = byte_type(f, x, &spi);
		uint8_t ty = t ? *t : STACK_INVALID;
		if (ty == STACK_INVALID)
			return verr(env, a->idx, "reading uninitialized stack at fp%+lld (%s %u bytes at "
				    "fp%+lld%s): write it first, e.g. initialize the variable or struct with "
				    "= {}", (long long)x, rw(a), a->size, (long long)lo,
				    tnum_is_const(r->var_off) ? "" : " through a variable offset");
		if (ty == STACK_SPILL && reg_is_pointer(&f->slots[spi].spill) && !allow_ptrs)
			return verr(env, a->idx, "reading the pointer spilled at fp-%u as data would leak "
				    "its address", 8 * (spi + 1));
		if (ty != STACK_ZERO && !(ty == STACK_SPILL && f->slots[spi].spill.type == SCALAR &&
					  tnum_equals_const(f->slots[spi].spill.var_off, 0)))
			*all_zero = false;
	}
	return 0;
}

static int stack_read(struct venv *env, struct vstate *st, const struct access *a, const struct vreg *r)
{
	struct vframe *f = st->frame[r->frameno];
	int64_t lo, hi;
	char b[160];
	span(r, a, &lo, &hi);
	int err = stack_bounds(env, a, r, lo, hi);
	if (err)
		return err;
	note_depth(env, f, lo);
	unsigned spi, n = 0;
	uint8_t *t0 = byte_type(f, lo, &spi);
	if (tnum_is_const(r->var_off) && t0 && *t0 == STACK_SPILL &&
	    slot_spill_start(&f->slots[spi], &n) == (unsigned)(lo + 8 * ((int64_t)spi + 1))) {
		struct vslot *s = &f->slots[spi];
		if (reg_is_pointer(&s->spill) && a->size != 8)
			return verr(env, a->idx, "reading %u bytes of the pointer spilled at fp-%u would "
				    "leak part of its address; load it whole (8 bytes)", a->size, 8 * (spi + 1));
		if (a->size <= n) {
			if (!a->dst)
				return 0;
			*a->dst = s->spill;
			a->dst->precise = false;
			if (a->size < 8 && s->spill.type == SCALAR) {
				if (s->spill.umax >> (a->size * 8))
					a->dst->id = 0; /* narrowing: no longer a copy */
				a->dst->flags &= (uint8_t)~REG_DATA_LEN;
				if (a->sext)
					reg_coerce_sext(a->dst, a->size);
				else
					reg_coerce_zext(a->dst, a->size);
			} else if (a->sext && a->size == 8) {
				/* 8-byte sign-extending loads do not exist */
			}
			return hist_note(env, st, a->idx, (int16_t)(r->frameno << 8 | spi), NULL, 0);
		}
	}
	bool all_zero;
	if ((err = stack_initialized(env, a, r, f, lo, hi, false, &all_zero)))
		return err;
	(void)b;
	if (a->dst) {
		if (all_zero)
			reg_mark_known(a->dst, 0);
		else
			load_scalar(a->dst, a);
	}
	return 0;
}

/* --- other objects --- */

/* [0, size) of an object: maps, ring buffer records, keys. */
static int region_access(struct venv *env, const struct access *a, const struct vreg *r, uint64_t size,
			 const char *what)
{
	int64_t lo, hi;
	char b[160];
	span(r, a, &lo, &hi);
	if (r->smin + (int64_t)r->off + a->off < 0 && !tnum_is_const(r->var_off) && r->smin < 0)
		return verr(env, a->idx, "R%d is %s, whose offset may be negative (min %lld): %s before "
			    "the start of %s is possible; use an unsigned index, or check `if (i < 0)`",
			    a->regno, reg_desc(env, r, b, sizeof(b)), (long long)lo, rw(a), what);
	if (lo < 0)
		return verr(env, a->idx, "%s %u bytes at offset %lld of %s (%llu bytes) is before its "
			    "start; R%d is %s", rw(a), a->size, (long long)lo, what,
			    (unsigned long long)size, a->regno, reg_desc(env, r, b, sizeof(b)));
	if ((uint64_t)hi > size) {
		if (!tnum_is_const(r->var_off) && r->umax >= (uint64_t)MAX_VAR_OFF)
			return verr(env, a->idx, "R%d is %s with an unbounded offset: %s %s needs the index "
				    "bounded, e.g. `if (i >= N) return 0;` or `i &= N - 1`", a->regno,
				    reg_desc(env, r, b, sizeof(b)), rw(a), what);
		return verr(env, a->idx, "%s %u bytes at offset %lld%s of %s, which has %llu bytes, may "
			    "run past its end (up to byte %lld); R%d is %s", rw(a), a->size,
			    (long long)((int64_t)r->off + a->off),
			    tnum_is_const(r->var_off) ? "" : " plus a variable part", what,
			    (unsigned long long)size, (long long)hi, a->regno, reg_desc(env, r, b, sizeof(b)));
	}
	return 0;
}

static int map_value_access(struct venv *env, const struct access *a, const struct vreg *r)
{
	const struct verifier_map *m = r->map;
	char what[96];
	snprintf(what, sizeof(what), "a value of map '%s'", m->name ? m->name : "?");
	if (a->write && (m->map_flags & BPFRT_F_RDONLY_PROG))
		return verr(env, a->idx, "map '%s' is read-only for programs (BPF_F_RDONLY_PROG, e.g. "
			    ".rodata): writing to it is not allowed", m->name);
	if (!a->write && (m->map_flags & BPFRT_F_WRONLY_PROG))
		return verr(env, a->idx, "map '%s' is write-only for programs (BPF_F_WRONLY_PROG): "
			    "reading it is not allowed", m->name);
	int err = region_access(env, a, r, m->value_size, what);
	if (!err && a->write)
		err = no_ptr_store(env, a, what);
	if (!err && a->dst)
		load_scalar(a->dst, a);
	return err;
}

static int pkt_access(struct venv *env, const struct access *a, const struct vreg *r)
{
	char b[160];
	bool meta = r->type == PTR_TO_PACKET_META;
	const char *obj = env->generic ? "the data" : meta ? "the packet metadata" : "the packet";
	if (!ctx_allows_pkt(env->ctx, a->write))
		return verr(env, a->idx, "%s the packet directly is not allowed in %s programs", rw(a),
			    ctx_type_name(env->ctx));
	if (r->smin < 0)
		return verr(env, a->idx, "R%d is %s, whose variable offset may be negative; use an "
			    "unsigned offset", a->regno, reg_desc(env, r, b, sizeof(b)));
	int64_t off = (int64_t)r->off + a->off;
	if (off < 0 || off + a->size > r->range) {
		if (env->generic && r->range == 0 && !r->id)
			return verr(env, a->idx, "%s %u bytes at offset %lld of the data: nothing shows the "
				    "data is that long; check the size first, e.g. `if (size < %lld) return "
				    "0;` (r2 holds the size), or compare with data + size", rw(a), a->size,
				    (long long)off, (long long)(off + a->size));
		return verr(env, a->idx, "%s %u bytes at offset %lld of R%d (%s) may run past the end of "
			    "%s: only %u bytes from its base are proven present; add a bounds check like "
			    "`if ((void *)p + %lld > data_end) return ...;` before the access", rw(a),
			    a->size, (long long)off, a->regno, reg_desc(env, r, b, sizeof(b)), obj,
			    r->range, (long long)(off + a->size));
	}
	if (a->write) {
		int err = no_ptr_store(env, a, obj);
		if (err)
			return err;
	}
	if (a->dst)
		load_scalar(a->dst, a);
	return 0;
}

static int mem_access(struct venv *env, struct vstate *st, struct access *a)
{
	struct vreg *r = &cur_regs(st)[a->regno];
	char b[160];
	if (r->type == NOT_INIT)
		return check_read(env, st, a->idx, a->regno);
	if (r->flags & REG_MAYBE_NULL) {
		char hn[64];
		const char *fix = r->type == PTR_TO_MEM ? "if (!rec) return 0;" : "if (!val) return 0;";
		if (r->origin < env->cnt && env->ops[r->origin] && env->ops[r->origin]->id == OP_CALL_HELPER)
			return verr(env, a->idx, "R%d may be NULL here: it comes from %s at insn %u and is not "
				    "checked; add `%s` before using it", a->regno,
				    helper_name(env, (uint32_t)env->insns[r->origin].imm, hn, sizeof(hn)),
				    r->origin, fix);
		return verr(env, a->idx, "R%d may be NULL here (%s); check it against 0 before using it",
			    a->regno, reg_desc(env, r, b, sizeof(b)));
	}
	switch (r->type) {
	case SCALAR:
		if (tnum_equals_const(r->var_off, 0))
			return verr(env, a->idx, "R%d is NULL (0) on this path: %s through it would fault",
				    a->regno, rw(a));
		return verr(env, a->idx, "R%d is %s, not a pointer: %s memory through a number is not "
			    "allowed", a->regno, reg_desc(env, r, b, sizeof(b)), rw(a));
	case PTR_TO_STACK:
		return a->write ? stack_write(env, st, a, r) : stack_read(env, st, a, r);
	case PTR_TO_MAP_VALUE:
		return map_value_access(env, a, r);
	case PTR_TO_MAP_KEY:
		if (a->write)
			return verr(env, a->idx, "the key of a bpf_for_each_map_elem callback is read-only");
		{
			char what[96];
			snprintf(what, sizeof(what), "a key of map '%s'", r->map->name ? r->map->name : "?");
			int err = region_access(env, a, r, r->map->key_size, what);
			if (!err && a->dst)
				load_scalar(a->dst, a);
			return err;
		}
	case PTR_TO_MEM: {
		int err = region_access(env, a, r, r->mem_size, "the ring buffer record");
		if (!err && a->write)
			err = no_ptr_store(env, a, "a ring buffer record");
		if (!err && a->dst)
			load_scalar(a->dst, a);
		return err;
	}
	case PTR_TO_PACKET: case PTR_TO_PACKET_META:
		if (a->atomic)
			return verr(env, a->idx, "atomic operations on packet memory are not allowed");
		return pkt_access(env, a, r);
	case PTR_TO_CTX: {
		if (a->atomic)
			return verr(env, a->idx, "atomic operations on the context are not allowed");
		if (r->off || !tnum_equals_const(r->var_off, 0))
			return verr(env, a->idx, "R%d is %s: the context may only be accessed through its "
				    "original pointer with a constant offset in the instruction", a->regno,
				    reg_desc(env, r, b, sizeof(b)));
		if (a->write) {
			int err = no_ptr_store(env, a, "the context");
			if (err)
				return err;
		}
		struct vreg tmp;
		int err = ctx_access(env, a->idx, a->regno, a->off, a->size, a->write, a->dst ? a->dst : &tmp);
		if (!err && a->dst && a->sext && a->dst->type == SCALAR)
			reg_coerce_sext(a->dst, a->size);
		return err;
	}
	case PTR_TO_PACKET_END:
		return verr(env, a->idx, "R%d is the end of the packet, which only serves in bounds "
			    "checks: %s it is not allowed", a->regno, rw(a));
	default:
		return verr(env, a->idx, "R%d is %s, which is not memory", a->regno,
			    reg_desc(env, r, b, sizeof(b)));
	}
}

int do_ldx(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in,
	   uint32_t idx)
{
	int err = check_read(env, st, idx, in->src);
	if (err)
		return err;
	struct vreg v;
	struct access a = { .idx = idx, .regno = in->src, .off = in->off, .size = oi->bits / 8,
			    .sext = oi->id == OP_LDXSW || oi->id == OP_LDXSH || oi->id == OP_LDXSB,
			    .dst = &v, .val_regno = -1 };
	err = mem_access(env, st, &a);
	if (!err)
		cur_regs(st)[in->dst] = v;
	return err;
}

int do_store(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in,
	     uint32_t idx)
{
	int err = check_read(env, st, idx, in->dst);
	if (err)
		return err;
	struct vreg imm;
	struct access a = { .idx = idx, .regno = in->dst, .off = in->off, .size = oi->bits / 8,
			    .write = true, .val_regno = -1 };
	if (oi->form == F_STX) {
		if ((err = check_read(env, st, idx, in->src)))
			return err;
		a.val = &cur_regs(st)[in->src];
		a.val_regno = in->src;
	} else {
		reg_mark_known(&imm, (uint64_t)(int64_t)in->imm);
		a.val = &imm;
	}
	return mem_access(env, st, &a);
}

int do_atomic(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in,
	      uint32_t idx)
{
	char b[160];
	int err = check_read(env, st, idx, in->dst);
	if (!err)
		err = check_read(env, st, idx, in->src);
	bool cmpxchg = oi->vval == 0xf1, fetch = oi->vval & 1;
	if (!err && cmpxchg)
		err = check_read(env, st, idx, 0);
	if (err)
		return err;
	struct vreg *regs = cur_regs(st);
	if (reg_is_pointer(&regs[in->src]))
		return verr(env, idx, "atomic operation with R%d (%s) would store an address into memory",
			    in->src, reg_desc(env, &regs[in->src], b, sizeof(b)));
	if (cmpxchg && reg_is_pointer(&regs[0]))
		return verr(env, idx, "cmpxchg compares with R0 (%s), which would reveal an address",
			    reg_desc(env, &regs[0], b, sizeof(b)));
	struct vreg *p = &regs[in->dst];
	unsigned size = oi->bits / 8;
	if (p->type == PTR_TO_MAP_VALUE || p->type == PTR_TO_MEM || p->type == PTR_TO_STACK) {
		int64_t lo, hi;
		struct access t = { .size = size, .off = in->off };
		span(p, &t, &lo, &hi);
		struct tnum at = tnum_add(p->var_off, tnum_const((uint64_t)((int64_t)p->off + in->off)));
		if (!tnum_is_aligned(at, size))
			return verr(env, idx, "misaligned atomic access: %u bytes at offset %lld of R%d (%s); "
				    "atomics need addresses aligned to their size", size,
				    (long long)((int64_t)p->off + in->off), in->dst, reg_desc(env, p, b, sizeof(b)));
	} else if (p->type == PTR_TO_CTX || type_is_pkt(p->type)) {
		return verr(env, idx, "atomic operations on %s are not allowed (only on the stack and map "
			    "values)", reg_desc(env, p, b, sizeof(b)));
	}
	struct vreg old;
	struct access rd = { .idx = idx, .regno = in->dst, .off = in->off, .size = size, .atomic = true,
			     .dst = &old, .val_regno = -1 };
	if ((err = mem_access(env, st, &rd)))
		return err;
	struct access wr = { .idx = idx, .regno = in->dst, .off = in->off, .size = size, .write = true,
			     .atomic = true, .val = &regs[in->src], .val_regno = in->src };
	if ((err = mem_access(env, st, &wr)))
		return err;
	struct vreg res;
	reg_mark_unknown(&res);
	if (size == 4)
		reg_coerce_zext(&res, 4);
	if (cmpxchg)
		regs[0] = res;
	else if (fetch)
		regs[in->src] = res;
	return 0;
}

int do_ld_pkt(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in,
	      uint32_t idx)
{
	struct vreg *regs = cur_regs(st);
	char b[160];
	if (!ctx_allows_ld_abs(env->ctx))
		return verr_code(env, -EINVAL, idx, "legacy packet loads (LD_ABS/LD_IND) are not allowed "
				 "in %s programs; use direct packet access", ctx_type_name(env->ctx));
	if (!env->generic && regs[6].type != PTR_TO_CTX)
		return verr(env, idx, "legacy packet loads need the context in R6, but R6 is %s (as in "
			    "Linux: `r6 = r1` at the start)", reg_desc(env, &regs[6], b, sizeof(b)));
	if (st->nrefs)
		return verr(env, idx, "legacy packet loads may end the program, but a reference from insn %u "
			    "is still held", st->refs[0].insn);
	if (st->lock_insn >= 0)
		return verr(env, idx, "legacy packet loads may end the program, but the spin lock taken at "
			    "insn %d is held", st->lock_insn);
	if (oi->form == F_LDIND) {
		int err = check_read(env, st, idx, in->src);
		if (err)
			return err;
		if (regs[in->src].type != SCALAR)
			return verr(env, idx, "LD_IND offsets by R%d, which is %s, not a scalar", in->src,
				    reg_desc(env, &regs[in->src], b, sizeof(b)));
	}
	for (int r = 1; r <= 5; r++) {
		memset(&regs[r], 0, sizeof(regs[r]));
		regs[r].origin = idx + 1;
	}
	reg_mark_unknown(&regs[0]);
	reg_coerce_zext(&regs[0], oi->bits / 8);
	return 0;
}

/*
 * Memory a helper reads (write false) or fills: [ptr, ptr + size) where
 * size is the constant `size`, or at most size_reg's maximum.
 */
int check_mem_range(struct venv *env, struct vstate *st, uint32_t idx, int regno, int64_t off,
		    const struct vreg *size_reg, uint64_t size, bool write, bool zero_ok,
		    const char *what, bool allow_ptrs)
{
	struct vreg *r = &cur_regs(st)[regno];
	char b[160];
	(void)off;
	if (size_reg)
		size = size_reg->umax;
	if (size == 0 && zero_ok)
		return 0;
	if (size > UINT32_MAX)
		return verr(env, idx, "%s: size %llu is too large", what, (unsigned long long)size);
	if (r->type == PTR_TO_STACK) {
		struct vframe *f = st->frame[r->frameno];
		int64_t lo = (int64_t)r->off + r->smin, hi = (int64_t)r->off + r->smax + (int64_t)size;
		struct access a = { .idx = idx, .regno = regno, .size = (unsigned)size, .write = write };
		if (lo < -BPFRT_STACK_SIZE || hi > 0)
			return verr(env, idx, "%s: R%d (%s) with %llu bytes reaches fp%+lld..fp%+lld, outside "
				    "the stack frame (fp-%d to fp)", what, regno, reg_desc(env, r, b, sizeof(b)),
				    (unsigned long long)size, (long long)lo, (long long)hi, BPFRT_STACK_SIZE);
		int err = frame_grow(f, (unsigned)((-lo + 7) / 8));
		if (err)
			return err;
		note_depth(env, f, lo);
		if (!write) {
			bool z;
			return stack_initialized(env, &a, r, f, lo, hi, allow_ptrs, &z);
		}
		for (int64_t x = lo; x < hi; x++) {
			unsigned spi;
			byte_type(f, x, &spi);
			int64_t slo = -8 * ((int64_t)spi + 1);
			if (slot_has_ptr(&f->slots[spi]) && (slo < lo || slo + 8 > hi))
				return verr(env, idx, "%s: the helper may overwrite part of the pointer spilled "
					    "at fp%+lld, leaving the rest readable as data", what, (long long)slo);
		}
		for (int64_t x = lo; x < hi; x++) {
			unsigned spi;
			uint8_t *t = byte_type(f, x, &spi);
			scrub_slot(&f->slots[spi]);
			*t = STACK_MISC;
		}
		return 0;
	}
	struct access a = { .idx = idx, .regno = regno, .off = 0, .size = (unsigned)size, .write = write,
			    .val_regno = -1 };
	switch (r->type) {
	case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY: case PTR_TO_MEM:
	case PTR_TO_PACKET: case PTR_TO_PACKET_META:
		if (r->flags & REG_MAYBE_NULL)
			break;
		return mem_access(env, st, &a);
	default:
		break;
	}
	return verr(env, idx, "%s: R%d is %s, but the helper needs a pointer to memory (stack, map "
		    "value, packet or ring buffer record)", what, regno, reg_desc(env, r, b, sizeof(b)));
}
