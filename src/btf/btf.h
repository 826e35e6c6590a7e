/* SPDX-License-Identifier: MIT */
/*
 * btf.h (internal) - BTF and BTF.ext, read by bpfrt itself (no libbpf).
 *
 * The loader hands over the raw bytes of an object's .BTF and .BTF.ext
 * sections; this module validates them, answers questions about types, reads
 * BTF-defined map definitions, computes CO-RE relocations against a target
 * BTF (usually the kernel's /sys/kernel/btf/vmlinux), and prints BTF the way
 * bpftool does (raw, or as C).
 *
 * Conventions: a parsed BTF is immutable except through btf_datasec_fixup(),
 * so one struct btf may be shared by threads. Functions returning int give 0
 * or a negative errno; those returning a pointer give NULL and set errno.
 * Every error is also written into the caller's struct diag (may be NULL),
 * naming what was read (e.g. "section '.BTF'") and the type id or offset.
 * Names (const char *) point into the BTF's string section and live as long
 * as the struct btf.
 *
 * Files: format.h (the binary layout), parse.c (header, strings, each type
 * alone), check.c (references, loops, layout), index.c (names), query.c,
 * datasec.c, maps.c, ext.c and lines.c (.BTF.ext), core.c and
 * core_compat.c (CO-RE), dump_raw.c, dump_c.c and dump_cdecl.c (printing).
 */
#ifndef BPFRT_BTF_H
#define BPFRT_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "btf/format.h"
#include "util/diag.h"

struct btf;
struct btf_ext;

/* ---- Parsing (parse.c, check.c) ---- */

/*
 * Parse and validate a .BTF blob (copied: data may be freed afterwards).
 * what names the input in messages ("section '.BTF'", a file name; NULL
 * means "section '.BTF'"). Validation is strict: header and section bounds,
 * every kind's layout and vlen, type ids and string offsets in range, the
 * kinds each reference may point to, loops in type chains (modifiers,
 * pointers, by-value nesting), member offsets within their struct.
 * Errors: EINVAL (corrupt, the message says what and where), E2BIG, ENOMEM.
 */
struct btf *btf_parse(const void *data, size_t size, const char *what, struct diag *d);

/*
 * Parse split BTF (a kernel module's, /sys/kernel/btf/<module>) on top of
 * base: its type ids continue after base's and its string offsets after
 * base's strings. base must outlive the result.
 */
struct btf *btf_parse_split(const void *data, size_t size, const struct btf *base,
			    const char *what, struct diag *d);

/* Read a file of raw BTF (e.g. /sys/kernel/btf/vmlinux) and parse it. */
struct btf *btf_parse_file(const char *path, const struct btf *base, struct diag *d);

void btf_free(struct btf *btf);

/* ---- Types (query.c) ---- */

/* Valid ids are 0 (void) .. btf_type_cnt() - 1, base types included. */
uint32_t btf_type_cnt(const struct btf *btf);
/* The first id this BTF defines itself: 1, or base's count for split BTF. */
uint32_t btf_start_id(const struct btf *btf);
const struct btf *btf_base(const struct btf *btf);

/* The type with this id (id 0 is a static void type), NULL if out of range. */
const struct btf_type *btf_type_by_id(const struct btf *btf, uint32_t id);
/* A string by offset, NULL if out of range. */
const char *btf_str(const struct btf *btf, uint32_t off);
/* The name of a type, "" if anonymous or out of range. */
const char *btf_name(const struct btf *btf, uint32_t id);
/* "STRUCT", "INT", ... as bpftool spells them; "UNKNOWN" otherwise. */
const char *btf_kind_str(unsigned kind);

static inline unsigned btf_kind(const struct btf_type *t) { return BTF_INFO_KIND(t->info); }
static inline unsigned btf_vlen(const struct btf_type *t) { return BTF_INFO_VLEN(t->info); }
static inline bool btf_kflag(const struct btf_type *t) { return BTF_INFO_KFLAG(t->info); }
static inline bool btf_is_composite(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION;
}
static inline bool btf_is_any_enum(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64;
}
/* const, volatile, restrict and type tags: qualifiers C code sees through. */
static inline bool btf_is_mod(const struct btf_type *t)
{
	unsigned k = btf_kind(t);
	return k == BTF_KIND_CONST || k == BTF_KIND_VOLATILE || k == BTF_KIND_RESTRICT ||
	       k == BTF_KIND_TYPE_TAG;
}

