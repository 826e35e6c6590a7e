/* SPDX-License-Identifier: MIT */
/*
 * format.h - the binary layout of .BTF and .BTF.ext, as the kernel defines it
 * (include/uapi/linux/btf.h, and libbpf for .BTF.ext).
 *
 * The names and layout are the kernel's, so that code reads as anyone who
 * knows BTF expects; bpfrt carries its own copy to build without kernel
 * headers. Do not include <linux/btf.h> in the same file. The .BTF.ext record
 * structs are renamed (btf_ext_*) because <linux/bpf.h> defines bpf_func_info,
 * bpf_line_info and bpf_core_relo.
 */
#ifndef BPFRT_BTF_FORMAT_H
#define BPFRT_BTF_FORMAT_H

#include <stdint.h>

#define BTF_MAGIC	0xeB9F
#define BTF_VERSION	1

struct btf_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	/* offsets are relative to the end of the header */
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

/* Limits of the format: 20-bit type ids, 24-bit string offsets, 16-bit vlen. */
#define BTF_MAX_TYPE		0x000fffff
#define BTF_MAX_NAME_OFFSET	0x00ffffff
#define BTF_MAX_VLEN		0xffff

/* Every type starts with this; a kind-specific tail may follow. */
struct btf_type {
	uint32_t name_off;
	/* bits 0-15: vlen, 24-28: kind, 31: kind_flag */
	uint32_t info;
	union {
		uint32_t size;	/* INT, ENUM, STRUCT, UNION, DATASEC, FLOAT, ENUM64 */
		uint32_t type;	/* PTR, TYPEDEF, modifiers, FUNC, FUNC_PROTO, VAR, tags */
	};
};

#define BTF_INFO_KIND(info)	(((info) >> 24) & 0x1f)
#define BTF_INFO_VLEN(info)	((info) & 0xffff)
#define BTF_INFO_KFLAG(info)	((info) >> 31)

enum {
	BTF_KIND_UNKN		= 0,	/* void (type id 0 only) */
	BTF_KIND_INT		= 1,
	BTF_KIND_PTR		= 2,
	BTF_KIND_ARRAY		= 3,
	BTF_KIND_STRUCT		= 4,
	BTF_KIND_UNION		= 5,
	BTF_KIND_ENUM		= 6,	/* up to 32-bit values */
	BTF_KIND_FWD		= 7,
	BTF_KIND_TYPEDEF	= 8,
	BTF_KIND_VOLATILE	= 9,
	BTF_KIND_CONST		= 10,
	BTF_KIND_RESTRICT	= 11,
	BTF_KIND_FUNC		= 12,
	BTF_KIND_FUNC_PROTO	= 13,
	BTF_KIND_VAR		= 14,
	BTF_KIND_DATASEC	= 15,
	BTF_KIND_FLOAT		= 16,
	BTF_KIND_DECL_TAG	= 17,
	BTF_KIND_TYPE_TAG	= 18,
	BTF_KIND_ENUM64		= 19,	/* up to 64-bit values */
	NR_BTF_KINDS,
	BTF_KIND_MAX		= NR_BTF_KINDS - 1,
};

/* INT is followed by a u32: encoding, bit offset and bit count. */
#define BTF_INT_ENCODING(v)	(((v) & 0x0f000000) >> 24)
#define BTF_INT_OFFSET(v)	(((v) & 0x00ff0000) >> 16)
#define BTF_INT_BITS(v)		((v) & 0x000000ff)
#define BTF_INT_SIGNED	(1 << 0)
#define BTF_INT_CHAR	(1 << 1)
#define BTF_INT_BOOL	(1 << 2)

/* ENUM is followed by vlen of these. */
struct btf_enum {
	uint32_t name_off;
	int32_t val;
};

/* ARRAY is followed by one of these. */
struct btf_array {
	uint32_t type;
	uint32_t index_type;
	uint32_t nelems;
};

/*
 * STRUCT and UNION are followed by vlen members. With kind_flag set, offset
 * holds the bitfield size in bits 24-31 and the bit offset in bits 0-23;
 * without it, offset is the bit offset alone.
 */
struct btf_member {
	uint32_t name_off;
	uint32_t type;
	uint32_t offset;
};
#define BTF_MEMBER_BITFIELD_SIZE(v)	((v) >> 24)
#define BTF_MEMBER_BIT_OFFSET(v)	((v) & 0xffffff)

/* FUNC's vlen is its linkage. */
enum btf_func_linkage {
	BTF_FUNC_STATIC = 0,
	BTF_FUNC_GLOBAL = 1,
	BTF_FUNC_EXTERN = 2,
};

/* FUNC_PROTO is followed by vlen parameters; a last one of type 0 is "...". */
struct btf_param {
	uint32_t name_off;
	uint32_t type;
};

enum {
	BTF_VAR_STATIC = 0,
	BTF_VAR_GLOBAL_ALLOCATED = 1,
	BTF_VAR_GLOBAL_EXTERN = 2,
};

/* VAR is followed by one of these. */
struct btf_var {
	uint32_t linkage;
};

/* DATASEC is followed by vlen of these: where each variable lives. */
struct btf_var_secinfo {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
};

/* DECL_TAG is followed by this: -1 tags the type itself, else member/param i. */
struct btf_decl_tag {
	int32_t component_idx;
};

/* ENUM64 is followed by vlen of these. */
struct btf_enum64 {
	uint32_t name_off;
	uint32_t val_lo32;
	uint32_t val_hi32;
};

/*
 * .BTF.ext: a header, then up to three info blocks (func_info, line_info,
 * CO-RE relocations). Each block is a u32 record size followed by per-section
 * groups: { u32 sec_name_off; u32 num_info; records[num_info] }.
 */
struct btf_ext_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	/* offsets are relative to the end of the header */
	uint32_t func_info_off;
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	/* optional: absent when hdr_len is 24 */
	uint32_t core_relo_off;
	uint32_t core_relo_len;
};

struct btf_ext_info_sec {
	uint32_t sec_name_off;
	uint32_t num_info;
};

/* Records; insn_off is in bytes from the start of the ELF section. */
struct btf_ext_func_info {
	uint32_t insn_off;
	uint32_t type_id;	/* a FUNC */
};

struct btf_ext_line_info {
	uint32_t insn_off;
	uint32_t file_name_off;
	uint32_t line_off;	/* the source line's text */
	uint32_t line_col;	/* line << 10 | column */
};
#define BTF_LINE_NUM(lc)	((lc) >> 10)
#define BTF_LINE_COL(lc)	((lc) & 0x3ff)

struct btf_ext_core_relo {
	uint32_t insn_off;
	uint32_t type_id;	/* the root type of the access */
	uint32_t access_str_off;	/* "0:1:2": accessor indices */
	uint32_t kind;		/* enum btf_core_kind */
};

#endif
