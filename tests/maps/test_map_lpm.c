/* SPDX-License-Identifier: MIT */
/*
 * test_map_lpm - LPM tries with the kernel's key layout {u32 prefixlen;
 * u8 data[]}: longest match among overlapping IPv4 and IPv6 prefixes,
 * exact-match delete, -ENOSPC when full, get_next_key in post-order (more
 * specific first), and a randomized comparison with a brute-force model.
 */
#include "mtest.h"
#include "maps/maps.h"

struct v4key {
	uint32_t plen;
	uint8_t a[4];
};

struct v6key {
	uint32_t plen;
	uint8_t a[16];
};

static struct v4key v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint32_t plen)
{
	return (struct v4key){ plen, { a, b, c, d } };
}

/* value of the longest match for a.b.c.d/plen, or -1 */
static int match4(struct bpfrt_map *m, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint32_t plen)
{
	struct v4key k = v4(a, b, c, d, plen);
	uint32_t v;
	int err = bpfrt_map__lookup_elem(m, &k, 8, &v, 4, 0);
	uint32_t *p = map_lookup_elem(m, &k);
	CHECK(err ? !p : p && *p == v, "program and user space agree");
	return err ? -1 : (int)v;
}

static void put4(struct bpfrt_map *m, struct v4key k, uint32_t v, int want)
{
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, &v, 4, BPFRT_ANY), want);
}

static void test_ipv4(struct bpfrt_runtime *rt)
{
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = BPFRT_F_NO_PREALLOC);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LPM_TRIE, "v4", 8, 4, 16, &o);
	CHECK_EQ(match4(m, 10, 1, 2, 3, 32), -1);
	put4(m, v4(10, 0, 0, 0, 8), 1, 0);
	put4(m, v4(10, 1, 2, 0, 24), 3, 0);
	put4(m, v4(10, 1, 0, 0, 16), 2, 0);
	put4(m, v4(10, 1, 2, 128, 25), 4, 0);
	put4(m, v4(192, 168, 0, 0, 16), 6, 0);
	put4(m, v4(0, 0, 0, 0, 0), 5, 0);
	put4(m, v4(10, 1, 2, 77, 32), 7, 0);
	CHECK_EQ(match4(m, 10, 1, 2, 200, 32), 4);
	CHECK_EQ(match4(m, 10, 1, 2, 5, 32), 3);
	CHECK_EQ(match4(m, 10, 1, 2, 77, 32), 7);
	CHECK_EQ(match4(m, 10, 1, 3, 1, 32), 2);
	CHECK_EQ(match4(m, 10, 2, 0, 0, 32), 1);
	CHECK_EQ(match4(m, 11, 0, 0, 0, 32), 5);
	CHECK_EQ(match4(m, 192, 168, 5, 5, 32), 6);
	/* the key's own prefixlen limits the match */
	CHECK_EQ(match4(m, 10, 1, 2, 200, 20), 2);
	CHECK_EQ(match4(m, 10, 1, 2, 200, 0), 5);
	CHECK_EQ(match4(m, 10, 1, 2, 200, 33), -1); /* as Linux: beyond the key's bits */

	/* flags, bad prefixes, exact-match delete */
	struct v4key k = v4(10, 1, 0, 0, 16);
	uint32_t v = 9;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, &v, 4, BPFRT_NOEXIST), -EEXIST);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, &v, 4, BPFRT_EXIST), 0);
	CHECK_EQ(match4(m, 10, 1, 3, 1, 32), 9);
	k = v4(10, 1, 0, 0, 17);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, &v, 4, BPFRT_EXIST), -ENOENT);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, &v, 4, 3), -EINVAL);
	k = v4(10, 1, 0, 0, 33);
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 8, &v, 4, BPFRT_ANY), -EINVAL);
	CHECK_ERR_MENTIONS(rt, "prefixlen 33");
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), -EINVAL);
	k = v4(10, 1, 2, 0, 23);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), -ENOENT);
	/* 10.1.2.0/24 and 10.1.2.128/25 diverge at bit 24: an intermediate node, not an entry */
	k = v4(10, 1, 2, 0, 24);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), 0);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), -ENOENT);
	CHECK_EQ(match4(m, 10, 1, 2, 5, 32), 9);
	CHECK_EQ(match4(m, 10, 1, 2, 200, 32), 4);
	k = v4(0, 0, 0, 0, 0);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), 0);
	CHECK_EQ(match4(m, 11, 0, 0, 0, 32), -1);
	CHECK_EQ(match4(m, 10, 1, 2, 77, 32), 7);
	bpfrt_map__put(m);
}

