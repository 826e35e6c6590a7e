/* SPDX-License-Identifier: MIT */
/*
 * check_objects.c - every program of the given clang-built objects through
 * the verifier, the way bpfrt_object__load_engine() runs it: the object is
 * opened and linked by the loader, and each program loaded for the
 * unchecked interpreter, with the loader's source lines.
 *
 *   check_objects [-v] [-k PROG] [--expect FILE] OBJECT...
 *
 * Every program must verify, except those the expectations file lists:
 *
 *   object.o program | text the refusal must contain [| more text...]
 *
 * (the object's base name; `*.o` matches every -mcpu build of it; program `-`:
 * the object itself must fail to load, before any verifier). Prints one
 * line per program: instructions processed, states, stack depth and time.
 * Exit status 1 if any program is refused unexpectedly, is accepted though
 * listed, or is refused with a message lacking the listed text.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

struct expect {
	char object[128], prog[128], text[512];
	bool seen;
};

/* Does msg contain every " | "-separated part of want? The first missing one in *missing. */
static bool contains_all(const char *msg, const char *want, char *missing, size_t len)
{
	while (*want) {
		const char *bar = strstr(want, " | ");
		size_t n = bar ? (size_t)(bar - want) : strlen(want);
		snprintf(missing, len, "%.*s", (int)n, want);
		if (!strstr(msg, missing))
			return false;
		want += bar ? n + 3 : n;
	}
	return true;
}

static struct expect *read_expect(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct expect *e = NULL;
	*n = 0;
	if (!f) {
		perror(path);
		exit(2);
	}
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *bar = strstr(line, " | ");
		if (line[0] == '#' || !bar)
			continue;
		*bar = '\0';
		struct expect *ne = realloc(e, (*n + 1) * sizeof(*e));
		if (!ne)
			exit(2);
		e = ne;
		memset(&e[*n], 0, sizeof(e[*n]));
		if (sscanf(line, "%127s %127s", e[*n].object, e[*n].prog) != 2) {
			fprintf(stderr, "%s: bad line '%s'\n", path, line);
			exit(2);
		}
		snprintf(e[*n].text, sizeof(e[*n].text), "%s", bar + 3);
		(*n)++;
	}
	fclose(f);
	return e;
}

/* An embedder's helper, as tests/progs/extern_helper.bpf.c expects one. */
static uint64_t my_counter_add(uint64_t a, uint64_t b, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct bpfrt_exec *ex)
{
	return a * 100 + b;
}

static int source_line(void *ctx, size_t insn, char *buf, size_t len)
{
	return bpfrt_program__source_line(ctx, insn, buf, len);
}

static void print_ok(const char *obj, const char *prog, size_t cnt, const struct bpfrt_verifier_stats *s)
{
	printf("ok %s %s: %zu insns, processed %zu, states %zu (peak %zu), stack %zu, %llu us\n", obj, prog, cnt,
	       s->insns_processed, s->states, s->peak_states, s->max_stack_depth,
	       (unsigned long long)s->time_ns / 1000);
}

/* Raw instructions (a section cut out with objcopy): a generic program. */
static int check_raw(struct bpfrt_runtime *rt, const char *path, bool verbose)
{
	FILE *f = fopen(path, "rb");
	static struct bpfrt_insn insns[65536];
	size_t cnt = f ? fread(insns, sizeof(insns[0]), 65536, f) : 0;
	if (f)
		fclose(f);
	if (!cnt) {
		printf("FAIL %s: cannot read\n", path);
		return 1;
	}
	struct bpfrt_verifier_stats st;
	BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = BPFRT_ENGINE_INTERP, .verifier_stats = &st,
		   .log_level = verbose ? 2 : 0, .log = verbose ? stdout : NULL);
	struct bpfrt_prog *p = bpfrt_prog__load(rt, path, insns, cnt, &o);
	if (!p) {
		printf("FAIL %s (%zu insns): %s\n", path, cnt, bpfrt_runtime__last_error(rt));
		return 1;
	}
	print_ok(path, "raw", cnt, &st);
	bpfrt_prog__free(p);
	return 0;
}

