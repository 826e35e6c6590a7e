/* SPDX-License-Identifier: MIT */
/*
 * control.bpf.c - bpf_loop, bpf_for_each_map_elem and tail calls; callbacks
 * that nest, stop early, call functions and use their own stack.
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

struct nest_ctx {
	__u64 sum;
	__u32 rounds;
};

/* A bpf-to-bpf call from inside a callback. */
static __attribute__((noinline)) __u64 weigh(__u64 v, __u64 k)
{
	return v * (k + 3);
}

/* Visits keys 0..rounds: returns 1 (stop) at key rounds. */
static long weigh_elem(void *map, __u32 *key, __u64 *val, struct nest_ctx *c)
{
	c->sum += weigh(*val, *key);
	return *key >= c->rounds;
}

static long outer_round(__u64 index, struct nest_ctx *c)
{
	volatile __u64 local[2]; /* the callback's own stack */

	local[0] = index;
	local[1] = index * 2;
	c->rounds = (__u32)index;
	long n = bpf_for_each_map_elem(&values, weigh_elem, c, 0);
	c->sum += n * 1000 + local[0] + local[1];
	return 0;
}

/*
 * bpf_loop whose callback runs bpf_for_each_map_elem, whose callback calls a
 * function and stops the walk early: round i visits keys 0..i, adding
 * (k + 1) * (k + 3) for each, then 1000 per key visited and 3 * i.
 */
SEC("bpfrt")
long nested(void *data, long size)
{
	for (__u32 i = 0; i < 8; i++) {
		__u64 v = i + 1;
		bpf_map_update_elem(&values, &i, &v, BPF_ANY);
	}
	struct nest_ctx c = { 0, 0 };
	long n = bpf_loop(4, outer_round, &c, 0);
	return n * 1000000 + c.sum;
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
