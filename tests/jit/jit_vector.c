/* SPDX-License-Identifier: MIT */
/*
 * jit_vector.c - run one test vector (*.data) in the JIT and check it.
 *
 *   jit_vector FILE.data [--dump] [--blind]
 *
 * The program is loaded as bpfrt_prog__load() does (helper 5 is the
 * conformance suite's "unwind", as in run_vector; 181 is the runtime's
 * bpf_loop; 6 is where(), below), compiled, and run twice
 * (the image must not keep state) next to the checked interpreter. The JIT
 * must agree with the interpreter on the return code, r0, message, data and
 * stack, and return the -- result; with an -- error section, fail with a
 * message containing it. Vectors whose error is a load error are not
 * registered (tests/jit/CMakeLists.txt); given one anyway, this fails.
 * --dump prints the native code. --blind compiles with constant blinding
 * and also checks that no distinctive immediate of the program (see
 * check_blinded()) is in the code, while each is in the code compiled
 * without it.
 */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
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

/*
 * Helper 6, where(r1): returns r1, and counts whether the code that called
 * it is the image under test. Every run of the JIT must call it from the
 * image as often as the interpreter's run calls it from elsewhere: a
 * callback that ran in the interpreter instead of natively would call it
 * from interp.c and make the counts differ.
 */
static const struct jit_image *where_img;
static unsigned where_native, where_other;

__attribute__((noinline)) static uint64_t where(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
						uint64_t r5, struct bpfrt_exec *ex)
{
	uintptr_t from = (uintptr_t)__builtin_return_address(0);
	uintptr_t lo = where_img ? (uintptr_t)where_img->mem : 0;

	if (where_img && from >= lo && from - lo < where_img->code_size)
		where_native++;
	else
		where_other++;
	return r1;
}

#define HELPER_BPF_LOOP 181

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

/*
 * Is needle in the code of the program's own slots? The shared prologue,
 * stubs and 0xcc padding are the JIT's, not the program's.
 */
static bool contains(const struct jit_image *img, const void *needle, size_t len)
{
	const uint8_t *body = (const uint8_t *)img->mem + img->insn_off[0];

	return memmem(body, img->insn_off[img->n] - img->insn_off[0], needle, len) != NULL;
}

/*
 * The immediates worth looking for: those of ALU and jump operands, 4- and
 * 8-byte stores and lddw, of magnitude at least 0x10000 so that their bytes
 * are unlikely to turn up elsewhere in the code by chance. Shift counts are
 * left out (the ISA masks them to 6 bits, so the code holds one byte), as
 * are jumps to the next slot (no code). Each must be in the plain image -
 * else this check could not fail - and none in the blinded one. Returns the
 * number checked, or -1 after printing what is wrong.
 */
static int check_blinded(const char *name, const struct diff_prog *p, const struct jit_image *plain,
			 const struct jit_image *blinded)
{
	int checked = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct xinsn *x = &p->code[i];
		const struct opinfo *oi = &bpfrt_optable[x->op];
		unsigned op = oi->code & 0xf0;
		uint8_t pat[8];
		size_t len = 4;

		if (oi->form == F_LDDW) {
			if (x->imm > UINT32_MAX && x->imm < INT32_MIN)
				len = 8;
		} else if (!((oi->form == F_ALU && !op_src_is_reg(oi) && op != 0x60 && op != 0x70 &&
			      op != 0xc0) ||
			     (oi->form == F_JCOND && !op_src_is_reg(oi) && x->off != 0) ||
			     (oi->form == F_ST && oi->bits >= 32))) {
			continue;
		}
		if (len == 4 && (int32_t)x->imm > -0x10000 && (int32_t)x->imm < 0x10000)
			continue;
		for (size_t k = 0; k < len; k++)
			pat[k] = (uint8_t)((uint64_t)x->imm >> (8 * k));
		if (!contains(plain, pat, len)) {
			printf("FAIL jit/%s: immediate 0x%llx of slot %zu is not in the plain code: "
			       "this check cannot work\n", name, (unsigned long long)x->imm, i);
			return -1;
		}
		if (contains(blinded, pat, len)) {
			printf("FAIL jit/%s: immediate 0x%llx of slot %zu is in the blinded code\n", name,
			       (unsigned long long)x->imm, i);
			return -1;
		}
		checked++;
	}
	return checked;
}

int main(int argc, char **argv)
{
	bool dump = false, blind = false;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--dump"))
			dump = true;
		else if (!strcmp(argv[i], "--blind"))
			blind = true;
		else
			argc = 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: jit_vector FILE.data [--dump] [--blind]\n");
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

	static bpfrt_helper_fn helpers[HELPER_BPF_LOOP + 1] = { [5] = unwind, [6] = where };
	helpers[HELPER_BPF_LOOP] = diff_control_helper(HELPER_BPF_LOOP);
	struct diff_prog p;
	struct jit_image img = { 0 }, plain = { 0 };
	struct diag d;
	int e = diff_load(insns, cnt, helpers, HELPER_BPF_LOOP + 1, &p, &d);
	if (e) {
		printf("FAIL jit/%s: does not load (%d): %s\n", name, e, d.msg);
		goto out;
	}
	diag_clear(&d);
	struct jit_opts jo = { .blind = blind };
	e = bpfrt_jit_compile_opts(p.code, p.n, &jo, &img, &d);
	if (e) {
		printf("FAIL jit/%s: does not compile (%d): %s\n", name, e, d.msg);
		goto out;
	}
	if (dump)
		bpfrt_jit_dump(&img, stdout);
	if (blind) {
		e = bpfrt_jit_compile(p.code, p.n, &plain, &d);
		if (e) {
			printf("FAIL jit/%s: does not compile without blinding (%d): %s\n", name, e, d.msg);
			goto out;
		}
		int n = check_blinded(name, &p, &plain, &img);
		if (n < 0)
			goto out;
		printf("jit/%s: %d distinctive immediate(s), none in the blinded code\n", name, n);
	}

	where_img = &img;
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
	if (where_native != where_other) {
		printf("FAIL jit/%s: helper 6 was called %u time(s) by the interpreter but %u time(s) "
		       "from the native code: some of the JIT's run was not native\n", name,
		       where_other, where_native);
		rc = 1;
	} else if (where_native) {
		printf("jit/%s: all %u call(s) of helper 6 in the JIT came from native code\n", name,
		       where_native);
	}
out:
	bpfrt_jit_free(&img);
	bpfrt_jit_free(&plain);
	diff_prog_free(&p);
	free(insns);
	datafile_free(&df);
	return rc;
}
