/* SPDX-License-Identifier: MIT */
/*
 * test_map_array - array and percpu_array: the kernel's update flags and
 * error codes, get_next_key, program-side pointers into the map, per-CPU
 * layout for user space, initial values, access flags, for_each.
 */
#define _GNU_SOURCE
#include <sched.h>
#include "mtest.h"
#include "maps/maps.h"

static void test_array(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "arr", 4, 12, 4, NULL);
	uint32_t k = 0, next;
	uint8_t v[12], out[12];
	memset(v, 0xab, sizeof(v));

	/* elements exist from the start, zeroed */
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 12, 0), 0);
	CHECK(out[0] == 0 && out[11] == 0, "zeroed");
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 12, BPFRT_ANY), 0);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 12, BPFRT_EXIST), 0);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 12, BPFRT_NOEXIST), -EEXIST);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 12, 3), -EINVAL);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 12, 4), -EINVAL); /* BPF_F_LOCK */
	CHECK_ERR_MENTIONS(rt, "BPF_F_LOCK");
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 12, 0), 0);
	CHECK(!memcmp(out, v, 12), "value");
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 12, 1), -EINVAL);
	k = 4;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, v, 12, BPFRT_ANY), -E2BIG);
	CHECK_ERR_MENTIONS(rt, "map 'arr': update: index 4 out of range");
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 12, 0), -ENOENT);
	k = 1;
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 4, 0), -EINVAL);
	CHECK_ERR_MENTIONS(rt, "cannot be deleted");
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(m, &k, 4, out, 12, 0), -524);

	/* wrong sizes and NULLs are refused, naming the map */
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 8, out, 12, 0), -EINVAL);
	CHECK_ERR_MENTIONS(rt, "map 'arr': lookup: key size 8");
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 16, 0), -EINVAL);
	CHECK_EQ(bpfrt_map__update_elem(m, NULL, 4, v, 12, 0), -EINVAL);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, NULL, 12, 0), -EINVAL);

	/* get_next_key: NULL or out-of-range starts at 0; the last gives -ENOENT */
	CHECK_EQ(bpfrt_map__get_next_key(m, NULL, &next, 4), 0);
	CHECK_EQ(next, 0);
	k = 2;
	CHECK_EQ(bpfrt_map__get_next_key(m, &k, &next, 4), 0);
	CHECK_EQ(next, 3);
	k = 3;
	CHECK_EQ(bpfrt_map__get_next_key(m, &k, &next, 4), -ENOENT);
	k = 99;
	CHECK_EQ(bpfrt_map__get_next_key(m, &k, &next, 4), 0);
	CHECK_EQ(next, 0);

	/* programs get a pointer into the map, stable, 8-byte aligned */
	k = 2;
	uint8_t *p = map_lookup_elem(m, &k);
	CHECK(p && ((uintptr_t)p & 7) == 0, "aligned pointer");
	CHECK(p == map_lookup_elem(m, &k), "same pointer");
	k = 3;
	CHECK((uint8_t *)map_lookup_elem(m, &k) - p == 16, "stride round_up(12, 8)");
	k = 4;
	CHECK(!map_lookup_elem(m, &k), "out of range");
	k = 2;
	p[0] = 42;
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 12, 0), 0);
	CHECK_EQ(out[0], 42);
	CHECK_EQ(map_update_elem(m, &k, v, BPFRT_ANY), 0);
	CHECK_EQ(p[0], 0xab);
	CHECK_EQ(map_update_elem(m, &k, v, BPFRT_NOEXIST), -EEXIST);
	CHECK_EQ(map_delete_elem(m, &k), -EINVAL);
	CHECK_EQ(map_push_elem(m, v, 0), -524);

	/* what the checked engine may touch, and global data addresses */
	uintptr_t lo, hi;
	bool w;
	CHECK(map_value_region(m, &lo, &hi, &w), "value region");
	CHECK(lo <= (uintptr_t)p && (uintptr_t)p + 12 <= hi && hi - lo == 4 * 16 + 4 * 4 && w,
	      "region: the values and the key table");
	k = 0;
	CHECK(map_array_value_addr(m, 5) == (uint8_t *)map_lookup_elem(m, &k) + 5, "value addr");
	CHECK(!map_array_value_addr(m, 12), "value addr past the value");
	CHECK(map_is_valid(rt, m), "valid");
	CHECK(!map_is_valid(rt, &k), "not a map");
	bpfrt_map__put(m);
}

static long count_cb(struct bpfrt_map *m, const void *key, void *value, void *ctx)
{
	uint32_t k;
	memcpy(&k, key, 4);
	*(uint64_t *)ctx += k;
	return k == 5; /* stop after key 5 */
}

/* Keys and values given to callbacks are in memory the program may read. */
static long inside_cb(struct bpfrt_map *m, const void *key, void *value, void *ctx)
{
	uintptr_t lo, hi;
	bool w;
	map_value_region(m, &lo, &hi, &w);
	if ((uintptr_t)key < lo || (uintptr_t)key + 4 > hi || (uintptr_t)value < lo ||
	    (uintptr_t)value + bpfrt_map__value_size(m) > hi)
		(*(int *)ctx)++;
	return 0;
}

