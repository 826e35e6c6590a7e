/* SPDX-License-Identifier: MIT */
/*
 * vgen.h - random programs for the verifier's soundness tests, and running
 * the ones it accepts in the checked interpreter.
 *
 * The generator strings together snippets that are mostly right (bounds
 * checks, NULL checks, spills, loops, helper calls, packet accesses) and
 * then mutates a few fields, so that many programs sit right at the edge of
 * what is safe. Every program the verifier accepts is run on several inputs
 * in the checked engine: a run stopped for a bad memory access, a bad helper
 * argument or an exhausted budget means the verifier accepted something
 * unsafe.
 */
#ifndef BPFRT_TESTS_VGEN_H
#define BPFRT_TESTS_VGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpfrt/insn.h"
#include "bpfrt/prog.h"
#include "bpfrt/map.h"
#include "vtest.h"

#define VGEN_MAX_INSNS 512
#define VGEN_NMAPS 5

struct vgen_rng { uint64_t s; };

static inline uint64_t vgen_next(struct vgen_rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline unsigned vgen_below(struct vgen_rng *r, unsigned n) { return n ? (unsigned)(vgen_next(r) % n) : 0; }

struct vgen_prog {
	enum bpfrt_prog_type type;
	struct bpfrt_insn insns[VGEN_MAX_INSNS];
	size_t cnt;
};

/* The maps every generated program may use, by index (lddw src 5). */
extern const struct vt_map vgen_maps[VGEN_NMAPS];

/* A random program (already mutated `mutations` times). */
void vgen_program(struct vgen_rng *r, struct vgen_prog *p, unsigned mutations);

struct vgen_stats {
	size_t generated, invalid, accepted, rejected, runs;
	size_t unsound; /* runs the checked engine stopped */
};

/*
 * Verify p; if accepted, run it on several inputs. Returns 0, or -1 when an
 * accepted program faulted (the message, program and input are printed to
 * stderr).
 */
int vgen_check(struct bpfrt_runtime *rt, struct bpfrt_map *const *maps, const struct vgen_prog *p,
	       struct vgen_rng *r, struct vgen_stats *st);

/* Runtime and maps for vgen_check (maps[VGEN_NMAPS]); 0 or -1. */
int vgen_setup(struct bpfrt_runtime **rt, struct bpfrt_map **maps);
void vgen_teardown(struct bpfrt_runtime *rt, struct bpfrt_map **maps);

#endif
