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
 *    program's stack: done from the excluded range on that stack (and from
 *    a rewritten site, by sud_entry with the stack pointer of the site);
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
 * Each site that traps is then rewritten when it can be (syspatch.c: glibc's
 * `mov $nr,%eax; syscall`): its next calls jump to sud_entry below, which
 * does what the handler does without a signal, so that a call costs the
 * hooks and the call itself. The calls above stay on the signal.
 *
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
#include "ehframe.h"
#include "sud.h"
#include "syspatch.h"
#include "tramp.h"

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
static struct syspatch *patch; /* NULL: every call takes the signal */
static uint64_t n_signal, n_rewritten; /* calls of armed threads, each way */
/*
 * Bit per call number: taken to the hooks from a rewritten site. All until
 * sud_want() says which; the calls needing special handling always.
 */
__attribute__((visibility("hidden"))) uint64_t sud_wanted[8] = { ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull };

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
	/*
	 * The restorer of our handler and of the program's (wrap_handler):
	 * these bytes are what unwinders (libgcc, gdb) take for a signal
	 * frame where no FDE covers the code.
	 */
	"sud_restorer:\n"
	"	mov $15, %rax\n"
	"	syscall\n"
	"	hlt\n"
	"sud_sigreturn_at:\n" /* sigreturn of the frame the stack pointer rdi leads to */
	"	mov %rdi, %rsp\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n"
	/*
	 * Where rewritten sites jump: a number no hook wants goes straight on.
	 * The flags are kept, as a syscall keeps them: the tests run between
	 * pushfq and popfq.
	 */
	"sud_entry:\n"
	"	pushfq\n"
	"	cmp $15, %rax\n"
	"	je 3f\n"
	"	cmp $511, %rax\n"
	"	ja 4f\n"
	"	bt %rax, sud_wanted(%rip)\n"
	"	jc 4f\n"
	"	popfq\n"
	"	syscall\n"
	"	ret $128\n"
	"4:	popfq\n"
	"	jmp sud_entry_hooks\n"
	"3:	popfq\n"
	/*
	 * rt_sigreturn (glibc's restorer): the frame is at the stack pointer of
	 * the syscall instruction, 8 + 128 bytes up. Every register comes back
	 * from the frame, so the hooks may use any.
	 */
	"1:	btq $15, sud_wanted(%rip)\n"
	"	jnc 2f\n"
	"	lea 136(%rsp), %rdi\n"
	"	mov (%rsp), %rsi\n"
	"	mov %rsp, %rbx\n"
	"	and $-16, %rsp\n"
	"	call sud_sigreturn_hooks\n"
	"	mov %rbx, %rsp\n"
	"2:	lea 136(%rsp), %rsp\n"
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

/*
 * Where rewritten sites jump for a hooked number (syspatch.h: return
 * address on the stack, red zone skipped; sud_entry above): the registers
 * saved as struct pt_regs and the extended state (xsave) below them,
 * sud_fast called, all restored but rax, rcx and r11 (as a syscall
 * returns), `ret $128` back past the syscall instruction (or to it).
 */
