/* SPDX-License-Identifier: MIT */
/*
 * syspatch.c - rewriting the instruction before a syscall into a jump.
 *
 * A syscall instruction is two bytes, too short for a jump, and the bytes
 * after it are where the kernel (and a signal handler's return) resume the
 * thread, so they must stay. The instruction before it, when it is five
 * bytes or more, becomes `jmp stub` (int3 over the rest): in glibc's
 * wrappers it is `mov $nr,%eax` (b8 imm32), in its syscall() `mov
 * 8(%rsp),%r9`. The stub near it does
 *
 *   <the moved instruction>    RIP-relative fields re-based
 *   lea -128(%rsp),%rsp        skip the red zone the caller may be using
 *   movabs $site+2,%r11        r11 and rcx: a syscall clobbers them anyway
 *   push %r11                  where the handler's `ret $128` resumes
 *   movabs $entry,%r11
 *   jmp *%r11
 *
 * A jump into the middle of an instruction does not happen in compiled
 * code, and decoding from the start of the function (its FDE) proves that
 * the moved instruction begins where the jump is written and ends at the
 * syscall; a function that does not decode, or a site in a module without
 * .eh_frame_hdr, keeps its syscall (and its signal). The syscall itself
 * is never written: code jumping straight to it still makes the call.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "ehframe.h"
#include "syspatch.h"
#include "tramp.h"
#include "x86insn.h"

#define PAGE 4096ull
#define STUB_SIZE 48
#define TRIED_SLOTS 4096 /* open addressing: sites tried, rewritten or not */

struct syspatch {
	uint64_t entry;
	struct tramp_pool *pool;
	char lock;
	size_t rewritten, ntried;
	uint64_t tried[TRIED_SLOTS];
};

struct syspatch *syspatch_new(uint64_t entry)
{
	struct syspatch *sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->entry = entry;
	/*
	 * Sites are rewritten from the SIGSYS handler, which may have stopped
	 * malloc itself (in its mmap or brk): no allocation there. When the 64
	 * pages of stubs are used up (libraries loaded again and again), later
	 * sites keep their signal.
	 */
	sp->pool = tramp_pool_new();
	if (!sp->pool || tramp_pool_limit(sp->pool, 64)) {
		free(sp->pool);
		free(sp);
		return NULL;
	}
	return sp;
}

void syspatch_after_fork(struct syspatch *sp)
{
	__atomic_clear(&sp->lock, __ATOMIC_RELEASE);
}

void syspatch_forget(struct syspatch *sp)
{
	while (__atomic_test_and_set(&sp->lock, __ATOMIC_ACQUIRE))
		;
	memset(sp->tried, 0, sizeof(sp->tried));
	sp->ntried = 0;
	__atomic_clear(&sp->lock, __ATOMIC_RELEASE);
}

size_t syspatch_count(const struct syspatch *sp)
{
	return __atomic_load_n(&sp->rewritten, __ATOMIC_RELAXED);
}

/* Whether in, the instruction at p, transfers control (a call or a jump). */
static bool branches(const uint8_t *p, const struct x86_insn *in)
{
	unsigned i = 0;
	while (i + 1 < in->len && (p[i] == 0x66 || p[i] == 0x67 || p[i] == 0xf2 || p[i] == 0xf3 ||
				   p[i] == 0x2e || p[i] == 0x3e || p[i] == 0x26 || p[i] == 0x36 ||
				   p[i] == 0x64 || p[i] == 0x65 || p[i] == 0xf0 || (p[i] & 0xf0) == 0x40))
		i++;
	uint8_t reg = i + 1 < in->len ? (p[i + 1] >> 3) & 7 : 0;
	return in->ends_flow || p[i] == 0xe8 || p[i] == 0xe9 ||
	       (p[i] == 0x0f && i + 1 < in->len && (p[i + 1] & 0xf0) == 0x80) ||
	       (p[i] == 0xff && reg >= 2 && reg <= 5);
}

/*
 * Decode from start towards addr: where the walk stops (addr when an
 * instruction begins there), *prev the last instruction before; 0 with why
 * when an instruction is not decoded.
 */
static uint64_t walk(uint64_t start, uint64_t addr, uint64_t end, uint64_t *prev, char *why,
		     size_t whylen)
{
	uint64_t p = start;
	*prev = 0;
	while (p < addr) {
		size_t avail = end - p < 15 ? (size_t)(end - p) : 15;
		int n = x86_length((const uint8_t *)(uintptr_t)p, avail);
		if (n <= 0) {
			snprintf(why, whylen, "an instruction at +0x%llx of its function (bytes %02x %02x) "
				 "is not decoded here", (unsigned long long)(p - start),
				 ((const uint8_t *)(uintptr_t)p)[0], ((const uint8_t *)(uintptr_t)p)[1]);
			return 0;
		}
		*prev = p;
		p += (uint64_t)n;
	}
	return p;
}

