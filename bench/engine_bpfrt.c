/* SPDX-License-Identifier: MIT */
/*
 * engine_bpfrt.c - bpfrt's engines: the variant is the enum bpfrt_engine the
 * program is loaded with, and bpfrt_prog__test_run() runs it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpfrt/prog.h>
#include <bpfrt/runtime.h>
#include "bench.h"

struct bpfrt_handle {
	struct bpfrt_runtime *rt; /* for its last error */
	struct bpfrt_prog *prog;
};

static int bpfrt_setup(const struct bench_engine *eng, void **state, char *msg)
{
	/* Quiet: failures are reported once, by the driver, from last_error. */
	BPFRT_OPTS(bpfrt_runtime_opts, opts, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&opts);

	if (!rt) {
		int err = errno;

		snprintf(msg, BENCH_MSG_LEN, "cannot create a runtime: %s", strerror(err));
		return -err;
	}
	*state = rt;
	return 0;
}

static void bpfrt_teardown(void *state)
{
	bpfrt_runtime__free(state);
}

static void *bpfrt_open(void *state, const struct bench_engine *eng,
			const struct bench_prog *prog, char *msg)
{
	BPFRT_OPTS(bpfrt_prog_load_opts, opts,
		.engine = (enum bpfrt_engine)(eng->variant & 0xff),
		.jit_blind = eng->variant & BENCH_BPFRT_BLIND,
		/* the programs are trusted and some run long: no budget */
		.insn_budget = UINT64_MAX);
	struct bpfrt_handle *h = calloc(1, sizeof(*h));
	/* A copy, so the instructions are aligned and read as their own type. */
	struct bpfrt_insn *insns = malloc(prog->bpf->size);

	if (!h || !insns) {
		snprintf(msg, BENCH_MSG_LEN, "out of memory");
		goto fail;
	}
	memcpy(insns, prog->bpf->bytes, prog->bpf->size);
	h->rt = state;
	h->prog = bpfrt_prog__load(h->rt, prog->name, insns,
				   prog->bpf->size / sizeof(*insns), &opts);
	if (!h->prog) {
		snprintf(msg, BENCH_MSG_LEN, "load: %s", bpfrt_runtime__last_error(h->rt));
		goto fail;
	}
	free(insns);
	return h;
fail:
	free(insns);
	free(h);
	return NULL;
}

static int bpfrt_run(void *handle, const uint8_t *data, uint32_t size, uint32_t iters,
		     struct bench_sample *out, char *msg)
{
	struct bpfrt_handle *h = handle;
	BPFRT_OPTS(bpfrt_test_run_opts, opts,
		.data_in = data,
		.data_size_in = size,
		.repeat = iters > INT_MAX ? INT_MAX : (int)iters);
	uint64_t t0 = bench_now_ns();
	int err = bpfrt_prog__test_run(h->prog, &opts);
	uint64_t t1 = bench_now_ns();

	if (err) {
		snprintf(msg, BENCH_MSG_LEN, "run: %s", bpfrt_runtime__last_error(h->rt));
		return err;
	}
	out->retval = opts.retval;
	/*
	 * Timed here, in thread CPU time like the other engines, rather than
	 * taken from opts.duration_ns (wall time). That adds test_run's one
	 * copy of the input per batch: some 100 ns in batches of milliseconds.
	 */
	out->ns = (double)(t1 - t0) / (iters ? iters : 1);
	return 0;
}

static void bpfrt_close(void *handle)
{
	struct bpfrt_handle *h = handle;

	if (h)
		bpfrt_prog__free(h->prog);
	free(h);
}

const struct bench_engine_ops bench_bpfrt_ops = {
	.setup = bpfrt_setup,
	.teardown = bpfrt_teardown,
	.open = bpfrt_open,
	.run = bpfrt_run,
	.close = bpfrt_close,
};
