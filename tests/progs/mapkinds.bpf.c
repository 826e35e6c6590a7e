/* SPDX-License-Identifier: MIT */
/*
 * mapkinds.bpf.c - every map type from a program: queue, stack, bloom
 * filter, LPM trie, LRU hash, per-CPU hash, per-CPU array, LRU per-CPU hash,
 * array and hash of maps (values of inner maps read and written), ring buffer.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 4); __type(value, __u32); } queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 4); __type(value, __u32); } stack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 64); __type(value, __u32); } bloom SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} routes SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } pcpu SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [1] = &inner_b },
};

struct hinner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hinner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct hinner);
} houter SEC(".maps") = {
	.values = { [2] = &hinner_a },
};

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } parr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } lrupc SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");

/* Queue is FIFO, stack LIFO: push 1,2,3, pop one of each: 1 and 3. */
SEC("bpfrt")
long queue_stack(void *data, long size)
{
	for (__u32 v = 1; v <= 3; v++) {
		bpf_map_push_elem(&queue, &v, 0);
		bpf_map_push_elem(&stack, &v, 0);
	}
	__u32 q = 0, s = 0;
	bpf_map_pop_elem(&queue, &q);
	bpf_map_pop_elem(&stack, &s);
	return q * 10 + s;
}

/* Bloom filter: added values test positive. */
SEC("bpfrt")
long bloom_test(void *data, long size)
{
	__u32 a = 17, b = 42;
	bpf_map_push_elem(&bloom, &a, 0);
	return bpf_map_peek_elem(&bloom, &a) == 0 && bpf_map_peek_elem(&bloom, &b) != 0 ? 1 : 0;
}

/* Longest-prefix match of the address in data[0..4]. */
SEC("bpfrt")
long lpm(__u8 *data, long size)
{
	struct lpm_key k = { 32 };
	if (size < 4)
		return -1;
	__builtin_memcpy(k.addr, data, 4);
	__u32 *v = bpf_map_lookup_elem(&routes, &k);
	return v ? *v : 0;
}

/* Map in map: write 7 into inner map number data[0]. */
SEC("bpfrt")
long in_map(__u8 *data, long size)
{
	__u32 k = size > 0 ? data[0] : 0, zero = 0, seven = 7;
	void *inner = bpf_map_lookup_elem(&outer, &k);
	if (!inner)
		return -1;
	return bpf_map_update_elem(inner, &zero, &seven, BPF_ANY);
}

/*
 * Map in map, through the value: inner map number data[0] of outer, its
 * value read (returned) and incremented by data[1] in place.
 */
SEC("bpfrt")
long in_map_value(__u8 *data, long size)
{
	if (size < 2)
		return -1;
	__u32 k = data[0], zero = 0;
	void *inner = bpf_map_lookup_elem(&outer, &k);
	if (!inner)
		return -2;
	__u32 *v = bpf_map_lookup_elem(inner, &zero);
	if (!v)
		return -3;
	__u32 old = *v;
	*v = old + data[1];
	return old;
}

static long add_value(void *map, __u32 *key, __u32 *value, __u64 *sum)
{
	*sum += *value;
	return 0;
}

/* The values of inner map number data[0], summed by bpf_for_each_map_elem. */
SEC("bpfrt")
long in_map_sum(__u8 *data, long size)
{
	__u32 k = size > 0 ? data[0] : 0;
	__u64 sum = 0;
	void *inner = bpf_map_lookup_elem(&outer, &k);
	if (!inner)
		return -1;
	bpf_for_each_map_elem(inner, add_value, &sum, 0);
	return sum;
}

/*
 * Hash of maps: key 2 holds hinner_a. Insert key 5 = 100 in it, add 23 in
 * place through the looked-up value, insert and delete key 6, return 123.
 */
SEC("bpfrt")
long hash_in_map(void *data, long size)
{
	__u32 k = 2, ik = 5, gone = 6;
	__u64 hundred = 100, one = 1;
	void *inner = bpf_map_lookup_elem(&houter, &k);
	if (!inner)
		return -1;
	if (bpf_map_update_elem(inner, &ik, &hundred, BPF_ANY))
		return -2;
	__u64 *v = bpf_map_lookup_elem(inner, &ik);
	if (!v)
		return -3;
	*v += 23;
	if (bpf_map_update_elem(inner, &gone, &one, BPF_NOEXIST) || bpf_map_delete_elem(inner, &gone) ||
	    bpf_map_lookup_elem(inner, &gone))
		return -4;
	k = 3; /* no inner map there */
	return bpf_map_lookup_elem(&houter, &k) ? -5 : *v;
}

/* Per-CPU array and LRU per-CPU hash: this CPU's values, set and added to. */
SEC("bpfrt")
long percpu(void *data, long size)
{
	__u32 k = 1, absent = 9;
	__u64 *a = bpf_map_lookup_elem(&parr, &k);
	if (!a)
		return -1;
	*a += 5;
	__u64 seven = 7;
	if (bpf_map_update_elem(&lrupc, &k, &seven, BPF_NOEXIST))
		return -2;
	__u64 *h = bpf_map_lookup_elem(&lrupc, &k);
	if (!h)
		return -3;
	*h *= 6;
	if (bpf_map_delete_elem(&lrupc, &absent) != -2 /* -ENOENT */)
		return -4;
	return *a + *h;
}

/* Ring buffer: one record by output, one by reserve/submit, one discarded. */
SEC("bpfrt")
long ring(__u8 *data, long size)
{
	__u64 v = 0x1111;
	if (bpf_ringbuf_output(&events, &v, sizeof(v), 0))
		return -1;
	__u64 *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return -2;
	*r = 0x2222;
	bpf_ringbuf_submit(r, 0);
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return -3;
	*r = 0x3333;
	bpf_ringbuf_discard(r, 0);
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
}

/* LRU and per-CPU hash updates from a program. */
SEC("bpfrt")
long hashes(void *data, long size)
{
	for (__u32 k = 0; k < 6; k++) {
		__u32 v = k * 10;
		bpf_map_update_elem(&lru, &k, &v, BPF_ANY);
	}
	__u32 k = 1;
	__u64 one = 1;
	bpf_map_update_elem(&pcpu, &k, &one, BPF_NOEXIST);
	__u64 *p = bpf_map_lookup_elem(&pcpu, &k);
	if (p)
		*p += 41;
	__u32 newest = 5;
	__u32 *v = bpf_map_lookup_elem(&lru, &newest);
	return v ? *v : -1;
}

char LICENSE[] SEC("license") = "GPL";