/* Kind-specific tails; only valid on a type of that kind. */
static inline uint32_t btf_int_info(const struct btf_type *t) { return *(const uint32_t *)(t + 1); }
static inline const struct btf_array *btf_array(const struct btf_type *t) { return (const void *)(t + 1); }
static inline const struct btf_member *btf_members(const struct btf_type *t) { return (const void *)(t + 1); }
static inline const struct btf_param *btf_params(const struct btf_type *t) { return (const void *)(t + 1); }
static inline const struct btf_enum *btf_enums(const struct btf_type *t) { return (const void *)(t + 1); }
static inline const struct btf_enum64 *btf_enums64(const struct btf_type *t) { return (const void *)(t + 1); }
static inline const struct btf_var *btf_var(const struct btf_type *t) { return (const void *)(t + 1); }
static inline const struct btf_var_secinfo *btf_secinfos(const struct btf_type *t) { return (const void *)(t + 1); }
static inline const struct btf_decl_tag *btf_decl_tag(const struct btf_type *t) { return (const void *)(t + 1); }
static inline uint64_t btf_enum64_value(const struct btf_enum64 *e)
{
	return (uint64_t)e->val_hi32 << 32 | e->val_lo32;
}
/* Member i's offset in bits from the start of its struct, and bitfield size (0: none). */
static inline uint32_t btf_member_bit_offset(const struct btf_type *t, unsigned i)
{
	uint32_t off = btf_members(t)[i].offset;
	return btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}
static inline uint32_t btf_member_bitfield_size(const struct btf_type *t, unsigned i)
{
	return btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(btf_members(t)[i].offset) : 0;
}

/*
 * The first type (lowest id) with this exact name and kind (kind < 0: any
 * kind). Returns the id, or -ENOENT. Uses an index built at parse time.
 */
int32_t btf_find_by_name_kind(const struct btf *btf, const char *name, int kind);

/*
 * Walk the types whose name, without a "___flavor" suffix, is name[0..len):
 * start with prev = 0, pass the previous result to continue; 0 at the end.
 * Only this BTF's own types (not a split BTF's base), in increasing id order.
 */
uint32_t btf_next_by_essential_name(const struct btf *btf, const char *name, size_t len,
				    uint32_t prev);
/* The length of name without a "___flavor" suffix (libbpf's rule: x___y). */
size_t btf_essential_name_len(const char *name);

/* Follow const/volatile/restrict/type-tag (and typedefs) to the type underneath. */
uint32_t btf_skip_mods(const struct btf *btf, uint32_t id);
uint32_t btf_skip_mods_typedefs(const struct btf *btf, uint32_t id);
/* The same, returning the type (NULL if id is out of range). */
const struct btf_type *btf_skip_mods_typedefs_t(const struct btf *btf, uint32_t id, uint32_t *res_id);

/*
 * Size in bytes of a type: through modifiers, typedefs and VARs, arrays
 * multiplied out, pointers 8. -EINVAL for void, functions and protos,
 * -E2BIG past 4 GiB or for chains deeper than 32.
 */
int64_t btf_resolve_size(const struct btf *btf, uint32_t id);
/* Alignment in bytes as C would give it (1 if the struct must be packed); 0 on error
 * (or past a step budget on hostile BTF). */
uint32_t btf_align_of(const struct btf *btf, uint32_t id);

/* ---- Members, arrays, functions (query.c) ---- */

struct btf_member_info {
	const char *name;
	uint32_t type_id;	/* the member's type, as declared */
	uint32_t bit_offset;	/* from the start of the outermost struct */
	uint32_t bitfield_size;	/* 0: not a bitfield */
	uint32_t index;		/* position in the struct holding it */
	uint32_t parent_id;	/* that struct (an anonymous one when nested) */
};

