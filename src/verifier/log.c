/* SPDX-License-Identifier: MIT */
/*
 * log.c - the verifier's words: the one error message of a rejection (the
 * rule, the registers involved, the fix, the source line), descriptions of
 * register states for messages, and the verbose log (log_level 2 prints the
 * state at every instruction, much like Linux's).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "bpfrt/asm.h"
#include "vstate.h"

static int verr_v(struct venv *env, int err, uint32_t idx, const char *fmt, va_list ap)
{
	char msg[DIAG_MAX], line[200] = "";
	vsnprintf(msg, sizeof(msg), fmt, ap);
	const struct verifier_input *in = env->in;
	if (in->source_line && idx < env->cnt) {
		char buf[sizeof(line) - 4] = "";
		in->source_line(in->ctx, idx, buf, sizeof(buf));
		if (buf[0])
			snprintf(line, sizeof(line), " (%s)", buf);
	}
	diag_insn(env->d, idx, "%s%s", msg, line);
	if (env->log && env->log_level >= 1) {
		char dis[96] = "";
		if (idx < env->cnt)
			bpfrt_disasm_insn(env->insns, env->cnt, idx, BPFRT_SYNTAX_LLVM, dis, sizeof(dis));
		fprintf(env->log, "insn %u: %s%s\n  %u: %s\n", idx, msg, line, idx, dis);
	}
	return err;
}

int verr(struct venv *env, uint32_t idx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int err = verr_v(env, -EACCES, idx, fmt, ap);
	va_end(ap);
	return err;
}

int verr_code(struct venv *env, int err, uint32_t idx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr_v(env, err, idx, fmt, ap);
	va_end(ap);
	return err;
}

void vlog(struct venv *env, const char *fmt, ...)
{
	if (!env->log || env->log_level < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(env->log, fmt, ap);
	va_end(ap);
}

const char *insn_source(const struct venv *env, uint32_t idx, char *buf, size_t len)
{
	const struct verifier_input *in = env->in;
	char line[160] = "";
	if (in->source_line && idx < env->cnt)
		in->source_line(in->ctx, idx, line, sizeof(line));
	snprintf(buf, len, "%s%s%s", line[0] ? " (" : "", line, line[0] ? ")" : "");
	return buf;
}

const char *insn_where(const struct venv *env, uint32_t idx, char *buf, size_t len)
{
	char src[180];
	snprintf(buf, len, " at insn %u%s", idx, insn_source(env, idx, src, sizeof(src)));
	return buf;
}

const char *helper_name(const struct venv *env, uint32_t id, char *buf, size_t len)
{
	const struct verifier_input *in = env->in;
	const char *n = in->helper_name ? in->helper_name(in->ctx, id) : NULL;
	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "helper #%u", id);
	return buf;
}

const char *reg_type_name(const struct venv *env, const struct vreg *r)
{
	switch (r->type) {
	case NOT_INIT: return "?";
	case SCALAR: return "scalar";
	case PTR_TO_CTX: return "ctx";
	case PTR_TO_STACK: return "fp";
	case PTR_TO_MAP_VALUE: return r->flags & REG_MAYBE_NULL ? "map_value_or_null" : "map_value";
	case PTR_TO_MAP_KEY: return "map_key";
	case CONST_PTR_TO_MAP: return r->flags & REG_MAYBE_NULL ? "map_ptr_or_null" : "map_ptr";
	case PTR_TO_PACKET: return env->generic ? "data" : "pkt";
	case PTR_TO_PACKET_META: return "pkt_meta";
	case PTR_TO_PACKET_END: return env->generic ? "data_end" : "pkt_end";
	case PTR_TO_MEM: return r->flags & REG_MAYBE_NULL ? "ringbuf_mem_or_null" : "ringbuf_mem";
	case PTR_TO_FUNC: return "func";
	case HALF_PTR: return "half_ptr";
	default: return "unknown";
	}
}

/* "umin=0,umax=255,var_off=(0x0; 0xff)": what is known beyond the type. */
static int bounds_str(const struct vreg *r, char *buf, size_t len)
{
	size_t n = 0;
	if (tnum_is_const(r->var_off))
		return snprintf(buf, len, "%" PRId64, (int64_t)r->var_off.value);
#define ADD(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	if (r->smin != INT64_MIN && (r->smin != (int64_t)r->umin || r->smin < 0))
		ADD("smin=%" PRId64 ",", r->smin);
	if (r->smax != INT64_MAX && (r->smax != (int64_t)r->umax))
		ADD("smax=%" PRId64 ",", r->smax);
	if (r->umin)
		ADD("umin=%" PRIu64 ",", r->umin);
	if (r->umax != UINT64_MAX)
		ADD("umax=%" PRIu64 ",", r->umax);
	if (r->u32_max != UINT32_MAX && r->umax > UINT32_MAX)
		ADD("u32_max=%" PRIu32 ",", r->u32_max);
	if (!tnum_is_unknown(r->var_off) && (r->var_off.mask != (r->umax ^ r->umin) || r->var_off.value != r->umin)) {
		char t[48];
		tnum_str(t, sizeof(t), r->var_off);
		ADD("var_off=%s,", t);
	}
#undef ADD
	if (n && n <= len)
		buf[--n] = '\0';
	return (int)n;
}

