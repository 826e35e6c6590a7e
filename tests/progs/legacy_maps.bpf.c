/* SPDX-License-Identifier: MIT */
/*
 * legacy_maps.bpf.c - maps declared the old way, in the "maps" section.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct bpf_map_def_legacy SEC("maps") legacy_counts = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(int),
	.value_size = sizeof(long),
	.max_entries = 4,
};

struct bpf_map_def_legacy SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(int),
	.value_size = sizeof(long),
	.max_entries = 16,
};

SEC("bpfrt")
long legacy(void *data, long size)
{
	int k = (int)(size & 3);
	long *v = bpf_map_lookup_elem(&legacy_counts, &k);
	if (!v)
		return -1;
	*v += size;
	long val = *v;
	bpf_map_update_elem(&legacy_hash, &k, &val, BPF_ANY);
	return *v;
}

char LICENSE[] SEC("license") = "GPL";
