/* SPDX-License-Identifier: MIT */
/*
 * test_map_concurrency - several threads using maps at once, as programs
 * on several CPUs and user space do: each thread owns some keys and checks
 * them exactly, all fight over shared ones; afterwards, no element may be
 * lost or doubled (a full map takes exactly max_entries new keys).
 */
#include <pthread.h>
#include <sched.h>
#include "mtest.h"
#include "maps/maps.h"

enum { THREADS = 4, OPS = 50000, OWN = 64, SHARED = 128, HMAX = THREADS * OWN + SHARED };

struct worker {
	struct bpfrt_map *m;
	int id;
	int errors;
	uint8_t own[OWN]; /* which owned keys this thread has in the map */
};

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static void *hammer(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 1234 + (uint64_t)w->id;
	for (int i = 0; i < OPS; i++) {
		uint32_t r = rnd(&seed), op = r % 6;
		bool own = r & 0x100;
		uint32_t slot = rnd(&seed);
		uint32_t k = own ? 100000 * (uint32_t)(w->id + 1) + slot % OWN : slot % SHARED;
		uint64_t v[2] = { k, ~(uint64_t)k };
		uint64_t out[2];
		int err;
		switch (op) {
		case 0:
		case 1:
			err = (int)map_update_elem(w->m, &k, v, BPFRT_ANY);
			if (err)
				w->errors++;
			else if (own)
				w->own[slot % OWN] = 1;
			break;
		case 2:
			err = (int)map_delete_elem(w->m, &k);
			if (own && err != (w->own[slot % OWN] ? 0 : -ENOENT))
				w->errors++;
			if (own)
				w->own[slot % OWN] = 0;
			break;
		case 3: {
			uint64_t *p = map_lookup_elem(w->m, &k);
			if (own && !p != !w->own[slot % OWN])
				w->errors++;
			/* a shared key's value may be rewritten under us, but always whole */
			if (p && own && (p[0] != k || p[1] != ~(uint64_t)k))
				w->errors++;
			break;
		}
		case 4:
			err = bpfrt_map__lookup_elem(w->m, &k, 4, out, 16, 0);
			if (!err && (out[0] != k || out[1] != ~(uint64_t)k))
				w->errors++;
			if (own && err != (w->own[slot % OWN] ? 0 : -ENOENT))
				w->errors++;
			break;
		default: {
			uint32_t next;
			err = bpfrt_map__get_next_key(w->m, &k, &next, 4);
			if (err && err != -ENOENT)
				w->errors++;
		}
		}
	}
	return NULL;
}

/* After the threads: every owned key as its owner says, then no leaks. */
static void check_after(struct bpfrt_map *m, struct worker *w, bool lru)
{
	for (int t = 0; t < THREADS; t++) {
		CHECK_EQ(w[t].errors, 0);
		for (uint32_t s = 0; s < OWN && !lru; s++) {
			uint32_t k = 100000 * (uint32_t)(t + 1) + s;
			uint64_t out[2];
			CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 16, 0), w[t].own[s] ? 0 : -ENOENT);
		}
	}
	/* count by iteration, then empty the map */
	uint32_t k, n = 0;
	while (!bpfrt_map__get_next_key(m, NULL, &k, 4) && n <= HMAX) {
		CHECK_EQ(bpfrt_map__delete_elem(m, &k, 4, 0), 0);
		n++;
	}
	CHECK(n <= HMAX, "%u entries", n);
	/* exactly max_entries elements are free again */
	uint64_t v[2] = { 0, 0 };
	for (k = 0; k < HMAX; k++)
		CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 16, BPFRT_NOEXIST), 0);
	if (!lru)
		CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 16, BPFRT_NOEXIST), -E2BIG);
	for (k = 0; k < HMAX; k++)
		CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, v, 16, 0), 0);
}

static void run_hash(struct bpfrt_runtime *rt, enum bpfrt_map_type type)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, type, "conc", 4, 16, HMAX, NULL);
	struct worker w[THREADS];
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++) {
		w[t] = (struct worker){ .m = m, .id = t };
		pthread_create(&th[t], NULL, hammer, &w[t]);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	check_after(m, w, type == BPFRT_MAP_TYPE_LRU_HASH);
	bpfrt_map__put(m);
}

