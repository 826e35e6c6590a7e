/* SPDX-License-Identifier: MIT */
/*
 * state.c - verifier states: creation, deep copies, and the comparison that
 * pruning rests on.
 *
 * states_equal(old, cur) answers "does everything that can happen from cur
 * also happen from old?" for a node old whose subtree was (or is being)
 * proven safe. It compares register by register and stack byte by byte:
 * dead registers (static liveness) and registers old never initialized are
 * skipped; a scalar old did not need exactly (not precise) matches any
 * scalar; otherwise cur's range must lie inside old's. Pointers must agree
 * on what they point to; packets need at least old's proven range. Ids
 * (NULL-check groups, linked scalars, references) must correspond one to
 * one, as in Linux's check_ids().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vstate.h"

uint32_t new_id(struct venv *env)
{
	return ++env->id_gen;
}

bool reg_is_pointer(const struct vreg *r)
{
	return r->type != NOT_INIT && r->type != SCALAR;
}

bool type_is_pkt(uint8_t t)
{
	return t == PTR_TO_PACKET || t == PTR_TO_PACKET_META;
}

struct vframe *frame_new(uint8_t frameno, int32_t callsite, uint32_t subprog)
{
	struct vframe *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->frameno = frameno;
	f->callsite = callsite;
	f->subprog = subprog;
	f->regs[10].type = PTR_TO_STACK;
	f->regs[10].frameno = frameno;
	f->regs[10].var_off = tnum_const(0);
	return f;
}

void frame_free(struct vframe *f)
{
	if (f) {
		free(f->slots);
		free(f);
	}
}

int frame_grow(struct vframe *f, unsigned nslots)
{
	if (nslots <= f->nslots)
		return 0;
	struct vslot *s = realloc(f->slots, nslots * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + f->nslots, 0, (nslots - f->nslots) * sizeof(*s));
	f->slots = s;
	f->nslots = (uint16_t)nslots;
	return 0;
}

static struct vframe *frame_dup(const struct vframe *src)
{
	struct vframe *f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	*f = *src;
	f->slots = NULL;
	if (src->nslots) {
		f->slots = malloc(src->nslots * sizeof(*f->slots));
		if (!f->slots) {
			free(f);
			return NULL;
		}
		memcpy(f->slots, src->slots, src->nslots * sizeof(*f->slots));
	}
	return f;
}

void state_clear(struct vstate *s)
{
	for (unsigned i = 0; i < BPFRT_MAX_FRAMES; i++) {
		frame_free(s->frame[i]);
		s->frame[i] = NULL;
	}
}

void state_free(struct vstate *s)
{
	if (s) {
		state_clear(s);
		free(s);
	}
}

int state_copy(struct venv *env, struct vstate *dst, const struct vstate *src)
{
	(void)env;
	state_clear(dst);
	struct vframe *frames[BPFRT_MAX_FRAMES] = { 0 };
	for (unsigned i = 0; i <= src->curframe; i++) {
		frames[i] = frame_dup(src->frame[i]);
		if (!frames[i]) {
			for (unsigned j = 0; j < i; j++)
				frame_free(frames[j]);
			return -ENOMEM;
		}
	}
	*dst = *src;
	memcpy(dst->frame, frames, sizeof(frames));
	return 0;
}

struct vstate *state_new(struct venv *env)
{
	(void)env;
	struct vstate *s = calloc(1, sizeof(*s));
	if (s) {
		s->lock_insn = -1;
		s->jmp_from = -1;
	}
	return s;
}

struct vstate *state_dup(struct venv *env, const struct vstate *s)
{
	struct vstate *d = calloc(1, sizeof(*d));
	if (d && state_copy(env, d, s)) {
		free(d);
		return NULL;
	}
	return d;
}

/* --- comparison --- */

/* One-to-one correspondence of ids between old and cur (Linux's check_ids). */
static bool check_ids(struct venv *env, uint32_t old_id, uint32_t cur_id)
{
	if (!old_id != !cur_id)
		return false;
	if (!old_id)
		return true;
	for (unsigned i = 0; i < env->nidmap; i++) {
		if (env->idmap_old[i] == old_id)
			return env->idmap_cur[i] == cur_id;
		if (env->idmap_cur[i] == cur_id)
			return false;
	}
	if (env->nidmap == sizeof(env->idmap_old) / sizeof(env->idmap_old[0]))
		return false;
	env->idmap_old[env->nidmap] = old_id;
	env->idmap_cur[env->nidmap++] = cur_id;
	return true;
}

