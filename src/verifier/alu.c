/* SPDX-License-Identifier: MIT */
/*
 * alu.c - arithmetic instructions and lddw: scalars go through bounds.c;
 * pointers may only be moved, or moved by a scalar (add, subtract), which
 * Linux's unprivileged rules allow, and two pointers into the same object
 * may be subtracted (e.g. data_end - data, a packet's length). Anything
 * else on a pointer would turn an address into a number the program could
 * leak, and is refused.
 */
#include <errno.h>
#include <string.h>
#include "vstate.h"

int check_read(struct venv *env, struct vstate *st, uint32_t idx, int regno)
{
	struct vreg *r = &cur_regs(st)[regno];
	if (r->type != NOT_INIT)
		return 0;
	if (r->flags & REG_PKT_GONE) {
		char hn[64];
		return verr(env, idx, "R%d was a packet pointer before %s at insn %u, which may move or "
			    "resize the packet: reload ctx->data and ctx->data_end and check the bounds again",
			    regno, helper_name(env, r->pkt_helper, hn, sizeof(hn)), r->origin - 1);
	}
	if (r->origin)
		return verr(env, idx, "R%d is used here but holds no value: the call at insn %u clobbered "
			    "r0-r5 (keep values needed after a call in r6-r9 or on the stack)",
			    regno, r->origin - 1);
	if (st->curframe && regno >= 6)
		return verr(env, idx, "R%d is used here but was never set in this function: a called "
			    "function starts with only r1-r5 (its arguments) and r10", regno);
	return verr(env, idx, "R%d is used here but was never set on this path", regno);
}

static bool is_mov(enum op_id id)
{
	return id == OP_MOV64_REG || id == OP_MOV32_REG || id == OP_MOV64_IMM || id == OP_MOV32_IMM;
}

static bool is_add(enum op_id id) { return id == OP_ADD64_REG || id == OP_ADD64_IMM; }
static bool is_sub(enum op_id id) { return id == OP_SUB64_REG || id == OP_SUB64_IMM; }

