/* SPDX-License-Identifier: MIT */
/*
 * stack.c - bpf_get_stack for user stacks: the probed thread's call chain,
 * followed through frame pointers as the kernel does for user space
 * (BPF_F_USER_STACK): ips[0] is the instruction pointer, each next one the
 * return address above the saved rbp, until a frame cannot be read or the
 * chain stops going up the stack. Code built without frame pointers gives a
 * short or wrong chain, there as in the kernel. There is no kernel stack in
 * user space: without BPF_F_USER_STACK the result is -EINVAL.
 */
#include <errno.h>
#include <string.h>
#include "bpfrt/prog.h"
#include "helpers.h"

#define F_SKIP_MASK 0xffull       /* BPF_F_SKIP_FIELD_MASK */
#define F_USER_STACK (1ull << 8)  /* BPF_F_USER_STACK */
#define F_USER_BUILD_ID (1ull << 11)

/* The x86-64 struct pt_regs words the walk starts from. */
#define REGS_BP 4
#define REGS_IP 16
#define REGS_SP 19

/* bpf_get_stack(ctx, buf, size, flags): bytes written, or a negative errno. */
HELPER(bpf_get_stack)
{
	if (!helper_mem(ex, "bpf_get_stack", 1, r1, 21 * 8, false) ||
	    !helper_mem(ex, "bpf_get_stack", 2, r2, r3, true))
		return 0;
	/* Only a uprobe's context is the registers (tracepoints get -EINVAL here). */
	if (bpfrt_prog__type(ex->prog) != BPFRT_PROG_TYPE_KPROBE)
		return (uint64_t)-EINVAL;
	uint64_t flags = r4;
	if (!(flags & F_USER_STACK) || (flags & ~(F_SKIP_MASK | F_USER_STACK | F_USER_BUILD_ID)) ||
	    (flags & F_USER_BUILD_ID) || r3 % 8)
		return (uint64_t)-EINVAL;
	const uint64_t *regs = (const uint64_t *)(uintptr_t)r1;
	uint64_t *out = (uint64_t *)(uintptr_t)r2;
	size_t max = r3 / 8, n = 0, skip = flags & F_SKIP_MASK;
	uint64_t ip = regs[REGS_IP], bp = regs[REGS_BP], sp = regs[REGS_SP];
	for (unsigned depth = 0; depth < 127 && n < max && ip; depth++) {
		if (skip)
			skip--;
		else
			out[n++] = ip;
		uint64_t frame[2]; /* saved rbp, return address */
		if (bp < sp || bp & 7 || probe_copy_user(ex, frame, (const void *)(uintptr_t)bp,
							 sizeof(frame)))
			break;
		if (frame[0] <= bp && frame[0]) /* the chain must go up the stack */
			break;
		sp = bp;
		bp = frame[0];
		ip = frame[1];
	}
	memset(out + n, 0, (max - n) * 8);
	return n * 8;
}

const struct helper_def helpers_stack[] = {
	{ 67, "bpf_get_stack", bpf_get_stack, HG_TRACE, PROTO(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 0 },
};
