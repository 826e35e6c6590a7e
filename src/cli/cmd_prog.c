/* SPDX-License-Identifier: MIT */
/*
 * cmd_prog.c - `bpfrt prog show|load|dump|run` on ELF objects, like bpftool's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "cli.h"

static const char usage[] =
	"Usage: bpfrt prog show OBJ [-j]\n"
	"       bpfrt prog load OBJ [--checked|--interp|--jit] [-j]\n"
	"       bpfrt prog dump xlated|jited OBJ [PROG] [--syntax llvm|conformance]\n"
	"       bpfrt prog run OBJ [PROG] [--data FILE|HEX] [--data-out FILE] [--ctx FILE|HEX]\n"
	"                      [--ctx-out FILE] [--repeat N] [--checked|--interp|--jit] [--trace FILE] [-j]\n"
	"\n"
	"OBJ is an ELF object built with clang -target bpf. PROG names a program (its\n"
	"function); it may be left out when the object has only one.\n"
	"\n"
	"  show     list the programs: id, type, name, section, instructions\n"
	"  load     create the maps, link and load every program; report what loaded\n"
	"  dump     xlated: a program's instructions after linking and relocation;\n"
	"           jited: the x86-64 code the JIT made of them, per instruction\n"
	"  run      run a program once or --repeat N times and print its return value\n"
	"           and mean duration, as bpftool prog run does; XDP and tc programs\n"
	"           take --data as the packet, tracing programs --ctx as their context\n"
	"\n"
	"Programs are verified at load, as in Linux, and run as native code; a\n"
	"program the verifier refuses fails to load with the reason and source line.\n"
	"  --checked      run unverified, in the interpreter that checks every access\n"
	"  --interp       the fast interpreter without run-time checks (verified programs)\n"
	"  --jit          native code only, no interpreter fallback (verified programs)\n"
	"  --trace FILE   where bpf_printk lines go (default: stderr)\n"
	"  -j             JSON output\n";

struct prog_args {
	const char *obj, *prog, *data, *data_out, *ctx, *ctx_out, *trace;
	uint64_t repeat;
	enum bpfrt_engine engine; /* --checked, --interp, --jit; default: verified, native */
	int engines;              /* how many of those were given */
	bool json;
	enum bpfrt_syntax syntax;
};

static int parse(int argc, char **argv, int first, struct prog_args *a)
{
	memset(a, 0, sizeof(*a));
	a->repeat = 1;
	for (int i = first; i < argc; i++) {
		const char *s = argv[i];
		const char **val = !strcmp(s, "--data") ? &a->data : !strcmp(s, "--data-out") ? &a->data_out :
				   !strcmp(s, "--ctx") ? &a->ctx : !strcmp(s, "--ctx-out") ? &a->ctx_out :
				   !strcmp(s, "--trace") ? &a->trace : NULL;
		if (val) {
			if (++i >= argc)
				return cli_err("%s needs a value", s);
			*val = argv[i];
		} else if (!strcmp(s, "--repeat")) {
			if (cli_parse_u64(s, ++i < argc ? argv[i] : NULL, &a->repeat))
				return 1;
			if (a->repeat < 1 || a->repeat > 1000000000)
				return cli_err("--repeat: %llu is not in 1..1000000000", (unsigned long long)a->repeat);
		} else if (cli_engine_option(s, &a->engine, &a->engines)) {
			/* noted */
		} else if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			a->json = true;
		} else if (!strcmp(s, "--syntax")) {
			const char *v = ++i < argc ? argv[i] : "";
			if (!strcmp(v, "llvm"))
				a->syntax = BPFRT_SYNTAX_LLVM;
			else if (!strcmp(v, "conformance"))
				a->syntax = BPFRT_SYNTAX_CONFORMANCE;
			else
				return cli_err("--syntax: '%s' is not llvm or conformance", v);
		} else if (s[0] == '-' && s[1]) {
			return cli_err("prog: unknown option '%s' (see bpfrt prog --help)", s);
		} else if (!a->obj) {
			a->obj = s;
		} else if (!a->prog) {
			a->prog = s;
		} else {
			return cli_err("prog: unexpected argument '%s'", s);
		}
	}
	if (!a->obj)
		return cli_err("prog: no object file given (see bpfrt prog --help)");
	return 0;
}

