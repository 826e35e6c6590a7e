/* SPDX-License-Identifier: MIT */
/*
 * helpers.bpf.c - one small program per helper family, each returning a
 * value the test checks (the test gives them inputs through the data).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* bpf_strtol / bpf_strtoul / bpf_strncmp on the input text. */
SEC("bpfrt")
long strings(char *data, long size)
{
	char buf[16] = {};
	long res = 0;
	unsigned long ures = 0;
	if (size < 1 || size > 15)
		return -1000;
	bpf_probe_read_kernel(buf, size & 15, data);
	long n = bpf_strtol(buf, sizeof(buf), 0, &res);
	if (n < 0)
		return n;
	long m = bpf_strtoul(buf, sizeof(buf), 10, &ures);
	int cmp = bpf_strncmp(buf, 4, "-42");
	return res * 1000 + (m > 0 ? 100 : 0) + (cmp == 0 ? 1 : 0);
}

/* bpf_snprintf into a buffer, returned through the data. */
SEC("bpfrt")
long format(char *data, long size)
{
	static const char fmt[] = "%d-%u-%x-%s";
	char str[8] = "abc";
	__u64 args[] = { -7, 42, 255, (__u64)(long)str };
	if (size < 32)
		return -1;
	return bpf_snprintf(data, 32, fmt, args, sizeof(args));
}

/* bpf_printk goes to the trace output; the test reads the line. */
SEC("bpfrt")
long printk(void *data, long size)
{
	bpf_printk("size=%ld hex=%x", size, 0xbeef);
	return 0;
}

/* bpf_csum_diff over two 8-byte blocks of the input. */
SEC("bpfrt")
long csum(__u8 *data, long size)
{
	__u32 from[2], to[2];
	if (size < 16)
		return -1;
	__builtin_memcpy(from, data, 8);
	__builtin_memcpy(to, data + 8, 8);
	return bpf_csum_diff(from, 8, to, 8, 0);
}

/* Time, randomness, CPU: sane ranges and ordering. */
SEC("bpfrt")
long misc(void *data, long size)
{
	__u64 t1 = bpf_ktime_get_ns(), b = bpf_ktime_get_boot_ns(), t2 = bpf_ktime_get_ns();
	__u32 r1 = bpf_get_prandom_u32(), r2 = bpf_get_prandom_u32();
	long ok = 0;
	ok |= (t2 >= t1) << 0;
	ok |= (b > 0) << 1;
	ok |= (r1 != r2) << 2;
	ok |= (bpf_get_smp_processor_id() < 4096) << 3;
	ok |= (bpf_jiffies64() > 0) << 4;
	ok |= (bpf_get_numa_node_id() < 1024) << 5;
	return ok;
}

/* More than three arguments: bpf_printk becomes bpf_trace_vprintk. */
SEC("bpfrt")
long vprintk(void *data, long size)
{
	bpf_printk("%d-%d-%d-%ld", 1, 2, 3, size);
	return 0;
}

struct locked_val {
	struct bpf_spin_lock lock;
	__u64 count;
};
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct locked_val); } counters SEC(".maps");

/* A counter under bpf_spin_lock: added to data[0] times, returned. */
SEC("bpfrt")
long locked(__u8 *data, long size)
{
	__u32 k = 0;
	struct locked_val *v = bpf_map_lookup_elem(&counters, &k);
	if (!v || size < 1)
		return -1;
	bpf_spin_lock(&v->lock);
	v->count += data[0];
	__u64 now = v->count;
	bpf_spin_unlock(&v->lock);
	return now;
}

char LICENSE[] SEC("license") = "GPL";
