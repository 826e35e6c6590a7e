/* SPDX-License-Identifier: MIT */
/*
 * xdp_adjust.bpf.c - XDP programs that move the head, tail and metadata of
 * the frame and redirect it, driven by a parameter map so that one program
 * covers many cases; tests/xdp/xdp_diff runs them in bpfrt and in Linux.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct params {
	__s32 meta, head, tail; /* deltas, applied in this order (or reversed) */
	__u32 reverse;          /* 1: tail, head, meta */
	__u32 action;           /* returned at the end */
	__u32 key, flags;       /* redirects */
	__u32 ifindex;
};

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct params); } params SEC(".maps");
/* What each helper returned, and the frame's lengths afterwards. */
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __s64); } rets SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } devs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } devs_hash SEC(".maps");

static void put(__u32 slot, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&rets, &slot);
	if (r)
		*r = v;
}

/* Mark the frame so the output shows where data and metadata ended up. */
static void mark(struct xdp_md *ctx)
{
	void *meta = (void *)(long)ctx->data_meta, *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 *m = meta;
	if ((void *)(m + 1) <= data)
		*m = 0x11223344;
	__u8 *d = data;
	if ((void *)(d + 2) <= end) {
		d[0] = 0xaa;
		d[1] = (__u8)(end - data);
	}
	put(3, data - meta);
	put(4, end - data);
}

SEC("xdp")
int adjust(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct params *p = bpf_map_lookup_elem(&params, &zero);
	if (!p)
		return XDP_ABORTED;
	if (p->reverse) {
		put(2, bpf_xdp_adjust_tail(ctx, p->tail));
		put(1, bpf_xdp_adjust_head(ctx, p->head));
		put(0, bpf_xdp_adjust_meta(ctx, p->meta));
	} else {
		put(0, bpf_xdp_adjust_meta(ctx, p->meta));
		put(1, bpf_xdp_adjust_head(ctx, p->head));
		put(2, bpf_xdp_adjust_tail(ctx, p->tail));
	}
	mark(ctx);
	return p->action;
}

SEC("xdp")
int redirect(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct params *p = bpf_map_lookup_elem(&params, &zero);
	if (!p)
		return XDP_ABORTED;
	switch (p->action) {
	case 0: return bpf_redirect(p->ifindex, p->flags);
	case 1: return bpf_redirect_map(&devs, p->key, p->flags);
	case 2: return bpf_redirect_map(&devs_hash, p->key, p->flags);
	default: {
		/* a devmap value as programs see it */
		__u32 *v = bpf_map_lookup_elem(&devs, &p->key);
		put(5, v ? *v : -1);
		return XDP_PASS;
	}
	}
}

/* Swap the MAC addresses and send the frame back: what a reflector does. */
SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	__u8 tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Bytes across the linear part and the fragments: copy 64 bytes from the
 * offset in params.key to params.ifindex, report lengths and errors. */
SEC("xdp")
int bytes(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct params *p = bpf_map_lookup_elem(&params, &zero);
	if (!p)
		return XDP_ABORTED;
	__u8 buf[64] = {};
	put(0, bpf_xdp_get_buff_len(ctx));
	put(1, bpf_xdp_load_bytes(ctx, p->key, buf, sizeof(buf)));
	put(2, bpf_xdp_store_bytes(ctx, p->ifindex, buf, sizeof(buf)));
	put(3, bpf_xdp_adjust_tail(ctx, p->tail));
	put(4, bpf_xdp_get_buff_len(ctx));
	put(5, bpf_xdp_load_bytes(ctx, p->key, buf, 8));
	__u64 first;
	__builtin_memcpy(&first, buf, 8);
	put(6, first);
	return XDP_PASS;
}
