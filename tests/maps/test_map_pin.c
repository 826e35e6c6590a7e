/* SPDX-License-Identifier: MIT */
/*
 * test_map_pin - pinned maps shared between processes: a child opens what
 * the parent pinned and both see the same entries, counters added to from
 * both processes at once come out exact, and files that are not maps
 * (garbage, truncated, a header that lies) fail to open with a clear error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mtest.h"
#include "maps/maps.h"
#include "maps/map_impl.h"
#include "maps/shlock.h"
#include <signal.h>
#include <time.h>

static char dir[256];

static void path_in_dir(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static int child_status(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* In the child: open the pinned maps, check the parent's entries, add ours. */
static int child_main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	struct bpfrt_map *h = bpfrt_map__open_pinned(rt, "counts");
	if (!h) {
		printf("child: %s\n", bpfrt_runtime__last_error(rt));
		return 1;
	}
	uint64_t k = 1, v = 0;
	if (bpfrt_map__lookup_elem(h, &k, 8, &v, 8, 0) || v != 100)
		return 2;
	k = 2;
	v = 200;
	if (bpfrt_map__update_elem(h, &k, 8, &v, 8, BPFRT_NOEXIST))
		return 3;
	if (bpfrt_map__type(h) != BPFRT_MAP_TYPE_HASH || strcmp(bpfrt_map__name(h), "counts") ||
	    bpfrt_map__max_entries(h) != 64)
		return 4;
	bpfrt_map__put(h);
	bpfrt_runtime__free(rt);
	return 0;
}

static void test_share(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *h = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "counts", 8, 8, 64, NULL);
	uint64_t k = 1, v = 100;
	CHECK_EQ(bpfrt_map__update_elem(h, &k, 8, &v, 8, 0), 0);
	CHECK_EQ(bpfrt_map__pin(h, "counts"), 0);
	CHECK_EQ(bpfrt_map__pin(h, "counts"), -EEXIST);
	CHECK_ERR_MENTIONS(rt, "map 'counts': pin at");
	char p[512];
	path_in_dir(p, sizeof(p), "counts");
	CHECK(access(p, F_OK) == 0, "%s exists", p);

	pid_t pid = fork();
	if (pid == 0)
		_exit(child_main());
	CHECK_EQ(child_status(pid), 0);
	k = 2;
	CHECK_EQ(bpfrt_map__lookup_elem(h, &k, 8, &v, 8, 0), 0);
	CHECK_EQ(v, 200);

	/* the pin keeps the memory: put the map, open it again */
	bpfrt_map__put(h);
	h = bpfrt_map__open_pinned(rt, p);
	CHECK(h, "reopen: %s", bpfrt_runtime__last_error(rt));
	if (h) {
		CHECK_EQ(bpfrt_map__lookup_elem(h, &k, 8, &v, 8, 0), 0);
		CHECK_EQ(v, 200);
		CHECK_EQ(bpfrt_map__unpin(h, NULL), 0);
		CHECK(access(p, F_OK) != 0, "unpinned");
		CHECK_EQ(bpfrt_map__unpin(h, "counts"), -ENOENT);
		bpfrt_map__put(h);
	}
	CHECK(!bpfrt_map__open_pinned(rt, "counts"), "open after unpin");
	CHECK_EQ(errno, ENOENT);
	CHECK_ERR_MENTIONS(rt, "cannot open");
}

enum { ADDS = 200000 };

static void add_loop(struct bpfrt_map *arr, struct bpfrt_map *lru, int who)
{
	uint32_t k = 0;
	for (int i = 0; i < ADDS; i++) {
		uint64_t *p = map_lookup_elem(arr, &k);
		__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
		uint32_t lk = (uint32_t)(who * 1000000 + i % 5000);
		uint64_t v = lk;
		map_update_elem(lru, &lk, &v, BPFRT_ANY);
	}
}

/* Two processes add to the same counter and churn the same LRU map at once. */
static void test_concurrent_processes(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *arr = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "shared_arr", 4, 8, 1, NULL);
	struct bpfrt_map *lru = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LRU_HASH, "shared_lru", 4, 8, 512,
						  NULL);
	CHECK_EQ(bpfrt_map__pin(arr, "shared_arr"), 0);
	CHECK_EQ(bpfrt_map__pin(lru, "shared_lru"), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct bpfrt_runtime *crt = quiet_runtime();
		struct bpfrt_map *a = bpfrt_map__open_pinned(crt, "shared_arr");
		struct bpfrt_map *l = bpfrt_map__open_pinned(crt, "shared_lru");
		if (!a || !l)
			_exit(1);
		add_loop(a, l, 2);
		_exit(0);
	}
	add_loop(arr, lru, 1);
	CHECK_EQ(child_status(pid), 0);
	uint32_t k = 0;
	uint64_t v;
	CHECK_EQ(bpfrt_map__lookup_elem(arr, &k, 4, &v, 8, 0), 0);
	CHECK_EQ(v, 2 * ADDS);
	/* the LRU map is consistent: 512 entries, each findable, values right */
	uint32_t n = 0, cur;
	const void *prev = NULL;
	while (!bpfrt_map__get_next_key(lru, prev, &k, 4) && n < 1000) {
		CHECK_EQ(bpfrt_map__lookup_elem(lru, &k, 4, &v, 8, 0), 0);
		CHECK_EQ(v, k);
		cur = k;
		prev = &cur;
		n++;
	}
	CHECK_EQ(n, 512);
	bpfrt_map__unpin(arr, NULL);
	bpfrt_map__unpin(lru, NULL);
	bpfrt_map__put(arr);
	bpfrt_map__put(lru);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		printf("cannot write %s\n", path);
	close(fd);
}

