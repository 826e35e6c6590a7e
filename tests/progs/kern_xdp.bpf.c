/* SPDX-License-Identifier: MIT */
/*
 * kern_xdp.bpf.c - an XDP program touching many map types and helpers, run
 * on the same packets in bpfrt and in the kernel (tests/kernel/object_diff):
 * return values, output packets, map contents and ring buffer records must
 * agree. Nothing here depends on time or randomness.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } by_src SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u32); } recent SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __s64); } results SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, __u32); } lengths SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 8); __type(value, __u32); } protos SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");

struct lpm_key { __u32 prefixlen; __u32 addr; };
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} routes SEC(".maps");

struct event {
	__u32 src, dst, len, route;
};

static void store(__u32 slot, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&results, &slot);
	if (r)
		*r = v;
}

struct sum_ctx {
	__u8 *p, *end;
	__u64 sum;
};

static long add_byte(__u64 i, struct sum_ctx *c)
{
	if (i >= 20) /* bounds i for the verifier */
		return 1;
	__u8 *q = c->p + i;
	if (q + 1 > c->end)
		return 1;
	c->sum += *q;
	return 0;
}

static long count_src(void *map, __u32 *key, __u64 *val, __u64 *acc)
{
	*acc += *val;
	return 0;
}

SEC("xdp")
int kern_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;

	__u32 src = ip->saddr, len = (__u32)(end - data), proto = ip->protocol;
	__u64 one = 1, *n = bpf_map_lookup_elem(&by_src, &src);
	store(0, bpf_map_update_elem(&by_src, &src, &one, BPF_NOEXIST));
	if (n)
		__sync_fetch_and_add(n, 1);
	store(1, bpf_map_update_elem(&recent, &src, &len, BPF_ANY));
	store(2, bpf_map_push_elem(&lengths, &len, BPF_EXIST));
	store(3, bpf_map_push_elem(&protos, &proto, 0));

	struct lpm_key k = { 32, ip->daddr };
	__u32 *route = bpf_map_lookup_elem(&routes, &k);

	struct sum_ctx c = { (__u8 *)ip, end, 0 };
	store(4, bpf_loop(20, add_byte, &c, 0));
	store(5, c.sum);
	__u64 acc = 0;
	store(6, bpf_for_each_map_elem(&by_src, count_src, &acc, 0));
	store(7, acc);
	store(8, bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0));

	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->src = src;
		e->dst = ip->daddr;
		e->len = len;
		e->route = route ? *route : 0;
		bpf_ringbuf_submit(e, 0);
	}
	if (route && *route == 99)
		return XDP_DROP;
	/* Swap MACs and send back: the output packet differs from the input. */
	__u8 tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
