/* SPDX-License-Identifier: MIT */
/*
 * oracle.h - the Linux kernel as a differential oracle for bpfrt's tests.
 *
 * Tests that want to know what "real" eBPF does with a program ask the kernel
 * of the machine they run on, through the bpf() system call (no libbpf: the
 * point is to see the kernel's own answer, with nothing in between). Two
 * layers:
 *
 *  - thin bpf() wrappers: load a program of any type, test-run it on data or
 *    a context, create and access maps. Loader, verifier, JIT and hook tests
 *    use these to get the kernel's verdict, verifier log, return value and
 *    output data for whole programs.
 *  - the conformance bridge: run a bare instruction array with the convention
 *    of the BPF conformance suite (r1 = a writable copy of an input memory
 *    block, r2 = its length, result = the full 64-bit r0), which no kernel
 *    program type offers directly. See kern_conf_run() for how.
 *
 * All functions return a negative errno on failure (fds and 0 on success);
 * none keeps global state. The caller closes the fds it gets.
 */
#ifndef BPFRT_TESTS_KERNEL_ORACLE_H
#define BPFRT_TESTS_KERNEL_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpfrt/insn.h"

/*
 * The kernel refuses BPF_PROG_TEST_RUN on skb and XDP programs with less data
 * than an Ethernet header.
 */
#define KERN_MIN_PKT 14

/**
 * kern_oracle_available() - can this process load and test-run programs?
 * @why: out: when not, the reason (no permission, no bpf(), seccomp, a kernel
 *       too old for the conformance bridge...), meant to be printed as the
 *       message of a skipped test. May be NULL.
 * @len: size of why.
 *
 * Loads and runs a trivial socket filter, then a trivial program through the
 * conformance bridge.
 *
 * Return: 1 if the oracle works here, 0 if not.
 */
int kern_oracle_available(char *why, size_t len);

/* --- thin bpf() wrappers --- */

struct kern_prog_load_opts {
	const char *name;              /* program name (first 15 chars), or NULL */
	const char *license;           /* NULL: "Dual MIT/GPL" */
	uint32_t expected_attach_type; /* BPF_PROG_LOAD's expected_attach_type */
	uint32_t prog_flags;           /* BPF_F_* load flags */
	/*
	 * Verifier log. With log_level 0 and a buffer, the load runs without a
	 * log and, only if it fails, runs again at level 1 to fill the buffer
	 * with the reason: a successful load costs no logging and a failed one
	 * always explains itself. With log_level 1 or 2 the log is written on
	 * every load; the kernel then fails a load with -ENOSPC when the log
	 * does not fit, even if the program was fine. Kernels since 6.4 keep the
	 * tail of a log that overflows (where the verdict is), older ones the
	 * head. log_buf is always NUL-terminated when given.
	 */
	char *log_buf;
	size_t log_size;
	uint32_t log_level;
};

/**
 * kern_prog_load() - BPF_PROG_LOAD.
 * @type: a BPF_PROG_TYPE_*.
 * @insns, @cnt: the instructions (struct bpfrt_insn is struct bpf_insn).
 * @opts: options, or NULL.
 *
 * Return: the program fd, or a negative errno: -EACCES or -EINVAL for most
 * verifier rejections (the log says why), -EPERM without privilege, -E2BIG,
 * -ENOMEM...
 */
int kern_prog_load(uint32_t type, const struct bpfrt_insn *insns, size_t cnt,
		   struct kern_prog_load_opts *opts);

/* One BPF_PROG_TEST_RUN: what goes in, what comes out. Unused fields 0. */
struct kern_test_run {
	const void *data_in;    /* packet (skb, XDP...): at least KERN_MIN_PKT bytes */
	uint32_t data_size_in;
	void *data_out;         /* receives the packet after the run, or NULL */
	uint32_t data_size_out; /* in: capacity of data_out; out: bytes the kernel had */
	const void *ctx_in;     /* context (struct __sk_buff, xdp_md...), or NULL */
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;  /* in: capacity; out: size */
	uint32_t repeat;        /* 0: once */
	uint32_t flags;         /* BPF_F_TEST_RUN_ON_CPU... */
	uint32_t cpu;
	/* out */
	uint32_t retval;        /* the program's return value (32 bits: all test_run keeps) */
	uint32_t duration_ns;   /* mean time of one run */
};

/**
 * kern_prog_test_run() - BPF_PROG_TEST_RUN of a loaded program.
 *
 * Return: 0, or a negative errno: -EINVAL for data or ctx the program type
 * refuses (too short, ctx fields it does not allow), -ENOSPC when data_out or
 * ctx_out was too small (the part that fits is copied), -ENOTSUPP (524) for
 * program types without test_run.
 */
