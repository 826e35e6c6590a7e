/* SPDX-License-Identifier: MIT */
/*
 * elf.c - reading an eBPF ELF object with elfutils' libelf.
 *
 * Everything read from the file is checked before use: the header (64-bit,
 * little-endian, relocatable, machine EM_BPF), each section's extent, symbol
 * section indexes and name offsets, relocation entries' symbols and offsets.
 * A corrupt or truncated object gets an error naming the section or symbol,
 * never a read out of bounds.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include "object.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

const struct obj_sec *obj_sec_by_idx(const struct bpfrt_object *obj, unsigned idx)
{
	for (size_t i = 0; i < obj->nsecs; i++)
		if (obj->secs[i].idx == idx)
			return &obj->secs[i];
	return NULL;
}

static enum sec_kind classify(const char *name, const GElf_Shdr *sh)
{
	if (sh->sh_type == SHT_SYMTAB)
		return SK_SYMTAB;
	if (sh->sh_type == SHT_REL)
		return SK_REL;
	if (!strcmp(name, "license"))
		return SK_LICENSE;
	if (!strcmp(name, "version"))
		return SK_VERSION;
	if (!strcmp(name, ".BTF"))
		return SK_BTF;
	if (!strcmp(name, ".BTF.ext"))
		return SK_BTF_EXT;
	if (!strcmp(name, ".maps"))
		return SK_MAPS;
	if (!strcmp(name, "maps"))
		return SK_LEGACY_MAPS;
	if (!strcmp(name, ".kconfig"))
		return SK_KCONFIG;
	if ((sh->sh_flags & SHF_EXECINSTR) && sh->sh_type == SHT_PROGBITS)
		return SK_PROG;
	if (!strcmp(name, ".data") || !strncmp(name, ".data.", 6))
		return SK_DATA;
	if (!strcmp(name, ".rodata") || !strncmp(name, ".rodata.", 8))
		return SK_RODATA;
	if (!strcmp(name, ".bss") || !strncmp(name, ".bss.", 5))
		return SK_BSS;
	return SK_OTHER;
}

static int read_symbols(struct bpfrt_object *obj, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || !sh->sh_entsize || sh->sh_entsize != sizeof(Elf64_Sym) || d->d_size % sh->sh_entsize)
		return obj_fail(obj, -EINVAL, "symbol table is malformed");
	size_t n = d->d_size / sh->sh_entsize;
	obj->syms = calloc(n ? n : 1, sizeof(*obj->syms));
	if (!obj->syms)
		return obj_fail(obj, -ENOMEM, "out of memory");
	obj->nsyms = n;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s))
			return obj_fail(obj, -EINVAL, "symbol %zu cannot be read", i);
		const char *name = elf_strptr(elf, sh->sh_link, s.st_name);
		if (!name)
			return obj_fail(obj, -EINVAL, "symbol %zu has a name outside the string table", i);
		struct obj_sym *o = &obj->syms[i];
		o->name = strdup(name);
		if (!o->name)
			return obj_fail(obj, -ENOMEM, "out of memory");
		o->shndx = s.st_shndx;
		o->value = s.st_value;
		o->size = s.st_size;
		o->type = GELF_ST_TYPE(s.st_info);
		o->bind = GELF_ST_BIND(s.st_info);
	}
	return 0;
}

int elf_read(struct bpfrt_object *obj)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return obj_fail(obj, -ENOTSUP, "libelf is unusable: %s", elf_errmsg(-1));
	Elf *elf = elf_memory((char *)obj->buf, obj->size);
	obj->elf = elf; /* freed with the object, also when it is not ELF */
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		return obj_fail(obj, -EINVAL, "not an ELF file");
	GElf_Ehdr eh;
	if (!gelf_getehdr(elf, &eh))
		return obj_fail(obj, -EINVAL, "truncated ELF header");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return obj_fail(obj, -EINVAL, "not a 64-bit little-endian ELF file (clang -target bpf "
				"on x86 makes one; bpfeb objects are big-endian)");
	if (eh.e_machine != EM_BPF)
		return obj_fail(obj, -EINVAL, "ELF machine is %u, not BPF (%u): compile with clang "
				"-target bpf", eh.e_machine, EM_BPF);
	if (eh.e_type != ET_REL)
		return obj_fail(obj, -EINVAL, "not a relocatable object (ELF type %u)", eh.e_type);
	size_t shstrndx, nscn;
	if (elf_getshdrstrndx(elf, &shstrndx) || elf_getshdrnum(elf, &nscn))
		return obj_fail(obj, -EINVAL, "section headers are missing or corrupt");
	obj->secs = calloc(nscn ? nscn : 1, sizeof(*obj->secs));
	if (!obj->secs)
		return obj_fail(obj, -ENOMEM, "out of memory");

	bool have_symtab = false;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		size_t idx = elf_ndxscn(scn);
		if (!gelf_getshdr(scn, &sh))
			return obj_fail(obj, -EINVAL, "section %zu: header unreadable", idx);
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			return obj_fail(obj, -EINVAL, "section %zu: name outside the string table", idx);
		if (sh.sh_type != SHT_NOBITS && sh.sh_size > obj->size)
			return obj_fail(obj, -EINVAL, "section '%s': size %llu exceeds the file", name,
					(unsigned long long)sh.sh_size);
		struct obj_sec *s = &obj->secs[obj->nsecs++];
		s->name = strdup(name);
		if (!s->name)
			return obj_fail(obj, -ENOMEM, "out of memory");
		s->idx = (unsigned)idx;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->kind = classify(name, &sh);
		s->size = sh.sh_size;
		s->map_idx = -1;
		if (s->kind == SK_REL)
			s->rel_for = sh.sh_info;
		if (sh.sh_type != SHT_NOBITS && sh.sh_size) {
			Elf_Data *d = elf_getdata(scn, NULL);
			if (!d || !d->d_buf || d->d_size != sh.sh_size)
				return obj_fail(obj, -EINVAL, "section '%s': data unreadable or truncated", name);
			s->data = d->d_buf;
		}
		if (s->kind == SK_PROG && s->size % 8)
			return obj_fail(obj, -EINVAL, "section '%s': size %zu is not a whole number of "
					"instructions", name, s->size);
		if (s->kind == SK_SYMTAB) {
			if (have_symtab)
				return obj_fail(obj, -EINVAL, "more than one symbol table");
			have_symtab = true;
			int err = read_symbols(obj, elf, scn, &sh);
			if (err)
				return err;
		}
	}
	if (!have_symtab)
		return obj_fail(obj, -EINVAL, "no symbol table (was the object stripped?)");

	/* Symbols must point at sections that exist, inside them. */
	for (size_t i = 1; i < obj->nsyms; i++) {
		const struct obj_sym *y = &obj->syms[i];
		if (y->shndx == SHN_UNDEF || y->shndx >= SHN_LORESERVE || y->type == STT_FILE)
			continue;
		const struct obj_sec *s = obj_sec_by_idx(obj, y->shndx);
		if (!s)
			return obj_fail(obj, -EINVAL, "symbol '%s' is in section %u, which does not exist",
					y->name, y->shndx);
		if (y->type != STT_SECTION && (y->value > s->size || y->size > s->size - y->value))
			return obj_fail(obj, -EINVAL, "symbol '%s' (offset %llu, size %llu) lies outside "
					"section '%s' (%zu bytes)", y->name, (unsigned long long)y->value,
					(unsigned long long)y->size, s->name, s->size);
	}

	for (size_t i = 0; i < obj->nsecs; i++) {
		const struct obj_sec *s = &obj->secs[i];
		if (s->kind == SK_LICENSE && s->data) {
			size_t n = s->size < sizeof(obj->license) - 1 ? s->size : sizeof(obj->license) - 1;
			memcpy(obj->license, s->data, n);
			obj->license[n] = '\0';
		} else if (s->kind == SK_VERSION) {
			if (s->size != 4 || !s->data)
				return obj_fail(obj, -EINVAL, "section 'version' must hold one u32");
			memcpy(&obj->kversion, s->data, 4);
		} else if (s->kind == SK_BTF) {
			obj->btf = s;
		} else if (s->kind == SK_BTF_EXT) {
			obj->btf_ext = s;
		}
	}
	return 0;
}

