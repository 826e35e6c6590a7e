/* SPDX-License-Identifier: MIT */
/*
 * object.h (internal) - an ELF object as the loader sees it, from open to load.
 *
 * open:  elf.c reads sections and symbols; progs.c finds the programs;
 *        mapdefs.c reads map definitions (BTF .maps, legacy maps, global data).
 * load:  object.c creates the maps; link.c gathers each program's code with
 *        the subprograms it calls and applies relocations; then each program
 *        is loaded into the runtime.
 */
#ifndef BPFRT_LOADER_OBJECT_H
#define BPFRT_LOADER_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpfrt/object.h"
#include "runtime/runtime.h"

enum sec_kind {
	SK_OTHER,   /* ignored: debug info, BTF relocations... */
	SK_PROG,    /* executable: programs and subprograms */
	SK_DATA,    /* .data, .data.* */
	SK_RODATA,  /* .rodata, .rodata.* (string literals too) */
	SK_BSS,     /* .bss, .bss.* */
	SK_MAPS,    /* .maps: BTF-defined maps */
	SK_LEGACY_MAPS, /* maps: struct bpf_map_def array */
	SK_LICENSE,
	SK_VERSION,
	SK_BTF,
	SK_BTF_EXT,
	SK_REL,     /* relocations for another section */
	SK_SYMTAB,
	SK_KCONFIG,
};

struct btf;
struct btf_ext;

struct obj_sec {
	char *name;
	unsigned idx;          /* ELF section index */
	enum sec_kind kind;
	uint32_t type;         /* SHT_* */
	uint64_t flags;
	const uint8_t *data;   /* NULL for SHT_NOBITS */
	size_t size;
	unsigned rel_for;      /* SK_REL: index of the section relocated */
	int map_idx;           /* data sections: the map holding them, -1 if none */
};

struct obj_sym {
	char *name;
	unsigned shndx;
	uint64_t value, size;
	uint8_t type, bind;    /* STT_*, STB_* */
};

struct obj_rel {
	uint64_t offset;       /* byte offset in the relocated section */
	uint32_t sym;          /* symbol index */
	uint32_t type;         /* R_BPF_* */
};

struct obj_mapdef {
	char *name;
	enum bpfrt_map_type type;
	uint32_t key_size, value_size, max_entries, map_flags;
	uint64_t map_extra;
	uint32_t pinning;      /* 1: LIBBPF_PIN_BY_NAME */
	int inner;             /* map-in-map: index of the inner definition, or -1 */
	bool is_inner;         /* a template only, not created on its own */
	unsigned sec_idx;      /* section of the definition or data */
	uint64_t sec_off;      /* offset of the definition in it */
	const void *init;      /* data sections: initial contents */
	size_t init_size;
	struct bpfrt_map *map; /* once created */
};

/* An `extern ... __kconfig` variable (kconfig.c): its place in the .kconfig map. */
struct obj_kconfig {
	const char *name;      /* in the object's BTF */
	uint32_t off, size;
	int type;              /* kconfig.c's enum kcfg_type */
	bool is_signed, weak, found;
};

struct bpfrt_program {
	struct bpfrt_object *obj;
	char *name;
	char *sec_name;
	unsigned sec_idx;
	size_t sec_off, len;   /* in instructions, within the section */
	enum bpfrt_prog_type type;
	const char *attach;    /* points into sec_name */
	struct bpfrt_insn *insns;
	size_t cnt;
	struct bpfrt_prog *prog;
	/* Where each linked function came from, for source lines (link.c). */
	struct prog_origin *origins;
	size_t norigins;
};

/* Instructions [at, at + len) of a linked program are [off, off + len) of section sec. */
struct prog_origin {
	const char *sec; /* points into the object's section names */
	size_t off, len, at;
};

struct bpfrt_object {
	struct bpfrt_runtime *rt;
	char *name;
	uint8_t *buf;          /* our copy of the file */
	size_t size;
	void *elf;             /* Elf * */
	struct obj_sec *secs;
	size_t nsecs;
	struct obj_sym *syms;
	size_t nsyms;
	struct bpfrt_program *progs;
	size_t nprogs;
	struct obj_mapdef *maps;
	size_t nmaps;
	char license[128];
	uint32_t kversion;
	const struct obj_sec *btf, *btf_ext;
	struct btf *btf_types;         /* parsed .BTF, NULL without (or if corrupt) */
	struct btf_ext *btf_ext_info;  /* parsed .BTF.ext */
	struct btf *core_target;       /* the kernel's BTF, for CO-RE */
	bool core_target_tried;
	char btf_error[DIAG_MAX];      /* why .BTF could not be used */
	struct init_slot *slots;       /* initial values of map-in-map and prog arrays */
	size_t nslots;
	char *pin_root;
	bool pin_all_maps; /* every map pinned by name (open option) */
	/* .kconfig externs, their values, and the map holding them (index + 1, 0: none) */
	struct obj_kconfig *kcfg;
	size_t nkcfg;
	uint8_t *kcfg_data;
	uint32_t kcfg_size;
	int kcfg_map;
	char *kconfig_text;    /* the open option kconfig, or NULL: the running kernel's */
	bool loaded;
};

/* `.values = { [i] = &x }` in a .maps definition: slot i of map outer holds x. */
struct init_slot {
	size_t outer;   /* index in maps */
	uint32_t slot;
	int map;        /* index in maps, or -1 */
	int prog;       /* index in progs, or -1 */
};

/* Every error: "object 'x.o': <what>" through the runtime. */
__attribute__((format(printf, 3, 4)))
int obj_fail(const struct bpfrt_object *obj, int err, const char *fmt, ...);

/*
 * .kconfig externs: kconfig_read() (at open, from mapdefs_read) lays them out
 * and computes their values into a .kconfig map definition; kconfig_reloc()
 * points the lddw of extern name there, or returns -ENOENT if it is none.
 */
int kconfig_read(struct bpfrt_object *obj);
int kconfig_reloc(struct bpfrt_object *obj, const char *name, struct bpfrt_insn *in);

int elf_read(struct bpfrt_object *obj);
void elf_release(struct bpfrt_object *obj);
/* The relocations of section idx (NULL/0 when none); caller frees. */
int elf_relocs(const struct bpfrt_object *obj, unsigned idx, struct obj_rel **out, size_t *n);
const struct obj_sec *obj_sec_by_idx(const struct bpfrt_object *obj, unsigned idx);

/* Program type and attach target of a SEC() name; false if not a program section. */
bool sec_prog_type(const char *sec, enum bpfrt_prog_type *type, const char **attach);

int progs_find(struct bpfrt_object *obj);
/* Parse .BTF and .BTF.ext if present (a failure is kept, not fatal, until needed). */
int btf_load(struct bpfrt_object *obj);
/* Fill the initial slots of map-in-map and prog array maps (after create / load). */
int init_slots_apply(struct bpfrt_object *obj, bool progs);
int mapdefs_read(struct bpfrt_object *obj);
/*
 * Apply the CO-RE relocations of section sec to its instructions
 * [start, start + len), copied at code.
 */
int core_relocate(struct bpfrt_object *obj, const char *prog, const char *sec, size_t start,
		  size_t len, struct bpfrt_insn *code);

/* Link subprograms and apply relocations for p into p->insns. */
int link_program(struct bpfrt_object *obj, struct bpfrt_program *p);

#endif
