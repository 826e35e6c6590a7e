/* SPDX-License-Identifier: MIT */
/*
 * bench_interp.c - time bpfrt's interpreters against the same C compiled
 * natively, and check that every engine computes the same result.
 *
 * Rows are programs, columns engines. For each pair the driver grows a batch
 * until it takes long enough to time, then times several batches, taking
 * turns between the engines, and keeps the median time per run, which
 * shrugs off the odd preempted batch. Timing is reported, never judged: the
 * exit status only says whether every engine agreed with the native result
 * (0), or something differed or failed (1); 2 is bad usage. So `bench_interp --quick` doubles as a correctness test.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfrt/prog.h>
#include "bench.h"

/*
 * The engines, one column each; the first is the baseline the others are
 * measured against. The kernel's column exists where <linux/bpf.h> did at
 * build time, and is skipped at run time where bpf() is not usable.
 */
static const struct bench_engine engines[] = {
	{ "native", &bench_native_ops, 0 },
	{ "jit", &bench_bpfrt_ops, BPFRT_ENGINE_JIT },
	{ "jit+blind", &bench_bpfrt_ops, BPFRT_ENGINE_JIT | BENCH_BPFRT_BLIND },
#ifdef BENCH_HAVE_KERNEL
	{ "kernel", &bench_kernel_ops, 0 },
#endif
	{ "interp", &bench_bpfrt_ops, BPFRT_ENGINE_INTERP },
	{ "checked", &bench_bpfrt_ops, BPFRT_ENGINE_CHECKED },
};
#define NENGINES (sizeof(engines) / sizeof(engines[0]))

/* Every program gets the same input: pseudo-random bytes from a fixed seed. */
#define INPUT_SIZE 4096
#define INPUT_SEED 0x62706672742d6265ull

#define MAX_BATCHES 15 /* no plan times more batches than this */
#define MAX_ITERS (1u << 30)

/*
 * How long to measure: the batch is grown until one takes calib_ns, then
 * sized to take batch_ns, and `batches` of those are timed.
 */
struct plan {
	double calib_ns;
	double batch_ns;
	int batches;
};

static const struct plan full_plan = { 2e6, 20e6, 7 };
/* --quick: a single run gives the result, then one short batch. */
static const struct plan quick_plan = { 0, 1e6, 1 };

enum cell_status { CELL_OK, CELL_SKIPPED, CELL_FAILED };

/* One program on one engine. */
struct cell {
	enum cell_status status;
	uint64_t retval;
	double ns, min_ns, max_ns; /* per run: median, fastest and slowest batch */
	char msg[BENCH_MSG_LEN];   /* why it failed or was skipped */
};

struct engine_slot {
	void *state;
	enum cell_status status; /* CELL_OK, or why none of its cells can run */
	char msg[BENCH_MSG_LEN];
	double log_ratio_sum;    /* for the geometric mean of its ratios */
	int ratio_cnt;
};

struct options {
	const struct plan *plan;
	const char *filter;
	bool json;
};

/*
 * splitmix64: a tiny generator of good-enough bytes, stored little-endian so
 * the input (and so every result) is the same on any host.
 */
