/* SPDX-License-Identifier: MIT */
/*
 * bench_maps.c - map operations per second from programs: bpfrt (JIT) against
 * the kernel, the same object (progs/maps/map_ops.bpf.c) loaded by bpfrt's
 * loader and by libbpf.
 *
 * Each program does OPS operations per run. Both sides are first run once per
 * program, in the same order from fresh maps, and must leave the same result
 * (a sum of values found, or a count of updates that succeeded): that is the
 * exit status, 0 when they agree, 1 when not or when bpfrt fails, 2 for bad
 * usage. Then batches of runs are timed, taking turns between the sides, and
 * the median batch gives ns per operation. bpfrt is timed in the CPU time of
 * this thread, as the kernel's test_run effectively is (bench.h says why).
 * Without bpf() (no root, no kernel support) the kernel column is skipped.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfrt/map.h>
#include <bpfrt/object.h>
#include <bpfrt/prog.h>
#include <bpfrt/runtime.h>
#include "bench.h"
#include "map_ops.h"

#define MAX_BATCHES 15
#define MAX_ITERS (1u << 24)

/* The programs of map_ops.bpf.c, in the order they are checked and timed. */
static const struct {
	const char *prog;
	const char *what;
} cases[] = {
	{ "array_lookup", "array lookup" },
	{ "array_update", "array update" },
	{ "hash_lookup", "hash lookup" },
	{ "hash_update", "hash update (existing key)" },
	{ "lru_update", "LRU hash update, evicting" },
	{ "lpm_lookup", "LPM trie lookup (/32 in 257 prefixes)" },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

enum side { BPFRT, KERNEL, NSIDES };

struct plan {
	double calib_ns, batch_ns;
	int batches;
};

static const struct plan full_plan = { 2e6, 20e6, 7 };
static const struct plan quick_plan = { 0, 1e6, 1 };

struct sides {
	struct bpfrt_runtime *rt;
	struct bpfrt_object *bobj;
	struct bpf_object *kobj; /* NULL: the kernel column is skipped */
	char kernel_why[BENCH_MSG_LEN];
};

/* A packet for XDP's test_run: the programs never read it. */
static uint8_t pkt[64];

/* --- the same map contents on both sides --- */

static int put(struct sides *s, const char *map, const void *key, size_t ks, const void *val,
	       size_t vs, char *msg)
{
	struct bpfrt_map *bm = bpfrt_object__find_map_by_name(s->bobj, map);

	if (!bm || bpfrt_map__update_elem(bm, key, ks, val, vs, BPFRT_ANY)) {
		snprintf(msg, BENCH_MSG_LEN, "bpfrt: filling map '%s': %s", map,
			 bm ? bpfrt_runtime__last_error(s->rt) : "no such map");
		return -EINVAL;
	}
	if (s->kobj) {
		int fd = bpf_object__find_map_fd_by_name(s->kobj, map);

		if (fd < 0 || bpf_map_update_elem(fd, key, val, BPF_ANY)) {
			snprintf(msg, BENCH_MSG_LEN, "kernel: filling map '%s': %s", map,
				 strerror(errno));
			return -EINVAL;
		}
	}
	return 0;
}

/* A fixed pseudo-random sequence (splitmix64) for prefixes and values. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * Every key of the array and the hash, value 3k + 1; LPM_PREFIXES prefixes of
 * 8 to 32 bits and a default route. The LRU starts empty.
 */
static int fill(struct sides *s, char *msg)
{
	for (uint32_t k = 0; k < NKEYS; k++) {
		uint64_t v = 3 * (uint64_t)k + 1;

		if (put(s, "arr", &k, sizeof(k), &v, sizeof(v), msg) ||
		    put(s, "hash", &k, sizeof(k), &v, sizeof(v), msg))
			return -EINVAL;
	}
	for (uint32_t i = 0; i <= LPM_PREFIXES; i++) {
		uint64_t r = mix(i);
		struct lpm_v4_key key = {
			.prefixlen = i == LPM_PREFIXES ? 0 : 8 + (uint32_t)(r % 25),
			.addr = (uint32_t)(r >> 32),
		};
		uint64_t v = i + 1;

		if (put(s, "lpm", &key, sizeof(key), &v, sizeof(v), msg))
			return -EINVAL;
	}
	return 0;
}

/* --- running --- */

struct result {
	uint64_t value; /* state.result after the run */
	double ns;      /* per run */
};

static int run_bpfrt(struct sides *s, const char *name, uint32_t iters, struct result *r,
		     char *msg)
{
	struct bpfrt_program *p = bpfrt_object__find_program_by_name(s->bobj, name);
	struct bpfrt_map *state = bpfrt_object__find_map_by_name(s->bobj, "state");
	BPFRT_OPTS(bpfrt_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		   .repeat = (int)iters);
	struct run_state st;
	uint32_t zero = 0;
	uint64_t t0, t1;

	if (!p || !state) {
		snprintf(msg, BENCH_MSG_LEN, "bpfrt: no program '%s' or map 'state' in the object",
			 name);
		return -ENOENT;
	}
	t0 = bench_now_ns();
	if (bpfrt_prog__test_run(bpfrt_program__prog(p), &opts)) {
		snprintf(msg, BENCH_MSG_LEN, "bpfrt: running %s: %s", name,
			 bpfrt_runtime__last_error(s->rt));
		return -EINVAL;
	}
	t1 = bench_now_ns();
	if (opts.retval != XDP_PASS ||
	    bpfrt_map__lookup_elem(state, &zero, sizeof(zero), &st, sizeof(st), 0)) {
		snprintf(msg, BENCH_MSG_LEN, "bpfrt: %s returned %" PRIu64 ", or its state is unreadable",
			 name, opts.retval);
		return -EINVAL;
	}
	r->value = st.result;
	r->ns = (double)(t1 - t0) / iters;
	return 0;
}

static int run_kernel(struct sides *s, const char *name, uint32_t iters, struct result *r,
		      char *msg)
{
	struct bpf_program *p = bpf_object__find_program_by_name(s->kobj, name);
	int state = bpf_object__find_map_fd_by_name(s->kobj, "state");
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = iters);
	struct run_state st;
	uint32_t zero = 0;

	if (!p || state < 0) {
		snprintf(msg, BENCH_MSG_LEN, "kernel: no program '%s' or map 'state' in the object",
			 name);
		return -ENOENT;
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) {
		snprintf(msg, BENCH_MSG_LEN, "kernel: BPF_PROG_TEST_RUN of %s: %s", name,
			 strerror(errno));
		return -EINVAL;
	}
	if (opts.retval != XDP_PASS || bpf_map_lookup_elem(state, &zero, &st)) {
		snprintf(msg, BENCH_MSG_LEN, "kernel: %s returned %u, or its state is unreadable",
			 name, opts.retval);
		return -EINVAL;
	}
	r->value = st.result;
	/* Whole nanoseconds per run, as the kernel reports it. */
	r->ns = opts.duration;
	return 0;
}