/*
 * Find a member of the struct/union id (modifiers and typedefs skipped) by
 * name, looking inside anonymous struct/union members as C does; offsets
 * are accumulated. -ENOENT if absent, -EINVAL if id is not a struct/union,
 * -E2BIG if the search exceeds its step budget (only hostile BTF does).
 */
int btf_member_by_name(const struct btf *btf, uint32_t id, const char *name,
		       struct btf_member_info *out);
/* Member index of the struct/union id itself (no recursion). */
int btf_member_by_index(const struct btf *btf, uint32_t id, uint32_t index,
			struct btf_member_info *out);

/* The array id (modifiers and typedefs skipped): element type, index type, count. */
int btf_array_info(const struct btf *btf, uint32_t id, struct btf_array *out);

/* FUNC id's FUNC_PROTO id and linkage; -EINVAL if id is not a FUNC. */
int btf_func_info(const struct btf *btf, uint32_t id, uint32_t *proto_id, unsigned *linkage);

/* ---- Data sections (datasec.c) ---- */

struct btf_var_info {
	const char *name;
	uint32_t var_id;	/* the VAR (or FUNC, in .ksyms) */
	uint32_t type_id;	/* the variable's type */
	uint32_t offset;	/* in the ELF section */
	uint32_t size;
	uint32_t linkage;	/* BTF_VAR_* (BTF_FUNC_* for a FUNC) */
};

/* The DATASEC named sec (".data", ".rodata", ".bss", ".maps", ...), or -ENOENT. */
int32_t btf_find_datasec(const struct btf *btf, const char *sec);
/* Variable idx (0 .. vlen-1) of DATASEC sec_id. */
int btf_datasec_var(const struct btf *btf, uint32_t sec_id, uint32_t idx, struct btf_var_info *out);
/* The variable named name in DATASEC sec_id, -ENOENT if absent. */
int btf_datasec_find_var(const struct btf *btf, uint32_t sec_id, const char *name,
			 struct btf_var_info *out);

/*
 * Where the ELF symbol of a variable is: its offset in the section, and
 * whether it is hidden (STV_HIDDEN/STV_INTERNAL). Returns 0 or -ENOENT.
 */
typedef int (*btf_sym_fn)(void *ctx, const char *name, uint32_t *offset, bool *hidden);

/*
 * What libbpf does before using a DATASEC: clang leaves its size and the
 * variables' offsets zero, so when the size is 0 it is set to sec_size and
 * each non-extern variable gets the offset of its ELF symbol (found through
 * sym; a global without one is an error, a static without one keeps its
 * offset, as libbpf leaves statics alone); hidden global symbols become
 * static VARs; variables are then sorted by offset. .kconfig/.ksyms are only
 * sorted. Every variable must then lie inside the section.
 */
int btf_datasec_fixup(struct btf *btf, uint32_t sec_id, uint32_t sec_size,
		      btf_sym_fn sym, void *ctx, struct diag *d);

/* ---- BTF-defined maps (maps.c) ---- */

/* Which attributes a definition gave (libbpf's MAP_DEF_*). */
enum {
	BTF_MAP_TYPE		= 1 << 0,
	BTF_MAP_KEY_TYPE	= 1 << 1,
	BTF_MAP_KEY_SIZE	= 1 << 2,
	BTF_MAP_VALUE_TYPE	= 1 << 3,
	BTF_MAP_VALUE_SIZE	= 1 << 4,
	BTF_MAP_MAX_ENTRIES	= 1 << 5,
	BTF_MAP_FLAGS		= 1 << 6,
	BTF_MAP_NUMA_NODE	= 1 << 7,
	BTF_MAP_PINNING		= 1 << 8,
	BTF_MAP_INNER		= 1 << 9,	/* values: an inner map definition */
	BTF_MAP_EXTRA		= 1 << 10,
	BTF_MAP_PROG_VALUES	= 1 << 11,	/* values: programs (prog array) */
};

#define BTF_MAP_PIN_NONE	0
#define BTF_MAP_PIN_BY_NAME	1	/* LIBBPF_PIN_BY_NAME */

