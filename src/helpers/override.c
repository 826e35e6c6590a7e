/* SPDX-License-Identifier: MIT */
/*
 * override.c - bpf_override_return: make the probed call return rc without
 * running it.
 *
 * Linux sets the return register and points the kprobe's ip at a stub that
 * returns; it allows this only in kprobe programs (GPL-only), attached at
 * the entry of a function marked for error injection (every system call).
 * Here the hook running the program does the returning, so the helper only
 * records rc where the hook reads it (bpfrt_exec.override, one per run):
 * bpfrt trace gives a place only at a system call's entry or a uprobe at a
 * function's first instruction, and only with --allow-override. Anywhere
 * else (a hook that cannot return early, an embedder's bpfrt_prog__run_ctx)
 * the run fails with a message, so a fault injector never silently injects
 * nothing. Later programs of the same hook still run; the last rc wins.
 */
#include <errno.h>
#include "helpers.h"
#include "runtime/runtime.h"

HELPER(bpf_override_return)
{
	(void)r1; /* ctx (the verifier's ARG_PTR_TO_CTX): the hook knows its registers */
	if (!ex->override)
		return helper_fail(ex, -EOPNOTSUPP, "bpf_override_return: this hook cannot make the "
				   "call return early (only a system call's entry or a uprobe at a "
				   "function's entry can, with bpfrt trace --allow-override)");
	ex->override->set = true;
	ex->override->rc = r2;
	return 0;
}

const struct helper_def helpers_override[] = {
	{ 58, "bpf_override_return", bpf_override_return, HG_KPROBE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING) },
	{ 0 },
};
