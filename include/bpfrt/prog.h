/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/prog.h - load a program from instructions and run it.
 *
 * bpfrt_prog__load() validates the instructions, resolves helper calls against
 * the runtime's table and decodes the program once into the interpreter's
 * internal form. bpfrt_prog__test_run() runs it on input data, like the
 * kernel's BPF_PROG_TEST_RUN.
 */
#ifndef BPFRT_PROG_H
#define BPFRT_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "insn.h"
#include "runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_prog;
struct bpfrt_map;

/*
 * Program types, with the kernel's numbers. The type decides what r1 points
 * to when the program runs (its context) and which helpers it may call.
 */
enum bpfrt_prog_type {
	/* Generic (bpfrt's own): r1 = input data, r2 = its size; every helper. */
	BPFRT_PROG_TYPE_UNSPEC = 0,
	BPFRT_PROG_TYPE_SOCKET_FILTER = 1, /* r1 = struct __sk_buff */
	BPFRT_PROG_TYPE_KPROBE = 2,        /* r1 = struct pt_regs (uprobes too) */
	BPFRT_PROG_TYPE_SCHED_CLS = 3,     /* r1 = struct __sk_buff (tc) */
	BPFRT_PROG_TYPE_SCHED_ACT = 4,
	BPFRT_PROG_TYPE_TRACEPOINT = 5,    /* r1 = the tracepoint's record */
	BPFRT_PROG_TYPE_XDP = 6,           /* r1 = struct xdp_md */
	BPFRT_PROG_TYPE_PERF_EVENT = 7,
	BPFRT_PROG_TYPE_RAW_TRACEPOINT = 17, /* r1 = array of u64 arguments */
	BPFRT_PROG_TYPE_TRACING = 26,      /* fentry/fexit: r1 = array of u64 arguments */
};

/* "xdp", "socket_filter"...; NULL for a type bpfrt does not know. */
const char *bpfrt_prog_type_name(enum bpfrt_prog_type type);

enum bpfrt_engine {
	/*
	 * What Linux does: the verifier proves the program safe at load (or
	 * the load fails, saying why), then it runs as native code where the
	 * machine has a JIT, else in the unchecked interpreter (JIT_OR_INTERP).
	 */
	BPFRT_ENGINE_DEFAULT = 0,
	/*
	 * Interpreter that bounds-checks every memory access against the regions
	 * the program may touch (its stack, its data and context, memory handed
	 * out by the runtime), limits the number of instructions executed, and
	 * stops a bad program with an error instead of harming the host.
	 * The verifier does not run: this is how to run programs it refuses,
	 * or cannot judge, and it must be asked for explicitly.
	 */
	BPFRT_ENGINE_CHECKED = 1,
	/*
	 * Interpreter without run-time checks. This engine and the two below run
	 * only programs the verifier proved safe at load (see
	 * bpfrt_prog__load()); CHECKED is the way to run unverified programs.
	 */
	BPFRT_ENGINE_INTERP = 2,
	/* Native code (x86-64); the load fails if the program cannot be compiled. */
	BPFRT_ENGINE_JIT = 3,
	/* Native code where the machine has a JIT, else the unchecked interpreter. */
	BPFRT_ENGINE_JIT_OR_INTERP = 4,
};

struct bpfrt_prog_load_opts {
	size_t sz;                 /* sizeof(struct bpfrt_prog_load_opts) */
	enum bpfrt_engine engine;  /* default BPFRT_ENGINE_DEFAULT */
	/*
	 * Checked engine: most instructions one run may execute before it is
	 * stopped (0: BPFRT_DEFAULT_INSN_BUDGET, UINT64_MAX: no limit).
	 */
	uint64_t insn_budget;
	enum bpfrt_prog_type prog_type; /* default BPFRT_PROG_TYPE_UNSPEC */
	/*
	 * Maps for lddw with a map index (pseudo sources 5 and 6), like the
	 * kernel's fd_array. Map ids (bpfrt_map__id()) serve as fds for pseudo
	 * sources 1 and 2.
	 */
	struct bpfrt_map *const *maps;
	size_t nmaps;
	/*
	 * JIT engines: constant blinding for untrusted programs, as Linux's
	 * bpf_jit_harden. Every immediate reaches the native code XOR-ed with
	 * a key drawn at random for this load and is recovered at run time,
	 * so a program cannot plant chosen bytes in executable memory. Costs
	 * two instructions per immediate.
	 */
	bool jit_blind;
	/*
	 * The program's license, as the kernel's license attribute (an
	 * object's "license" section). Given, helpers that are GPL-only in
	 * Linux (bpf_trace_printk, bpf_probe_read_*, ...) are refused unless it
	 * is GPL-compatible ("GPL", "GPL v2", "Dual BSD/GPL", ...). NULL: no
	 * check, for programs built without a license.
	 */
	const char *license;
	/*
	 * Engines other than CHECKED: skip the verifier. Only for bytecode known
	 * to be safe by other means (the ISA conformance vectors, which read
	 * uninitialized registers on purpose); never for untrusted programs.
	 */
	bool trusted;
	/*
	 * The verifier's messages: the source line of instruction insn, written
	 * to buf as "prog.bpf.c:42: return *val;" (return < 0 for none). The
	 * object loader sets it from .BTF.ext line info.
	 */
	int (*source_line)(void *ctx, size_t insn, char *buf, size_t len);
	void *source_line_ctx;
	/* 1: a summary of the verification; 2: every state, like Linux's log_level 2. */
	int log_level;
	FILE *log;                 /* where the log goes (NULL: nowhere) */
	/* out: the verifier's figures, when it ran (on success and on refusal). */
	struct bpfrt_verifier_stats *verifier_stats;
};

