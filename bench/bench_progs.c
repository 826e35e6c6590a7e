/* SPDX-License-Identifier: MIT */
/*
 * bench_progs.c - the program table, from progs/progs.def: each entry pairs
 * the native function with the bytecode the build generated
 * (build/bench/progs/NAME.insns.c).
 */
#include "bench.h"

#define BENCH_PROG(name) \
	uint64_t name(uint8_t *data, uint64_t len); \
	extern const struct bench_bytes bench_bpf_##name;
#include "progs/progs.def"
#undef BENCH_PROG

const struct bench_prog bench_progs[] = {
#define BENCH_PROG(name) { #name, name, &bench_bpf_##name },
#include "progs/progs.def"
#undef BENCH_PROG
};

const size_t bench_prog_cnt = sizeof(bench_progs) / sizeof(bench_progs[0]);