__asm__(".pushsection .text.bpfrt_sud_entry,\"ax\",@progbits\n"
	".p2align 4\n"
	"sud_entry_hooks:\n"
	"	lea -168(%rsp), %rsp\n"
	"	mov %r15, 0(%rsp)\n mov %r14, 8(%rsp)\n mov %r13, 16(%rsp)\n mov %r12, 24(%rsp)\n"
	"	mov %rbp, 32(%rsp)\n mov %rbx, 40(%rsp)\n mov %r11, 48(%rsp)\n mov %r10, 56(%rsp)\n"
	"	mov %r9, 64(%rsp)\n mov %r8, 72(%rsp)\n mov %rax, 80(%rsp)\n mov %rcx, 88(%rsp)\n"
	"	mov %rdx, 96(%rsp)\n mov %rsi, 104(%rsp)\n mov %rdi, 112(%rsp)\n mov %rax, 120(%rsp)\n"
	"	mov 168(%rsp), %rcx\n mov %rcx, 128(%rsp)\n" /* ip: past the syscall */
	"	movq $0x33, 136(%rsp)\n"
	"	pushfq\n popq 144(%rsp)\n"
	"	lea 304(%rsp), %rcx\n mov %rcx, 152(%rsp)\n" /* sp at the syscall */
	"	movq $0x2b, 160(%rsp)\n"
	/*
	 * All the extended state (ymm/zmm upper halves, zmm16-31, k0-7, x87),
	 * which code may keep live across a syscall instruction: xsave into a
	 * 64-byte aligned area of the size CPUID gives, header zeroed first.
	 */
	"	mov %rsp, %rbx\n"
	"	sub sud_xsave_size(%rip), %rsp\n"
	"	and $-64, %rsp\n"
	"	movq $0, 512(%rsp)\n movq $0, 520(%rsp)\n movq $0, 528(%rsp)\n movq $0, 536(%rsp)\n"
	"	movq $0, 544(%rsp)\n movq $0, 552(%rsp)\n movq $0, 560(%rsp)\n movq $0, 568(%rsp)\n"
	"	mov $-1, %eax\n mov $-1, %edx\n"
	/*
	 * XSAVEC skips components in their initial state (not XSAVEOPT: its
	 * "unmodified since the last XRSTOR here" would trust a stack slot
	 * other code has written since).
	 */
	"	cmpb $0, sud_xsavec(%rip)\n"
	"	je 1f\n"
	"	xsavec64 (%rsp)\n"
	"	jmp 2f\n"
	"1:	xsave64 (%rsp)\n"
	"2:\n"
	"	cld\n"
	"	mov %rbx, %rdi\n"
	"	lea 168(%rbx), %rsi\n" /* the return address */
	"	call sud_fast\n"
	"	mov $-1, %eax\n mov $-1, %edx\n"
	"	xrstor64 (%rsp)\n"
	"	mov %rbx, %rsp\n"
	"	mov 0(%rsp), %r15\n mov 8(%rsp), %r14\n mov 16(%rsp), %r13\n mov 24(%rsp), %r12\n"
	"	mov 32(%rsp), %rbp\n mov 48(%rsp), %r11\n mov 56(%rsp), %r10\n mov 64(%rsp), %r9\n"
	"	mov 72(%rsp), %r8\n mov 80(%rsp), %rax\n mov 88(%rsp), %rcx\n mov 96(%rsp), %rdx\n"
	"	mov 104(%rsp), %rsi\n mov 112(%rsp), %rdi\n"
	"	pushq 144(%rsp)\n popfq\n"
	"	mov 40(%rsp), %rbx\n"
	"	lea 168(%rsp), %rsp\n"
	"	ret $128\n"
	".popsection\n");

#define HIDDEN __attribute__((visibility("hidden")))
HIDDEN uint64_t sud_xsave_size; /* bytes of the xsave area (CPUID 0xd), + 64 to align */
HIDDEN char sud_xsavec;         /* the CPU has XSAVEC (compacted, init state skipped) */
extern HIDDEN char sud_begin[], sud_end[], sud_tpl[], sud_tpl_start[], sud_tpl_len[],
	sud_tpl_off1[], sud_tpl_off2[], sud_tpl_end[], sud_restorer[];
