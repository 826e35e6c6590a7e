/* SPDX-License-Identifier: MIT */
/*
 * test_perf_output.c - bpf_perf_event_output and the perf buffer consumer,
 * with perf_output.bpf.c: the kernel's return values (closed slot, another
 * CPU's slot, index out of range, bad flags, full ring), records as perf lays
 * them out (raw size padded to 8 bytes with zeros), lost counts reported
 * before the next record, and a consumer in another process reading a pinned
 * map.
 *
 * usage: test_perf_output DIR CPU [checked|interp|jit]
 * The thread is pinned to one CPU so that BPF_F_CURRENT_CPU names a known slot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpfrt/map.h>
#include <bpfrt/object.h>
#include <bpfrt/perf_buffer.h>
#include <bpfrt/prog.h>
#include <bpfrt/runtime.h>

#define F_CURRENT_CPU 0xffffffffull
#define PAGE 4096
/* A 7-byte record takes 8 (header) + 4 (raw size) + 12 (raw, padded) bytes. */
#define REC_BYTES 24

static int failed;
static struct bpfrt_runtime *rt;
static struct bpfrt_program *prog, *prog_empty;

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n"); \
			failed++; \
		} \
	} while (0)

/* Run `output` with these flags and sequence number; returns the helper's result. */
static long output(uint64_t flags, uint64_t seq)
{
	uint64_t in[2] = { flags, seq };
	BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = in, .data_size_in = sizeof(in));

	if (bpfrt_prog__test_run(bpfrt_program__prog(prog), &o)) {
		fprintf(stderr, "FAIL: run: %s\n", bpfrt_runtime__last_error(rt));
		exit(1);
	}
	return (long)o.retval;
}

/* What the callbacks saw, in order: 'S' for a sample, 'L' for a lost count. */
struct seen {
	char kinds[512];
	uint32_t seqs[512];
	uint64_t lost;
	int n, bad;
	int cpu;
};

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct seen *s = ctx;
	static const uint8_t tail[8] = { 'p', 'e', 'v', 0, 0, 0, 0, 0 };
	uint8_t *d = data;

	if (cpu != s->cpu || (size != 12 && size != 4) ||
	    (size == 12 && memcmp(d + 4, tail, 8)) || (size == 4 && (d[0] | d[1] | d[2] | d[3]))) {
		fprintf(stderr, "bad sample: cpu %d (want %d), size %u\n", cpu, s->cpu, size);
		s->bad++;
	}
	if (s->n < 512) {
		s->kinds[s->n] = size == 4 ? 'E' : 'S';
		memcpy(&s->seqs[s->n], d, 4);
		s->n++;
	}
}

static void on_lost(void *ctx, int cpu, uint64_t cnt)
{
	struct seen *s = ctx;

	if (cpu != s->cpu)
		s->bad++;
	if (s->n < 512)
		s->kinds[s->n++] = 'L';
	s->lost += cnt;
}

