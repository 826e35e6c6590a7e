/* SPDX-License-Identifier: MIT */
/*
 * interp.c - the interpreter: arithmetic with the ISA's edge cases, memory
 * checks, and the two instances of the loop in loop.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "exec.h"

/*
 * Division and modulo as RFC 9669 and Linux define them: no traps. By zero,
 * division gives 0 and modulo leaves the dividend; INT_MIN / -1 wraps to
 * INT_MIN and INT_MIN % -1 is 0 (both would trap on x86 if left to the CPU).
 * Immediates arrive sign-extended to 64 bits; 32-bit forms use the low half.
 */
static inline uint64_t udiv64(uint64_t a, uint64_t b) { return b ? a / b : 0; }
static inline uint64_t umod64(uint64_t a, uint64_t b) { return b ? a % b : a; }
static inline uint64_t udiv32(uint64_t a, uint64_t b)
{
	return (uint32_t)b ? (uint32_t)a / (uint32_t)b : 0;
}
static inline uint64_t umod32(uint64_t a, uint64_t b)
{
	return (uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a;
}
static inline uint64_t sdiv64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return 0;
	if ((int64_t)b == -1)
		return -a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint64_t smod64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return a;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint64_t sdiv32(uint64_t a, uint64_t b)
{
	int32_t x = (int32_t)(uint32_t)a, y = (int32_t)(uint32_t)b;
	if (y == 0)
		return 0;
	if (y == -1)
		return (uint32_t)-(uint32_t)x;
	return (uint32_t)(x / y);
}
static inline uint64_t smod32(uint64_t a, uint64_t b)
{
	int32_t x = (int32_t)(uint32_t)a, y = (int32_t)(uint32_t)b;
	if (y == 0)
		return (uint32_t)x;
	if (y == -1)
		return 0;
	return (uint32_t)(x % y);
}

/*
 * Legacy packet load: big-endian value at packet offset off. Linux computes
 * the offset in 32 bits and treats it as signed; negative offsets name the
 * kernel's special link/network-layer bases, which user space does not have,
 * so they fail like any out-of-bounds load: the program ends returning 0.
 */
static inline bool pkt_load(const struct bpfrt_exec *ex, uint32_t off, unsigned size, uint64_t *r0)
{
	if ((int32_t)off < 0 || (uint64_t)off + size > ex->pkt_len)
		return false;
	const uint8_t *p = ex->pkt + off;
	switch (size) {
	case 1: *r0 = p[0]; break;
	case 2: *r0 = (uint64_t)p[0] << 8 | p[1]; break;
	default: *r0 = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3]; break;
	}
	return true;
}

void exec_init(struct bpfrt_exec *ex, const struct xinsn *code, size_t ncode,
	       bpfrt_helper_fn const *helpers, uint32_t nhelpers, struct diag *diag)
{
	ex->code = code;
	ex->ncode = ncode;
	ex->helpers = helpers;
	ex->nhelpers = nhelpers;
	ex->pkt = NULL;
	ex->pkt_len = 0;
	ex->budget = 0;
	ex->stop = false;
	ex->stop_ret = 0;
	ex->error = 0;
	ex->cookie = 0;
	ex->override = NULL;
	ex->user_data = NULL;
	ex->diag = diag;
	ex->rt = NULL;
	ex->prog = NULL;
	ex->checked = false;
	ex->depth = 0;
	ex->tail_target = NULL;
	ex->tail_calls = 0;
	ex->native_call = NULL;
	ex->jit_sp = 0;
	uintptr_t top = (uintptr_t)(ex->stack + sizeof(ex->stack));
	ex->regions[0] = (struct mem_region){ top - BPFRT_STACK_SIZE, top, true, "stack" };
	ex->nregions = 1;
}

int exec_add_region(struct bpfrt_exec *ex, const void *p, size_t len, bool writable, const char *name)
{
	if (ex->nregions >= EXEC_MAX_REGIONS)
		return -E2BIG;
	ex->regions[ex->nregions++] = (struct mem_region){ (uintptr_t)p, (uintptr_t)p + len, writable, name };
	return 0;
}

bool exec_mem_ok(const struct bpfrt_exec *ex, uintptr_t addr, uint64_t size, bool write)
{
	for (unsigned i = 0; i < ex->nregions; i++) {
		const struct mem_region *r = &ex->regions[i];
		/* Written so that no sum can wrap around the address space. */
		if (addr >= r->lo && addr < r->hi && size <= r->hi - addr)
			return !write || r->writable;
	}
	return false;
}