void elf_release(struct bpfrt_object *obj)
{
	if (obj->elf)
		elf_end(obj->elf);
	obj->elf = NULL;
}

int elf_relocs(const struct bpfrt_object *obj, unsigned idx, struct obj_rel **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < obj->nsecs; i++) {
		const struct obj_sec *r = &obj->secs[i];
		if (r->kind != SK_REL || r->rel_for != idx)
			continue;
		const struct obj_sec *target = obj_sec_by_idx(obj, idx);
		if (r->size % sizeof(Elf64_Rel) || (!r->data && r->size))
			return obj_fail(obj, -EINVAL, "relocation section '%s' is malformed", r->name);
		size_t cnt = r->size / sizeof(Elf64_Rel);
		struct obj_rel *v = realloc(*out, (*n + cnt + 1) * sizeof(*v));
		if (!v)
			return obj_fail(obj, -ENOMEM, "out of memory");
		*out = v;
		for (size_t k = 0; k < cnt; k++) {
			Elf64_Rel rel;
			memcpy(&rel, r->data + k * sizeof(rel), sizeof(rel));
			uint32_t sym = (uint32_t)ELF64_R_SYM(rel.r_info);
			if (sym >= obj->nsyms)
				return obj_fail(obj, -EINVAL, "section '%s': relocation %zu names symbol %u, "
						"beyond the symbol table", r->name, k, sym);
			if (!target || rel.r_offset > target->size || target->size - rel.r_offset < 8)
				return obj_fail(obj, -EINVAL, "section '%s': relocation %zu at offset %llu "
						"lies outside its section", r->name, k,
						(unsigned long long)rel.r_offset);
			v[(*n)++] = (struct obj_rel){ rel.r_offset, sym, (uint32_t)ELF64_R_TYPE(rel.r_info) };
		}
	}
	return 0;
}
