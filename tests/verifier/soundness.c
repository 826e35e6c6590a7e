/* SPDX-License-Identifier: MIT */
/*
 * soundness.c - the fixed-seed soundness run: generate programs (vgen.c),
 * verify them, and run every accepted one in the checked engine on several
 * inputs. Any fault of an accepted program fails the test.
 *
 *   soundness [SEED [COUNT]]    (defaults: 1, 3000)
 */
#include <stdio.h>
#include <stdlib.h>
#include "vgen.h"

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	unsigned long count = argc > 2 ? strtoul(argv[2], NULL, 0) : 3000;
	struct bpfrt_runtime *rt;
	struct bpfrt_map *maps[VGEN_NMAPS] = { 0 };
	if (vgen_setup(&rt, maps)) {
		fprintf(stderr, "soundness: cannot create the runtime or maps\n");
		return 1;
	}
	struct vgen_rng r = { seed };
	struct vgen_stats st = { 0 };
	static struct vgen_prog p;
	int failed = 0;
	for (unsigned long i = 0; i < count; i++) {
		vgen_program(&r, &p, getenv("VGEN_CLEAN") ? 0 : vgen_below(&r, 4) ? vgen_below(&r, 3) : 0);
		if (vgen_check(rt, maps, &p, &r, &st))
			failed = 1;
	}
	printf("soundness: seed %llu: %zu programs, %zu invalid, %zu rejected, %zu accepted, %zu runs, "
	       "%zu faults\n", (unsigned long long)seed, st.generated, st.invalid, st.rejected, st.accepted,
	       st.runs, st.unsound);
	vgen_teardown(rt, maps);
	return failed;
}