static void test_full(struct bpfrt_runtime *rt)
{
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = BPFRT_F_NO_PREALLOC);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LPM_TRIE, "small", 8, 4, 2, &o);
	put4(m, v4(10, 0, 0, 0, 8), 1, 0);
	put4(m, v4(11, 0, 0, 0, 8), 2, 0); /* + an intermediate node: not counted */
	put4(m, v4(12, 0, 0, 0, 8), 3, -ENOSPC);
	CHECK_ERR_MENTIONS(rt, "full");
	put4(m, v4(11, 0, 0, 0, 8), 4, 0); /* replacing is fine */
	struct v4key k = v4(10, 0, 0, 0, 8);
	CHECK_EQ(bpfrt_map__delete_elem(m, &k, 8, 0), 0);
	put4(m, v4(12, 0, 0, 0, 8), 3, 0);
	CHECK_EQ(match4(m, 11, 1, 1, 1, 32), 4);
	CHECK_EQ(match4(m, 12, 1, 1, 1, 32), 3);
	CHECK_EQ(match4(m, 10, 1, 1, 1, 32), -1);
	bpfrt_map__put(m);
}

static struct v6key v6(const char *hex, uint32_t plen)
{
	struct v6key k = { plen, { 0 } };
	for (int i = 0; i < 16 && hex[2 * i]; i++)
		sscanf(hex + 2 * i, "%2hhx", &k.a[i]);
	return k;
}

static int match6(struct bpfrt_map *m, const char *hex)
{
	struct v6key k = v6(hex, 128);
	uint32_t v;
	return bpfrt_map__lookup_elem(m, &k, 20, &v, 4, 0) ? -1 : (int)v;
}

static void test_ipv6(struct bpfrt_runtime *rt)
{
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = BPFRT_F_NO_PREALLOC);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LPM_TRIE, "v6", 20, 4, 8, &o);
	struct { const char *hex; uint32_t plen, v; } in[] = {
		{ "", 0, 1 },
		{ "20010db8", 32, 2 },
		{ "20010db80001", 48, 3 },
		{ "20010db800010002", 64, 4 },
		{ "20010db8000100020000000000000001", 128, 5 },
		{ "fe80", 10, 6 },
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct v6key k = v6(in[i].hex, in[i].plen);
		CHECK_EQ(bpfrt_map__update_elem(m, &k, 20, &in[i].v, 4, BPFRT_NOEXIST), 0);
	}
	CHECK_EQ(match6(m, "20010db8000100020000000000000001"), 5);
	CHECK_EQ(match6(m, "20010db8000100020000000000000002"), 4);
	CHECK_EQ(match6(m, "20010db80001ffff"), 3);
	CHECK_EQ(match6(m, "20010db8ffff"), 2);
	CHECK_EQ(match6(m, "20010db9"), 1);
	CHECK_EQ(match6(m, "febf0000000000000000000000000001"), 6);
	CHECK_EQ(match6(m, "fec0"), 1);
	struct v6key k = v6("", 129);
	uint32_t v = 0;
	CHECK_EQ(bpfrt_map__update_elem(m, &k, 20, &v, 4, 0), -EINVAL);

	/* post-order: every prefix comes after the more specific ones it contains */
	uint32_t order[8], n = 0;
	struct v6key cur, next;
	const void *prev = NULL;
	while (!bpfrt_map__get_next_key(m, prev, &next, 20) && n < 8) {
		CHECK_EQ(bpfrt_map__lookup_elem(m, &next, 20, &order[n], 4, 0), 0);
		n++;
		cur = next;
		prev = &cur;
	}
	CHECK_EQ(n, 6);
	/* the chain 5 (/128) -> 4 -> 3 -> 2, and ::/0 last */
	uint32_t want[] = { 5, 4, 3, 2, 6, 1 };
	for (uint32_t i = 0; i < n && i < 6; i++)
		CHECK(order[i] == want[i], "get_next_key #%u gives %u, want %u", i, order[i], want[i]);
	bpfrt_map__put(m);
}

/* --- randomized against a model: a list of prefixes, matched by brute force --- */

struct model {
	uint32_t plen[64];
	uint8_t a[64][4];
	uint32_t v[64];
	int n;
};

static bool covers(uint32_t plen, const uint8_t *p, uint32_t klen, const uint8_t *a)
{
	if (plen > klen)
		return false;
	for (uint32_t b = 0; b < plen; b++)
		if (((p[b / 8] ^ a[b / 8]) >> (7 - b % 8)) & 1)
			return false;
	return true;
}