int reg_str(const struct venv *env, const struct vreg *r, char *buf, size_t len)
{
	char b[160] = "";
	if (r->type == SCALAR) {
		bounds_str(r, b, sizeof(b));
		if (tnum_is_const(r->var_off))
			return snprintf(buf, len, "%s%s", b, r->precise ? "P" : "");
		if (r->id)
			return snprintf(buf, len, "scalar(id=%u%s%s)%s", r->id, b[0] ? "," : "", b,
					r->precise ? "P" : "");
		return snprintf(buf, len, "scalar(%s)%s", b, r->precise ? "P" : "");
	}
	const char *t = reg_type_name(env, r);
	if (r->type == PTR_TO_STACK && tnum_is_const(r->var_off))
		return snprintf(buf, len, "fp%" PRId64 "%s", (int64_t)r->off + (int64_t)r->var_off.value,
				r->frameno ? "" : "");
	size_t n = (size_t)snprintf(buf, len, "%s(", t);
#define ADD(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	if (r->type == PTR_TO_MAP_VALUE || r->type == PTR_TO_MAP_KEY || r->type == CONST_PTR_TO_MAP)
		ADD("map=%s,ks=%u,vs=%u,", r->map->name ? r->map->name : "?", r->map->key_size,
		    r->map->value_size);
	if (r->id)
		ADD("id=%u,", r->id);
	if (r->ref_obj_id)
		ADD("ref_obj_id=%u,", r->ref_obj_id);
	if (r->off)
		ADD("off=%d,", r->off);
	if (type_is_pkt(r->type))
		ADD("r=%u,", r->range);
	if (r->type == PTR_TO_MEM)
		ADD("size=%u,", r->mem_size);
	if (r->type == PTR_TO_FUNC)
		ADD("insn=%u,", r->subprog);
	if (!tnum_equals_const(r->var_off, 0)) {
		bounds_str(r, b, sizeof(b));
		ADD("%s,", b);
	}
	if (n > 0 && buf[n - 1] == ',')
		buf[--n] = '\0';
	ADD(")");
#undef ADD
	return (int)n;
}

