/* SPDX-License-Identifier: MIT */
/*
 * cli.h - shared pieces of the bpfrt command line.
 */
#ifndef BPFRT_CLI_H
#define BPFRT_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include "bpfrt/insn.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"

/* Each subcommand: argc/argv start at the subcommand's own name. */
int cmd_run(int argc, char **argv);
int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_prog(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_btf(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_trace(int argc, char **argv);
#ifdef BPFRT_HAVE_PCAP
int cmd_xdp(int argc, char **argv);
int cmd_cbpf(int argc, char **argv);
#endif

/* Print "bpfrt: <message>" to stderr; returns 1 for `return err(...)`. */
__attribute__((format(printf, 1, 2)))
int cli_err(const char *fmt, ...);

/*
 * A program read from a file: assembly text (either syntax, or a conformance
 * .data file whose -- asm and -- mem sections are used) or raw bytecode.
 */
struct cli_prog {
	struct bpfrt_insn *insns;
	size_t cnt;
	uint8_t *mem; /* input memory from a .data file, or NULL */
	size_t mem_len;
	bool has_mem;
};

int cli_read_prog(const char *path, struct cli_prog *p);
void cli_prog_free(struct cli_prog *p);

/* Read a whole file ("-" is stdin). Returns 0, or 1 after printing why. */
int cli_read_file(const char *path, uint8_t **buf, size_t *len);

struct bpfrt_prog;
/* `prog dump jited`: the JIT's code of prog, disassembled if capstone is there. */
int cli_dump_jited(struct bpfrt_prog *prog, FILE *out);

/* bpftool's name of a map type ("hash", "percpu_array"...), "unknown" if none. */
const char *cli_map_type_name(enum bpfrt_map_type type);

/* Bytes from a file name, or from hex text ("01 02 ff", "0102ff"); opt names it in errors. */
int cli_read_mem(const char *opt, const char *arg, uint8_t **buf, size_t *len);

/*
 * --checked, --interp, --jit: how the commands that load objects run them.
 * Returns true when s is one of them, noting it in *engine and counting in
 * *given how many were given (more than one is the caller's error).
 */
bool cli_engine_option(const char *s, enum bpfrt_engine *engine, int *given);
/* "default", "checked", "interp", "jit" (or "jit_or_interp"). */
const char *cli_engine_name(enum bpfrt_engine engine);

/* Parse a non-negative integer option value; 1 after printing why on error. */
int cli_parse_u64(const char *opt, const char *s, uint64_t *out);

#endif
