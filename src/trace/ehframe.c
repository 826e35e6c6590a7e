/* SPDX-License-Identifier: MIT */
/*
 * ehframe.c - function bounds from .eh_frame_hdr.
 *
 * The linker writes into every module a sorted table of (function start,
 * FDE) pairs, PT_GNU_EH_FRAME, for unwinders to search; each FDE holds its
 * function's length. It covers internal functions that no symbol table
 * names (a stripped libc's), which is what syspatch.c needs: a known
 * instruction boundary to decode forward from.
 *
 * The table is read in place. Modules are recorded by eh_index_scan() and
 * looked up without the loader's lock (from a signal handler that may have
 * interrupted the loader). A scan fills the list not in use and then
 * publishes it, so a lookup running meanwhile reads a whole list, old or
 * new; callers scan again when modules come and go (dlnotify.c), so that a
 * module unloaded is no longer read.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "ehframe.h"

#define MAX_MODULES 512

/* DW_EH_PE encodings */
#define PE_OMIT 0xff
#define PE_UDATA4 0x03
#define PE_SDATA4 0x0b
#define PE_PCREL 0x10
#define PE_DATAREL 0x30

struct module {
	uint64_t text_lo, text_hi; /* the executable segment(s) */
	const uint8_t *hdr;
};

struct module_list {
	struct module v[MAX_MODULES];
	int n;
};

static struct module_list lists[2];
static struct module_list *current; /* published; NULL before the first scan */

static int add_module(struct dl_phdr_info *info, size_t size, void *data)
{
	struct module_list *l = data;
	(void)size;
	struct module m = { UINT64_MAX, 0, NULL };
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t a = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			if (a < m.text_lo)
				m.text_lo = a;
			if (a + ph->p_memsz > m.text_hi)
				m.text_hi = a + ph->p_memsz;
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			m.hdr = (const uint8_t *)(uintptr_t)a;
		}
	}
	if (m.hdr && m.text_hi && l->n < MAX_MODULES)
		l->v[l->n++] = m;
	return 0;
}

int eh_index_scan(void)
{
	struct module_list *cur = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
	struct module_list *l = cur == &lists[0] ? &lists[1] : &lists[0];
	l->n = 0;
	dl_iterate_phdr(add_module, l);
	__atomic_store_n(&current, l, __ATOMIC_RELEASE);
	return l->n;
}

static int32_t s32(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t uleb(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	unsigned shift = 0;
	while (*p < end) {
		uint8_t b = *(*p)++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

/* The FDE pointer encoding of the CIE at cie ('R' of its augmentation), or -1. */
static int fde_encoding(const uint8_t *cie)
{
	uint32_t len = (uint32_t)s32(cie);
	if (len == 0 || len == 0xffffffffu || s32(cie + 4) != 0)
		return -1; /* 64-bit DWARF or not a CIE */
	const uint8_t *p = cie + 8, *end = cie + 4 + len;
	uint8_t version = *p++;
	const char *aug = (const char *)p;
	size_t alen = strnlen(aug, (size_t)(end - p));
	p += alen + 1;
	if (aug[0] != 'z')
		return 0; /* no augmentation data: absolute pointers */
	uleb(&p, end); /* code alignment */
	uleb(&p, end); /* data alignment (sleb, skipped alike) */
	if (version == 1)
		p++;
	else
		uleb(&p, end); /* return address register */
	uleb(&p, end);         /* augmentation data length */
	for (size_t i = 1; i < alen && p < end; i++) {
		switch (aug[i]) {
		case 'R': return *p;
		case 'L': p++; break;
		case 'P': {
			uint8_t enc = *p++;
			if ((enc & 0x0f) != PE_SDATA4 && (enc & 0x0f) != PE_UDATA4)
				return -1;
			p += 4;
			break;
		}
		case 'S': case 'B': break;
		default: return -1;
		}
	}
	return 0;
}

int eh_function_bounds(uint64_t pc, uint64_t *start, uint64_t *end)
{
	const struct module_list *l = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
	const struct module *m = NULL;
	for (int i = 0; l && i < l->n && !m; i++)
		if (pc >= l->v[i].text_lo && pc < l->v[i].text_hi)
			m = &l->v[i];
	if (!m)
		return -1;
	const uint8_t *h = m->hdr;
	/* version 1, eh_frame_ptr encoding, fde_count encoding, table encoding */
	if (h[0] != 1 || h[2] != PE_UDATA4 || h[3] != (PE_DATAREL | PE_SDATA4) ||
	    ((h[1] & 0x0f) != PE_SDATA4 && (h[1] & 0x0f) != PE_UDATA4))
		return -1;
	uint32_t count = (uint32_t)s32(h + 8);
	const uint8_t *table = h + 12;
	int64_t want = (int64_t)(pc - (uint64_t)(uintptr_t)h);
	/* the last entry starting at or before pc */
	uint32_t lo = 0, hi = count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s32(table + 8 * mid) <= want)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	const uint8_t *fde = h + s32(table + 8 * (lo - 1) + 4);
	uint64_t begin = (uint64_t)(uintptr_t)h + (uint64_t)(int64_t)s32(table + 8 * (lo - 1));
	if (s32(fde) == -1 || s32(fde + 4) == 0)
		return -1;
	const uint8_t *cie = fde + 4 - s32(fde + 4);
	int enc = fde_encoding(cie);
	if (enc < 0 || (enc & 0x0f) != PE_SDATA4 || (enc & 0x70) != PE_PCREL)
		return -1;
	/* pc_begin (pc-relative) must be the table's; pc_range is a plain 4-byte value */
	if ((uint64_t)(uintptr_t)(fde + 8) + (uint64_t)(int64_t)s32(fde + 8) != begin)
		return -1;
	uint64_t range = (uint32_t)s32(fde + 12);
	if (pc >= begin + range || begin < m->text_lo || begin + range > m->text_hi)
		return -1;
	*start = begin;
	*end = begin + range;
	return 0;
}
