/* SPDX-License-Identifier: MIT */
/*
 * fuzz_verifier.c - libFuzzer target for the verifier's soundness: whatever
 * the bytes, verifying must end with a verdict (never a crash or a hang), and
 * a program it accepts must run in the checked engine without tripping a
 * check (vgen_check), else the target aborts.
 *
 * Input: one byte choosing the program type (bit 7 clear) or, with bit 7
 * set, a program from the soundness generator (vgen.c) seeded by the next 8
 * bytes whose instructions the rest of the input then XORs; the remaining
 * bytes are instruction slots (raw form).
 */
#include <stdlib.h>
#include <string.h>
#include "vgen.h"

static const enum bpfrt_prog_type types[] = {
	BPFRT_PROG_TYPE_UNSPEC, BPFRT_PROG_TYPE_XDP, BPFRT_PROG_TYPE_SCHED_CLS,
	BPFRT_PROG_TYPE_SOCKET_FILTER, BPFRT_PROG_TYPE_KPROBE, BPFRT_PROG_TYPE_TRACEPOINT,
	BPFRT_PROG_TYPE_RAW_TRACEPOINT, BPFRT_PROG_TYPE_PERF_EVENT,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfrt_runtime *rt;
	static struct bpfrt_map *maps[VGEN_NMAPS];
	static struct vgen_prog p;
	if (!rt && vgen_setup(&rt, maps))
		abort();
	if (size < 1)
		return 0;
	struct vgen_rng r = { 0 };
	if (data[0] & 0x80) {
		if (size < 9)
			return 0;
		memcpy(&r.s, data + 1, 8);
		vgen_program(&r, &p, 0);
		uint8_t *bytes = (uint8_t *)p.insns;
		for (size_t i = 9; i < size && i - 9 < p.cnt * sizeof(p.insns[0]); i++)
			bytes[i - 9] ^= data[i];
	} else {
		size_t cnt = (size - 1) / sizeof(struct bpfrt_insn);
		if (!cnt || cnt > VGEN_MAX_INSNS)
			return 0;
		memset(&p, 0, sizeof(p));
		p.type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
		memcpy(p.insns, data + 1, cnt * sizeof(p.insns[0]));
		p.cnt = cnt;
		r.s = size;
	}
	struct vgen_stats st = { 0 };
	if (vgen_check(rt, maps, &p, &r, &st))
		abort(); /* an accepted program was stopped by a run-time check */
	return 0;
}
