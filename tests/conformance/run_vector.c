/* SPDX-License-Identifier: MIT */
/*
 * run_vector.c - run one test vector (*.data) in one engine and check it.
 *
 *   run_vector ENGINE FILE      ENGINE: checked | interp
 *
 * The program must load and return the -- result value, or, when the file has
 * an -- error section, fail (to assemble, load or run) with a message that
 * contains that text. Helper 5 is the conformance suite's "unwind": it returns
 * r1 and ends the program when r1 is 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "datafile.h"

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

static int check_error(const char *name, const char *want, const char *got)
{
	if (strstr(got, want)) {
		printf("PASS %s: failed as expected: %s\n", name, got);
		return 0;
	}
	printf("FAIL %s: expected an error containing '%s', got: %s\n", name, want, got);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "checked") && strcmp(argv[1], "interp"))) {
		fprintf(stderr, "usage: run_vector checked|interp FILE.data\n");
		return 2;
	}
	const char *path = argv[2];
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char err[512];
	struct datafile df;
	if (datafile_read(path, &df, err, sizeof(err))) {
		printf("FAIL %s: %s\n", name, err);
		return 1;
	}
	const char *want_err = expected_error(&df);

	struct bpfrt_insn *insns = NULL;
	size_t cnt = 0;
	int rc = 1;
	if (datafile_program(&df, &insns, &cnt, err, sizeof(err))) {
		rc = want_err ? check_error(name, want_err, err)
			      : (printf("FAIL %s: does not assemble: %s\n", name, err), 1);
		datafile_free(&df);
		return rc;
	}

	BPFRT_OPTS(bpfrt_runtime_opts, ropts, .quiet = true, .no_kernel_helpers = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ropts);
	bpfrt_runtime__add_helper(rt, 5, "unwind", unwind);
	/*
	 * The vectors test the ISA, not the verifier: many read uninitialized
	 * registers or memory on purpose, so the interpreter takes them trusted.
	 */
	BPFRT_OPTS(bpfrt_prog_load_opts, lopts,
		   .engine = strcmp(argv[1], "checked") ? BPFRT_ENGINE_INTERP : BPFRT_ENGINE_CHECKED,
		   .trusted = true);
	struct bpfrt_prog *prog = bpfrt_prog__load(rt, name, insns, cnt, &lopts);
	if (!prog) {
		rc = want_err ? check_error(name, want_err, bpfrt_runtime__last_error(rt))
			      : (printf("FAIL %s: does not load: %s\n", name, bpfrt_runtime__last_error(rt)), 1);
		goto out;
	}
	BPFRT_OPTS(bpfrt_test_run_opts, topts, .data_in = df.mem, .data_size_in = (uint32_t)df.mem_len);
	if (bpfrt_prog__test_run(prog, &topts)) {
		rc = want_err ? check_error(name, want_err, bpfrt_runtime__last_error(rt))
			      : (printf("FAIL %s: run failed: %s\n", name, bpfrt_runtime__last_error(rt)), 1);
	} else if (want_err) {
		printf("FAIL %s: expected error '%s', but it returned 0x%llx\n", name, want_err,
		       (unsigned long long)topts.retval);
	} else if (!df.has_result) {
		printf("FAIL %s: no -- result to compare with\n", name);
	} else if (topts.retval != df.result) {
		printf("FAIL %s: r0 = 0x%llx, expected 0x%llx\n", name,
		       (unsigned long long)topts.retval, (unsigned long long)df.result);
	} else {
		printf("PASS %s: r0 = 0x%llx\n", name, (unsigned long long)topts.retval);
		rc = 0;
	}
out:
	bpfrt_prog__free(prog);
	bpfrt_runtime__free(rt);
	free(insns);
	datafile_free(&df);
	return rc;
}
