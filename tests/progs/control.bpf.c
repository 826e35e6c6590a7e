/* SPDX-License-Identifier: MIT */
/*
 * control.bpf.c - bpf_loop, bpf_for_each_map_elem and tail calls.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jump SEC(".maps");

struct loop_ctx {
	__u64 sum;
	__u64 stop_at;
};

static long add_index(__u64 index, struct loop_ctx *c)
{
	c->sum += index;
	return index + 1 >= c->stop_at; /* 1 stops the loop */
}

/* Sum 0..n-1 with bpf_loop, stopping early at data[0] when non-zero. */
SEC("bpfrt")
long loop(__u8 *data, long size)
{
	struct loop_ctx c = { 0, size > 0 ? data[0] : 0 };
	if (!c.stop_at)
		c.stop_at = ~0ull;
	long n = bpf_loop(100, add_index, &c, 0);
	return n * 100000 + c.sum;
}

static long sum_elem(void *map, __u32 *key, __u64 *val, __u64 *sum)
{
	*sum += *val * (*key + 1);
	return 0;
}

/* Fill values[i] = i + 1, then sum key-weighted values with for_each. */
SEC("bpfrt")
long foreach(void *data, long size)
{
	for (__u32 i = 0; i < 8; i++) {
		__u64 v = i + 1;
		bpf_map_update_elem(&values, &i, &v, BPF_ANY);
	}
	__u64 sum = 0;
	long n = bpf_for_each_map_elem(&values, sum_elem, &sum, 0);
	return n * 1000 + sum;
}

/* Tail calls: entry jumps to slot data[0]; each target returns its own mark. */
SEC("bpfrt")
long entry(__u8 *data, long size)
{
	if (size < 1)
		return -1;
	bpf_tail_call(data, &jump, data[0]);
	return 999; /* the slot was empty */
}

SEC("bpfrt")
long target1(__u8 *data, long size)
{
	return 111;
}

SEC("bpfrt")
long target2(__u8 *data, long size)
{
	/* Chain on to slot 1. */
	bpf_tail_call(data, &jump, 1);
	return 222;
}

char LICENSE[] SEC("license") = "GPL";
