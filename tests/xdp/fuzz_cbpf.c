/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cbpf.c - classic BPF from untrusted bytes: as -dd text through the
 * parser, and as raw instructions through the checks, the translation, the
 * eBPF validator and a checked run on a frame. Nothing may crash or hang;
 * a translated program must always load.
 */
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/cbpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfrt_runtime *rt;
	if (!rt) {
		BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
		rt = bpfrt_runtime__new(&ro);
	}
	char err[256];
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	struct bpfrt_cbpf_insn *cl = NULL;
	size_t ncl = 0;
	bpfrt_cbpf_parse(text, "fuzz", &cl, &ncl, err, sizeof(err));
	free(text);
	free(cl);

	ncl = size / sizeof(struct bpfrt_cbpf_insn);
	cl = malloc(ncl ? ncl * sizeof(*cl) : 1);
	memcpy(cl, data, ncl * sizeof(*cl));
	struct bpfrt_insn *insns = NULL;
	size_t n = 0;
	if (!bpfrt_cbpf_to_ebpf(cl, ncl, &insns, &n, err, sizeof(err))) {
		/* as bpfrt cbpf runs filters: Linux's classic checks, then the checked engine */
		BPFRT_OPTS(bpfrt_prog_load_opts, lo, .engine = BPFRT_ENGINE_CHECKED);
		struct bpfrt_prog *p = bpfrt_prog__load(rt, "fuzz", insns, n, &lo);
		if (!p)
			abort(); /* a checked translation is a valid eBPF program */
		uint8_t frame[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 8, 0, 0x45 };
		struct bpfrt_cbpf_ctx ctx = { sizeof(frame) };
		BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
			   .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
		if (bpfrt_prog__test_run(p, &o))
			abort(); /* translated filters never fault: loads are bounds-checked */
		bpfrt_prog__free(p);
	}
	free(insns);
	free(cl);
	return 0;
}
