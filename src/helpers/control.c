/* SPDX-License-Identifier: MIT */
/*
 * control.c - helpers that change control flow: bpf_tail_call, bpf_loop,
 * bpf_for_each_map_elem, and the spin lock pair.
 */
#include <errno.h>
#include "helpers.h"
#include "maps/maps.h"
#include "runtime/runtime.h"

#define MAP(p) ((struct bpfrt_map *)(uintptr_t)(p))
#define MAX_TAIL_CALLS 33   /* the kernel's MAX_TAIL_CALL_CNT */
#define MAX_LOOPS (1u << 23) /* the kernel's BPF_MAX_LOOPS */

/*
 * bpf_tail_call(ctx, prog_array, index): on success the current program ends
 * and the target runs in its place on the same context (the run loop in
 * prog.c switches programs); on failure the call returns and the program goes
 * on, as in the kernel.
 */
HELPER(bpf_tail_call)
{
	if (!helper_map(ex, "bpf_tail_call", 2, r2))
		return 0;
	if (bpfrt_map__type(MAP(r2)) != BPFRT_MAP_TYPE_PROG_ARRAY)
		return helper_fail(ex, -EINVAL, "bpf_tail_call: map '%s' is not a program array",
				   bpfrt_map__name(MAP(r2)));
	if (ex->tail_calls >= MAX_TAIL_CALLS || r3 >= bpfrt_map__max_entries(MAP(r2)))
		return (uint64_t)-ENOENT;
	uint32_t id = map_prog_array_get(MAP(r2), (uint32_t)r3);
	struct bpfrt_prog *target = id ? rt_id_lookup(ex->rt, id, ID_PROG) : NULL;
	if (!target)
		return (uint64_t)-ENOENT;
	ex->tail_target = target;
	ex->tail_calls++;
	ex->stop = true;
	return 0;
}

/* bpf_loop(nr_loops, callback(index, ctx), ctx, flags): iterations done. */
HELPER(bpf_loop)
{
	if (r4)
		return (uint64_t)-EINVAL;
	if (r1 > MAX_LOOPS)
		return (uint64_t)-E2BIG;
	uint64_t i;
	for (i = 0; i < r1; i++) {
		const uint64_t args[5] = { i, r3 };
		uint64_t ret;
		int err = exec_call_func(ex, r2, args, &ret);
		if (err)
			return helper_fail(ex, err, "bpf_loop: callback at iteration %llu: %s",
					   (unsigned long long)i, ex->diag ? ex->diag->msg : "failed");
		if (ex->stop)
			return 0;
		if (ret) {
			i++;
			break;
		}
	}
	return i;
}

struct for_each_ctx {
	struct bpfrt_exec *ex;
	uint64_t fn, ctx;
	int err;
};

static long for_each_cb(struct bpfrt_map *m, const void *key, void *value, void *p)
{
	struct for_each_ctx *c = p;
	const uint64_t args[5] = { (uintptr_t)m, (uintptr_t)key, (uintptr_t)value, c->ctx };
	uint64_t ret;
	/*
	 * The key may live outside the map's memory (an array index on our
	 * stack): the callback may read it, as in the kernel, for the call only.
	 */
	unsigned saved = c->ex->nregions;
	exec_add_region(c->ex, key, bpfrt_map__key_size(m), false, "key");
	c->err = exec_call_func(c->ex, c->fn, args, &ret);
	c->ex->nregions = saved;
	return c->err || c->ex->stop || ret;
}

/* bpf_for_each_map_elem(map, callback(map, key, value, ctx), ctx, flags) */
HELPER(bpf_for_each_map_elem)
{
	if (!helper_map(ex, "bpf_for_each_map_elem", 1, r1) ||
	    !helper_learn_map(ex, "bpf_for_each_map_elem", MAP(r1)))
		return 0;
	if (r4)
		return (uint64_t)-EINVAL;
	struct for_each_ctx c = { ex, r2, r3, 0 };
	long n = map_for_each(MAP(r1), for_each_cb, &c, 0);
	if (c.err)
		return helper_fail(ex, c.err, "bpf_for_each_map_elem: callback: %s",
				   ex->diag ? ex->diag->msg : "failed");
	return (uint64_t)n;
}

/*
 * struct bpf_spin_lock is a u32 inside a map value. Programs on other threads
 * (or processes sharing the map) spin on it, as kernel programs on other CPUs do.
 */
HELPER(bpf_spin_lock)
{
	if (!helper_mem(ex, "bpf_spin_lock", 1, r1, 4, true))
		return 0;
	uint32_t *l = (uint32_t *)(uintptr_t)r1;
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	return 0;
}

HELPER(bpf_spin_unlock)
{
	if (!helper_mem(ex, "bpf_spin_unlock", 1, r1, 4, true))
		return 0;
	__atomic_store_n((uint32_t *)(uintptr_t)r1, 0, __ATOMIC_RELEASE);
	return 0;
}

const struct helper_def helpers_control[] = {
	{ 12, "bpf_tail_call", bpf_tail_call, HG_BASE, (&(const struct helper_proto){ .ret = RET_VOID, .arg = { ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING }, .tail_call = 1 }) },
	{ 93, "bpf_spin_lock", bpf_spin_lock, HG_BASE, PROTO(RET_VOID, ARG_PTR_TO_SPIN_LOCK) },
	{ 94, "bpf_spin_unlock", bpf_spin_unlock, HG_BASE, PROTO(RET_VOID, ARG_PTR_TO_SPIN_LOCK) },
	{ 164, "bpf_for_each_map_elem", bpf_for_each_map_elem, HG_BASE, PROTO(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING) },
	{ 181, "bpf_loop", bpf_loop, HG_BASE, PROTO(RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING) },
	{ 0 },
};