extern HIDDEN long sud_raw(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
extern HIDDEN __attribute__((noreturn)) void sud_sigreturn_at(uint64_t sp);
extern HIDDEN char sud_entry[];
HIDDEN void sud_fast(struct tramp_regs *r, uint64_t *resume);
HIDDEN void sud_sigreturn_hooks(uint64_t sp, uint64_t ip);


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

/*
 * The program's signal handlers run inside wrap_handler: a signal that
 * comes while the hooks run (dispatch allowed) would otherwise have its
 * handler's calls go unhooked.
 */
#define NSIG_ 65
#define KSA_SIGINFO 4UL
static void *prog_handler[NSIG_], *prog_restorer[NSIG_];
static unsigned long prog_flags[NSIG_];
/* In sud_fast's hooks (set before the selector turns ALLOW, cleared after it is BLOCK again). */
static __thread volatile char hooking __attribute__((tls_model("initial-exec")));

static long sigaction_call(long sig, const struct ksigaction *act, struct ksigaction *old, long size);
static void wrap_handler(int sig, siginfo_t *si, void *ctx);

/* Wrap sig's handler if it was installed without sigaction_call. */
static void wrap(int sig)
{
	struct ksigaction old;
	if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSYS ||
	    sud_raw(SYS_rt_sigaction, sig, 0, (long)&old, 8, 0, 0) || old.handler == SIG_DFL ||
	    old.handler == SIG_IGN || old.handler == (void *)wrap_handler)
		return;
	sigaction_call(sig, &old, NULL, 8);
}

static void wrap_handler(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;
	char was = selector, was_hooking = hooking;
	/*
	 * Interrupted in the hooks, dispatch allowed: the handler's calls are
	 * the program's, hook them. With SIGSYS blocked (inside the SIGSYS
	 * handler, or a mask the program gave sigsuspend) a dispatched call
	 * would kill the process: dispatch is allowed there (also at the SIGSYS
	 * handler's very end, where the selector is BLOCK).
	 */
	uint64_t now = 0; /* the mask now: sigsuspend's, ppoll's... may block SIGSYS too */
	sud_raw(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&now, 8, 0, 0);
	bool in_sigsys = ((*(const uint64_t *)&uc->uc_sigmask) | now) & SIGBIT(SIGSYS);
	if (in_sigsys) {
		selector = SEL_ALLOW; /* the handler was about to return: not the program's calls */
	} else if (was_hooking && was == SEL_ALLOW) {
		hooking = 0;
		selector = SEL_BLOCK;
	}
	void *h = prog_handler[sig];
	if (prog_flags[sig] & KSA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))h)(sig, si, ctx);
	else
		((void (*)(int))h)(sig);
	/*
	 * A handler run with dispatch allowed made its calls straight to the
	 * kernel, sigaction too: wrap what it set for its own signal (System V
	 * style handlers re-arm themselves with signal()).
	 */
	if (in_sigsys)
		wrap(sig);
	selector = was;
	hooking = was_hooking;
	/*
	 * The return goes through sud_restorer, whose rt_sigreturn dispatch
	 * lets pass (with SIGSYS blocked, one dispatched would kill): its
	 * entry hooks run here, the stack pointer the one it will have.
	 */
	sud_sigreturn_hooks((uint64_t)(uintptr_t)ctx, (uint64_t)(uintptr_t)sud_restorer + 9);
}

