/* SPDX-License-Identifier: MIT */
/*
 * tramp.c - in-process probes by patching the probed instruction with a jump.
 *
 * The 5-byte `jmp rel32` needs its trampoline within +-2 GiB, so
 * trampolines live in pages mapped near the code they serve. A trampoline:
 *
 *   lea -128(%rsp),%rsp        skip the red zone the function may be using
 *   push ss, rsp, flags, cs, rip, orig_ax, rdi ... r15   -> struct pt_regs
 *   fix the saved rsp and rip; rdi = site, rsi = &regs
 *   call hit (stack aligned to 16 through rbx, which is saved)
 *   test %al,%al               hit's answer: return from the function?
 *   pop r15 ... rdi            (neither these nor the xmm loads touch flags)
 *   jnz 1f
 *   skip the rest, popfq, lea 128(%rsp),%rsp
 *   the moved instructions (RIP-relative fields re-based)
 *   jmp back past them
 * 1:skip the rest, popfq, lea 128(%rsp),%rsp
 *   ret                        rax as hit left it, the probed code not run
 *
 * The early return (bpf_override_return) is right only at a function's
 * first instruction, where the stack top is the return address; the agent
 * asks for it only there.
 *
 * Patching happens while the process has one thread (the agent's
 * constructor), so no thread can be inside the bytes being replaced.
 * Bytes of the replaced instructions past the jump become int3: code that
 * jumps into the middle of them stops loudly instead of running garbage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "tramp.h"
#include "x86insn.h"

#define PAGE 4096ull
/*
 * Bytes one trampoline may take: registers saved and restored (about 120),
 * xmm0-15 stored and loaded (288), the call, the moved instructions and the
 * jump back, with room to spare; a longer one is refused, never written
 * over its neighbour.
 */
#define TRAMP_MAX 640
#define NEAR (1ull << 30)

struct tramp_page {
	uint8_t *mem;
	size_t used;
};

/* What a patch replaced, to put back (bpfrt_agent_detach). */
struct tramp_undo {
	uint64_t addr;
	unsigned len;
	uint8_t bytes[24];
};

struct tramp_pool {
	struct tramp_page *pages;
	size_t n, cap;
	bool limited; /* cap is all it may have (tramp_pool_limit) */
	uint64_t ret_tramp;
	struct tramp_undo *undo;
	size_t nundo;
};

struct tramp_pool *tramp_pool_new(void)
{
	return calloc(1, sizeof(struct tramp_pool));
}

static int reserve(struct tramp_pool *pool, size_t pages)
{
	if (pages <= pool->cap)
		return 0;
	struct tramp_page *v = realloc(pool->pages, pages * sizeof(*v));
	if (!v)
		return -ENOMEM;
	pool->pages = v;
	pool->cap = pages;
	return 0;
}

int tramp_pool_limit(struct tramp_pool *pool, size_t pages)
{
	int err = reserve(pool, pages);
	pool->limited = !err;
	return err;
}

int tramp_pool_seal(struct tramp_pool *pool)
{
	for (size_t i = 0; i < pool->n; i++)
		if (mprotect(pool->pages[i].mem, PAGE, PROT_READ | PROT_EXEC))
			return -errno;
	return 0;
}

static bool near(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : b - a) < NEAR;
}

