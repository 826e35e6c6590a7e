/* SPDX-License-Identifier: MIT */
/*
 * verifier.h - prove a program safe before it runs, or say exactly why not.
 *
 * bpfrt_verify() explores every path of a structurally valid program (see
 * isa/validate.h) the way Linux's verifier does: each register holds a type
 * (scalar, or a pointer to the context, the stack, a map value, a packet...)
 * and, for scalars and pointer offsets, known bits plus signed and unsigned
 * 32- and 64-bit ranges, refined by branches. Every memory access must be
 * provably inside its object, every helper argument must match the helper's
 * prototype, references (ring buffer records, spin locks) must be released on
 * every path, loops must end, and no pointer may leak into memory other than
 * the stack or out as the return value. States already proven safe prune the
 * search, as in Linux; 1 million processed instructions is the budget.
 *
 * Program types follow Linux (context layout, what the context may be used
 * for, return value rules). Generic programs (BPFRT_PROG_TYPE_UNSPEC) start
 * with r1 = a block of memory and r2 = its size: r1 is checked like a packet
 * pointer whose end is r1 + r2, so an access must be proven inside by
 * comparing r2 with a constant (`if (size < 8) return 0;`) or a pointer with
 * r1 + r2 (`if (p + 8 > data + size) return 0;`).
 *
 * The rules are Linux's unprivileged-safe ones where they differ: reading
 * uninitialized stack, comparing pointers (other than packet bounds and NULL
 * checks), and storing or returning pointers are refused even though Linux
 * allows them to root.
 */
#ifndef BPFRT_VERIFIER_H
#define BPFRT_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "bpfrt/insn.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "isa/opcodes.h"
#include "helpers/proto.h"
#include "util/diag.h"

/* What an lddw of a map or of a map value refers to. */
struct verifier_map {
	enum bpfrt_map_type type;
	uint32_t key_size, value_size, max_entries, map_flags;
	const char *name;
	const struct verifier_map *inner; /* map-in-map: the inner maps' shape */
};

struct verifier_input {
	const struct bpfrt_insn *insns;
	size_t cnt;
	const struct opinfo *const *ops;      /* from bpfrt_validate() */
	enum bpfrt_prog_type prog_type;
	/*
	 * lddw i with a map pseudo source (1, 2, 5, 6): the map; for map values
	 * the offset is the immediate of the second slot. Indexed by insn, NULL
	 * elsewhere (the whole array may be NULL for programs without maps).
	 */
	const struct verifier_map *const *lddw_map;
	/*
	 * Helper calls: whether the program type may call id (helper groups),
	 * and its prototype. An allowed helper without a prototype (an
	 * embedder's helper) takes any five values and returns a scalar.
	 */
	bool (*helper_allowed)(void *ctx, uint32_t id);
	const struct helper_proto *(*helper_proto)(void *ctx, uint32_t id);
	const char *(*helper_name)(void *ctx, uint32_t id);
	/* Source line of insn for messages, may be NULL: writes "prog.bpf.c:42: return *val;" */
	int (*source_line)(void *ctx, size_t insn, char *buf, size_t len);
	void *ctx;
	const char *prog_name;
	int log_level; /* 0: only the error; 1: + a summary; 2: every state, like Linux */
	FILE *log;     /* where log_level >= 1 output goes (may be NULL) */
};

struct verifier_result {
	size_t insns_processed; /* instructions explored, over all paths */
	size_t states;          /* states stored for pruning */
	size_t peak_states;     /* most stored at once */
	size_t max_stack_depth; /* deepest combined stack of a call chain, bytes */
	uint64_t time_ns;
};

/*
 * Bytes of context a verified program of type t may read (0 for generic
 * programs, whose r1 comes with its size in r2): a run must provide at least
 * that much behind r1.
 */
uint32_t verifier_ctx_size(enum bpfrt_prog_type t);

/* Linux's BPF_COMPLEXITY_LIMIT_INSNS: instructions processed over all paths. */
#define VERIFIER_INSN_BUDGET 1000000u

/**
 * bpfrt_verify() - prove in->insns safe to run without run-time checks.
 * @in: the program and what it refers to.
 * @res: out: statistics (may be NULL); filled on success and failure.
 * @d: out: on failure, one message about one instruction (diag_insn): the
 *     rule broken, the registers involved and their state, and how to fix
 *     it, followed by the source line when in->source_line gives one:
 *     "insn 12: R0 may be NULL here: it comes from bpf_map_lookup_elem at
 *     insn 9 and is not checked; add `if (!val) return 0;` before using it
 *     (prog.bpf.c:14: return *val;)".
 *
 * Context sizes the caller must provide at run time: struct xdp_md and
 * struct __sk_buff for packet types, 168 bytes (struct pt_regs) for
 * kprobes, 184 for perf events, 4096 for tracepoints, 96 (12 u64 arguments)
 * for raw tracepoints and tracing programs.
 *
 * Return: 0 when the program is safe; -EACCES when it is not (or cannot be
 * shown to be); -E2BIG when verification exceeds its budget (instructions,
 * pending branches, call depth); -EINVAL for a program whose shape the
 * verifier refuses (unreachable code, bad subprograms, unknown program
 * type, kfuncs); -ENOMEM.
 */
int bpfrt_verify(const struct verifier_input *in, struct verifier_result *res, struct diag *d);

#endif
