/* SPDX-License-Identifier: MIT */
/*
 * object_diff.c - one clang-built object, loaded into Linux (through libbpf)
 * and into bpfrt, run on the same packets: return values, output packets,
 * and afterwards every map's contents and ring buffer records must agree.
 *
 *   object_diff OBJ.o PROG
 *
 * Exits 77 (skip) when the kernel cannot load programs here.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <sys/mount.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "oracle.h"

static int failed, compared;

#define MISMATCH(...) do { failed++; printf("MISMATCH: " __VA_ARGS__); printf("\n"); } while (0)

static size_t packet(uint8_t *p, uint16_t proto, const char *src, const char *dst, size_t len)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	memset(p, 0, len);
	memcpy(p, macs, 12);
	p[12] = (uint8_t)(proto >> 8);
	p[13] = (uint8_t)proto;
	if (len >= 34 && proto == 0x0800) {
		uint8_t *ip = p + 14;
		ip[0] = 0x45;
		ip[3] = (uint8_t)(len - 14);
		ip[8] = 64;
		ip[9] = 17;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
	}
	for (size_t i = 34; i < len; i++)
		p[i] = (uint8_t)(i * 7);
	return len;
}

/*
 * The same setup on both sides, for the maps the object has: three routes
 * (one meaning "drop"), and 10.0.0.1 in a blocklist.
 */
static int setup(struct bpf_object *kobj, struct bpfrt_object *bobj)
{
	int bfd = bpf_object__find_map_fd_by_name(kobj, "blocklist");
	struct bpfrt_map *bb = bpfrt_object__find_map_by_name(bobj, "blocklist");
	if (bfd >= 0 && bb) {
		const uint8_t addr[4] = { 10, 0, 0, 1 };
		uint64_t zero = 0;
		if (bpf_map_update_elem(bfd, addr, &zero, BPF_ANY) ||
		    bpfrt_map__update_elem(bb, addr, 4, &zero, 8, BPFRT_ANY))
			return -1;
	}
	struct { uint32_t len; uint8_t a[4]; } keys[] = {
		{ 8, { 10, 0, 0, 0 } }, { 16, { 10, 1, 0, 0 } }, { 24, { 10, 1, 2, 0 } },
	};
	const uint32_t vals[] = { 1, 2, 99 };
	int kfd = bpf_object__find_map_fd_by_name(kobj, "routes");
	struct bpfrt_map *bm = bpfrt_object__find_map_by_name(bobj, "routes");
	if (kfd < 0 || !bm)
		return 0;
	for (int i = 0; i < 3; i++)
		if (bpf_map_update_elem(kfd, &keys[i], &vals[i], BPF_ANY) ||
		    bpfrt_map__update_elem(bm, &keys[i], sizeof(keys[i]), &vals[i], 4, BPFRT_ANY))
			return -1;
	return 0;
}

struct kv {
	uint8_t *key, *val;
};

static int cmp_key_len;
static int cmp_kv(const void *a, const void *b)
{
	return memcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key, (size_t)cmp_key_len);
}

/* Hash and array maps: the same keys with the same values, whatever the order. */
static void compare_keyed(const char *name, int kfd, const struct bpfrt_map *bm)
{
	size_t ks = bpfrt_map__key_size(bm), vs = bpfrt_map__value_size_user(bm);
	struct kv k[1024], b[1024];
	size_t nk = 0, nb = 0;
	uint8_t cur[512], next[512];
	void *prev = NULL;
	while (nk < 1024 && bpf_map_get_next_key(kfd, prev, next) == 0) {
		k[nk].key = malloc(ks);
		k[nk].val = malloc(vs);
		memcpy(k[nk].key, next, ks);
		bpf_map_lookup_elem(kfd, next, k[nk].val);
		nk++;
		memcpy(cur, next, ks);
		prev = cur;
	}
	int err = bpfrt_map__get_next_key(bm, NULL, next, ks);
	while (!err && nb < 1024) {
		b[nb].key = malloc(ks);
		b[nb].val = malloc(vs);
		memcpy(b[nb].key, next, ks);
		bpfrt_map__lookup_elem(bm, next, ks, b[nb].val, vs, 0);
		nb++;
		memcpy(cur, next, ks);
		err = bpfrt_map__get_next_key(bm, cur, next, ks);
	}
	cmp_key_len = (int)ks;
	qsort(k, nk, sizeof(*k), cmp_kv);
	qsort(b, nb, sizeof(*b), cmp_kv);
	if (nk != nb)
		MISMATCH("map '%s': kernel has %zu entries, bpfrt %zu", name, nk, nb);
	for (size_t i = 0; i < nk && i < nb; i++) {
		if (memcmp(k[i].key, b[i].key, ks) || memcmp(k[i].val, b[i].val, vs)) {
			MISMATCH("map '%s': entry %zu differs", name, i);
			printf("  key   kernel/bpfrt:");
			for (size_t j = 0; j < ks; j++)
				printf(" %02x/%02x", k[i].key[j], b[i].key[j]);
			printf("\n  value kernel/bpfrt:");
			for (size_t j = 0; j < vs && j < 64; j++)
				printf(" %02x/%02x", k[i].val[j], b[i].val[j]);
			printf("\n");
		}
		compared++;
	}
	for (size_t i = 0; i < nk; i++)
		free(k[i].key), free(k[i].val);
	for (size_t i = 0; i < nb; i++)
		free(b[i].key), free(b[i].val);
}

