// SPDX-License-Identifier: MIT
/*
 * perf_output - bpf_perf_event_output into a perf event array, for
 * tests/loader/test_perf_output.c. The input is two u64: the flags (a slot
 * index or BPF_F_CURRENT_CPU, possibly with bits the kernel refuses) and a
 * sequence number; the record is 7 bytes, the sequence (u32, little-endian)
 * then "pev", so that perf's padding to 8 bytes shows. Returns the helper's
 * result.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* No max_entries: the loader makes it the number of CPUs, as libbpf does. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("bpfrt")
long output(__u64 *in)
{
	__u8 rec[8] = { 0, 0, 0, 0, 'p', 'e', 'v', 0 };
	__u32 seq = (__u32)in[1];

	__builtin_memcpy(rec, &seq, sizeof(seq));
	return bpf_perf_event_output(in, &events, in[0], rec, 7);
}

/* An empty record: raw size 4, all padding. */
SEC("bpfrt")
long output_empty(__u64 *in)
{
	__u8 none = 0;

	return bpf_perf_event_output(in, &events, BPF_F_CURRENT_CPU, &none, 0);
}
