/* SPDX-License-Identifier: MIT */
/*
 * xdp.c - the XDP helpers: moving the packet's head, tail and metadata
 * boundaries within the frame, and redirecting it.
 *
 * They work on the frame layout of xdp/buff.h with the kernel's rules
 * (net/core/filter.c): the head may move down to the end of the reserved
 * struct xdp_frame (plus the metadata, which moves with it) and up to 14
 * bytes before the end; the tail may shrink to 14 bytes and grow to the
 * reserved tailroom, new bytes zeroed; metadata is a multiple of 4 bytes
 * between the reserved header and data. Failures return the kernel's
 * errors and change nothing. Packet pointers the program held before a
 * successful call are stale, as the verifier makes them in Linux; the
 * checked engine moves the packet region with the frame.
 *
 * bpf_xdp_load_bytes and bpf_xdp_store_bytes reach the fragments too.
 *
 * Redirects record their target in the context for whoever runs the
 * program (the XDP port) and return XDP_REDIRECT, or the kernel's value
 * for bad flags (XDP_ABORTED) and for a key the map does not have (the
 * action in the flags' low two bits).
 */
#include <errno.h>
#include <string.h>
#include "helpers.h"
#include "maps/maps.h"
#include "runtime/runtime.h"
#include "xdp/buff.h"

#define ACTION_MASK 3u /* XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX */

/* The frame behind r1, which must be the program's context. */
static struct xdp_ctx *frame_of(struct bpfrt_exec *ex, const char *helper, uint64_t r1)
{
	if (!ex->checked)
		return (struct xdp_ctx *)(uintptr_t)r1;
	for (unsigned i = 0; i < ex->nregions; i++) {
		const struct mem_region *r = &ex->regions[i];
		if (!strcmp(r->name, "ctx") && r->lo == r1 && r->hi - r->lo == sizeof(struct xdp_md))
			return (struct xdp_ctx *)(uintptr_t)r1;
	}
	helper_fail(ex, -EFAULT, "%s: argument 1 (0x%llx) is not the program's xdp_md context",
		    helper, (unsigned long long)r1);
	return NULL;
}

/* Checked engine: the program may touch [data_meta, data_end) from now on. */
static void moved(struct bpfrt_exec *ex, const struct xdp_ctx *c)
{
	if (!ex->checked)
		return;
	for (unsigned i = 0; i < ex->nregions; i++) {
		struct mem_region *r = &ex->regions[i];
		if (!strcmp(r->name, "packet")) {
			r->lo = c->md.data_meta;
			r->hi = c->md.data_end;
			return;
		}
	}
}

