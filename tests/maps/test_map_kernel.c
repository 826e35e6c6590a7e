/* SPDX-License-Identifier: MIT */
/*
 * test_map_kernel - bpfrt's maps against Linux's: the same operation
 * sequences (random, seeded) on a kernel map and a bpfrt map must give the
 * same return codes and values. Hash, array, per-CPU array, LPM trie (the
 * same algorithm: even the iteration order must match), queue and stack
 * exactly; LRU hash by property (the kernel evicts in batches, bpfrt one
 * element at a time: every key the kernel keeps, bpfrt keeps too); and the
 * error codes of map creation. Exits 77 where bpf() is not usable.
 */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "mtest.h"
#include "oracle.h"

/* --- bpf() commands the oracle does not wrap --- */

static int sys_bpf(int cmd, union bpf_attr *a)
{
	int r = (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
	return r < 0 ? -errno : r;
}

static int kdelete(int fd, const void *key)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	return sys_bpf(BPF_MAP_DELETE_ELEM, &a);
}

static int klookup_and_delete(int fd, const void *key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return sys_bpf(BPF_MAP_LOOKUP_AND_DELETE_ELEM, &a);
}

static int knext(int fd, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	a.next_key = (uintptr_t)next;
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &a);
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* One map on each side. */
struct pair {
	int fd;
	struct bpfrt_map *m;
	uint32_t ks, vs;
	const char *what;
};

static bool make_pair(struct bpfrt_runtime *rt, struct pair *p, const char *what, uint32_t type,
		      uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	p->what = what;
	p->ks = ks;
	p->vs = vs;
	p->fd = kern_map_create(type, ks, vs, max, flags, what);
	p->m = mk(rt, (enum bpfrt_map_type)type, what, ks, vs, max, flags);
	CHECK(p->fd >= 0 && p->m, "%s: kernel %d, bpfrt %s", what, p->fd,
	      p->m ? "ok" : bpfrt_runtime__last_error(rt));
	return p->fd >= 0 && p->m;
}

static void free_pair(struct pair *p)
{
	if (p->fd >= 0)
		close(p->fd);
	bpfrt_map__put(p->m);
}

/* Compare one result: return codes, and the value when both succeeded. */
static void same(struct pair *p, int step, const char *op, int kerr, int berr, const void *kv,
		 const void *bv, size_t vlen)
{
	CHECK(kerr == berr, "%s step %d %s: kernel %d, bpfrt %d", p->what, step, op, kerr, berr);
	if (!kerr && !berr && vlen)
		CHECK(!memcmp(kv, bv, vlen), "%s step %d %s: values differ", p->what, step, op);
}

/* Random update/lookup/delete/lookup-and-delete on keys of 4 bytes. */
static void random_ops(struct pair *p, uint64_t seed, int steps, uint32_t nkeys, size_t ubytes,
		       bool can_pop)
{
	uint8_t kv[4096], bv[4096], val[4096];
	for (int step = 0; step < steps && failures < 20; step++) {
		uint32_t op = rnd(&seed) % 8, key = rnd(&seed) % nkeys;
		for (size_t i = 0; i < ubytes; i++)
			val[i] = (uint8_t)rnd(&seed);
		memset(kv, 0, ubytes);
		memset(bv, 0, ubytes);
		if (op < 3) {
			uint64_t flags = rnd(&seed) % 4; /* 3 is invalid */
			same(p, step, "update", kern_map_update(p->fd, &key, val, flags),
			     bpfrt_map__update_elem(p->m, &key, 4, val, ubytes, flags), NULL, NULL, 0);
		} else if (op < 5) {
			same(p, step, "lookup", kern_map_lookup(p->fd, &key, kv),
			     bpfrt_map__lookup_elem(p->m, &key, 4, bv, ubytes, 0), kv, bv, ubytes);
		} else if (op < 7) {
			same(p, step, "delete", kdelete(p->fd, &key),
			     bpfrt_map__delete_elem(p->m, &key, 4, 0), NULL, NULL, 0);
		} else if (can_pop) {
			same(p, step, "lookup_and_delete", klookup_and_delete(p->fd, &key, kv),
			     bpfrt_map__lookup_and_delete_elem(p->m, &key, 4, bv, ubytes, 0), kv, bv,
			     ubytes);
		}
	}
}

