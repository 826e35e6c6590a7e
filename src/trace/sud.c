/* SPDX-License-Identifier: MIT */
/*
 * sud.c - system call hooks inside the traced process, without ptrace.
 *
 * Syscall user dispatch (prctl PR_SET_SYSCALL_USER_DISPATCH) makes every
 * system call of a thread raise SIGSYS while a per-thread selector byte says
 * BLOCK, except those whose syscall instruction lies in one excluded range:
 * here the few instructions below (a raw syscall, the signal restorer, the
 * sigreturn of another frame). The handler turns the selector to ALLOW (so
 * whatever the programs call through libc passes), runs the entry hook,
 * makes the call itself, writes the result to the interrupted context's rax,
 * runs the exit hook and returns through the excluded restorer with BLOCK.
 *
 * Calls that cannot be made from inside a handler are special:
 *  - rt_sigreturn of the program's own handlers returns to a frame on the
 *    program's stack: done from the excluded range on that stack;
 *  - clone/clone3 with CLONE_VM or a stack, and vfork, start a task on
 *    another stack (or one the parent is still using): the handler returns to a small stub
 *    made per call site that makes the call with dispatch allowed, arms the
 *    child, blocks again and jumps back; their exit is not hooked;
 *  - rt_sigprocmask would change the handler's mask, which sigreturn undoes:
 *    it is applied to the interrupted context's mask instead;
 *  - SIGSYS must never be blocked (a blocked dispatch signal kills the
 *    process) nor taken over: it is left out of masks, and the program's
 *    sigaction for it succeeds without effect;
 *  - execve gets the interrupted context's mask first, as the program had it.
 * Dispatch is per task and neither inherited nor kept across exec: fork
 * children (forked in the handler) and CLONE_VM children (in the stub) arm
 * themselves; an exec'd program is armed by the agent preloaded again, so its
 * calls before the agent's constructor (the dynamic loader's) are not seen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include "sud.h"

#define PR_SET_SYSCALL_USER_DISPATCH_ 59
#define PR_SYS_DISPATCH_ON_ 1
#define SEL_ALLOW 0
#define SEL_BLOCK 1
#define SYS_USER_DISPATCH_ 2 /* si_code of a dispatched call */
#define KSA_RESTORER 0x04000000UL

/* Zero (ALLOW) in a new thread's TLS until it is armed. */
static __thread volatile char selector __attribute__((tls_model("initial-exec")));
static sud_hook_fn hook;
static uint8_t *stubs; /* one page of clone stubs */
static size_t nstubs;
static uint64_t stub_target[64];
static char stub_lock;

/* The excluded range, and the clone stub template copied per call site. */
__asm__(".pushsection .text.bpfrt_sud,\"ax\",@progbits\n"
	".p2align 4\n"
	"sud_begin:\n"
	"sud_raw:\n" /* long sud_raw(nr, a0, a1, a2, a3, a4, a5) */
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	"sud_restorer:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n"
	"sud_sigreturn_at:\n" /* sigreturn of the frame the stack pointer rdi leads to */
	"	mov %rdi, %rsp\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n"
	"sud_end:\n"
	"sud_tpl:\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	push %rdi\n push %rsi\n push %rdx\n push %r10\n push %r8\n push %r9\n"
	"	mov $157, %eax\n" /* prctl (157): in the child, before anything else */
	"	mov $59, %edi\n"
	"	mov $1, %esi\n"
	"	movabs $0x1122334455667788, %rdx\n"
	"sud_tpl_start:\n"
	"	movabs $0x1122334455667788, %r10\n"
	"sud_tpl_len:\n"
	"	mov %fs:0, %r8\n"
	"	add $0x7fffffff, %r8\n"
	"sud_tpl_off1:\n"
	"	syscall\n"
	"	pop %r9\n pop %r8\n pop %r10\n pop %rdx\n pop %rsi\n pop %rdi\n"
	"	xor %eax, %eax\n"
	"1:	mov %fs:0, %r11\n"
	"	add $0x7fffffff, %r11\n"
	"sud_tpl_off2:\n"
	"	movb $1, (%r11)\n"
	"	jmp *2f(%rip)\n"
	"2:	.quad 0\n"
	"sud_tpl_end:\n"
	".popsection\n");

