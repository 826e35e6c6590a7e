/* SPDX-License-Identifier: MIT */
/*
 * usdtnote.c - the USDT probes of an ELF file, from its .note.stapsdt notes
 * (what <sys/sdt.h>'s STAP_PROBE / DTRACE_PROBE macros leave in a binary).
 *
 * Each note (owner "stapsdt", type 3) describes one call site: three
 * addresses (the probe's pc, the link-time address of .stapsdt.base, the
 * semaphore or 0) and three strings (provider, name, argument specs). A
 * prelinked or otherwise moved file has .stapsdt.base at another address
 * than the note recorded: the difference is added to pc and semaphore.
 * The pc becomes a file offset (the executable PT_LOAD segment holding it),
 * as uprobes are placed by file offset; the semaphore is kept relative to
 * the pc, since a file's segments move together, so the process's address
 * of the probe also gives the semaphore's.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace.h"

#define NT_STAPSDT 3

/* The section named name, with its header, or NULL. */
static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *nm;
		if (gelf_getshdr(scn, sh) && (nm = elf_strptr(elf, shstrndx, sh->sh_name)) &&
		    !strcmp(nm, name))
			return scn;
	}
	return NULL;
}

/* Copy of the NUL-terminated string at *p within [*p, end), advancing past it. */
static char *take_str(const char **p, const char *end)
{
	const char *nul = memchr(*p, '\0', (size_t)(end - *p));
	if (!nul)
		return NULL;
	char *s = strdup(*p);
	*p = nul + 1;
	return s;
}

static int add_note(struct usdt_note **v, size_t *n, const struct usdt_note *note)
{
	struct usdt_note *nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *note;
	return 0;
}

void usdt_notes_free(struct usdt_note *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].provider);
		free(v[i].name);
		free(v[i].args);
	}
	free(v);
}

/* Every note of the open file; -ENOENT when it has none. */
static int read_notes(Elf *elf, const char *path, struct usdt_note **out, size_t *nout,
		      char *why, size_t whylen)
{
	GElf_Shdr sh, base_sh;
	Elf_Scn *scn = find_section(elf, ".note.stapsdt", &sh);
	if (!scn || sh.sh_type != SHT_NOTE) {
		snprintf(why, whylen, "%s has no USDT probes (no .note.stapsdt section)", path);
		return -ENOENT;
	}
	bool have_base = find_section(elf, ".stapsdt.base", &base_sh) != NULL;
	Elf_Data *d = elf_getdata(scn, NULL);
	struct usdt_note *v = NULL;
	size_t n = 0, off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	int err = 0;
	while (d && !err && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *owner = (const char *)d->d_buf + name_off;
		if (nh.n_type != NT_STAPSDT || nh.n_namesz != sizeof("stapsdt") ||
		    memcmp(owner, "stapsdt", sizeof("stapsdt")))
			continue;
		const char *desc = (const char *)d->d_buf + desc_off, *end = desc + nh.n_descsz;
		if (nh.n_descsz < 3 * 8) {
			snprintf(why, whylen, "%s: a .note.stapsdt note is too short (%u bytes)", path,
				 (unsigned)nh.n_descsz);
			err = -EINVAL;
			break;
		}
		uint64_t addr[3];
		memcpy(addr, desc, sizeof(addr));
		const char *p = desc + sizeof(addr);
		struct usdt_note note = { .pc = addr[0], .sema = addr[2] };
		if (have_base) { /* the file moved since the note was written */
			note.pc += base_sh.sh_addr - addr[1];
			if (note.sema)
				note.sema += base_sh.sh_addr - addr[1];
		}
		note.provider = take_str(&p, end);
		note.name = note.provider ? take_str(&p, end) : NULL;
		note.args = note.name ? take_str(&p, end) : NULL;
		if (!note.args) {
			free(note.provider);
			free(note.name);
			snprintf(why, whylen, "%s: a .note.stapsdt note has malformed strings", path);
			err = -EINVAL;
		} else if (add_note(&v, &n, &note)) {
			free(note.provider);
			free(note.name);
			free(note.args);
			snprintf(why, whylen, "%s: out of memory for USDT probes", path);
			err = -ENOMEM;
		}
	}
	if (err) {
		usdt_notes_free(v, n);
		return err;
	}
	if (!n) {
		snprintf(why, whylen, "%s has no USDT probes (.note.stapsdt is empty)", path);
		return -ENOENT;
	}
	*out = v;
	*nout = n;
	return 0;
}

int usdt_notes_read(const char *path, struct usdt_note **out, size_t *n, char *why, size_t whylen)
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
	GElf_Ehdr eh;
	int err;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		snprintf(why, whylen, "%s: not an ELF file", path);
		err = -ENOEXEC;
	} else if (eh.e_machine != EM_X86_64) {
		snprintf(why, whylen, "%s: not an x86-64 ELF file", path);
		err = -ENOEXEC;
	} else if (!(err = read_notes(elf, path, out, n, why, whylen))) {
		for (size_t i = 0; i < *n && !err; i++) {
			struct usdt_note *note = &(*out)[i];
			if (elf_vaddr_to_offset(elf, note->pc, &note->off)) {
				snprintf(why, whylen, "%s: USDT probe %s:%s at 0x%llx is not in an "
					 "executable segment", path, note->provider, note->name,
					 (unsigned long long)note->pc);
				err = -EINVAL;
			}
		}
		if (err)
			usdt_notes_free(*out, *n);
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}
