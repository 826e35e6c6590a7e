/* SPDX-License-Identifier: MIT */
/*
 * bench_trace.c - what one hook hit costs the traced process, in ns.
 *
 * The traced program (tests/trace/probed.c) times its own loop: N calls of a
 * tiny function, or N getppid() system calls, and prints ns/call. A hook's
 * cost per hit is that figure with the hook attached minus the figure
 * without, each the best of R runs. Hooks are one counter increment
 * (tests/trace/progs/bench_hooks.bpf.c), the same object everywhere:
 *
 *   bpfrt in-process   bpfrt trace --jit: uprobes patched into the process
 *                      syscalls: with --inproc-syscalls, glibc's call sites
 *                      rewritten into jumps to the hooks (rows syscall,
 *                      unhooked), or with --inproc-syscalls=sigsys the
 *                      agent's SIGSYS handler for every call (rows *-sigsys)
 *   bpfrt ptrace       bpfrt trace --jit --ptrace: int3 breakpoints;
 *                      syscalls: seccomp filter + ptrace stop (the default)
 *   kernel             the object loaded and attached by libbpf (uprobe,
 *                      uretprobe, syscalls/sys_enter_getppid tracepoint)
 *   plain ptrace       a minimal PTRACE_SYSCALL tracer (two stops per call,
 *                      no program), the classic way to hook system calls
 *
 * The "unhooked" row is getppid() while only getpid() is hooked: under
 * dispatch every call of the process goes through the handler, under the
 * seccomp filter only hooked ones stop; an unhooked call still costs the
 * kernel's slower entry of a task under dispatch. Ratios: kernel/in-process,
 * ptrace/in-process, and for system calls plain ptrace/in-process and plain
 * ptrace/bpfrt-ptrace. Everything runs on one CPU (see main). `--quick`
 * runs each once, with fewer calls.
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef BPFRT_BIN
#error "BPFRT_BIN, TRACE_PROGS and PROBED come from the build"
#endif

static int repeats = 3;

/* Run argv with stdout into a pipe; the ns/call it printed, or -1. */
static double run_once(char *const argv[], bool traceme)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (traceme) {
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			raise(SIGSTOP);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	if (traceme) { /* the plain tracer: stop at every system call entry and exit */
		int st;
		waitpid(pid, &st, 0);
		ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		while (waitpid(pid, &st, 0) == pid && WIFSTOPPED(st)) {
			int sig = WSTOPSIG(st);
			ptrace(PTRACE_SYSCALL, pid, 0, sig == (SIGTRAP | 0x80) || sig == SIGTRAP ? 0 : sig);
		}
	}
	char buf[4096];
	ssize_t n, len = 0;
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	buf[len] = '\0';
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	const char *at = strstr(buf, "ns/call ");
	return at ? atof(at + 8) : -1;
}

static double best(char *const argv[], bool traceme)
{
	double b = -1;
	for (int i = 0; i < repeats; i++) {
		double v = run_once(argv, traceme);
		if (v >= 0 && (b < 0 || v < b))
			b = v;
	}
	return b;
}

/* opt: --ptrace, --inproc-syscalls[=sigsys] or NULL. */
static double bpfrt_hook(const char *prog, const char *opt, const char *mode, const char *n)
{
	char obj[4096];
	snprintf(obj, sizeof(obj), "%s/bench_hooks.o", TRACE_PROGS);
	char *argv[16];
	int k = 0;
	argv[k++] = BPFRT_BIN;
	argv[k++] = "trace";
	argv[k++] = "--jit";
	if (opt)
		argv[k++] = (char *)opt;
	argv[k++] = obj;
	argv[k++] = "--prog";
	argv[k++] = (char *)prog;
	argv[k++] = "--";
	argv[k++] = PROBED;
	argv[k++] = (char *)mode;
	argv[k++] = (char *)n;
	argv[k] = NULL;
	return best(argv, false);
}