const char *reg_desc(struct venv *env, const struct vreg *r, char *buf, size_t len)
{
	int64_t off = r->off;
	bool var = !tnum_equals_const(r->var_off, 0);
	if (tnum_is_const(r->var_off))
		off += (int64_t)r->var_off.value, var = false;
	const char *maybe = r->flags & REG_MAYBE_NULL ? " or NULL" : "";
	switch (r->type) {
	case NOT_INIT:
		snprintf(buf, len, "not set");
		break;
	case SCALAR:
		if (tnum_is_const(r->var_off)) {
			snprintf(buf, len, "the constant %" PRId64, (int64_t)r->var_off.value);
		} else if (r->smin >= 0 || r->umax <= INT64_MAX) {
			if (r->umax == UINT64_MAX || (r->umin == 0 && r->umax == (uint64_t)INT64_MAX))
				snprintf(buf, len, "a scalar with no known bounds");
			else
				snprintf(buf, len, "a scalar in [%" PRIu64 ", %" PRIu64 "]", r->umin, r->umax);
		} else if (r->smin == INT64_MIN && r->smax == INT64_MAX) {
			snprintf(buf, len, "a scalar with no known bounds");
		} else {
			snprintf(buf, len, "a scalar in [%" PRId64 ", %" PRId64 "]", r->smin, r->smax);
		}
		break;
	case PTR_TO_CTX:
		if (off || var)
			snprintf(buf, len, "the context moved by %" PRId64 "%s", off, var ? " plus a variable" : "");
		else
			snprintf(buf, len, "the context");
		break;
	case PTR_TO_STACK:
		if (var)
			snprintf(buf, len, "a stack pointer fp%+" PRId64 " plus a variable in [%" PRId64 ", %" PRId64 "]",
				 off, r->smin, r->smax);
		else
			snprintf(buf, len, "a stack pointer fp%+" PRId64, off);
		break;
	case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY:
		if (var)
			snprintf(buf, len, "a pointer into a %s of map '%s'%s (offset %" PRId64 " plus a variable in "
				 "[%" PRId64 ", %" PRId64 "])", r->type == PTR_TO_MAP_KEY ? "key" : "value",
				 r->map->name ? r->map->name : "?", maybe, off, r->smin, r->smax);
		else
			snprintf(buf, len, "a pointer into a %s of map '%s'%s (offset %" PRId64 ")",
				 r->type == PTR_TO_MAP_KEY ? "key" : "value", r->map->name ? r->map->name : "?",
				 maybe, off);
		break;
	case CONST_PTR_TO_MAP:
		snprintf(buf, len, "map '%s'%s", r->map->name ? r->map->name : "?", maybe);
		break;
	case PTR_TO_PACKET: case PTR_TO_PACKET_META:
		if (var)
			snprintf(buf, len, "a %s pointer (offset %" PRId64 " plus a variable in [%" PRId64 ", %" PRIu64
				 "], %u bytes proven present)", r->type == PTR_TO_PACKET_META ? "metadata" :
				 env->generic ? "data" : "packet", off, r->smin, r->umax, r->range);
		else
			snprintf(buf, len, "a %s pointer (offset %" PRId64 ", %u bytes proven present)",
				 r->type == PTR_TO_PACKET_META ? "metadata" : env->generic ? "data" : "packet",
				 off, r->range);
		break;
	case PTR_TO_PACKET_END:
		snprintf(buf, len, "the end of the %s", env->generic ? "data" : "packet");
		break;
	case PTR_TO_MEM:
		snprintf(buf, len, "a ring buffer record of %u bytes%s (offset %" PRId64 "%s)", r->mem_size, maybe,
			 off, var ? " plus a variable" : "");
		break;
	case PTR_TO_FUNC:
		snprintf(buf, len, "the function at insn %u", r->subprog);
		break;
	case HALF_PTR: {
		struct vreg full = *r;
		char inner[160];
		full.type = r->half_of;
		snprintf(buf, len, "the low half of %s", reg_desc(env, &full, inner, sizeof(inner)));
		break;
	}
	default:
		snprintf(buf, len, "a value of unknown kind");
		break;
	}
	return buf;
}

void log_state(struct venv *env, const struct vstate *st)
{
	if (!env->log)
		return;
	char b[256];
	for (unsigned f = 0; f <= st->curframe; f++) {
		const struct vframe *fr = st->frame[f];
		if (st->curframe)
			fprintf(env->log, " frame%u:", f);
		for (unsigned r = 0; r < BPFRT_NREGS; r++) {
			if (fr->regs[r].type == NOT_INIT)
				continue;
			reg_str(env, &fr->regs[r], b, sizeof(b));
			fprintf(env->log, " R%u=%s", r, b);
		}
		for (unsigned s = 0; s < fr->nslots; s++) {
			const struct vslot *sl = &fr->slots[s];
			if (slot_spilled(sl)) {
				reg_str(env, &sl->spill, b, sizeof(b));
				fprintf(env->log, " fp-%u=%s", 8 * (s + 1), b);
				continue;
			}
			char t[9];
			bool any = false;
			for (int i = 0; i < 8; i++) {
				static const char c[] = "?mz0";
				t[7 - i] = c[sl->type[i]];
				any |= sl->type[i] != STACK_INVALID;
			}
			t[8] = '\0';
			if (any)
				fprintf(env->log, " fp-%u=%s", 8 * (s + 1), t);
		}
	}
	fputc('\n', env->log);
}

void log_insn(struct venv *env, const struct vstate *st, uint32_t idx)
{
	if (!env->log || env->log_level < 2)
		return;
	char dis[96];
	bpfrt_disasm_insn(env->insns, env->cnt, idx, BPFRT_SYNTAX_LLVM, dis, sizeof(dis));
	fprintf(env->log, "%u:", idx);
	log_state(env, st);
	fprintf(env->log, "%u: (%02x) %s\n", idx, env->insns[idx].code, dis);
}
