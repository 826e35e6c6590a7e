/* SPDX-License-Identifier: MIT */
/*
 * bench_kernel_diff.c - the kernel differential of the benchmark programs:
 * every program of progs/ runs in Linux (its JIT, through the same
 * engine_kernel.c as bench_interp's kernel column) and in bpfrt's JIT on the
 * same inputs, and both must return the same r0, which must also be the
 * native build's. Nothing is timed: one run per input.
 *
 *   bench_kernel_diff
 *
 * Programs the kernel refuses, and those engine_kernel.c never hands it
 * (crc32, which makes Linux 6.18's verifier oops), are listed as skipped with
 * the reason. Exit status: 0 when every program the kernel accepted agreed,
 * and at least one did (a run that compares nothing proves nothing); 1 on a
 * difference or a failure; 77 where bpf() is not usable, for CTest's skip.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpfrt/prog.h>
#include "bench.h"

#define INPUT_SIZE 4096 /* as bench_interp: the kernel program is built for one size */

static const struct bench_engine jit = { "jit", &bench_bpfrt_ops, BPFRT_ENGINE_JIT };
static const struct bench_engine kernel = { "kernel", &bench_kernel_ops, 0 };

/*
 * The inputs: pseudo-random bytes from two seeds (splitmix64), then all
 * zeros and all ones, which steer the data-dependent programs down other
 * paths (empty records, the longest sequences).
 */
static void make_input(uint8_t *buf, unsigned which)
{
	uint64_t state = which == 0 ? 0x62706672742d6265ull : 0x6b65726e656c2121ull;

	if (which >= 2) {
		memset(buf, which == 2 ? 0 : 0xff, INPUT_SIZE);
		return;
	}
	for (size_t i = 0; i < INPUT_SIZE; i += 8) {
		uint64_t z = (state += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(buf + i, &z, 8);
	}
}
#define NINPUTS 4

/* One run of handle on engine eng; 0, -EOPNOTSUPP (the engine refuses it) or another error. */
static int run_once(const struct bench_engine *eng, void *handle, const uint8_t *input,
		    uint64_t *r0, char *msg)
{
	struct bench_sample s;
	int err = eng->ops->run(handle, input, INPUT_SIZE, 1, &s, msg);

	*r0 = s.retval;
	return err;
}

/* Compare one program on every input. Returns 1 compared, 0 skipped, -1 failed. */
static int diff_prog(const struct bench_prog *prog, void *jit_state)
{
	static uint8_t input[INPUT_SIZE];
	char msg[BENCH_MSG_LEN] = "";
	void *kh = kernel.ops->open(NULL, &kernel, prog, msg);
	void *jh = NULL;
	int rc = -1;

	if (!kh) {
		printf("SKIP %s: %s\n", prog->name, msg);
		return errno == EOPNOTSUPP ? 0 : -1;
	}
	jh = jit.ops->open(jit_state, &jit, prog, msg);
	if (!jh) {
		printf("FAIL %s: bpfrt's JIT cannot open it: %s\n", prog->name, msg);
		goto out;
	}
	for (unsigned i = 0; i < NINPUTS; i++) {
		uint64_t rk, rj, rn;

		make_input(input, i);
		int err = run_once(&kernel, kh, input, &rk, msg);
		if (err == -EOPNOTSUPP && i == 0) {
			printf("SKIP %s: %s\n", prog->name, msg);
			rc = 0;
			goto out;
		}
		if (err) {
			printf("FAIL %s: input %u: in the kernel: %s\n", prog->name, i, msg);
			goto out;
		}
		if (run_once(&jit, jh, input, &rj, msg)) {
			printf("FAIL %s: input %u: in bpfrt's JIT: %s\n", prog->name, i, msg);
			goto out;
		}
		make_input(input, i); /* the programs may write their input */
		rn = prog->native(input, INPUT_SIZE);
		if (rk != rj || rj != rn) {
			printf("FAIL %s: input %u: kernel r0 = 0x%" PRIx64 ", bpfrt JIT r0 = 0x%" PRIx64
			       ", native 0x%" PRIx64 "\n", prog->name, i, rk, rj, rn);
			goto out;
		}
		printf("PASS %s: input %u: r0 = 0x%" PRIx64 " in the kernel, bpfrt's JIT and "
		       "natively\n", prog->name, i, rk);
	}
	rc = 1;
out:
	if (jh)
		jit.ops->close(jh);
	kernel.ops->close(kh);
	return rc;
}

int main(int argc, char **argv)
{
	char msg[BENCH_MSG_LEN] = "";
	void *kstate = NULL, *jstate = NULL;
	unsigned compared = 0, failed = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: bench_kernel_diff\n");
		return 2;
	}
	int err = kernel.ops->setup(&kernel, &kstate, msg);
	if (err) {
		printf("%s: %s\n", err == -EOPNOTSUPP ? "SKIP" : "FAIL", msg);
		return err == -EOPNOTSUPP ? 77 : 1;
	}
	if (jit.ops->setup && jit.ops->setup(&jit, &jstate, msg)) {
		printf("FAIL: bpfrt: %s\n", msg);
		return 1;
	}
	for (size_t i = 0; i < bench_prog_cnt; i++) {
		int r = diff_prog(&bench_progs[i], jstate);
		compared += r > 0;
		failed += r < 0;
	}
	if (jit.ops->teardown)
		jit.ops->teardown(jstate);
	if (kernel.ops->teardown)
		kernel.ops->teardown(kstate);
	printf("%u of %zu program(s) compared with the kernel, %u failed\n", compared,
	       bench_prog_cnt, failed);
	if (!failed && !compared)
		printf("FAIL: the kernel accepted none of the programs: nothing was compared\n");
	return failed || !compared ? 1 : 0;
}