int syspatch_check(uint64_t addr, uint64_t *insn, unsigned *len, char *why, size_t whylen)
{
	const uint8_t *code = (const uint8_t *)(uintptr_t)addr;
	uint64_t start, end;
	if (eh_function_bounds(addr, &start, &end) || addr + 2 > end) {
		snprintf(why, whylen, "no function bounds (.eh_frame_hdr) for 0x%llx",
			 (unsigned long long)addr);
		return -1;
	}
	if (code[0] != 0x0f || code[1] != 0x05) {
		snprintf(why, whylen, "no syscall instruction at 0x%llx", (unsigned long long)addr);
		return -1;
	}
	/*
	 * glibc's signal restorer's FDE starts one byte early (so that an
	 * unwinder looking up a return address minus one finds it), inside
	 * the padding before it, and covers the mov and the syscall, nothing
	 * else: decoding from its first byte goes astray.
	 */
	static const uint8_t restorer[] = { 0x48, 0xc7, 0xc0, 0x0f, 0, 0, 0 }; /* mov $15,%rax */
	uint64_t prev = 0, p;
	if (end == addr + 2 && addr - start == 1 + sizeof(restorer) &&
	    !memcmp((const uint8_t *)(uintptr_t)start + 1, restorer, sizeof(restorer))) {
		p = addr;
		prev = start + 1;
	} else {
		p = walk(start, addr, end, &prev, why, whylen);
	}
	if (p == 0)
		return -1;
	struct x86_insn in;
	if (p != addr || !prev) {
		snprintf(why, whylen, "decoding its function does not lead to it");
		return -1;
	}
	if (addr - prev < 5 || x86_decode((const uint8_t *)(uintptr_t)prev, addr - prev, &in) ||
	    in.len != addr - prev || branches((const uint8_t *)(uintptr_t)prev, &in)) {
		snprintf(why, whylen, "the instruction before it (%u bytes) cannot be moved",
			 (unsigned)(addr - prev));
		return -1;
	}
	*insn = prev;
	*len = in.len;
	return 0;
}

/*
 * Whether the process runs one thread (the Threads: line of
 * /proc/self/status). Raw calls: glibc's open and read are cancellation
 * points, and this runs in a signal handler.
 */
static bool one_thread(void)
{
	char buf[2048];
	long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	long n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	const char *t = strstr(buf, "\nThreads:");
	return t && strtol(t + 9, NULL, 10) == 1;
}

static bool cas16(uint64_t *p, uint64_t olo, uint64_t ohi, uint64_t nlo, uint64_t nhi)
{
	bool ok;
	__asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
			 : "=q"(ok), "+m"(*(volatile uint64_t(*)[2])p), "+a"(olo), "+d"(ohi)
			 : "b"(nlo), "c"(nhi)
			 : "memory", "cc");
	return ok;
}

