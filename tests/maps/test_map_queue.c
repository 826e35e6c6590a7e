/* SPDX-License-Identifier: MIT */
/*
 * test_map_queue - queues, stacks and bloom filters: keyless maps where
 * update is push, lookup is peek and lookup-and-delete is pop, with the
 * kernel's flags and error codes.
 */
#include "mtest.h"
#include "maps/maps.h"

static void test_queue(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *q = bpfrt_map__create(rt, BPFRT_MAP_TYPE_QUEUE, "q", 0, 4, 3, NULL);
	uint32_t v, out = 77;
	CHECK_EQ(bpfrt_map__lookup_elem(q, NULL, 0, &out, 4, 0), -ENOENT);
	CHECK_ERR_MENTIONS(rt, "map 'q': peek: queue is empty");
	CHECK_EQ(out, 77); /* user space's buffer is left alone */
	CHECK_EQ(map_pop_elem(q, &out), -ENOENT);
	CHECK_EQ(out, 0); /* a program's is zeroed, as the kernel does */
	for (v = 1; v <= 3; v++)
		CHECK_EQ(bpfrt_map__update_elem(q, NULL, 0, &v, 4, BPFRT_ANY), 0);
	CHECK_EQ(bpfrt_map__update_elem(q, NULL, 0, &v, 4, BPFRT_ANY), -E2BIG);
	CHECK_EQ(bpfrt_map__update_elem(q, NULL, 0, &v, 4, BPFRT_NOEXIST), -EINVAL);
	CHECK_EQ(bpfrt_map__update_elem(q, NULL, 0, &v, 4, 3), -EINVAL);
	v = 4;
	CHECK_EQ(bpfrt_map__update_elem(q, NULL, 0, &v, 4, BPFRT_EXIST), 0); /* drops 1 */
	CHECK_EQ(bpfrt_map__lookup_elem(q, NULL, 0, &out, 4, 0), 0);
	CHECK_EQ(out, 2);
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(q, NULL, 0, &out, 4, 0), 0);
	CHECK_EQ(out, 2);
	CHECK_EQ(map_peek_elem(q, &out), 0);
	CHECK_EQ(out, 3);
	CHECK_EQ(map_pop_elem(q, &out), 0);
	CHECK_EQ(out, 3);
	v = 5;
	CHECK_EQ(map_push_elem(q, &v, 0), 0);
	CHECK_EQ(map_pop_elem(q, &out), 0);
	CHECK_EQ(out, 4);
	CHECK_EQ(map_pop_elem(q, &out), 0);
	CHECK_EQ(out, 5);
	CHECK_EQ(map_pop_elem(q, &out), -ENOENT);

	/* no keys: key arguments, delete and iteration are refused */
	uint32_t k = 0;
	CHECK_EQ(bpfrt_map__lookup_elem(q, &k, 0, &out, 4, 0), -EINVAL);
	CHECK_EQ(bpfrt_map__lookup_elem(q, &k, 4, &out, 4, 0), -EINVAL);
	CHECK_EQ(bpfrt_map__delete_elem(q, NULL, 0, 0), -EINVAL);
	CHECK_EQ(bpfrt_map__get_next_key(q, NULL, &k, 0), -EINVAL);
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(q, NULL, 0, &out, 4, 4), -EINVAL);
	CHECK(!map_lookup_elem(q, &k), "no lookup for programs");
	CHECK_EQ(map_update_elem(q, &k, &v, 0), -EINVAL);

	/* many rounds through the ring */
	for (uint32_t i = 0; i < 100; i++) {
		CHECK_EQ(map_push_elem(q, &i, 0), 0);
		CHECK_EQ(map_push_elem(q, &i, 0), 0);
		CHECK_EQ(map_pop_elem(q, &out), 0);
		CHECK_EQ(map_pop_elem(q, &out), 0);
		CHECK_EQ(out, i);
	}
	bpfrt_map__put(q);
}