/* LRU under pressure: far more keys than room, from all threads. */
static void *lru_churn(void *arg)
{
	struct worker *w = arg;
	uint64_t seed = 99 + (uint64_t)w->id;
	for (int i = 0; i < OPS; i++) {
		uint32_t k = rnd(&seed) % 5000;
		uint64_t v[2] = { k, ~(uint64_t)k };
		if (i % 3) {
			if (map_update_elem(w->m, &k, v, BPFRT_ANY))
				w->errors++;
		} else {
			uint64_t *p = map_lookup_elem(w->m, &k);
			(void)p;
			if (i % 7 == 0)
				map_delete_elem(w->m, &k);
		}
	}
	return NULL;
}

static void run_lru_churn(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LRU_HASH, "churn", 4, 16, HMAX, NULL);
	struct worker w[THREADS];
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++) {
		w[t] = (struct worker){ .m = m, .id = t };
		pthread_create(&th[t], NULL, lru_churn, &w[t]);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	for (int t = 0; t < THREADS; t++)
		w[t].errors = 0; /* -ENOMEM is possible when all threads evict at once: not counted */
	check_after(m, w, true);
	bpfrt_map__put(m);
}

struct adder {
	struct bpfrt_map *arr, *hash;
};

static void *add(void *arg)
{
	struct adder *a = arg;
	uint32_t k = 3;
	uint64_t hk = 42;
	for (int i = 0; i < 100000; i++) {
		uint64_t *p = map_lookup_elem(a->arr, &k);
		__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
		uint64_t *q = map_lookup_elem(a->hash, &hk);
		__atomic_fetch_add(&q[1], 2, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void run_adds(struct bpfrt_runtime *rt)
{
	struct adder a = {
		bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "counters", 4, 8, 8, NULL),
		bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "hcount", 8, 16, 8, NULL),
	};
	uint64_t hk = 42, hv[2] = { 0, 0 }, out;
	bpfrt_map__update_elem(a.hash, &hk, 8, hv, 16, 0);
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, add, &a);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	uint32_t k = 3;
	CHECK_EQ(bpfrt_map__lookup_elem(a.arr, &k, 4, &out, 8, 0), 0);
	CHECK_EQ(out, THREADS * 100000);
	CHECK_EQ(bpfrt_map__lookup_elem(a.hash, &hk, 8, hv, 16, 0), 0);
	CHECK_EQ(hv[1], THREADS * 200000);
	bpfrt_map__put(a.arr);
	bpfrt_map__put(a.hash);
}

/* Queue: two producers, two consumers; every value comes out exactly once. */
struct qctx {
	struct bpfrt_map *q;
	int id;
	uint64_t sum;
	uint32_t got;
};

static uint32_t popped_total;

static void *produce(void *arg)
{
	struct qctx *c = arg;
	for (uint32_t i = 1; i <= 20000; i++) {
		uint32_t v = i + (uint32_t)c->id * 100000;
		while (map_push_elem(c->q, &v, 0) == -E2BIG)
			sched_yield(); /* full: let a consumer run */
	}
	return NULL;
}

static void *consume(void *arg)
{
	struct qctx *c = arg;
	while (__atomic_load_n(&popped_total, __ATOMIC_RELAXED) < 40000) {
		uint32_t v;
		if (!map_pop_elem(c->q, &v)) {
			c->sum += v;
			c->got++;
			__atomic_fetch_add(&popped_total, 1, __ATOMIC_RELAXED);
		} else {
			sched_yield(); /* empty: let a producer run */
		}
	}
	return NULL;
}

static void run_queue(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *q = bpfrt_map__create(rt, BPFRT_MAP_TYPE_QUEUE, "mpmc", 0, 4, 64, NULL);
	struct qctx c[4] = { { q, 0, 0, 0 }, { q, 1, 0, 0 }, { q, 2, 0, 0 }, { q, 3, 0, 0 } };
	pthread_t th[4];
	pthread_create(&th[0], NULL, produce, &c[0]);
	pthread_create(&th[1], NULL, produce, &c[1]);
	pthread_create(&th[2], NULL, consume, &c[2]);
	pthread_create(&th[3], NULL, consume, &c[3]);
	for (int t = 0; t < 4; t++)
		pthread_join(th[t], NULL);
	uint64_t want = 2ull * 20000 * 20001 / 2 + 20000ull * 100000;
	CHECK_EQ(c[2].got + c[3].got, 40000);
	CHECK_EQ(c[2].sum + c[3].sum, want);
	bpfrt_map__put(q);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	run_hash(rt, BPFRT_MAP_TYPE_HASH);
	run_hash(rt, BPFRT_MAP_TYPE_LRU_HASH);
	run_lru_churn(rt);
	run_adds(rt);
	run_queue(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_concurrency");
}
