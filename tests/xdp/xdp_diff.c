/* SPDX-License-Identifier: MIT */
/*
 * xdp_diff.c - XDP helpers in bpfrt against Linux: the programs of
 * xdp_adjust.bpf.c, loaded into the kernel (libbpf) and into bpfrt, run
 * with BPF_PROG_TEST_RUN and bpfrt_prog__test_run on the same frames and
 * parameters. Return value (or error), output frame, output context and
 * every helper's return value must agree.
 *
 *   xdp_diff OBJ.o ENGINE      (ENGINE: checked, interp or jit)
 *
 * Exits 77 (skip) when the kernel cannot load programs here.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "oracle.h"
#include "pktgen.h"

struct params {
	int32_t meta, head, tail;
	uint32_t reverse, action, key, flags, ifindex;
};

struct side {
	struct bpf_object *kobj;
	struct bpfrt_object *bobj;
	struct bpfrt_runtime *rt;
};

static int failed, compared;

static int k_map(struct side *s, const char *name)
{
	return bpf_object__find_map_fd_by_name(s->kobj, name);
}

static struct bpfrt_map *b_map(struct side *s, const char *name)
{
	return bpfrt_object__find_map_by_name(s->bobj, name);
}

/* Both sides: map[key] = value. */
static int set(struct side *s, const char *map, uint32_t key, const void *val, size_t vs)
{
	int kerr = bpf_map_update_elem(k_map(s, map), &key, val, BPF_ANY) ? -errno : 0;
	int berr = bpfrt_map__update_elem(b_map(s, map), &key, 4, val, vs, BPFRT_ANY);
	if (kerr != berr) {
		failed++;
		printf("MISMATCH: update %s[%u]: kernel %d, bpfrt %d\n", map, key, kerr, berr);
	}
	return kerr;
}

struct run {
	const char *prog;
	const struct params *p;
	const uint8_t *pkt;
	uint32_t len;
	int ctx_meta; /* < 0: no context */
	char what[160];
};

static void diff_one(struct side *s, struct run *r)
{
	set(s, "params", 0, r->p, sizeof(*r->p));
	int64_t unset = 0x5a5a5a5a;
	for (uint32_t i = 0; i < 8; i++)
		set(s, "rets", i, &unset, 8);

	static uint8_t kout[80000], bout[80000];
	struct xdp_md kctx = { 0 }, bctx = { 0 }, in = { .data = (uint32_t)r->ctx_meta,
							  .data_end = r->len };
	bool ctx = r->ctx_meta >= 0;
	LIBBPF_OPTS(bpf_test_run_opts, ko, .data_in = r->pkt, .data_size_in = r->len,
		    .data_out = kout, .data_size_out = sizeof(kout), .repeat = 1);
	BPFRT_OPTS(bpfrt_test_run_opts, bo, .data_in = r->pkt, .data_size_in = r->len,
		   .data_out = bout, .data_size_out = sizeof(bout));
	if (ctx) {
		ko.ctx_in = bo.ctx_in = &in;
		ko.ctx_size_in = bo.ctx_size_in = sizeof(in);
		ko.ctx_out = &kctx;
		bo.ctx_out = &bctx;
		ko.ctx_size_out = bo.ctx_size_out = sizeof(kctx);
	}
	struct bpf_program *kp = bpf_object__find_program_by_name(s->kobj, r->prog);
	struct bpfrt_prog *bp = bpfrt_program__prog(bpfrt_object__find_program_by_name(s->bobj, r->prog));
	int kerr = bpf_prog_test_run_opts(bpf_program__fd(kp), &ko) ? -errno : 0;
	int berr = bpfrt_prog__test_run(bp, &bo);
	compared++;
	if ((kerr != 0) != (berr != 0)) {
		failed++;
		printf("MISMATCH %s: kernel test run %d, bpfrt %d (%s)\n", r->what, kerr, berr,
		       berr ? bpfrt_runtime__last_error(s->rt) : "");
		return;
	}
	if (kerr)
		return; /* both refuse: the errno may differ (bpfrt names its reason) */
	if (ko.retval != bo.retval || ko.data_size_out != bo.data_size_out ||
	    memcmp(kout, bout, ko.data_size_out)) {
		failed++;
		printf("MISMATCH %s: kernel returned %u with %u bytes, bpfrt %llu with %u bytes%s\n",
		       r->what, ko.retval, ko.data_size_out, (unsigned long long)bo.retval,
		       bo.data_size_out, ko.data_size_out == bo.data_size_out ? " (contents differ)" : "");
	}
	if (ctx && (ko.ctx_size_out != bo.ctx_size_out || memcmp(&kctx, &bctx, sizeof(kctx)))) {
		failed++;
		printf("MISMATCH %s: context out: kernel data %u data_end %u meta %u ifindex %u, "
		       "bpfrt %u %u %u %u\n", r->what, kctx.data, kctx.data_end, kctx.data_meta,
		       kctx.ingress_ifindex, bctx.data, bctx.data_end, bctx.data_meta,
		       bctx.ingress_ifindex);
	}
	for (uint32_t i = 0; i < 8; i++) {
		int64_t kv = 0, bv = 0;
		bpf_map_lookup_elem(k_map(s, "rets"), &i, &kv);
		bpfrt_map__lookup_elem(b_map(s, "rets"), &i, 4, &bv, 8, 0);
		if (kv != bv) {
			failed++;
			printf("MISMATCH %s: rets[%u]: kernel %lld, bpfrt %lld\n", r->what, i,
			       (long long)kv, (long long)bv);
		}
	}
}