struct bpfrt_verifier_stats {
	size_t insns_processed;    /* instructions explored over all paths (Linux's verified_insns) */
	size_t states;             /* states stored for pruning */
	size_t peak_states;        /* most stored at once */
	size_t max_stack_depth;    /* deepest stack of a call chain, bytes */
	uint64_t time_ns;
	bool ran;                  /* the verifier ran (not CHECKED, not trusted) */
};

#define BPFRT_DEFAULT_INSN_BUDGET 100000000ull

/**
 * bpfrt_prog__load() - check and prepare a program.
 * @rt: the runtime whose helpers the program calls.
 * @name: name used in messages ("prog 'name': insn 3: ..."); copied.
 * @insns: the instructions; copied.
 * @cnt: number of 8-byte instruction slots.
 * @opts: options, or NULL.
 *
 * Fails on malformed programs (unknown opcode, reserved fields set, bad
 * register, jump out of range or into an lddw, truncated lddw, fall-through
 * past the end), calls to helpers the runtime lacks, and lddw with a pseudo
 * source that only a loader can resolve (map fd, map value, BTF id).
 *
 * For the INTERP, JIT and JIT_OR_INTERP engines the program must then pass
 * the verifier (as the kernel's BPF_PROG_LOAD): every path is explored and
 * every memory access, helper argument, reference and loop proven safe. A
 * refusal names the program, the instruction (index and disassembly), the
 * rule and the registers involved, and the source line when
 * opts->source_line gives one:
 *   "prog 'f': insn 6: R0 may be NULL here: ... (prog.bpf.c:14: return *val;)
 *   (r0 = *(u64 *)(r0 + 0))".
 * Programs that cannot be verified run in the CHECKED engine (the default),
 * which stops them at run time instead; opts->trusted skips the verifier for
 * bytecode known safe by other means.
 *
 * Return: the program, or NULL with errno set (EINVAL, E2BIG, ENOENT for an
 * unknown helper, EACCES when the verifier refuses it, ENOMEM) and the
 * reason in bpfrt_runtime__last_error().
 */
struct bpfrt_prog *bpfrt_prog__load(struct bpfrt_runtime *rt, const char *name,
				    const struct bpfrt_insn *insns, size_t cnt,
				    const struct bpfrt_prog_load_opts *opts);

void bpfrt_prog__free(struct bpfrt_prog *prog);

const char *bpfrt_prog__name(const struct bpfrt_prog *prog);
/* Runtime-wide id: what a prog array holds (the kernel would use an fd). */
uint32_t bpfrt_prog__id(const struct bpfrt_prog *prog);
enum bpfrt_prog_type bpfrt_prog__type(const struct bpfrt_prog *prog);
const struct bpfrt_insn *bpfrt_prog__insns(const struct bpfrt_prog *prog);
/* The engine the program runs in (JIT_OR_INTERP resolved to the one chosen). */
enum bpfrt_engine bpfrt_prog__engine(const struct bpfrt_prog *prog);
/*
 * Print the JIT's machine code, per eBPF instruction, as hex bytes.
 * Return: 0, or -ENOENT for a program that is not JIT-compiled.
 */
int bpfrt_prog__dump_jited(const struct bpfrt_prog *prog, FILE *out);
size_t bpfrt_prog__insn_cnt(const struct bpfrt_prog *prog);

struct bpfrt_test_run_opts {
	size_t sz;             /* sizeof(struct bpfrt_test_run_opts) */
	/*
	 * Input data: copied into a buffer the program may read and write. The
	 * program gets r1 = its address and r2 = its size (r1 = r2 = 0 without
	 * data); legacy packet loads (LD_ABS/LD_IND) read from it.
	 */
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;        /* receives the data after the last run */
	uint32_t data_size_out; /* in: capacity of data_out; out: bytes written */
	/* Context: when given, r1 = a copy of it and r2 = its size instead. */
	const void *ctx_in;
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;
	int repeat;            /* runs to time (0 and 1 both mean once) */
	void *user_data;       /* handed to helpers via bpfrt_exec__user_data() */
	/* out */
	uint64_t retval;       /* r0 at exit of the last run */
	uint64_t duration_ns;  /* mean wall time of one run */
};

/**
 * bpfrt_prog__test_run() - run a program on data, repeat times.
 *
 * Return: 0 when the program ran to its exit (its return value is in
 * opts->retval), or a negative errno when the checked engine stopped it:
 * -EFAULT for a memory access outside its regions, -ELOOP when the
 * instruction budget ran out, -E2BIG for calls nested deeper than 8 frames,
 * -ENOENT for callx to a missing helper; the message says which instruction.
 * -EINVAL for bad options.
 */
int bpfrt_prog__test_run(struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts);

/**
 * bpfrt_prog__run_ctx() - run once on a context in place: what a hook does
 * per event (no copy of ctx, no timing, an execution state kept per thread).
 * @ctx: the context (r1); the checked engine lets the program read
 *       ctx_size bytes of it and write none.
 * @retval: receives r0, or NULL.
 *
 * Return: 0, -EBUSY when called from inside a helper of a program that this
 * thread is running, or the errors of bpfrt_prog__test_run().
 */
int bpfrt_prog__run_ctx(struct bpfrt_prog *prog, void *ctx, uint32_t ctx_size, uint64_t *retval);

/**
 * bpfrt_prog__run_ctx_cookie() - bpfrt_prog__run_ctx() for a hook attached
 * with a cookie, which the program reads with bpf_get_attach_cookie() (a
 * USDT probe's call site, for example).
 */
int bpfrt_prog__run_ctx_cookie(struct bpfrt_prog *prog, void *ctx, uint32_t ctx_size,
			       uint64_t cookie, uint64_t *retval);

#ifdef __cplusplus
}
#endif
#endif