static void set_scalar_imm(struct vreg *r, const struct bpfrt_insn *in, bool is32)
{
	reg_mark_known(r, is32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
}

/* Can this kind of pointer be moved by a scalar? NULL if yes, else why not. */
static const char *ptr_arith_forbidden(const struct vreg *p)
{
	if (p->type == HALF_PTR)
		return "it holds only the low half of an address: subtract a pointer into the same object "
		       "from it with a 32-bit `-=`, nothing else";
	if (p->flags & REG_MAYBE_NULL)
		return "it may be NULL: check it against 0 first";
	switch (p->type) {
	case PTR_TO_PACKET_END: return "the end of the packet only serves in comparisons";
	case CONST_PTR_TO_MAP: return "a map is a handle for helpers, not memory";
	case PTR_TO_FUNC: return "a function is not memory";
	default: return NULL;
	}
}

/* Linux's check_reg_sane_offset: no offset large enough to wrap around. */
static int sane_offset(struct venv *env, uint32_t idx, int regno, const struct vreg *r, bool is_ptr)
{
	char b[160];
	if (!is_ptr && tnum_is_const(r->var_off) &&
	    ((int64_t)r->var_off.value >= MAX_VAR_OFF || (int64_t)r->var_off.value <= -MAX_VAR_OFF))
		return verr(env, idx, "adding %lld to a pointer is not allowed: offsets must stay within "
			    "+-%d", (long long)r->var_off.value, MAX_VAR_OFF);
	if (is_ptr && (r->off >= MAX_VAR_OFF || r->off <= -MAX_VAR_OFF))
		return verr(env, idx, "R%d would be %s, whose offset %d is too large", regno,
			    reg_desc(env, r, b, sizeof(b)), r->off);
	if (r->smin == INT64_MIN)
		return verr(env, idx, "R%d (%s) has no lower bound, so it cannot move a pointer; bound it "
			    "first (`if (x > N) return 0;` with x unsigned, or `x &= MASK`)",
			    regno, reg_desc(env, r, b, sizeof(b)));
	if (r->smin >= MAX_VAR_OFF || r->smin <= -MAX_VAR_OFF)
		return verr(env, idx, "R%d (%s) would move the pointer out of any object", regno,
			    reg_desc(env, r, b, sizeof(b)));
	return 0;
}

int check_ptr_offset_sane(struct venv *env, uint32_t idx, int regno, const struct vreg *r)
{
	return sane_offset(env, idx, regno, r, true);
}

/* dst (a pointer) +=/-= the scalar s. */
static int ptr_arith(struct venv *env, struct vstate *st, uint32_t idx, int regno, struct vreg *dst,
		     const struct vreg *ptr, const struct vreg *s, int s_regno, bool sub)
{
	char b[160];
	const char *why = ptr_arith_forbidden(ptr);
	if (why)
		return verr(env, idx, "R%d is %s; moving it is not allowed: %s", regno,
			    reg_desc(env, ptr, b, sizeof(b)), why);
	if (sub && ptr->type == PTR_TO_STACK && !tnum_is_const(s->var_off))
		return verr(env, idx, "subtracting a variable from a stack pointer is not allowed; add "
			    "the negated value instead");
	int err = sane_offset(env, idx, s_regno, s, false);
	if (err)
		return err;
	if (s_regno >= 0) {
		err = mark_precise(env, st, s_regno);
		if (err)
			return err;
	}
	struct vreg res = *ptr;
	if (tnum_is_const(s->var_off)) {
		int64_t k = (int64_t)s->var_off.value;
		int64_t off = sub ? (int64_t)ptr->off - k : (int64_t)ptr->off + k;
		if (off == (int32_t)off) {
			res.off = (int32_t)off;
			*dst = res;
			return sane_offset(env, idx, regno, dst, true);
		}
	}
	/* A variable amount goes into the variable part of the offset. */
	struct vreg var = *ptr;
	var.type = SCALAR;
	scalar_alu(&var, s, sub ? OP_SUB64_REG : OP_ADD64_REG, false);
	res.var_off = var.var_off;
	res.umin = var.umin; res.umax = var.umax;
	res.smin = var.smin; res.smax = var.smax;
	res.u32_min = var.u32_min; res.u32_max = var.u32_max;
	res.s32_min = var.s32_min; res.s32_max = var.s32_max;
	if (type_is_pkt(res.type)) {
		/* a new base: bounds checks so far said nothing about it */
		res.id = new_id(env);
		res.range = 0;
	}
	*dst = res;
	return sane_offset(env, idx, regno, dst, true);
}

/* Two pointers into the same object: their distance, a scalar. */
static bool same_object(const struct vreg *a, const struct vreg *b)
{
	uint8_t ta = a->type == HALF_PTR ? a->half_of : a->type;
	uint8_t tb = b->type == HALF_PTR ? b->half_of : b->type;
	bool pa = type_is_pkt(ta) || ta == PTR_TO_PACKET_END;
	bool pb = type_is_pkt(tb) || tb == PTR_TO_PACKET_END;
	if (pa && pb)
		return true;
	if (ta != tb || (a->flags | b->flags) & REG_MAYBE_NULL)
		return false;
	switch (ta) {
	case PTR_TO_STACK: return a->frameno == b->frameno;
	case PTR_TO_MAP_VALUE: return a->map == b->map && a->map->max_entries == 1;
	case PTR_TO_CTX: return true;
	default: return false;
	}
}

static int alu_on_pointers(struct venv *env, struct vstate *st, const struct opinfo *oi,
			   const struct bpfrt_insn *in, uint32_t idx, bool src_is_reg)
{
	struct vreg *regs = cur_regs(st);
	struct vreg *dst = &regs[in->dst];
	struct vreg imm, *src = src_is_reg ? &regs[in->src] : &imm;
	char b1[160], b2[160];
	if (!src_is_reg)
		set_scalar_imm(&imm, in, false);
	bool dp = reg_is_pointer(dst), sp = reg_is_pointer(src);

	if (oi->bits == 32 && oi->id == OP_SUB32_REG && dp && sp && same_object(dst, src)) {
		/* the low 32 bits of the distance between two pointers into one object */
		reg_mark_unknown(dst);
		reg_coerce_zext(dst, 4);
		return 0;
	}
	if (oi->bits == 32)
		return verr(env, idx, "32-bit arithmetic on %s is not allowed: it would cut an address "
			    "in half (use 64-bit instructions on pointers)",
			    dp ? reg_desc(env, dst, b1, sizeof(b1)) : reg_desc(env, src, b1, sizeof(b1)));
	if (dp && sp) {
		if (is_sub(oi->id) && same_object(dst, src) && dst->type != HALF_PTR && src->type != HALF_PTR) {
			reg_mark_unknown(dst); /* the distance between them */
			return 0;
		}
		return verr(env, idx, "R%d %s R%d combines two pointers (%s and %s); only the difference "
			    "of two pointers into the same object is allowed", in->dst, oi->llvm, in->src,
			    reg_desc(env, dst, b1, sizeof(b1)), reg_desc(env, src, b2, sizeof(b2)));
	}
	if (dp && (is_add(oi->id) || is_sub(oi->id)))
		return ptr_arith(env, st, idx, in->dst, dst, dst, src, src_is_reg ? in->src : -1,
				 is_sub(oi->id));
	if (sp && is_add(oi->id)) {
		struct vreg s = *dst, p = *src;
		/* the scalar operand is the destination: its precision is traced before it is overwritten */
		return ptr_arith(env, st, idx, in->dst, dst, &p, &s, in->dst, false);
	}
	if (sp && is_sub(oi->id))
		return verr(env, idx, "R%d -= R%d subtracts a pointer (%s) from a scalar, which would "
			    "reveal the address", in->dst, in->src, reg_desc(env, src, b1, sizeof(b1)));
	const struct vreg *p = dp ? dst : src;
	return verr(env, idx, "'%s' with %s is not allowed: only adding or subtracting scalars "
		    "moves a pointer (any other operation would expose the address)",
		    oi->llvm, reg_desc(env, p, b1, sizeof(b1)));
}

/* r1 (data of a generic program) + r2 (its length) is the end of the data. */
static bool is_data_end_sum(struct venv *env, const struct vreg *p, const struct vreg *len)
{
	return env->generic && p->type == PTR_TO_PACKET && !p->id && !p->off &&
	       tnum_equals_const(p->var_off, 0) && len->type == SCALAR && (len->flags & REG_DATA_LEN);
}

int do_alu(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in,
	   uint32_t idx)
{
	struct vreg *regs = cur_regs(st);
	struct vreg *dst = &regs[in->dst];
	bool is32 = oi->bits == 32;
	bool src_is_reg = op_src_is_reg(oi) || oi->form == F_MOVSX;
	char b[160];
	int err;

	if (src_is_reg && (err = check_read(env, st, idx, in->src)))
		return err;
	if (!is_mov(oi->id) && oi->form != F_MOVSX && (err = check_read(env, st, idx, in->dst)))
		return err;
	struct vreg *src = src_is_reg ? &regs[in->src] : NULL;

	/*
	 * The ISA defines division by zero, but a constant divisor of 0 is
	 * always a mistake, and Linux refuses it.
	 */
	switch (oi->id) {
	case OP_DIV64_IMM: case OP_SDIV64_IMM: case OP_MOD64_IMM: case OP_SMOD64_IMM:
	case OP_DIV32_IMM: case OP_SDIV32_IMM: case OP_MOD32_IMM: case OP_SMOD32_IMM:
		if (in->imm == 0)
			return verr_code(env, -EINVAL, idx, "division by the constant 0 (the result would be %s); "
					 "Linux refuses it as well", oi->id == OP_DIV64_IMM || oi->id == OP_SDIV64_IMM ||
					 oi->id == OP_DIV32_IMM || oi->id == OP_SDIV32_IMM ? "0" : "the dividend");
		break;
	default:
		break;
	}

	switch (oi->id) {
	case OP_MOV64_IMM: case OP_MOV32_IMM:
		set_scalar_imm(dst, in, is32);
		return 0;
	case OP_MOV64_REG:
		if (src->type == SCALAR && !src->id && !tnum_is_const(src->var_off))
			src->id = new_id(env); /* copies are refined together by branches */
		*dst = *src;
		dst->precise = false;
		return 0;
	case OP_MOV32_REG:
		if (reg_is_pointer(src)) {
			/* only good for `w1 -= w2` with a pointer into the same object, e.g. (u32)(end - data) */
			uint8_t t = src->type == HALF_PTR ? src->half_of : src->type;
			*dst = *src;
			dst->type = HALF_PTR;
			dst->half_of = t;
			dst->precise = false;
			return 0;
		}
		{
			struct vreg v = *src;
			v.id = 0;
			v.precise = false;
			if (v.umax > UINT32_MAX)
				v.flags &= (uint8_t)~REG_DATA_LEN;
			reg_coerce_zext(&v, 4);
			*dst = v;
		}
		return 0;
	default:
		break;
	}
	if (oi->form == F_MOVSX) {
		if (reg_is_pointer(src))
			return verr(env, idx, "sign-extending %s would expose the address",
				    reg_desc(env, src, b, sizeof(b)));
		struct vreg v = *src;
		v.id = 0;
		v.flags = 0;
		v.precise = false;
		reg_coerce_sext(&v, oi->vval / 8);
		if (is32)
			reg_coerce_zext(&v, 4);
		*dst = v;
		return 0;
	}
	if (oi->form == F_NEG || oi->form == F_END) {
		if (reg_is_pointer(dst))
			return verr(env, idx, "'%s' on %s is not allowed: it would expose the address",
				    oi->name, reg_desc(env, dst, b, sizeof(b)));
		dst->id = 0;
		dst->flags = 0;
		if (oi->form == F_NEG) {
			scalar_alu(dst, dst, oi->id, is32);
		} else if (oi->id == OP_LE16 || oi->id == OP_LE32) {
			reg_coerce_zext(dst, oi->id == OP_LE16 ? 2 : 4);
		} else if (oi->id != OP_LE64) {
			unsigned size = (unsigned)in->imm / 8;
			struct tnum t = tnum_bswap(dst->var_off, size);
			reg_mark_unknown(dst);
			dst->var_off = t;
			reg_bounds_sync(dst);
		}
		return 0;
	}
	if (reg_is_pointer(dst) || (src && reg_is_pointer(src))) {
		if (src && is_add(oi->id) && is_data_end_sum(env, dst, src)) {
			uint32_t o = dst->origin;
			memset(dst, 0, sizeof(*dst));
			dst->type = PTR_TO_PACKET_END;
			dst->var_off = tnum_const(0);
			dst->origin = o;
			return 0;
		}
		if (src && is_add(oi->id) && is_data_end_sum(env, src, dst)) {
			*dst = *src;
			dst->type = PTR_TO_PACKET_END;
			return 0;
		}
		return alu_on_pointers(env, st, oi, in, idx, src_is_reg);
	}
	struct vreg imm;
	if (!src) {
		set_scalar_imm(&imm, in, is32);
		src = &imm;
	}
	/*
	 * `rX += K` on a copy keeps it linked to the original, K apart, so a
	 * branch on either refines both (as Linux's BPF_ADD_CONST); once only.
	 */
	uint32_t link = 0;
	int32_t delta = 0;
	if (!is32 && (oi->id == OP_ADD64_IMM || oi->id == OP_ADD64_REG) && dst->id && !dst->off &&
	    tnum_is_const(src->var_off) && src->var_off.value <= INT32_MAX) {
		link = dst->id;
		delta = (int32_t)src->var_off.value;
	}
	dst->id = 0;
	dst->off = 0;
	dst->flags = 0;
	dst->precise = false;
	scalar_alu(dst, src, oi->id, is32);
	if (link && delta) {
		dst->id = link;
		dst->off = delta;
	} else if (link) {
		dst->id = link; /* += 0: still a plain copy */
	}
	return 0;
}

int do_lddw(struct venv *env, struct vstate *st, const struct bpfrt_insn *in, uint32_t idx)
{
	struct vreg *dst = &cur_regs(st)[in->dst];
	const struct verifier_map *m = env->in->lddw_map ? env->in->lddw_map[idx] : NULL;
	switch (in->src) {
	case BPFRT_PSEUDO_NONE:
		reg_mark_known(dst, (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32);
		return 0;
	case BPFRT_PSEUDO_FUNC:
		memset(dst, 0, sizeof(*dst));
		dst->type = PTR_TO_FUNC;
		dst->var_off = tnum_const(0);
		dst->subprog = (uint32_t)((long)idx + 1 + in->imm);
		dst->origin = idx;
		return 0;
	case BPFRT_PSEUDO_MAP_FD: case BPFRT_PSEUDO_MAP_IDX:
	case BPFRT_PSEUDO_MAP_VALUE: case BPFRT_PSEUDO_MAP_IDX_VALUE:
		if (!m)
			return verr_code(env, -EINVAL, idx, "lddw refers to map %s %d, which the loader did "
					 "not resolve", in->src == BPFRT_PSEUDO_MAP_FD ||
					 in->src == BPFRT_PSEUDO_MAP_VALUE ? "fd" : "index", in->imm);
		memset(dst, 0, sizeof(*dst));
		dst->var_off = tnum_const(0);
		dst->map = m;
		dst->origin = idx;
		if (in->src == BPFRT_PSEUDO_MAP_FD || in->src == BPFRT_PSEUDO_MAP_IDX) {
			dst->type = CONST_PTR_TO_MAP;
			return 0;
		}
		{
			uint32_t off = (uint32_t)in[1].imm;
			if (m->type != BPFRT_MAP_TYPE_ARRAY || m->max_entries != 1 || off >= m->value_size)
				return verr_code(env, -EINVAL, idx, "lddw of a value of map '%s' at offset %u: "
						 "only single-entry array maps (global data), inside their %u-byte "
						 "value, as in Linux", m->name, off, m->value_size);
			dst->type = PTR_TO_MAP_VALUE;
			dst->off = (int32_t)off;
		}
		return 0;
	default:
		return verr_code(env, -EINVAL, idx, "lddw of a kernel variable (BTF id %d): there is no "
				 "kernel memory in user space", in->imm);
	}
}
