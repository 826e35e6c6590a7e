/* SPDX-License-Identifier: MIT */
/*
 * test_syspatch.c - white-box checks of the system call site rewriting
 * (src/trace/syspatch.c, ehframe.c, x86_length): which sites it accepts and
 * refuses, and that a rewritten site runs the moved instruction, reaches
 * the entry with the registers of the syscall instruction and its red zone
 * intact, and resumes after it. The entry here makes the call itself and
 * counts; the agent's (sud.c) runs the hooks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "trace/ehframe.h"
#include "trace/syspatch.h"
#include "trace/x86insn.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* Test sites, each a function with its own FDE. */
long site_mov(void);      /* mov $39,%eax; syscall: getpid */
long site_riprel(void);   /* mov nr_getpid(%rip),%eax: 6 bytes, RIP-relative */
long site_redzone(void);  /* a mark in the red zone across the call; returns it */
long site_short(void);    /* mov %edi,%eax (2 bytes) before the syscall */
long site_call(void);     /* a call right before the syscall */
long site_ud2(void);      /* an instruction x86_length does not know, earlier */
long entry_hits;
int nr_getpid = SYS_getpid;

#define FN(name, body) \
	".globl " #name "\n.type " #name ",@function\n" #name ":\n.cfi_startproc\n" body \
	".cfi_endproc\n.size " #name ", .-" #name "\n"

__asm__(".text\n"
	FN(site_mov, "	mov $39, %eax\n	syscall\n	ret\n")
	FN(site_riprel, "	mov nr_getpid(%rip), %eax\n	syscall\n	ret\n")
	FN(site_redzone, "	movq $0x5a5a, -8(%rsp)\n	movq $0xa5a5, -128(%rsp)\n"
			 "	mov $39, %eax\n	syscall\n"
			 "	mov -8(%rsp), %rax\n	add -128(%rsp), %rax\n	ret\n")
	FN(site_short, "	mov %edi, %eax\n	syscall\n	ret\n")
	FN(site_call, "	call site_mov\n	syscall\n	ret\n")
	FN(site_ud2, "	jmp 1f\n	ud2\n1:	mov $39, %eax\n	syscall\n	ret\n")
	/* The entry: as at the syscall instruction, return address on top, red zone skipped. */
	FN(test_entry, "	lock incq entry_hits(%rip)\n	syscall\n	ret $128\n"));

void test_entry(void);

/* The first syscall instruction within 64 bytes of fn. */
static uint64_t syscall_in(const void *fn)
{
	const uint8_t *p = fn;
	for (int i = 0; i < 64; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x05)
			return (uint64_t)(uintptr_t)(p + i);
	return 0;
}

static void accepts(const char *name, const void *fn, const uint8_t *want, unsigned wantlen)
{
	uint64_t at = syscall_in(fn), insn = 0;
	unsigned len = 0;
	char why[200] = "";
	CHECK(at, "%s: no syscall instruction found", name);
	if (!at)
		return;
	int err = syspatch_check(at, &insn, &len, why, sizeof(why));
	CHECK(!err, "%s: refused: %s", name, why);
	CHECK(err || (insn + len == at && len == wantlen &&
		      !memcmp((const void *)(uintptr_t)insn, want, wantlen)),
	      "%s: moves %u bytes at -%llu", name, len, (unsigned long long)(at - insn));
}

static void refuses(const char *name, const void *fn, const char *why_part)
{
	uint64_t at = syscall_in(fn), insn;
	unsigned len;
	char why[200] = "";
	CHECK(at && syspatch_check(at, &insn, &len, why, sizeof(why)) < 0, "%s: accepted", name);
	CHECK(strstr(why, why_part), "%s: message '%s' does not say '%s'", name, why, why_part);
}

/* Rewritten code jumps into its stubs for as long as the process runs. */
static struct syspatch *sp;

