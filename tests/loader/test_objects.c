/* SPDX-License-Identifier: MIT */
/*
 * test_objects.c - the example programs of tests/progs, compiled by clang at
 * one -mcpu level, loaded with the object API and run with asserted return
 * values, output data and map contents.
 *
 *   test_objects DIR CPU [ENGINE]    (DIR holds NAME.CPU.o; ENGINE checked|interp|jit)
 *
 * One check function per program; each prints "PASS name" or "FAIL name:
 * why", and the last line counts them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"

static const char *dir, *cpu;
static char pin_dir[] = "/dev/shm/bpfrt-test-pins-XXXXXX"; /* tmpfs, where maps live */
static enum bpfrt_engine engine = BPFRT_ENGINE_CHECKED;
static int passed, failed;
static FILE *trace;

#define CHECK(cond, ...) do { if (!(cond)) { fail(__VA_ARGS__); return; } } while (0)
static const char *current;

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL %s (-mcpu=%s): ", current, cpu);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	failed++;
}

static void pass(void)
{
	printf("PASS %s (-mcpu=%s)\n", current, cpu);
	passed++;
}

static struct bpfrt_runtime *rt;

static struct bpfrt_object *load(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.%s.o", dir, name, cpu);
	/* Maps pinned by name go to a directory of this run's own. */
	BPFRT_OPTS(bpfrt_object_open_opts, oo, .pin_root_path = pin_dir);
	struct bpfrt_object *obj = bpfrt_object__open_file(rt, path, &oo);
	if (!obj) {
		fail("open %s: %s", path, bpfrt_runtime__last_error(rt));
		return NULL;
	}
	if (bpfrt_object__load_engine(obj, engine)) {
		fail("load %s: %s", path, bpfrt_runtime__last_error(rt));
		bpfrt_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Run program name of obj on data; returns 0 and *ret, or -1 after fail(). */
static int run(struct bpfrt_object *obj, const char *name, const void *data, uint32_t len,
	       const void *ctx, uint32_t ctx_len, void *out, uint32_t out_len, uint64_t *ret)
{
	struct bpfrt_program *p = bpfrt_object__find_program_by_name(obj, name);
	if (!p) {
		fail("no program '%s'", name);
		return -1;
	}
	BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = data, .data_size_in = len, .ctx_in = ctx,
		   .ctx_size_in = ctx_len, .data_out = out, .data_size_out = out_len);
	if (bpfrt_prog__test_run(bpfrt_program__prog(p), &o)) {
		fail("run '%s': %s", name, bpfrt_runtime__last_error(rt));
		return -1;
	}
	*ret = o.retval;
	return 0;
}

static int lookup(struct bpfrt_object *obj, const char *map, const void *key, void *val, size_t vlen)
{
	struct bpfrt_map *m = bpfrt_object__find_map_by_name(obj, map);
	if (!m)
		return -ENOENT;
	return bpfrt_map__lookup_elem(m, key, bpfrt_map__key_size(m), val, vlen, 0);
}

static int update(struct bpfrt_object *obj, const char *map, const void *key, const void *val,
		  size_t vlen)
{
	struct bpfrt_map *m = bpfrt_object__find_map_by_name(obj, map);
	if (!m)
		return -ENOENT;
	return bpfrt_map__update_elem(m, key, bpfrt_map__key_size(m), val, vlen, BPFRT_ANY);
}

/* --- globals.bpf.c --- */

static long mul_add(long a, long b) { return a * 3 + b; }

static void t_globals(void)
{
	current = "globals";
	struct bpfrt_object *obj = load("globals");
	if (!obj)
		return;
	const char greeting[] = "hello, bpfrt";
	long sum = 0;
	for (size_t i = 0; i < sizeof(greeting) && greeting[i]; i++)
		sum = mul_add(sum, greeting[i]) & 0xffffffff;
	uint64_t r;
	int zero = 0;
	if (run(obj, "globals", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK((long)r == sum + 1001 * 10 + 1, "first run returned %lld, expected %ld", (long long)r,
	      sum + 1001 * 10 + 1);
	if (run(obj, "globals", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK((long)r == sum + 1002 * 10 + 2, "second run returned %lld", (long long)r);
	int counter = 0;
	long base = 0;
	CHECK(lookup(obj, ".bss", &zero, &counter, sizeof(counter)) == 0 && counter == 2,
	      ".bss counter is %d, expected 2", counter);
	CHECK(lookup(obj, ".data", &zero, &base, sizeof(base)) == 0 && base == 1002,
	      ".data base is %ld, expected 1002", base);
	uint8_t data[5] = { 0 };
	if (run(obj, "second", data, sizeof(data), NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 5 * 3 + 2, "second() returned %llu, expected 17", (unsigned long long)r);
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- xdp_block.bpf.c --- */

static size_t ipv4_packet(uint8_t *p, const uint8_t src[4], uint8_t proto)
{
	static const uint8_t eth[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	memcpy(p, eth, 14);
	uint8_t ip[20] = { 0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, proto, 0, 0, 0, 0, 0, 0, 192, 168, 0, 1 };
	memcpy(ip + 12, src, 4);
	memcpy(p + 14, ip, 20);
	memset(p + 34, 0xab, 26);
	return 60;
}

static void t_xdp(void)
{
	current = "xdp_block";
	struct bpfrt_object *obj = load("xdp_block");
	if (!obj)
		return;
	const uint8_t bad[4] = { 10, 0, 0, 1 }, good[4] = { 10, 0, 0, 2 };
	uint64_t zero64 = 0, r;
	CHECK(update(obj, "blocklist", bad, &zero64, 8) == 0, "blocklist update failed");
	uint8_t pkt[64], out[64];
	size_t n = ipv4_packet(pkt, bad, 6);
	if (run(obj, "xdp_block", pkt, (uint32_t)n, NULL, 0, out, sizeof(out), &r))
		goto out;
	CHECK(r == 1 /* XDP_DROP */, "blocked source: action %llu, expected XDP_DROP", (unsigned long long)r);
	CHECK(!memcmp(out, pkt, n), "packet data came back changed");
	n = ipv4_packet(pkt, good, 17);
	if (run(obj, "xdp_block", pkt, (uint32_t)n, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 2 /* XDP_PASS */, "allowed source: action %llu, expected XDP_PASS", (unsigned long long)r);
	pkt[12] = 0x08, pkt[13] = 0x06; /* ARP */
	if (run(obj, "xdp_block", pkt, (uint32_t)n, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 2, "ARP: action %llu, expected XDP_PASS", (unsigned long long)r);
	pkt[13] = 0x00;
	if (run(obj, "xdp_block", pkt, 20, NULL, 0, NULL, 0, &r)) /* IPv4 header cut short */
		goto out;
	CHECK(r == 1, "truncated IPv4: action %llu, expected XDP_DROP", (unsigned long long)r);
	uint64_t hits = 0, drops = 0, passes = 0;
	uint32_t k = 1;
	CHECK(lookup(obj, "blocklist", bad, &hits, 8) == 0 && hits == 1, "blocklist hits %llu, expected 1",
	      (unsigned long long)hits);
	CHECK(lookup(obj, "actions", &k, &drops, 8) == 0 && drops == 2, "XDP_DROP count %llu, expected 2",
	      (unsigned long long)drops);
	k = 2;
	CHECK(lookup(obj, "actions", &k, &passes, 8) == 0 && passes == 2, "XDP_PASS count %llu, expected 2",
	      (unsigned long long)passes);
	/* Per-CPU counts: the user sees every CPU's value; their sum is what ran. */
	struct bpfrt_map *pm = bpfrt_object__find_map_by_name(obj, "protocols");
	size_t vsz = bpfrt_map__value_size_user(pm);
	uint64_t *vals = calloc(1, vsz);
	k = 17;
	int err = bpfrt_map__lookup_elem(pm, &k, 4, vals, vsz, 0);
	uint64_t total = 0;
	for (size_t i = 0; i < vsz / 8; i++)
		total += vals[i];
	free(vals);
	CHECK(err == 0 && total == 1, "per-CPU UDP count %llu, expected 1", (unsigned long long)total);
	/* Linux runs no packet shorter than 14 bytes; neither does bpfrt. */
	struct bpfrt_program *p = bpfrt_object__find_program_by_name(obj, "xdp_block");
	BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = pkt, .data_size_in = 13);
	CHECK(bpfrt_prog__test_run(bpfrt_program__prog(p), &o) == -EINVAL, "a 13-byte packet ran");
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- legacy_maps.bpf.c --- */

static void t_legacy(void)
{
	current = "legacy_maps";
	struct bpfrt_object *obj = load("legacy_maps");
	if (!obj)
		return;
	uint8_t data[5] = { 0 };
	uint64_t r;
	if (run(obj, "legacy", data, 5, NULL, 0, NULL, 0, &r) || run(obj, "legacy", data, 5, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 10, "returned %llu, expected 10", (unsigned long long)r);
	int k = 1;
	long v = 0;
	CHECK(lookup(obj, "legacy_hash", &k, &v, sizeof(v)) == 0 && v == 10, "legacy_hash[1] = %ld", v);
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- helpers.bpf.c --- */

static void t_helpers(void)
{
	current = "helpers";
	struct bpfrt_object *obj = load("helpers");
	if (!obj)
		return;
	uint64_t r;
	if (run(obj, "strings", "-42", 3, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK((int64_t)r == -41999, "strings(\"-42\") = %lld, expected -41999", (long long)r);
	if (run(obj, "strings", "  0x1f", 6, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK((int64_t)r == 31100, "strings(\"  0x1f\") = %lld, expected 31100", (long long)r);
	if (run(obj, "strings", "zz", 2, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK((int64_t)r == -EINVAL, "strings(\"zz\") = %lld, expected -EINVAL", (long long)r);

	char buf[32] = { 0 }, out[32] = { 0 };
	if (run(obj, "format", buf, sizeof(buf), NULL, 0, out, sizeof(out), &r))
		goto out;
	CHECK(r == 13 && !strcmp(out, "-7-42-ff-abc"), "snprintf gave %llu, '%s'", (unsigned long long)r, out);

	long pos = ftell(trace);
	uint8_t seven[7] = { 0 };
	if (run(obj, "printk", seven, 7, NULL, 0, NULL, 0, &r))
		goto out;
	char line[512] = "";
	fseek(trace, pos, SEEK_SET);
	CHECK(fgets(line, sizeof(line), trace) && strstr(line, "bpf_trace_printk: size=7 hex=beef\n"),
	      "printk line: '%s'", line);
	char comm[17] = "";
	prctl(PR_GET_NAME, comm);
	CHECK(strstr(line, comm) && strchr(line, '['), "printk line lacks comm or cpu: '%s'", line);

	uint32_t words[4] = { 0x11223344, 0x55667788, 0x01020304, 0x0a0b0c0d };
	if (run(obj, "csum", words, 16, NULL, 0, NULL, 0, &r))
		goto out;
	uint64_t sum = (uint32_t)~words[0] + (uint64_t)(uint32_t)~words[1] + words[2] + words[3];
	while (sum >> 16) /* folded to 16 bits, as Linux does */
		sum = (sum & 0xffff) + (sum >> 16);
	CHECK(r == sum, "csum_diff = 0x%llx, expected 0x%llx", (unsigned long long)r, (unsigned long long)sum);

	if (run(obj, "misc", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 0x3f, "misc checks = 0x%llx, expected 0x3f", (unsigned long long)r);
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- tracing.bpf.c --- */

static void t_tracing(void)
{
	current = "tracing";
	struct bpfrt_object *obj = load("tracing");
	if (!obj)
		return;
	static const char text[] = "hello";
	uint64_t ctx[1] = { (uintptr_t)text }, r;
	if (run(obj, "task", NULL, 0, ctx, sizeof(ctx), NULL, 0, &r))
		goto out;
	CHECK(r == 601, "returned %llu, expected 601 (6-byte string, failed bad read)", (unsigned long long)r);
	struct {
		uint64_t pid_tgid, uid_gid;
		char comm[16], copied[16];
	} e;
	uint32_t k = 0;
	CHECK(lookup(obj, "last", &k, &e, sizeof(e)) == 0, "no event");
	CHECK(e.pid_tgid == ((uint64_t)getpid() << 32 | (uint32_t)gettid()), "pid_tgid 0x%llx",
	      (unsigned long long)e.pid_tgid);
	CHECK(e.uid_gid == ((uint64_t)getgid() << 32 | getuid()), "uid_gid 0x%llx", (unsigned long long)e.uid_gid);
	char comm[17] = "";
	prctl(PR_GET_NAME, comm);
	CHECK(!strcmp(e.comm, comm), "comm '%s', expected '%s'", e.comm, comm);
	CHECK(e.copied[0] == 0, "a failed read must zero its buffer");
	/* Task helpers are for tracing programs: a generic XDP-style type may not call them. */
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- control.bpf.c --- */

static void t_control(void)
{
	current = "control";
	struct bpfrt_object *obj = load("control");
	if (!obj)
		return;
	uint64_t r;
	uint8_t d[1] = { 0 };
	if (run(obj, "loop", d, 1, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 100 * 100000 + 4950, "bpf_loop full: %llu", (unsigned long long)r);
	d[0] = 5;
	if (run(obj, "loop", d, 1, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 5 * 100000 + 10, "bpf_loop stopped at 5: %llu", (unsigned long long)r);
	if (run(obj, "foreach", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 8 * 1000 + 204, "for_each: %llu, expected 8204", (unsigned long long)r);
	if (run(obj, "nested", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	/* rounds 0..3: 1003 + 2014 + 3032 + 4059 (see control.bpf.c) */
	CHECK(r == 4 * 1000000 + 10108, "nested callbacks: %llu, expected 4010108",
	      (unsigned long long)r);

	uint32_t slot = 0, id1 = bpfrt_prog__id(bpfrt_program__prog(bpfrt_object__find_program_by_name(obj, "target1")));
	uint32_t id2 = bpfrt_prog__id(bpfrt_program__prog(bpfrt_object__find_program_by_name(obj, "target2")));
	CHECK(update(obj, "jump", &slot, &id1, 4) == 0, "prog array update failed: %s",
	      bpfrt_runtime__last_error(rt));
	slot = 2;
	CHECK(update(obj, "jump", &slot, &id2, 4) == 0, "prog array update failed");
	d[0] = 0;
	if (run(obj, "entry", d, 1, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 111, "tail call to slot 0: %llu", (unsigned long long)r);
	d[0] = 2;
	if (run(obj, "entry", d, 1, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 222, "tail call chain to empty slot 1: %llu", (unsigned long long)r);
	slot = 1;
	update(obj, "jump", &slot, &id1, 4);
	if (run(obj, "entry", d, 1, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 111, "tail call chain 2 -> 1: %llu", (unsigned long long)r);
	d[0] = 3;
	if (run(obj, "entry", d, 1, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 999, "tail call to empty slot: %llu", (unsigned long long)r);
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- mapkinds.bpf.c --- */

static int ring_seen;
static uint64_t ring_vals[4];

static int on_record(void *ctx, void *data, size_t size)
{
	if (size == 8 && ring_seen < 4)
		memcpy(&ring_vals[ring_seen], data, 8);
	ring_seen++;
	return 0;
}

static void t_mapkinds(void)
{
	current = "mapkinds";
	struct bpfrt_object *obj = load("mapkinds");
	if (!obj)
		return;
	uint64_t r;
	if (run(obj, "queue_stack", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 13, "queue/stack: %llu, expected 13", (unsigned long long)r);
	if (run(obj, "bloom_test", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 1, "bloom filter: %llu", (unsigned long long)r);

	struct { uint32_t len; uint8_t a[4]; } keys[] = {
		{ 8, { 10, 0, 0, 0 } }, { 16, { 10, 1, 0, 0 } }, { 24, { 10, 1, 2, 0 } },
	};
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t v = i + 1;
		CHECK(update(obj, "routes", &keys[i], &v, 4) == 0, "LPM insert %u failed", i);
	}
	const uint8_t probes[][4] = { { 10, 1, 2, 3 }, { 10, 1, 9, 9 }, { 10, 9, 9, 9 }, { 11, 0, 0, 0 } };
	const uint64_t want[] = { 3, 2, 1, 0 };
	for (int i = 0; i < 4; i++) {
		if (run(obj, "lpm", probes[i], 4, NULL, 0, NULL, 0, &r))
			goto out;
		CHECK(r == want[i], "LPM lookup %d.%d.%d.%d = %llu, expected %llu", probes[i][0], probes[i][1],
		      probes[i][2], probes[i][3], (unsigned long long)r, (unsigned long long)want[i]);
	}

	uint8_t which = 1;
	if (run(obj, "in_map", &which, 1, NULL, 0, NULL, 0, &r))
		goto out;
	uint32_t zero = 0, v = 0;
	CHECK(r == 0 && lookup(obj, "inner_b", &zero, &v, 4) == 0 && v == 7, "map in map: ret %llu, inner_b %u",
	      (unsigned long long)r, v);

	if (run(obj, "ring", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 48, "ring: available data %llu, expected 48 (three 16-byte records)", (unsigned long long)r);
	struct bpfrt_ring_buffer *rb = bpfrt_ring_buffer__new(bpfrt_object__find_map_by_name(obj, "events"),
							      on_record, NULL);
	CHECK(rb, "ring_buffer__new failed: %s", bpfrt_runtime__last_error(rt));
	int n = bpfrt_ring_buffer__consume(rb);
	bpfrt_ring_buffer__free(rb);
	CHECK(n == 2 && ring_seen == 2 && ring_vals[0] == 0x1111 && ring_vals[1] == 0x2222,
	      "ring records: %d consumed, %d seen, 0x%llx 0x%llx", n, ring_seen,
	      (unsigned long long)ring_vals[0], (unsigned long long)ring_vals[1]);

	if (run(obj, "hashes", NULL, 0, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 50, "LRU newest value %llu, expected 50", (unsigned long long)r);
	uint32_t k0 = 0;
	CHECK(lookup(obj, "lru", &k0, &v, 4) == -ENOENT, "LRU kept its oldest entry past max_entries");
	struct bpfrt_map *pm = bpfrt_object__find_map_by_name(obj, "pcpu");
	size_t vsz = bpfrt_map__value_size_user(pm);
	uint64_t *vals = calloc(1, vsz), total = 0;
	uint32_t k1 = 1;
	int err = bpfrt_map__lookup_elem(pm, &k1, 4, vals, vsz, 0);
	for (size_t i = 0; i < vsz / 8; i++)
		total += vals[i];
	free(vals);
	CHECK(err == 0 && total == 42, "per-CPU hash total %llu, expected 42", (unsigned long long)total);
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- core.bpf.c --- */

static void t_core(void)
{
	current = "core";
	struct bpfrt_object *obj = load("core");
	if (!obj)
		return;
	uint8_t pkt[60] = { 0 };
	uint64_t r;
	if (run(obj, "core", pkt, sizeof(pkt), NULL, 0, NULL, 0, &r))
		goto out;
	/* 60 bytes, the made-up field absent, rx_queue_index present, 4-byte ifindex */
	CHECK(r == 60 * 1000 + 0 + 10 + 4, "returned %llu, expected 60014", (unsigned long long)r);
	pass();
out:
	bpfrt_object__close(obj);
}

/* --- extern_helper.bpf.c --- */

static uint64_t my_counter_add(uint64_t a, uint64_t b, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct bpfrt_exec *ex)
{
	return a * 100 + b;
}

static void t_extern(void)
{
	current = "extern_helper";
	struct bpfrt_object *obj = load("extern_helper");
	if (!obj)
		return;
	uint8_t d[3] = { 0 };
	uint64_t r;
	if (run(obj, "use_extern", d, 3, NULL, 0, NULL, 0, &r))
		goto out;
	CHECK(r == 306, "returned %llu, expected 306", (unsigned long long)r);
	pass();
out:
	bpfrt_object__close(obj);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test_objects DIR CPU [checked|interp]\n");
		return 2;
	}
	dir = argv[1];
	cpu = argv[2];
	if (argc > 3 && !strcmp(argv[3], "interp"))
		engine = BPFRT_ENGINE_INTERP;
	else if (argc > 3 && !strcmp(argv[3], "jit"))
		engine = BPFRT_ENGINE_JIT;
	trace = tmpfile();
	if (!mkdtemp(pin_dir)) {
		perror("mkdtemp");
		return 2;
	}
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .trace_output = trace);
	rt = bpfrt_runtime__new(&ro);
	if (rt)
		bpfrt_runtime__add_helper(rt, 1000, "my_counter_add", my_counter_add);
	if (!rt || !trace) {
		fprintf(stderr, "test_objects: cannot create a runtime\n");
		return 2;
	}
	t_globals();
	t_xdp();
	t_legacy();
	t_helpers();
	t_tracing();
	t_control();
	t_mapkinds();
	t_core();
	t_extern();
	bpfrt_runtime__free(rt);
	fclose(trace);
	char pin[4200];
	snprintf(pin, sizeof(pin), "%s/blocklist", pin_dir);
	unlink(pin);
	rmdir(pin_dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