/*
 * Scalar ids: old relied on a link only if it had one; an unlinked cur
 * register gets a fresh id, so it can stand for a linked old one only once.
 */
static bool check_scalar_ids(struct venv *env, uint32_t old_id, uint32_t cur_id)
{
	if (!old_id)
		return true;
	if (!cur_id)
		cur_id = 0x80000000u + env->nidmap;
	return check_ids(env, old_id, cur_id);
}

static bool range_within(const struct vreg *old, const struct vreg *cur)
{
	return old->umin <= cur->umin && old->umax >= cur->umax &&
	       old->smin <= cur->smin && old->smax >= cur->smax &&
	       old->u32_min <= cur->u32_min && old->u32_max >= cur->u32_max &&
	       old->s32_min <= cur->s32_min && old->s32_max >= cur->s32_max;
}

static bool same_value(const struct vreg *a, const struct vreg *b)
{
	return a->var_off.value == b->var_off.value && a->var_off.mask == b->var_off.mask &&
	       a->umin == b->umin && a->umax == b->umax && a->smin == b->smin && a->smax == b->smax &&
	       a->u32_min == b->u32_min && a->u32_max == b->u32_max &&
	       a->s32_min == b->s32_min && a->s32_max == b->s32_max;
}

static bool union_equal(const struct vreg *a, const struct vreg *b)
{
	switch (a->type) {
	case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY: case CONST_PTR_TO_MAP: return a->map == b->map;
	case PTR_TO_PACKET: case PTR_TO_PACKET_META: return a->range == b->range;
	case PTR_TO_MEM: return a->mem_size == b->mem_size;
	case PTR_TO_FUNC: return a->subprog == b->subprog;
	default: return true;
	}
}

static bool regs_exact(struct venv *env, const struct vreg *old, const struct vreg *cur)
{
	return old->type == cur->type && old->flags == cur->flags && old->off == cur->off &&
	       old->half_of == cur->half_of &&
	       old->frameno == cur->frameno && same_value(old, cur) && union_equal(old, cur) &&
	       check_ids(env, old->id, cur->id) && check_ids(env, old->ref_obj_id, cur->ref_obj_id);
}

static bool regsafe(struct venv *env, const struct vreg *old, const struct vreg *cur,
		    enum cmp_mode mode)
{
	if (mode == CMP_EXACT)
		return old->type == NOT_INIT ? cur->type == NOT_INIT : regs_exact(env, old, cur);
	if (old->type == NOT_INIT)
		return true; /* old's subtree never read it before writing it */
	if (old->type != cur->type || old->flags != cur->flags)
		return false;
	switch (old->type) {
	case SCALAR:
		if (mode == CMP_PRUNE && !old->precise)
			return true;
		return range_within(old, cur) && tnum_in(old->var_off, cur->var_off) &&
		       old->off == cur->off && check_scalar_ids(env, old->id, cur->id);
	case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY: case PTR_TO_MEM: case CONST_PTR_TO_MAP:
		return old->off == cur->off && union_equal(old, cur) && range_within(old, cur) &&
		       tnum_in(old->var_off, cur->var_off) && check_ids(env, old->id, cur->id) &&
		       check_ids(env, old->ref_obj_id, cur->ref_obj_id);
	case PTR_TO_PACKET: case PTR_TO_PACKET_META:
		/* cur must have at least the range old proved, at the same offset. */
		return old->range <= cur->range && old->off == cur->off &&
		       check_ids(env, old->id, cur->id) && range_within(old, cur) &&
		       tnum_in(old->var_off, cur->var_off);
	case PTR_TO_PACKET_END:
		return true;
	case PTR_TO_STACK:
		return old->frameno == cur->frameno && old->off == cur->off && same_value(old, cur);
	default:
		return regs_exact(env, old, cur);
	}
}

