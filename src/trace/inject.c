/* SPDX-License-Identifier: MIT */
/*
 * inject.c - load the agent into a process bpfrt attached to: make a stopped
 * thread call dlopen() and then bpfrt_agent_attach(), as a debugger's `call`
 * does, while every other thread stays stopped (so the agent's patching
 * races with no one), and make it call bpfrt_agent_detach() before bpfrt
 * lets go.
 *
 * A call: the registers are saved, rsp moved below the red zone and
 * aligned, a return address pushed that points at an int3 in a page mapped
 * for the purpose, rip set to the function, arguments in rdi/rsi, orig_rax
 * -1 so that a system call the thread was stopped in is not restarted
 * during the call; the thread runs until the int3; the registers are put
 * back, and an interrupted system call restarts as it would have.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include "runtime/runtime.h"
#include "trace.h"

static int call(struct bpfrt_tracer *t, struct task *task, uint64_t fn, uint64_t a1, uint64_t a2,
		uint64_t *ret)
{
	struct user_regs_struct saved, r;
	if (ptrace(PTRACE_GETREGS, task->tid, 0, &saved))
		return -errno;
	r = saved;
	r.rsp = ((saved.rsp - 512) & ~15ull) - 8;
	if (poke_word(task->tid, r.rsp, t->agent_page))
		return -EFAULT;
	r.rip = fn;
	r.rdi = a1;
	r.rsi = a2;
	r.rax = 0;
	r.orig_rax = (uint64_t)-1;
	if (ptrace(PTRACE_SETREGS, task->tid, 0, &r))
		return -errno;
	int sig = 0;
	for (;;) {
		if (ptrace(PTRACE_CONT, task->tid, 0, sig))
			return -errno;
		sig = 0;
		int st;
		pid_t w;
		while ((w = waitpid(task->tid, &st, __WALL)) < 0 && errno == EINTR)
			;
		if (w < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			return -ESRCH;
		int s = WSTOPSIG(st), event = (st >> 16) & 0xff;
		if (event == 0 && s == SIGTRAP) {
			ptrace(PTRACE_GETREGS, task->tid, 0, &r);
			if (r.rip == t->agent_page + 1)
				break;
		}
		if (event == 0 && s != SIGTRAP && s != (SIGTRAP | 0x80))
			sig = s; /* the call's own signals go through */
	}
	*ret = r.rax;
	return ptrace(PTRACE_SETREGS, task->tid, 0, &saved) ? -errno : 0;
}

/* The address of func of the file at path as mapped in process pid, or 0. */
static uint64_t mapped_func(pid_t pid, const char *path, const char *func)
{
	uint64_t off, addr;
	char why[256];
	struct stat st;
	if (stat(path, &st) || elf_func_offset(path, func, &off, why, sizeof(why)) ||
	    procmaps_find(pid, st.st_dev, st.st_ino, off, &addr))
		return 0;
	return addr;
}

/* The C library process pid has mapped, by path. */
static int libc_of(pid_t pid, char *out, size_t len)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	int err = -ENOENT;
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');
		if (!p || !strstr(p, "/libc.so.6"))
			continue;
		p[strcspn(p, "\n")] = '\0';
		snprintf(out, len, "%s", p);
		err = 0;
		break;
	}
	if (f)
		fclose(f);
	return err;
}

int inject_agent(struct bpfrt_tracer *t, struct task *task, const char *agent, const char *config)
{
	pid_t pid = task->tgid;
	char libc[4096];
	if (libc_of(pid, libc, sizeof(libc)))
		return rt_fail(t->rt, -ENOENT, "process %d: no C library mapped, so no dlopen() for "
			       "the agent; use --ptrace", pid);
	uint64_t dl = mapped_func(pid, libc, "dlopen");
	if (!dl)
		return rt_fail(t->rt, -ENOENT, "process %d: %s has no dlopen (glibc before 2.34?); "
			       "use --ptrace", pid, libc);
	size_t alen = strlen(agent) + 1, clen = strlen(config) + 1;
	if (16 + alen + clen > 4096)
		return rt_fail(t->rt, -E2BIG, "process %d: agent settings too long", pid);
	int pending = 0;
	t->agent_page = inject_mmap(t, task, 0, &pending);
	if (!t->agent_page)
		return rt_fail(t->rt, -ENOMEM, "process %d: cannot map a page for the agent", pid);
	uint8_t int3 = 0xcc;
	uint64_t ret = 0;
	if (poke_bytes(task->tid, t->agent_page, &int3, 1) ||
	    poke_bytes(task->tid, t->agent_page + 16, (const uint8_t *)agent, alen) ||
	    poke_bytes(task->tid, t->agent_page + 16 + alen, (const uint8_t *)config, clen))
		return rt_fail(t->rt, -EFAULT, "process %d: cannot write the agent's settings", pid);
	int err = call(t, task, dl, t->agent_page + 16, RTLD_NOW, &ret);
	if (err || !ret)
		return rt_fail(t->rt, err ? err : -ENOENT, "process %d: dlopen(\"%s\") failed in it",
			       pid, agent);
	uint64_t attach = mapped_func(pid, agent, "bpfrt_agent_attach");
	t->agent_detach_fn = mapped_func(pid, agent, "bpfrt_agent_detach");
	if (!attach || !t->agent_detach_fn)
		return rt_fail(t->rt, -ENOENT, "process %d: the agent is not mapped after dlopen", pid);
	err = call(t, task, attach, t->agent_page + 16 + alen, 0, &ret);
	if (err || (int)ret)
		return rt_fail(t->rt, err ? err : (int)ret, "process %d: the agent did not start: %s",
			       pid, strerror(err ? -err : -(int)ret));
	t->agent_injected = true;
	return 0;
}

void inject_agent_detach(struct bpfrt_tracer *t, struct task *task)
{
	uint64_t ret;
	if (t->agent_detach_fn)
		call(t, task, t->agent_detach_fn, 0, 0, &ret);
	t->agent_detach_fn = 0;
}
