/* SPDX-License-Identifier: MIT */
/*
 * jit_vector.c - run one test vector (*.data) in the JIT and check it.
 *
 *   jit_vector FILE.data [--dump]
 *
 * The program is loaded as bpfrt_prog__load() does (helper 5 is the
 * conformance suite's "unwind", as in run_vector), compiled, and run twice
 * (the image must not keep state) next to the checked interpreter. The JIT
 * must agree with the interpreter on the return code, r0, message, data and
 * stack, and return the -- result; with an -- error section, fail with a
 * message containing it. Vectors whose error is a load error are not
 * registered (tests/jit/CMakeLists.txt); given one anyway, this fails.
 * --dump prints the native code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "datafile.h"
#include "diffrun.h"

static uint64_t unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		       struct bpfrt_exec *ex)
{
	if (r1 == 0)
		bpfrt_exec__stop(ex, 0);
	return r1;
}

/* The expected error, first line, trimmed. */
static const char *expected_error(struct datafile *df)
{
	if (!df->error)
		return NULL;
	char *s = df->error;
	while (*s == ' ' || *s == '\n')
		s++;
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static int check(const char *name, const struct datafile *df, const char *want_err,
		 const struct diff_run *r)
{
	if (want_err) {
		if (r->err && strstr(r->msg, want_err)) {
			printf("PASS jit/%s: failed as expected (%d): %s\n", name, r->err, r->msg);
			return 0;
		}
		printf("FAIL jit/%s: expected an error containing '%s', got %d: %s\n", name,
		       want_err, r->err, r->err ? r->msg : "success");
		return 1;
	}
	if (r->err) {
		printf("FAIL jit/%s: run failed (%d): %s\n", name, r->err, r->msg);
		return 1;
	}
	if (!df->has_result) {
		printf("FAIL jit/%s: no -- result to compare with\n", name);
		return 1;
	}
	if (r->r0 != df->result) {
		printf("FAIL jit/%s: r0 = 0x%llx, expected 0x%llx\n", name,
		       (unsigned long long)r->r0, (unsigned long long)df->result);
		return 1;
	}
	printf("PASS jit/%s: r0 = 0x%llx, as the interpreter, with the same data and stack\n",
	       name, (unsigned long long)r->r0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--dump"))) {
		fprintf(stderr, "usage: jit_vector FILE.data [--dump]\n");
		return 2;
	}
	const char *path = argv[1];
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char err[512];
	struct datafile df;
	if (datafile_read(path, &df, err, sizeof(err))) {
		printf("FAIL jit/%s: %s\n", name, err);
		return 1;
	}
	const char *want_err = expected_error(&df);
	struct bpfrt_insn *insns = NULL;
	size_t cnt = 0;
	int rc = 1;
	if (datafile_program(&df, &insns, &cnt, err, sizeof(err))) {
		printf("FAIL jit/%s: does not assemble: %s\n", name, err);
		datafile_free(&df);
		return 1;
	}

	static bpfrt_helper_fn const helpers[6] = { [5] = unwind };
	struct diff_prog p;
	struct jit_image img = { 0 };
	struct diag d;
	int e = diff_load(insns, cnt, helpers, 6, &p, &d);
	if (e) {
		printf("FAIL jit/%s: does not load (%d): %s\n", name, e, d.msg);
		goto out;
	}
	diag_clear(&d);
	e = bpfrt_jit_compile(p.code, p.n, &img, &d);
	if (e) {
		printf("FAIL jit/%s: does not compile (%d): %s\n", name, e, d.msg);
		goto out;
	}
	if (argc == 3)
		bpfrt_jit_dump(&img, stdout);

	for (int round = 0; round < 2; round++) {
		struct diff_run ref;
		char why[DIAG_MAX + 128];
		int same = diff_compare(&p, &img, df.mem, df.mem_len, &ref, why, sizeof(why));
		if (same) {
			printf("FAIL jit/%s: %s\n", name, why);
			diff_run_free(&ref);
			rc = 1;
			goto out;
		}
		if (round == 0)
			rc = check(name, &df, want_err, &ref);
		diff_run_free(&ref);
	}
out:
	bpfrt_jit_free(&img);
	diff_prog_free(&p);
	free(insns);
	datafile_free(&df);
	return rc;
}
