/* SPDX-License-Identifier: MIT */
/*
 * test_ctx_size.c - a verified program may read all the context its type
 * has, even when a test run hands it a shorter one: the unchecked engines
 * must then read zeros, not memory past the caller's buffer (ASan watches),
 * and the checked engine must stop the run instead.
 */
#include <stdio.h>
#include <string.h>
#include "bpfrt/bpfrt.h"

static const struct {
	enum bpfrt_prog_type type;
	const char *name;
	int16_t off; /* of the last 8 bytes the type's context has */
} cases[] = {
	{ BPFRT_PROG_TYPE_KPROBE, "kprobe: pt_regs", 160 },
	{ BPFRT_PROG_TYPE_PERF_EVENT, "perf_event: bpf_perf_event_data", 176 },
	{ BPFRT_PROG_TYPE_TRACEPOINT, "tracepoint: record", 4088 },
	{ BPFRT_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint: arguments", 88 },
};

int main(void)
{
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	int failed = 0;
	uint64_t small_ctx = 0x1111111111111111ull;
	for (size_t i = 0; rt && i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* r0 = *(u64 *)(r1 + off); exit */
		struct bpfrt_insn prog[2] = {
			{ .code = 0x79, .dst = 0, .src = 1, .off = cases[i].off },
			{ .code = 0x95 },
		};
		static const enum bpfrt_engine engines[] = { BPFRT_ENGINE_INTERP, BPFRT_ENGINE_JIT_OR_INTERP,
							    BPFRT_ENGINE_CHECKED };
		for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
			BPFRT_OPTS(bpfrt_prog_load_opts, lo, .engine = engines[e], .prog_type = cases[i].type);
			struct bpfrt_prog *p = bpfrt_prog__load(rt, cases[i].name, prog, 2, &lo);
			if (!p) {
				printf("FAIL %s: not verified: %s\n", cases[i].name, bpfrt_runtime__last_error(rt));
				failed++;
				continue;
			}
			BPFRT_OPTS(bpfrt_test_run_opts, o, .ctx_in = &small_ctx, .ctx_size_in = sizeof(small_ctx));
			int err = bpfrt_prog__test_run(p, &o);
			bool checked = engines[e] == BPFRT_ENGINE_CHECKED;
			if (checked && !err) {
				printf("FAIL %s: the checked engine read past an 8-byte context\n", cases[i].name);
				failed++;
			} else if (!checked && (err || o.retval != 0)) {
				printf("FAIL %s (engine %d): %s, r0 = %#llx (want 0 from the zero padding)\n",
				       cases[i].name, (int)engines[e], err ? bpfrt_runtime__last_error(rt) : "ran",
				       (unsigned long long)o.retval);
				failed++;
			}
			bpfrt_prog__free(p);
		}
	}
	if (!rt)
		return 2;
	bpfrt_runtime__free(rt);
	printf("%s\n", failed ? "ctx size: FAILED" : "ctx size: ok");
	return failed != 0;
}
