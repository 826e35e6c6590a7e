/* SPDX-License-Identifier: MIT */
/*
 * bench_verify.c - how long bpfrt's verifier takes and how much memory it
 * needs, next to Linux's verifier on the same program on this machine.
 *
 *   bench_verify [--runs N] [OBJECT.o...]
 *
 * Programs: every program of the given objects, and generated ones of 100k+
 * instructions: straight-line code, a long chain of branches (pruning), many
 * small counted loops, and one long counted loop (instructions processed near
 * the budget). All are XDP programs, so Linux loads them as they are.
 *
 * bpfrt: the verifier's own time (bpfrt_verifier_stats.time_ns, median of N
 * runs) and its peak memory: how far the peak resident set (VmHWM, reset
 * through /proc/self/clear_refs) of a child process grows above its resident
 * set while it verifies the program once. Linux: the
 * verification time and processed instructions that BPF_PROG_LOAD reports
 * with log_level BPF_LOG_STATS (median of N loads; needs root and bpf()).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

#define KLOG_SIZE (1u << 20)
#define MAX_RUNS 15

static int runs = 5;
static char klog[KLOG_SIZE];

struct figures {
	bool ok;
	size_t processed, states, peak_states;
	double ms;       /* median */
	long peak_kib;   /* growth of the peak RSS while verifying */
	char why[200];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n ? v[n / 2] : 0;
}

/* A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), -1 if unreadable. */
static long status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Start measuring the peak resident set from now (Linux: clear_refs 5 resets VmHWM). */
static long peak_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (f) {
		fputs("5", f);
		fclose(f);
	}
	return status_kib("VmRSS");
}

/* ---- bpfrt ---- */

static int source_line(void *ctx, size_t insn, char *buf, size_t len)
{
	return bpfrt_program__source_line(ctx, insn, buf, len);
}

/* Verify once; the figures of this run. */
static void bpfrt_once(struct bpfrt_runtime *rt, const char *name, const struct bpfrt_insn *insns, size_t cnt,
		       enum bpfrt_prog_type type, struct bpfrt_program *src, struct figures *f, double *ms)
{
	struct bpfrt_verifier_stats st = { 0 };
	BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = BPFRT_ENGINE_INTERP, .prog_type = type,
		   .source_line = src ? source_line : NULL, .source_line_ctx = src, .verifier_stats = &st);
	struct bpfrt_prog *p = bpfrt_prog__load(rt, name, insns, cnt, &o);
	f->ok = p != NULL;
	if (!p)
		snprintf(f->why, sizeof(f->why), "%s", bpfrt_runtime__last_error(rt));
	f->processed = st.insns_processed;
	f->states = st.states;
	f->peak_states = st.peak_states;
	*ms = (double)st.time_ns / 1e6;
	bpfrt_prog__free(p);
}

/*
 * In a child: open (obj) or take (insns) the program, note the peak RSS,
 * verify once, and report the growth; then time the remaining runs.
 */
