/* SPDX-License-Identifier: MIT */
/*
 * bench_xdp.c - XDP packets per second on one core: bpfrt's XDP port (each
 * engine) against the kernel's BPF_PROG_TEST_RUN with repeat, on the same
 * 64-byte frames from memory, for a drop-all program and for the blocklist
 * example (examples/xdp_block.bpf.c: 256 source addresses, 16 of them
 * blocked).
 *
 *   bench_xdp [--quick] [-n PACKETS-PER-ENGINE]
 *
 * bpfrt: one port, every frame copied in and run, as a receive path does,
 * timed in the thread's CPU time; the port's own statistics (two clock reads
 * per frame, as the kernel's run_time_ns with bpf_stats_enabled) are
 * included. Kernel: BPF_PROG_TEST_RUN per frame with repeat, the mean
 * duration it reports (the frame is set up once per call, not per repeat),
 * on 16 of the frames.
 * The kernel column is skipped where bpf() is not usable.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "bpfrt/xdp.h"

#define NFRAMES 256
#define FRAME_LEN 64
#define NBLOCKED 16

static uint8_t frames[NFRAMES][FRAME_LEN];

static void make_frames(void)
{
	for (int i = 0; i < NFRAMES; i++) {
		uint8_t *p = frames[i];
		memset(p, 0, FRAME_LEN);
		p[5] = 2, p[11] = 1, p[12] = 0x08; /* MACs, IPv4 */
		p[14] = 0x45, p[17] = FRAME_LEN - 14, p[22] = 64, p[23] = 17;
		p[26] = 10, p[27] = 0, p[28] = 0, p[29] = (uint8_t)i; /* 10.0.0.i */
		p[30] = 10, p[31] = 0, p[32] = 1, p[33] = 1;
	}
}

static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Frames per second through a port; counts drops into *drops. */
static double bpfrt_pps(struct bpfrt_prog *prog, long n, bool timed, uint64_t *drops)
{
	BPFRT_OPTS(bpfrt_xdp_port_opts, po, .no_run_time = !timed);
	struct bpfrt_xdp_port *port = bpfrt_xdp_port__new(prog, &po);
	if (!port)
		return 0;
	struct bpfrt_xdp_verdict v;
	for (int i = 0; i < NFRAMES; i++) /* warm up */
		bpfrt_xdp_port__run(port, frames[i], FRAME_LEN, &v);
	uint64_t dropped = 0;
	double t0 = cpu_ns();
	for (long i = 0; i < n; i++) {
		bpfrt_xdp_port__run(port, frames[i % NFRAMES], FRAME_LEN, &v);
		dropped += v.action == BPFRT_XDP_DROP;
	}
	double t = cpu_ns() - t0;
	bpfrt_xdp_port__free(port);
	*drops = dropped;
	return t > 0 ? n * 1e9 / t : 0;
}

/*
 * Frames per second in the kernel: the mean test-run duration over the
 * first KFRAMES frames (one in 16 blocked, as in all 256). Few calls with a
 * large repeat: each XDP test run with repeat flips a static key in the
 * kernel (bpf_prog_change_xdp), which costs milliseconds of wall time.
 */
#define KFRAMES 16
static double kernel_pps(int fd, long n, uint64_t *drops)
{
	int repeat = (int)(n / KFRAMES > 1 ? n / KFRAMES : 1);
	double total_ns = 0;
	uint64_t dropped = 0;
	for (int i = 0; i < KFRAMES; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frames[i], .data_size_in = FRAME_LEN,
			    .repeat = repeat);
		if (bpf_prog_test_run_opts(fd, &o))
			return 0;
		total_ns += o.duration;
		dropped += o.retval == XDP_DROP;
	}
	*drops = dropped;
	return total_ns > 0 ? KFRAMES * 1e9 / total_ns : 0;
}

static bool blocked(int i)
{
	return i % 16 == 3; /* 10.0.0.(16 k + 3) */
}

/* Frames dropped among the first n run (drop-all: every one). */
static uint64_t expected_drops(int row, long n)
{
	uint64_t d = 0;
	for (long i = 0; i < n; i++)
		d += row == 0 || blocked((int)(i % NFRAMES));
	return d;
}

/* rm of a flat directory of pins. */
static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[4200];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

struct row {
	const char *name;
	struct bpfrt_prog *prog[3]; /* jit, interp, checked */
	int kfd;
};