static int run(struct sides *s, enum side side, const char *name, uint32_t iters,
	       struct result *r, char *msg)
{
	return side == BPFRT ? run_bpfrt(s, name, iters, r, msg) :
			       run_kernel(s, name, iters, r, msg);
}

/* --- setup --- */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int open_sides(struct sides *s, const char *path, char *msg)
{
	BPFRT_OPTS(bpfrt_runtime_opts, ropts, .quiet = true);
	struct bpf_object *kobj;

	s->rt = bpfrt_runtime__new(&ropts);
	if (!s->rt) {
		snprintf(msg, BENCH_MSG_LEN, "bpfrt: cannot create a runtime: %s", strerror(errno));
		return -ENOMEM;
	}
	s->bobj = bpfrt_object__open_file(s->rt, path, NULL);
	if (!s->bobj || bpfrt_object__load_engine(s->bobj, BPFRT_ENGINE_JIT)) {
		snprintf(msg, BENCH_MSG_LEN, "bpfrt: loading %s: %s", path,
			 bpfrt_runtime__last_error(s->rt));
		return -EINVAL;
	}

	/*
	 * Any failure on the kernel side is a missing column, not a failed
	 * benchmark: no root, no bpf(), a kernel without some map type.
	 */
	libbpf_set_print(libbpf_quiet);
	kobj = bpf_object__open_file(path, NULL);
	if (!kobj) {
		snprintf(s->kernel_why, sizeof(s->kernel_why), "libbpf cannot open %s: %s", path,
			 strerror(errno));
		return 0;
	}
	if (bpf_object__load(kobj)) {
		snprintf(s->kernel_why, sizeof(s->kernel_why),
			 "the kernel does not load %s (%s): no bpf() here, or not root?", path,
			 strerror(errno));
		bpf_object__close(kobj);
		return 0;
	}
	s->kobj = kobj;
	return 0;
}

