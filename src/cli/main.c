/* SPDX-License-Identifier: MIT */
/*
 * main.c - the bpfrt command line: `bpfrt COMMAND [ARGS]`, bpftool-style.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "run a program on input memory" },
	{ "asm", cmd_asm, "assemble text to bytecode" },
	{ "disasm", cmd_disasm, "disassemble bytecode to text" },
	{ "prog", cmd_prog, "show, load, dump and run the programs of an ELF object" },
	{ "map", cmd_map, "show, dump, look up and change maps (also pinned by other processes)" },
	{ "btf", cmd_btf, "print the BTF of an object or of the kernel" },
	{ "verify", cmd_verify, "prove programs safe, or say why they are not" },
	{ "trace", cmd_trace, "run tracing programs on the system calls and functions of a command or process" },
#ifdef BPFRT_HAVE_PCAP
	{ "xdp", cmd_xdp, "run an XDP program on a pcap file or live on an interface" },
	{ "cbpf", cmd_cbpf, "run a classic BPF filter (tcpdump -dd, or an expression) on a pcap file" },
#endif
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfrt COMMAND [ARGS...]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'bpfrt COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cli_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return 1;
}
