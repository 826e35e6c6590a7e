/* SPDX-License-Identifier: MIT */
/*
 * test_map_hash - hash and percpu_hash maps (update flags, -E2BIG when
 * full, updates of existing keys in a full map, delete, lookup-and-delete,
 * get_next_key over everything, for_each with deletes from the callback),
 * and the maps of ids: prog_array, array_of_maps, hash_of_maps.
 */
#include "mtest.h"
#include "bpfrt/prog.h"
#include "maps/maps.h"

static void test_hash(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "h", 8, 16, 3, NULL);
	uint64_t k = 1, v[2] = { 10, 11 }, out[2];
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 8, out, 16, 0), -ENOENT);
	CHECK_ERR_MENTIONS(rt, "map 'h': lookup: no such key");
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_EXIST), -ENOENT);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_NOEXIST), 0);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_NOEXIST), -EEXIST);
	v[0] = 20;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_EXIST), 0);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 8, out, 16, 0), 0);
	CHECK_EQ(out[0], 20);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, 3), -EINVAL);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, 4), -EINVAL);
	k = 2;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_ANY), 0);
	k = 3;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_ANY), 0);
	k = 4;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_ANY), -E2BIG);
	CHECK_ERR_MENTIONS(rt, "full");
	/* existing keys can still be updated in a full map */
	k = 3;
	v[1] = 33;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, v, 16, BPFRT_ANY), 0);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 8, out, 16, 0), 0);
	CHECK_EQ(out[1], 33);

	/* programs: pointer to the value, the same until deleted */
	uint64_t *p = map_lookup_elem(m, &k);
	CHECK(p && p[1] == 33 && ((uintptr_t)p & 7) == 0, "pointer");
	p[1] = 34;
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 8, out, 16, 0), 0);
	CHECK_EQ(out[1], 34);
	k = 9;
	CHECK(!map_lookup_elem(m, &k), "missing");
	CHECK_EQ(map_update_elem(m, &k, v, BPFRT_ANY), -E2BIG);
	CHECK_EQ(map_delete_elem(m, &k), -ENOENT);

	/* delete, lookup-and-delete */
	k = 2;
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), 0);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), -ENOENT);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 4), -EINVAL);
	k = 3;
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(m, &k, 8, out, 16, 1), -EINVAL);
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(m, &k, 8, out, 16, 0), 0);
	CHECK_EQ(out[1], 34);
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(m, &k, 8, out, 16, 0), -ENOENT);
	/* room again */
	k = 4;
	CHECK_EQ(map_update_elem(m, &k, v, BPFRT_NOEXIST), 0);
	k = 5;
	CHECK_EQ(map_update_elem(m, &k, v, BPFRT_NOEXIST), 0);
	k = 6;
	CHECK_EQ(map_update_elem(m, &k, v, BPFRT_NOEXIST), -E2BIG);
	bpfrt_map__put(m);
}

/* get_next_key visits every key once; a missing key restarts from the first. */
static void test_iterate(struct bpfrt_runtime *rt)
{
	enum { N = 1000 };
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "it", 4, 4, N, NULL);
	static uint8_t seen[N];
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = i * 7919, v = i;
		CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &v, 4, BPFRT_NOEXIST), 0);
	}
	uint32_t key, next, n = 0, first;
	int err = bpfrt_map__get_next_key(m, NULL, &next, 4);
	first = next;
	while (!err) {
		uint32_t v;
		CHECK_EQ(bpfrt_map__lookup_elem(m, &next, 4, &v, 4, 0), 0);
		CHECK(v < N && next == v * 7919 && !seen[v], "key %u", next);
		if (v < N)
			seen[v]++;
		n++;
		key = next;
		err = bpfrt_map__get_next_key(m, &key, &next, 4);
	}
	CHECK_EQ(err, -ENOENT);
	CHECK_EQ(n, N);
	key = 12345678;
	CHECK_EQ(bpfrt_map__get_next_key(m, &key, &next, 4), 0);
	CHECK_EQ(next, first);

	/* deleting while iterating, as users clear maps */
	uint32_t cur;
	n = 0;
	while (!bpfrt_map__get_next_key(m, NULL, &cur, 4)) {
		CHECK_EQ(bpfrt_map__delete_elem(m, &cur, 4, 0), 0);
		if (++n > N)
			break;
	}
	CHECK_EQ(n, N);
	CHECK_EQ(bpfrt_map__get_next_key(m, NULL, &cur, 4), -ENOENT);
	bpfrt_map__put(m);
}

