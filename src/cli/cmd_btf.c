/* SPDX-License-Identifier: MIT */
/*
 * cmd_btf.c - `bpfrt btf dump file FILE [format raw|c]`, like bpftool's.
 */
#include <stdio.h>
#include <string.h>
#include "bpfrt/btf.h"
#include "cli.h"

static const char usage[] =
	"Usage: bpfrt btf dump file FILE [format raw|c]\n"
	"\n"
	"Print the BTF of FILE: an ELF object's .BTF section, or a raw BTF file such\n"
	"as /sys/kernel/btf/vmlinux. 'format c' prints a compilable C header.\n";

int cmd_btf(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "dump") || strcmp(argv[2], "file")) {
		fputs(usage, stderr);
		return 1;
	}
	for (int i = 4; i < argc; i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			return cli_err("btf dump: no JSON output (-j); use 'format raw' or 'format c'");
	enum bpfrt_btf_format fmt = BPFRT_BTF_FORMAT_RAW;
	if (argc == 6 && !strcmp(argv[4], "format") && !strcmp(argv[5], "c"))
		fmt = BPFRT_BTF_FORMAT_C;
	else if (argc == 6 && !strcmp(argv[4], "format") && !strcmp(argv[5], "raw"))
		fmt = BPFRT_BTF_FORMAT_RAW;
	else if (argc != 4)
		return cli_err("btf dump: expected 'format raw' or 'format c' after the file");
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	if (!rt)
		return cli_err("cannot create a runtime");
	int err = bpfrt_btf_dump_file(rt, argv[3], fmt, stdout);
	bpfrt_runtime__free(rt);
	return err != 0;
}