int main(int argc, char **argv)
{
	bool verbose = false;
	const char *only = NULL;
	struct expect *ex = NULL;
	size_t nex = 0;
	int failed = 0, total = 0, refused = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			ex = read_expect(argv[++i], &nex);
	}
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	if (!rt || bpfrt_runtime__add_helper(rt, 1000, "my_counter_add", my_counter_add)) {
		fprintf(stderr, "check_objects: cannot create a runtime\n");
		return 2;
	}
	for (; i < argc; i++) {
		size_t plen = strlen(argv[i]);
		if (plen > 4 && !strcmp(argv[i] + plen - 4, ".bin")) {
			total++;
			failed += check_raw(rt, argv[i], verbose);
			continue;
		}
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		/* Opened, linked and loaded unverified: then each program on its own. */
		struct bpfrt_object *obj = bpfrt_object__open_file(rt, argv[i], NULL);
		struct expect *oe = NULL;
		for (size_t k = 0; k < nex; k++)
			if (!strcmp(ex[k].prog, "-") && !fnmatch(ex[k].object, base, 0))
				oe = &ex[k];
		if (oe)
			oe->seen = true;
		if (!obj || bpfrt_object__load_engine(obj, BPFRT_ENGINE_CHECKED /* verified below */)) {
			const char *msg = bpfrt_runtime__last_error(rt);
			char missing[512];
			if (oe && contains_all(msg, oe->text, missing, sizeof(missing))) {
				printf("ok %s: refused as expected before verification: %s\n", base, msg);
			} else {
				printf("FAIL %s: cannot load: %s\n", argv[i], msg);
				failed++;
			}
			bpfrt_object__close(obj);
			continue;
		}
		if (oe) {
			printf("FAIL %s: loaded, but expected to fail: %s\n", base, oe->text);
			failed++;
		}
		for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
		     p = bpfrt_object__next_program(obj, p)) {
			const char *name = bpfrt_program__name(p);
			if (only && strcmp(only, name))
				continue;
			total++;
			struct expect *e = NULL;
			char missing[512];
			for (size_t k = 0; k < nex; k++)
				if (!strcmp(ex[k].prog, name) && !fnmatch(ex[k].object, base, 0))
					e = &ex[k];
			struct bpfrt_verifier_stats st;
			BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = BPFRT_ENGINE_INTERP,
				   .prog_type = bpfrt_program__type(p), .source_line = source_line,
				   .source_line_ctx = p, .verifier_stats = &st, .log_level = verbose ? 2 : 0,
				   .log = verbose ? stdout : NULL);
			size_t cnt = bpfrt_program__insn_cnt(p);
			struct bpfrt_prog *lp = bpfrt_prog__load(rt, name, bpfrt_program__insns(p), cnt, &o);
			const char *msg = lp ? NULL : bpfrt_runtime__last_error(rt);
			if (e)
				e->seen = true;
			if (lp && !e) {
				print_ok(base, name, cnt, &st);
			} else if (lp) {
				printf("FAIL %s %s: accepted, but expected a refusal: %s\n", base, name, e->text);
				failed++;
			} else if (!e) {
				printf("FAIL %s %s (%zu insns): %s\n", base, name, cnt, msg);
				failed++;
			} else if (!contains_all(msg, e->text, missing, sizeof(missing))) {
				printf("FAIL %s %s: refused, but the message lacks '%s':\n  %s\n", base, name, missing,
				       msg);
				failed++;
			} else {
				refused++;
				printf("ok %s %s: refused as expected: %s\n", base, name, msg);
			}
			bpfrt_prog__free(lp);
		}
		bpfrt_object__close(obj);
	}
	for (size_t k = 0; k < nex; k++)
		if (!ex[k].seen && !only) {
			printf("FAIL expected %s %s was not checked (no such object or program)\n", ex[k].object,
			       ex[k].prog);
			failed++;
		}
	printf("%d of %d programs as expected (%d verified, %d refused as expected)\n", total - failed, total,
	       total - failed - refused, refused);
	free(ex);
	bpfrt_runtime__free(rt);
	return failed ? 1 : 0;
}