static double plain(const char *mode, const char *n, bool traceme)
{
	char *argv[] = { PROBED, (char *)mode, (char *)n, NULL };
	return best(argv, traceme);
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* The kernel running the same hook program: attached by libbpf from its section. */
static double kernel_hook(struct bpf_object *obj, const char *prog, const char *mode,
			  const char *n, char *why, size_t whylen)
{
	if (!obj) {
		snprintf(why, whylen, "object not loaded");
		return -1;
	}
	struct bpf_program *p = bpf_object__find_program_by_name(obj, prog);
	struct bpf_link *link = p ? bpf_program__attach(p) : NULL;
	if (!link) {
		snprintf(why, whylen, "attach %s: %s", prog, strerror(errno));
		return -1;
	}
	double v = plain(mode, n, false);
	bpf_link__destroy(link);
	return v;
}

static void row(const char *hook, double base, double fast, double slow, double kern,
		double ptr, const char *kwhy)
{
	printf("%-16s", hook);
	double f = fast >= 0 ? fast - base : -1, s = slow >= 0 ? slow - base : -1;
	double k = kern >= 0 ? kern - base : -1, p = ptr >= 0 ? ptr - base : -1;
	if (f >= 0)
		printf(" %10.1f", f);
	else
		printf(" %10s", "-");
	printf(" %12.1f", s);
	if (k >= 0)
		printf(" %10.1f", k);
	else
		printf(" %10s", "n/a");
	if (p >= 0)
		printf(" %12.1f", p);
	else
		printf(" %12s", "-");
	if (f > 0 && k >= 0)
		printf("   kernel/in-process %.1fx", k / f);
	if (f > 0 && s >= 0)
		printf(s / f < 10 ? "   ptrace/in-process %.2fx" : "   ptrace/in-process %.0fx", s / f);
	if (p > 0 && f > 0)
		printf("   plain ptrace/in-process %.0fx", p / f);
	if (p > 0 && s > 0)
		printf("   plain ptrace/bpfrt-ptrace %.2fx", p / s);
	printf("\n");
	if (kern < 0 && kwhy[0])
		printf("           (kernel: %s)\n", kwhy);
}

int main(int argc, char **argv)
{
	const char *fast_n = "2000000", *slow_n = "5000", *sys_n = "20000";
	if (argc > 1 && !strcmp(argv[1], "--quick")) {
		repeats = 1;
		fast_n = "200000", slow_n = "500", sys_n = "2000";
	}
	/* The sections name the probed program by file name: found on PATH. */
	char path[8192], dir[4096];
	snprintf(dir, sizeof(dir), "%s", PROBED);
	*strrchr(dir, '/') = '\0';
	snprintf(path, sizeof(path), "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);

	/*
	 * One CPU for everything: a ptrace round trip between two CPUs costs a
	 * cross-CPU wake-up each way, which on a virtual machine is several
	 * times the stop itself and varies with the host. Pinned, the ptrace
	 * figures are their best case; the in-process ones do not change.
	 */
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	bool pinned = sched_setaffinity(0, sizeof(one), &one) == 0;

	libbpf_set_print(quiet_libbpf);
	char objpath[4096], kwhy[4200] = "";
	snprintf(objpath, sizeof(objpath), "%s/bench_hooks.o", TRACE_PROGS);
	struct bpf_object *kobj = bpf_object__open_file(objpath, NULL);
	if (!kobj || bpf_object__load(kobj)) {
		snprintf(kwhy, sizeof(kwhy), "cannot load %s in the kernel: %s", objpath, strerror(errno));
		bpf_object__close(kobj);
		kobj = NULL;
	}

	printf("overhead per hit in ns (hooked loop minus plain loop, best of %d%s)\n", repeats,
	       pinned ? ", all on one CPU" : "");
	printf("%-16s %10s %12s %10s %12s\n", "hook", "in-process", "bpfrt-ptrace", "kernel",
	       "plain-ptrace");
	double base = plain("time_add", fast_n, false);
	char why[256] = "";
	/* Kernel uprobes trap twice per hit (int3, single-step): fewer calls, like ptrace's. */
	double kern = kernel_hook(kobj, "bench_uprobe", "time_add", sys_n, why, sizeof(why));
	row("uprobe", base, bpfrt_hook("bench_uprobe", NULL, "time_add", fast_n),
	    bpfrt_hook("bench_uprobe", "--ptrace", "time_add", slow_n), kern, -1, kobj ? why : kwhy);
	kern = kernel_hook(kobj, "bench_uretprobe", "time_add", sys_n, why, sizeof(why));
	row("uretprobe", base, bpfrt_hook("bench_uretprobe", NULL, "time_add", fast_n),
	    bpfrt_hook("bench_uretprobe", "--ptrace", "time_add", slow_n), kern, -1, kobj ? why : kwhy);
	double sbase = plain("time_getppid", fast_n, false);
	kern = kernel_hook(kobj, "bench_syscall", "time_getppid", fast_n, why, sizeof(why));
	row("syscall", sbase, bpfrt_hook("bench_syscall", "--inproc-syscalls", "time_getppid", fast_n),
	    bpfrt_hook("bench_syscall", NULL, "time_getppid", sys_n), kern,
	    plain("time_getppid", sys_n, true), kobj ? why : kwhy);
	row("syscall-sigsys", sbase,
	    bpfrt_hook("bench_syscall", "--inproc-syscalls=sigsys", "time_getppid", sys_n),
	    bpfrt_hook("bench_syscall", NULL, "time_getppid", sys_n), -1,
	    plain("time_getppid", sys_n, true), "");
	row("unhooked", sbase,
	    bpfrt_hook("bench_syscall_other", "--inproc-syscalls", "time_getppid", fast_n),
	    bpfrt_hook("bench_syscall_other", NULL, "time_getppid", fast_n), -1, -1, "");
	row("unhooked-sigsys", sbase,
	    bpfrt_hook("bench_syscall_other", "--inproc-syscalls=sigsys", "time_getppid", sys_n),
	    bpfrt_hook("bench_syscall_other", NULL, "time_getppid", fast_n), -1, -1, "");
	printf("plain loop: %.2f ns/call, getppid: %.2f ns/call\n", base, sbase);
	bpf_object__close(kobj);
	return base < 0 || sbase < 0;
}
