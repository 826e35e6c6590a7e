/* SPDX-License-Identifier: MIT */
/*
 * target.c - a process for the tracer to trace: each mode exercises one thing
 * a traced process must keep doing unchanged (output, threads, fork, exec,
 * signals, job control) and prints what it saw, so that a run under
 * `bpfrt trace` can be compared with a run without it.
 *
 *   target write N      N lines, one write(2) each
 *   target threads N    N threads writing a line each, joined
 *   target fork         a child exits 7; the parent reports its status
 *   target exec         exec's itself into "write 2"
 *   target signals      handled SIGUSR1 x3, SIGCHLD, a blocked-then-pending SIGUSR2,
 *                       the handler as sigaction reads it back
 *   target regs         a system call in inline assembly, like a wrapper's
 *                       (mov $nr,%eax; syscall), 3 times: every register
 *                       but rax, rcx and r11, xmm0-15 and the red zone kept
 *   target storm N      8 threads calling getppid() N times each, all at once
 *                       (the call site is rewritten while the others run it)
 *   target sigstorm N   N getppid() calls while a 20 us timer's handler calls
 *                       getppid() too; prints how many the handler made
 *   target sigsuspend   3 waits in sigsuspend() with every signal but SIGALRM
 *                       blocked (SIGSYS too), a timer's handler writing a line
 *   target rawfork      glibc's syscall() used for getppid, then for fork
 *                       (one call site, numbers that need different handling)
 *   target sigmask      a handler that blocks every signal (sigaction), every
 *                       signal blocked then restored, a pending one, the
 *                       mask as read back; system calls inside the handler
 *   target stop         a child stops itself (SIGSTOP) and is continued
 *   target exit N       exit status N
 *   target kill SIG     kill itself with SIG
 *   target loop FILE    write a line every 10 ms until FILE exists (for -p), then exit 0
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(1, buf, (size_t)n) != n)
		exit(99);
}

static void *thread_main(void *arg)
{
	say("thread %ld\n", (long)(intptr_t)arg);
	return NULL;
}

static pthread_barrier_t storm_start;

static void *storm_main(void *arg)
{
	long n = (long)(intptr_t)arg, agree = 0;
	pid_t parent = getppid();
	pthread_barrier_wait(&storm_start);
	for (long i = 0; i < n; i++)
		agree += getppid() == parent;
	return (void *)(intptr_t)agree;
}

static volatile sig_atomic_t usr1, usr2, chld, alarms;
static void on_alarm(int s)
{
	(void)s;
	alarms++;
	getppid();
}
static void on_usr1(int s) { (void)s; usr1++; }
/* A handler making a system call (its own write), to be hooked like any other. */
static void on_usr1_write(int s)
{
	(void)s;
	usr1++;
	say("in handler\n");
}
static void on_usr2(int s) { (void)s; usr2++; }
static void on_chld(int s) { (void)s; chld++; }

/*
 * keeps_state(want, got, xmm_in, xmm_out): getpid as glibc's wrappers call
 * it (mov $nr,%eax; syscall), with rbx, rdx, rsi, rdi, rbp, r8-r10 and
 * r12-r15 loaded from want[12], xmm0-15 from xmm_in[16] and two marks in
 * the red zone (the 128 bytes below rsp a leaf function may use); after the
 * call got[] and xmm_out[] receive them, got[0] zeroed if a mark changed.
 */
