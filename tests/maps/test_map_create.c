/* SPDX-License-Identifier: MIT */
/*
 * test_map_create - creation checks of every map type, with the kernel's
 * error codes (checked against Linux 6.18: see test_map_kernel for the live
 * comparison), bpfrt's size caps, and the properties of created maps.
 */
#include "mtest.h"

#define ENOTSUPP 524
#define F_NO_PREALLOC 1u
#define F_NO_COMMON_LRU 2u
#define F_RDONLY 8u
#define F_WRONLY 16u
#define F_RDONLY_PROG 128u
#define F_WRONLY_PROG 256u
#define F_MMAPABLE 1024u
#define F_INNER_MAP 4096u

struct create_case {
	const char *what;
	enum bpfrt_map_type type;
	uint32_t ks, vs, max, flags;
	int err;
};

static const struct create_case cases[] = {
	{ "array", BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0 },
	{ "array key 8", BPFRT_MAP_TYPE_ARRAY, 8, 8, 4, 0, -EINVAL },
	{ "array value 0", BPFRT_MAP_TYPE_ARRAY, 4, 0, 4, 0, -EINVAL },
	{ "array max 0", BPFRT_MAP_TYPE_ARRAY, 4, 4, 0, 0, -EINVAL },
	{ "array NO_PREALLOC", BPFRT_MAP_TYPE_ARRAY, 4, 4, 4, F_NO_PREALLOC, -EINVAL },
	{ "array RDONLY|WRONLY", BPFRT_MAP_TYPE_ARRAY, 4, 4, 4, F_RDONLY | F_WRONLY, -EINVAL },
	{ "array RDONLY_PROG|WRONLY_PROG", BPFRT_MAP_TYPE_ARRAY, 4, 4, 4,
	  F_RDONLY_PROG | F_WRONLY_PROG, -EINVAL },
	{ "array MMAPABLE", BPFRT_MAP_TYPE_ARRAY, 4, 4, 4, F_MMAPABLE, 0 },
	{ "array INNER_MAP", BPFRT_MAP_TYPE_ARRAY, 4, 4, 4, F_INNER_MAP, 0 },
	{ "percpu array MMAPABLE", BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, F_MMAPABLE, -EINVAL },
	{ "percpu array value 32768", BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 32768, 4, 0, 0 },
	{ "percpu array value 32769", BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 4, 0, -E2BIG },
	{ "hash", BPFRT_MAP_TYPE_HASH, 4, 4, 4, 0, 0 },
	{ "hash key 0", BPFRT_MAP_TYPE_HASH, 0, 4, 4, 0, -EINVAL },
	{ "hash value 0", BPFRT_MAP_TYPE_HASH, 4, 0, 4, 0, -EINVAL },
	{ "hash max 0", BPFRT_MAP_TYPE_HASH, 4, 4, 0, 0, -EINVAL },
	{ "hash key 512", BPFRT_MAP_TYPE_HASH, 512, 4, 4, 0, 0 },
	{ "hash key 513 (bpfrt cap)", BPFRT_MAP_TYPE_HASH, 513, 4, 4, 0, -E2BIG },
	{ "hash value 1 MiB + 1 (bpfrt cap)", BPFRT_MAP_TYPE_HASH, 4, (1u << 20) + 1, 1, 0, -E2BIG },
	{ "hash NO_PREALLOC", BPFRT_MAP_TYPE_HASH, 4, 4, 4, F_NO_PREALLOC, 0 },
	{ "hash NO_COMMON_LRU", BPFRT_MAP_TYPE_HASH, 4, 4, 4, F_NO_COMMON_LRU, -EINVAL },
	{ "hash MMAPABLE", BPFRT_MAP_TYPE_HASH, 4, 4, 4, F_MMAPABLE, -EINVAL },
	{ "hash INNER_MAP", BPFRT_MAP_TYPE_HASH, 4, 4, 4, F_INNER_MAP, -EINVAL },
	{ "percpu hash NO_COMMON_LRU", BPFRT_MAP_TYPE_PERCPU_HASH, 4, 4, 4, F_NO_COMMON_LRU, -EINVAL },
	{ "percpu hash value 32769", BPFRT_MAP_TYPE_PERCPU_HASH, 4, 32769, 4, 0, -E2BIG },
	{ "lru hash NO_PREALLOC", BPFRT_MAP_TYPE_LRU_HASH, 4, 4, 4, F_NO_PREALLOC, -ENOTSUPP },
	{ "lru percpu hash NO_COMMON_LRU", BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 4, F_NO_COMMON_LRU, 0 },
	{ "lpm", BPFRT_MAP_TYPE_LPM_TRIE, 8, 4, 4, F_NO_PREALLOC, 0 },
	{ "lpm without NO_PREALLOC", BPFRT_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0, -EINVAL },
	{ "lpm key 4", BPFRT_MAP_TYPE_LPM_TRIE, 4, 4, 4, F_NO_PREALLOC, -EINVAL },
	{ "lpm key 260", BPFRT_MAP_TYPE_LPM_TRIE, 260, 4, 4, F_NO_PREALLOC, 0 },
	{ "lpm key 261", BPFRT_MAP_TYPE_LPM_TRIE, 261, 4, 4, F_NO_PREALLOC, -EINVAL },
	{ "lpm value 0", BPFRT_MAP_TYPE_LPM_TRIE, 8, 0, 4, F_NO_PREALLOC, -EINVAL },
	{ "queue", BPFRT_MAP_TYPE_QUEUE, 0, 4, 4, 0, 0 },
	{ "queue key 4", BPFRT_MAP_TYPE_QUEUE, 4, 4, 4, 0, -EINVAL },
	{ "queue value 0", BPFRT_MAP_TYPE_QUEUE, 0, 0, 4, 0, -EINVAL },
	{ "queue max 0", BPFRT_MAP_TYPE_QUEUE, 0, 4, 0, 0, -EINVAL },
	{ "queue NO_PREALLOC", BPFRT_MAP_TYPE_QUEUE, 0, 4, 4, F_NO_PREALLOC, -EINVAL },
	{ "stack", BPFRT_MAP_TYPE_STACK, 0, 4, 4, 0, 0 },
	{ "bloom", BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, 0, 0 },
	{ "bloom key 4", BPFRT_MAP_TYPE_BLOOM_FILTER, 4, 4, 4, 0, -EINVAL },
	{ "bloom value 0", BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 0, 4, 0, -EINVAL },
	{ "bloom NO_PREALLOC", BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, F_NO_PREALLOC, -EINVAL },
	{ "ringbuf", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0 },
	{ "ringbuf 100", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 100, 0, -EINVAL },
	{ "ringbuf 3 pages", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 12288, 0, -EINVAL },
	{ "ringbuf 0", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 0, 0, -EINVAL },
	{ "ringbuf key 4", BPFRT_MAP_TYPE_RINGBUF, 4, 0, 4096, 0, -EINVAL },
	{ "ringbuf NO_PREALLOC", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, F_NO_PREALLOC, -EINVAL },
	{ "ringbuf 1 GiB (bpfrt cap)", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 1u << 30, 0, -E2BIG },
	{ "prog array", BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0 },
	{ "prog array value 8", BPFRT_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0, -EINVAL },
	{ "prog array MMAPABLE", BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, F_MMAPABLE, -EINVAL },
	{ "perf event array", BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, 0 },
	{ "perf event array value 8", BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 4, 0, -EINVAL },
	{ "perf event array 0", BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0, -EINVAL },
	{ "perf event array NO_PREALLOC", BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, F_NO_PREALLOC,
	  -EINVAL },
	{ "perf event array of 2^20 (bpfrt cap)", BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1u << 20,
	  0, -E2BIG },
	{ "unknown type", (enum bpfrt_map_type)99, 4, 4, 4, 0, -EINVAL },
	/* bpfrt's cap: 1 GiB per map, with every multiplication checked */
	{ "array of 1 GiB", BPFRT_MAP_TYPE_ARRAY, 4, 1u << 20, 1024, 0, -E2BIG },
	{ "array of 2^32 entries", BPFRT_MAP_TYPE_ARRAY, 4, 8, UINT32_MAX, 0, -E2BIG },
	{ "percpu array overflow", BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 32768, UINT32_MAX, 0, -E2BIG },
	{ "hash of 2^32 entries", BPFRT_MAP_TYPE_HASH, 512, 1u << 20, UINT32_MAX, 0, -E2BIG },
	{ "lru of 2^31 entries", BPFRT_MAP_TYPE_LRU_HASH, 4, 4, 1u << 31, 0, -E2BIG },
	{ "lpm of 2^32 entries", BPFRT_MAP_TYPE_LPM_TRIE, 260, 1u << 20, UINT32_MAX, F_NO_PREALLOC,
	  -E2BIG },
	{ "queue of 2^32 entries", BPFRT_MAP_TYPE_QUEUE, 0, 1u << 20, UINT32_MAX, 0, -E2BIG },
	{ "stack overflow", BPFRT_MAP_TYPE_STACK, 0, 8, UINT32_MAX, 0, -E2BIG },
};

