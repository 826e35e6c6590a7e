/* SPDX-License-Identifier: MIT */
/*
 * elfobj.h - test support: the pieces of a clang BPF object the BTF tests
 * need (raw section bytes, section sizes, symbols), read with libelf. The
 * loader in src/loader does this for real; the tests stay independent of it.
 */
#ifndef BPFRT_TESTS_BTF_ELFOBJ_H
#define BPFRT_TESTS_BTF_ELFOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfobj;

/* Open an ELF object; NULL (with a message on stderr) on failure. */
struct elfobj *elfobj_open(const char *path);
/* The same, silently NULL when path is not an ELF file. */
struct elfobj *elfobj_open_quiet(const char *path);
void elfobj_close(struct elfobj *o);

/* A copy of section name's bytes (free it), or NULL if absent. */
void *elfobj_section(struct elfobj *o, const char *name, size_t *size);
/* Size of section name, or -1 if absent. */
long elfobj_section_size(struct elfobj *o, const char *name);
/* A symbol's value and whether it is hidden; -1 if absent. */
int elfobj_symbol(struct elfobj *o, const char *name, uint32_t *value, bool *hidden);

/* Read a whole file (raw BTF such as /sys/kernel/btf/vmlinux). */
void *read_file(const char *path, size_t *size);

#endif
