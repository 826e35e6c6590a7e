/* SPDX-License-Identifier: MIT */
/*
 * cdump.h - the state the C dumper's two files share: dump_c.c decides what
 * to print and in which order, dump_cdecl.c writes C declarations.
 *
 * The algorithm is libbpf's btf_dump.c, so that the output reads like
 * bpftool's: named structs, unions, enums and typedefs are printed at top
 * level once all they hold by value is printed; a type reached through a
 * pointer only needs a forward declaration; anonymous types are printed
 * inline where they are used.
 */
#ifndef BPFRT_BTF_CDUMP_H
#define BPFRT_BTF_CDUMP_H

#include "internal.h"

enum { NOT_ORDERED, ORDERING, ORDERED };
enum { NOT_EMITTED, EMITTING, EMITTED };

struct tstate {
	uint8_t order;		/* NOT_ORDERED, ORDERING, ORDERED */
	uint8_t emit;		/* NOT_EMITTED, EMITTING, EMITTED */
	bool fwd_emitted;	/* struct: "struct x;" printed; typedef: printed */
	bool referenced;	/* some other type refers to it */
	bool name_resolved;
};

/* How many times each name was taken, for "name___2" suffixes. */
struct namecount {
	const char **keys;	/* BTF strings: they outlive the dump */
	uint32_t *counts;
	uint32_t cap, n;
};

struct cdump {
	const struct btf *btf;
	FILE *out;
	struct diag *d;
	int err;		/* first error; everything stops printing after it */
	int depth;		/* nesting of recursive calls, bounded */
	uint64_t work, budget;	/* recursive calls made, and allowed */
	struct tstate *st;	/* per type id */
	char **names;		/* per type id: the suffixed name, if it needed one */
	uint32_t *align;	/* per struct/union id: its alignment, once known */
	struct namecount tags;	/* struct/union/enum tags */
	struct namecount idents;	/* typedefs, enumerators, functions */
	uint32_t *queue;	/* what the current top-level type needs, in order */
	size_t qlen, qcap;
	uint32_t *decl;		/* declarator chains being printed (shared stack) */
	size_t dlen, dcap;
};

/*
 * Entering a recursive step: false (and an error set) when nested too deep
 * or past the work budget (anonymous types shared at many levels would
 * otherwise expand exponentially).
 */
bool cd_enter(struct cdump *c, uint32_t id);
static inline void cd_leave(struct cdump *c)
{
	c->depth--;
}

/* Names as printed: tag names of structs/unions/enums, identifiers of the rest. */
const char *cd_type_name(struct cdump *c, uint32_t id);
const char *cd_ident_name(struct cdump *c, uint32_t id);
/* Count one more use of name among identifiers; returns the count (1: first). */
uint32_t cd_name_dups(struct cdump *c, struct namecount *map, const char *name);

/* Definitions and declarations (dump_cdecl.c). */
void cd_emit_struct_fwd(struct cdump *c, uint32_t id);
void cd_emit_struct_def(struct cdump *c, uint32_t id, int lvl);
void cd_emit_enum_def(struct cdump *c, uint32_t id, int lvl);
void cd_emit_fwd_def(struct cdump *c, uint32_t id);
void cd_emit_typedef_def(struct cdump *c, uint32_t id, int lvl);
/* "T name" for a type and a declared name (may be ""), however nested. */
void cd_emit_type_decl(struct cdump *c, uint32_t id, const char *fname, int lvl);

#endif