uint8_t *tramp_pool_alloc(struct tramp_pool *pool, uint64_t addr, size_t size)
{
	if (size > PAGE)
		return NULL;
	for (size_t i = 0; i < pool->n; i++) {
		struct tramp_page *p = &pool->pages[i];
		if (p->used + size <= PAGE && near((uint64_t)(uintptr_t)p->mem, addr)) {
			uint8_t *m = p->mem + p->used;
			p->used += size;
			return m;
		}
	}
	if (pool->n == pool->cap && (pool->limited || reserve(pool, pool->cap ? 2 * pool->cap : 4)))
		return NULL;
	/* Free address space below, then above, the code, a megabyte at a time. */
	uint64_t base = addr & ~(PAGE - 1);
	for (uint64_t d = 1ull << 20; d < NEAR; d += 1ull << 20) {
		for (int side = 0; side < 2; side++) {
			uint64_t want = side ? base + d : base - d;
			if (!side && base < d)
				continue;
			void *m = mmap((void *)(uintptr_t)want, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (m == MAP_FAILED)
				continue;
			if (!near((uint64_t)(uintptr_t)m, addr)) {
				munmap(m, PAGE);
				continue;
			}
			pool->pages[pool->n++] = (struct tramp_page){ m, size };
			return m;
		}
	}
	return NULL;
}

struct emit {
	uint8_t *p;
	size_t n;
};

static void put(struct emit *e, const void *b, size_t n)
{
	memcpy(e->p + e->n, b, n);
	e->n += n;
}

static void put1(struct emit *e, uint8_t b)
{
	e->p[e->n++] = b;
}

static void put32(struct emit *e, uint32_t v)
{
	put(e, &v, 4);
}

static void put64(struct emit *e, uint64_t v)
{
	put(e, &v, 8);
}

/* Push struct tramp_regs (ip and sp filled in after) with rsp pointing at it. */
static void save_regs(struct emit *e, uint64_t ip)
{
	static const uint8_t head[] = {
		0x48, 0x8d, 0x64, 0x24, 0x80, /* lea -128(%rsp),%rsp */
		0x6a, 0x2b,                   /* push $0x2b: ss */
		0x50,                         /* push %rax: sp, fixed below */
		0x9c,                         /* pushfq */
		0x6a, 0x33,                   /* push $0x33: cs */
		0x50,                         /* push %rax: ip, fixed below */
		0x6a, 0xff,                   /* push $-1: orig_ax */
		0x57, 0x56, 0x52, 0x51, 0x50, /* push rdi rsi rdx rcx rax */
		0x41, 0x50, 0x41, 0x51, 0x41, 0x52, 0x41, 0x53, /* push r8 r9 r10 r11 */
		0x53, 0x55,                   /* push rbx rbp */
		0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, /* push r12 r13 r14 r15 */
	};
	put(e, head, sizeof(head));
	/* sp: the value before the red-zone skip = &regs + 21 words + 128 */
	put(e, (uint8_t[]){ 0x48, 0x8d, 0x84, 0x24 }, 4); /* lea disp32(%rsp),%rax */
	put32(e, 21 * 8 + 128);
	put(e, (uint8_t[]){ 0x48, 0x89, 0x84, 0x24 }, 4); /* mov %rax,disp32(%rsp) */
	put32(e, (uint32_t)offsetof(struct tramp_regs, sp));
	if (ip) {
		put(e, (uint8_t[]){ 0x48, 0xb8 }, 2); /* movabs $ip,%rax */
		put64(e, ip);
		put(e, (uint8_t[]){ 0x48, 0x89, 0x84, 0x24 }, 4);
		put32(e, (uint32_t)offsetof(struct tramp_regs, ip));
	}
}

/*
 * The handler is C code that may use xmm0-15, which the probed code may hold
 * live (float arguments at a function's entry): they are kept below the
 * registers, XMM_AREA bytes.
 */
#define XMM_AREA 256

static void xmm_move(struct emit *e, bool store)
{
	if (store) {
		put(e, (uint8_t[]){ 0x48, 0x8d, 0xa4, 0x24 }, 4); /* lea -XMM_AREA(%rsp),%rsp */
		put32(e, (uint32_t)-XMM_AREA);
	}
	for (unsigned n = 0; n < 16; n++) {
		put1(e, 0xf3); /* movdqu: f3 [REX.R] 0f 7f (store) / 6f (load) */
		if (n >= 8)
			put1(e, 0x44);
		put(e, (uint8_t[]){ 0x0f, store ? 0x7f : 0x6f }, 2);
		put1(e, (uint8_t)(0x84 | (n & 7) << 3)); /* mod 10, rm 100: SIB, disp32 */
		put1(e, 0x24);
		put32(e, n * 16);
	}
	if (!store) {
		put(e, (uint8_t[]){ 0x48, 0x8d, 0xa4, 0x24 }, 4); /* lea XMM_AREA(%rsp),%rsp */
		put32(e, XMM_AREA);
	}
}

/* call fn with rsp aligned (rbx keeps the regs pointer; it is saved in them). */
static void call(struct emit *e, uint64_t fn)
{
	put(e, (uint8_t[]){ 0x48, 0x89, 0xe3 }, 3); /* mov %rsp,%rbx */
	put(e, (uint8_t[]){ 0x48, 0x83, 0xe4, 0xf0 }, 4); /* and $-16,%rsp */
	put(e, (uint8_t[]){ 0x48, 0xb8 }, 2); /* movabs $fn,%rax */
	put64(e, fn);
	put(e, (uint8_t[]){ 0xff, 0xd0 }, 2); /* call *%rax */
	put(e, (uint8_t[]){ 0x48, 0x89, 0xdc }, 3); /* mov %rbx,%rsp */
}

/* The general registers, back from struct tramp_regs (flags untouched). */
static void restore_gprs(struct emit *e)
{
	static const uint8_t pops[] = {
		0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, /* pop r15 r14 r13 r12 */
		0x5d, 0x5b,                   /* pop rbp rbx */
		0x41, 0x5b, 0x41, 0x5a, 0x41, 0x59, 0x41, 0x58, /* pop r11 r10 r9 r8 */
		0x58, 0x59, 0x5a, 0x5e, 0x5f, /* pop rax rcx rdx rsi rdi */
	};
	put(e, pops, sizeof(pops));
}

/* Then the flags, and rsp as it was at the probed instruction. */
static void restore_rest(struct emit *e)
{
	static const uint8_t tail[] = {
		0x48, 0x8d, 0x64, 0x24, 0x18, /* lea 24(%rsp),%rsp: orig_ax, ip, cs */
		0x9d,                         /* popfq */
		0x48, 0x8d, 0x64, 0x24, 0x10, /* lea 16(%rsp),%rsp: sp, ss (flags kept) */
		0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00, /* lea 128(%rsp),%rsp */
	};
	put(e, tail, sizeof(tail));
}

static void restore_regs(struct emit *e)
{
	restore_gprs(e);
	restore_rest(e);
}

int tramp_patch(struct tramp_pool *pool, uint64_t addr, uint64_t site, tramp_hit_fn hit,
		char *why, size_t whylen)
{
	const uint8_t *code = (const uint8_t *)(uintptr_t)addr;
	/* The instructions the 5-byte jump covers. */
	struct x86_insn ins[8];
	unsigned nins = 0, covered = 0;
	bool ends = false;
	while (covered < 5) {
		if (nins == 8 || x86_decode(code + covered, 15, &ins[nins])) {
			snprintf(why, whylen, "instruction at +%u (bytes %02x %02x %02x) cannot be moved",
				 covered, code[covered], code[covered + 1], code[covered + 2]);
			return -1;
		}
		covered += ins[nins].len;
		ends = ins[nins++].ends_flow;
		if (ends && covered < 5)
			break; /* a ret or jmp: the bytes after it are padding, not code */
	}
	if (ends && covered < 5) {
		/* Past a ret/jmp only alignment padding may be overwritten. */
		for (unsigned k = covered; k < 5; k++)
			if (code[k] != 0xcc && code[k] != 0x90 && code[k] != 0x66 && code[k] != 0x2e &&
			    code[k] != 0x0f && code[k] != 0x1f && code[k] != 0x00 && code[k] != 0x84 &&
			    code[k] != 0x40 && code[k] != 0x44) {
				snprintf(why, whylen, "a short function: byte %02x after its return "
					 "is not padding", code[k]);
				return -1;
			}
	}
	uint8_t *t = tramp_pool_alloc(pool, addr, TRAMP_MAX);
	if (!t) {
		snprintf(why, whylen, "no memory within 1 GiB of the code for a trampoline");
		return -1;
	}
	struct emit e = { t, 0 };
	save_regs(&e, addr);
	xmm_move(&e, true);
	put(&e, (uint8_t[]){ 0x48, 0x8d, 0xb4, 0x24 }, 4); /* lea XMM_AREA(%rsp),%rsi: regs */
	put32(&e, XMM_AREA);
	put(&e, (uint8_t[]){ 0x48, 0xbf }, 2);       /* movabs $site,%rdi */
	put64(&e, site);
	call(&e, (uint64_t)(uintptr_t)hit);
	put(&e, (uint8_t[]){ 0x84, 0xc0 }, 2); /* test %al,%al: return early? */
	xmm_move(&e, false);
	restore_gprs(&e);
	put(&e, (uint8_t[]){ 0x0f, 0x85 }, 2); /* jnz rel32: to the early return below */
	size_t jnz_at = e.n;
	put32(&e, 0);
	restore_rest(&e);
	unsigned off = 0;
	for (unsigned k = 0; k < nins; k++) {
		uint64_t to = (uint64_t)(uintptr_t)(t + e.n);
		if (x86_relocate(code + off, addr + off, t + e.n, to, &ins[k])) {
			snprintf(why, whylen, "instruction at +%u refers too far from the trampoline", off);
			return -1;
		}
		e.n += ins[k].len;
		off += ins[k].len;
	}
	if (!ends) { /* jmp back after the moved instructions */
		put1(&e, 0xe9);
		put32(&e, (uint32_t)(int32_t)((int64_t)(addr + covered) - (int64_t)(uintptr_t)(t + e.n + 4)));
	}
	/* The early return: to the return address at the stack top. */
	uint32_t early = (uint32_t)(e.n - (jnz_at + 4));
	memcpy(t + jnz_at, &early, 4);
	restore_rest(&e);
	put1(&e, 0xc3); /* ret */
	if (e.n > TRAMP_MAX) { /* cannot be with the instructions above; checked all the same */
		snprintf(why, whylen, "its trampoline takes %zu bytes, more than %d", e.n, TRAMP_MAX);
		return -1;
	}
	/* Write the jump: the code page is made writable for the moment. */
	uint64_t pg = addr & ~(PAGE - 1), pend = (addr + covered + PAGE - 1) & ~(PAGE - 1);
	if (mprotect((void *)(uintptr_t)pg, pend - pg, PROT_READ | PROT_WRITE | PROT_EXEC)) {
		snprintf(why, whylen, "cannot write the code: %s", strerror(errno));
		return -1;
	}
	struct tramp_undo *u = realloc(pool->undo, (pool->nundo + 1) * sizeof(*u));
	if (!u) {
		mprotect((void *)(uintptr_t)pg, pend - pg, PROT_READ | PROT_EXEC);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	pool->undo = u;
	u = &pool->undo[pool->nundo++];
	u->addr = addr;
	u->len = covered > 5 ? covered : 5;
	memcpy(u->bytes, code, u->len);
	uint8_t jmp[24];
	memset(jmp, 0xcc, sizeof(jmp));
	jmp[0] = 0xe9;
	int32_t rel = (int32_t)((int64_t)(uintptr_t)t - (int64_t)(addr + 5));
	memcpy(jmp + 1, &rel, 4);
	memcpy((void *)(uintptr_t)addr, jmp, covered > 5 ? covered : 5);
	mprotect((void *)(uintptr_t)pg, pend - pg, PROT_READ | PROT_EXEC);
	__builtin___clear_cache((char *)(uintptr_t)addr, (char *)(uintptr_t)(addr + covered));
	return 0;
}

int tramp_unpatch_all(struct tramp_pool *pool)
{
	int err = 0;
	for (size_t i = pool->nundo; i-- > 0;) {
		struct tramp_undo *u = &pool->undo[i];
		uint64_t pg = u->addr & ~(PAGE - 1), pend = (u->addr + u->len + PAGE - 1) & ~(PAGE - 1);
		if (mprotect((void *)(uintptr_t)pg, pend - pg, PROT_READ | PROT_WRITE | PROT_EXEC)) {
			err = -errno;
			continue;
		}
		memcpy((void *)(uintptr_t)u->addr, u->bytes, u->len);
		mprotect((void *)(uintptr_t)pg, pend - pg, PROT_READ | PROT_EXEC);
		__builtin___clear_cache((char *)(uintptr_t)u->addr, (char *)(uintptr_t)(u->addr + u->len));
	}
	pool->nundo = 0;
	return err;
}

uint64_t tramp_ret(struct tramp_pool *pool, tramp_ret_fn ret)
{
	if (pool->ret_tramp)
		return pool->ret_tramp;
	uint8_t *t = tramp_pool_alloc(pool, (uint64_t)(uintptr_t)ret, TRAMP_MAX);
	if (!t)
		return 0;
	struct emit e = { t, 0 };
	put(&e, (uint8_t[]){ 0x6a, 0x00 }, 2); /* push $0: where the real return address goes */
	save_regs(&e, 0);                       /* saved sp = that slot */
	xmm_move(&e, true);
	put(&e, (uint8_t[]){ 0x48, 0x8d, 0xbc, 0x24 }, 4); /* lea XMM_AREA(%rsp),%rdi: regs */
	put32(&e, XMM_AREA);
	call(&e, (uint64_t)(uintptr_t)ret);
	put(&e, (uint8_t[]){ 0x48, 0x89, 0x84, 0x24 }, 4); /* mov %rax,disp32(%rsp): the slot */
	put32(&e, XMM_AREA + 21 * 8 + 128);
	xmm_move(&e, false);
	restore_regs(&e);
	put1(&e, 0xc3); /* ret: to the real return address */
	pool->ret_tramp = (uint64_t)(uintptr_t)t;
	return pool->ret_tramp;
}
