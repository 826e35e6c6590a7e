/* SPDX-License-Identifier: MIT */
/*
 * elfsym.c - where a function of an executable or shared library lies in its
 * file, as a uprobe needs it.
 *
 * A probe is placed by file offset rather than by address: the same offset
 * is found in any process that maps the file, wherever a PIE executable or a
 * library was loaded (procmaps.c turns it into an address). The symbol's
 * value is a virtual address of the file's own layout; the PT_LOAD segment
 * containing it gives the file offset (value - p_vaddr + p_offset).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace.h"

/* Search .symtab, then .dynsym, for a defined function (or any symbol) named name. */
static int find_symbol(Elf *elf, const char *name, uint64_t *value)
{
	int best = -ENOENT;
	Elf_Scn *scn = NULL;
	for (int pass = 0; pass < 2; pass++) {
		Elf64_Word want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want || !sh.sh_entsize)
				continue;
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t n = d ? sh.sh_size / sh.sh_entsize : 0;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym s;
				if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF || !s.st_value)
					continue;
				const char *nm = elf_strptr(elf, sh.sh_link, s.st_name);
				if (!nm || strcmp(nm, name))
					continue;
				*value = s.st_value;
				if (GELF_ST_TYPE(s.st_info) == STT_FUNC || GELF_ST_TYPE(s.st_info) == STT_GNU_IFUNC)
					return 0;
				best = 0; /* not a function: keep looking for one */
			}
		}
		if (best == 0)
			return 0;
	}
	return best;
}

int elf_vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ERANGE;
}

int elf_func_offset(const char *path, const char *func, uint64_t *off, char *why, size_t whylen)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(why, whylen, "libelf: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(why, whylen, "%s: %s", path, strerror(e));
		return -e;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	int err;
	uint64_t value = 0;
	GElf_Ehdr eh;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		snprintf(why, whylen, "%s: not an ELF file", path);
		err = -ENOEXEC;
	} else if (eh.e_machine != EM_X86_64) {
		snprintf(why, whylen, "%s: not an x86-64 ELF file", path);
		err = -ENOEXEC;
	} else if ((err = find_symbol(elf, func, &value))) {
		snprintf(why, whylen, "%s: no symbol '%s'", path, func);
	} else if ((err = elf_vaddr_to_offset(elf, value, off))) {
		snprintf(why, whylen, "%s: symbol '%s' (0x%llx) is not in an executable segment",
			 path, func, (unsigned long long)value);
	}
	elf_end(elf);
	close(fd);
	return err;
}

/* The first directory of the colon-separated list dirs holding a readable name, as a real path. */
static int find_in_dirs(const char *dirs, const char *name, int mode, char *out)
{
	char cand[PATH_MAX];
	while (dirs && *dirs) {
		size_t n = strcspn(dirs, ":");
		if (n) { /* an empty entry is the current directory for ld.so: not taken here */
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, dirs, name);
			if (!access(cand, mode) && realpath(cand, out))
				return 0;
		}
		dirs += n + (dirs[n] == ':');
	}
	return -ENOENT;
}

/*
 * A file name without '/' is looked up as the dynamic linker and a shell
 * would; a library's name (libfoo.so, libfoo.so.1) first in
 * LD_LIBRARY_PATH, as libbpf resolves uprobe targets, so a library the
 * traced program finds there is the one probed.
 */
int elf_find_file(const char *name, char *out, size_t outlen)
{
	if (strchr(name, '/')) {
		if (!realpath(name, out) || strlen(out) >= outlen)
			return -errno ?: -ENAMETOOLONG;
		return 0;
	}
	size_t len = strlen(name);
	bool library = strstr(name, ".so.") || (len > 3 && !strcmp(name + len - 3, ".so"));
	if (library && outlen >= PATH_MAX && !find_in_dirs(getenv("LD_LIBRARY_PATH"), name, R_OK, out))
		return 0;
	static const char *const libdirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					       "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
	char cand[PATH_MAX];
	for (size_t i = 0; i < sizeof(libdirs) / sizeof(libdirs[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/%s", libdirs[i], name);
		if (!access(cand, R_OK) && realpath(cand, out))
			return 0;
	}
	const char *path = getenv("PATH");
	while (path && *path) {
		size_t n = strcspn(path, ":");
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, path, name);
		if (!access(cand, X_OK) && realpath(cand, out))
			return 0;
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

int elf_has_interp(const char *path)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t n = 0;
	int found = 0;
	if (elf && !elf_getphdrnum(elf, &n)) {
		for (size_t i = 0; i < n && !found; i++) {
			GElf_Phdr ph;
			found = gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}