static void test_semantics(struct bpfrt_map *map, int slot)
{
	struct seen s = { .cpu = slot };
	uint32_t n = bpfrt_map__max_entries(map);

	CHECK(output(F_CURRENT_CPU, 1) == -ENOENT, "no consumer: want -ENOENT");

	struct bpfrt_perf_buffer *pb = bpfrt_perf_buffer__new(map, 1, on_sample, on_lost, &s, NULL);
	CHECK(pb, "perf_buffer__new: %s", bpfrt_runtime__last_error(rt));
	if (!pb)
		return;
	CHECK(!bpfrt_perf_buffer__new(map, 3, on_sample, on_lost, &s, NULL) && errno == EINVAL &&
	      strstr(bpfrt_runtime__last_error(rt), "page_cnt 3"), "page_cnt 3 must be refused");
	CHECK(!bpfrt_perf_buffer__new(map, 1, NULL, NULL, NULL, NULL) && errno == EINVAL &&
	      strstr(bpfrt_runtime__last_error(rt), "map 'events'"),
	      "no sample callback must be refused");

	CHECK(output(F_CURRENT_CPU, 10) == 0, "current CPU");
	CHECK(output((uint64_t)slot, 11) == 0, "explicit index of this CPU");
	if (n > 1)
		CHECK(output((uint64_t)(slot + 1) % n, 12) == -EOPNOTSUPP,
		      "another CPU's slot: want -EOPNOTSUPP");
	CHECK(output(n, 13) == -E2BIG, "index max_entries: want -E2BIG");
	CHECK(output(1ull << 32 | (uint64_t)slot, 14) == -EINVAL, "flags beyond the index: want -EINVAL");
	BPFRT_OPTS(bpfrt_test_run_opts, o);
	CHECK(!bpfrt_prog__test_run(bpfrt_program__prog(prog_empty), &o) && o.retval == 0,
	      "empty record");

	CHECK(bpfrt_perf_buffer__consume(pb) == 3, "three records");
	CHECK(s.n == 3 && !memcmp(s.kinds, "SSE", 3) && s.seqs[0] == 10 && s.seqs[1] == 11,
	      "records 10, 11, empty: got %d (%.3s)", s.n, s.kinds);

	/* Fill the ring: what does not fit is lost, and said so before the next record. */
	int ok = 0, nospc = 0;
	for (int i = 0; i < PAGE / REC_BYTES + 30; i++) {
		long r = output(F_CURRENT_CPU, 100 + (uint64_t)i);
		ok += r == 0;
		nospc += r == -ENOSPC;
	}
	CHECK(ok == PAGE / REC_BYTES && nospc == 30, "full ring: %d written, %d -ENOSPC", ok, nospc);
	s.n = 0;
	CHECK(bpfrt_perf_buffer__poll(pb, 100) == ok, "consume the full ring");
	CHECK(s.n == ok && s.seqs[0] == 100 && s.seqs[ok - 1] == 100 + (uint32_t)ok - 1 && !s.lost,
	      "full ring: %d records from %u", s.n, s.seqs[0]);
	s.n = 0;
	CHECK(output(F_CURRENT_CPU, 7) == 0, "after the ring drained");
	CHECK(bpfrt_perf_buffer__consume(pb) == 2, "lost record, then the sample");
	CHECK(s.n == 2 && !memcmp(s.kinds, "LS", 2) && s.lost == 30 && s.seqs[1] == 7,
	      "lost 30 then record 7: got %.2s, lost %llu", s.kinds, (unsigned long long)s.lost);
	CHECK(bpfrt_perf_buffer__poll(pb, 0) == 0, "nothing left");
	CHECK(!s.bad, "%d malformed records", s.bad);

	bpfrt_perf_buffer__free(pb);
	CHECK(output(F_CURRENT_CPU, 8) == -ENOENT, "consumer gone: want -ENOENT");
}

/*
 * A consumer in a child process, on the map opened by its pin: it reports
 * what it saw through its exit status (the number of records 20..29 it got
 * in order, 100 + something on error).
 */
static int child_consumer(const char *pin, int slot, int ready_fd)
{
	struct bpfrt_runtime *crt = bpfrt_runtime__new(NULL);
	struct bpfrt_map *m = crt ? bpfrt_map__open_pinned(crt, pin) : NULL;
	struct seen s = { .cpu = slot };

	if (!m)
		return 101;
	struct bpfrt_perf_buffer *pb = bpfrt_perf_buffer__new(m, 2, on_sample, on_lost, &s, NULL);
	if (!pb)
		return 102;
	if (write(ready_fd, "r", 1) != 1)
		return 103;
	for (int tries = 0; s.n < 10 && tries < 50; tries++)
		if (bpfrt_perf_buffer__poll(pb, 100) < 0)
			return 104;
	int in_order = 0;
	for (int i = 0; i < s.n; i++)
		in_order += s.kinds[i] == 'S' && s.seqs[i] == 20 + (uint32_t)i;
	if (s.bad)
		return 105;
	bpfrt_perf_buffer__free(pb);
	bpfrt_map__put(m);
	bpfrt_runtime__free(crt);
	return in_order;
}