HELPER(bpf_xdp_adjust_head)
{
	struct xdp_ctx *c = frame_of(ex, "bpf_xdp_adjust_head", r1);
	if (!c)
		return 0;
	int32_t off = (int32_t)r2;
	uint32_t metalen = c->md.data - c->md.data_meta;
	int64_t data = (int64_t)c->md.data + off;
	if (data < (int64_t)c->hard_start + XDP_FRAME_HDR + metalen ||
	    data > (int64_t)c->md.data_end - XDP_ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (metalen)
		memmove(xdp_ptr(c->md.data_meta + (uint32_t)off), xdp_ptr(c->md.data_meta), metalen);
	c->md.data_meta += (uint32_t)off;
	c->md.data = (uint32_t)data;
	moved(ex, c);
	(void)r3, (void)r4, (void)r5;
	return 0;
}

/*
 * The tail of a frame with fragments is the last fragment's: it grows into
 * the rest of its page, and shrinking frees fragments from the end before
 * it takes from the linear part.
 */
static uint64_t adjust_frags_tail(struct xdp_ctx *c, int32_t off)
{
	/* the frame is the first member of its block */
	uint8_t *frags = ((struct xdp_block *)xdp_ptr(c->hard_start))->frags;
	if (off < 0) {
		uint32_t shrink = (uint32_t)-(int64_t)off;
		if (shrink > c->md.data_end - c->md.data + c->frags_len - XDP_ETH_HLEN)
			return (uint64_t)-EINVAL;
		uint32_t from_frags = shrink < c->frags_len ? shrink : c->frags_len;
		c->frags_len -= from_frags;
		c->md.data_end -= shrink - from_frags;
		return 0;
	}
	uint32_t last = (c->frags_len - 1) % XDP_FRAG_SZ + 1;
	if ((uint32_t)off > XDP_FRAG_SZ - last)
		return (uint64_t)-EINVAL;
	memset(frags + c->frags_len, 0, (size_t)off);
	c->frags_len += (uint32_t)off;
	return 0;
}

HELPER(bpf_xdp_adjust_tail)
{
	struct xdp_ctx *c = frame_of(ex, "bpf_xdp_adjust_tail", r1);
	if (!c)
		return 0;
	int32_t off = (int32_t)r2;
	if (c->frags_len) {
		uint64_t ret = adjust_frags_tail(c, off);
		moved(ex, c);
		return ret;
	}
	int64_t end = (int64_t)c->md.data_end + off;
	if (end > (int64_t)c->hard_start + c->frame_sz - XDP_TAILROOM ||
	    end < (int64_t)c->md.data + XDP_ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (off > 0) /* the kernel clears what it exposes */
		memset(xdp_ptr(c->md.data_end), 0, (size_t)off);
	c->md.data_end = (uint32_t)end;
	moved(ex, c);
	(void)r3, (void)r4, (void)r5;
	return 0;
}

HELPER(bpf_xdp_adjust_meta)
{
	struct xdp_ctx *c = frame_of(ex, "bpf_xdp_adjust_meta", r1);
	if (!c)
		return 0;
	int32_t off = (int32_t)r2;
	int64_t meta = (int64_t)c->md.data_meta + off;
	if (meta < (int64_t)c->hard_start + XDP_FRAME_HDR || meta > (int64_t)c->md.data)
		return (uint64_t)-EINVAL;
	if (!xdp_metalen_ok(c->md.data - (uint32_t)meta))
		return (uint64_t)-EACCES;
	c->md.data_meta = (uint32_t)meta;
	moved(ex, c);
	(void)r3, (void)r4, (void)r5;
	return 0;
}

/* data_end - data, plus the fragments. */
static uint32_t buff_len(const struct xdp_ctx *c)
{
	return c->md.data_end - c->md.data + c->frags_len;
}

HELPER(bpf_xdp_get_buff_len)
{
	struct xdp_ctx *c = frame_of(ex, "bpf_xdp_get_buff_len", r1);
	(void)r2, (void)r3, (void)r4, (void)r5;
	return c ? buff_len(c) : 0;
}

/*
 * bpf_xdp_load_bytes / bpf_xdp_store_bytes: len bytes at offset from data,
 * across the linear part and the fragments; offsets and lengths above 0xffff
 * are -EFAULT, ranges past the end -EINVAL, as bpf_xdp_pointer() says.
 */
static uint64_t xdp_copy(struct bpfrt_exec *ex, const char *helper, uint64_t r1, uint64_t off,
			 uint64_t buf, uint64_t len, bool store)
{
	struct xdp_ctx *c = frame_of(ex, helper, r1);
	if (!c || !helper_mem(ex, helper, 3, buf, len, !store))
		return 0;
	off = (uint32_t)off, len = (uint32_t)len;
	if (off > 0xffff || len > 0xffff)
		return (uint64_t)-EFAULT;
	if (off + len > buff_len(c))
		return (uint64_t)-EINVAL;
	uint32_t linear = c->md.data_end - c->md.data;
	uint8_t *frags = ((struct xdp_block *)xdp_ptr(c->hard_start))->frags;
	uint8_t *b = (uint8_t *)(uintptr_t)buf;
	for (uint64_t i = 0; i < len; i++) {
		uint64_t at = off + i;
		uint8_t *p = at < linear ? xdp_ptr(c->md.data) + at : frags + (at - linear);
		if (store)
			*p = b[i];
		else
			b[i] = *p;
	}
	return 0;
}

HELPER(bpf_xdp_load_bytes)
{
	(void)r5;
	return xdp_copy(ex, "bpf_xdp_load_bytes", r1, r2, r3, r4, false);
}

HELPER(bpf_xdp_store_bytes)
{
	(void)r5;
	return xdp_copy(ex, "bpf_xdp_store_bytes", r1, r2, r3, r4, true);
}

/*
 * bpf_redirect(ifindex, flags): no flags are defined for XDP. The context
 * is not an argument: the kernel keeps the target per CPU, bpfrt in the
 * context of the running program (r1 at entry, still the ctx region).
 */
static struct xdp_ctx *running_frame(struct bpfrt_exec *ex)
{
	for (unsigned i = 0; i < ex->nregions; i++)
		if (!strcmp(ex->regions[i].name, "ctx"))
			return (struct xdp_ctx *)ex->regions[i].lo;
	return NULL;
}

HELPER(bpf_redirect)
{
	struct xdp_ctx *c = running_frame(ex);
	if (!c) {
		helper_fail(ex, -EINVAL, "bpf_redirect: no XDP frame in this run");
		return 0;
	}
	if (r2)
		return XDP_ABORTED;
	c->redirect = (struct bpfrt_xdp_redirect){ .ifindex = (uint32_t)r1 };
	(void)r3, (void)r4, (void)r5;
	return XDP_REDIRECT;
}

HELPER(bpf_redirect_map)
{
	struct xdp_ctx *c = running_frame(ex);
	if (!c) {
		helper_fail(ex, -EINVAL, "bpf_redirect_map: no XDP frame in this run");
		return 0;
	}
	if (!helper_map(ex, "bpf_redirect_map", 1, r1))
		return 0;
	struct bpfrt_map *m = (struct bpfrt_map *)(uintptr_t)r1;
	enum bpfrt_map_type type = bpfrt_map__type(m);
	if (type != BPFRT_MAP_TYPE_DEVMAP && type != BPFRT_MAP_TYPE_DEVMAP_HASH) {
		helper_fail(ex, -EINVAL, "bpf_redirect_map: map '%s' is not a devmap or devmap_hash",
			    bpfrt_map__name(m));
		return 0;
	}
	uint64_t allowed = ACTION_MASK | BPFRT_F_BROADCAST | BPFRT_F_EXCLUDE_INGRESS;
	if (r3 & ~allowed)
		return XDP_ABORTED;
	uint32_t key = (uint32_t)r2;
	const uint32_t *val = map_lookup_elem(m, &key);
	if (!val && !(r3 & BPFRT_F_BROADCAST)) {
		memset(&c->redirect, 0, sizeof(c->redirect));
		return r3 & ACTION_MASK;
	}
	c->redirect = (struct bpfrt_xdp_redirect){
		.ifindex = r3 & BPFRT_F_BROADCAST ? 0 : *val,
		.map_id = bpfrt_map__id(m),
		.key = key,
		.flags = r3 & BPFRT_F_BROADCAST ? (uint32_t)r3 : 0,
	};
	(void)r4, (void)r5;
	return XDP_REDIRECT;
}

const struct helper_def helpers_xdp[] = {
	{ 23, "bpf_redirect", bpf_redirect, HG_XDP, PROTO(RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING) },
	{ 44, "bpf_xdp_adjust_head", bpf_xdp_adjust_head, HG_XDP, PROTO_CHANGES_PKT(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING) },
	{ 51, "bpf_redirect_map", bpf_redirect_map, HG_XDP, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING) },
	{ 54, "bpf_xdp_adjust_meta", bpf_xdp_adjust_meta, HG_XDP, PROTO_CHANGES_PKT(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING) },
	{ 65, "bpf_xdp_adjust_tail", bpf_xdp_adjust_tail, HG_XDP, PROTO_CHANGES_PKT(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING) },
	{ 188, "bpf_xdp_get_buff_len", bpf_xdp_get_buff_len, HG_XDP, PROTO(RET_INTEGER, ARG_PTR_TO_CTX) },
	{ 189, "bpf_xdp_load_bytes", bpf_xdp_load_bytes, HG_XDP, PROTO(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE) },
	{ 190, "bpf_xdp_store_bytes", bpf_xdp_store_bytes, HG_XDP, PROTO(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE) },
	{ 0 },
};