void keeps_state(const uint64_t *want, uint64_t *got, const uint64_t *xin, uint64_t *xout);
__asm__(".text\n"
	".type keeps_state,@function\n"
	"keeps_state:\n"
	".cfi_startproc\n"
	"	push %rbp\n .cfi_adjust_cfa_offset 8\n push %rbx\n .cfi_adjust_cfa_offset 8\n"
	"	push %r12\n .cfi_adjust_cfa_offset 8\n push %r13\n .cfi_adjust_cfa_offset 8\n"
	"	push %r14\n .cfi_adjust_cfa_offset 8\n push %r15\n .cfi_adjust_cfa_offset 8\n"
	"	push %rsi\n .cfi_adjust_cfa_offset 8\n push %rcx\n .cfi_adjust_cfa_offset 8\n"
	"	movq $0x5a5a, -8(%rsp)\n movq $0xa5a5, -128(%rsp)\n"
	"	movq 0(%rdx), %xmm0\n movq 8(%rdx), %xmm1\n movq 16(%rdx), %xmm2\n movq 24(%rdx), %xmm3\n"
	"	movq 32(%rdx), %xmm4\n movq 40(%rdx), %xmm5\n movq 48(%rdx), %xmm6\n movq 56(%rdx), %xmm7\n"
	"	movq 64(%rdx), %xmm8\n movq 72(%rdx), %xmm9\n movq 80(%rdx), %xmm10\n movq 88(%rdx), %xmm11\n"
	"	movq 96(%rdx), %xmm12\n movq 104(%rdx), %xmm13\n movq 112(%rdx), %xmm14\n movq 120(%rdx), %xmm15\n"
	"	mov %rdi, %rax\n"
	"	mov 0(%rax), %rbx\n mov 8(%rax), %rdx\n mov 16(%rax), %rsi\n mov 24(%rax), %rdi\n"
	"	mov 32(%rax), %rbp\n mov 40(%rax), %r8\n mov 48(%rax), %r9\n mov 56(%rax), %r10\n"
	"	mov 64(%rax), %r12\n mov 72(%rax), %r13\n mov 80(%rax), %r14\n mov 88(%rax), %r15\n"
	"	mov $39, %eax\n"
	"	syscall\n"
	"	mov %r15, -16(%rsp)\n"
	"	mov 8(%rsp), %r15\n"
	"	mov %rbx, 0(%r15)\n mov %rdx, 8(%r15)\n mov %rsi, 16(%r15)\n mov %rdi, 24(%r15)\n"
	"	mov %rbp, 32(%r15)\n mov %r8, 40(%r15)\n mov %r9, 48(%r15)\n mov %r10, 56(%r15)\n"
	"	mov %r12, 64(%r15)\n mov %r13, 72(%r15)\n mov %r14, 80(%r15)\n"
	"	mov -16(%rsp), %rax\n mov %rax, 88(%r15)\n"
	"	cmpq $0x5a5a, -8(%rsp)\n jne 1f\n cmpq $0xa5a5, -128(%rsp)\n je 2f\n"
	"1:	movq $0, 0(%r15)\n"
	"2:	mov 0(%rsp), %rax\n"
	"	movq %xmm0, 0(%rax)\n movq %xmm1, 8(%rax)\n movq %xmm2, 16(%rax)\n movq %xmm3, 24(%rax)\n"
	"	movq %xmm4, 32(%rax)\n movq %xmm5, 40(%rax)\n movq %xmm6, 48(%rax)\n movq %xmm7, 56(%rax)\n"
	"	movq %xmm8, 64(%rax)\n movq %xmm9, 72(%rax)\n movq %xmm10, 80(%rax)\n movq %xmm11, 88(%rax)\n"
	"	movq %xmm12, 96(%rax)\n movq %xmm13, 104(%rax)\n movq %xmm14, 112(%rax)\n movq %xmm15, 120(%rax)\n"
	"	add $16, %rsp\n .cfi_adjust_cfa_offset -16\n"
	"	pop %r15\n .cfi_adjust_cfa_offset -8\n pop %r14\n .cfi_adjust_cfa_offset -8\n"
	"	pop %r13\n .cfi_adjust_cfa_offset -8\n pop %r12\n .cfi_adjust_cfa_offset -8\n"
	"	pop %rbx\n .cfi_adjust_cfa_offset -8\n pop %rbp\n .cfi_adjust_cfa_offset -8\n"
	"	ret\n"
	".cfi_endproc\n"
	".size keeps_state, .-keeps_state\n");