/* The named program, or the only one. */
static struct bpfrt_program *pick(struct bpfrt_object *obj, const char *name)
{
	if (name) {
		struct bpfrt_program *p = bpfrt_object__find_program_by_name(obj, name);
		if (!p)
			cli_err("object '%s' has no program '%s'", bpfrt_object__name(obj), name);
		return p;
	}
	struct bpfrt_program *first = bpfrt_object__next_program(obj, NULL);
	if (first && !bpfrt_object__next_program(obj, first))
		return first;
	fprintf(stderr, "bpfrt: object '%s' has several programs; name one of:", bpfrt_object__name(obj));
	for (struct bpfrt_program *p = first; p; p = bpfrt_object__next_program(obj, p))
		fprintf(stderr, " %s", bpfrt_program__name(p));
	fputc('\n', stderr);
	return NULL;
}

static void show(struct bpfrt_object *obj, bool json)
{
	if (json)
		printf("[");
	int n = 0;
	for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
	     p = bpfrt_object__next_program(obj, p), n++) {
		const char *type = bpfrt_prog_type_name(bpfrt_program__type(p));
		struct bpfrt_prog *lp = bpfrt_program__prog(p);
		if (json)
			printf("%s{\"id\":%u,\"name\":\"%s\",\"section\":\"%s\",\"type\":\"%s\",\"insns\":%zu}",
			       n ? "," : "", lp ? bpfrt_prog__id(lp) : 0, bpfrt_program__name(p),
			       bpfrt_program__section_name(p), type, bpfrt_program__insn_cnt(p));
		else
			printf("%u: %s  name %s  section %s  insns %zu\n", lp ? bpfrt_prog__id(lp) : 0, type,
			       bpfrt_program__name(p), bpfrt_program__section_name(p),
			       bpfrt_program__insn_cnt(p));
	}
	if (json)
		printf("]\n");
}

static void show_maps(struct bpfrt_object *obj, bool json)
{
	if (json)
		return;
	for (struct bpfrt_map *m = bpfrt_object__next_map(obj, NULL); m; m = bpfrt_object__next_map(obj, m))
		printf("map %u: %s  name %s  key %uB  value %uB  max_entries %u  flags 0x%x\n",
		       bpfrt_map__id(m), cli_map_type_name(bpfrt_map__type(m)), bpfrt_map__name(m), bpfrt_map__key_size(m),
		       bpfrt_map__value_size(m), bpfrt_map__max_entries(m), bpfrt_map__map_flags(m));
}

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return cli_err("%s: cannot open for writing", path);
	bool bad = fwrite(buf, 1, len, f) != len;
	if (fclose(f) || bad)
		return cli_err("%s: write error", path);
	return 0;
}