static void close_sides(struct sides *s)
{
	bpf_object__close(s->kobj);
	bpfrt_object__close(s->bobj);
	bpfrt_runtime__free(s->rt);
}

/* --- measuring --- */

struct cell {
	bool ok;
	uint32_t iters;
	double samples[MAX_BATCHES];
	double ns, min_ns, max_ns; /* per operation */
	char msg[BENCH_MSG_LEN];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Grow a batch fourfold until it takes calib_ns; size the timed ones from it. */
static void calibrate(struct sides *s, enum side side, size_t c, const struct plan *plan,
		      struct cell *cell)
{
	struct result r;
	uint32_t iters = 1;

	for (;;) {
		if (run(s, side, cases[c].prog, iters, &r, cell->msg))
			return;
		if (r.ns * iters >= plan->calib_ns || iters >= MAX_ITERS / 4)
			break;
		iters *= 4;
	}
	double n = plan->batch_ns / (r.ns > 1 ? r.ns : 1);

	cell->iters = n < 1 ? 1 : n > MAX_ITERS ? MAX_ITERS : (uint32_t)n;
	cell->ok = true;
}

static void measure(struct sides *s, size_t c, const struct plan *plan,
		    struct cell cells[NSIDES])
{
	int nsides = s->kobj ? NSIDES : 1;
	struct result r;

