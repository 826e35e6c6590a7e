/* SPDX-License-Identifier: MIT */
/*
 * test_map_batch - batch operations as the kernel's: arrays and LPM tries
 * walk with get_next_key (token: the last key), hash maps go bucket by
 * bucket (token: a u32 bucket number, -ENOSPC when the first bucket does
 * not fit); updates and deletes stop at the first failure.
 */
#include "mtest.h"

static void test_array_batch(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "ab", 4, 4, 10, NULL);
	uint32_t keys[10], vals[10], n, batch = 0;
	for (uint32_t i = 0; i < 10; i++) {
		keys[i] = i;
		vals[i] = i * 10;
	}
	n = 10;
	CHECK_EQ(bpfrt_map__update_batch(m, keys, vals, &n, 0), 0);
	CHECK_EQ(n, 10);

	n = 4;
	memset(keys, 0xff, sizeof(keys));
	CHECK_EQ(bpfrt_map__lookup_batch(m, NULL, &batch, keys, vals, &n), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(batch, 3);
	CHECK(keys[0] == 0 && keys[3] == 3 && vals[3] == 30, "first batch");
	n = 4;
	CHECK_EQ(bpfrt_map__lookup_batch(m, &batch, &batch, keys, vals, &n), 0);
	CHECK(n == 4 && keys[0] == 4 && batch == 7, "second batch");
	n = 4;
	CHECK_EQ(bpfrt_map__lookup_batch(m, &batch, &batch, keys, vals, &n), -ENOENT);
	CHECK(n == 2 && keys[1] == 9 && vals[1] == 90 && batch == 9, "last batch");
	n = 4;
	CHECK_EQ(bpfrt_map__lookup_batch(m, &batch, &batch, keys, vals, &n), -ENOENT);
	CHECK_EQ(n, 0);
	n = 0;
	CHECK_EQ(bpfrt_map__lookup_batch(m, NULL, &batch, keys, vals, &n), 0);

	uint32_t k2[4] = { 1, 7, 12, 2 };
	n = 4;
	CHECK_EQ(bpfrt_map__update_batch(m, k2, vals, &n, 0), -E2BIG);
	CHECK_EQ(n, 2);
	n = 4;
	CHECK_EQ(bpfrt_map__update_batch(m, k2, vals, &n, BPFRT_NOEXIST), -EEXIST);
	CHECK_EQ(n, 0);
	n = 1;
	CHECK_EQ(bpfrt_map__delete_batch(m, keys, &n), -524);
	CHECK_EQ(bpfrt_map__lookup_and_delete_batch(m, NULL, &batch, keys, vals, &n), -524);
	CHECK_ERR_MENTIONS(rt, "not supported by array maps");
	CHECK_EQ(bpfrt_map__lookup_batch(m, NULL, &batch, keys, vals, NULL), -EINVAL);
	bpfrt_map__put(m);
}

static void test_hash_batch(struct bpfrt_runtime *rt)
{
	enum { N = 64 };
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "hb", 8, 4, N, NULL);
	uint64_t keys[N];
	uint32_t vals[N], n;
	for (uint32_t i = 0; i < N; i++) {
		keys[i] = 1000 + i;
		vals[i] = i;
	}
	n = N;
	CHECK_EQ(bpfrt_map__update_batch(m, keys, vals, &n, BPFRT_NOEXIST), 0);
	CHECK_EQ(n, N);
	n = N;
	CHECK_EQ(bpfrt_map__update_batch(m, keys, vals, &n, BPFRT_NOEXIST), -EEXIST);
	CHECK_EQ(n, 0);

	/* batches of 10 until the end: every key once */
	uint8_t seen[N] = { 0 };
	uint32_t batch, total = 0, calls = 0;
	const void *in = NULL;
	int err;
	do {
		uint64_t k[10];
		uint32_t v[10];
		n = 10;
		err = bpfrt_map__lookup_batch(m, in, &batch, k, v, &n);
		CHECK(err == 0 || err == -ENOENT || err == -ENOSPC, "err %d", err);
		for (uint32_t i = 0; i < n; i++) {
			CHECK(k[i] - 1000 == v[i] && v[i] < N && !seen[v[i]], "entry %" PRIu64, k[i]);
			if (v[i] < N)
				seen[v[i]] = 1;
		}
		total += n;
		in = &batch;
	} while (!err && ++calls < 100);
	CHECK_EQ(err, -ENOENT);
	CHECK_EQ(total, N);

	/* one at a time: some bucket holds two of 64 random keys, and does not fit */
	in = NULL;
	calls = 0;
	do {
		uint64_t k;
		uint32_t v;
		n = 1;
		err = bpfrt_map__lookup_batch(m, in, &batch, &k, &v, &n);
		in = &batch;
	} while (!err && ++calls < 100);
	CHECK_EQ(err, -ENOSPC);
	CHECK_EQ(n, 0);
	CHECK_ERR_MENTIONS(rt, "more than count");

	/* delete batch stops at the first missing key */
	uint64_t del[3] = { 1000, 5, 1001 };
	n = 3;
	CHECK_EQ(bpfrt_map__delete_batch(m, del, &n), -ENOENT);
	CHECK_EQ(n, 1);

	/* lookup and delete everything */
	total = 0;
	in = NULL;
	calls = 0;
	do {
		n = N;
		err = bpfrt_map__lookup_and_delete_batch(m, in, &batch, keys, vals, &n);
		total += n;
		in = &batch;
	} while (!err && ++calls < 100);
	CHECK_EQ(err, -ENOENT);
	CHECK_EQ(total, N - 1);
	uint64_t k;
	CHECK_EQ(bpfrt_map__get_next_key(m, NULL, &k, 8), -ENOENT);
	/* the elements came back: the map fills up again */
	for (uint32_t i = 0; i < N; i++)
		keys[i] = 5000 + i;
	n = N;
	CHECK_EQ(bpfrt_map__update_batch(m, keys, vals, &n, BPFRT_NOEXIST), 0);
	bpfrt_map__put(m);
}

