/* SPDX-License-Identifier: MIT */
/*
 * bench_prog.h - lets one benchmark source compile both for BPF and natively.
 *
 * For BPF the entry function goes in section "bench", which the build extracts
 * as raw instructions; bpfrt loads those directly, with no ELF loader in
 * between, so the object must hold no relocations: no globals, no constant
 * tables in .rodata, no calls to functions that were not inlined (hence
 * BENCH_INLINE on every helper). Programs use only their stack (at most 512
 * bytes) and the input buffer, and every loop is bounded by the input length
 * or a constant. Built with -DNATIVE the entry is a plain function the driver
 * calls through a pointer.
 */
#ifndef BENCH_PROG_H
#define BENCH_PROG_H

#include <stdint.h>

#ifdef NATIVE
#define BENCH_ENTRY
#else
#define BENCH_ENTRY __attribute__((section("bench"), used))
#endif

#define BENCH_INLINE static inline __attribute__((always_inline))

#endif