static void make_input(uint8_t *buf, size_t size)
{
	uint64_t state = INPUT_SEED;

	for (size_t i = 0; i < size; i += 8) {
		uint64_t z = (state += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (size_t k = 0; k < 8 && i + k < size; k++)
			buf[i + k] = (uint8_t)(z >> (8 * k));
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint32_t iters_for(double target_ns, double ns_per_run)
{
	double n = target_ns / (ns_per_run > 1 ? ns_per_run : 1);

	if (n < 1)
		return 1;
	return n > MAX_ITERS ? MAX_ITERS : (uint32_t)n;
}

/* A cell being measured: its engine's handle, batch size and samples. */
struct trial {
	void *handle; /* NULL once the cell is decided (failed, skipped) */
	uint32_t iters;
	double samples[MAX_BATCHES];
};

static void trial_end(const struct bench_engine *eng, struct trial *t, struct cell *c,
		      enum cell_status status)
{
	c->status = status;
	if (t->handle)
		eng->ops->close(t->handle);
	t->handle = NULL;
}

/*
 * Open one program on one engine and find its batch size: the batch grows
 * fourfold until it takes plan->calib_ns, so that the per-run figure used to
 * size the timed batches is not just clock resolution. The first run also
 * warms caches up and gives the result.
 */
static void calibrate(const struct bench_engine *eng, void *state, const struct bench_prog *prog,
		      const uint8_t *input, const struct plan *plan, struct trial *t,
		      struct cell *c)
{
	struct bench_sample s;
	uint32_t iters = 1;

	errno = 0;
	t->handle = eng->ops->open(state, eng, prog, c->msg);
	if (!t->handle) {
		c->status = errno == EOPNOTSUPP ? CELL_SKIPPED : CELL_FAILED;
		return;
	}
	for (;;) {
		int err = eng->ops->run(t->handle, input, INPUT_SIZE, iters, &s, c->msg);

		if (err) {
			trial_end(eng, t, c, err == -EOPNOTSUPP ? CELL_SKIPPED : CELL_FAILED);
			return;
		}
		if (s.ns * iters >= plan->calib_ns || iters >= MAX_ITERS / 4)
			break;
		iters *= 4;
	}
	c->retval = s.retval;
	t->iters = iters_for(plan->batch_ns, s.ns);
}

/*
 * Time one program on every engine into cells. The batches are interleaved,
 * one per engine in turn, so that a busy spell of the machine slows every
 * engine alike instead of one column; each keeps its median batch. Every
 * batch must return the result of the first run, or the program is not
 * deterministic on that engine.
 */
static void measure(const struct bench_prog *prog, const uint8_t *input,
		    const struct plan *plan, struct engine_slot *slots, struct cell *cells)
{
	struct trial trials[NENGINES] = { 0 };
	struct bench_sample s;

	for (size_t e = 0; e < NENGINES; e++) {
		struct cell *c = &cells[e];

		memset(c, 0, sizeof(*c));
		if (slots[e].status != CELL_OK) {
			c->status = slots[e].status;
			snprintf(c->msg, sizeof(c->msg), "%s", slots[e].msg);
			continue;
		}
		calibrate(&engines[e], slots[e].state, prog, input, plan, &trials[e], c);
	}

	for (int b = 0; b < plan->batches; b++) {
		for (size_t e = 0; e < NENGINES; e++) {
			struct trial *t = &trials[e];
			struct cell *c = &cells[e];

			if (!t->handle)
				continue;
			if (engines[e].ops->run(t->handle, input, INPUT_SIZE, t->iters, &s, c->msg)) {
				trial_end(&engines[e], t, c, CELL_FAILED);
				continue;
			}
			if (s.retval != c->retval) {
				snprintf(c->msg, sizeof(c->msg),
					 "result changed between runs: 0x%" PRIx64 ", then 0x%" PRIx64,
					 c->retval, s.retval);
				trial_end(&engines[e], t, c, CELL_FAILED);
				continue;
			}
			t->samples[b] = s.ns;
		}
	}

	for (size_t e = 0; e < NENGINES; e++) {
		struct trial *t = &trials[e];
		struct cell *c = &cells[e];

		if (!t->handle)
			continue;
		qsort(t->samples, plan->batches, sizeof(t->samples[0]), cmp_double);
		c->min_ns = t->samples[0];
		c->max_ns = t->samples[plan->batches - 1];
		c->ns = plan->batches % 2 ? t->samples[plan->batches / 2] :
			(t->samples[plan->batches / 2 - 1] + t->samples[plan->batches / 2]) / 2;
		trial_end(&engines[e], t, c, CELL_OK);
	}
}

/* --- output: a Markdown table, or JSON --- */

static const char *native_compiler(void)
{
	/* The driver is built by the compiler that built the native programs. */
#if defined(__clang__)
	return "clang " __clang_version__ " -O2";
#elif defined(__GNUC__)
	return "gcc " __VERSION__ " -O2";
#else
	return "cc -O2";
#endif
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void column_heading(size_t e, char *buf, size_t size)
{
	if (e == 0)
		snprintf(buf, size, "%s ns/run", engines[0].name);
	else
		snprintf(buf, size, "%s ns/run (x %s)", engines[e].name, engines[0].name);
}

static void print_header(const struct options *o)
{
	char heading[64];

	if (o->json) {
		printf("{\n  \"input_bytes\": %d,\n  \"native\": ", INPUT_SIZE);
		json_string(native_compiler());
		printf(",\n  \"batches\": %d,\n  \"programs\": [", o->plan->batches);
		return;
	}
	printf("%d-byte input; native: %s; bpf: clang -O2 -mcpu=v3; median of %d batch%s\n\n",
	       INPUT_SIZE, native_compiler(), o->plan->batches,
	       o->plan->batches == 1 ? "" : "es");
	printf("| %-8s | %5s |", "program", "insns");
	for (size_t e = 0; e < NENGINES; e++) {
		column_heading(e, heading, sizeof(heading));
		printf(" %s |", heading);
	}
	printf("\n|----------|------:|");
	for (size_t e = 0; e < NENGINES; e++) {
		column_heading(e, heading, sizeof(heading));
		printf("%.*s:|", (int)strlen(heading) + 1,
		       "--------------------------------------------------------------");
	}
	putchar('\n');
}

static void print_row(const struct options *o, const struct bench_prog *prog,
		      const struct cell *cells, bool first)
{
	const struct cell *base = &cells[0];
	size_t insns = prog->bpf->size / sizeof(struct bpfrt_insn);
	char heading[64], text[64];

	if (o->json) {
		printf("%s\n    {\"name\": ", first ? "" : ",");
		json_string(prog->name);
		printf(", \"insns\": %zu, \"engines\": {", insns);
		for (size_t e = 0; e < NENGINES; e++) {
			const struct cell *c = &cells[e];

			printf("%s\n      ", e ? "," : "");
			json_string(engines[e].name);
			if (c->status != CELL_OK) {
				printf(": {\"%s\": ", c->status == CELL_SKIPPED ? "skipped" : "error");
				json_string(c->msg);
				putchar('}');
				continue;
			}
			printf(": {\"result\": \"0x%016" PRIx64 "\", \"ns\": %.1f, \"min_ns\": %.1f, \"max_ns\": %.1f",
			       c->retval, c->ns, c->min_ns, c->max_ns);
			if (e && base->status == CELL_OK)
				printf(", \"ratio\": %.3f", c->ns / base->ns);
			putchar('}');
		}
		printf("}}");
		return;
	}

	printf("| %-8s | %5zu |", prog->name, insns);
	for (size_t e = 0; e < NENGINES; e++) {
		const struct cell *c = &cells[e];

		if (c->status == CELL_SKIPPED)
			snprintf(text, sizeof(text), "n/a");
		else if (c->status == CELL_FAILED)
			snprintf(text, sizeof(text), "FAIL");
		else if (e == 0 || base->status != CELL_OK)
			snprintf(text, sizeof(text), "%.1f", c->ns);
		else
			snprintf(text, sizeof(text), "%.1f (%.1fx)", c->ns, c->ns / base->ns);
		column_heading(e, heading, sizeof(heading));
		printf(" %*s |", (int)strlen(heading), text);
	}
	putchar('\n');
	fflush(stdout);
}

static void print_footer(const struct options *o, const struct engine_slot *slots)
{
	char heading[64], text[32];

	if (o->json) {
		printf("\n  ],\n  \"geomean_ratio\": {");
		for (size_t e = 1, n = 0; e < NENGINES; e++) {
			if (!slots[e].ratio_cnt)
				continue;
			printf("%s", n++ ? ", " : "");
			json_string(engines[e].name);
			printf(": %.3f", exp(slots[e].log_ratio_sum / slots[e].ratio_cnt));
		}
		printf("}\n}\n");
		return;
	}
	printf("| %-8s | %5s |", "geomean", "");
	for (size_t e = 0; e < NENGINES; e++) {
		text[0] = '\0';
		if (e && slots[e].ratio_cnt)
			snprintf(text, sizeof(text), "(%.1fx)",
				 exp(slots[e].log_ratio_sum / slots[e].ratio_cnt));
		column_heading(e, heading, sizeof(heading));
		printf(" %*s |", (int)strlen(heading), text);
	}
	putchar('\n');
}

/*
 * Why cells are empty, printed under the Markdown table (JSON has them in
 * the cells). Beyond MAX_NOTES they still go to stderr.
 */
#define MAX_NOTES 32
static char notes[MAX_NOTES][BENCH_MSG_LEN + 64];
static int note_cnt;

static void print_notes(const struct options *o)
{
	if (o->json || !note_cnt)
		return;
	putchar('\n');
	for (int i = 0; i < note_cnt; i++)
		printf("- %s\n", notes[i]);
}

/* --- driver --- */

/*
 * Run one program on every engine and hold each result against the
 * baseline's. Return whether they all agreed.
 */
static bool bench_prog(const struct options *o, const struct bench_prog *prog,
		       const uint8_t *input, struct engine_slot *slots, struct cell *cells)
{
	const struct cell *base = &cells[0];
	bool ok = true;

	measure(prog, input, o->plan, slots, cells);
	for (size_t e = 0; e < NENGINES; e++) {
		struct cell *c = &cells[e];

		if (c->status == CELL_OK && e && base->status == CELL_OK &&
		    c->retval != base->retval) {
			c->status = CELL_FAILED;
			snprintf(c->msg, sizeof(c->msg),
				 "returned 0x%" PRIx64 ", %s returned 0x%" PRIx64,
				 c->retval, engines[0].name, base->retval);
		}
		if (c->status == CELL_FAILED) {
			fprintf(stderr, "bench_interp: %s on %s: %s\n",
				prog->name, engines[e].name, c->msg);
			ok = false;
		} else if (c->status == CELL_SKIPPED && slots[e].status == CELL_OK) {
			/* One program the engine cannot run, not the whole column. */
			fprintf(stderr, "bench_interp: %s on %s skipped: %s\n",
				prog->name, engines[e].name, c->msg);
			if (note_cnt < MAX_NOTES)
				snprintf(notes[note_cnt++], sizeof(notes[0]), "%s on %s: %s",
					 prog->name, engines[e].name, c->msg);
		} else if (c->status == CELL_OK && e && base->status == CELL_OK) {
			slots[e].log_ratio_sum += log(c->ns / base->ns);
			slots[e].ratio_cnt++;
		}
	}
	return ok;
}

static bool selected(const struct options *o, const struct bench_prog *prog)
{
	return !o->filter || strstr(prog->name, o->filter);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_interp [-q] [-f NAME] [-j]\n"
		"Time each benchmark program natively and on bpfrt's engines, and check\n"
		"that all return the same result (exit status 1 if not).\n"
		"  -q, --quick        one short batch each: checks results, times roughly\n"
		"  -f, --filter NAME  only programs whose name contains NAME\n"
		"  -j, --json         print JSON instead of a table\n"
		"  -h, --help         this message\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct options){ .plan = &full_plan };
	while ((opt = getopt_long(argc, argv, "qf:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			o->plan = &quick_plan;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench_interp: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t input[INPUT_SIZE];
	struct engine_slot slots[NENGINES] = { 0 };
	struct cell cells[NENGINES];
	struct options o;
	size_t matches = 0, ran = 0;
	bool ok = true;

	if (parse_args(argc, argv, &o))
		return 2;
	for (size_t i = 0; i < bench_prog_cnt; i++)
		matches += selected(&o, &bench_progs[i]);
	if (!matches) {
		fprintf(stderr, "bench_interp: no program matches '%s'\n", o.filter);
		return 2;
	}
	make_input(input, sizeof(input));

	for (size_t e = 0; e < NENGINES; e++) {
		const struct bench_engine *eng = &engines[e];
		int err = eng->ops->setup ? eng->ops->setup(eng, &slots[e].state, slots[e].msg) : 0;

		if (err == -EOPNOTSUPP) {
			slots[e].status = CELL_SKIPPED;
			fprintf(stderr, "bench_interp: %s skipped: %s\n", eng->name, slots[e].msg);
		} else if (err) {
			slots[e].status = CELL_FAILED;
		}
	}

	print_header(&o);
	for (size_t i = 0; i < bench_prog_cnt; i++) {
		const struct bench_prog *prog = &bench_progs[i];

		if (!selected(&o, prog))
			continue;
		ok &= bench_prog(&o, prog, input, slots, cells);
		print_row(&o, prog, cells, ran++ == 0);
	}
	print_footer(&o, slots);
	print_notes(&o);

	for (size_t e = 0; e < NENGINES; e++)
		if (slots[e].status == CELL_OK && engines[e].ops->teardown)
			engines[e].ops->teardown(slots[e].state);

	if (!ok)
		fprintf(stderr, "bench_interp: engines disagree or failed, see above\n");
	return ok ? 0 : 1;
}