int main(int argc, char **argv)
{
	long n = 2000000;
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = true, n = 20000;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atol(argv[++i]);
		else
			return fprintf(stderr, "usage: bench_xdp [--quick] [-n PACKETS]\n"), 2;
	}
	make_frames();
	libbpf_set_print(NULL);
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	static const enum bpfrt_engine engines[3] = { BPFRT_ENGINE_JIT, BPFRT_ENGINE_INTERP,
						      BPFRT_ENGINE_CHECKED };

	/* drop-all: r0 = XDP_DROP; exit */
	struct bpfrt_insn drop[2] = { BPFRT_INSN_MOV64_IMM(0, XDP_DROP), BPFRT_INSN_EXIT() };
	struct row rows[2] = { { "drop-all", { 0 }, -1 }, { "blocklist", { 0 }, -1 } };
	for (int e = 0; e < 3; e++) {
		BPFRT_OPTS(bpfrt_prog_load_opts, lo, .engine = engines[e], .prog_type = BPFRT_PROG_TYPE_XDP);
		rows[0].prog[e] = bpfrt_prog__load(rt, "drop_all", drop, 2, &lo);
	}
	rows[0].kfd = bpf_prog_load(BPF_PROG_TYPE_XDP, "drop_all", "MIT", (const void *)drop, 2, NULL);

	/* the blocklist example, its maps pinned in directories of this run's own */
	char bpins[] = "/dev/shm/bench-xdp-XXXXXX", kpins[] = "/sys/fs/bpf/bench-xdp-XXXXXX";
	struct bpfrt_object *bobj[3] = { 0 };
	struct bpf_object *kobj = NULL;
	if (mkdtemp(bpins)) {
		for (int e = 0; e < 3; e++) {
			BPFRT_OPTS(bpfrt_object_open_opts, oo, .pin_root_path = bpins);
			bobj[e] = bpfrt_object__open_file(rt, BENCH_XDP_BLOCK_OBJ, &oo);
			if (!bobj[e] || bpfrt_object__load_engine(bobj[e], engines[e]))
				return fprintf(stderr, "bench_xdp: %s\n", bpfrt_runtime__last_error(rt)), 1;
			rows[1].prog[e] = bpfrt_program__prog(bpfrt_object__find_program_by_name(bobj[e], "xdp_block"));
		}
		struct bpfrt_map *bl = bpfrt_object__find_map_by_name(bobj[0], "blocklist");
		for (int i = 0; i < NBLOCKED; i++) {
			uint8_t addr[4] = { 10, 0, 0, (uint8_t)(i * 16 + 3) }; /* blocked() */
			uint64_t zero = 0;
			bpfrt_map__update_elem(bl, addr, 4, &zero, 8, BPFRT_ANY);
		}
	}
	if (rows[0].kfd >= 0 && mkdtemp(kpins)) {
		LIBBPF_OPTS(bpf_object_open_opts, ko, .pin_root_path = kpins);
		kobj = bpf_object__open_file(BENCH_XDP_BLOCK_OBJ, &ko);
		if (kobj && !bpf_object__load(kobj)) {
			rows[1].kfd = bpf_program__fd(bpf_object__find_program_by_name(kobj, "xdp_block"));
			int bfd = bpf_object__find_map_fd_by_name(kobj, "blocklist");
			for (int i = 0; i < NBLOCKED; i++) {
				uint8_t addr[4] = { 10, 0, 0, (uint8_t)(i * 16 + 3) }; /* blocked() */
				uint64_t zero = 0;
				bpf_map_update_elem(bfd, addr, &zero, BPF_ANY);
			}
		}
	}
	if (rows[0].kfd < 0)
		printf("kernel: no BPF_PROG_TEST_RUN here (%s): kernel column skipped\n", strerror(errno));

	printf("| program   | jit Mpps | interp Mpps | checked Mpps | jit, no stats | kernel Mpps | jit/kernel | no stats/kernel |\n");
	printf("|-----------|----------|-------------|--------------|---------------|-------------|------------|-----------------|\n");
	int status = 0;
	for (int r = 0; r < 2; r++) {
		double pps[3] = { 0 }, kpps = 0, bare = 0;
		uint64_t drops[3] = { 0 }, kdrops = 0, bare_drops = 0;
		for (int e = 0; e < 3; e++)
			if (rows[r].prog[e])
				pps[e] = bpfrt_pps(rows[r].prog[e], e == 2 ? n / 2 : n, true, &drops[e]);
		if (rows[r].prog[0])
			bare = bpfrt_pps(rows[r].prog[0], n, false, &bare_drops);
		if (rows[r].kfd >= 0)
			kpps = kernel_pps(rows[r].kfd, n, &kdrops);
		printf("| %-9s | %8.2f | %11.2f | %12.2f | %13.2f | %11.2f | %10.2f | %15.2f |\n",
		       rows[r].name, pps[0] / 1e6, pps[1] / 1e6, pps[2] / 1e6, bare / 1e6, kpps / 1e6,
		       kpps ? pps[0] / kpps : 0, kpps ? bare / kpps : 0);
		if (bare_drops != drops[0]) {
			printf("bench_xdp: %s: jit without stats dropped %llu frames, with %llu\n",
			       rows[r].name, (unsigned long long)bare_drops, (unsigned long long)drops[0]);
			status = 1;
		}
		/* the verdicts must agree with what the frames are */
		for (int e = 0; e < 3; e++) {
			uint64_t want = expected_drops(r, e == 2 ? n / 2 : n);
			if (rows[r].prog[e] && drops[e] != want) {
				printf("bench_xdp: %s, engine %d dropped %llu frames, expected %llu\n",
				       rows[r].name, e, (unsigned long long)drops[e], (unsigned long long)want);
				status = 1;
			}
		}
		uint64_t want = expected_drops(r, KFRAMES);
		if (rows[r].kfd >= 0 && kdrops != want) {
			printf("bench_xdp: the kernel dropped %llu of %d frames, expected %llu\n",
			       (unsigned long long)kdrops, KFRAMES, (unsigned long long)want);
			status = 1;
		}
	}
	printf("(%ld frames of %d bytes per bpfrt engine, checked %ld; kernel: %d frames, repeat %ld "
	       "each)\n", n, FRAME_LEN, n / 2, KFRAMES, n / KFRAMES);
	if (quick)
		printf("--quick: too few frames for meaningful rates\n");
	for (int e = 0; e < 3; e++) {
		bpfrt_prog__free(rows[0].prog[e]);
		bpfrt_object__close(bobj[e]);
	}
	if (kobj) {
		bpf_object__unpin_maps(kobj, NULL);
		bpf_object__close(kobj);
		remove_dir(kpins);
	}
	if (rows[0].kfd >= 0)
		close(rows[0].kfd);
	if (bpins[strlen(bpins) - 1] != 'X')
		remove_dir(bpins);
	bpfrt_runtime__free(rt);
	return status;
}