struct btf_map_attrs {
	uint32_t struct_id;	/* the definition's struct */
	uint32_t parts;		/* BTF_MAP_* given */
	uint32_t map_type;	/* enum bpf_map_type */
	uint32_t key_size, value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint32_t pinning;	/* BTF_MAP_PIN_* */
	uint64_t map_extra;
	uint32_t key_type_id;	/* 0 unless given by __type(key, T) */
	uint32_t value_type_id;	/* 0 unless given by __type(value, T) */
};

struct btf_map_def {
	const char *name;	/* the variable's name */
	uint32_t var_id;
	struct btf_map_attrs map;
	struct btf_map_attrs inner;	/* if map.parts & BTF_MAP_INNER */
};

/*
 * Read the definition of the map whose VAR is var_id (a variable of the
 * .maps DATASEC), following libbpf's conventions:
 *   __uint(name, val)    int (*name)[val]      type, max_entries, map_flags,
 *                                              numa_node, key_size, value_size,
 *                                              pinning, map_extra
 *   __ulong(name, val)   enum { x = val } name map_extra (64-bit)
 *   __type(name, T)      typeof(T) *name       key, value (sizes from T)
 *   __array(values, S)   typeof(S) *values[]   map-in-map inner definition S,
 *                                              or prog array (S a function)
 * Sizes given both ways must agree; unknown members are errors. Errors
 * name the map and the member: "map 'flows': member 'key': ...".
 */
int btf_map_def_parse(const struct btf *btf, uint32_t var_id, struct btf_map_def *def,
		      struct diag *d);

/* ---- .BTF.ext (ext.c) ---- */

/* The records of one ELF section, in order; insn_off fields are in bytes. */
struct btf_ext_sec {
	const char *name;	/* the ELF section ("xdp", ".text", ...) */
	const struct btf_ext_func_info *func_info;
	uint32_t func_info_cnt;
	const struct btf_ext_line_info *line_info;
	uint32_t line_info_cnt;
	const struct btf_ext_core_relo *core_relo;
	uint32_t core_relo_cnt;
};

/*
 * Parse and validate a .BTF.ext blob against its .BTF (string offsets and
 * type ids must be valid there; func_info must name FUNCs, CO-RE records a
 * known kind; instruction offsets multiples of 8, line_info sorted).
 * Records larger than known (a newer format) are accepted and truncated.
 * btf must outlive the result (names point into its strings).
 */
struct btf_ext *btf_ext_parse(const void *data, size_t size, const struct btf *btf,
			      struct diag *d);
void btf_ext_free(struct btf_ext *ext);

uint32_t btf_ext_sec_cnt(const struct btf_ext *ext);
const struct btf_ext_sec *btf_ext_sec_by_idx(const struct btf_ext *ext, uint32_t idx);
const struct btf_ext_sec *btf_ext_sec_by_name(const struct btf_ext *ext, const char *name);

/* A source position: file as clang recorded it, the line's text, line and column. */
struct btf_line {
	const char *file;
	const char *text;
	uint32_t line, col;
};

/*
 * The source line of instruction insn_idx of ELF section sec: the last
 * line_info record at or before it. -ENOENT if the section has none.
 */
int btf_ext_line_lookup(const struct btf_ext *ext, const char *sec, size_t insn_idx,
			struct btf_line *out);

/* "prog.bpf.c:42: return *val;" (file's base name, text trimmed). */
int btf_line_format(const struct btf_line *l, char *buf, size_t len);

/* ---- CO-RE (core.c, core_match.c) ---- */

/* Relocation kinds (enum bpf_core_relo_kind). */
enum btf_core_kind {
	BTF_CORE_FIELD_BYTE_OFFSET = 0,
	BTF_CORE_FIELD_BYTE_SIZE = 1,
	BTF_CORE_FIELD_EXISTS = 2,
	BTF_CORE_FIELD_SIGNED = 3,
	BTF_CORE_FIELD_LSHIFT_U64 = 4,
	BTF_CORE_FIELD_RSHIFT_U64 = 5,
	BTF_CORE_TYPE_ID_LOCAL = 6,
	BTF_CORE_TYPE_ID_TARGET = 7,
	BTF_CORE_TYPE_EXISTS = 8,
	BTF_CORE_TYPE_SIZE = 9,
	BTF_CORE_ENUMVAL_EXISTS = 10,
	BTF_CORE_ENUMVAL_VALUE = 11,
	BTF_CORE_TYPE_MATCHES = 12,
	BTF_CORE_KIND_MAX = 12,
};

