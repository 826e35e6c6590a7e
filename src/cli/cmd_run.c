/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - `bpfrt run`: run a program once or many times on input memory,
 * and print its return value like `bpftool prog run` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "cli.h"

static const char usage[] =
	"Usage: bpfrt run PROG [OPTIONS]\n"
	"\n"
	"Run PROG (assembly text in LLVM or conformance syntax, a conformance .data\n"
	"file, or raw bytecode) with r1 = address of the input memory, r2 = its size.\n"
	"\n"
	"Options:\n"
	"  --mem FILE|HEX     input memory: a file, or hex bytes (\"01 02 ff\")\n"
	"  --repeat N         run N times and report the mean duration\n"
	"  --interp           use the fast interpreter without run-time checks\n"
	"                     (the program must pass the verifier: see bpfrt verify)\n"
	"  --jit              compile to native code (the program must pass the verifier)\n"
	"  --max-insns N      checked engine: stop after N instructions (default 100000000)\n"
	"  --mem-out FILE     write the memory as the program left it\n"
	"  -h, --help         this text\n";

int cmd_run(int argc, char **argv)
{
	const char *prog_path = NULL, *mem_arg = NULL, *mem_out = NULL;
	uint64_t repeat = 1, max_insns = 0;
	bool interp = false, jit = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--mem")) {
			if (++i >= argc)
				return cli_err("--mem needs a value");
			mem_arg = argv[i];
		} else if (!strcmp(a, "--mem-out")) {
			if (++i >= argc)
				return cli_err("--mem-out needs a value");
			mem_out = argv[i];
		} else if (!strcmp(a, "--repeat")) {
			if (cli_parse_u64(a, ++i < argc ? argv[i] : NULL, &repeat))
				return 1;
			if (repeat < 1 || repeat > 1000000000)
				return cli_err("--repeat: %llu is not in 1..1000000000",
					       (unsigned long long)repeat);
		} else if (!strcmp(a, "--max-insns")) {
			if (cli_parse_u64(a, ++i < argc ? argv[i] : NULL, &max_insns))
				return 1;
		} else if (!strcmp(a, "--interp")) {
			interp = true;
		} else if (!strcmp(a, "--jit")) {
			jit = true;
		} else if (a[0] == '-' && a[1]) {
			return cli_err("run: unknown option '%s' (see bpfrt run --help)", a);
		} else if (!prog_path) {
			prog_path = a;
		} else {
			return cli_err("run: more than one program given ('%s', '%s')", prog_path, a);
		}
	}
	if (!prog_path) {
		fputs(usage, stderr);
		return 1;
	}

	struct cli_prog p;
	if (cli_read_prog(prog_path, &p))
		return 1;
	if (mem_arg) {
		free(p.mem);
		p.mem = NULL;
		if (cli_read_mem("--mem", mem_arg, &p.mem, &p.mem_len)) {
			cli_prog_free(&p);
			return 1;
		}
		p.has_mem = true;
	}
	if (p.mem_len > UINT32_MAX) {
		cli_prog_free(&p);
		return cli_err("input memory of %zu bytes is too large", p.mem_len);
	}

	int rc = 1;
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	if (!rt) {
		cli_prog_free(&p);
		return cli_err("cannot create a runtime");
	}
	BPFRT_OPTS(bpfrt_prog_load_opts, lopts,
		   .engine = jit ? BPFRT_ENGINE_JIT : interp ? BPFRT_ENGINE_INTERP : BPFRT_ENGINE_CHECKED,
		   .insn_budget = max_insns);
	/* Errors are printed by the runtime, naming the program and instruction. */
	struct bpfrt_prog *prog = bpfrt_prog__load(rt, prog_path, p.insns, p.cnt, &lopts);
	uint8_t *out = p.mem_len ? malloc(p.mem_len) : NULL;
	if (prog && (out || !p.mem_len)) {
		BPFRT_OPTS(bpfrt_test_run_opts, ropts,
			   .data_in = p.mem, .data_size_in = (uint32_t)p.mem_len,
			   .data_out = out, .data_size_out = (uint32_t)p.mem_len,
			   .repeat = (int)repeat);
		if (bpfrt_prog__test_run(prog, &ropts) == 0) {
			printf("Return value: %llu (0x%llx)\n", (unsigned long long)ropts.retval,
			       (unsigned long long)ropts.retval);
			if (repeat > 1)
				printf("Duration (average): %llu ns over %llu runs\n",
				       (unsigned long long)ropts.duration_ns, (unsigned long long)repeat);
			rc = 0;
			if (mem_out) {
				FILE *f = fopen(mem_out, "wb");
				if (!f || fwrite(out, 1, p.mem_len, f) != p.mem_len)
					rc = cli_err("--mem-out %s: cannot write", mem_out);
				if (f && fclose(f))
					rc = cli_err("--mem-out %s: cannot write", mem_out);
			}
		}
	}
	free(out);
	bpfrt_prog__free(prog);
	bpfrt_runtime__free(rt);
	cli_prog_free(&p);
	return rc;
}
