/* SPDX-License-Identifier: MIT */
/*
 * map_ops.h - what map_ops.bpf.c and bench_maps.c agree on: sizes, the LPM
 * key and the state record. Included by the BPF side after <linux/bpf.h>
 * and by the host side after <stdint.h>/<linux/types.h>.
 */
#ifndef BENCH_MAP_OPS_H
#define BENCH_MAP_OPS_H

#include <linux/types.h>

#define OPS 256      /* map operations per run */
#define NKEYS 1024   /* entries of the array, the hash and the LRU hash */
#define LPM_MAX 512  /* capacity of the LPM trie */
#define LPM_PREFIXES 256 /* prefixes bench_maps stores, besides 0.0.0.0/0 */

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr; /* in memory order, as the trie compares bytes */
};

struct run_state {
	__u64 seq;    /* runs so far: seeds the next run's keys */
	__u64 result; /* the last run's sum of values found, or count of updates */
};

#endif