static long sigaction_call(long sig, const struct ksigaction *act, struct ksigaction *old, long size)
{
	if (sig == SIGSYS) { /* ours */
		if (old)
			memset(old, 0, sizeof(*old));
		return 0;
	}
	if (sig <= 0 || sig >= NSIG_)
		return sud_raw(SYS_rt_sigaction, sig, (long)act, (long)old, size, 0, 0);
	struct ksigaction a;
	void *prev_handler = prog_handler[sig], *prev_restorer = prog_restorer[sig];
	unsigned long prev_flags = prog_flags[sig];
	if (act) {
		a = *act;
		a.mask &= ~SIGBIT(SIGSYS);
		if (a.handler != SIG_DFL && a.handler != SIG_IGN) {
			prog_handler[sig] = a.handler; /* before: the signal may come at once */
			prog_flags[sig] = a.flags;
			prog_restorer[sig] = a.restorer;
			a.handler = (void *)wrap_handler;
			a.flags |= KSA_SIGINFO | KSA_RESTORER;
			a.restorer = sud_restorer;
		}
	}
	long r = sud_raw(SYS_rt_sigaction, sig, act ? (long)&a : 0, (long)old, size, 0, 0);
	if (r == 0 && old && old->handler == (void *)wrap_handler) {
		old->handler = prev_handler; /* what the program installed */
		old->flags = (old->flags & ~(KSA_SIGINFO | KSA_RESTORER)) |
			     (prev_flags & (KSA_SIGINFO | KSA_RESTORER));
		old->restorer = prev_restorer;
	}
	if (r < 0 && act && a.handler == (void *)wrap_handler) {
		prog_handler[sig] = prev_handler;
		prog_flags[sig] = prev_flags;
		prog_restorer[sig] = prev_restorer;
	}
	return r;
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

/* Calls whose sites stay on the signal: they need the handler's frame or stub. */
static bool rewritable(long nr)
{
	return nr != SYS_clone && nr != SYS_clone3 && nr != SYS_fork && nr != SYS_vfork;
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
	__atomic_add_fetch(&n_signal, 1, __ATOMIC_RELAXED);
	struct user_regs_struct r;
	regs_of(&r, g);
	bool skip = hook(&r, false) && nr != SYS_rt_sigreturn;
	if (nr == SYS_rt_sigreturn) { /* it has no exit */
		if (patch) { /* glibc's restorer: the next ones go through sud_entry */
			char why[160];
			syspatch_site(patch, (uint64_t)g[REG_RIP] - 2, why, sizeof(why));
		}
		errno = saved;
		selector = SEL_BLOCK;
		sud_sigreturn_at((uint64_t)g[REG_RSP]);
	}
	if (!skip && stub_clone(nr, g)) {
		void *stub = clone_stub((uint64_t)g[REG_RIP]);
		if (stub) {
			g[REG_RIP] = (greg_t)stub; /* rax still holds nr; the stub blocks again */
			errno = saved;
			return;
		}
		/* Out of stubs: a child started in this handler would crash; fail the call. */
		skip = true;
		r.rax = (unsigned long long)-EAGAIN;
	}
	long ret;
	switch (skip ? -1 : nr) {
	case -1: /* overridden: not made */
		ret = (long)r.rax;
		break;
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
	if (patch && rewritable(nr)) { /* the next calls from here skip the signal */
		char why[160];
		syspatch_site(patch, (uint64_t)g[REG_RIP] - 2, why, sizeof(why));
	}
	if (!skip && ret == 0 && (nr == SYS_fork || nr == SYS_clone || nr == SYS_clone3)) {
		arm(); /* a fork child: dispatch was not inherited */
		/* nor are the other threads, which may have held these */
		__atomic_clear(&stub_lock, __ATOMIC_RELEASE);
		if (patch)
			syspatch_after_fork(patch);
	}
	g[REG_RAX] = ret;
	r.rax = (unsigned long long)ret;
	hook(&r, true);
	errno = saved;
	selector = SEL_BLOCK;
}

/*
 * A call from a rewritten site, made as the handler makes it but on the
 * thread's own mask. A signal handler run during the call (a blocking read,
 * or a signal the call unblocks) is hooked as usual.
 */
static long fast_call(long nr, const uint64_t *a, bool block)
{
	uint64_t set;
	long ret;
	if (nr == SYS_rt_sigaction)
		return sigaction_call((long)a[0], (const struct ksigaction *)a[1],
				      (struct ksigaction *)a[2], (long)a[3]);
	if (block)
		selector = SEL_BLOCK;
	if (nr == SYS_rt_sigprocmask && a[1] && a[0] != SIG_UNBLOCK && a[3] == 8) {
		set = *(const uint64_t *)a[1] & ~SIGBIT(SIGSYS);
		ret = sud_raw(nr, (long)a[0], (long)&set, (long)a[2], 8, 0, 0);
	} else {
		ret = sud_raw(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
	}
	if (block)
		selector = SEL_ALLOW;
	return ret;
}

void sud_fast(struct tramp_regs *r, uint64_t *resume)
{
	long nr = (long)r->ax, ret;
	uint64_t a[6] = { r->di, r->si, r->dx, r->r10, r->r8, r->r9 };
	if (!rewritable(nr)) {
		/*
		 * A site calling several numbers (glibc's syscall()) may call one
		 * that needs the signal's frame: the syscall instruction makes it,
		 * registers untouched.
		 */
		*resume -= 2;
		return;
	}
	if (selector != SEL_BLOCK) {
		/*
		 * A hook's own call (helpers, output), a signal handler's inside
		 * the SIGSYS handler, a thread not armed: not hooked, but a handler
		 * installed is wrapped and SIGSYS stays unblocked all the same.
		 */
		ret = fast_call(nr, a, false);
	} else {
		hooking = 1;
		selector = SEL_ALLOW;
		int saved = errno;
		__atomic_add_fetch(&n_rewritten, 1, __ATOMIC_RELAXED);
		struct user_regs_struct u;
		memset(&u, 0, sizeof(u));
		memcpy(&u, r, sizeof(*r)); /* the same 21 fields in the same order */
		ret = hook(&u, false) ? (long)u.rax : fast_call(nr, a, true);
		u.rax = (unsigned long long)ret;
		hook(&u, true);
		errno = saved;
		selector = SEL_BLOCK;
		hooking = 0;
	}
	r->ax = (uint64_t)ret;
	r->cx = r->ip; /* what a syscall leaves in them */
	r->r11 = r->flags;
}

/*
 * The entry hooks of an rt_sigreturn made without dispatch (sud_entry's,
 * sud_restorer's after wrap_handler): it has no exit.
 */
void sud_sigreturn_hooks(uint64_t sp, uint64_t ip)
{
	if (selector != SEL_BLOCK || !(sud_wanted[0] & (1ull << SYS_rt_sigreturn)))
		return;
	hooking = 1;
	selector = SEL_ALLOW;
	int saved = errno;
	struct user_regs_struct u;
	memset(&u, 0, sizeof(u));
	u.orig_rax = u.rax = SYS_rt_sigreturn;
	u.rsp = sp;
	u.rip = ip;
	hook(&u, false); /* a skip is not honoured: the frame must be restored */
	errno = saved;
	selector = SEL_BLOCK;
	hooking = 0;
}

void sud_stats(struct sud_stats *st)
{
	st->signalled = __atomic_load_n(&n_signal, __ATOMIC_RELAXED);
	st->rewritten_calls = __atomic_load_n(&n_rewritten, __ATOMIC_RELAXED);
	st->rewritten_sites = patch ? syspatch_count(patch) : 0;
}

void sud_want(const bool *nrs, size_t n)
{
	for (size_t i = 0; i < 512; i++) {
		bool special = !rewritable((long)i) || i == SYS_rt_sigprocmask || i == SYS_rt_sigaction;
		uint64_t bit = 1ull << (i % 64);
		if ((i < n && nrs[i]) || special)
			sud_wanted[i / 64] |= bit;
		else
			sud_wanted[i / 64] &= ~bit;
	}
}

void sud_modules_changed(void)
{
	if (patch) {
		eh_index_scan();
		syspatch_forget(patch);
	}
}

bool sud_unhooked(bool on)
{
	if (!hook)
		return true; /* not started: nothing is hooked */
	bool was = selector != SEL_BLOCK;
	selector = on ? SEL_ALLOW : SEL_BLOCK;
	return was;
}

/* xsave's area for the features the kernel enabled, or 0 without XSAVE. */
static uint64_t xsave_size(void)
{
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27))) /* OSXSAVE */
		return 0;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	unsigned size = b;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(1));
	sud_xsavec = (a >> 1) & 1;
	return size;
}

int sud_start(sud_hook_fn fn, bool rewrite)
{
	hook = fn;
	sud_xsave_size = xsave_size();
	if (sud_xsave_size) /* no XSAVE: every call keeps its signal */
		sud_xsave_size += 64;
	if (rewrite && sud_xsave_size && eh_index_scan() > 0)
		patch = syspatch_new((uint64_t)(uintptr_t)sud_entry);
	for (int sig = 1; sig < NSIG_; sig++)
		wrap(sig); /* handlers installed before now (libraries' constructors) */
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
