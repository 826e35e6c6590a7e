/* SPDX-License-Identifier: MIT */
/*
 * dlnotify.h (internal) - the agent's notice of libraries loaded and
 * unloaded after it started (dlnotify.c).
 */
#ifndef BPFRT_TRACE_DLNOTIFY_H
#define BPFRT_TRACE_DLNOTIFY_H

#include <stddef.h>

struct tramp_pool;

/*
 * Call fn after each change of the process's loaded objects (dlopen,
 * dlclose, dlmopen, libraries libc loads itself), with the new objects
 * mapped but not yet relocated, visible to dlsym() or initialized, and
 * ld.so's lock held; the patch's trampoline comes from pool (not sealed yet).
 * Return: 0, or -1 with why filled (no debugger interface, or it cannot be
 * patched).
 */
int dlnotify_start(struct tramp_pool *pool, void (*fn)(void), char *why, size_t whylen);

#endif
