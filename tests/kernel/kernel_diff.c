/* SPDX-License-Identifier: MIT */
/*
 * kernel_diff - run conformance vectors in bpfrt and in the Linux kernel and
 * compare: r0, the memory after the run, and the file's expected result.
 *
 *   kernel_diff [-v] [--engine checked|interp] [--rejects LIST] FILE.data|DIR...
 *
 * One line per file: "name: agree", "name: mismatch: ...", "name: rejected:
 * <verifier's reason> ..."; then "N passed, N failed, N skipped". Fails on a
 * mismatch, on a kernel rejection LIST does not expect, and on a LIST entry
 * the kernel no longer needs (see rejects.h). Listed rejections and listed
 * differences count as skipped: the kernel could not judge those files.
 * Exits 77 (skipped, for CTest) when the kernel oracle is unavailable.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"
#include "datafile.h"
#include "oracle.h"
#include "rejects.h"

#define EXIT_SKIP 77
/* The helper id the conformance suite calls ("call 5", callx). */
#define CONF_HELPER_ID 5

enum outcome { PASSED, FAILED, SKIPPED };

struct diff {
	struct bpfrt_runtime *rt;
	struct reject_list rejects;
	bool verbose;
	enum bpfrt_engine engine;
	int count[3];
	bool scanned_dir;
};

/* bpfrt's side of one file. */
struct bpfrt_side {
	bool ran;
	uint64_t r0;
	uint8_t *mem_out;
	char msg[512];
};

/*
 * The conformance suite's helper 5: returns r1, and ends the program
 * ("unwinds") when r1 is 0. The kernel's helper 5 is bpf_ktime_get_ns.
 */
static uint64_t conf_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct bpfrt_exec *ex)
{
	if (r1 == 0)
		bpfrt_exec__stop(ex, 0);
	return r1;
}

static void run_bpfrt(struct diff *d, const char *name, const struct bpfrt_insn *insns,
		      size_t cnt, const struct datafile *df, struct bpfrt_side *out)
{
	memset(out, 0, sizeof(*out));
	/* conformance vectors test the ISA, not the verifier: trusted */
	BPFRT_OPTS(bpfrt_prog_load_opts, lo, .engine = d->engine, .trusted = true);
	struct bpfrt_prog *prog = bpfrt_prog__load(d->rt, name, insns, cnt, &lo);
	if (!prog) {
		snprintf(out->msg, sizeof(out->msg), "load: %s", bpfrt_runtime__last_error(d->rt));
		return;
	}
	out->mem_out = df->mem_len ? calloc(1, df->mem_len) : NULL;
	BPFRT_OPTS(bpfrt_test_run_opts, run, .data_in = df->mem,
		   .data_size_in = (uint32_t)df->mem_len, .data_out = out->mem_out,
		   .data_size_out = out->mem_out ? (uint32_t)df->mem_len : 0);
	int err = bpfrt_prog__test_run(prog, &run);
	if (err)
		snprintf(out->msg, sizeof(out->msg), "run: %s (%s)",
			 bpfrt_runtime__last_error(d->rt), strerror(-err));
	else
		out->ran = true;
	out->r0 = run.retval;
	bpfrt_prog__free(prog);
}

/* The verifier's log, shown for failures (the first thing one wants) and with -v. */
static void print_log(const char *log)
{
	if (log)
		printf("---- verifier log ----\n%s----\n", log);
}

/*
 * Writes into buf the kernel's and bpfrt's results (and the file's); true if
 * anything differs in the bits the kernel reported.
 */
static bool describe_diff(const struct datafile *df, const struct kern_conf_result *k,
			  const struct bpfrt_side *b, char *buf, size_t len)
{
	uint64_t mask = k->r0_bits >= 64 ? UINT64_MAX : (1ull << k->r0_bits) - 1;
	bool bad = false;
	size_t n = 0;
#define SAY(...) (n += (size_t)snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	SAY("kernel r0 0x%" PRIx64 "%s", k->r0, mask == UINT64_MAX ? "" : " (low 32 bits)");
	if (!b->ran) {
		SAY(", bpfrt failed: %s", b->msg);
		bad = true;
	} else {
		SAY(", bpfrt r0 0x%" PRIx64, b->r0);
		bad |= ((k->r0 ^ b->r0) & mask) != 0;
	}
	if (df->has_result) {
		SAY(", expected 0x%" PRIx64, df->result);
		bad |= ((k->r0 ^ df->result) & mask) != 0;
	}
	if (b->ran && k->mem_out && b->mem_out && memcmp(k->mem_out, b->mem_out, df->mem_len)) {
		for (size_t i = 0; i < df->mem_len; i++)
			if (k->mem_out[i] != b->mem_out[i]) {
				SAY(", memory differs at byte %zu: kernel 0x%02x, bpfrt 0x%02x", i,
				    k->mem_out[i], b->mem_out[i]);
				break;
			}
		bad = true;
	}
#undef SAY
	return bad;
}