static void bpfrt_measure(const char *obj_path, const char *prog_name, const struct bpfrt_insn *insns,
			  size_t cnt, struct figures *f)
{
	int pfd[2];
	memset(f, 0, sizeof(*f));
	if (pipe(pfd)) {
		snprintf(f->why, sizeof(f->why), "pipe: %s", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
		struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
		struct bpfrt_object *obj = NULL;
		struct bpfrt_program *src = NULL;
		enum bpfrt_prog_type type = BPFRT_PROG_TYPE_XDP;
		if (obj_path) {
			obj = bpfrt_object__open_file(rt, obj_path, NULL);
			if (!obj || bpfrt_object__load_engine(obj, BPFRT_ENGINE_CHECKED /* verified below */))
				_exit(2);
			src = bpfrt_object__find_program_by_name(obj, prog_name);
			if (!src)
				_exit(2);
			insns = bpfrt_program__insns(src);
			cnt = bpfrt_program__insn_cnt(src);
			type = bpfrt_program__type(src);
		}
		struct figures r = { 0 };
		double ms[MAX_RUNS];
		long before = peak_reset();
		bpfrt_once(rt, prog_name, insns, cnt, type, src, &r, &ms[0]);
		long hwm = status_kib("VmHWM");
		r.peak_kib = before < 0 || hwm < 0 ? -1 : hwm - before;
		for (int i = 1; i < runs && r.ok; i++)
			bpfrt_once(rt, prog_name, insns, cnt, type, src, &r, &ms[i]);
		r.ms = median(ms, r.ok ? runs : 1);
		ssize_t n = write(pfd[1], &r, sizeof(r));
		bpfrt_object__close(obj);
		bpfrt_runtime__free(rt);
		_exit(n == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(pfd[1]);
	ssize_t n = pid > 0 ? read(pfd[0], f, sizeof(*f)) : -1;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (n != (ssize_t)sizeof(*f)) {
		memset(f, 0, sizeof(*f));
		snprintf(f->why, sizeof(f->why), "the measuring process failed");
	}
}

/* ---- Linux ---- */

static bool parse_stats(const char *log, struct figures *f, double *ms)
{
	const char *p = strstr(log, "processed ");
	const char *t = strstr(log, "verification time ");
	unsigned long insns, usec;
	if (!p || !t || sscanf(p, "processed %lu insns", &insns) != 1 ||
	    sscanf(t, "verification time %lu usec", &usec) != 1)
		return false;
	f->processed = insns;
	*ms = (double)usec / 1000.0;
	return true;
}

static void last_line(const char *log, char *out, size_t len)
{
	size_t n = strlen(log);
	while (n && log[n - 1] == '\n')
		n--;
	size_t s = n;
	while (s && log[s - 1] != '\n')
		s--;
	snprintf(out, len, "%.*s", (int)(n - s), log + s);
}

static void kernel_insns(const struct bpfrt_insn *insns, size_t cnt, struct figures *f)
{
	double ms[MAX_RUNS];
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < runs; i++) {
		klog[0] = '\0';
		LIBBPF_OPTS(bpf_prog_load_opts, o, .log_level = 4 /* BPF_LOG_STATS */, .log_buf = klog,
			    .log_size = KLOG_SIZE);
		int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bench", "GPL", (const struct bpf_insn *)insns, cnt, &o);
		if (fd < 0) {
			if (!klog[0])
				snprintf(f->why, sizeof(f->why), "bpf(BPF_PROG_LOAD): %s", strerror(errno));
			else
				last_line(klog, f->why, sizeof(f->why));
			if (!parse_stats(klog, f, &ms[0]))
				f->processed = 0;
			f->ms = ms[0];
			return;
		}
		close(fd);
		if (!parse_stats(klog, f, &ms[i])) {
			snprintf(f->why, sizeof(f->why), "no statistics in the kernel's log");
			return;
		}
	}
	f->ok = true;
	f->ms = median(ms, runs);
}

static void kernel_object(const char *path, const char *prog, struct figures *f)
{
	double ms[MAX_RUNS];
	memset(f, 0, sizeof(*f));
	libbpf_set_print(NULL);
	for (int i = 0; i < runs; i++) {
		struct bpf_object *obj = bpf_object__open_file(path, NULL);
		if (!obj) {
			snprintf(f->why, sizeof(f->why), "libbpf cannot open it");
			return;
		}
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj) {
			bool me = !strcmp(bpf_program__name(p), prog);
			bpf_program__set_autoload(p, me);
			if (me) {
				klog[0] = '\0';
				bpf_program__set_log_level(p, 4);
				bpf_program__set_log_buf(p, klog, KLOG_SIZE);
			}
		}
		int err = bpf_object__load(obj);
		bpf_object__close(obj);
		if (err) {
			if (klog[0])
				last_line(klog, f->why, sizeof(f->why));
			else
				snprintf(f->why, sizeof(f->why), "libbpf: %s", strerror(-err));
			return;
		}
		if (!parse_stats(klog, f, &ms[i])) {
			snprintf(f->why, sizeof(f->why), "no statistics in the kernel's log");
			return;
		}
	}
	f->ok = true;
	f->ms = median(ms, runs);
}

/* ---- generated programs ---- */

struct gen {
	struct bpfrt_insn *v;
	size_t n, cap;
};

static void emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->v = realloc(g->v, g->cap * sizeof(*g->v));
		if (!g->v)
			abort();
	}
	g->v[g->n++] = (struct bpfrt_insn){ .code = code, .dst = dst, .src = src, .off = off, .imm = imm };
}