/* Queues and stacks: pop everything from both; the sequences must agree. */
static void compare_popped(const char *name, int kfd, struct bpfrt_map *bm)
{
	size_t vs = bpfrt_map__value_size(bm);
	uint8_t kv[512], bv[512];
	for (int i = 0; i < 64; i++) {
		int ke = bpf_map_lookup_and_delete_elem(kfd, NULL, kv) ? -errno : 0;
		int be = bpfrt_map__lookup_and_delete_elem(bm, NULL, 0, bv, vs, 0);
		if (ke != be) {
			MISMATCH("map '%s': pop %d: kernel %d, bpfrt %d", name, i, ke, be);
			return;
		}
		if (ke)
			return;
		if (memcmp(kv, bv, vs))
			MISMATCH("map '%s': popped value %d differs", name, i);
		compared++;
	}
}

struct records {
	uint8_t data[64][64];
	size_t len[64];
	int n;
};

static int k_record(void *ctx, void *data, size_t size)
{
	struct records *r = ctx;
	if (r->n < 64 && size <= 64) {
		memcpy(r->data[r->n], data, size);
		r->len[r->n++] = size;
	}
	return 0;
}

static void compare_ring(const char *name, int kfd, struct bpfrt_map *bm)
{
	static struct records k, b;
	memset(&k, 0, sizeof(k));
	memset(&b, 0, sizeof(b));
	struct ring_buffer *krb = ring_buffer__new(kfd, k_record, &k, NULL);
	struct bpfrt_ring_buffer *brb = bpfrt_ring_buffer__new(bm, k_record, &b);
	if (!krb || !brb) {
		MISMATCH("ring '%s': cannot open a consumer", name);
	} else {
		ring_buffer__consume(krb);
		bpfrt_ring_buffer__consume(brb);
		if (k.n != b.n)
			MISMATCH("ring '%s': kernel gave %d records, bpfrt %d", name, k.n, b.n);
		for (int i = 0; i < k.n && i < b.n; i++) {
			if (k.len[i] != b.len[i] || memcmp(k.data[i], b.data[i], k.len[i]))
				MISMATCH("ring '%s': record %d differs", name, i);
			compared++;
		}
	}
	ring_buffer__free(krb);
	bpfrt_ring_buffer__free(brb);
}