/* The kernel refused the program: fine only if the list says so and bpfrt is right. */
static enum outcome on_rejected(const char *name, const struct datafile *df,
				const struct kern_conf_result *k, const struct bpfrt_side *b,
				struct reject *r)
{
	if (df->error && !b->ran) {
		printf("%s: agree: both refuse (kernel: %s)\n", name, k->reason);
		return PASSED;
	}
	if (!r || r->kind != REJECT_VERIFIER) {
		printf("%s: rejected: %s (not expected: add it to kernel_rejects.txt if the "
		       "kernel is right to refuse it)\n", name, k->reason);
		return FAILED;
	}
	if (!b->ran || (df->has_result && b->r0 != df->result)) {
		printf("%s: rejected as expected (%s), but bpfrt is wrong: ", name, r->reason);
		if (b->ran)
			printf("r0 0x%" PRIx64 ", expected 0x%" PRIx64 "\n", b->r0, df->result);
		else
			printf("%s\n", b->msg);
		return FAILED;
	}
	printf("%s: rejected: %s (expected: %s)\n", name, k->reason, r->reason);
	return SKIPPED;
}

/* The kernel ran the program: everything must match, unless listed as differing. */
static enum outcome on_ran(const char *name, const struct datafile *df,
			   const struct kern_conf_result *k, const struct bpfrt_side *b,
			   const struct reject_list *list, struct reject *r)
{
	char what[1024];
	if (df->error && r && r->kind == REJECT_DIFFERS) {
		printf("%s: the kernel runs it (r0 0x%" PRIx64 "), bpfrt refuses it (expected: %s)\n",
		       name, k->r0, r->reason);
		return SKIPPED;
	}
	if (df->error) {
		printf("%s: mismatch: the kernel runs it (r0 0x%" PRIx64 ") but the file expects "
		       "bpfrt to refuse it%s%s\n", name, k->r0, b->ran ? "" : ": ",
		       b->ran ? "" : b->msg);
		return FAILED;
	}
	bool bad = describe_diff(df, k, b, what, sizeof(what));
	if (bad && r && r->kind == REJECT_DIFFERS) {
		printf("%s: mismatch (expected: %s): %s\n", name, r->reason, what);
		return SKIPPED;
	}
	if (bad) {
		printf("%s: mismatch: %s\n", name, what);
		return FAILED;
	}
	if (r) {
		printf("%s: agree, but %s:%d lists it (%s): stale entry\n", name, list->path,
		       r->line, r->reason);
		return FAILED;
	}
	printf("%s: agree\n", name);
	return PASSED;
}

/* "dir/name.data" -> "name" */
static void file_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".data"))
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, base);
}

static enum outcome check_file(struct diff *d, const char *path)
{
	char name[256], err[512];
	struct datafile df;
	struct bpfrt_insn *insns = NULL;
	size_t cnt = 0;

	file_name(path, name, sizeof(name));
	if (datafile_read(path, &df, err, sizeof(err))) {
		printf("%s: cannot read: %s\n", name, err);
		return FAILED;
	}
	if (datafile_program(&df, &insns, &cnt, err, sizeof(err))) {
		/* A vector of assembler errors has nothing for the kernel to run. */
		enum outcome o = df.error ? SKIPPED : FAILED;
		printf("%s: bpfrt cannot assemble it%s: %s\n", name,
		       df.error ? ", as the file expects" : "", err);
		datafile_free(&df);
		return o;
	}

	struct bpfrt_side b;
	struct kern_conf_result k;
	struct reject *r = rejects_find(&d->rejects, name);
	enum outcome o;
	run_bpfrt(d, name, insns, cnt, &df, &b);
	kern_conf_run(insns, cnt, df.mem, df.mem_len, &k);
	if (r)
		r->seen = true;

