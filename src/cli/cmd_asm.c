/* SPDX-License-Identifier: MIT */
/*
 * cmd_asm.c - `bpfrt asm` and `bpfrt disasm`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpfrt/bpfrt.h"
#include "cli.h"

static const char asm_usage[] =
	"Usage: bpfrt asm FILE [-o OUT] [--hex]\n"
	"\n"
	"Assemble FILE (LLVM/kernel syntax, conformance syntax, or a conformance .data\n"
	"file; '-' reads stdin) into raw bytecode: 8 bytes per instruction slot.\n"
	"\n"
	"  -o OUT    write the bytecode to OUT (default: stdout, unless it is a terminal)\n"
	"  --hex     print one 64-bit word per slot in hex instead of binary\n";

static const char disasm_usage[] =
	"Usage: bpfrt disasm PROG [--syntax llvm|conformance] [--no-index]\n"
	"\n"
	"Print the instructions of PROG (raw bytecode, or text that is assembled first).\n"
	"The output assembles back to the same bytes with 'bpfrt asm'.\n"
	"\n"
	"  --syntax S   llvm (default): r0 = *(u32 *)(r1 + 4)\n"
	"               conformance:    ldxw %r0, [%r1+4]\n"
	"  --no-index   omit the \"  12: \" slot numbers\n";

int cmd_asm(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	bool hex = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(asm_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o")) {
			if (++i >= argc)
				return cli_err("-o needs a file name");
			out = argv[i];
		} else if (!strcmp(argv[i], "--hex")) {
			hex = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_err("asm: unknown option '%s' (see bpfrt asm --help)", argv[i]);
		} else if (!in) {
			in = argv[i];
		} else {
			return cli_err("asm: more than one input given");
		}
	}
	if (!in) {
		fputs(asm_usage, stderr);
		return 1;
	}
	bool to_stdout = !out || !strcmp(out, "-");
	if (to_stdout && !hex && isatty(STDOUT_FILENO))
		return cli_err("asm: refusing to write bytecode to a terminal (use -o FILE or --hex)");

	struct cli_prog p;
	if (cli_read_prog(in, &p))
		return 1;
	if (out && !strcmp(out, "-"))
		out = NULL; /* "-o -" is stdout */
	FILE *f = out ? fopen(out, hex ? "w" : "wb") : stdout;
	int rc = 0;
	if (!f) {
		rc = cli_err("%s: cannot open for writing", out);
	} else if (hex) {
		for (size_t i = 0; i < p.cnt; i++) {
			uint64_t w;
			memcpy(&w, &p.insns[i], 8);
			fprintf(f, "0x%016llx\n", (unsigned long long)w);
		}
	} else if (fwrite(p.insns, 8, p.cnt, f) != p.cnt) {
		rc = cli_err("%s: write error", out ? out : "stdout");
	}
	if (f && f != stdout && fclose(f))
		rc = cli_err("%s: write error", out);
	cli_prog_free(&p);
	return rc;
}

int cmd_disasm(int argc, char **argv)
{
	const char *in = NULL;
	enum bpfrt_syntax syntax = BPFRT_SYNTAX_LLVM;
	bool index = true;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(disasm_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--syntax")) {
			const char *s = ++i < argc ? argv[i] : "";
			if (!strcmp(s, "llvm"))
				syntax = BPFRT_SYNTAX_LLVM;
			else if (!strcmp(s, "conformance"))
				syntax = BPFRT_SYNTAX_CONFORMANCE;
			else
				return cli_err("--syntax: '%s' is not llvm or conformance", s);
		} else if (!strcmp(argv[i], "--no-index")) {
			index = false;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_err("disasm: unknown option '%s' (see bpfrt disasm --help)", argv[i]);
		} else if (!in) {
			in = argv[i];
		} else {
			return cli_err("disasm: more than one input given");
		}
	}
	if (!in) {
		fputs(disasm_usage, stderr);
		return 1;
	}
	struct cli_prog p;
	if (cli_read_prog(in, &p))
		return 1;
	char line[256];
	for (size_t i = 0; i < p.cnt;) {
		int n = bpfrt_disasm_insn(p.insns, p.cnt, i, syntax, line, sizeof(line));
		if (index)
			printf("%5zu: %s\n", i, line);
		else
			printf("%s\n", line);
		i += (size_t)n;
	}
	cli_prog_free(&p);
	return 0;
}
