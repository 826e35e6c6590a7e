/* SPDX-License-Identifier: MIT */
/*
 * engine_native.c - the baseline: the program compiled for the host, timed
 * here since there is no runtime to time it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

struct native_handle {
	bench_native_fn fn;
	uint8_t *buf; /* the program's copy of the input, as bpfrt gives it one */
	uint32_t cap;
};

static void *native_open(void *state, const struct bench_engine *eng,
			 const struct bench_prog *prog, char *msg)
{
	struct native_handle *h = calloc(1, sizeof(*h));

	if (!h) {
		snprintf(msg, BENCH_MSG_LEN, "out of memory");
		return NULL;
	}
	h->fn = prog->native;
	return h;
}

/*
 * The call goes through a volatile function pointer so that the compiler can
 * neither inline the program into the loop nor hoist the call out of it as
 * loop-invariant; the empty asm claims the result is used and the buffer may
 * have changed, so no run can be merged with the next or dropped.
 */
static int native_run(void *handle, const uint8_t *data, uint32_t size, uint32_t iters,
		      struct bench_sample *out, char *msg)
{
	struct native_handle *h = handle;
	bench_native_fn volatile fn = h->fn;
	uint64_t r = 0, t0;

	if (size > h->cap || !h->buf) {
		uint8_t *buf = realloc(h->buf, size ? size : 1);

		if (!buf) {
			snprintf(msg, BENCH_MSG_LEN, "out of memory");
			return -ENOMEM;
		}
		h->buf = buf;
		h->cap = size;
	}
	memcpy(h->buf, data, size);

	t0 = bench_now_ns();
	for (uint32_t i = 0; i < iters; i++) {
		r = fn(h->buf, size);
		__asm__ volatile("" : : "r"(r) : "memory");
	}
	out->ns = (double)(bench_now_ns() - t0) / (iters ? iters : 1);
	out->retval = r;
	return 0;
}

static void native_close(void *handle)
{
	struct native_handle *h = handle;

	if (h)
		free(h->buf);
	free(h);
}

const struct bench_engine_ops bench_native_ops = {
	.open = native_open,
	.run = native_run,
	.close = native_close,
};