/* rm -r of a flat directory of pins. */
static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[4200];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: object_diff OBJ.o PROG\n");
		return 2;
	}
	char why[512];
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("object_diff: SKIP: %s\n", why);
		return 77;
	}
	libbpf_set_print(NULL);
	/* Maps pinned by name: in directories of this run's own, removed at the end. */
	char kpins[] = "/sys/fs/bpf/bpfrt-diff-XXXXXX", bpins[] = "/dev/shm/bpfrt-diff-XXXXXX";
	if (!mkdtemp(kpins)) {
		/* A fresh machine may not have bpffs mounted: mount it (we run as root). */
		strcpy(kpins, "/sys/fs/bpf/bpfrt-diff-XXXXXX");
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) || !mkdtemp(kpins)) {
			printf("object_diff: SKIP: no bpffs at /sys/fs/bpf for pinned maps (%s)\n",
			       strerror(errno));
			return 77;
		}
	}
	if (!mkdtemp(bpins)) {
		printf("object_diff: SKIP: cannot make %s (%s)\n", bpins, strerror(errno));
		return 77;
	}
	LIBBPF_OPTS(bpf_object_open_opts, kopts, .pin_root_path = kpins);
	struct bpf_object *kobj = bpf_object__open_file(argv[1], &kopts);
	if (!kobj || bpf_object__load(kobj)) {
		printf("object_diff: the kernel refuses %s (errno %d)\n", argv[1], errno);
		return 1;
	}
	struct bpf_program *kp = bpf_object__find_program_by_name(kobj, argv[2]);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	BPFRT_OPTS(bpfrt_object_open_opts, bopts, .pin_root_path = bpins);
	struct bpfrt_object *bobj = bpfrt_object__open_file(rt, argv[1], &bopts);
	if (!kp || !bobj || bpfrt_object__load(bobj)) {
		printf("object_diff: cannot load %s/%s in bpfrt: %s\n", argv[1], argv[2],
		       bpfrt_runtime__last_error(rt));
		return 1;
	}
	struct bpfrt_prog *bp = bpfrt_program__prog(bpfrt_object__find_program_by_name(bobj, argv[2]));
	if (!bp || setup(kobj, bobj)) {
		printf("object_diff: setup failed: %s\n", bpfrt_runtime__last_error(rt));
		return 1;
	}

	struct { uint16_t proto; const char *src, *dst; size_t len; } pkts[] = {
		{ 0x0800, "10.0.0.1", "10.1.2.3", 60 }, { 0x0800, "10.0.0.2", "10.1.9.9", 64 },
		{ 0x0800, "10.0.0.1", "10.9.9.9", 98 }, { 0x0806, "0.0.0.0", "0.0.0.0", 42 },
		{ 0x0800, "192.168.1.1", "8.8.8.8", 34 }, { 0x0800, "10.0.0.3", "10.1.2.200", 80 },
		{ 0x0800, "10.0.0.2", "11.0.0.1", 20 }, { 0x0800, "10.0.0.1", "10.1.0.1", 14 },
	};
	for (size_t i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		uint8_t in[128], kout[256], bout[256];
		size_t n = packet(in, pkts[i].proto, pkts[i].src, pkts[i].dst, pkts[i].len);
		LIBBPF_OPTS(bpf_test_run_opts, ko, .data_in = in, .data_size_in = (uint32_t)n,
			    .data_out = kout, .data_size_out = sizeof(kout), .repeat = 1);
		int kerr = bpf_prog_test_run_opts(bpf_program__fd(kp), &ko);
		BPFRT_OPTS(bpfrt_test_run_opts, bo, .data_in = in, .data_size_in = (uint32_t)n,
			   .data_out = bout, .data_size_out = sizeof(bout));
		int berr = bpfrt_prog__test_run(bp, &bo);
		if ((kerr != 0) != (berr != 0))
			MISMATCH("packet %zu: kernel test run %d, bpfrt %d (%s)", i, kerr, berr,
				 bpfrt_runtime__last_error(rt));
		else if (!kerr && (ko.retval != bo.retval || ko.data_size_out != bo.data_size_out ||
				   memcmp(kout, bout, ko.data_size_out)))
			MISMATCH("packet %zu: kernel returned %u with %u bytes, bpfrt %llu with %u bytes%s", i,
				 ko.retval, ko.data_size_out, (unsigned long long)bo.retval, bo.data_size_out,
				 ko.data_size_out == bo.data_size_out ? " (contents differ)" : "");
		else
			printf("packet %zu: agree (return %u)\n", i, ko.retval);
		compared++;
	}

	for (struct bpfrt_map *m = bpfrt_object__next_map(bobj, NULL); m; m = bpfrt_object__next_map(bobj, m)) {
		const char *name = bpfrt_map__name(m);
		/* libbpf finds internal maps by section name (".bss") too. */
		struct bpf_map *km = bpf_object__find_map_by_name(kobj, name);
		int kfd = km ? bpf_map__fd(km) : -1;
		if (kfd < 0) {
			printf("map '%s': not in the kernel object (internal map naming), skipped\n", name);
			continue;
		}
		switch (bpfrt_map__type(m)) {
		case BPFRT_MAP_TYPE_QUEUE: case BPFRT_MAP_TYPE_STACK: compare_popped(name, kfd, m); break;
		case BPFRT_MAP_TYPE_RINGBUF: compare_ring(name, kfd, m); break;
		case BPFRT_MAP_TYPE_LPM_TRIE: break; /* compared through the lookups the packets made */
		default: compare_keyed(name, kfd, m); break;
		}
		printf("map '%s': compared\n", name);
	}
	bpf_object__unpin_maps(kobj, NULL);
	bpfrt_object__close(bobj);
	bpfrt_runtime__free(rt);
	bpf_object__close(kobj);
	remove_dir(kpins);
	remove_dir(bpins);
	printf("%d compared, %d mismatched\n", compared, failed);
	return failed != 0;
}