static void test_other_process(struct bpfrt_map *map, int slot)
{
	char pin[] = "/dev/shm/bpfrt-perf-test-XXXXXX";
	int fds[2], status = 0;
	char c;

	if (!mkdtemp(pin) || pipe(fds)) {
		CHECK(0, "temporary directory or pipe: %s", strerror(errno));
		return;
	}
	char path[sizeof(pin) + 16];
	snprintf(path, sizeof(path), "%s/events", pin);
	CHECK(!bpfrt_map__pin(map, path), "pin: %s", bpfrt_runtime__last_error(rt));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(child_consumer(path, slot, fds[1]));
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) == 1) {
		for (int i = 0; i < 10; i++) {
			CHECK(output(F_CURRENT_CPU, 20 + (uint64_t)i) == 0, "output %d for the child", i);
			if (i == 4)
				usleep(20000); /* let the child sleep on the futex in between */
		}
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 10,
	      "child consumer: exit %d (10 = all ten records in order)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	close(fds[0]);
	bpfrt_map__unpin(map, path);
	rmdir(pin);
}

int main(int argc, char **argv)
{
	enum bpfrt_engine engine = BPFRT_ENGINE_CHECKED;
	char path[4096];
	cpu_set_t set;

	if (argc < 3) {
		fprintf(stderr, "usage: test_perf_output DIR CPU [checked|interp|jit]\n");
		return 2;
	}
	if (argc > 3 && !strcmp(argv[3], "interp"))
		engine = BPFRT_ENGINE_INTERP;
	else if (argc > 3 && !strcmp(argv[3], "jit"))
		engine = BPFRT_ENGINE_JIT;

	/* Stay on one CPU: the first this process may use. */
	int cpu = -1;
	if (!sched_getaffinity(0, sizeof(set), &set))
		for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
			if (CPU_ISSET(i, &set))
				cpu = i;
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (cpu < 0 || sched_setaffinity(0, sizeof(set), &set) || sched_getcpu() != cpu) {
		fprintf(stderr, "test_perf_output: cannot pin this thread to one CPU\n");
		return 2;
	}

	rt = bpfrt_runtime__new(NULL);
	snprintf(path, sizeof(path), "%s/perf_output.%s.o", argv[1], argv[2]);
	struct bpfrt_object *obj = rt ? bpfrt_object__open_file(rt, path, NULL) : NULL;
	if (!obj || bpfrt_object__load_engine(obj, engine)) {
		fprintf(stderr, "FAIL: load %s: %s\n", path,
			rt ? bpfrt_runtime__last_error(rt) : "no runtime");
		return 1;
	}
	struct bpfrt_map *map = bpfrt_object__find_map_by_name(obj, "events");
	prog = bpfrt_object__find_program_by_name(obj, "output");
	prog_empty = bpfrt_object__find_program_by_name(obj, "output_empty");
	if (!map || !prog || !prog_empty) {
		fprintf(stderr, "FAIL: map 'events' or programs missing\n");
		return 1;
	}
	CHECK((int)bpfrt_map__max_entries(map) == bpfrt_num_possible_cpus(),
	      "max_entries %u, want one per CPU (%d)", bpfrt_map__max_entries(map),
	      bpfrt_num_possible_cpus());
	/* bpfrt numbers possible CPUs in order: slot = CPU number when they start at 0. */
	if (cpu >= (int)bpfrt_map__max_entries(map)) {
		fprintf(stderr, "test_perf_output: CPU %d has no slot of its number; skipped\n", cpu);
		return 77;
	}
	test_semantics(map, cpu);
	test_other_process(map, cpu);

	bpfrt_object__close(obj);
	bpfrt_runtime__free(rt);
	printf("%s\n", failed ? "FAILED" : "ok");
	return failed != 0;
}