int main(void)
{
	CHECK(eh_index_scan() >= 2, "fewer than 2 modules with .eh_frame_hdr (this program, libc)");

	/* x86_length on what x86_decode refuses */
	static const struct { uint8_t b[8]; int len; } lens[] = {
		{ { 0x74, 0x05 }, 2 },                         /* je rel8 */
		{ { 0xeb, 0xfe }, 2 },                         /* jmp rel8 */
		{ { 0xcc }, 1 },                               /* int3 */
		{ { 0xf3, 0xa4 }, 2 },                         /* rep movsb */
		{ { 0xc5, 0xf9, 0x6f, 0x07 }, 4 },             /* vmovdqa (%rdi),%xmm0 */
		{ { 0xc4, 0xe3, 0x79, 0x0f, 0xc1, 0x04 }, 6 }, /* vpalignr $4: map 0f3a, imm8 */
		{ { 0x62, 0xf1, 0x7e, 0x48, 0x6f, 0x07 }, 6 }, /* vmovdqu32 (%rdi),%zmm0 */
		{ { 0xc5, 0xf8, 0x77 }, 3 },                   /* vzeroupper */
		{ { 0x0f, 0x0b }, -1 },                        /* ud2: not known */
	};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		int n = x86_length(lens[i].b, sizeof(lens[i].b));
		CHECK(n == lens[i].len, "x86_length case %zu: %d, expected %d", i, n, lens[i].len);
	}

	/* function bounds */
	uint64_t s, e;
	CHECK(!eh_function_bounds((uint64_t)(uintptr_t)site_redzone + 3, &s, &e) &&
	      s == (uint64_t)(uintptr_t)site_redzone && e > s + 20 && e < s + 64,
	      "bounds of site_redzone");
	CHECK(eh_function_bounds(16, &s, &e) < 0, "bounds of an address in no module");

	/* glibc's own wrappers: the form they take here */
	accepts("getppid", dlsym(RTLD_DEFAULT, "getppid"), (const uint8_t[]){ 0xb8, 0x6e, 0, 0, 0 }, 5);
	accepts("syscall()", dlsym(RTLD_DEFAULT, "syscall"),
		(const uint8_t[]){ 0x4c, 0x8b, 0x4c, 0x24, 0x08 }, 5);
	accepts("site_mov", site_mov, (const uint8_t[]){ 0xb8, 39, 0, 0, 0 }, 5);
	refuses("site_short", site_short, "(2 bytes) cannot be moved");
	refuses("site_call", site_call, "(5 bytes) cannot be moved");
	refuses("site_ud2", site_ud2, "is not decoded here");

	/* Rewritten sites run through the entry and give the call's result. */
	sp = syspatch_new((uint64_t)(uintptr_t)test_entry);
	char why[200];
	long pid = getpid();
	long (*fns[])(void) = { site_mov, site_riprel, site_redzone };
	const char *names[] = { "site_mov", "site_riprel", "site_redzone" };
	for (int i = 0; i < 3; i++) {
		long want = i == 2 ? 0x5a5a + 0xa5a5 : pid;
		CHECK(fns[i]() == want, "%s before: %ld", names[i], fns[i]());
		uint64_t at = syscall_in((const void *)fns[i]);
		int err = syspatch_site(sp, at, why, sizeof(why));
		CHECK(!err, "%s: not rewritten: %s", names[i], why);
		CHECK(((const uint8_t *)(uintptr_t)at)[0] == 0x0f, "%s: the syscall itself changed", names[i]);
		long hits = entry_hits, got = fns[i]();
		CHECK(got == want && entry_hits == hits + 1, "%s after: %ld, %ld entries", names[i], got,
		      entry_hits - hits);
		CHECK(syspatch_site(sp, at, why, sizeof(why)) < 0 && !why[0],
		      "%s: a second try is not refused quietly", names[i]);
	}
	CHECK(syspatch_count(sp) == 3, "%zu sites counted", syspatch_count(sp));
	if (failures)
		printf("%d check(s) failed\n", failures);
	else
		printf("syspatch: all checks passed\n");
	return failures != 0;
}