/* "byte_off", "field_exists", ... as libbpf names them; "unknown" otherwise. */
const char *btf_core_kind_str(unsigned kind);

/* What a relocation resolves to (libbpf's struct bpf_core_relo_res). */
struct btf_core_res {
	uint64_t orig_val;	/* the value per the local BTF: what clang put in the insn */
	uint64_t new_val;	/* the value for the target */
	/* FIELD_BYTE_OFFSET of a non-bitfield: the field's size locally and in
	 * the target, and its type ids, so the loader can resize the access */
	uint32_t orig_sz, new_sz;
	uint32_t orig_type_id, new_type_id;
	uint32_t targ_id;	/* the matching target root type; 0 if none */
	bool poison;		/* nothing matched: the insn must fail if reached */
	bool validate;		/* the insn should hold orig_val (not for bitfields) */
	bool fail_memsz_adjust;	/* sizes differ and resizing would change the value */
	char spec[160];		/* the local access, "struct task_struct.pid (0:12 @ offset 4)" */
};

/*
 * Compute one CO-RE relocation like libbpf: kind applied to local type
 * type_id through access ("0:1:2": first index into the type as an array,
 * then member or element indices), matched against every target type with
 * the same essential name (ignoring "___flavor") and a compatible kind;
 * members are matched by name, recursing through anonymous structs/unions.
 * All matching candidates must agree. targ may be NULL (nothing matches).
 * Errors: EINVAL for a malformed access string or relocation, ambiguity
 * between candidates, or a field that cannot be reached; EOPNOTSUPP for
 * anonymous root types and unknown kinds. The message names the type id,
 * the access string and the kind.
 */
int btf_core_calc(const struct btf *local, uint32_t type_id, const char *access,
		  enum btf_core_kind kind, const struct btf *targ, struct btf_core_res *res,
		  struct diag *d);

/* The same, from a .BTF.ext record (its access string is in local's strings). */
int btf_core_calc_relo(const struct btf *local, const struct btf_ext_core_relo *relo,
		       const struct btf *targ, struct btf_core_res *res, struct diag *d);

/*
 * libbpf's compatibility relations between a local and a target type
 * (1: yes, 0: no, <0: error): types_are_compat for TYPE_EXISTS/TYPE_SIZE,
 * types_match (stricter, TYPE_MATCHES), fields_are_compat for members.
 */
int btf_core_types_are_compat(const struct btf *local, uint32_t local_id,
			      const struct btf *targ, uint32_t targ_id);
int btf_core_types_match(const struct btf *local, uint32_t local_id,
			 const struct btf *targ, uint32_t targ_id);
int btf_core_fields_are_compat(const struct btf *local, uint32_t local_id,
			       const struct btf *targ, uint32_t targ_id);

/* ---- Printing (dump_raw.c, dump_c.c) ---- */

/*
 * bpftool's default format ("btf dump file X"): one "[id] KIND 'name' ..."
 * line per type, members and values on tab-indented lines below. All of
 * this BTF's own types; btf_dump_raw_type() prints one.
 */
int btf_dump_raw(const struct btf *btf, FILE *out);
int btf_dump_raw_type(const struct btf *btf, uint32_t id, FILE *out);

enum {
	BTF_DUMP_C_FUNCS = 1 << 0,	/* also declare every FUNC, after the types */
};

/*
 * bpftool's "format c": the types as a compilable C header (vmlinux.h
 * style), definitions in dependency order, forward declarations where a
 * pointer cycle needs one, names that collide suffixed "___2" as libbpf does.
 * Fails (ELOOP) on a cycle C cannot express, naming the type.
 */
int btf_dump_c(const struct btf *btf, FILE *out, unsigned flags, struct diag *d);

#endif
