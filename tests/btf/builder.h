/* SPDX-License-Identifier: MIT */
/*
 * builder.h - test support: writing .BTF by hand, type by type, to make
 * inputs clang never would (loops, bad references, odd layouts) and to
 * mutate afterwards. Type ids are returned in order from 1.
 */
#ifndef BPFRT_TESTS_BTF_BUILDER_H
#define BPFRT_TESTS_BTF_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bb {
	uint8_t *types;
	size_t tlen, tcap;
	char *strs;
	size_t slen, scap;
	uint32_t nr;
};

void bb_init(struct bb *b);
void bb_free(struct bb *b);
/* Add a string (deduplicated: no), returning its offset; "" is 0. */
uint32_t bb_str(struct bb *b, const char *s);
/* Append one raw u32 to the type section. */
void bb_u32(struct bb *b, uint32_t v);
/* A type header: its id. name may be NULL (anonymous). */
uint32_t bb_type(struct bb *b, const char *name, unsigned kind, unsigned vlen, bool kflag,
		 uint32_t size_or_type);

uint32_t bb_int(struct bb *b, const char *name, uint32_t size, uint32_t encoding);
uint32_t bb_ptr(struct bb *b, uint32_t type);
uint32_t bb_typedef(struct bb *b, const char *name, uint32_t type);
uint32_t bb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t n);
/* A struct (or union) of vlen members: follow with vlen bb_member() calls. */
uint32_t bb_struct(struct bb *b, const char *name, bool is_union, uint32_t size, unsigned vlen);
void bb_member(struct bb *b, const char *name, uint32_t type, uint32_t bit_offset);
uint32_t bb_enum(struct bb *b, const char *name, uint32_t size, unsigned vlen);
void bb_enumval(struct bb *b, const char *name, int32_t val);
uint32_t bb_proto(struct bb *b, uint32_t ret, unsigned vlen);
void bb_param(struct bb *b, const char *name, uint32_t type);
uint32_t bb_func(struct bb *b, const char *name, uint32_t proto, unsigned linkage);
uint32_t bb_var(struct bb *b, const char *name, uint32_t type, uint32_t linkage);

/* The finished .BTF blob (malloc'ed), header included. */
void *bb_finish(struct bb *b, size_t *size);

#endif
