/* SPDX-License-Identifier: MIT */
/*
 * test_map_lru - LRU hash maps: a full map evicts instead of failing, the
 * oldest unused element first; a program's lookup protects an element (its
 * ref bit) until the eviction scan passes it; user-space lookups do not
 * (as in the kernel); deletes make room without evicting.
 */
#include "mtest.h"
#include "maps/maps.h"

static int present(struct bpfrt_map *m, uint32_t k)
{
	uint64_t v;
	return bpfrt_map__lookup_elem(m, &k, 4, &v, 8, 0) == 0;
}

static uint32_t count(struct bpfrt_map *m)
{
	uint32_t k, n = 0;
	const void *prev = NULL;
	uint32_t cur;
	while (!bpfrt_map__get_next_key(m, prev, &k, 4)) {
		cur = k;
		prev = &cur;
		n++;
	}
	return n;
}

static void test_order(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LRU_HASH, "lru", 4, 8, 8, NULL);
	for (uint32_t k = 1; k <= 8; k++) {
		uint64_t v = k;
		CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &v, 8, BPFRT_NOEXIST), 0);
	}
	uint32_t k = 9;
	uint64_t v = 9;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &v, 8, BPFRT_ANY), 0);
	CHECK(!present(m, 1), "1 is the oldest: evicted");
	CHECK_EQ(count(m), 8);

	/* programs use 2..5: they survive the next two evictions, 6 and 7 do not */
	for (k = 2; k <= 5; k++)
		CHECK(map_lookup_elem(m, &k), "lookup %u", k);
	k = 8;
	CHECK(present(m, 8), "user-space lookups do not count as use");
	for (k = 10; k <= 11; k++)
		CHECK_EQ(map_update_elem(m, &k, &v, BPFRT_ANY), 0);
	for (k = 1; k <= 11; k++)
		CHECK(present(m, k) == !(k == 1 || k == 6 || k == 7), "key %u present: %d", k,
		      present(m, k));

	/* deleting makes room: the next insert evicts nothing */
	k = 8;
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 4, 0), 0);
	k = 12;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &v, 8, BPFRT_NOEXIST), 0);
	CHECK_EQ(count(m), 8);
	CHECK(present(m, 2) && present(m, 9) && present(m, 10), "nothing evicted");

	/* flags as for hash maps */
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &v, 8, BPFRT_NOEXIST), -EEXIST);
	k = 99;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &v, 8, BPFRT_EXIST), -ENOENT);
	CHECK(!present(m, 99), "not inserted");
	bpfrt_map__put(m);
}

/* However many keys go in, updates succeed and the newest are kept. */
static void test_churn(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LRU_HASH, "churn", 4, 8, 16, NULL);
	for (uint32_t k = 0; k < 1000; k++) {
		uint64_t v = k;
		CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &v, 8, BPFRT_ANY), 0);
		CHECK(present(m, k), "just inserted %u", k);
		if (k % 3 == 0) {
			uint32_t old = k / 2;
			map_lookup_elem(m, &old);
		}
	}
	CHECK_EQ(count(m), 16);
	for (uint32_t k = 984; k < 1000; k++)
		CHECK(present(m, k), "newest %u kept", k);
	bpfrt_map__put(m);
}

/* A key kept in use survives any number of insertions. */
static void test_hot_key(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LRU_HASH, "hot", 4, 8, 4, NULL);
	uint32_t hot = 7;
	uint64_t v = 0;
	CHECK_EQ(bpfrt_map__update_elem(m, &hot, 4, &v, 8, 0), 0);
	for (uint32_t k = 100; k < 200; k++) {
		CHECK(map_lookup_elem(m, &hot), "hot key evicted before key %u", k);
		CHECK_EQ(map_update_elem(m, &k, &v, BPFRT_ANY), 0);
	}
	bpfrt_map__put(m);
}

static void test_percpu_lru(struct bpfrt_runtime *rt)
{
	int ncpus = bpfrt_num_possible_cpus();
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = BPFRT_F_NO_COMMON_LRU);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LRU_PERCPU_HASH, "plru", 4, 4, 2, &o);
	CHECK(m, "create: %s", bpfrt_runtime__last_error(rt));
	size_t vsz = bpfrt_map__value_size_user(m);
	uint64_t *buf = calloc((size_t)ncpus, 8);
	for (uint32_t k = 0; k < 5; k++) {
		uint32_t v = k;
		CHECK_EQ(map_update_elem(m, &k, &v, BPFRT_ANY), 0);
		uint32_t *p = map_lookup_elem(m, &k);
		CHECK(p && *p == k, "own CPU's value");
		CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, buf, vsz, 0), 0);
	}
	CHECK_EQ(count(m), 2);
	free(buf);
	bpfrt_map__put(m);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_order(rt);
	test_churn(rt);
	test_hot_key(rt);
	test_percpu_lru(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_lru");
}