enum { ALU64_ADD_K = 0x07, ALU64_XOR_K = 0xa7, ALU64_ADD_X = 0x0f, MOV64_K = 0xb7, MOV64_X = 0xbf,
       JGT_K = 0x25, JLT_K = 0xa5, JA = 0x05, LDXW = 0x61, STXDW = 0x7b, LDXDW = 0x79, CALL = 0x85, EXIT = 0x95 };

/* Straight-line arithmetic and stack traffic: every instruction processed once. */
static void gen_straight(struct gen *g, size_t target)
{
	emit(g, LDXW, 6, 1, 12, 0); /* r6 = ctx->ingress_ifindex: an unknown scalar */
	emit(g, MOV64_K, 7, 0, 0, 1);
	for (int k = 0; g->n < target; k++) {
		emit(g, ALU64_ADD_K, 7, 0, 0, k);
		emit(g, ALU64_XOR_K, 7, 0, 0, k * 7);
		emit(g, STXDW, 10, 7, (int16_t)(-8 * (1 + k % 32)), 0);
		emit(g, LDXDW, 8, 10, (int16_t)(-8 * (1 + k % 32)), 0);
		emit(g, ALU64_ADD_X, 7, 8, 0, 0);
	}
	emit(g, MOV64_K, 0, 0, 0, 2);
	emit(g, EXIT, 0, 0, 0, 0);
}

/*
 * A chain of 8000 if/else diamonds, each on a fresh random value (2^8000
 * paths unless the states where the two sides join prune each other), then
 * straight-line code. Linux allows 8192 pending branches, so no longer chain.
 */
static void gen_branches(struct gen *g, size_t target)
{
	emit(g, MOV64_K, 7, 0, 0, 0);
	for (int k = 0; k < 8000; k++) {
		emit(g, CALL, 0, 0, 0, 7);          /* r0 = bpf_get_prandom_u32() */
		emit(g, JGT_K, 0, 0, 2, k);         /* if r0 > k goto else */
		emit(g, ALU64_ADD_K, 7, 0, 0, 1);
		emit(g, JA, 0, 0, 1, 0);
		emit(g, ALU64_XOR_K, 7, 0, 0, 3);   /* else */
	}
	for (int k = 0; g->n < target; k++)
		emit(g, k & 1 ? ALU64_XOR_K : ALU64_ADD_K, 7, 0, 0, k);
	emit(g, MOV64_K, 0, 0, 0, 2);
	emit(g, EXIT, 0, 0, 0, 0);
}

/* Many small counted loops in sequence (4 iterations of 20 instructions each). */
static void gen_loops(struct gen *g, size_t target)
{
	emit(g, LDXW, 6, 1, 12, 0);
	emit(g, MOV64_K, 7, 0, 0, 0);
	while (g->n < target) {
		emit(g, MOV64_K, 1, 0, 0, 0);
		size_t head = g->n;
		for (int k = 0; k < 18; k++)
			emit(g, k & 1 ? ALU64_XOR_K : ALU64_ADD_K, 7, 0, 0, k + 1);
		emit(g, ALU64_ADD_K, 1, 0, 0, 1);
		emit(g, JLT_K, 1, 0, (int16_t)((long)head - (long)g->n - 1), 4);
	}
	emit(g, MOV64_K, 0, 0, 0, 2);
	emit(g, EXIT, 0, 0, 0, 0);
}

/* One loop of 10 instructions run `iters` times: processed insns near the budget. */
static void gen_long_loop(struct gen *g, int iters)
{
	emit(g, MOV64_K, 7, 0, 0, 0);
	emit(g, MOV64_K, 1, 0, 0, 0);
	size_t head = g->n;
	for (int k = 0; k < 8; k++)
		emit(g, k & 1 ? ALU64_XOR_K : ALU64_ADD_K, 7, 0, 0, k + 1);
	emit(g, ALU64_ADD_K, 1, 0, 0, 1);
	emit(g, JLT_K, 1, 0, (int16_t)((long)head - (long)g->n - 1), iters);
	emit(g, MOV64_K, 0, 0, 0, 2);
	emit(g, EXIT, 0, 0, 0, 0);
}

/* ---- report ---- */

