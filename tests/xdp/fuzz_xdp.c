/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xdp.c - the XDP helpers on untrusted offsets and frames: a program
 * that moves the metadata, head and tail by fuzzed amounts (in a fuzzed
 * order), then loads, stores and writes through the packet pointers it
 * reloads, runs in the checked engine and in the interpreter on a fuzzed
 * frame of 0 to 20000 bytes. No run may crash, fault (the program keeps to
 * the bounds it checks), or leave data_meta, data and data_end out of order.
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/xdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MOV_IMM(d, v) { 0xb7, d, 0, 0, (int32_t)(v) }
#define MOV_REG(d, s) { 0xbf, d, s, 0, 0 }
#define CALL(id) { 0x85, 0, 0, 0, id }
#define LDXW(d, s, o) { 0x61, d, s, o, 0 }
#define ADD_IMM(d, v) { 0x07, d, 0, 0, v }
#define JGT_REG(d, s, o) { 0x2d, d, s, o, 0 }
#define STB_IMM(d, o, v) { 0x72, d, 0, o, v }

static struct bpfrt_prog *build(struct bpfrt_runtime *rt, const int32_t v[5], const uint8_t order[3],
				enum bpfrt_engine engine)
{
	static const int ids[3] = { 54, 44, 65 }; /* meta, head, tail */
	struct bpfrt_insn p[64];
	int n = 0;
	p[n++] = (struct bpfrt_insn)MOV_REG(6, 1);
	for (int i = 0; i < 3; i++) {
		int which = order[i] % 3;
		p[n++] = (struct bpfrt_insn)MOV_REG(1, 6);
		p[n++] = (struct bpfrt_insn)MOV_IMM(2, v[which]);
		p[n++] = (struct bpfrt_insn)CALL(ids[which]);
	}
	/* load_bytes(ctx, v[3], fp - 64, 64) and store_bytes(ctx, v[4], fp - 64, 64) */
	for (int i = 0; i < 2; i++) {
		p[n++] = (struct bpfrt_insn)MOV_REG(1, 6);
		p[n++] = (struct bpfrt_insn)MOV_IMM(2, v[3 + i]);
		p[n++] = (struct bpfrt_insn)MOV_REG(3, 10);
		p[n++] = (struct bpfrt_insn)ADD_IMM(3, -64);
		p[n++] = (struct bpfrt_insn)MOV_IMM(4, 64);
		p[n++] = (struct bpfrt_insn)CALL(i ? 190 : 189);
	}
	/* if (data_meta + 4 <= data) *data_meta = 1; if (data + 14 <= data_end) *data = 2 */
	p[n++] = (struct bpfrt_insn)LDXW(2, 6, 8);   /* data_meta */
	p[n++] = (struct bpfrt_insn)LDXW(3, 6, 0);   /* data */
	p[n++] = (struct bpfrt_insn)LDXW(4, 6, 4);   /* data_end */
	p[n++] = (struct bpfrt_insn)MOV_REG(5, 2);
	p[n++] = (struct bpfrt_insn)ADD_IMM(5, 4);
	p[n++] = (struct bpfrt_insn)JGT_REG(5, 3, 1);
	p[n++] = (struct bpfrt_insn)STB_IMM(2, 0, 1);
	p[n++] = (struct bpfrt_insn)MOV_REG(5, 3);
	p[n++] = (struct bpfrt_insn)ADD_IMM(5, 14);
	p[n++] = (struct bpfrt_insn)JGT_REG(5, 4, 2);
	p[n++] = (struct bpfrt_insn)STB_IMM(3, 0, 2);
	p[n++] = (struct bpfrt_insn)STB_IMM(3, 13, 3);
	p[n++] = (struct bpfrt_insn)MOV_IMM(0, 2);
	p[n++] = (struct bpfrt_insn)BPFRT_INSN_EXIT();
	BPFRT_OPTS(bpfrt_prog_load_opts, lo, .engine = engine, .prog_type = BPFRT_PROG_TYPE_XDP);
	return bpfrt_prog__load(rt, "fuzz_xdp", p, (size_t)n, &lo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfrt_runtime *rt;
	if (!rt) {
		BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
		rt = bpfrt_runtime__new(&ro);
	}
	if (size < 24)
		return 0;
	int32_t v[5];
	memcpy(v, data, sizeof(v));
	uint8_t order[3] = { data[20], data[21], data[22] };
	uint8_t meta = (uint8_t)(data[23] & 0x3c); /* a context's metadata: 0..60 */
	/* the rest is the frame, repeated up to a fuzzed length for fragments */
	const uint8_t *frame = data + 24;
	size_t flen = size - 24, len = flen;
	static uint8_t big[20000];
	if (flen && (v[0] & 1)) {
		len = ((size_t)(uint32_t)v[1] % sizeof(big));
		for (size_t i = 0; i < len; i++)
			big[i] = frame[i % flen];
		frame = big;
	}
	for (int e = 0; e < 2; e++) {
		struct bpfrt_prog *p = build(rt, v, order, e ? BPFRT_ENGINE_INTERP : BPFRT_ENGINE_CHECKED);
		if (!p)
			abort();
		static uint8_t out[80000];
		struct xdp_md ctx = { .data = meta, .data_end = (uint32_t)len }, ctx_out;
		BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)len,
			   .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
			   .ctx_size_in = sizeof(ctx), .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out));
		int err = bpfrt_prog__test_run(p, &o);
		/* refusals are for lengths and contexts only: the program itself never faults */
		if (err && len >= meta + 14 && len - meta <= 3520) {
			fprintf(stderr, "%s\n", bpfrt_runtime__last_error(rt));
			abort();
		}
		if (!err && (ctx_out.data > ctx_out.data_end || ctx_out.data_end > o.data_size_out ||
			     ctx_out.data_end - ctx_out.data < 14))
			abort();
		bpfrt_prog__free(p);
	}
	return 0;
}