static void test_stack(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *s = bpfrt_map__create(rt, BPFRT_MAP_TYPE_STACK, "s", 0, 8, 2, NULL);
	uint64_t v, out;
	for (v = 1; v <= 2; v++)
		CHECK_EQ(bpfrt_map__update_elem(s, NULL, 0, &v, 8, 0), 0);
	CHECK_EQ(bpfrt_map__update_elem(s, NULL, 0, &v, 8, 0), -E2BIG);
	v = 3;
	CHECK_EQ(bpfrt_map__update_elem(s, NULL, 0, &v, 8, BPFRT_EXIST), 0); /* drops 1, the oldest */
	CHECK_EQ(bpfrt_map__lookup_elem(s, NULL, 0, &out, 8, 0), 0);
	CHECK_EQ(out, 3);
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(s, NULL, 0, &out, 8, 0), 0);
	CHECK_EQ(out, 3);
	CHECK_EQ(map_pop_elem(s, &out), 0);
	CHECK_EQ(out, 2);
	CHECK_EQ(map_pop_elem(s, &out), -ENOENT);
	for (v = 10; v < 50; v++) {
		CHECK_EQ(map_push_elem(s, &v, BPFRT_EXIST), 0);
		CHECK_EQ(map_peek_elem(s, &out), 0);
		CHECK_EQ(out, v);
	}
	CHECK_EQ(map_pop_elem(s, &out), 0);
	CHECK_EQ(out, 49);
	CHECK_EQ(map_pop_elem(s, &out), 0);
	CHECK_EQ(out, 48);
	bpfrt_map__put(s);
}

static void test_bloom(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *b = bpfrt_map__create(rt, BPFRT_MAP_TYPE_BLOOM_FILTER, "bf", 0, 8, 1000, NULL);
	uint64_t v;
	for (v = 0; v < 1000; v += 2)
		CHECK_EQ(bpfrt_map__update_elem(b, NULL, 0, &v, 8, BPFRT_ANY), 0);
	int false_pos = 0;
	for (v = 0; v < 1000; v++) {
		int err = bpfrt_map__lookup_elem(b, NULL, 0, &v, 8, 0);
		CHECK_EQ(map_peek_elem(b, &v), err);
		if (v % 2 == 0)
			CHECK(err == 0, "%" PRIu64 " was added", v);
		else if (!err)
			false_pos++;
		else
			CHECK_EQ(err, -ENOENT);
	}
	/* 5 hashes, ~7 bits per entry and hash: a few percent at most */
	CHECK(false_pos < 50, "%d false positives in 500", false_pos);
	CHECK_EQ(bpfrt_map__update_elem(b, NULL, 0, &v, 8, BPFRT_EXIST), -EINVAL);
	CHECK_EQ(bpfrt_map__update_elem(b, NULL, 0, &v, 8, BPFRT_NOEXIST), -EINVAL);
	CHECK_EQ(bpfrt_map__delete_elem(b, NULL, 0, 0), -EOPNOTSUPP);
	CHECK_EQ(bpfrt_map__get_next_key(b, NULL, &v, 0), -EOPNOTSUPP);
	CHECK_EQ(bpfrt_map__lookup_and_delete_elem(b, NULL, 0, &v, 8, 0), -524);
	CHECK_EQ(map_pop_elem(b, &v), -EOPNOTSUPP);
	CHECK_EQ(map_update_elem(b, NULL, &v, 0), -EOPNOTSUPP);
	v = 5000;
	CHECK_EQ(map_push_elem(b, &v, 0), 0);
	CHECK_EQ(map_peek_elem(b, &v), 0);
	bpfrt_map__put(b);

	/* one hash function, a tiny filter: still never a false negative */
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_extra = 1);
	b = bpfrt_map__create(rt, BPFRT_MAP_TYPE_BLOOM_FILTER, "bf1", 0, 3, 1, &o);
	for (uint8_t i = 0; i < 50; i++) {
		uint8_t val[3] = { i, 1, 2 };
		CHECK_EQ(map_push_elem(b, val, 0), 0);
		CHECK_EQ(map_peek_elem(b, val), 0);
	}
	bpfrt_map__put(b);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_queue(rt);
	test_stack(rt);
	test_bloom(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_queue");
}
