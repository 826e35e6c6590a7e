/* SPDX-License-Identifier: MIT */
/*
 * dlnotify.c - in-process notice of libraries loaded or unloaded after the
 * agent started, through the dynamic linker's debugger interface.
 *
 * ld.so calls the function at _r_debug.r_brk (_dl_debug_state, an empty
 * function) whenever its list of objects changes: r_state RT_ADD or
 * RT_DELETE before, RT_CONSISTENT after the mapping or unmapping. Debuggers
 * put a breakpoint there; the agent patches it with a jump to a trampoline
 * (tramp.c). The call after a dlopen() has mapped its objects comes before
 * they are relocated, made visible to dlsym() or initialized, with ld.so's
 * lock held: no thread can be running the new code yet, so patching it then
 * is as safe as patching at start-up, when the process has one thread.
 * Rather than interposing dlopen(), this sees every way a library arrives:
 * dlmopen(), a dlopen()ed library's dependencies, the modules libc loads
 * itself (NSS, iconv), callers that bound dlopen before the agent loaded.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include "dlnotify.h"
#include "tramp.h"

static void (*notify)(void);

static bool on_debug_state(uint64_t site, struct tramp_regs *regs)
{
	(void)site;
	(void)regs;
	/*
	 * _r_debug is the default namespace's: a dlmopen() namespace's change
	 * may call this with it consistent before the mapping as well as
	 * after, and looking at the maps one time too many finds nothing new.
	 */
	if (_r_debug.r_state == RT_CONSISTENT)
		notify();
	return false; /* _dl_debug_state runs on */
}

int dlnotify_start(struct tramp_pool *pool, void (*fn)(void), char *why, size_t whylen)
{
	uint64_t brk = (uint64_t)_r_debug.r_brk;
	if (!brk) {
		snprintf(why, whylen, "the dynamic linker has no debugger interface (_r_debug.r_brk)");
		return -1;
	}
	notify = fn;
	char how[160];
	if (tramp_patch(pool, brk, 0, on_debug_state, how, sizeof(how))) {
		snprintf(why, whylen, "cannot patch the dynamic linker's _dl_debug_state (0x%llx): %s",
			 (unsigned long long)brk, how);
		return -1;
	}
	return 0;
}
