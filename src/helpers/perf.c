/* SPDX-License-Identifier: MIT */
/*
 * perf.c - bpf_perf_event_output (the perf event array itself is in
 * src/maps/perf_event_array.c, its consumer in src/maps/perf_buffer.c).
 */
#include <errno.h>
#include "helpers.h"
#include "maps/maps.h"

#define MAP(p) ((struct bpfrt_map *)(uintptr_t)(p))

/*
 * bpf_perf_event_output(ctx, map, flags, data, size). The context is not
 * read: with the only flags bpfrt takes (an index or BPF_F_CURRENT_CPU), the
 * kernel does not either. BPF_F_CTXLEN_MASK, with which skb and XDP
 * programs append packet bytes, is refused with -EINVAL.
 */
HELPER(bpf_perf_event_output)
{
	if (!helper_map(ex, "bpf_perf_event_output", 2, r2) ||
	    !helper_mem(ex, "bpf_perf_event_output", 4, r4, r5, false))
		return 0;
	if (bpfrt_map__type(MAP(r2)) != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY)
		return helper_fail(ex, -EINVAL, "bpf_perf_event_output: map '%s' is not a perf "
				   "event array", bpfrt_map__name(MAP(r2)));
	return (uint64_t)perf_event_output(MAP(r2), r3, (const void *)(uintptr_t)r4, r5);
}

const struct helper_def helpers_perf[] = {
	{ 25, "bpf_perf_event_output", bpf_perf_event_output, HG_BASE, PROTO(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO) },
	{ 0 },
};