static int run(struct bpfrt_object *obj, const struct prog_args *a)
{
	struct bpfrt_program *p = pick(obj, a->prog);
	if (!p)
		return 1;
	uint8_t *data = NULL, *ctx = NULL;
	size_t data_len = 0, ctx_len = 0;
	if ((a->data && cli_read_mem("--data", a->data, &data, &data_len)) ||
	    (a->ctx && cli_read_mem("--ctx", a->ctx, &ctx, &ctx_len))) {
		free(data);
		return 1;
	}
	size_t out_cap = data_len + 4096;
	uint8_t *out = malloc(out_cap), *ctx_out = malloc(ctx_len + 1);
	/*
	 * A context out only when asked for, as bpftool does: for XDP, asking
	 * for one without giving one is an error in Linux and here.
	 */
	BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = data, .data_size_in = (uint32_t)data_len,
		   .data_out = out, .data_size_out = (uint32_t)out_cap, .ctx_in = ctx,
		   .ctx_size_in = (uint32_t)ctx_len, .ctx_out = a->ctx_out ? ctx_out : NULL,
		   .ctx_size_out = a->ctx_out ? (uint32_t)ctx_len : 0, .repeat = (int)a->repeat);
	int rc = 1;
	if (out && ctx_out && bpfrt_prog__test_run(bpfrt_program__prog(p), &o) == 0) {
		rc = 0;
		if (a->json) {
			/* the output data as bpftool's JSON has it: an array of byte values */
			printf("{\"retval\":%llu,\"duration\":%llu,\"data_size_out\":%u",
			       (unsigned long long)o.retval, (unsigned long long)o.duration_ns, o.data_size_out);
			if (o.data_size_out) {
				printf(",\"data_out\":[");
				for (uint32_t b = 0; b < o.data_size_out && b < out_cap; b++)
					printf("%s%u", b ? "," : "", out[b]);
				printf("]");
			}
			printf("}\n");
		} else
			printf("Return value: %llu, duration%s: %lluns\n", (unsigned long long)o.retval,
			       a->repeat > 1 ? " (average)" : "", (unsigned long long)o.duration_ns);
		if (a->data_out && write_file(a->data_out, out, o.data_size_out < out_cap ? o.data_size_out : out_cap))
			rc = 1;
		if (a->ctx_out && write_file(a->ctx_out, ctx_out, ctx_len))
			rc = 1;
	}
	free(out);
	free(ctx_out);
	free(data);
	free(ctx);
	return rc;
}

int cmd_prog(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	const char *verb = argv[1];
	bool dump = !strcmp(verb, "dump");
	if (strcmp(verb, "show") && strcmp(verb, "load") && strcmp(verb, "run") && !dump)
		return cli_err("prog: unknown command '%s' (show, load, dump, run)", verb);
	bool jited = dump && argc >= 3 && !strcmp(argv[2], "jited");
	if (dump && (argc < 3 || (strcmp(argv[2], "xlated") && !jited)))
		return cli_err("prog dump: say 'xlated' or 'jited' (bpfrt prog dump xlated OBJ [PROG])");
	struct prog_args a;
	if (parse(argc, argv, dump ? 3 : 2, &a))
		return 1;
	BPFRT_OPTS(bpfrt_runtime_opts, ro);
	FILE *trace = NULL;
	if (a.trace && !(trace = fopen(a.trace, "a")))
		return cli_err("--trace %s: cannot open for writing", a.trace);
	ro.trace_output = trace;
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	if (!rt)
		return cli_err("cannot create a runtime");
	int rc = 1;
	struct bpfrt_object *obj = bpfrt_object__open_file(rt, a.obj, NULL);
	if (a.engines > 1) {
		bpfrt_object__close(obj);
		bpfrt_runtime__free(rt);
		return cli_err("prog: --checked, --interp and --jit exclude each other");
	}
	enum bpfrt_engine engine = jited ? BPFRT_ENGINE_JIT : a.engine;
	if (obj && bpfrt_object__load_engine(obj, engine) == 0) {
		if (!strcmp(verb, "show")) {
			show(obj, a.json);
			rc = 0;
		} else if (!strcmp(verb, "load")) {
			show(obj, a.json);
			show_maps(obj, a.json);
			rc = 0;
		} else if (jited) {
			struct bpfrt_program *p = pick(obj, a.prog);
			rc = !p || cli_dump_jited(bpfrt_program__prog(p), stdout);
		} else if (dump) {
			struct bpfrt_program *p = pick(obj, a.prog);
			for (size_t i = 0; p && i < bpfrt_program__insn_cnt(p);) {
				char line[256];
				int n = bpfrt_disasm_insn(bpfrt_program__insns(p), bpfrt_program__insn_cnt(p),
							  i, a.syntax, line, sizeof(line));
				printf("%5zu: %s\n", i, line);
				i += (size_t)n;
			}
			rc = p ? 0 : 1;
		} else {
			rc = run(obj, &a);
		}
	}
	bpfrt_object__close(obj);
	bpfrt_runtime__free(rt);
	if (trace)
		fclose(trace);
	return rc;
}
