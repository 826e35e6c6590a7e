/* SPDX-License-Identifier: MIT */
/*
 * internal.h - struct btf and what the files of src/btf/ share.
 */
#ifndef BPFRT_BTF_INTERNAL_H
#define BPFRT_BTF_INTERNAL_H

#include "btf.h"

struct btf {
	/*
	 * Own copy of the type and string sections, types first, so that every
	 * type is 4-byte aligned whatever the input's alignment.
	 */
	uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t *offs;		/* offs[i]: offset in types of type start_id + i */
	uint32_t nr;		/* types defined here */
	uint32_t start_id;	/* id of the first: 1, or base's count when split */
	uint32_t start_str;	/* string offsets below this are base's */
	const struct btf *base;
	/* Name index: hash of the essential name -> first id; chained by next. */
	uint32_t *bucket;	/* ids, 0 = empty */
	uint32_t nbucket;	/* a power of two */
	uint32_t *next;		/* next[i]: next id in type start_id + i's chain */
	char what[64];		/* the input, for messages */
};

/* The type at this id of this BTF's own types (no range check). */
static inline const struct btf_type *btf_own_type(const struct btf *btf, uint32_t id)
{
	return (const struct btf_type *)(btf->types + btf->offs[id - btf->start_id]);
}

/* Bytes of a type including its kind-specific tail; 0 if kind is unknown. */
size_t btf_type_size(const struct btf_type *t);

/* Checks of references, loops and layout once every type is known (check.c). */
int btf_check_refs(const struct btf *btf, struct diag *d);

/* Build the name index (index.c). */
int btf_index_build(struct btf *btf);
uint32_t btf_name_hash(const char *name, size_t len);

/* The BTF a .BTF.ext was parsed against (ext.c). */
const struct btf *btf_ext_btf(const struct btf_ext *ext);

/* "section '.BTF': type id 12 (STRUCT 'foo'): " for messages. */
__attribute__((format(printf, 4, 5)))
int btf_fail(const struct btf *btf, uint32_t id, struct diag *d, const char *fmt, ...);

#endif