static size_t read_file(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len);
	close(fd);
	return n < 0 ? 0 : (size_t)n;
}

static void expect_open_fails(struct bpfrt_runtime *rt, const char *name, const char *why)
{
	char p[512];
	path_in_dir(p, sizeof(p), name);
	struct bpfrt_map *m = bpfrt_map__open_pinned(rt, p);
	CHECK(!m, "%s opened", name);
	bpfrt_map__put(m);
	CHECK(errno != 0, "errno");
	CHECK_ERR_MENTIONS(rt, p);
	CHECK_ERR_MENTIONS(rt, why);
}

static void test_bad_files(struct bpfrt_runtime *rt)
{
	char p[512];
	static uint8_t buf[1 << 16];
	path_in_dir(p, sizeof(p), "empty");
	write_file(p, "", 0);
	expect_open_fails(rt, "empty", "shorter than a map header");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	path_in_dir(p, sizeof(p), "garbage");
	write_file(p, buf, 8192);
	expect_open_fails(rt, "garbage", "bad magic");
	expect_open_fails(rt, ".", "Is a directory");
	expect_open_fails(rt, "missing", "No such file");

	/* a real map, then damaged copies of it */
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "victim", 4, 4, 100, NULL);
	CHECK_EQ(bpfrt_map__pin(m, "victim"), 0);
	path_in_dir(p, sizeof(p), "victim");
	size_t len = read_file(p, buf, sizeof(buf));
	CHECK(len > MAP_HDR_SIZE && len < sizeof(buf), "map file of %zu bytes", len);
	path_in_dir(p, sizeof(p), "truncated");
	write_file(p, buf, len - 100);
	expect_open_fails(rt, "truncated", "truncated or corrupt");
	path_in_dir(p, sizeof(p), "short");
	write_file(p, buf, 100);
	expect_open_fails(rt, "short", "shorter than a map header");

	struct map_hdr h;
	memcpy(&h, buf, sizeof(h));
	struct map_hdr bad = h;
	bad.max_entries = 1000000;
	memcpy(buf, &bad, sizeof(bad));
	path_in_dir(p, sizeof(p), "lying");
	write_file(p, buf, len);
	expect_open_fails(rt, "lying", "layout does not match");
	bad = h;
	bad.key_size = 0;
	memcpy(buf, &bad, sizeof(bad));
	path_in_dir(p, sizeof(p), "invalid");
	write_file(p, buf, len);
	expect_open_fails(rt, "invalid", "invalid map");
	bad = h;
	bad.type = 99; /* no such map type */
	memcpy(buf, &bad, sizeof(bad));
	path_in_dir(p, sizeof(p), "type");
	write_file(p, buf, len);
	expect_open_fails(rt, "type", "unknown map type");
	bad = h;
	bad.version = 99;
	memcpy(buf, &bad, sizeof(bad));
	path_in_dir(p, sizeof(p), "version");
	write_file(p, buf, len);
	expect_open_fails(rt, "version", "version 99");
	bad = h;
	bad.lay.nelems = 1u << 30;
	memcpy(buf, &bad, sizeof(bad));
	path_in_dir(p, sizeof(p), "nelems");
	write_file(p, buf, len);
	expect_open_fails(rt, "nelems", "layout does not match");

	/* the undamaged copy opens and works */
	memcpy(buf, &h, sizeof(h));
	path_in_dir(p, sizeof(p), "copy");
	write_file(p, buf, len);
	struct bpfrt_map *c = bpfrt_map__open_pinned(rt, p);
	CHECK(c, "copy: %s", bpfrt_runtime__last_error(rt));
	uint32_t k = 5, v = 6;
	CHECK_EQ(bpfrt_map__update_elem(c, &k, 4, &v, 4, 0), 0);
	bpfrt_map__put(c);
	bpfrt_map__unpin(m, NULL);
	bpfrt_map__put(m);
	const char *junk[] = { "empty", "garbage", "truncated", "short", "lying", "invalid", "type",
			       "version", "nelems", "copy" };
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		path_in_dir(p, sizeof(p), junk[i]);
		unlink(p);
	}
}

