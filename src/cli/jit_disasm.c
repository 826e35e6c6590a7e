/* SPDX-License-Identifier: MIT */
/*
 * jit_disasm.c - `bpfrt prog dump jited`: the JIT's dump (comment lines, and
 * lines of hex bytes at an offset) with each run of bytes disassembled as
 * x86-64 by capstone, like bpftool's, when the build found libcapstone.
 * Without it, the hex bytes as they are, with a note saying why.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/prog.h"
#include "cli.h"
#ifdef BPFRT_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

#ifdef BPFRT_HAVE_CAPSTONE
/* "000079: 8b 77 04": the offset and the bytes; false for other lines. */
static bool parse_hex_line(const char *line, uint64_t *off, uint8_t **bytes, size_t *n)
{
	char *end;
	*off = strtoull(line, &end, 16);
	if (end == line || *end != ':')
		return false;
	size_t cap = strlen(end) / 3 + 1;
	uint8_t *b = malloc(cap);
	if (!b)
		return false;
	size_t k = 0;
	for (const char *s = end + 1; *s && *s != '\n' && k < cap;) {
		char *e;
		unsigned long v = strtoul(s, &e, 16);
		if (e == s)
			break;
		b[k++] = (uint8_t)v;
		s = e;
	}
	*bytes = b;
	*n = k;
	return true;
}

static void disasm_line(csh cs, FILE *out, uint64_t off, const uint8_t *b, size_t n)
{
	cs_insn *insn;
	size_t cnt = cs_disasm(cs, b, n, off, 0, &insn);
	size_t done = 0;
	for (size_t i = 0; i < cnt; i++) {
		char hex[3 * 16 + 1] = "";
		for (size_t j = 0; j < insn[i].size && j < 15; j++)
			snprintf(hex + 3 * j, sizeof(hex) - 3 * j, "%02x ", insn[i].bytes[j]);
		fprintf(out, "%6" PRIx64 ":\t%-30s %s %s\n", insn[i].address, hex, insn[i].mnemonic,
			insn[i].op_str);
		done += insn[i].size;
	}
	if (cnt)
		cs_free(insn, cnt);
	if (done < n) { /* what capstone could not decode stays hex */
		fprintf(out, "%6" PRIx64 ":\t", off + done);
		for (size_t j = done; j < n; j++)
			fprintf(out, "%02x ", b[j]);
		fprintf(out, "(not decoded)\n");
	}
}
#endif

int cli_dump_jited(struct bpfrt_prog *prog, FILE *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return cli_err("prog dump jited: out of memory");
	int err = bpfrt_prog__dump_jited(prog, mem);
	fclose(mem);
	if (err) {
		free(text);
		return 1;
	}
#ifdef BPFRT_HAVE_CAPSTONE
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		free(text);
		return cli_err("prog dump jited: capstone cannot open x86-64");
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		uint64_t off;
		uint8_t *b;
		size_t n;
		if (line[0] != ';' && parse_hex_line(line, &off, &b, &n)) {
			disasm_line(cs, out, off, b, n);
			free(b);
		} else {
			fprintf(out, "%s\n", line);
		}
	}
	cs_close(&cs);
#else
	fprintf(out, "; bpfrt was built without capstone (libcapstone-dev): x86-64 code as hex bytes\n");
	fputs(text, out);
#endif
	free(text);
	return 0;
}
