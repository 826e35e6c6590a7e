/* SPDX-License-Identifier: MIT */
/*
 * perf_diff.c - bpf_perf_event_output in Linux (through libbpf's
 * perf_buffer) and in bpfrt (bpfrt_perf_buffer), on the same packets:
 * perf_xdp.bpf.c writes records of 0 to 31 bytes into one-page rings until
 * they overflow. Both must return the same verdicts (written or dropped) and
 * deliver the same sequence of samples (raw size and the bytes written; the
 * padding is unspecified in Linux) and lost counts.
 *
 * usage: perf_diff OBJECT     (exit 77 where bpf() is not usable)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfrt/map.h>
#include <bpfrt/object.h>
#include <bpfrt/perf_buffer.h>
#include <bpfrt/prog.h>
#include <bpfrt/runtime.h>
#include "oracle.h"

#define MAX_EVENTS 2048
#define PKT_LEN 64

/* What one side's consumer saw, in order. */
struct event {
	char kind;         /* 'S' sample, 'L' lost */
	uint32_t size;     /* raw size */
	uint8_t data[32];  /* the bytes the program wrote */
	uint64_t lost;
};

struct log {
	struct event ev[MAX_EVENTS];
	int n;
};

static void on_sample(struct log *l, void *data, uint32_t size)
{
	if (l->n == MAX_EVENTS)
		return;
	struct event *e = &l->ev[l->n++];
	uint32_t n = size ? ((uint8_t *)data)[0] & 31 : 0;

	e->kind = 'S';
	e->size = size;
	memcpy(e->data, data, n <= size ? n : size);
}

static void on_lost(struct log *l, uint64_t cnt)
{
	if (l->n < MAX_EVENTS)
		l->ev[l->n++] = (struct event){ .kind = 'L', .lost = cnt };
}

static void k_sample(void *ctx, int cpu, void *data, __u32 size) { on_sample(ctx, data, size); }
static void k_lost(void *ctx, int cpu, __u64 cnt) { on_lost(ctx, cnt); }
static void b_sample(void *ctx, int cpu, void *data, uint32_t size) { on_sample(ctx, data, size); }
static void b_lost(void *ctx, int cpu, uint64_t cnt) { on_lost(ctx, cnt); }

static struct log klog, blog;

int main(int argc, char **argv)
{
	char why[512];
	cpu_set_t set;
	int fails = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: perf_diff OBJECT\n");
		return 2;
	}
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("perf_diff: SKIP: %s\n", why);
		return 77;
	}
	/* One CPU, so that BPF_F_CURRENT_CPU is one slot on both sides. */
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("perf_diff: cannot pin to a CPU: %s\n", strerror(errno));
		return 1;
	}

	libbpf_set_print(NULL);
	struct bpf_object *kobj = bpf_object__open_file(argv[1], NULL);
	if (!kobj || bpf_object__load(kobj)) {
		printf("perf_diff: the kernel refuses %s (errno %d)\n", argv[1], errno);
		return 1;
	}
	struct bpf_program *kp = bpf_object__find_program_by_name(kobj, "perf_xdp");
	struct perf_buffer *kpb = kp ? perf_buffer__new(bpf_object__find_map_fd_by_name(kobj, "events"),
							1, k_sample, k_lost, &klog, NULL) : NULL;
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	struct bpfrt_object *bobj = rt ? bpfrt_object__open_file(rt, argv[1], NULL) : NULL;
	if (!kpb || !bobj || bpfrt_object__load(bobj)) {
		printf("perf_diff: setup failed (kernel perf buffer %s): %s\n", kpb ? "ok" : "failed",
		       rt ? bpfrt_runtime__last_error(rt) : "no runtime");
		return 1;
	}
	struct bpfrt_prog *bp = bpfrt_program__prog(bpfrt_object__find_program_by_name(bobj, "perf_xdp"));
	struct bpfrt_perf_buffer *bpb =
		bpfrt_perf_buffer__new(bpfrt_object__find_map_by_name(bobj, "events"), 1, b_sample,
				       b_lost, &blog, NULL);
	if (!bp || !bpb) {
		printf("perf_diff: bpfrt setup: %s\n", bpfrt_runtime__last_error(rt));
		return 1;
	}

	/*
	 * Rounds: 300 records of every size (the ring overflows, then drains),
	 * then 256 of 4 bytes (16-byte records: 4096 bytes, one more than perf
	 * lets a page hold), each round consumed at its end.
	 */
	static const struct { int runs, size; } rounds[] = { { 300, -1 }, { 256, 4 }, { 3, 9 } };
	int run = 0;
	for (size_t r = 0; r < sizeof(rounds) / sizeof(rounds[0]); r++) {
		for (int i = 0; i < rounds[r].runs; i++, run++) {
			uint8_t pkt[PKT_LEN] = { 0 };

			pkt[0] = (uint8_t)(rounds[r].size < 0 ? i % 32 : rounds[r].size);
			pkt[1] = (uint8_t)run;
			pkt[2] = (uint8_t)(run >> 8);
			for (int k = 3; k < 32; k++)
				pkt[k] = (uint8_t)(k * 7 + run);
			LIBBPF_OPTS(bpf_test_run_opts, ko, .data_in = pkt, .data_size_in = sizeof(pkt));
			BPFRT_OPTS(bpfrt_test_run_opts, bo, .data_in = pkt, .data_size_in = sizeof(pkt));
			int kerr = bpf_prog_test_run_opts(bpf_program__fd(kp), &ko);
			int berr = bpfrt_prog__test_run(bp, &bo);
			if (kerr || berr || ko.retval != bo.retval) {
				printf("FAIL run %d (%u bytes): kernel %d/%u, bpfrt %d/%llu\n", run, pkt[0],
				       kerr, ko.retval, berr, (unsigned long long)bo.retval);
				fails++;
			}
		}
		int kn = perf_buffer__consume(kpb), bn = bpfrt_perf_buffer__consume(bpb);
		if (kn < 0 || bn < 0) {
			printf("FAIL round %zu: consume: kernel %d, bpfrt %d\n", r, kn, bn);
			fails++;
		}
	}

	if (klog.n != blog.n) {
		printf("FAIL: the kernel delivered %d records, bpfrt %d\n", klog.n, blog.n);
		fails++;
	}
	int lost = 0;
	for (int i = 0; i < klog.n && i < blog.n; i++) {
		const struct event *k = &klog.ev[i], *b = &blog.ev[i];

		lost += k->kind == 'L';
		if (k->kind != b->kind || k->size != b->size || k->lost != b->lost ||
		    memcmp(k->data, b->data, sizeof(k->data))) {
			printf("FAIL record %d: kernel %c size %u lost %llu, bpfrt %c size %u lost %llu%s\n",
			       i, k->kind, k->size, (unsigned long long)k->lost, b->kind, b->size,
			       (unsigned long long)b->lost,
			       memcmp(k->data, b->data, sizeof(k->data)) ? ", data differs" : "");
			if (++fails > 10)
				break;
		}
	}
	if (!lost) {
		printf("FAIL: no lost records: the rings never overflowed, the test proves little\n");
		fails++;
	}
	perf_buffer__free(kpb);
	bpfrt_perf_buffer__free(bpb);
	bpfrt_object__close(bobj);
	bpfrt_runtime__free(rt);
	bpf_object__close(kobj);
	printf("perf_diff: %d records (%d lost records) compared, %d failure(s)\n", klog.n, lost, fails);
	return fails != 0;
}
