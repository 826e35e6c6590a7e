/* SPDX-License-Identifier: MIT */
/*
 * runtime.c - the runtime object: helper table and diagnostics.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime.h"
#include "helpers/helpers.h"

struct bpfrt_runtime *bpfrt_runtime__new(const struct bpfrt_runtime_opts *opts)
{
	if (opts && opts->sz < sizeof(size_t)) {
		errno = EINVAL;
		return NULL;
	}
	struct bpfrt_runtime *rt = calloc(1, sizeof(*rt));
	if (!rt) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&rt->ids_lock, NULL);
	bool kernel_helpers = true;
	if (opts) {
		rt->print = opts->print;
		rt->print_ctx = opts->print_ctx;
		rt->quiet = opts->quiet;
		kernel_helpers = !opts->no_kernel_helpers;
		rt->trace_out = opts->trace_output;
	}
	if (kernel_helpers && helpers_register_kernel(rt)) {
		bpfrt_runtime__free(rt);
		errno = ENOMEM;
		return NULL;
	}
	return rt;
}

void bpfrt_runtime__free(struct bpfrt_runtime *rt)
{
	if (!rt)
		return;
	for (uint32_t i = 0; i < rt->nhelpers; i++)
		free(rt->helpers[i].name);
	free(rt->helpers);
	free(rt->helper_fns);
	free(rt->objs);
	free(rt->kinds);
	pthread_mutex_destroy(&rt->ids_lock);
	free(rt);
}

const char *bpfrt_runtime__last_error(const struct bpfrt_runtime *rt)
{
	return rt->last_error;
}

int rt_fail(struct bpfrt_runtime *rt, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rt->last_error, sizeof(rt->last_error), fmt, ap);
	va_end(ap);
	if (rt->print)
		rt->print(BPFRT_WARN, rt->last_error, rt->print_ctx);
	else if (!rt->quiet)
		fprintf(stderr, "bpfrt: %s\n", rt->last_error);
	return err;
}

int bpfrt_runtime__add_helper(struct bpfrt_runtime *rt, uint32_t id, const char *name,
			      bpfrt_helper_fn fn)
{
	return rt_add_helper(rt, id, name, fn, HG_ALL);
}

uint32_t rt_helper_groups(const struct bpfrt_runtime *rt, uint32_t id)
{
	return id < rt->nhelpers && rt->helpers[id].fn ? rt->helpers[id].groups : 0;
}

void bpfrt_runtime__set_trace_output(struct bpfrt_runtime *rt, FILE *f)
{
	rt->trace_out = f;
}

void bpfrt_runtime__set_task(struct bpfrt_runtime *rt, const struct bpfrt_task *task)
{
	rt->has_task = task != NULL;
	if (task)
		rt->task = *task;
}

const struct bpfrt_task *rt_task(const struct bpfrt_runtime *rt)
{
	return rt && rt->has_task ? &rt->task : NULL;
}

FILE *rt_trace_output(const struct bpfrt_runtime *rt)
{
	return rt->trace_out ? rt->trace_out : stderr;
}

int rt_add_helper(struct bpfrt_runtime *rt, uint32_t id, const char *name, bpfrt_helper_fn fn,
		  uint32_t groups)
{
	if (id > BPFRT_MAX_HELPER_ID || !fn || !name)
		return rt_fail(rt, -EINVAL, "helper %u: invalid id (max %u), name or function",
			       id, BPFRT_MAX_HELPER_ID);
	if (id < rt->nhelpers && rt->helpers[id].fn)
		return rt_fail(rt, -EEXIST, "helper %u ('%s'): id already taken by '%s'",
			       id, name, rt->helpers[id].name);
	if (id >= rt->nhelpers) {
		uint32_t n = id + 1;
		struct helper_slot *h = realloc(rt->helpers, n * sizeof(*h));
		if (!h)
			return rt_fail(rt, -ENOMEM, "helper %u: out of memory", id);
		rt->helpers = h;
		bpfrt_helper_fn *f = realloc(rt->helper_fns, n * sizeof(*f));
		if (!f)
			return rt_fail(rt, -ENOMEM, "helper %u: out of memory", id);
		rt->helper_fns = f;
		memset(&h[rt->nhelpers], 0, (n - rt->nhelpers) * sizeof(*h));
		memset(&f[rt->nhelpers], 0, (n - rt->nhelpers) * sizeof(*f));
		rt->nhelpers = n;
	}
	char *copy = strdup(name);
	if (!copy)
		return rt_fail(rt, -ENOMEM, "helper %u: out of memory", id);
	rt->helpers[id] = (struct helper_slot){ fn, copy, groups };
	rt->helper_fns[id] = fn;
	return 0;
}

long rt_helper_id(const struct bpfrt_runtime *rt, const char *name)
{
	for (uint32_t i = 0; i < rt->nhelpers; i++)
		if (rt->helpers[i].fn && !strcmp(rt->helpers[i].name, name))
			return i;
	return -1;
}

const char *bpfrt_runtime__helper_name(const struct bpfrt_runtime *rt, uint32_t id)
{
	return id < rt->nhelpers ? rt->helpers[id].name : NULL;
}

uint32_t rt_id_alloc(struct bpfrt_runtime *rt, int kind, void *obj)
{
	pthread_mutex_lock(&rt->ids_lock);
	uint32_t i;
	for (i = 0; i < rt->nobjs && rt->kinds[i] != ID_FREE; i++)
		;
	if (i == rt->nobjs) {
		uint32_t n = rt->nobjs ? rt->nobjs * 2 : 16;
		void **o = realloc(rt->objs, n * sizeof(*o));
		if (o)
			rt->objs = o;
		uint8_t *k = o ? realloc(rt->kinds, n) : NULL;
		if (!k) {
			pthread_mutex_unlock(&rt->ids_lock);
			return 0;
		}
		rt->kinds = k;
		memset(k + rt->nobjs, ID_FREE, n - rt->nobjs);
		rt->nobjs = n;
	}
	rt->objs[i] = obj;
	rt->kinds[i] = (uint8_t)kind;
	pthread_mutex_unlock(&rt->ids_lock);
	return i + 1;
}

void rt_id_free(struct bpfrt_runtime *rt, uint32_t id)
{
	pthread_mutex_lock(&rt->ids_lock);
	if (id && id <= rt->nobjs)
		rt->kinds[id - 1] = ID_FREE;
	pthread_mutex_unlock(&rt->ids_lock);
}

void *rt_id_lookup(struct bpfrt_runtime *rt, uint32_t id, int kind)
{
	void *obj = NULL;
	pthread_mutex_lock(&rt->ids_lock);
	if (id && id <= rt->nobjs && rt->kinds[id - 1] == kind)
		obj = rt->objs[id - 1];
	pthread_mutex_unlock(&rt->ids_lock);
	return obj;
}

bool rt_id_owns(struct bpfrt_runtime *rt, const void *obj, int kind)
{
	bool found = false;
	pthread_mutex_lock(&rt->ids_lock);
	for (uint32_t i = 0; i < rt->nobjs && !found; i++)
		found = rt->kinds[i] == kind && rt->objs[i] == obj;
	pthread_mutex_unlock(&rt->ids_lock);
	return found;
}