static void test_cases(struct bpfrt_runtime *rt)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct create_case *c = &cases[i];
		struct bpfrt_map *m = mk(rt, c->type, "probe", c->ks, c->vs, c->max, c->flags);
		int err = m ? 0 : -errno;
		CHECK(err == c->err, "%s: got %d, want %d (%s)", c->what, err, c->err,
		      bpfrt_runtime__last_error(rt));
		if (!m)
			CHECK_ERR_MENTIONS(rt, "map 'probe': ");
		bpfrt_map__put(m);
	}
}

static void test_messages(struct bpfrt_runtime *rt)
{
	CHECK(!mk(rt, BPFRT_MAP_TYPE_ARRAY, "huge", 4, 1u << 20, 4096, 0), "huge array");
	CHECK_ERR_MENTIONS(rt, "map 'huge'");
	CHECK_ERR_MENTIONS(rt, "1 GiB");
	CHECK(!mk(rt, BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, "events", 4, 8, 4, 0), "perf");
	CHECK_ERR_MENTIONS(rt, "4-byte keys and values");
	CHECK(!mk(rt, BPFRT_MAP_TYPE_LPM_TRIE, "routes", 8, 4, 4, 0), "lpm");
	CHECK_ERR_MENTIONS(rt, "BPF_F_NO_PREALLOC");

	BPFRT_OPTS(bpfrt_map_create_opts, extra, .map_extra = 3);
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "h", 4, 4, 4, &extra), "map_extra on hash");
	CHECK_EQ(errno, EINVAL);
	CHECK_ERR_MENTIONS(rt, "map_extra");
	extra.map_extra = 16;
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_BLOOM_FILTER, "b", 0, 4, 4, &extra), "extra 16");
	CHECK_EQ(errno, EINVAL);

	struct bpfrt_map_create_opts bad = { .sz = 1 };
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "h", 4, 4, 4, &bad), "opts.sz 1");
	CHECK_EQ(errno, EINVAL);
}