static void adjust_cases(struct side *s)
{
	static const uint32_t lens[] = { 14, 15, 60, 64, 200, 1514, 3000, 3520 };
	static const int32_t heads[] = { 0, -14, -40, -215, -216, -217, -220, -256, 14, 1000 };
	static const int32_t metas[] = { 0, -4, -8, -32, -36, -64, -212, -216, -252, -256, -3, 4 };
	static uint8_t pkt[4096];
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		uint32_t len = (uint32_t)pktgen(PK_IPV4_UDP, lens[l], (uint32_t)l, pkt);
		if (len < lens[l])
			len = lens[l], memset(pkt + 14, 0x45, len - 14);
		len = lens[l];
		const int32_t tails[] = { 0, -1, 14 - (int32_t)len, 13 - (int32_t)len, 100,
					  3520 - (int32_t)len, 3521 - (int32_t)len, 4000 };
		const int32_t more_heads[] = { (int32_t)len - 14, (int32_t)len - 13 };
		for (int rev = 0; rev < 2; rev++) {
			for (size_t h = 0; h < 12; h++)
				for (size_t m = 0; m < sizeof(metas) / sizeof(metas[0]); m++) {
					struct params p = { .meta = metas[m], .reverse = (uint32_t)rev,
							    .action = 2 };
					p.head = h < 10 ? heads[h] : more_heads[h - 10];
					struct run r = { "adjust", &p, pkt, len, -1, "" };
					snprintf(r.what, sizeof(r.what), "adjust len %u meta %d head %d%s",
						 len, p.meta, p.head, rev ? " reversed" : "");
					diff_one(s, &r);
				}
			for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++)
				for (size_t h = 0; h < 3; h++) {
					struct params p = { .head = heads[h], .meta = -8, .tail = tails[t],
							    .reverse = (uint32_t)rev, .action = 3 };
					struct run r = { "adjust", &p, pkt, len, -1, "" };
					snprintf(r.what, sizeof(r.what), "adjust len %u head %d tail %d%s",
						 len, p.head, p.tail, rev ? " reversed" : "");
					diff_one(s, &r);
				}
		}
	}
	/* Contexts with metadata, valid and not; actions outside 0..4 pass through. */
	static const int ctx_metas[] = { 0, 4, 8, 32, 36, 252, 256, 3, 60 };
	for (size_t c = 0; c < sizeof(ctx_metas) / sizeof(ctx_metas[0]); c++)
		for (uint32_t action = 0; action < 7; action += 3) {
			uint32_t len = (uint32_t)pktgen(PK_IPV6_UDP, 100, 1, pkt);
			struct params p = { .meta = -4, .head = -8, .tail = 4, .action = action };
			struct run r = { "adjust", &p, pkt, len, ctx_metas[c], "" };
			snprintf(r.what, sizeof(r.what), "adjust ctx meta %d action %u", ctx_metas[c],
				 action);
			diff_one(s, &r);
		}
	/* Contexts whose metadata leaves less than an Ethernet header, or nothing. */
	static const uint32_t short_ctx[][2] = { { 28, 28 }, { 16, 4 }, { 14, 12 }, { 20, 24 } };
	for (size_t c = 0; c < sizeof(short_ctx) / sizeof(short_ctx[0]); c++)
		for (int32_t tail = -4; tail <= 16; tail += 10) {
			struct params p = { .meta = -4, .head = -8, .tail = tail, .action = 2 };
			struct run r = { "adjust", &p, pkt, short_ctx[c][0], (int)short_ctx[c][1], "" };
			snprintf(r.what, sizeof(r.what), "adjust len %u ctx meta %u tail %d",
				 short_ctx[c][0], short_ctx[c][1], tail);
			diff_one(s, &r);
		}
	/* Lengths a test run refuses, and packets with fragments. */
	static uint8_t big[80000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + i / 256);
	static const uint32_t odd_lens[] = { 0, 13, 3521, 3600, 7616, 7617, 20000, 73152, 73153 };
	for (size_t l = 0; l < sizeof(odd_lens) / sizeof(odd_lens[0]); l++) {
		uint32_t len = odd_lens[l], in_frags = len > 3520 ? len - 3520 : 0;
		uint32_t last = in_frags ? (in_frags - 1) % 4096 + 1 : 0;
		const int32_t tails[] = { 0, -1, -(int32_t)in_frags, -(int32_t)in_frags - 1,
					  (int32_t)(14 - len), (int32_t)(13 - len), 1,
					  (int32_t)(4096 - last), (int32_t)(4097 - last) };
		for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			struct params p = { .meta = -4, .head = -20, .tail = tails[t], .action = 2 };
			struct run r = { "adjust", &p, big, len, -1, "" };
			snprintf(r.what, sizeof(r.what), "adjust len %u tail %d", len, tails[t]);
			diff_one(s, &r);
		}
	}
}