/* Explain a bad access in terms of the regions the program does have. */
static void report_fault(const struct bpfrt_exec *ex, size_t idx, uintptr_t addr,
			 uint64_t size, bool write)
{
	char where[256] = "";
	size_t n = 0;
	for (unsigned i = 0; i < ex->nregions && n < sizeof(where); i++) {
		const struct mem_region *r = &ex->regions[i];
		if (addr >= r->lo && addr < r->hi) {
			if (size > r->hi - addr)
				n += (size_t)snprintf(where + n, sizeof(where) - n,
						      ": it runs %llu byte(s) past the end of %s",
						      (unsigned long long)(addr + size - r->hi), r->name);
			else
				n += (size_t)snprintf(where + n, sizeof(where) - n,
						      ": %s is read-only", r->name);
			break;
		}
	}
	if (!n) {
		n = (size_t)snprintf(where, sizeof(where), ", outside");
		for (unsigned i = 0; i < ex->nregions && n < sizeof(where); i++)
			n += (size_t)snprintf(where + n, sizeof(where) - n, "%s %s [0x%llx, 0x%llx)",
					      i ? "," : "", ex->regions[i].name,
					      (unsigned long long)ex->regions[i].lo,
					      (unsigned long long)ex->regions[i].hi);
	}
	diag_insn(ex->diag, idx, "invalid %s of %llu byte(s) at 0x%llx%s", write ? "write" : "read",
		  (unsigned long long)size, (unsigned long long)addr, where);
}

#define CHECKED 0
#define INTERP_NAME interp_fast
#include "loop.h"
#undef CHECKED
#undef INTERP_NAME

#define CHECKED 1
#define INTERP_NAME interp_checked
#include "loop.h"
#undef CHECKED
#undef INTERP_NAME

int bpfrt_interp_run(struct bpfrt_exec *ex, uint64_t r1, uint64_t r2, uint64_t *ret)
{
	const uint64_t args[5] = { r1, r2 };
	ex->checked = false;
	ex->depth = 0;
	ex->native_call = NULL;
	return interp_fast(ex, ex->code, args, 0, ret);
}

int bpfrt_interp_run_checked(struct bpfrt_exec *ex, uint64_t r1, uint64_t r2, uint64_t *ret)
{
	const uint64_t args[5] = { r1, r2 };
	ex->checked = true;
	ex->depth = 0;
	ex->native_call = NULL;
	return interp_checked(ex, ex->code, args, 0, ret);
}

int exec_call_func(struct bpfrt_exec *ex, uint64_t func, const uint64_t args[5], uint64_t *ret)
{
	if ((func & XFUNC_TOKEN_MASK) != XFUNC_TOKEN_TAG || (func & ~XFUNC_TOKEN_MASK) >= ex->ncode) {
		diag_set(ex->diag, "callback 0x%llx is not a function of the program",
			 (unsigned long long)func);
		return -EINVAL;
	}
	unsigned depth = ex->depth + 1;
	if (depth >= BPFRT_MAX_FRAMES) {
		diag_set(ex->diag, "callback nested deeper than %d frames", BPFRT_MAX_FRAMES);
		return -E2BIG;
	}
	/* The callback's frame and everything above it; restored for the caller. */
	uintptr_t saved_lo = ex->regions[0].lo;
	unsigned saved_depth = ex->depth;
	uintptr_t top = (uintptr_t)(ex->stack + sizeof(ex->stack));
	ex->regions[0].lo = top - (uintptr_t)(depth + 1) * BPFRT_STACK_SIZE;
	const struct xinsn *entry = ex->code + (func & ~XFUNC_TOKEN_MASK);
	int err = ex->native_call ? ex->native_call(ex, func & ~XFUNC_TOKEN_MASK, args, ret, depth)
		: ex->checked ? interp_checked(ex, entry, args, depth, ret)
		: interp_fast(ex, entry, args, depth, ret);
	ex->regions[0].lo = saved_lo;
	ex->depth = saved_depth;
	return err;
}

/* --- the public face of struct bpfrt_exec, for helpers --- */

void *bpfrt_exec__user_data(const struct bpfrt_exec *ex)
{
	return ex->user_data;
}

void bpfrt_exec__stop(struct bpfrt_exec *ex, uint64_t retval)
{
	ex->stop = true;
	ex->stop_ret = retval;
}

bool bpfrt_exec__check_mem(const struct bpfrt_exec *ex, const void *ptr, size_t size, bool write)
{
	return exec_mem_ok(ex, (uintptr_t)ptr, size, write);
}
