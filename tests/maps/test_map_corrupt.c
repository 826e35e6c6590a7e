/* SPDX-License-Identifier: MIT */
/*
 * test_map_corrupt - pinned files damaged at random: opening them fails
 * cleanly, or, when only the shared state or the entries were hit, the map
 * opens and every operation still stays inside the region (run it under
 * ASan). Another process can write anything into a shared map; it may get
 * wrong answers, never a crash.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mtest.h"
#include "maps/maps.h"

static char dir[256];

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static long visit(struct bpfrt_map *m, const void *key, void *value, void *ctx)
{
	(*(long *)ctx)++;
	return 0;
}

static int count_cb(void *ctx, void *data, size_t size)
{
	(*(long *)ctx)++;
	return 0;
}

/* Everything a user of the map could do, with results ignored. */
static void exercise(struct bpfrt_map *m, uint64_t *seed)
{
	uint8_t key[64] = { 0 }, next[64], val[4096] = { 0 };
	uint32_t ks = bpfrt_map__key_size(m);
	size_t vs = bpfrt_map__value_size_user(m);
	if (vs > sizeof(val))
		return;
	for (int i = 0; i < 50; i++) {
		uint32_t k = rnd(seed) % 16;
		memcpy(key, &k, 4);
		if (bpfrt_map__type(m) == BPFRT_MAP_TYPE_LPM_TRIE)
			key[0] = (uint8_t)(rnd(seed) % 33);
		const void *kp = ks ? key : NULL;
		bpfrt_map__update_elem(m, kp, ks, val, vs, rnd(seed) % 3);
		bpfrt_map__lookup_elem(m, kp, ks, val, vs, 0);
		if (ks)
			map_lookup_elem(m, key);
		bpfrt_map__delete_elem(m, kp, ks, 0);
		if (!ks)
			bpfrt_map__lookup_and_delete_elem(m, NULL, 0, val, vs, 0);
	}
	const void *prev = NULL;
	for (int n = 0; n < 100 && !bpfrt_map__get_next_key(m, prev, next, ks); n++) {
		memcpy(key, next, ks);
		prev = key;
	}
	long visits = 0;
	map_for_each(m, visit, &visits, 0);
	if (bpfrt_map__type(m) == BPFRT_MAP_TYPE_RINGBUF) {
		for (int i = 0; i < 20; i++) {
			void *r = ringbuf_reserve(m, rnd(seed) % 200, 0);
			if (r)
				ringbuf_submit(r, 0);
		}
		long got = 0;
		struct bpfrt_ring_buffer *rb = bpfrt_ring_buffer__new(m, count_cb, &got);
		if (rb)
			bpfrt_ring_buffer__consume(rb);
		bpfrt_ring_buffer__free(rb);
	}
}

static void fuzz_type(struct bpfrt_runtime *rt, enum bpfrt_map_type t, uint32_t ks, uint32_t vs,
		      uint32_t max, uint32_t flags)
{
	struct bpfrt_map *m = mk(rt, t, "orig", ks, vs, max, flags);
	if (!m) {
		CHECK(0, "type %d: %s", t, bpfrt_runtime__last_error(rt));
		return;
	}
	uint64_t seed = t;
	exercise(m, &seed);
	char orig[512], bad[512];
	snprintf(orig, sizeof(orig), "%s/orig", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	CHECK_EQ(bpfrt_map__pin(m, orig), 0);
	struct stat st;
	stat(orig, &st);
	size_t len = (size_t)st.st_size;
	uint8_t *img = malloc(len), *copy = malloc(len);
	int fd = open(orig, O_RDONLY);
	CHECK(read(fd, img, len) == (ssize_t)len, "read");
	close(fd);
	int opened = 0;
	for (int round = 0; round < 300; round++) {
		memcpy(copy, img, len);
		int flips = 1 + (int)(rnd(&seed) % 8);
		for (int i = 0; i < flips; i++) {
			/* mostly the header page and just after it, where the state is */
			size_t at = rnd(&seed) % 4 ? rnd(&seed) % (len < 8192 ? len : 8192)
						   : rnd(&seed) % len;
			copy[at] = (uint8_t)rnd(&seed);
		}
		if (rnd(&seed) % 10 == 0)
			len -= rnd(&seed) % 64; /* and sometimes truncated */
		fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(write(fd, copy, len) == (ssize_t)len, "write");
		close(fd);
		len = (size_t)st.st_size;
		struct bpfrt_map *c = bpfrt_map__open_pinned(rt, bad);
		if (!c) {
			CHECK(strstr(bpfrt_runtime__last_error(rt), bad), "error names the file: %s",
			      bpfrt_runtime__last_error(rt));
			continue;
		}
		opened++;
		exercise(c, &seed);
		bpfrt_map__put(c);
	}
	CHECK(opened > 0, "type %d: some damage (to entries, state) must still open", t);
	unlink(bad);
	bpfrt_map__unpin(m, NULL);
	bpfrt_map__put(m);
	free(img);
	free(copy);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/dev/shm/bpfrt-test-corrupt-%d", (int)getpid());
	mkdir(dir, 0700);
	setenv("BPFRT_PIN_DIR", dir, 1);
	struct bpfrt_runtime *rt = quiet_runtime();
	fuzz_type(rt, BPFRT_MAP_TYPE_ARRAY, 4, 8, 16, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 8, 16, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_HASH, 4, 8, 16, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_LRU_HASH, 4, 8, 8, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 8, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPFRT_F_NO_PREALLOC);
	fuzz_type(rt, BPFRT_MAP_TYPE_QUEUE, 0, 8, 16, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_STACK, 0, 8, 16, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0);
	fuzz_type(rt, BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	bpfrt_runtime__free(rt);
	rmdir(dir);
	return finish("test_map_corrupt");
}