static void redirect_cases(struct side *s)
{
	uint32_t lo = if_nametoindex("lo");
	set(s, "devs", 0, &lo, 4);
	set(s, "devs", 2, &lo, 4);
	bpf_map_update_elem(k_map(s, "devs_hash"), &(uint32_t){ 7 }, &lo, BPF_ANY);
	bpfrt_map__update_elem(b_map(s, "devs_hash"), &(uint32_t){ 7 }, 4, &lo, 4, BPFRT_ANY);
	static const uint32_t flags[] = { 0, 1, 2, 3, 4, 8, 16, 24, 27, 32 };
	static const uint32_t keys[] = { 0, 1, 2, 3, 4, 7, 0xffffffff };
	uint8_t pkt[64];
	uint32_t len = (uint32_t)pktgen(PK_IPV4_TCP, 64, 3, pkt);
	for (uint32_t action = 0; action < 4; action++)
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				struct params p = { .action = action, .key = keys[k], .flags = flags[f],
						    .ifindex = keys[k] };
				struct run r = { "redirect", &p, pkt, len, -1, "" };
				snprintf(r.what, sizeof(r.what), "redirect kind %u key %u flags %u",
					 action, keys[k], flags[f]);
				diff_one(s, &r);
			}
	/* A devmap's update rules: empty slots, missing interfaces, NOEXIST. */
	uint32_t none = 0, bad = 999999, key = 1;
	set(s, "devs", 1, &none, 4);
	set(s, "devs", 1, &bad, 4);
	int kerr = bpf_map_update_elem(k_map(s, "devs"), &key, &lo, BPF_NOEXIST) ? -errno : 0;
	int berr = bpfrt_map__update_elem(b_map(s, "devs"), &key, 4, &lo, 4, BPFRT_NOEXIST);
	int kerr2 = bpf_map_update_elem(k_map(s, "devs_hash"), &key, &none, BPF_ANY) ? -errno : 0;
	int berr2 = bpfrt_map__update_elem(b_map(s, "devs_hash"), &key, 4, &none, 4, BPFRT_ANY);
	if (kerr != berr || kerr2 != berr2) {
		failed++;
		printf("MISMATCH: devmap NOEXIST kernel %d bpfrt %d; devmap_hash ifindex 0 kernel %d "
		       "bpfrt %d\n", kerr, berr, kerr2, berr2);
	}
	compared += 4;
}

