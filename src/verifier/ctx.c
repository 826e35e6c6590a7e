/* SPDX-License-Identifier: MIT */
/*
 * ctx.c - the context r1 points to, per program type: which fields exist,
 * their sizes, which are writable and which hold packet pointers, with
 * Linux's rules (xdp_is_valid_access, sk_filter_is_valid_access,
 * tc_cls_act_is_valid_access, kprobe_prog_is_valid_access...).
 *
 * Generic programs have no context: r1 is their data (a packet pointer).
 * Tracepoint records have no fixed layout; like Linux, any aligned read
 * past the 8-byte common header is allowed, here up to 4096 bytes, so the
 * caller must supply a record that large.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/bpf.h>
#include "vstate.h"

#define TP_MAX 4096
#define PT_REGS_SIZE 168  /* x86-64 struct pt_regs */
#define RAW_TP_ARGS 12    /* Linux's MAX_BPF_FUNC_ARGS */

enum ctx_kind_v { K_DATA, K_XDP, K_SKB_FILTER, K_SKB_TC, K_PT_REGS, K_TP, K_PERF, K_RAW_TP };

struct ctx_desc {
	enum bpfrt_prog_type type;
	const char *prog;   /* program type, for messages */
	const char *ctx;    /* what r1 points to */
	enum ctx_kind_v kind;
	uint32_t size;
	bool pkt_read, pkt_write, ld_abs;
};

static const struct ctx_desc descs[] = {
	{ BPFRT_PROG_TYPE_UNSPEC, "generic", "data", K_DATA, 0, true, true, true },
	{ BPFRT_PROG_TYPE_SOCKET_FILTER, "socket_filter", "struct __sk_buff", K_SKB_FILTER,
	  sizeof(struct __sk_buff), false, false, true },
	{ BPFRT_PROG_TYPE_KPROBE, "kprobe", "struct pt_regs", K_PT_REGS, PT_REGS_SIZE, false, false, false },
	{ BPFRT_PROG_TYPE_SCHED_CLS, "sched_cls", "struct __sk_buff", K_SKB_TC, sizeof(struct __sk_buff),
	  true, true, true },
	{ BPFRT_PROG_TYPE_SCHED_ACT, "sched_act", "struct __sk_buff", K_SKB_TC, sizeof(struct __sk_buff),
	  true, true, true },
	{ BPFRT_PROG_TYPE_TRACEPOINT, "tracepoint", "the tracepoint record", K_TP, TP_MAX, false, false, false },
	{ BPFRT_PROG_TYPE_XDP, "xdp", "struct xdp_md", K_XDP, sizeof(struct xdp_md), true, true, false },
	{ BPFRT_PROG_TYPE_PERF_EVENT, "perf_event", "struct bpf_perf_event_data", K_PERF,
	  PT_REGS_SIZE + 16, false, false, false },
	{ BPFRT_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint", "the u64 arguments", K_RAW_TP,
	  RAW_TP_ARGS * 8, false, false, false },
	{ BPFRT_PROG_TYPE_TRACING, "tracing", "the u64 arguments", K_RAW_TP, RAW_TP_ARGS * 8, false, false,
	  false },
};

const struct ctx_desc *ctx_desc_get(enum bpfrt_prog_type t)
{
	for (size_t i = 0; i < sizeof(descs) / sizeof(descs[0]); i++)
		if (descs[i].type == t)
			return &descs[i];
	return NULL;
}

uint32_t verifier_ctx_size(enum bpfrt_prog_type t)
{
	const struct ctx_desc *c = ctx_desc_get(t);
	return c ? c->size : 0;
}

const char *ctx_type_name(const struct ctx_desc *c) { return c->prog; }
bool ctx_allows_pkt(const struct ctx_desc *c, bool write) { return write ? c->pkt_write : c->pkt_read; }
bool ctx_allows_ld_abs(const struct ctx_desc *c) { return c->ld_abs; }

#define SKB(f) ((int32_t)offsetof(struct __sk_buff, f))
#define SKB_END(f) ((int32_t)(offsetof(struct __sk_buff, f) + sizeof(((struct __sk_buff *)0)->f)))
#define IN(off, f) ((off) >= SKB(f) && (off) < SKB_END(f))

