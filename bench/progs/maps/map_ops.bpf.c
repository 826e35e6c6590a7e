// SPDX-License-Identifier: MIT
/*
 * map_ops - map operations from programs, for bench_maps: each program does
 * OPS operations of one kind per run, on keys from a xorshift sequence, so
 * the time of a run over OPS is the time of one operation. The same object
 * is loaded by bpfrt's loader and, for the kernel, by libbpf.
 *
 * Each run starts its sequence from a run counter kept in `state`, so
 * successive runs touch different keys (the LRU keeps evicting) while any
 * two loaders that run the programs in the same order see the same keys:
 * bench_maps checks that bpfrt and the kernel agree on the first runs.
 * Keys of the array and the hash are in [0, NKEYS), all present; LRU keys
 * span 32 bits, so nearly every update inserts and evicts; LPM lookups are
 * random IPv4 addresses against the prefixes bench_maps stores.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "map_ops.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NKEYS);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, LPM_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, __u64);
} lpm SEC(".maps");

/* The run counter, and the last run's result (a sum or a count). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct run_state);
} state SEC(".maps");

char LICENSE[] SEC("license") = "Dual MIT/GPL";

static __always_inline struct run_state *begin(__u32 *x)
{
	__u32 zero = 0;
	struct run_state *s = bpf_map_lookup_elem(&state, &zero);

	if (!s)
		return 0;
	/* Odd, so xorshift never reaches 0. */
	*x = (__u32)(s->seq++ * 0x9e3779b9u) | 1;
	return s;
}

static __always_inline __u32 next(__u32 *x)
{
	__u32 v = *x;

	v ^= v << 13;
	v ^= v >> 17;
	v ^= v << 5;
	*x = v;
	return v;
}

/* Sum of the values found at OPS keys of a map filled by bench_maps. */
static __always_inline int lookup_sum(void *map)
{
	struct run_state *s;
	__u64 sum = 0;
	__u32 x, i;

	s = begin(&x);
	if (!s)
		return XDP_ABORTED;
#pragma clang loop unroll(disable)
	for (i = 0; i < OPS; i++) {
		__u32 key = next(&x) & (NKEYS - 1);
		__u64 *v = bpf_map_lookup_elem(map, &key);

		if (v)
			sum += *v;
	}
	s->result = sum;
	return XDP_PASS;
}

/* How many of OPS updates succeeded; keys masked with mask. */
static __always_inline int update_count(void *map, __u32 mask, __u64 flags)
{
	struct run_state *s;
	__u64 done = 0;
	__u32 x, i;

	s = begin(&x);
	if (!s)
		return XDP_ABORTED;
#pragma clang loop unroll(disable)
	for (i = 0; i < OPS; i++) {
		__u32 key = next(&x) & mask;
		__u64 val = key ^ i;

		done += bpf_map_update_elem(map, &key, &val, flags) == 0;
	}
	s->result = done;
	return XDP_PASS;
}

SEC("xdp")
int array_lookup(struct xdp_md *ctx)
{
	return lookup_sum(&arr);
}

SEC("xdp")
int array_update(struct xdp_md *ctx)
{
	return update_count(&arr, NKEYS - 1, BPF_ANY);
}

SEC("xdp")
int hash_lookup(struct xdp_md *ctx)
{
	return lookup_sum(&hash);
}

SEC("xdp")
int hash_update(struct xdp_md *ctx)
{
	/* Every key exists: an update in place, no allocation. */
	return update_count(&hash, NKEYS - 1, BPF_EXIST);
}

SEC("xdp")
int lru_update(struct xdp_md *ctx)
{
	return update_count(&lru, 0xffffffffu, BPF_ANY);
}

SEC("xdp")
int lpm_lookup(struct xdp_md *ctx)
{
	struct lpm_v4_key key = { .prefixlen = 32 };
	struct run_state *s;
	__u64 sum = 0;
	__u32 x, i;

	s = begin(&x);
	if (!s)
		return XDP_ABORTED;
#pragma clang loop unroll(disable)
	for (i = 0; i < OPS; i++) {
		__u64 *v;

		key.addr = next(&x);
		v = bpf_map_lookup_elem(&lpm, &key);
		if (v)
			sum += *v;
	}
	s->result = sum;
	return XDP_PASS;
}
