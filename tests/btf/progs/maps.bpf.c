/* SPDX-License-Identifier: MIT */
/*
 * maps.bpf.c - BTF-defined maps of many kinds (map-in-map, prog array,
 * pinning, sizes given by __uint instead of __type, a 64-bit map_extra),
 * global data in .data/.rodata/.bss, and several functions, for the BTF tests.
 * test_btf_objects.c checks what bpfrt reads back; the line marked LINE-MARK
 * is looked up through .BTF.ext line info.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* libbpf >= 1.3 defines __ulong: a 64-bit attribute as a one-value enum. */
#ifndef __ulong
#define __ulong(name, val) enum { ___bpf_concat(__unique_value, __COUNTER__) = val } name
#endif

struct flow_key {
	__u32 addr;
	__u16 port;
	__u8 proto;
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
	char tag[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 1);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__uint(value_size, 8);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100);
	__uint(key_size, 0);
	__type(value, __u32);
	__ulong(map_extra, 0x300000005ULL);
} bloom SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct flow_stats);
} inner1 SEC(".maps"), inner2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { &inner1, &inner2 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 64);
		__type(key, __u32);
		__type(value, __u64);
	});
} outer_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jumps SEC(".maps");

/* Global data: one variable or more in each section. */
__u64 packets_seen = 7;                 /* .data */
int verbose = 1;                        /* .data */
const volatile __u32 max_len = 1500;    /* .rodata */
const volatile char label[8] = "bpfrt"; /* .rodata */
__u64 drops;                            /* .bss */
struct flow_stats last;                 /* .bss */

static __attribute__((noinline)) int classify(struct flow_key *k)
{
	if (k->proto == 6)
		return 1;
	return k->port > 1024 ? 2 : 0;
}

__attribute__((noinline)) int count_flow(struct flow_key *k, __u64 len)
{
	struct flow_stats *s = bpf_map_lookup_elem(&flows, k);

	if (!s) {
		drops++; /* LINE-MARK */
		return -1;
	}
	s->packets++;
	s->bytes += len;
	return classify(k);
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	struct flow_key k = { .addr = ctx->ingress_ifindex, .port = 80, .proto = 6 };
	__u32 idx = 0;
	__u64 *n = bpf_map_lookup_elem(&stats, &idx);

	if (n)
		*n += 1;
	if (ctx->data_end - ctx->data > max_len)
		return XDP_DROP;
	packets_seen++;
	return count_flow(&k, ctx->data_end - ctx->data) >= 0 ? XDP_PASS : XDP_ABORTED;
}

SEC("tc")
int tc_jump(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, 0);
	last.packets = verbose ? skb->len : 0;
	return label[0];
}

char LICENSE[] SEC("license") = "GPL";