/* The keys get_next_key yields, in order; sorted when the order is the map's business. */
static int keys_of_kernel(int fd, uint32_t ks, uint8_t *out, int max)
{
	uint8_t cur[64];
	int n = 0;
	const void *prev = NULL;
	while (n < max && !knext(fd, prev, out + (size_t)n * ks)) {
		memcpy(cur, out + (size_t)n * ks, ks);
		prev = cur;
		n++;
	}
	return n;
}

static int keys_of_bpfrt(struct bpfrt_map *m, uint32_t ks, uint8_t *out, int max)
{
	uint8_t cur[64];
	int n = 0;
	const void *prev = NULL;
	while (n < max && !bpfrt_map__get_next_key(m, prev, out + (size_t)n * ks, ks)) {
		memcpy(cur, out + (size_t)n * ks, ks);
		prev = cur;
		n++;
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void same_keys(struct pair *p, bool ordered)
{
	static uint8_t kk[64 * 1024], bk[64 * 1024];
	int kn = keys_of_kernel(p->fd, p->ks, kk, 1024), bn = keys_of_bpfrt(p->m, p->ks, bk, 1024);
	CHECK(kn == bn, "%s: kernel has %d keys, bpfrt %d", p->what, kn, bn);
	if (!ordered && p->ks == 4) {
		qsort(kk, (size_t)kn, 4, cmp_u32);
		qsort(bk, (size_t)bn, 4, cmp_u32);
	}
	if (kn == bn)
		CHECK(!memcmp(kk, bk, (size_t)kn * p->ks), "%s: keys (or their order) differ", p->what);
}

static void diff_hash(struct bpfrt_runtime *rt)
{
	struct pair p;
	if (make_pair(rt, &p, "hash", BPF_MAP_TYPE_HASH, 4, 12, 16, 0)) {
		random_ops(&p, 1, 20000, 24, 12, true);
		same_keys(&p, false);
	}
	free_pair(&p);
	if (make_pair(rt, &p, "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 8, 0)) {
		random_ops(&p, 2, 5000, 12, bpfrt_map__value_size_user(p.m), true);
		same_keys(&p, false);
	}
	free_pair(&p);
}

static void diff_array(struct bpfrt_runtime *rt)
{
	struct pair p;
	if (make_pair(rt, &p, "array", BPF_MAP_TYPE_ARRAY, 4, 12, 8, 0)) {
		random_ops(&p, 3, 5000, 10, 12, false);
		same_keys(&p, true);
		uint32_t k = 7, kn, bn;
		same(&p, 0, "next of last", knext(p.fd, &k, &kn), bpfrt_map__get_next_key(p.m, &k, &bn, 4),
		     NULL, NULL, 0);
		k = 100;
		same(&p, 0, "next of missing", knext(p.fd, &k, &kn),
		     bpfrt_map__get_next_key(p.m, &k, &bn, 4), &kn, &bn, 4);
	}
	free_pair(&p);
	if (make_pair(rt, &p, "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, 0))
		random_ops(&p, 4, 2000, 6, bpfrt_map__value_size_user(p.m), false);
	free_pair(&p);
}

/* LPM: random prefixes that overlap a lot; then the whole iteration order. */
static void diff_lpm(struct bpfrt_runtime *rt)
{
	struct pair p;
	if (!make_pair(rt, &p, "lpm", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 24, BPF_F_NO_PREALLOC)) {
		free_pair(&p);
		return;
	}
	static const uint8_t base[3][4] = { { 10, 0, 0, 0 }, { 10, 1, 2, 3 }, { 192, 168, 0, 1 } };
	uint64_t seed = 5;
	for (int step = 0; step < 20000 && failures < 20; step++) {
		uint8_t key[8];
		uint32_t plen = rnd(&seed) % 34; /* 33: invalid */
		memcpy(key, &plen, 4);
		memcpy(key + 4, base[rnd(&seed) % 3], 4);
		key[4 + rnd(&seed) % 4] ^= (uint8_t)(1u << (rnd(&seed) % 8));
		uint32_t op = rnd(&seed) % 3, v = rnd(&seed), kv = 0, bv = 0;
		if (op == 0) {
			uint64_t flags = rnd(&seed) % 4;
			same(&p, step, "update", kern_map_update(p.fd, key, &v, flags),
			     bpfrt_map__update_elem(p.m, key, 8, &v, 4, flags), NULL, NULL, 0);
		} else if (op == 1) {
			same(&p, step, "delete", kdelete(p.fd, key), bpfrt_map__delete_elem(p.m, key, 8, 0),
			     NULL, NULL, 0);
		} else {
			same(&p, step, "lookup", kern_map_lookup(p.fd, key, &kv),
			     bpfrt_map__lookup_elem(p.m, key, 8, &bv, 4, 0), &kv, &bv, 4);
		}
		if (step % 1000 == 999)
			same_keys(&p, true);
	}
	same_keys(&p, true);
	free_pair(&p);
}

/* Queues and stacks: the key is NULL on both sides. */
static void diff_queue(struct bpfrt_runtime *rt, uint32_t type, const char *what)
{
	struct pair p;
	if (!make_pair(rt, &p, what, type, 0, 4, 4, 0)) {
		free_pair(&p);
		return;
	}
	uint64_t seed = type;
	for (int step = 0; step < 5000 && failures < 20; step++) {
		uint32_t op = rnd(&seed) % 3, v = rnd(&seed), kv = 0, bv = 0;
		if (op == 0) {
			uint64_t flags = rnd(&seed) % 4;
			same(&p, step, "push", kern_map_update(p.fd, NULL, &v, flags),
			     bpfrt_map__update_elem(p.m, NULL, 0, &v, 4, flags), NULL, NULL, 0);
		} else if (op == 1) {
			same(&p, step, "peek", kern_map_lookup(p.fd, NULL, &kv),
			     bpfrt_map__lookup_elem(p.m, NULL, 0, &bv, 4, 0), &kv, &bv, 4);
		} else {
			same(&p, step, "pop", klookup_and_delete(p.fd, NULL, &kv),
			     bpfrt_map__lookup_and_delete_elem(p.m, NULL, 0, &bv, 4, 0), &kv, &bv, 4);
		}
	}
	free_pair(&p);
}

/*
 * LRU: the kernel's eviction depends on per-CPU lists (pinned to one CPU
 * here) and evicts in batches, so compare properties: updates never fail,
 * the flags behave the same, both keep the newest keys, and bpfrt keeps
 * every key the kernel keeps.
 */
static void diff_lru(struct bpfrt_runtime *rt)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	struct pair p;
	if (!make_pair(rt, &p, "lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, 64, 0)) {
		free_pair(&p);
		return;
	}
	uint64_t v = 1;
	for (uint32_t k = 0; k < 1000 && failures < 20; k++) {
		same(&p, (int)k, "insert", kern_map_update(p.fd, &k, &v, BPF_NOEXIST),
		     bpfrt_map__update_elem(p.m, &k, 4, &v, 8, BPF_NOEXIST), NULL, NULL, 0);
		same(&p, (int)k, "again", kern_map_update(p.fd, &k, &v, BPF_NOEXIST),
		     bpfrt_map__update_elem(p.m, &k, 4, &v, 8, BPF_NOEXIST), NULL, NULL, 0);
		uint32_t missing = k + 100000;
		same(&p, (int)k, "exist", kern_map_update(p.fd, &missing, &v, BPF_EXIST),
		     bpfrt_map__update_elem(p.m, &missing, 4, &v, 8, BPF_EXIST), NULL, NULL, 0);
		uint64_t kv, bv;
		same(&p, (int)k, "newest", kern_map_lookup(p.fd, &k, &kv),
		     bpfrt_map__lookup_elem(p.m, &k, 4, &bv, 8, 0), &kv, &bv, 8);
		if (k % 50 != 49)
			continue;
		for (uint32_t old = 0; old <= k; old++) {
			bool kin = !kern_map_lookup(p.fd, &old, &kv);
			bool bin = !bpfrt_map__lookup_elem(p.m, &old, 4, &bv, 8, 0);
			CHECK(!kin || bin, "key %u: the kernel kept it, bpfrt evicted it", old);
			CHECK(!bin || old + 64 > k, "key %u: bpfrt keeps more than the newest 64", old);
		}
	}
	free_pair(&p);
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int c = 0; c < bpfrt_num_possible_cpus() && c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

/* Creation: same error code for the same parameters. */
static void diff_create(struct bpfrt_runtime *rt)
{
	static const struct { uint32_t type, ks, vs, max, flags; } c[] = {
		{ BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0 }, { BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0 }, { BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_MMAPABLE }, { BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_INNER_MAP },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 4, 0 },
		{ BPF_MAP_TYPE_HASH, 0, 4, 4, 0 }, { BPF_MAP_TYPE_HASH, 4, 0, 4, 0 },
		{ BPF_MAP_TYPE_HASH, 4, 4, 0, 0 }, { BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_NO_COMMON_LRU },
		{ BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_MMAPABLE }, { BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_INNER_MAP },
		{ BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED },
		{ BPF_MAP_TYPE_PERCPU_HASH, 4, 32769, 4, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, 4, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 4, BPF_F_NO_COMMON_LRU },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0 }, { BPF_MAP_TYPE_LPM_TRIE, 4, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 261, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 260, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 0, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_QUEUE, 4, 4, 4, 0 }, { BPF_MAP_TYPE_QUEUE, 0, 0, 4, 0 },
		{ BPF_MAP_TYPE_QUEUE, 0, 4, 0, 0 }, { BPF_MAP_TYPE_STACK, 0, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_BLOOM_FILTER, 4, 4, 4, 0 }, { BPF_MAP_TYPE_BLOOM_FILTER, 0, 0, 4, 0 },
		{ BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, BPF_F_ZERO_SEED },
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 100, 0 }, { BPF_MAP_TYPE_RINGBUF, 0, 0, 12288, 0 },
		{ BPF_MAP_TYPE_RINGBUF, 4, 0, 4096, 0 }, { BPF_MAP_TYPE_RINGBUF, 0, 0, 8192, 0 },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0 }, { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int kfd = kern_map_create(c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags, "probe");
		int kerr = kfd < 0 ? kfd : 0, berr = mk_err(rt, (enum bpfrt_map_type)c[i].type, c[i].ks,
							    c[i].vs, c[i].max, c[i].flags);
		if (kfd >= 0)
			close(kfd);
		CHECK(kerr == berr, "create type %u key %u value %u max %u flags 0x%x: kernel %d, bpfrt %d",
		      c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags, kerr, berr);
	}
}

int main(void)
{
	int fd = kern_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, "probe");
	if (fd < 0) {
		printf("SKIP: cannot create kernel maps here (bpf(): %s)\n", strerror(-fd));
		return 77;
	}
	close(fd);
	struct bpfrt_runtime *rt = quiet_runtime();
	diff_create(rt);
	diff_hash(rt);
	diff_array(rt);
	diff_lpm(rt);
	diff_queue(rt, BPF_MAP_TYPE_QUEUE, "queue");
	diff_queue(rt, BPF_MAP_TYPE_STACK, "stack");
	diff_lru(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_kernel");
}