static int model_find(const struct model *md, uint32_t plen, const uint8_t *a)
{
	for (int i = 0; i < md->n; i++)
		if (md->plen[i] == plen && covers(plen, md->a[i], plen, a))
			return i;
	return -1;
}

static int model_match(const struct model *md, uint32_t klen, const uint8_t *a)
{
	int best = -1;
	for (int i = 0; i < md->n; i++)
		if (covers(md->plen[i], md->a[i], klen, a) &&
		    (best < 0 || md->plen[i] > md->plen[best]))
			best = i;
	return best < 0 ? -1 : (int)md->v[best];
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static void test_random(struct bpfrt_runtime *rt)
{
	enum { MAX = 40 };
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = BPFRT_F_NO_PREALLOC);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_LPM_TRIE, "rnd", 8, 4, MAX, &o);
	struct model md = { .n = 0 };
	uint64_t seed = 42;
	/* few distinct addresses and lengths, so that prefixes overlap a lot */
	static const uint8_t base[4][4] = { { 10, 0, 0, 0 }, { 10, 128, 0, 0 }, { 10, 1, 2, 3 },
					    { 192, 168, 1, 1 } };
	for (int step = 0; step < 20000; step++) {
		uint8_t a[4];
		memcpy(a, base[rnd(&seed) % 4], 4);
		a[rnd(&seed) % 4] ^= (uint8_t)(1u << (rnd(&seed) % 8));
		uint32_t plen = rnd(&seed) % 33, op = rnd(&seed) % 10, v = rnd(&seed);
		struct v4key k = { plen, { a[0], a[1], a[2], a[3] } };
		int i = model_find(&md, plen, a);
		if (op < 4) {
			uint64_t flags = rnd(&seed) % 3;
			int want = 0;
			if (i >= 0 && flags == BPFRT_NOEXIST)
				want = -EEXIST;
			else if (i < 0 && flags == BPFRT_EXIST)
				want = -ENOENT;
			else if (i < 0 && md.n == MAX)
				want = -ENOSPC;
			int err = bpfrt_map__update_elem(m, &k, 8, &v, 4, flags);
			CHECK(err == want, "step %d: update %u.%u.%u.%u/%u flags %llu: %d, want %d", step,
			      a[0], a[1], a[2], a[3], plen, (unsigned long long)flags, err, want);
			if (!want && i < 0) {
				i = md.n++;
				md.plen[i] = plen;
			}
			if (!want) {
				memcpy(md.a[i], a, 4);
				md.v[i] = v;
			}
		} else if (op < 7) {
			int err = bpfrt_map__delete_elem(m, &k, 8, 0);
			CHECK(err == (i < 0 ? -ENOENT : 0), "step %d: delete /%u: %d", step, plen, err);
			if (i >= 0 && !err) {
				md.n--;
				md.plen[i] = md.plen[md.n];
				memcpy(md.a[i], md.a[md.n], 4);
				md.v[i] = md.v[md.n];
			}
		} else {
			int got = match4(m, a[0], a[1], a[2], a[3], plen);
			int want = model_match(&md, plen, a);
			CHECK(got == want, "step %d: lookup %u.%u.%u.%u/%u: %d, want %d", step, a[0],
			      a[1], a[2], a[3], plen, got, want);
		}
		if (failures > 10)
			break;
	}
	/* iteration gives every entry once, contained prefixes before containing ones */
	struct v4key seen[MAX], next;
	int n = 0;
	const void *prev = NULL;
	while (n < MAX && !bpfrt_map__get_next_key(m, prev, &next, 8)) {
		seen[n] = next;
		prev = &seen[n++];
	}
	CHECK_EQ(n, md.n);
	for (int i = 0; i < n; i++) {
		CHECK(model_find(&md, seen[i].plen, seen[i].a) >= 0, "iterated key is an entry");
		for (int j = 0; j < i; j++)
			CHECK(!covers(seen[j].plen, seen[j].a, seen[i].plen, seen[i].a) ||
			      seen[i].plen == seen[j].plen,
			      "/%u came before the /%u it contains", seen[j].plen, seen[i].plen);
		for (int j = i + 1; j < n; j++)
			CHECK(!(seen[i].plen == seen[j].plen &&
				covers(seen[i].plen, seen[i].a, seen[j].plen, seen[j].a)), "duplicate");
	}
	bpfrt_map__put(m);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_ipv4(rt);
	test_full(rt);
	test_ipv6(rt);
	test_random(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_lpm");
}
