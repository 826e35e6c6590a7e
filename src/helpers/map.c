/* SPDX-License-Identifier: MIT */
/*
 * map.c - the map helpers: lookup, update, delete, push, pop, peek.
 */
#include <errno.h>
#include "helpers.h"
#include "maps/maps.h"

#define MAP(p) ((struct bpfrt_map *)(uintptr_t)(p))
#define PTR(p) ((void *)(uintptr_t)(p))

/*
 * The values of a map the program does not name: an inner map of an array or
 * hash of maps, which user space may swap while programs run. The checked
 * engine learns its region when the program reaches it, for the rest of the
 * run (the outer map keeps the inner one alive until the run ends, as RCU
 * does in the kernel).
 */
bool helper_learn_map(struct bpfrt_exec *ex, const char *helper, struct bpfrt_map *m)
{
	uintptr_t lo, hi;
	bool writable;
	/* Maps of maps hold inner maps, not memory: only helpers take those. */
	if (!ex->checked || !map_value_region(m, &lo, &hi, &writable) ||
	    exec_mem_ok(ex, lo, hi - lo, false))
		return true;
	if (!exec_add_region(ex, (const void *)lo, hi - lo, writable, bpfrt_map__name(m)))
		return true;
	helper_fail(ex, -E2BIG, "%s: map '%s': the program reaches more maps than the checked "
		    "engine can track (%d regions)", helper, bpfrt_map__name(m), EXEC_MAX_REGIONS);
	return false;
}

HELPER(bpf_map_lookup_elem)
{
	if (!helper_map(ex, "bpf_map_lookup_elem", 1, r1) ||
	    !helper_mem(ex, "bpf_map_lookup_elem", 2, r2, bpfrt_map__key_size(MAP(r1)), false))
		return 0;
	void *v = map_lookup_elem(MAP(r1), PTR(r2));
	if (v && !helper_learn_map(ex, "bpf_map_lookup_elem", MAP(r1)))
		return 0;
	return (uintptr_t)v;
}

HELPER(bpf_map_update_elem)
{
	if (!helper_map(ex, "bpf_map_update_elem", 1, r1) ||
	    !helper_mem(ex, "bpf_map_update_elem", 2, r2, bpfrt_map__key_size(MAP(r1)), false) ||
	    !helper_mem(ex, "bpf_map_update_elem", 3, r3, bpfrt_map__value_size(MAP(r1)), false))
		return 0;
	return (uint64_t)map_update_elem(MAP(r1), PTR(r2), PTR(r3), r4);
}

HELPER(bpf_map_delete_elem)
{
	if (!helper_map(ex, "bpf_map_delete_elem", 1, r1) ||
	    !helper_mem(ex, "bpf_map_delete_elem", 2, r2, bpfrt_map__key_size(MAP(r1)), false))
		return 0;
	return (uint64_t)map_delete_elem(MAP(r1), PTR(r2));
}

HELPER(bpf_map_push_elem)
{
	if (!helper_map(ex, "bpf_map_push_elem", 1, r1) ||
	    !helper_mem(ex, "bpf_map_push_elem", 2, r2, bpfrt_map__value_size(MAP(r1)), false))
		return 0;
	return (uint64_t)map_push_elem(MAP(r1), PTR(r2), r3);
}

HELPER(bpf_map_pop_elem)
{
	if (!helper_map(ex, "bpf_map_pop_elem", 1, r1) ||
	    !helper_mem(ex, "bpf_map_pop_elem", 2, r2, bpfrt_map__value_size(MAP(r1)), true))
		return 0;
	return (uint64_t)map_pop_elem(MAP(r1), PTR(r2));
}

/* Bloom filters read the value to test; queues and stacks write it. */
HELPER(bpf_map_peek_elem)
{
	bool bloom = helper_map(ex, "bpf_map_peek_elem", 1, r1) &&
		     bpfrt_map__type(MAP(r1)) == BPFRT_MAP_TYPE_BLOOM_FILTER;
	if (ex->stop ||
	    !helper_mem(ex, "bpf_map_peek_elem", 2, r2, bpfrt_map__value_size(MAP(r1)), !bloom))
		return 0;
	return (uint64_t)map_peek_elem(MAP(r1), PTR(r2));
}

const struct helper_def helpers_map[] = {
	{ 1, "bpf_map_lookup_elem", bpf_map_lookup_elem, HG_BASE, PROTO(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY) },
	{ 2, "bpf_map_update_elem", bpf_map_update_elem, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING) },
	{ 3, "bpf_map_delete_elem", bpf_map_delete_elem, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY) },
	{ 87, "bpf_map_push_elem", bpf_map_push_elem, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING) },
	{ 88, "bpf_map_pop_elem", bpf_map_pop_elem, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE) },
	{ 89, "bpf_map_peek_elem", bpf_map_peek_elem, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_UNINIT_MAP_VALUE) },
	{ 0 },
};