static long delete_odd(struct bpfrt_map *m, const void *key, void *value, void *ctx)
{
	uint32_t k;
	memcpy(&k, key, 4);
	(*(int *)ctx)++;
	if (k & 1)
		return map_delete_elem(m, key) ? 1 : 0;
	*(uint32_t *)value += 1000;
	return 0;
}

static void test_for_each(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "fe", 4, 4, 300, NULL);
	for (uint32_t k = 0; k < 300; k++)
		bpfrt_map__update_elem(m, &k, 4, &k, 4, 0);
	int calls = 0;
	CHECK_EQ(map_for_each(m, delete_odd, &calls, 0), 300);
	CHECK_EQ(calls, 300);
	for (uint32_t k = 0; k < 300; k++) {
		uint32_t v;
		int err = bpfrt_map__lookup_elem(m, &k, 4, &v, 4, 0);
		CHECK_EQ(err, k & 1 ? -ENOENT : 0);
		if (!err)
			CHECK_EQ(v, k + 1000);
	}
	bpfrt_map__put(m);
}

static void test_percpu_hash(struct bpfrt_runtime *rt)
{
	int ncpus = bpfrt_num_possible_cpus();
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_PERCPU_HASH, "pch", 4, 4, 4, NULL);
	size_t vsz = bpfrt_map__value_size_user(m);
	CHECK_EQ(vsz, 8 * (size_t)ncpus);
	uint64_t *buf = calloc((size_t)ncpus, 8);
	for (int c = 0; c < ncpus; c++)
		buf[c] = 5 + (uint64_t)c;
	uint32_t k = 7;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, buf, vsz, 0), 0);
	memset(buf, 0, vsz);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, buf, vsz, 0), 0);
	for (int c = 0; c < ncpus; c++)
		CHECK_EQ(buf[c], 5 + c);
	/* a program's insert sets its CPU's value and zeroes the others */
	k = 8;
	uint32_t one = 1;
	CHECK_EQ(map_update_elem(m, &k, &one, BPFRT_NOEXIST), 0);
	uint32_t *p = map_lookup_elem(m, &k);
	CHECK(p && *p == 1, "own CPU's value");
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, buf, vsz, 0), 0);
	uint64_t sum = 0;
	for (int c = 0; c < ncpus; c++)
		sum += buf[c];
	CHECK_EQ(sum, 1);
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(m, &k, 4, buf, vsz, 0), 0);
	free(buf);
	bpfrt_map__put(m);
}

static void test_prog_array(struct bpfrt_runtime *rt)
{
	struct bpfrt_insn insns[] = { BPFRT_INSN_MOV64_IMM(0, 1), BPFRT_INSN_EXIT() };
	struct bpfrt_prog *prog = bpfrt_prog__load(rt, "tail", insns, 2, NULL);
	CHECK(prog, "load: %s", bpfrt_runtime__last_error(rt));
	if (!prog)
		return;
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 4, NULL);
	uint32_t k = 1, id = bpfrt_prog__id(prog), out;
	CHECK_EQ(map_prog_array_get(m, 1), 0);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, &out, 4, 0), -ENOENT);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &id, 4, BPFRT_EXIST), -EINVAL);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &id, 4, BPFRT_ANY), 0);
	CHECK_EQ(map_prog_array_get(m, 1), id);
	CHECK_EQ(map_prog_array_get(m, 4), 0);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, &out, 4, 0), 0);
	CHECK_EQ(out, id);
	CHECK(!map_lookup_elem(m, &k), "programs do not look into prog arrays");
	uint32_t bad = 999;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &bad, 4, BPFRT_ANY), -EBADF);
	CHECK_ERR_MENTIONS(rt, "no program with id 999");
	uint32_t mid = bpfrt_map__id(m);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &mid, 4, BPFRT_ANY), -EBADF);
	k = 4;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, &id, 4, BPFRT_ANY), -E2BIG);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 4, 0), -E2BIG);
	k = 1;
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 4, 0), 0);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 4, 0), -ENOENT);
	CHECK_EQ(map_prog_array_get(m, 1), 0);
	bpfrt_map__put(m);
	bpfrt_prog__free(prog);
}