int kern_prog_test_run(int prog_fd, struct kern_test_run *run);

/**
 * kern_map_create() - BPF_MAP_CREATE.
 * @type: a BPF_MAP_TYPE_*.
 * @name: map name (first 15 chars), or NULL.
 *
 * Return: the map fd, or a negative errno.
 */
int kern_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		    uint32_t flags, const char *name);

/** kern_map_update() - BPF_MAP_UPDATE_ELEM with flags BPF_ANY/BPF_NOEXIST/BPF_EXIST. */
int kern_map_update(int map_fd, const void *key, const void *value, uint64_t flags);

/** kern_map_lookup() - BPF_MAP_LOOKUP_ELEM; value gets value_size bytes. -ENOENT if absent. */
int kern_map_lookup(int map_fd, const void *key, void *value);

/**
 * kern_log_reason() - the line of a verifier log that says why it refused.
 * @log: the log (NULL or empty gives "").
 * @buf, @len: out, NUL-terminated.
 *
 * That is the last block of message lines, skipping instructions, register
 * states and statistics ("processed N insns", "stack depth"...), joined with
 * "; ": "invalid shift 64", or "invalid access to map value, value_size=9
 * off=9 size=1; R1 min value is outside of the allowed memory range".
 * Return: buf.
 */
const char *kern_log_reason(const char *log, char *buf, size_t len);

/* --- the conformance bridge --- */

/* How a program got to the kernel. */
enum kern_bridge {
	/*
	 * As a bpf-to-bpf subprogram of a socket filter. A prologue points r1
	 * at the value of a one-entry array map holding the memory (r1 = 0 if
	 * there is none), sets r2 to its length and calls the program; an
	 * epilogue stores the returned r0, all 64 bits, into a second array
	 * map. The verifier checks memory accesses against the map's value
	 * size, i.e. exactly the memory's bounds. Verifier messages name
	 * instructions KERN_CONF_PROLOGUE slots after the program's own.
	 */
	KERN_BRIDGE_CALL,
	/*
	 * For programs using legacy packet loads (LD_ABS/LD_IND), which Linux
	 * refuses to mix with bpf-to-bpf calls: run directly as a socket
	 * filter whose packet (after a dummy Ethernet header the kernel
	 * strips) is the memory. r1 is the skb context, not the memory; a
	 * prologue copies it to r6, where legacy loads need it, and sets r2 to
	 * the length. Only the low 32 bits of r0 come back. Messages name
	 * instructions KERN_PKT_PROLOGUE slots later.
	 */
	KERN_BRIDGE_PACKET,
};

#define KERN_CONF_PROLOGUE 9
#define KERN_PKT_PROLOGUE 2

enum kern_verdict {
	KERN_RAN,      /* loaded and ran: r0 (and mem_out) are valid */
	KERN_REJECTED, /* the verifier refused the program: see log and reason */
	KERN_ERROR,    /* something else failed (no permission, map, test_run...) */
};

struct kern_conf_result {
	enum kern_verdict verdict;
	enum kern_bridge bridge;
	uint64_t r0;        /* KERN_RAN: the program's r0 ... */
	unsigned r0_bits;   /* ... of which this many low bits are known (64 or 32) */
	uint8_t *mem_out;   /* KERN_RAN: the memory after the run (malloc'ed), or NULL */
	size_t mem_len;
	char *log;          /* KERN_REJECTED: the whole verifier log (malloc'ed) */
	char reason[256];   /* KERN_REJECTED: kern_log_reason(); KERN_ERROR: what failed */
	int err;            /* the negative errno of the failing step, else 0 */
};

/* True if the program contains LD_ABS or LD_IND, i.e. needs KERN_BRIDGE_PACKET. */
bool kern_insns_use_legacy_packet(const struct bpfrt_insn *insns, size_t cnt);

/**
 * kern_conf_run() - run a program in the kernel with the conformance convention.
 * @insns, @cnt: the program, as it would be given to bpfrt (lddw and local
 *               calls included; no map references).
 * @mem, @mem_len: the input memory, copied (NULL/0 for none).
 * @res: out: the verdict and what goes with it; release with
 *       kern_conf_result_free().
 *
 * Picks the bridge with kern_insns_use_legacy_packet().
 *
 * Return: 0 when the kernel gave a verdict (KERN_RAN or KERN_REJECTED), else
 * the negative errno also stored in res->err (verdict KERN_ERROR).
 */
int kern_conf_run(const struct bpfrt_insn *insns, size_t cnt, const void *mem, size_t mem_len,
		  struct kern_conf_result *res);

void kern_conf_result_free(struct kern_conf_result *res);

#endif