/* A whole slot read as 8 bytes gives this scalar: spilled or all-MISC. */
static bool slot_as_scalar(const struct vslot *s, struct vreg *out)
{
	bool all_spill = true, all_misc = true;
	for (int i = 0; i < 8; i++) {
		all_spill &= s->type[i] == STACK_SPILL;
		all_misc &= s->type[i] == STACK_MISC;
	}
	if (all_spill && s->spill.type == SCALAR) {
		*out = s->spill;
		return true;
	}
	if (all_misc) {
		reg_mark_unknown(out);
		return true;
	}
	return false;
}

static bool stacksafe(struct venv *env, const struct vframe *old, const struct vframe *cur,
		      enum cmp_mode mode)
{
	static const struct vslot invalid;
	for (unsigned spi = 0; spi < old->nslots || (mode == CMP_EXACT && spi < cur->nslots); spi++) {
		const struct vslot *o = spi < old->nslots ? &old->slots[spi] : &invalid;
		const struct vslot *c = spi < cur->nslots ? &cur->slots[spi] : &invalid;
		if (mode == CMP_EXACT) {
			if (memcmp(o->type, c->type, 8))
				return false;
			if (slot_spilled(o) && !regs_exact(env, &o->spill, &c->spill))
				return false;
			continue;
		}
		struct vreg os, cs;
		if (slot_as_scalar(o, &os) && slot_as_scalar(c, &cs)) {
			if (!regsafe(env, &os, &cs, mode))
				return false;
			continue;
		}
		for (int i = 0; i < 8; i++) {
			uint8_t ot = o->type[i], ct = c->type[i];
			if (ot == STACK_INVALID)
				continue;
			if (ot == STACK_MISC && ct == STACK_ZERO)
				continue; /* safe with any bytes, so with zeros */
			if (ot != ct)
				return false;
		}
		if (slot_spilled(o) && !regsafe(env, &o->spill, &c->spill, mode))
			return false;
	}
	return true;
}

/* Registers of frame f that the rest of the path may read. */
static uint16_t frame_live(const struct venv *env, const struct vstate *st, unsigned f)
{
	if (f == st->curframe)
		return env->live[st->insn];
	const struct vframe *callee = st->frame[f + 1];
	if (callee->in_callback)
		return env->live[callee->callsite]; /* the helper call runs again */
	return env->live[callee->callsite + 1] & 0x3c0; /* r6..r9 survive the call */
}

bool states_equal(struct venv *env, const struct vstate *old, const struct vstate *cur,
		  enum cmp_mode mode)
{
	env->nidmap = 0;
	if (old->curframe != cur->curframe || old->nrefs != cur->nrefs)
		return false;
	if ((old->lock_insn < 0) != (cur->lock_insn < 0))
		return false;
	if (old->lock_insn >= 0 && (old->lock_map != cur->lock_map || old->lock_off != cur->lock_off ||
				    !check_ids(env, old->lock_id, cur->lock_id)))
		return false;
	for (unsigned i = 0; i < old->nrefs; i++)
		if (!check_ids(env, old->refs[i].id, cur->refs[i].id))
			return false;
	if (old->nlenfacts > cur->nlenfacts)
		return false;
	for (unsigned f = 0; f <= old->curframe; f++) {
		const struct vframe *of = old->frame[f], *cf = cur->frame[f];
		if (of->callsite != cf->callsite || of->in_callback != cf->in_callback)
			return false;
		uint16_t live = mode == CMP_EXACT ? 0x3ff : frame_live(env, old, f);
		for (unsigned r = 0; r < 10; r++) {
			if (!(live & (1u << r)))
				continue;
			if (!regsafe(env, &of->regs[r], &cf->regs[r], mode))
				return false;
		}
		if (!stacksafe(env, of, cf, mode))
			return false;
	}
	/* What old knew about the data size, cur must know too (ids as mapped above). */
	for (unsigned i = 0; i < old->nlenfacts; i++)
		if (old->lenfacts[i].c > cur->lenfacts[i].c ||
		    !check_scalar_ids(env, old->lenfacts[i].id, cur->lenfacts[i].id))
			return false;
	return true;
}
