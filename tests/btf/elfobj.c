/* SPDX-License-Identifier: MIT */
/*
 * elfobj.c - test support: reading sections and symbols with libelf.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfobj.h"

struct elfobj {
	int fd;
	Elf *elf;
	size_t shstrndx;
};

struct elfobj *elfobj_open(const char *path)
{
	struct elfobj *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	elf_version(EV_CURRENT);
	o->fd = open(path, O_RDONLY);
	if (o->fd < 0) {
		perror(path);
		free(o);
		return NULL;
	}
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF || elf_getshdrstrndx(o->elf, &o->shstrndx)) {
		fprintf(stderr, "%s: not an ELF object: %s\n", path, elf_errmsg(-1));
		elfobj_close(o);
		return NULL;
	}
	return o;
}

struct elfobj *elfobj_open_quiet(const char *path)
{
	char magic[4] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n = fread(magic, 1, 4, f);
	fclose(f);
	return n == 4 && !memcmp(magic, "\177ELF", 4) ? elfobj_open(path) : NULL;
}

void elfobj_close(struct elfobj *o)
{
	if (!o)
		return;
	if (o->elf)
		elf_end(o->elf);
	close(o->fd);
	free(o);
}

static Elf_Scn *find(struct elfobj *o, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(o->elf, scn))) {
		const char *n = gelf_getshdr(scn, &sh) ? elf_strptr(o->elf, o->shstrndx, sh.sh_name) : NULL;
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

void *elfobj_section(struct elfobj *o, const char *name, size_t *size)
{
	Elf_Scn *scn = find(o, name);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data)
		return NULL;
	void *p = malloc(data->d_size ? data->d_size : 1);
	if (p && data->d_buf)
		memcpy(p, data->d_buf, data->d_size);
	*size = data->d_size;
	return p;
}

long elfobj_section_size(struct elfobj *o, const char *name)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find(o, name);
	return scn && gelf_getshdr(scn, &sh) ? (long)sh.sh_size : -1;
}

int elfobj_symbol(struct elfobj *o, const char *name, uint32_t *value, bool *hidden)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(o->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (size_t i = 0; data && i < n; i++) {
			GElf_Sym sym;
			const char *s = gelf_getsym(data, (int)i, &sym) ?
					elf_strptr(o->elf, sh.sh_link, sym.st_name) : NULL;
			if (!s || strcmp(s, name) || GELF_ST_TYPE(sym.st_info) == STT_SECTION)
				continue;
			*value = (uint32_t)sym.st_value;
			*hidden = GELF_ST_VISIBILITY(sym.st_other) == STV_HIDDEN ||
				  GELF_ST_VISIBILITY(sym.st_other) == STV_INTERNAL;
			return 0;
		}
	}
	return -1;
}

void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		char *p = realloc(buf, cap * 2);
		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		cap *= 2;
	}
	fclose(f);
	*size = len;
	return buf;
}