static void test_for_each(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "fe", 4, 4, 10, NULL);
	uint64_t sum = 0;
	CHECK_EQ(map_for_each(m, count_cb, &sum, 0), 6);
	CHECK_EQ(sum, 15);
	CHECK_EQ(map_for_each(m, count_cb, &sum, 1), -EINVAL);
	int outside = 0;
	CHECK_EQ(map_for_each(m, inside_cb, &outside, 0), 10);
	CHECK_EQ(outside, 0);
	bpfrt_map__put(m);
	m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_PERCPU_ARRAY, "pfe", 4, 4, 3, NULL);
	CHECK_EQ(map_for_each(m, inside_cb, &outside, 0), 3);
	CHECK_EQ(outside, 0);
	bpfrt_map__put(m);
	m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "hfe", 4, 4, 3, NULL);
	for (uint32_t k = 0; k < 3; k++)
		bpfrt_map__update_elem(m, &k, 4, &k, 4, 0);
	CHECK_EQ(map_for_each(m, inside_cb, &outside, 0), 3);
	CHECK_EQ(outside, 0);
	bpfrt_map__put(m);
}

static void test_init_and_flags(struct bpfrt_runtime *rt)
{
	const char init[] = "hello";
	BPFRT_OPTS(bpfrt_map_create_opts, o, .init_value = init, .init_size = sizeof(init),
		   .map_flags = BPFRT_F_RDONLY_PROG);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "x.rodata", 4, 8, 1, &o);
	CHECK(m, "rodata: %s", bpfrt_runtime__last_error(rt));
	uint32_t k = 0;
	char out[8];
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 8, 0), 0);
	CHECK(!strcmp(out, "hello"), "initial value");
	uintptr_t lo, hi;
	bool w = true;
	CHECK(map_value_region(m, &lo, &hi, &w) && !w, "read-only for programs");
	CHECK_EQ(map_update_elem(m, &k, out, 0), -EPERM);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, out, 8, 0), 0); /* user space may */
	bpfrt_map__put(m);

	o.init_size = 9;
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "small", 4, 8, 1, &o), "too big init");
	CHECK_EQ(errno, EINVAL);
	CHECK(!bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "h", 4, 8, 1, &o), "init on hash");

	BPFRT_OPTS(bpfrt_map_create_opts, ro, .map_flags = 8 /* BPF_F_RDONLY */);
	m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "ro", 4, 8, 1, &ro);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, out, 8, 0), -EPERM);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 8, 0), 0);
	CHECK_EQ(map_update_elem(m, &k, out, 0), 0); /* programs may */
	bpfrt_map__put(m);
	ro.map_flags = 16; /* BPF_F_WRONLY */
	m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "wo", 4, 8, 1, &ro);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 8, 0), -EPERM);
	CHECK_EQ(bpfrt_map__get_next_key(m, NULL, &k, 4), -EPERM);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, out, 8, 0), 0);
	bpfrt_map__put(m);
}

/* User space sees round_up(value_size, 8) bytes per possible CPU. */
static void test_percpu(struct bpfrt_runtime *rt)
{
	int ncpus = bpfrt_num_possible_cpus();
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_PERCPU_ARRAY, "pc", 4, 4, 2, NULL);
	size_t vsz = bpfrt_map__value_size_user(m);
	CHECK_EQ(vsz, 8 * (size_t)ncpus);
	uint8_t *buf = calloc(1, vsz), *out = calloc(1, vsz);
	for (int c = 0; c < ncpus; c++) {
		uint32_t v = 100 + (uint32_t)c;
		memcpy(buf + 8 * c, &v, 4);
	}
	uint32_t k = 1;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 4, buf, vsz, 0), 0);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, vsz, 0), 0);
	CHECK(!memcmp(buf, out, vsz), "all CPUs' values");
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, 4, 0), -EINVAL);
	CHECK_ERR_MENTIONS(rt, "per-CPU");

	/* a program sees its CPU's value; its update changes only that one */
	for (int c = 0; c < ncpus; c++) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			continue;
		uint32_t *p = map_lookup_elem(m, &k);
		CHECK(p && *p == 100 + (uint32_t)c, "cpu %d sees %u", c, p ? *p : 0);
		uint32_t nv = 1000 + (uint32_t)c;
		CHECK_EQ(map_update_elem(m, &k, &nv, BPFRT_ANY), 0);
	}
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int c = 0; c < ncpus; c++)
		CPU_SET(c, &all);
	sched_setaffinity(0, sizeof(all), &all);
	CHECK_EQ(bpfrt_map__lookup_elem(m, &k, 4, out, vsz, 0), 0);
	for (int c = 0; c < ncpus; c++) {
		uint32_t v;
		memcpy(&v, out + 8 * c, 4);
		CHECK_EQ(v, 1000 + c);
	}
	free(buf);
	free(out);
	bpfrt_map__put(m);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_array(rt);
	test_for_each(rt);
	test_init_and_flags(rt);
	test_percpu(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_array");
}
