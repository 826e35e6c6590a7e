/* SPDX-License-Identifier: MIT */
/*
 * xdp_block.bpf.c - the classic XDP firewall: drop IPv4 packets whose source
 * address is in the blocklist map, pass the rest, and count packets per
 * action and per IP protocol.
 *
 * The blocklist is pinned by name, so it outlives one run and another
 * process can change it while the program runs:
 *   bpfrt map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__type(key, __u32);   /* IPv4 source address, network order */
	__type(value, __u64); /* packets dropped from it */
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);   /* XDP action */
	__type(value, __u64);
} actions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);   /* IP protocol */
	__type(value, __u64);
} protocols SEC(".maps");

static __always_inline int count(__u32 action)
{
	__u64 *n = bpf_map_lookup_elem(&actions, &action);
	if (n)
		__sync_fetch_and_add(n, 1);
	return action;
}

SEC("xdp")
int xdp_block(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return count(XDP_ABORTED);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return count(XDP_PASS);
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return count(XDP_DROP);
	__u32 proto = ip->protocol;
	__u64 *p = bpf_map_lookup_elem(&protocols, &proto);
	if (p)
		*p += 1;
	__u32 src = ip->saddr;
	__u64 *hits = bpf_map_lookup_elem(&blocklist, &src);
	if (hits) {
		__sync_fetch_and_add(hits, 1);
		return count(XDP_DROP);
	}
	return count(XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