static void test_maps_of_maps(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *tmpl = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "tmpl", 4, 8, 4, NULL);
	struct bpfrt_map *in1 = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "in1", 4, 8, 4, NULL);
	struct bpfrt_map *other = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "other", 4, 8, 5, NULL);
	BPFRT_OPTS(bpfrt_map_create_opts, o, .inner_map = tmpl);
	struct bpfrt_map *aom = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 2, &o);
	struct bpfrt_map *hom = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH_OF_MAPS, "hom", 8, 4, 2, &o);
	uint32_t k = 0, id = bpfrt_map__id(in1), oid = bpfrt_map__id(other), out;
	uint64_t hk = 77;

	CHECK_EQ(bpfrt_map__update_elem(aom, &k, 4, &id, 4, BPFRT_ANY), 0);
	CHECK_EQ(bpfrt_map__update_elem(aom, &k, 4, &id, 4, BPFRT_EXIST), -EINVAL);
	CHECK_EQ(bpfrt_map__update_elem(aom, &k, 4, &oid, 4, BPFRT_ANY), -EINVAL);
	CHECK_ERR_MENTIONS(rt, "map 'aom': update: map 'other'");
	CHECK(map_lookup_elem(aom, &k) == in1, "programs get the inner map");
	CHECK_EQ(bpfrt_map__lookup_elem(aom, &k, 4, &out, 4, 0), 0);
	CHECK_EQ(out, id);
	k = 1;
	CHECK(!map_lookup_elem(aom, &k), "empty slot");
	CHECK_EQ(bpfrt_map__lookup_elem(aom, &k, 4, &out, 4, 0), -ENOENT);
	k = 0;
	CHECK_EQ(bpfrt_map__delete_elem(aom, &k, 4, 0), 0);
	CHECK(!map_lookup_elem(aom, &k), "deleted");

	CHECK_EQ(bpfrt_map__update_elem(hom, &hk, 8, &id, 4, BPFRT_NOEXIST), 0);
	CHECK_EQ(bpfrt_map__update_elem(hom, &hk, 8, &id, 4, BPFRT_NOEXIST), -EEXIST);
	uint32_t bad = 12345;
	CHECK_EQ(bpfrt_map__update_elem(hom, &hk, 8, &bad, 4, BPFRT_ANY), -EBADF);
	CHECK(map_lookup_elem(hom, &hk) == in1, "hash of maps gives the inner map");
	CHECK_EQ(map_update_elem(hom, &hk, &id, BPFRT_ANY), -EINVAL);
	CHECK_EQ(bpfrt_map__lookup_elem(hom, &hk, 8, &out, 4, 0), 0);
	CHECK_EQ(out, id);
	CHECK_EQ(bpfrt_map__delete_elem(hom, &hk, 8, 0), 0);
	CHECK(!map_lookup_elem(hom, &hk), "deleted");

	/* BPF_F_INNER_MAP on the template: inner maps of any max_entries */
	BPFRT_OPTS(bpfrt_map_create_opts, io, .map_flags = 1u << 12);
	struct bpfrt_map *t2 = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "t2", 4, 8, 1, &io);
	struct bpfrt_map *i2 = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "i2", 4, 8, 100, &io);
	o.inner_map = t2;
	struct bpfrt_map *aom2 = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY_OF_MAPS, "aom2", 4, 4, 1, &o);
	uint32_t i2id = bpfrt_map__id(i2);
	CHECK_EQ(bpfrt_map__update_elem(aom2, &k, 4, &i2id, 4, BPFRT_ANY), 0);
	bpfrt_map__put(aom2);
	bpfrt_map__put(t2);
	bpfrt_map__put(i2);

	bpfrt_map__put(aom);
	bpfrt_map__put(hom);
	bpfrt_map__put(tmpl);
	bpfrt_map__put(in1);
	bpfrt_map__put(other);
}

/* Keys of every length hash and compare correctly (jhash's tails). */
static void test_key_sizes(struct bpfrt_runtime *rt)
{
	for (uint32_t ks = 1; ks <= 40; ks++) {
		struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "ks", ks, 1, 64, NULL);
		uint8_t key[40];
		for (uint8_t i = 0; i < 64; i++) {
			memset(key, 0, sizeof(key));
			key[(i * 5) % ks] = i + 1;
			key[ks - 1] ^= (uint8_t)(i << 1);
			int err = bpfrt_map__update_elem(m, key, ks, &i, 1, BPFRT_NOEXIST);
			if (err == -EEXIST)
				continue; /* two i gave the same key: fine */
			CHECK_EQ(err, 0);
			uint8_t v;
			CHECK_EQ(bpfrt_map__lookup_elem(m, key, ks, &v, 1, 0), 0);
			CHECK_EQ(v, i);
		}
		bpfrt_map__put(m);
	}
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_hash(rt);
	test_iterate(rt);
	test_for_each(rt);
	test_percpu_hash(rt);
	test_prog_array(rt);
	test_maps_of_maps(rt);
	test_key_sizes(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_hash");
}