/* A field of __sk_buff: 0 if allowed, else why not; *kind the loaded value's type. */
static const char *skb_field(const struct ctx_desc *c, int32_t off, unsigned size, bool write, uint8_t *kind)
{
	bool tc = c->kind == K_SKB_TC;
	*kind = SCALAR;
	if (off < 0 || off >= (int32_t)sizeof(struct __sk_buff))
		return "it is outside struct __sk_buff";
	if (off % size)
		return "it is not aligned to its size";
	if (IN(off, family) || (off >= (int32_t)SKB(family) && off < (int32_t)SKB_END(local_port)))
		return "socket address fields are only for socket programs";
	if (!tc && (IN(off, tc_classid) || IN(off, data) || IN(off, data_meta) || IN(off, data_end) ||
		    IN(off, tstamp) || IN(off, wire_len) || IN(off, hwtstamp)))
		return "socket filters have no direct packet access, tc_classid or time stamps";
	if (write) {
		bool ok = (off >= (int32_t)SKB(cb) && off < (int32_t)SKB_END(cb));
		if (tc)
			ok |= IN(off, mark) || IN(off, tc_index) || IN(off, priority) || IN(off, tc_classid) ||
			      IN(off, tstamp) || IN(off, queue_mapping);
		if (!ok)
			return tc ? "the field is read-only (writable: mark, priority, tc_index, tc_classid, "
				    "queue_mapping, tstamp, cb[])" : "socket filters may only write cb[]";
	}
	if (off >= (int32_t)SKB(cb) && off < (int32_t)SKB_END(cb)) {
		if (off + size > SKB_END(cb))
			return "it runs past cb[4]";
		if (size > 4 && write)
			return "cb[] is written 4 bytes at a time";
		return NULL;
	}
	if (IN(off, data) || IN(off, data_meta) || IN(off, data_end)) {
		if (size != 4)
			return "packet pointers are loaded with 4-byte loads";
		*kind = IN(off, data) ? PTR_TO_PACKET : IN(off, data_end) ? PTR_TO_PACKET_END : PTR_TO_PACKET_META;
		return NULL;
	}
	if (IN(off, remote_ip4) || IN(off, local_ip4))
		return size != 4 ? "it is read with 4-byte loads" : NULL;
	if (IN(off, flow_keys))
		return "flow_keys is only for flow dissector programs";
	if (IN(off, sk))
		return "socket pointers are not available in bpfrt";
	if (IN(off, hwtstamp))
		return write || size != 8 ? "hwtstamp is read-only, with 8-byte loads" : NULL;
	if (IN(off, tstamp))
		return size != 8 ? "tstamp is accessed with 8-byte loads and stores" : NULL;
	if (off >= (int32_t)SKB(tstamp_type) && off < (int32_t)SKB(hwtstamp))
		return "tstamp_type and the padding after it are not accessible";
	if (write)
		return size != 4 ? "fields are written 4 bytes at a time" : NULL;
	if (size > 4)
		return "it is a 4-byte field";
	return NULL;
}

int ctx_access(struct venv *env, uint32_t idx, int regno, int32_t off, unsigned size, bool write,
	       struct vreg *dst)
{
	const struct ctx_desc *c = env->ctx;
	const char *why = NULL;
	uint8_t kind = SCALAR;
	switch (c->kind) {
	case K_DATA:
		why = "generic programs have no context";
		break;
	case K_XDP:
		if (off < 0 || off >= (int32_t)sizeof(struct xdp_md))
			why = "it is outside struct xdp_md (24 bytes)";
		else if (size != 4 || off % 4)
			why = "xdp_md fields are read with aligned 4-byte loads";
		else if (write)
			why = "xdp_md is read-only";
		else if (off == offsetof(struct xdp_md, egress_ifindex))
			why = "egress_ifindex exists only in devmap programs";
		else if (off == offsetof(struct xdp_md, data))
			kind = PTR_TO_PACKET;
		else if (off == offsetof(struct xdp_md, data_end))
			kind = PTR_TO_PACKET_END;
		else if (off == offsetof(struct xdp_md, data_meta))
			kind = PTR_TO_PACKET_META;
		break;
	case K_SKB_FILTER: case K_SKB_TC:
		why = skb_field(c, off, size, write, &kind);
		break;
	case K_PT_REGS:
		if (write)
			why = "struct pt_regs is read-only";
		else if (off < 0 || off + size > PT_REGS_SIZE)
			why = "it is outside struct pt_regs (168 bytes)";
		else if (off % size)
			why = "it is not aligned to its size";
		break;
	case K_PERF:
		if (write)
			why = "the perf event context is read-only";
		else if (off < 0 || off + size > c->size)
			why = "it is outside struct bpf_perf_event_data (184 bytes)";
		else if (off % size)
			why = "it is not aligned to its size";
		else if (off < PT_REGS_SIZE && size != 8)
			why = "registers are read with 8-byte loads";
		break;
	case K_TP:
		if (write)
			why = "tracepoint records are read-only";
		else if (off < 8)
			why = "the first 8 bytes (common fields) of a tracepoint record are not readable";
		else if (off + size > TP_MAX)
			why = "tracepoint records are read up to 4096 bytes";
		else if (off % size)
			why = "it is not aligned to its size";
		break;
	case K_RAW_TP:
		if (write)
			why = "the arguments are read-only";
		else if (off < 0 || off + size > RAW_TP_ARGS * 8)
			why = "there are at most 12 u64 arguments";
		else if (off % size)
			why = "it is not aligned to its size";
		break;
	}
	if (why)
		return verr(env, idx, "%s %u bytes at offset %d of the context (R%d, %s of a %s program) "
			    "is not allowed: %s", write ? "writing" : "reading", size, off, regno, c->ctx,
			    c->prog, why);
	if (write)
		return 0;
	if (kind == SCALAR) {
		reg_mark_unknown(dst);
		reg_coerce_zext(dst, size);
		return 0;
	}
	memset(dst, 0, sizeof(*dst));
	dst->type = kind;
	dst->var_off = tnum_const(0);
	dst->origin = idx;
	return 0;
}
