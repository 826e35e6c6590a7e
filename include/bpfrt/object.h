/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/object.h - open and load the ELF objects clang builds for the kernel.
 *
 * The same object a libbpf user loads into Linux loads here, following
 * libbpf's conventions: programs from every executable section, named by
 * function and typed by their SEC() name; BTF-defined maps in .maps and
 * legacy maps in "maps"; global data (.data, .rodata, .bss, .rodata.*) as
 * array maps referenced through lddw; bpf-to-bpf calls across sections.
 *
 *   struct bpfrt_object *obj = bpfrt_object__open_file(rt, "prog.bpf.o", NULL);
 *   bpfrt_object__load(obj);
 *   struct bpfrt_program *p = bpfrt_object__find_program_by_name(obj, "xdp_pass");
 *   bpfrt_prog__test_run(bpfrt_program__prog(p), &opts);
 *
 * Errors name the object and the section, symbol or offset at fault.
 */
#ifndef BPFRT_OBJECT_H
#define BPFRT_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include "map.h"
#include "prog.h"
#include "runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_object;
struct bpfrt_program;

struct bpfrt_object_open_opts {
	size_t sz;               /* sizeof(struct bpfrt_object_open_opts) */
	const char *object_name; /* name for messages (default: the file's base name) */
	/* Directory for maps declared with LIBBPF_PIN_BY_NAME (default /dev/shm/bpfrt). */
	const char *pin_root_path;
	/*
	 * Kernel configuration text ("CONFIG_X=y" lines) for `extern ...
	 * __kconfig` variables, instead of the running kernel's
	 * (/boot/config-<release>, else /proc/config.gz), as libbpf's option.
	 */
	const char *kconfig;
	/*
	 * Treat every map as LIBBPF_PIN_BY_NAME: reuse the map pinned under
	 * pin_root_path, or create and pin it there. Two processes opening one
	 * object this way share all its maps (bpfrt trace and its in-process agent).
	 */
	bool pin_all_maps;
};

/**
 * bpfrt_object__open_file() - read and check an object; nothing is created yet.
 *
 * Return: the object, or NULL with errno set (ENOENT, EINVAL for a malformed
 * ELF, ENOTSUP for something bpfrt lacks) and the reason in
 * bpfrt_runtime__last_error().
 */
struct bpfrt_object *bpfrt_object__open_file(struct bpfrt_runtime *rt, const char *path,
					     const struct bpfrt_object_open_opts *opts);
struct bpfrt_object *bpfrt_object__open_mem(struct bpfrt_runtime *rt, const void *buf,
					    size_t size, const struct bpfrt_object_open_opts *opts);

/**
 * bpfrt_object__load() - create the maps, relocate and load every program.
 * @engine: how the programs run (bpfrt_object__load(): BPFRT_ENGINE_DEFAULT,
 *     verified then native code). Every engine but CHECKED runs each
 *     program through the verifier first, whose messages name the source
 *     line from .BTF.ext line info; CHECKED runs them unverified, with
 *     run-time checks.
 *
 * Return: 0 or a negative errno, with the reason in bpfrt_runtime__last_error().
 */
int bpfrt_object__load(struct bpfrt_object *obj);
int bpfrt_object__load_engine(struct bpfrt_object *obj, enum bpfrt_engine engine);

void bpfrt_object__close(struct bpfrt_object *obj);

const char *bpfrt_object__name(const struct bpfrt_object *obj);
const char *bpfrt_object__license(const struct bpfrt_object *obj);
uint32_t bpfrt_object__kversion(const struct bpfrt_object *obj);

struct bpfrt_program *bpfrt_object__find_program_by_name(const struct bpfrt_object *obj,
							 const char *name);
/* Iterate: prev NULL gives the first; NULL after the last. */
struct bpfrt_program *bpfrt_object__next_program(const struct bpfrt_object *obj,
						 const struct bpfrt_program *prev);
struct bpfrt_map *bpfrt_object__find_map_by_name(const struct bpfrt_object *obj, const char *name);
struct bpfrt_map *bpfrt_object__next_map(const struct bpfrt_object *obj, const struct bpfrt_map *prev);

const char *bpfrt_program__name(const struct bpfrt_program *p);
const char *bpfrt_program__section_name(const struct bpfrt_program *p);
enum bpfrt_prog_type bpfrt_program__type(const struct bpfrt_program *p);
/* What follows the section prefix: "syscalls/sys_enter_write" in tracepoint/... */
const char *bpfrt_program__attach_target(const struct bpfrt_program *p);
/* The instructions after linking and relocation (valid once loaded). */
const struct bpfrt_insn *bpfrt_program__insns(const struct bpfrt_program *p);
size_t bpfrt_program__insn_cnt(const struct bpfrt_program *p);
/* The loaded program, to run with bpfrt_prog__test_run(); NULL before load. */
struct bpfrt_prog *bpfrt_program__prog(const struct bpfrt_program *p);
/*
 * The source line of instruction insn of the program as linked (after
 * bpfrt_object__load()), from .BTF.ext line info: "prog.bpf.c:42: return
 * *val;". Returns 0, or -ENOENT without line info for it.
 */
int bpfrt_program__source_line(const struct bpfrt_program *p, size_t insn, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
