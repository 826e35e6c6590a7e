/* SPDX-License-Identifier: MIT */
/*
 * builder.c - see builder.h.
 */
#include <stdlib.h>
#include <string.h>
#include "builder.h"
#include "btf/format.h"

static void grow(void **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 256;
	while (c < need)
		c *= 2;
	*p = realloc(*p, c);
	if (!*p)
		abort();
	*cap = c;
}

void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	grow((void **)&b->strs, &b->scap, 1);
	b->strs[0] = '\0';
	b->slen = 1;
}

void bb_free(struct bb *b)
{
	free(b->types);
	free(b->strs);
}

uint32_t bb_str(struct bb *b, const char *s)
{
	if (!s || !*s)
		return 0;
	size_t n = strlen(s) + 1;
	grow((void **)&b->strs, &b->scap, b->slen + n);
	memcpy(b->strs + b->slen, s, n);
	b->slen += n;
	return (uint32_t)(b->slen - n);
}

void bb_u32(struct bb *b, uint32_t v)
{
	grow((void **)&b->types, &b->tcap, b->tlen + 4);
	memcpy(b->types + b->tlen, &v, 4);
	b->tlen += 4;
}

uint32_t bb_type(struct bb *b, const char *name, unsigned kind, unsigned vlen, bool kflag,
		 uint32_t size_or_type)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, (uint32_t)kflag << 31 | kind << 24 | vlen);
	bb_u32(b, size_or_type);
	return ++b->nr;
}

uint32_t bb_int(struct bb *b, const char *name, uint32_t size, uint32_t encoding)
{
	uint32_t id = bb_type(b, name, BTF_KIND_INT, 0, false, size);
	bb_u32(b, encoding << 24 | size * 8);
	return id;
}

uint32_t bb_ptr(struct bb *b, uint32_t type)
{
	return bb_type(b, NULL, BTF_KIND_PTR, 0, false, type);
}

uint32_t bb_typedef(struct bb *b, const char *name, uint32_t type)
{
	return bb_type(b, name, BTF_KIND_TYPEDEF, 0, false, type);
}

uint32_t bb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t n)
{
	uint32_t id = bb_type(b, NULL, BTF_KIND_ARRAY, 0, false, 0);
	bb_u32(b, elem);
	bb_u32(b, index);
	bb_u32(b, n);
	return id;
}

uint32_t bb_struct(struct bb *b, const char *name, bool is_union, uint32_t size, unsigned vlen)
{
	return bb_type(b, name, is_union ? BTF_KIND_UNION : BTF_KIND_STRUCT, vlen, false, size);
}

void bb_member(struct bb *b, const char *name, uint32_t type, uint32_t bit_offset)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, type);
	bb_u32(b, bit_offset);
}

uint32_t bb_enum(struct bb *b, const char *name, uint32_t size, unsigned vlen)
{
	return bb_type(b, name, BTF_KIND_ENUM, vlen, false, size);
}

void bb_enumval(struct bb *b, const char *name, int32_t val)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, (uint32_t)val);
}

uint32_t bb_proto(struct bb *b, uint32_t ret, unsigned vlen)
{
	return bb_type(b, NULL, BTF_KIND_FUNC_PROTO, vlen, false, ret);
}

void bb_param(struct bb *b, const char *name, uint32_t type)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, type);
}

uint32_t bb_func(struct bb *b, const char *name, uint32_t proto, unsigned linkage)
{
	return bb_type(b, name, BTF_KIND_FUNC, linkage, false, proto);
}

uint32_t bb_var(struct bb *b, const char *name, uint32_t type, uint32_t linkage)
{
	uint32_t id = bb_type(b, name, BTF_KIND_VAR, 0, false, type);
	bb_u32(b, linkage);
	return id;
}

void *bb_finish(struct bb *b, size_t *size)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = (uint32_t)b->tlen,
		.str_off = (uint32_t)b->tlen, .str_len = (uint32_t)b->slen,
	};
	*size = sizeof(h) + b->tlen + b->slen;
	uint8_t *p = malloc(*size);
	if (!p)
		abort();
	memcpy(p, &h, sizeof(h));
	if (b->tlen)
		memcpy(p + sizeof(h), b->types, b->tlen);
	memcpy(p + sizeof(h) + b->tlen, b->strs, b->slen);
	return p;
}