/* Write the len bytes at at so that no thread can fetch part of them. */
static int write_jump(uint64_t at, const uint8_t *jmp, unsigned len, char *why, size_t whylen)
{
	uint64_t pg = at & ~(PAGE - 1), pend = (at + len + PAGE - 1) & ~(PAGE - 1);
	uint64_t b8 = at & ~7ull, b16 = at & ~15ull;
	bool in8 = at + len <= b8 + 8, in16 = at + len <= b16 + 16; /* else: one thread (checked) */
	if (mprotect((void *)(uintptr_t)pg, pend - pg, PROT_READ | PROT_WRITE | PROT_EXEC)) {
		snprintf(why, whylen, "cannot write the code: %m");
		return -1;
	}
	bool ok = true;
	if (in8) {
		uint64_t *w = (uint64_t *)(uintptr_t)b8, old = __atomic_load_n(w, __ATOMIC_RELAXED), nw = old;
		memcpy((uint8_t *)&nw + (at - b8), jmp, len);
		ok = __atomic_compare_exchange_n(w, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
	} else if (in16) {
		uint64_t *w = (uint64_t *)(uintptr_t)b16, old[2], nw[2];
		memcpy(old, w, 16);
		memcpy(nw, old, 16);
		memcpy((uint8_t *)nw + (at - b16), jmp, len);
		ok = cas16(w, old[0], old[1], nw[0], nw[1]);
	} else {
		memcpy((void *)(uintptr_t)at, jmp, len);
	}
	mprotect((void *)(uintptr_t)pg, pend - pg, PROT_READ | PROT_EXEC);
	if (!ok)
		snprintf(why, whylen, "its bytes changed while being written");
	return ok ? 0 : -1;
}

static void put(uint8_t **p, const void *b, size_t n)
{
	memcpy(*p, b, n);
	*p += n;
}

/* The stub for the site at addr, whose instruction at insn (len bytes) it runs first; or NULL. */
static uint8_t *make_stub(struct syspatch *sp, uint64_t addr, uint64_t insn, unsigned len,
			  char *why, size_t whylen)
{
	uint8_t *s = tramp_pool_alloc(sp->pool, addr, STUB_SIZE);
	if (!s) {
		snprintf(why, whylen, "no memory within 1 GiB of the code for its stub");
		return NULL;
	}
	uint64_t pg = (uint64_t)(uintptr_t)s & ~(PAGE - 1);
	if (mprotect((void *)(uintptr_t)pg, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC)) {
		snprintf(why, whylen, "cannot write its stub: %m");
		return NULL;
	}
	struct x86_insn in;
	x86_decode((const uint8_t *)(uintptr_t)insn, len, &in); /* as syspatch_check did */
	uint8_t *p = s;
	uint64_t resume = addr + 2;
	bool far = x86_relocate((const uint8_t *)(uintptr_t)insn, insn, p, (uint64_t)(uintptr_t)p, &in);
	p += len;
	put(&p, (uint8_t[]){ 0x48, 0x8d, 0x64, 0x24, 0x80 }, 5); /* lea -128(%rsp),%rsp */
	put(&p, (uint8_t[]){ 0x49, 0xbb }, 2);                   /* movabs $resume,%r11 */
	put(&p, &resume, 8);
	put(&p, (uint8_t[]){ 0x41, 0x53 }, 2);                   /* push %r11 */
	put(&p, (uint8_t[]){ 0x49, 0xbb }, 2);                   /* movabs $entry,%r11 */
	put(&p, &sp->entry, 8);
	put(&p, (uint8_t[]){ 0x41, 0xff, 0xe3 }, 3);             /* jmp *%r11 */
	memset(p, 0xcc, STUB_SIZE - (size_t)(p - s));
	mprotect((void *)(uintptr_t)pg, PAGE, PROT_READ | PROT_EXEC);
	if (far) { /* the stub stays unused */
		snprintf(why, whylen, "the instruction before it refers too far from its stub");
		return NULL;
	}
	return s;
}

/* Note addr as tried; false if it was already (or the table is full). */
static bool first_try(struct syspatch *sp, uint64_t addr)
{
	if (sp->ntried >= TRIED_SLOTS / 2)
		return false; /* enough sites: the rest keep their signal */
	for (size_t h = (addr * 0x9e3779b97f4a7c15ull) >> 52;; h = (h + 1) % TRIED_SLOTS) {
		if (sp->tried[h] == addr)
			return false;
		if (!sp->tried[h]) {
			sp->tried[h] = addr;
			sp->ntried++;
			return true;
		}
	}
}

int syspatch_site(struct syspatch *sp, uint64_t addr, char *why, size_t whylen)
{
	why[0] = 0;
	if (__atomic_test_and_set(&sp->lock, __ATOMIC_ACQUIRE))
		return -1; /* another thread is rewriting: this site comes again */
	uint64_t insn;
	unsigned len;
	int err = -1;
	if (first_try(sp, addr) && !syspatch_check(addr, &insn, &len, why, whylen)) {
		/* Threads may be running the code: the jump must fit one atomic store. */
		bool in16 = insn + len <= (insn & ~15ull) + 16;
		uint8_t *stub = NULL;
		if (!in16 && !one_thread())
			snprintf(why, whylen, "the %u bytes before it cross a 16-byte line while "
				 "threads run", len);
		else
			stub = make_stub(sp, addr, insn, len, why, whylen);
		uint8_t jmp[16];
		memset(jmp, 0xcc, sizeof(jmp));
		jmp[0] = 0xe9;
		int32_t rel = (int32_t)((int64_t)(uintptr_t)stub - (int64_t)(insn + 5));
		memcpy(jmp + 1, &rel, 4);
		if (stub && !write_jump(insn, jmp, len, why, whylen)) {
			__atomic_add_fetch(&sp->rewritten, 1, __ATOMIC_RELAXED);
			err = 0;
		}
	}
	__atomic_clear(&sp->lock, __ATOMIC_RELEASE);
	return err;
}