/* Loads and stores across the linear part and the fragments. */
static void bytes_cases(struct side *s)
{
	static uint8_t big[20000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + i / 512);
	static const uint32_t lens[] = { 64, 100, 3520, 3600, 9000, 20000 };
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		uint32_t len = lens[l];
		const uint32_t offs[] = { 0, 1, len - 64, len - 63, 3456, 3500, 3520, 7616 - 10,
					  len, 0x10000, 0xffffffff };
		for (size_t a = 0; a < sizeof(offs) / sizeof(offs[0]); a++)
			for (size_t b = 0; b < sizeof(offs) / sizeof(offs[0]); b += 3) {
				struct params p = { .key = offs[a], .ifindex = offs[b],
						    .tail = a % 2 ? -100 : 50 };
				struct run r = { "bytes", &p, big, len, -1, "" };
				snprintf(r.what, sizeof(r.what), "bytes len %u load at %u store at %u",
					 len, offs[a], offs[b]);
				diff_one(s, &r);
			}
	}
}

static void reflect_cases(struct side *s)
{
	uint8_t pkt[2048];
	for (int k = 0; k < PK_NKINDS; k++) {
		uint32_t len = (uint32_t)pktgen((enum pkt_kind)k, 100, (uint32_t)k, pkt);
		struct params p = { 0 };
		struct run r = { "reflect", &p, pkt, len, -1, "" };
		snprintf(r.what, sizeof(r.what), "reflect %s", pktgen_kind_name((enum pkt_kind)k));
		diff_one(s, &r);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: xdp_diff OBJ.o checked|interp|jit\n");
		return 2;
	}
	char why[512];
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("xdp_diff: SKIP: %s\n", why);
		return 77;
	}
	libbpf_set_print(NULL);
	struct side s = { 0 };
	s.kobj = bpf_object__open_file(argv[1], NULL);
	if (!s.kobj || bpf_object__load(s.kobj)) {
		printf("xdp_diff: the kernel refuses %s (errno %d)\n", argv[1], errno);
		return 1;
	}
	enum bpfrt_engine engine = !strcmp(argv[2], "interp") ? BPFRT_ENGINE_INTERP :
				   !strcmp(argv[2], "jit") ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_CHECKED;
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true); /* refusals are expected */
	s.rt = bpfrt_runtime__new(&ro);
	s.bobj = bpfrt_object__open_file(s.rt, argv[1], NULL);
	if (!s.bobj || bpfrt_object__load_engine(s.bobj, engine)) {
		printf("xdp_diff: cannot load %s in bpfrt: %s\n", argv[1], bpfrt_runtime__last_error(s.rt));
		return 1;
	}
	adjust_cases(&s);
	redirect_cases(&s);
	reflect_cases(&s);
	bytes_cases(&s);
	bpfrt_object__close(s.bobj);
	bpfrt_runtime__free(s.rt);
	bpf_object__close(s.kobj);
	printf("xdp_diff: %d runs compared, %d mismatches\n", compared, failed);
	return failed != 0;
}