static void test_properties(struct bpfrt_runtime *rt)
{
	int ncpus = bpfrt_num_possible_cpus();
	CHECK(ncpus >= 1, "possible CPUs %d", ncpus);
	struct bpfrt_map *a = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "arr", 4, 12, 7, NULL);
	struct bpfrt_map *p = mk(rt, BPFRT_MAP_TYPE_PERCPU_HASH, "pc", 8, 12, 3, F_NO_PREALLOC);
	struct bpfrt_map *q = mk(rt, BPFRT_MAP_TYPE_QUEUE, "q", 0, 3, 3, 0);
	if (!a || !p || !q) {
		CHECK(0, "create: %s", bpfrt_runtime__last_error(rt));
		return;
	}
	CHECK(!strcmp(bpfrt_map__name(a), "arr"), "name");
	CHECK_EQ(bpfrt_map__type(a), BPFRT_MAP_TYPE_ARRAY);
	CHECK_EQ(bpfrt_map__key_size(a), 4);
	CHECK_EQ(bpfrt_map__value_size(a), 12);
	CHECK_EQ(bpfrt_map__max_entries(a), 7);
	CHECK_EQ(bpfrt_map__map_flags(p), F_NO_PREALLOC);
	CHECK_EQ(bpfrt_map__value_size_user(a), 12);
	CHECK_EQ(bpfrt_map__value_size_user(p), 16 * ncpus);
	CHECK_EQ(bpfrt_map__value_size_user(q), 3);
	CHECK(bpfrt_map__id(a) && bpfrt_map__id(p) && bpfrt_map__id(a) != bpfrt_map__id(p), "ids");
	bpfrt_map__put(a);
	bpfrt_map__put(p);
	bpfrt_map__put(q);

	struct bpfrt_map *anon = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, NULL, 4, 4, 1, NULL);
	CHECK(anon && !strcmp(bpfrt_map__name(anon), ""), "unnamed map");
	bpfrt_map__put(anon);
}

/* The largest maps under the cap work; their memory is really there. */
static void test_big(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "big", 8, 64, 1u << 20, NULL);
	CHECK(m, "1M-entry hash: %s", bpfrt_runtime__last_error(rt));
	if (!m)
		return;
	for (uint64_t k = 0; k < 1000; k++) {
		uint64_t v[8] = { k };
		CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 64, BPFRT_NOEXIST), 0);
	}
	bpfrt_map__put(m);
}

static void test_map_in_map_create(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *inner = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "in", 4, 4, 4, NULL);
	struct bpfrt_map *pa = bpfrt_map__create(rt, BPFRT_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 4, NULL);
	struct bpfrt_map *rb = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL);
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 2, NULL), "no inner");
	CHECK_EQ(errno, EINVAL);
	CHECK_ERR_MENTIONS(rt, "inner map");
	BPFRT_OPTS(bpfrt_map_create_opts, o, .inner_map = inner);
	struct bpfrt_map *aom = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 2, &o);
	CHECK(aom, "aom: %s", bpfrt_runtime__last_error(rt));
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH_OF_MAPS, "hom", 4, 8, 2, &o), "value 8");
	CHECK_EQ(errno, EINVAL);
	o.inner_map = aom;
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY_OF_MAPS, "aom2", 4, 4, 2, &o), "2 levels");
	CHECK_EQ(errno, EINVAL);
	o.inner_map = pa;
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY_OF_MAPS, "aom3", 4, 4, 2, &o), "prog array");
	CHECK_EQ(errno, ENOTSUPP);
	o.inner_map = rb;
	struct bpfrt_map *ok = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH_OF_MAPS, "hom", 4, 4, 2, &o);
	CHECK(ok, "ringbuf inner: %s", bpfrt_runtime__last_error(rt));
	bpfrt_map__put(ok);
	bpfrt_map__put(aom);
	bpfrt_map__put(inner);
	bpfrt_map__put(pa);
	bpfrt_map__put(rb);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_cases(rt);
	test_messages(rt);
	test_properties(rt);
	test_big(rt);
	test_map_in_map_create(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_create");
}