static void row(const char *name, size_t cnt, const struct figures *b, const struct figures *k)
{
	char bt[32] = "refused", kt[32] = "-", ratio[32] = "-", mem[32] = "-", kp[32] = "-";
	if (k->ok || k->processed)
		snprintf(kp, sizeof(kp), "%zu", k->processed);
	if (b->ok)
		snprintf(bt, sizeof(bt), "%.3f", b->ms);
	if (b->peak_kib >= 0)
		snprintf(mem, sizeof(mem), "%ld", b->peak_kib);
	if (k->ok)
		snprintf(kt, sizeof(kt), "%.3f", k->ms);
	else if (k->why[0])
		snprintf(kt, sizeof(kt), "refused");
	if (b->ok && k->ok && k->ms > 0)
		snprintf(ratio, sizeof(ratio), "%.2fx", b->ms / k->ms);
	printf("| %-34s | %7zu | %9zu | %8s | %8s | %9s | %8s | %7s |\n", name, cnt, b->processed, bt, mem, kp,
	       kt, ratio);
	if (!b->ok)
		printf("|   bpfrt: %.150s\n", b->why);
	if (!k->ok && k->why[0])
		printf("|   Linux: %.150s\n", k->why);
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "--runs")) {
		runs = atoi(argv[i + 1]);
		if (runs < 1 || runs > MAX_RUNS) {
			fprintf(stderr, "bench_verify: --runs must be 1..%d\n", MAX_RUNS);
			return 2;
		}
		i += 2;
	}
	printf("bpfrt verifier vs Linux %s verifier; median of %d runs; bpfrt time is the verifier's own, "
	       "Linux's from BPF_LOG_STATS\n\n", "(this kernel)", runs);
	printf("| %-34s | %7s | %9s | %8s | %8s | %9s | %8s | %7s |\n", "program", "insns", "processed", "bpfrt ms",
	       "peak KiB", "Linux pr.", "Linux ms", "ratio");
	printf("|%s|---------|-----------|----------|----------|-----------|----------|---------|\n",
	       "------------------------------------");
	for (; i < argc; i++) {
		BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
		struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
		struct bpfrt_object *obj = bpfrt_object__open_file(rt, argv[i], NULL);
		if (!obj || bpfrt_object__load_engine(obj, BPFRT_ENGINE_CHECKED /* verified below */)) {
			printf("| %s: cannot load: %s\n", argv[i], bpfrt_runtime__last_error(rt));
			bpfrt_object__close(obj);
			bpfrt_runtime__free(rt);
			continue;
		}
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
		     p = bpfrt_object__next_program(obj, p)) {
			struct figures b, k;
			char name[128];
			snprintf(name, sizeof(name), "%s %s", base, bpfrt_program__name(p));
			bpfrt_measure(argv[i], bpfrt_program__name(p), NULL, 0, &b);
			if (bpfrt_program__type(p) == BPFRT_PROG_TYPE_UNSPEC)
				memset(&k, 0, sizeof(k)); /* generic programs have no kernel type */
			else
				kernel_object(argv[i], bpfrt_program__name(p), &k);
			row(name, bpfrt_program__insn_cnt(p), &b, &k);
		}
		bpfrt_object__close(obj);
		bpfrt_runtime__free(rt);
	}
	static const struct { const char *name; void (*gen)(struct gen *, size_t); size_t target; } gens[] = {
		{ "generated: straight line", gen_straight, 120000 },
		{ "generated: 8k diamonds + straight", gen_branches, 120000 },
		{ "generated: 5k counted loops", gen_loops, 100000 },
	};
	for (size_t j = 0; j < sizeof(gens) / sizeof(gens[0]); j++) {
		struct gen g = { 0 };
		gens[j].gen(&g, gens[j].target);
		struct figures b, k;
		bpfrt_measure(NULL, gens[j].name, g.v, g.n, &b);
		kernel_insns(g.v, g.n, &k);
		row(gens[j].name, g.n, &b, &k);
		free(g.v);
	}
	struct gen g = { 0 };
	gen_long_loop(&g, 90000);
	struct figures b, k;
	bpfrt_measure(NULL, "generated: loop of 90k iterations", g.v, g.n, &b);
	kernel_insns(g.v, g.n, &k);
	row("generated: loop of 90k iterations", g.n, &b, &k);
	free(g.v);
	return 0;
}