	for (int side = 0; side < nsides; side++)
		calibrate(s, side, c, plan, &cells[side]);
	for (int b = 0; b < plan->batches; b++) {
		for (int side = 0; side < nsides; side++) {
			struct cell *cell = &cells[side];

			if (!cell->ok)
				continue;
			if (run(s, side, cases[c].prog, cell->iters, &r, cell->msg))
				cell->ok = false;
			cell->samples[b] = r.ns / OPS;
		}
	}
	for (int side = 0; side < nsides; side++) {
		struct cell *cell = &cells[side];
		int n = plan->batches;

		if (!cell->ok)
			continue;
		qsort(cell->samples, n, sizeof(double), cmp_double);
		cell->min_ns = cell->samples[0];
		cell->max_ns = cell->samples[n - 1];
		cell->ns = n % 2 ? cell->samples[n / 2] :
			(cell->samples[n / 2 - 1] + cell->samples[n / 2]) / 2;
	}
}

/*
 * From fresh maps, one run of every program on each side, in order: both
 * must leave the same result. Later runs go on from different keys (the run
 * counter) and different contents (the updates), so this is the only
 * comparison.
 */
static bool check(struct sides *s)
{
	bool ok = true;

	for (size_t c = 0; c < NCASES; c++) {
		struct result rb, rk;
		char msg[BENCH_MSG_LEN];

		if (run(s, BPFRT, cases[c].prog, 1, &rb, msg)) {
			fprintf(stderr, "bench_maps: %s\n", msg);
			ok = false;
			continue;
		}
		if (!s->kobj)
			continue;
		if (run(s, KERNEL, cases[c].prog, 1, &rk, msg)) {
			fprintf(stderr, "bench_maps: %s\n", msg);
			ok = false;
		} else if (rk.value != rb.value) {
			fprintf(stderr, "bench_maps: %s: bpfrt's first run left %" PRIu64
				", the kernel's %" PRIu64 "\n", cases[c].prog, rb.value, rk.value);
			ok = false;
		}
	}
	return ok;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_maps [-q] [-o OBJECT]\n"
		"Time map operations from programs in bpfrt's JIT and in the kernel.\n"
		"  -q, --quick        one short batch each: checks results, times roughly\n"
		"  -o, --object PATH  map_ops.bpf.o (default: the one this build made)\n"
		"  -h, --help         this message\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "object", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct plan *plan = &full_plan;
	const char *path = BENCH_MAP_OPS_OBJ;
	struct sides s = { 0 };
	char msg[BENCH_MSG_LEN];
	double log_sum = 0;
	int opt, ratios = 0;
	bool ok;

	while ((opt = getopt_long(argc, argv, "qo:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			plan = &quick_plan;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench_maps: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	if (open_sides(&s, path, msg) || fill(&s, msg)) {
		fprintf(stderr, "bench_maps: %s\n", msg);
		close_sides(&s);
		return 1;
	}
	if (!s.kobj)
		fprintf(stderr, "bench_maps: kernel column skipped: %s\n", s.kernel_why);
	ok = check(&s);

	printf("%d map operations per run; bpfrt: JIT; kernel: BPF_PROG_TEST_RUN; median of %d batch%s\n\n",
	       OPS, plan->batches, plan->batches == 1 ? "" : "es");
	printf("| %-38s | %14s | %14s | %13s |\n", "operation", "bpfrt ns/op", "kernel ns/op",
	       "bpfrt/kernel");
	printf("|----------------------------------------|---------------:|---------------:|--------------:|\n");
	for (size_t c = 0; c < NCASES; c++) {
		struct cell cells[NSIDES] = { 0 };
		char b[32] = "FAIL", k[32] = "n/a", ratio[32] = "";

		measure(&s, c, plan, cells);
		if (cells[BPFRT].ok)
			snprintf(b, sizeof(b), "%.1f (%.1fM/s)", cells[BPFRT].ns, 1e3 / cells[BPFRT].ns);
		else
			fprintf(stderr, "bench_maps: %s\n", cells[BPFRT].msg), ok = false;
		if (s.kobj && cells[KERNEL].ok)
			snprintf(k, sizeof(k), "%.1f (%.1fM/s)", cells[KERNEL].ns, 1e3 / cells[KERNEL].ns);
		else if (s.kobj)
			fprintf(stderr, "bench_maps: %s\n", cells[KERNEL].msg), ok = false;
		if (cells[BPFRT].ok && s.kobj && cells[KERNEL].ok) {
			double x = cells[BPFRT].ns / cells[KERNEL].ns;

			snprintf(ratio, sizeof(ratio), "%.2fx", x);
			log_sum += log(x);
			ratios++;
		}
		printf("| %-38s | %14s | %14s | %13s |\n", cases[c].what, b, k, ratio);
		fflush(stdout);
	}
	if (ratios)
		printf("| %-38s | %14s | %14s | %13.2fx |\n", "geomean", "", "", exp(log_sum / ratios));
	printf("\nbpfrt/kernel: bpfrt's time per operation over the kernel's (below 1: bpfrt faster).\n");

	close_sides(&s);
	if (!ok)
		fprintf(stderr, "bench_maps: results differ or a run failed, see above\n");
	return ok ? 0 : 1;
}
