/* SPDX-License-Identifier: MIT */
/*
 * ringbuf.c - the ring buffer helpers (the ring itself is in src/maps/).
 *
 * A record from bpf_ringbuf_reserve is memory the program may write until it
 * submits or discards it; the checked engine sees it as part of the ring's
 * region, which the program was given when it was loaded.
 */
#include <errno.h>
#include "helpers.h"
#include "maps/maps.h"

#define MAP(p) ((struct bpfrt_map *)(uintptr_t)(p))

static bool is_ringbuf(struct bpfrt_exec *ex, const char *name, uint64_t m)
{
	if (!helper_map(ex, name, 1, m))
		return false;
	if (bpfrt_map__type(MAP(m)) != BPFRT_MAP_TYPE_RINGBUF) {
		helper_fail(ex, -EINVAL, "%s: map '%s' is not a ring buffer", name, bpfrt_map__name(MAP(m)));
		return false;
	}
	return true;
}

HELPER(bpf_ringbuf_output)
{
	if (!is_ringbuf(ex, "bpf_ringbuf_output", r1) ||
	    !helper_mem(ex, "bpf_ringbuf_output", 2, r2, r3, false))
		return 0;
	return (uint64_t)ringbuf_output(MAP(r1), (const void *)(uintptr_t)r2, r3, r4);
}

HELPER(bpf_ringbuf_reserve)
{
	if (!is_ringbuf(ex, "bpf_ringbuf_reserve", r1))
		return 0;
	return (uintptr_t)ringbuf_reserve(MAP(r1), r2, r3);
}

HELPER(bpf_ringbuf_submit)
{
	if (r1)
		ringbuf_submit((void *)(uintptr_t)r1, r2);
	return 0;
}

HELPER(bpf_ringbuf_discard)
{
	if (r1)
		ringbuf_discard((void *)(uintptr_t)r1, r2);
	return 0;
}

HELPER(bpf_ringbuf_query)
{
	if (!is_ringbuf(ex, "bpf_ringbuf_query", r1))
		return 0;
	return ringbuf_query(MAP(r1), r2);
}

const struct helper_def helpers_ringbuf[] = {
	{ 130, "bpf_ringbuf_output", bpf_ringbuf_output, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 131, "bpf_ringbuf_reserve", bpf_ringbuf_reserve, HG_BASE, PROTO(RET_PTR_TO_RINGBUF_MEM_OR_NULL, ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 132, "bpf_ringbuf_submit", bpf_ringbuf_submit, HG_BASE, PROTO(RET_VOID, ARG_PTR_TO_RINGBUF_MEM, ARG_ANYTHING) },
	{ 133, "bpf_ringbuf_discard", bpf_ringbuf_discard, HG_BASE, PROTO(RET_VOID, ARG_PTR_TO_RINGBUF_MEM, ARG_ANYTHING) },
	{ 134, "bpf_ringbuf_query", bpf_ringbuf_query, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	{ 0 },
};
