// SPDX-License-Identifier: MIT
/*
 * array_lookup - bpf_map_lookup_elem on arrays, which bpfrt's JIT inlines
 * when it can tell the map from the code (tests/loader/test_array_lookup.c):
 * `direct` looks up the key it is given; `either` picks one of two maps by a
 * branch, so r1 at the call is not known from the code and the helper runs.
 * Both return the value found, or -1 for none (index out of range).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} small SEC(".maps");

/* 12-byte values: a stride that is not a power of two. */
struct rec {
	__u32 a, b, c;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct rec);
} odd SEC(".maps");

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Input: u32 key, u32 which (for `either`: 0 small, else odd). */
SEC("bpfrt")
long direct(__u32 *in)
{
	__u32 key = in[0];
	__u64 *v = bpf_map_lookup_elem(&small, &key);

	return v ? (long)*v : -1;
}

SEC("bpfrt")
long direct_odd(__u32 *in)
{
	__u32 key = in[0];
	struct rec *r = bpf_map_lookup_elem(&odd, &key);

	return r ? (long)r->b : -1;
}

SEC("bpfrt")
long either(__u32 *in)
{
	__u32 key = in[0];
	void *map = in[1] ? (void *)&odd : (void *)&small;
	__u32 *v = bpf_map_lookup_elem(map, &key);

	return v ? (long)*v : -1;
}
