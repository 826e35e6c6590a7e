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
 *   target signals      handled SIGUSR1 x3, SIGCHLD, a blocked-then-pending SIGUSR2
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

static volatile sig_atomic_t usr1, usr2, chld;
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