#define HIDDEN __attribute__((visibility("hidden")))
extern HIDDEN char sud_begin[], sud_end[], sud_tpl[], sud_tpl_start[], sud_tpl_len[],
	sud_tpl_off1[], sud_tpl_off2[], sud_tpl_end[], sud_restorer[];
extern HIDDEN long sud_raw(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
extern HIDDEN __attribute__((noreturn)) void sud_sigreturn_at(uint64_t sp);


static long tls_offset(void)
{
	char *tp;
	__asm__("mov %%fs:0, %0" : "=r"(tp));
	return (char *)&selector - tp;
}

/* Dispatch on for this thread; the caller sets the selector to BLOCK when it may. */
static long arm(void)
{
	return sud_raw(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH_, PR_SYS_DISPATCH_ON_,
		       (long)sud_begin, sud_end - sud_begin, (long)&selector, 0);
}

/* The stub making a CLONE_VM call for the site returning to target, or NULL. */
static void *clone_stub(uint64_t target)
{
	while (__atomic_test_and_set(&stub_lock, __ATOMIC_ACQUIRE))
		;
	size_t len = (size_t)(sud_tpl_end - sud_tpl), i;
	void *r = NULL;
	for (i = 0; i < nstubs && stub_target[i] != target; i++)
		;
	if (i < nstubs) {
		r = stubs + i * len;
	} else if (stubs && (nstubs + 1) * len <= 4096 && nstubs < 64) {
		uint8_t *s = stubs + nstubs * len;
		memcpy(s, sud_tpl, len);
		uint64_t start = (uint64_t)sud_begin, n = (uint64_t)(sud_end - sud_begin);
		int32_t off = (int32_t)tls_offset();
		memcpy(s + (sud_tpl_start - sud_tpl) - 8, &start, 8);
		memcpy(s + (sud_tpl_len - sud_tpl) - 8, &n, 8);
		memcpy(s + (sud_tpl_off1 - sud_tpl) - 4, &off, 4);
		memcpy(s + (sud_tpl_off2 - sud_tpl) - 4, &off, 4);
		memcpy(s + len - 8, &target, 8);
		stub_target[nstubs++] = target;
		r = s;
	}
	__atomic_clear(&stub_lock, __ATOMIC_RELEASE);
	return r;
}

#define SIGBIT(s) (1ULL << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP) | SIGBIT(SIGSYS))

/* rt_sigprocmask on the mask sigreturn restores. */
static long sigmask_call(ucontext_t *uc, long how, const uint64_t *set, uint64_t *old, long size)
{
	uint64_t *m = (uint64_t *)&uc->uc_sigmask, cur = *m;
	if (size != 8)
		return -EINVAL;
	if (set) {
		switch (how) {
		case SIG_BLOCK: *m = cur | *set; break;
		case SIG_UNBLOCK: *m = cur & ~*set; break;
		case SIG_SETMASK: *m = *set; break;
		default: return -EINVAL;
		}
		*m &= ~UNBLOCKABLE;
	}
	if (old)
		*old = cur;
	return 0;
}

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static long sigaction_call(long sig, const struct ksigaction *act, struct ksigaction *old, long size)
{
	if (sig == SIGSYS) { /* ours */
		if (old)
			memset(old, 0, sizeof(*old));
		return 0;
	}
	struct ksigaction a;
	if (act) {
		a = *act;
		a.mask &= ~SIGBIT(SIGSYS);
	}
	return sud_raw(SYS_rt_sigaction, sig, act ? (long)&a : 0, (long)old, size, 0, 0);
}

/* A child that must not start in the handler: on another stack, or sharing ours. */
static bool stub_clone(long nr, const greg_t *g)
{
	if (nr == SYS_vfork)
		return true;
	if (nr == SYS_clone)
		return (g[REG_RDI] & CLONE_VM) || g[REG_RSI];
	if (nr == SYS_clone3 && g[REG_RDI]) {
		const struct clone_args *ca = (const struct clone_args *)g[REG_RDI];
		return (ca->flags & CLONE_VM) || ca->stack;
	}
	return false;
}

static void regs_of(struct user_regs_struct *r, const greg_t *g)
{
	memset(r, 0, sizeof(*r));
	r->r15 = g[REG_R15], r->r14 = g[REG_R14], r->r13 = g[REG_R13], r->r12 = g[REG_R12];
	r->rbp = g[REG_RBP], r->rbx = g[REG_RBX], r->r11 = g[REG_R11], r->r10 = g[REG_R10];
	r->r9 = g[REG_R9], r->r8 = g[REG_R8], r->rax = g[REG_RAX], r->rcx = g[REG_RCX];
	r->rdx = g[REG_RDX], r->rsi = g[REG_RSI], r->rdi = g[REG_RDI], r->orig_rax = g[REG_RAX];
	r->rip = g[REG_RIP], r->eflags = g[REG_EFL], r->rsp = g[REG_RSP];
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char was = selector;
	selector = SEL_ALLOW;
	(void)sig;
	if (si->si_code != SYS_USER_DISPATCH_) { /* someone's kill(SIGSYS): not a call */
		selector = was;
		return;
	}
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	long nr = g[REG_RAX];
	int saved = errno; /* the program must not see the programs' errno */
	struct user_regs_struct r;
	regs_of(&r, g);
	hook(&r, false);
	if (nr == SYS_rt_sigreturn) { /* it has no exit */
		errno = saved;
		selector = SEL_BLOCK;
		sud_sigreturn_at((uint64_t)g[REG_RSP]);
	}
	if (stub_clone(nr, g)) {
		void *stub = clone_stub((uint64_t)g[REG_RIP]);
		if (stub) {
			g[REG_RIP] = (greg_t)stub; /* rax still holds nr; the stub blocks again */
			errno = saved;
			return;
		}
	}
	long ret;
	switch (nr) {
	case SYS_rt_sigprocmask:
		ret = sigmask_call(uc, g[REG_RDI], (const uint64_t *)g[REG_RSI], (uint64_t *)g[REG_RDX],
				   g[REG_R10]);
		break;
	case SYS_rt_sigaction:
		ret = sigaction_call(g[REG_RDI], (const struct ksigaction *)g[REG_RSI],
				     (struct ksigaction *)g[REG_RDX], g[REG_R10]);
		break;
	case SYS_execve:
	case SYS_execveat:
		sud_raw(SYS_rt_sigprocmask, SIG_SETMASK, (long)&uc->uc_sigmask, 0, 8, 0, 0);
		/* fall through */
	default:
		ret = sud_raw(nr, g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8], g[REG_R9]);
	}
	if (ret == 0 && (nr == SYS_fork || nr == SYS_clone || nr == SYS_clone3))
		arm(); /* a fork child: dispatch was not inherited */
	g[REG_RAX] = ret;
	r.rax = (unsigned long long)ret;
	hook(&r, true);
	errno = saved;
	selector = SEL_BLOCK;
}

int sud_start(sud_hook_fn fn)
{
	hook = fn;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	stubs = p == MAP_FAILED ? NULL : p;
	/* Our own restorer: glibc's sigreturn would be dispatched while BLOCK. */
	struct ksigaction sa = { .handler = (void *)on_sigsys,
				 .flags = SA_SIGINFO | KSA_RESTORER,
				 .restorer = sud_restorer };
	long err = sud_raw(SYS_rt_sigaction, SIGSYS, (long)&sa, 0, 8, 0, 0);
	if (!err) {
		/* SIGSYS blocked at the start would make the first dispatch fatal. */
		uint64_t unblock = SIGBIT(SIGSYS);
		err = sud_raw(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&unblock, 0, 8, 0, 0);
	}
	if (!err)
		err = arm();
	if (!err)
		selector = SEL_BLOCK;
	return (int)err;
}
