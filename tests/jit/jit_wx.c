/* SPDX-License-Identifier: MIT */
/*
 * jit_wx.c - JIT code pages are never writable and executable at once: with
 * programs compiled (plain and blinded) and after they are freed, no mapping
 * of this process is rwx, and the JIT made at least one executable mapping
 * that was not there before (so the check looked at real code).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"

/* Counts this process's mappings: executable ones, and writable+executable ones. */
static void count_maps(int *exec, int *wx)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	*exec = *wx = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char perms[8] = "";
		if (sscanf(line, "%*s %7s", perms) != 1)
			continue;
		*exec += perms[2] == 'x';
		*wx += perms[1] == 'w' && perms[2] == 'x';
	}
	if (f)
		fclose(f);
}

int main(void)
{
	/* a large immediate, which the blinded loads (odd i) hide */
	static const char text[] = "r0 = 1\nr1 = 0x12345678\nr0 += r1\nexit\n";
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	struct bpfrt_insn *insns = NULL;
	size_t cnt = 0;
	char err[256];
	if (!rt || bpfrt_asm(text, &insns, &cnt, err, sizeof(err))) {
		printf("FAIL setup: %s\n", err);
		return 1;
	}
	int exec0, wx0, exec1, wx1, exec2, wx2;
	count_maps(&exec0, &wx0);
	struct bpfrt_prog *progs[16];
	for (int i = 0; i < 16; i++) {
		BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = BPFRT_ENGINE_JIT, .jit_blind = i % 2);
		progs[i] = bpfrt_prog__load(rt, "wx", insns, cnt, &o);
		if (!progs[i]) {
			printf("FAIL load: %s\n", bpfrt_runtime__last_error(rt));
			return 1;
		}
	}
	count_maps(&exec1, &wx1);
	for (int i = 0; i < 16; i++)
		bpfrt_prog__free(progs[i]);
	count_maps(&exec2, &wx2);
	int fail = 0;
	if (wx0 || wx1 || wx2) {
		printf("FAIL writable+executable mappings: %d before, %d with programs, %d after\n", wx0,
		       wx1, wx2);
		fail = 1;
	}
	if (exec1 <= exec0) {
		printf("FAIL the JIT made no executable mapping (%d before, %d after)\n", exec0, exec1);
		fail = 1;
	}
	if (!fail)
		printf("PASS no rwx mapping; %d executable mapping(s) with JIT code, %d before\n", exec1,
		       exec0);
	free(insns);
	bpfrt_runtime__free(rt);
	return fail;
}