static void test_percpu_batch(struct bpfrt_runtime *rt)
{
	int ncpus = bpfrt_num_possible_cpus();
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_PERCPU_HASH, "pb", 4, 4, 4, NULL);
	uint32_t keys[2] = { 1, 2 }, n = 2, batch;
	uint64_t *vals = calloc(2 * (size_t)ncpus, 8);
	for (int i = 0; i < 2 * ncpus; i++)
		vals[i] = (uint64_t)i;
	CHECK_EQ(bpfrt_map__update_batch(m, keys, vals, &n, 0), 0);
	memset(vals, 0, 2 * (size_t)ncpus * 8);
	n = 4;
	uint32_t k[4];
	uint64_t *out = calloc(4 * (size_t)ncpus, 8);
	CHECK_EQ(bpfrt_map__lookup_batch(m, NULL, &batch, k, out, &n), -ENOENT);
	CHECK_EQ(n, 2);
	for (uint32_t i = 0; i < n; i++)
		for (int c = 0; c < ncpus; c++)
			CHECK_EQ(out[i * (uint32_t)ncpus + (uint32_t)c], (k[i] - 1) * (uint32_t)ncpus + (uint32_t)c);
	free(vals);
	free(out);
	bpfrt_map__put(m);
}

static void test_lpm_batch(struct bpfrt_runtime *rt)
{
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = BPFRT_F_NO_PREALLOC);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LPM_TRIE, "lb", 8, 4, 4, &o);
	uint8_t keys[16] = { 24, 0, 0, 0, 10, 0, 0, 0, 16, 0, 0, 0, 10, 0, 0, 0 }, out[24], batch[8];
	uint32_t vals[3] = { 24, 16 }, n = 2;
	CHECK_EQ(bpfrt_map__update_batch(m, keys, vals, &n, 0), 0);
	n = 3;
	CHECK_EQ(bpfrt_map__lookup_batch(m, NULL, batch, out, vals, &n), -ENOENT);
	CHECK_EQ(n, 2);
	CHECK(out[0] == 24 && out[8] == 16 && batch[0] == 16, "post-order, token = last key");
	CHECK_EQ(bpfrt_map__lookup_and_delete_batch(m, NULL, batch, out, vals, &n), -524);
	n = 2;
	CHECK_EQ(bpfrt_map__delete_batch(m, keys, &n), 0);
	CHECK_EQ(n, 2);
	bpfrt_map__put(m);

	struct bpfrt_map *q = bpfrt_map__create(rt, BPFRT_MAP_TYPE_QUEUE, "qb", 0, 4, 4, NULL);
	n = 1;
	CHECK_EQ(bpfrt_map__lookup_batch(q, NULL, batch, out, vals, &n), -524);
	bpfrt_map__put(q);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_array_batch(rt);
	test_hash_batch(rt);
	test_percpu_batch(rt);
	test_lpm_batch(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_batch");
}