	switch (k.verdict) {
	case KERN_RAN:
		o = on_ran(name, &df, &k, &b, &d->rejects, r);
		break;
	case KERN_REJECTED:
		o = on_rejected(name, &df, &k, &b, r);
		break;
	default:
		printf("%s: error: %s\n", name, k.reason);
		o = FAILED;
		break;
	}
	if (o == FAILED || d->verbose)
		print_log(k.log);

	kern_conf_result_free(&k);
	free(b.mem_out);
	free(insns);
	datafile_free(&df);
	return o;
}

static int has_data_suffix(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 5 && !strcmp(e->d_name + n - 5, ".data");
}

static int check_path(struct diff *d, const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "kernel_diff: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		d->count[check_file(d, path)]++;
		return 0;
	}
	struct dirent **ents;
	int n = scandir(path, &ents, has_data_suffix, alphasort);
	if (n < 0) {
		fprintf(stderr, "kernel_diff: %s: %s\n", path, strerror(errno));
		return -1;
	}
	d->scanned_dir = true;
	for (int i = 0; i < n; i++) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", path, ents[i]->d_name);
		d->count[check_file(d, file)]++;
		free(ents[i]);
	}
	free(ents);
	if (!n)
		fprintf(stderr, "kernel_diff: %s: no .data files\n", path);
	return n ? 0 : -1;
}

/* After a whole directory, an entry no file matched is a stale (or misspelt) one. */
static int unseen_entries(const struct diff *d)
{
	int bad = 0;
	for (size_t i = 0; d->scanned_dir && i < d->rejects.n; i++) {
		const struct reject *r = &d->rejects.v[i];
		if (r->seen)
			continue;
		printf("%s:%d: '%s' matches no file that was checked: stale entry\n",
		       d->rejects.path, r->line, r->name);
		bad++;
	}
	return bad;
}

static void usage(void)
{
	fprintf(stderr, "usage: kernel_diff [-v] [--engine checked|interp] [--rejects LIST] "
		"FILE.data|DIR...\n");
}

int main(int argc, char **argv)
{
	struct diff d = { 0 };
	const char *list = NULL;
#ifdef KERNEL_REJECTS_FILE
	list = KERNEL_REJECTS_FILE;
#endif
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "-v")) {
			d.verbose = true;
		} else if (!strcmp(argv[first], "--engine") && first + 1 < argc) {
			const char *e = argv[++first];
			if (strcmp(e, "checked") && strcmp(e, "interp")) {
				usage();
				return 2;
			}
			d.engine = !strcmp(e, "interp") ? BPFRT_ENGINE_INTERP : BPFRT_ENGINE_CHECKED;
		} else if (!strcmp(argv[first], "--rejects") && first + 1 < argc) {
			list = argv[++first];
		} else {
			usage();
			return 2;
		}
	}
	if (first == argc) {
		usage();
		return 2;
	}

	char why[512];
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("kernel_diff: SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	if (list && rejects_read(list, &d.rejects, why, sizeof(why))) {
		fprintf(stderr, "kernel_diff: rejects list %s\n", why);
		return 2;
	}
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true, .no_kernel_helpers = true);
	d.rt = bpfrt_runtime__new(&ro);
	if (!d.rt) {
		fprintf(stderr, "kernel_diff: bpfrt runtime: %s\n", strerror(errno));
		return 2;
	}
	int err = bpfrt_runtime__add_helper(d.rt, CONF_HELPER_ID, "conformance_unwind",
					    conf_helper);
	if (err) {
		fprintf(stderr, "kernel_diff: helper %d: %s\n", CONF_HELPER_ID, strerror(-err));
		return 2;
	}

	int bad_args = 0;
	for (int i = first; i < argc; i++)
		bad_args |= check_path(&d, argv[i]) != 0;
	int stale = unseen_entries(&d);
	printf("%d passed, %d failed, %d skipped\n", d.count[PASSED], d.count[FAILED],
	       d.count[SKIPPED]);

	bpfrt_runtime__free(d.rt);
	rejects_free(&d.rejects);
	return d.count[FAILED] || stale || bad_args ? 1 : 0;
}
