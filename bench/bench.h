/* SPDX-License-Identifier: MIT */
/*
 * bench.h - the benchmark driver's two tables: the programs, and the engines
 * that run them.
 *
 * Every program exists twice, built from one source: compiled for the host
 * (the baseline) and compiled for BPF. An engine is one way of running it:
 * the native build, bpfrt's JIT and interpreters, and the kernel's JIT.
 * The driver runs every program on every engine the same way and
 * only ever compares engines through struct bench_engine_ops.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Size of the message buffers the ops write their failures into. */
#define BENCH_MSG_LEN 256

/* A program's BPF instructions as the build extracted them, raw bytes. */
struct bench_bytes {
	const unsigned char *bytes;
	size_t size;
};

typedef uint64_t (*bench_native_fn)(uint8_t *data, uint64_t len);

struct bench_prog {
	const char *name;
	bench_native_fn native;        /* compiled for the host with -O2 */
	const struct bench_bytes *bpf; /* compiled for BPF */
};

/* All programs, in the order of progs/progs.def. */
extern const struct bench_prog bench_progs[];
extern const size_t bench_prog_cnt;

/* One timed batch: r0 of its last run, and the mean time of one run. */
struct bench_sample {
	uint64_t retval;
	double ns;
};

struct bench_engine;

/*
 * How an engine runs programs. Each function that fails returns a negative
 * errno (or NULL) and says why in msg (BENCH_MSG_LEN bytes).
 */
struct bench_engine_ops {
	/*
	 * Optional. Make the state shared by all programs of this engine.
	 * -EOPNOTSUPP means the engine cannot run on this machine: its column
	 * is left empty rather than failing the benchmark.
	 */
	int (*setup)(const struct bench_engine *eng, void **state, char *msg);
	void (*teardown)(void *state);
	/*
	 * Prepare one program to run. NULL with errno EOPNOTSUPP means this
	 * engine cannot run this program (msg says why): its cell is left
	 * empty rather than failing the benchmark.
	 */
	void *(*open)(void *state, const struct bench_engine *eng,
		      const struct bench_prog *prog, char *msg);
	/*
	 * Run it iters times on a private copy of data; the copy is not timed.
	 * -EOPNOTSUPP: as for open, the engine cannot run the program.
	 */
	int (*run)(void *handle, const uint8_t *data, uint32_t size, uint32_t iters,
		   struct bench_sample *out, char *msg);
	void (*close)(void *handle);
};

struct bench_engine {
	const char *name; /* column heading */
	const struct bench_engine_ops *ops;
	int variant;      /* for the ops, e.g. which enum bpfrt_engine */
};

/* bpfrt variant flag: load with constant blinding (jit_blind). */
#define BENCH_BPFRT_BLIND 0x100

extern const struct bench_engine_ops bench_native_ops;
extern const struct bench_engine_ops bench_bpfrt_ops;
/* The kernel's JIT through bpf(); only on Linux with <linux/bpf.h>. */
extern const struct bench_engine_ops bench_kernel_ops;

/*
 * The CPU time of the calling thread. The kernel's test_run stops its clock
 * while the program is preempted (it yields between runs when asked to, and
 * pauses its timer around that), so the user-space engines count only the
 * time their own thread runs too; on a shared machine wall time would charge
 * them for other processes.
 */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