/* Every type survives a pin and reopen (ring buffers map their data twice). */
static void test_all_types(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *inner = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "in", 4, 4, 1, NULL);
	BPFRT_OPTS(bpfrt_map_create_opts, o, .inner_map = inner, .map_flags = 0);
	struct { enum bpfrt_map_type t; uint32_t ks, vs, max, flags; } ts[] = {
		{ BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0 }, { BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_HASH, 4, 8, 4, 0 }, { BPFRT_MAP_TYPE_PERCPU_HASH, 4, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_LRU_HASH, 4, 8, 4, 0 }, { BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 4, 1 }, { BPFRT_MAP_TYPE_QUEUE, 0, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_STACK, 0, 8, 4, 0 }, { BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0 }, { BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0 },
		{ BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0 }, { BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0 },
	};
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		o.map_flags = ts[i].flags;
		struct bpfrt_map *m = bpfrt_map__create(rt, ts[i].t, "any", ts[i].ks, ts[i].vs,
							ts[i].max, &o);
		CHECK(m && bpfrt_map__pin(m, "any") == 0, "type %d: %s", ts[i].t,
		      bpfrt_runtime__last_error(rt));
		struct bpfrt_map *r = bpfrt_map__open_pinned(rt, "any");
		CHECK(r && bpfrt_map__type(r) == ts[i].t, "reopen type %d: %s", ts[i].t,
		      bpfrt_runtime__last_error(rt));
		bpfrt_map__put(r);
		if (m)
			bpfrt_map__unpin(m, NULL);
		bpfrt_map__put(m);
	}
	bpfrt_map__put(inner);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/*
 * A process that dies holding a map's lock (killed in the middle of an
 * update) does not block the others: they take the lock over.
 */
static void test_dead_holder(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *q = bpfrt_map__create(rt, BPFRT_MAP_TYPE_QUEUE, "dq", 0, 4, 8, NULL);
	CHECK_EQ(bpfrt_map__pin(q, "dq"), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct bpfrt_runtime *crt = quiet_runtime();
		struct bpfrt_map *c = bpfrt_map__open_pinned(crt, "dq");
		if (!c)
			_exit(1);
		shlock_lock(&c->hdr->st.queue.lock); /* white box: die inside */
		_exit(0);
	}
	CHECK_EQ(child_status(pid), 0);
	uint32_t v = 5;
	double t0 = now_ms();
	CHECK_EQ(bpfrt_map__update_elem(q, NULL, 0, &v, 4, 0), 0);
	double dt = now_ms() - t0;
	CHECK(dt >= SHLOCK_CHECK_MS * 0.9 && dt < 5000, "took the lock over after %.0f ms", dt);
	/* and the lock works normally afterwards */
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(q, NULL, 0, &v, 4, 0), 0);
	CHECK_EQ(v, 5);
	bpfrt_map__unpin(q, NULL);
	bpfrt_map__put(q);

	/* killed at a random point of a stream of updates, many times over */
	struct bpfrt_map *h = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LRU_HASH, "dh", 4, 8, 64, NULL);
	CHECK_EQ(bpfrt_map__pin(h, "dh"), 0);
	for (int round = 0; round < 20; round++) {
		pid = fork();
		if (pid == 0) {
			struct bpfrt_runtime *crt = quiet_runtime();
			struct bpfrt_map *c = bpfrt_map__open_pinned(crt, "dh");
			for (uint32_t k = 0; c; k++) {
				uint64_t val = k;
				map_update_elem(c, &k, &val, BPFRT_ANY);
				map_delete_elem(c, &k);
				map_update_elem(c, &k, &val, BPFRT_ANY);
			}
			_exit(1);
		}
		usleep(1000 + (useconds_t)(round * 397) % 3000);
		kill(pid, SIGKILL);
		child_status(pid);
		for (uint32_t k = 0; k < 100; k++) {
			uint64_t val = k;
			CHECK_EQ(bpfrt_map__update_elem(h, &k, 4, &val, 8, BPFRT_ANY), 0);
		}
	}
	bpfrt_map__unpin(h, NULL);
	bpfrt_map__put(h);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/dev/shm/bpfrt-test-pin-%d", (int)getpid());
	setenv("BPFRT_PIN_DIR", dir, 1);
	struct bpfrt_runtime *rt = quiet_runtime();
	test_share(rt);
	test_concurrent_processes(rt);
	test_bad_files(rt);
	test_all_types(rt);
	test_dead_holder(rt);
	bpfrt_runtime__free(rt);
	rmdir(dir);
	return finish("test_map_pin");
}
