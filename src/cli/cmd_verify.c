/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify.c - `bpfrt verify`: run the verifier on the programs of an ELF
 * object, or on one raw or assembly program, and print its verdict: OK with
 * its figures, or the refusal with the instruction and source line. Exit 1
 * when any program is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "cli.h"

static const char usage[] =
	"Usage: bpfrt verify OBJECT.o [--prog NAME] [-v|--log-level 1|2]\n"
	"       bpfrt verify PROGRAM [--type TYPE] [-v|--log-level 1|2]\n"
	"Prove programs safe to run without run-time checks (the interpreter and\n"
	"the JIT load only verified programs). PROGRAM is assembly text, a test\n"
	"vector (.data) or raw bytecode; TYPE is a program type (xdp, kprobe,\n"
	"socket_filter, sched_cls, tracepoint...; default: the generic type).\n"
	"  --prog NAME         only this program of the object\n"
	"  -v, --log-level N   1: the verifier's summary; 2: every state, like Linux's log_level 2\n"
	"  -h, --help          this text\n";

static void print_ok(const char *name, size_t cnt, const struct bpfrt_verifier_stats *s)
{
	printf("%s: OK: %zu insns, %zu processed, %zu states (peak %zu), stack %zu bytes, %.3f ms\n", name, cnt,
	       s->insns_processed, s->states, s->peak_states, s->max_stack_depth, (double)s->time_ns / 1e6);
}

static int verify_one(struct bpfrt_runtime *rt, const char *name, const struct bpfrt_insn *insns, size_t cnt,
		      struct bpfrt_prog_load_opts *o)
{
	struct bpfrt_verifier_stats st = { 0 };
	o->verifier_stats = &st;
	struct bpfrt_prog *p = bpfrt_prog__load(rt, name, insns, cnt, o);
	if (!p) {
		printf("%s: REFUSED: %s\n", name, bpfrt_runtime__last_error(rt));
		if (st.ran)
			printf("%s: after %zu insns processed, %zu states, %.3f ms\n", name, st.insns_processed,
			       st.states, (double)st.time_ns / 1e6);
		return 1;
	}
	print_ok(name, cnt, &st);
	bpfrt_prog__free(p);
	return 0;
}

static int source_line(void *ctx, size_t insn, char *buf, size_t len)
{
	return bpfrt_program__source_line(ctx, insn, buf, len);
}

static int verify_object(struct bpfrt_runtime *rt, const char *path, const char *only, int level)
{
	struct bpfrt_object *obj = bpfrt_object__open_file(rt, path, NULL);
	/* Maps created and programs linked, unverified: then each is verified on its own. */
	if (!obj || bpfrt_object__load_engine(obj, BPFRT_ENGINE_CHECKED /* verified below */)) {
		bpfrt_object__close(obj);
		return cli_err("%s: %s", path, bpfrt_runtime__last_error(rt));
	}
	int refused = 0, n = 0;
	for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
	     p = bpfrt_object__next_program(obj, p)) {
		if (only && strcmp(only, bpfrt_program__name(p)))
			continue;
		n++;
		BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = BPFRT_ENGINE_INTERP, .prog_type = bpfrt_program__type(p),
			   .source_line = source_line, .source_line_ctx = p, .log_level = level,
			   .log = level ? stdout : NULL);
		refused += verify_one(rt, bpfrt_program__name(p), bpfrt_program__insns(p), bpfrt_program__insn_cnt(p),
				      &o);
	}
	bpfrt_object__close(obj);
	if (!n)
		return cli_err("%s: %s", path, only ? "no program of that name" : "no programs");
	return refused ? 1 : 0;
}

static int prog_type_by_name(const char *name)
{
	for (int t = 0; t < 64; t++) {
		const char *n = bpfrt_prog_type_name((enum bpfrt_prog_type)t);
		if (n && !strcmp(n, name))
			return t;
	}
	return -1;
}

int cmd_verify(int argc, char **argv)
{
	const char *file = NULL, *only = NULL, *type_name = NULL;
	int level = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "-v")) {
			level = 1;
		} else if (!strcmp(a, "--log-level")) {
			if (++i == argc || (strcmp(argv[i], "1") && strcmp(argv[i], "2")))
				return cli_err("--log-level needs 1 or 2");
			level = atoi(argv[i]);
		} else if (!strcmp(a, "--prog")) {
			if (++i == argc)
				return cli_err("--prog needs a program name");
			only = argv[i];
		} else if (!strcmp(a, "--type")) {
			if (++i == argc)
				return cli_err("--type needs a program type");
			type_name = argv[i];
		} else if (a[0] == '-' && a[1]) {
			return cli_err("verify: unknown option '%s' (see bpfrt verify --help)", a);
		} else if (file) {
			return cli_err("verify: one file at a time ('%s' and '%s')", file, a);
		} else {
			file = a;
		}
	}
	if (!file) {
		fputs(usage, stderr);
		return 1;
	}
	int type = type_name ? prog_type_by_name(type_name) : 0;
	if (type < 0)
		return cli_err("--type: unknown program type '%s'", type_name);
	uint8_t *buf;
	size_t len;
	if (cli_read_file(file, &buf, &len))
		return 1;
	bool elf = len >= 4 && !memcmp(buf, "\x7f" "ELF", 4);
	free(buf);
	if (elf && type_name)
		return cli_err("%s: an object's programs have their types from their sections; --type is for "
			       "raw and assembly programs", file);
	if (!elf && only)
		return cli_err("%s: --prog names a program of an ELF object", file);
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	if (!rt)
		return cli_err("cannot create a runtime");
	int rc;
	if (elf) {
		rc = verify_object(rt, file, only, level);
	} else {
		struct cli_prog cp;
		rc = cli_read_prog(file, &cp);
		if (!rc) {
			BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = BPFRT_ENGINE_INTERP,
				   .prog_type = (enum bpfrt_prog_type)type, .log_level = level,
				   .log = level ? stdout : NULL);
			const char *base = strrchr(file, '/');
			rc = verify_one(rt, base ? base + 1 : file, cp.insns, cp.cnt, &o);
			cli_prog_free(&cp);
		}
	}
	bpfrt_runtime__free(rt);
	return rc;
}
