/* SPDX-License-Identifier: MIT */
/*
 * helpers.c - registration of the kernel helpers, and argument checks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "helpers.h"
#include "maps/maps.h"
#include "runtime/runtime.h"

/* Every kernel helper, one table per file of this folder. */
static const struct helper_def *const tables[] = {
	helpers_map,    helpers_time,   helpers_task,    helpers_print,
	helpers_string, helpers_probe,  helpers_ringbuf, helpers_control,
	helpers_packet, helpers_xdp,    helpers_perf,    helpers_stack,
	helpers_cookie, helpers_override,
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

int helpers_register_kernel(struct bpfrt_runtime *rt)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (const struct helper_def *h = tables[t]; h->fn; h++) {
			int err = rt_add_helper(rt, h->id, h->name, h->fn, h->groups);
			if (err)
				return err;
		}
	return 0;
}

uint64_t helper_fail(struct bpfrt_exec *ex, int err, const char *fmt, ...)
{
	if (!ex->error && ex->diag && !ex->diag->msg[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ex->diag->msg, sizeof(ex->diag->msg), fmt, ap);
		va_end(ap);
	}
	ex->error = err;
	ex->stop = true;
	return 0;
}

bool helper_mem(struct bpfrt_exec *ex, const char *helper, int arg, uint64_t p, uint64_t size,
		bool write)
{
	if (!ex->checked || size == 0 || exec_mem_ok(ex, (uintptr_t)p, size, write))
		return true;
	helper_fail(ex, -EFAULT, "%s: argument %d (%llu byte(s) at 0x%llx) is not memory the "
		    "program may %s", helper, arg, (unsigned long long)size, (unsigned long long)p,
		    write ? "write" : "read");
	return false;
}

bool helper_map(struct bpfrt_exec *ex, const char *helper, int arg, uint64_t p)
{
	const void *m = (const void *)(uintptr_t)p;
	if (!ex->checked || prog_uses_map(ex->prog, m) || map_is_valid(ex->rt, m))
		return true;
	helper_fail(ex, -EFAULT, "%s: argument %d (0x%llx) is not a map", helper, arg,
		    (unsigned long long)p);
	return false;
}

const struct helper_def *helper_kernel_def(uint32_t id)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (const struct helper_def *h = tables[t]; h->fn; h++)
			if (h->id == id)
				return h;
	return NULL;
}

const struct helper_proto *helper_proto(uint32_t id)
{
	const struct helper_def *h = helper_kernel_def(id);
	return h ? h->proto : NULL;
}