/* How many registers (and red zone marks) a system call changed that it must not. */
static int syscall_keeps_state(void)
{
	uint64_t want[12], got[12], xin[16], xout[16];
	for (int i = 0; i < 12; i++)
		want[i] = 0x1111ull * (uint64_t)(i + 1);
	for (int i = 0; i < 16; i++)
		xin[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
	keeps_state(want, got, xin, xout);
	int changed = 0;
	for (int i = 0; i < 12; i++)
		changed += got[i] != want[i];
	for (int i = 0; i < 16; i++)
		changed += xout[i] != xin[i];
	return changed;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	if (!strcmp(mode, "write")) {
		for (long i = 0; i < n; i++)
			say("line %ld\n", i);
	} else if (!strcmp(mode, "threads")) {
		pthread_t t[64];
		if (n > 64)
			n = 64;
		for (long i = 0; i < n; i++) {
			pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i);
			pthread_join(t[i], NULL); /* one at a time: the output order is fixed */
		}
		say("threads done\n");
	} else if (!strcmp(mode, "fork")) {
		pid_t p = fork();
		if (p == 0) {
			say("child\n");
			_exit(7);
		}
		int st;
		waitpid(p, &st, 0);
		say("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else if (!strcmp(mode, "regs")) {
		for (int i = 0; i < 3; i++)
			say("call %d: %d registers changed\n", i, syscall_keeps_state());
	} else if (!strcmp(mode, "storm")) {
		pthread_t t[8];
		long agree = 0;
		pthread_barrier_init(&storm_start, NULL, 8);
		for (int i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, storm_main, (void *)(intptr_t)(n - 1));
		for (int i = 0; i < 8; i++) {
			void *r;
			pthread_join(t[i], &r);
			agree += (long)(intptr_t)r;
		}
		say("storm: %ld of %ld calls agreed\n", agree, 8 * (n - 1));
	} else if (!strcmp(mode, "sigstorm")) {
		struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = { { 0, 20 }, { 0, 20 } }, off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &it, NULL);
		for (long i = 0; i < n; i++)
			getppid();
		setitimer(ITIMER_REAL, &off, NULL);
		signal(SIGALRM, SIG_IGN);
		say("sigstorm: %ld calls, %ld in the handler\n", n, (long)alarms);
	} else if (!strcmp(mode, "sigsuspend")) {
		struct sigaction sa = { .sa_handler = on_usr1_write };
		sigaction(SIGALRM, &sa, NULL);
		sigset_t block, wait;
		sigemptyset(&block);
		sigaddset(&block, SIGALRM);
		sigprocmask(SIG_BLOCK, &block, NULL);
		sigfillset(&wait);
		sigdelset(&wait, SIGALRM);
		struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &it, NULL);
		for (int i = 0; i < 3; i++)
			sigsuspend(&wait);
		setitimer(ITIMER_REAL, &off, NULL);
		say("woke %d times\n", (int)usr1);
	} else if (!strcmp(mode, "rawfork")) {
		long pp = 0;
		for (int i = 0; i < 3; i++)
			pp += syscall(SYS_getppid) == getppid();
		long p = syscall(SYS_fork);
		if (p == 0) {
			say("child\n");
			_exit(7);
		}
		int st;
		waitpid((pid_t)p, &st, 0);
		say("getppid agreed %ld times, child exited %d\n", pp, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else if (!strcmp(mode, "exec")) {
		say("before exec\n");
		execl("/proc/self/exe", argv[0], "write", "2", (char *)NULL);
		return 98;
	} else if (!strcmp(mode, "sigmask")) {
		struct sigaction sa = { .sa_handler = on_usr1_write };
		sigfillset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		sigset_t all, old, now;
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, &old);
		kill(getpid(), SIGUSR1);
		sigpending(&now);
		say("usr1 pending while blocked: %d, handled %d\n", sigismember(&now, SIGUSR1),
		    (int)usr1);
		sigprocmask(SIG_SETMASK, &old, NULL);
		sigprocmask(SIG_SETMASK, NULL, &now);
		say("usr1 handled %d, usr2 blocked now %d\n", (int)usr1, sigismember(&now, SIGUSR2));
	} else if (!strcmp(mode, "signals")) {
		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, on_usr2);
		signal(SIGCHLD, on_chld);
		struct sigaction back;
		sigaction(SIGUSR1, NULL, &back); /* what the program installed, read back */
		say("handler read back: %d, siginfo %d\n", back.sa_handler == on_usr1,
		    !!(back.sa_flags & SA_SIGINFO));
		for (int i = 0; i < 3; i++)
			kill(getpid(), SIGUSR1);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		sigprocmask(SIG_BLOCK, &s, NULL);
		kill(getpid(), SIGUSR2);
		say("usr2 while blocked: %d\n", (int)usr2);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
		say("usr1 %d usr2 %d chld %d\n", (int)usr1, (int)usr2, (int)chld);
	} else if (!strcmp(mode, "stop")) {
		pid_t p = fork();
		if (p == 0) {
			raise(SIGSTOP);
			say("child continued\n");
			_exit(0);
		}
		int st;
		waitpid(p, &st, WUNTRACED);
		say("child stopped: %d by %d\n", WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
		kill(p, SIGCONT);
		waitpid(p, &st, 0);
		say("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else if (!strcmp(mode, "exit")) {
		return (int)n;
	} else if (!strcmp(mode, "kill")) {
		signal((int)n, SIG_DFL);
		kill(getpid(), (int)n);
		return 97;
	} else if (!strcmp(mode, "loop") && argc > 2) {
		for (long i = 0; access(argv[2], F_OK); i++) {
			say("tick %ld\n", i);
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		}
		say("loop done\n");
	} else {
		fprintf(stderr, "target: unknown mode '%s'\n", mode);
		return 2;
	}
	return 0;
}
