/* SPDX-License-Identifier: MIT */
/*
 * tracer.c - attach programs to the system calls of user processes with ptrace.
 *
 * One loop waits for every traced thread (waitpid(-1, __WALL)) and answers
 * each stop: at a hooked system call it runs the programs with the stopped
 * thread as their task and resumes it; fork, vfork, clone and exec events add
 * or rename tasks; a signal is handed back unchanged (signal-delivery-stop);
 * a group stop is left in place with PTRACE_LISTEN, so SIGSTOP/SIGCONT keep
 * their meaning for the target. PTRACE_SEIZE (rather than PTRACE_ATTACH)
 * is what makes group stops distinguishable from signals.
 *
 * Launched commands carry a seccomp filter, so only hooked system calls stop
 * (PTRACE_EVENT_SECCOMP) and untraced ones cost nothing; when a sys_exit hook
 * wants the result, that one call is resumed with PTRACE_SYSCALL to get its
 * syscall-exit stop. Attached processes cannot be given a filter safely (it
 * would outlive the tracer and fail hooked calls with ENOSYS), so they stop
 * at every system call (PTRACE_SYSCALL) and the tracer picks the hooked ones.
 *
 * ksyscall programs (the call's function, entered after the sys_enter
 * tracepoints, left before sys_exit, as in Linux) get the registers of the
 * syscall wrapper: di points at the user's. When one calls
 * bpf_override_return, the call is skipped at its entry stop (orig_rax -1,
 * which the kernel honours at a seccomp stop and a syscall-entry stop
 * alike) and its exit stop, asked for then, puts the value in rax: the exit
 * hooks see the call's number and that result, as they would in Linux.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bpfrt/object.h"
#include "bpfrt/prog.h"
#include "bpfrt/trace.h"
#include "loader/object.h"
#include "runtime/runtime.h"
#include "trace.h"

/*
 * PTRACE_GET_SYSCALL_INFO's answer (linux/ptrace.h's struct
 * ptrace_syscall_info, which glibc's <sys/ptrace.h> cannot be included with);
 * only the leading fields are needed: which kind of stop this is.
 */
struct syscall_stop_info {
	uint8_t op; /* 1 entry, 2 exit, 3 seccomp */
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	uint64_t data[8];
};
enum { SYSCALL_STOP_ENTRY = 1, SYSCALL_STOP_EXIT = 2, SYSCALL_STOP_SECCOMP = 3 };


static const long seize_options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP |
				  PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				  PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

/*
 * Where each site is recorded as seen mapped: memory shared with the agents
 * of launched commands (a memfd they inherit across fork and exec).
 */
static int seen_create(struct bpfrt_tracer *t)
{
	t->seen_fd = memfd_create("bpfrt-seen", MFD_CLOEXEC);
	if (t->seen_fd < 0 || ftruncate(t->seen_fd, (off_t)t->nsites))
		return rt_fail(t->rt, -errno, "memory shared with the traced processes (memfd): %s",
			       strerror(errno));
	void *m = mmap(NULL, t->nsites, PROT_READ | PROT_WRITE, MAP_SHARED, t->seen_fd, 0);
	if (m == MAP_FAILED)
		return rt_fail(t->rt, -errno, "memory shared with the traced processes (mmap): %s",
			       strerror(errno));
	t->seen = m;
	return 0;
}

/*
 * The run is over: a probe whose file no traced process ever mapped did not
 * fire, and says so once per program (a path that exists but is not loaded
 * yet is accepted at attach, as the kernel's uprobes accept it).
 */
static void report_unseen(struct bpfrt_tracer *t)
{
	for (size_t i = 0; t->seen && i < t->nhooks; i++) {
		const struct hook *h = &t->hooks[i];
		if (h->kind != HOOK_UPROBE && h->kind != HOOK_URETPROBE)
			continue;
		bool first = true, seen = false;
		for (size_t k = 0; k < t->nhooks; k++) {
			const struct hook *o = &t->hooks[k];
			if (o->prog != h->prog || (o->kind != HOOK_UPROBE && o->kind != HOOK_URETPROBE))
				continue;
			first &= k >= i;
			seen |= __atomic_load_n(&t->seen[o->site_idx], __ATOMIC_RELAXED) != 0;
		}
		if (first && !seen)
			rt_fail(t->rt, -ENOENT, "program '%s': no traced process loaded the file of "
				"'%s'; it never fired", h->name, h->sec);
	}
}

/* One site per probed place; a uprobe and a uretprobe on a function share it. */
static int add_site(struct bpfrt_tracer *t, struct hook *h)
{
	size_t i;
	for (i = 0; i < t->nsites; i++)
		if (t->sites[i].dev == h->site.dev && t->sites[i].ino == h->site.ino &&
		    t->sites[i].off == h->site.off)
			break;
	if (i == t->nsites) {
		struct probe_site *v = realloc(t->sites, (t->nsites + 1) * sizeof(*v));
		if (!v)
			return rt_fail(t->rt, -ENOMEM, "out of memory for the probes");
		t->sites = v;
		t->sites[t->nsites++] = h->site;
	}
	t->sites[i].entry |= h->kind == HOOK_UPROBE;
	t->sites[i].ret |= h->kind == HOOK_URETPROBE;
	t->any_ret |= h->kind == HOOK_URETPROBE;
	h->site_idx = (int)i;
	return 0;
}

struct bpfrt_tracer *bpfrt_tracer__new(struct bpfrt_object *obj,
				       const struct bpfrt_tracer_opts *opts)
{
	struct bpfrt_runtime *rt = obj->rt;
	if (opts && opts->sz < sizeof(struct bpfrt_tracer_opts)) {
		rt_fail(rt, -EINVAL, "tracer options of an unknown version");
		errno = EINVAL;
		return NULL;
	}
	struct bpfrt_tracer *t = calloc(1, sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->rt = rt;
	if (opts) {
		t->after_run = opts->after_run;
		t->ctx = opts->ctx;
		t->agent_path = opts->agent_path;
		t->agent_env = opts->agent_env;
		t->agent_config = opts->agent_config;
		t->agent_sys = opts->agent_path && opts->agent_syscalls;
	}
	int err = hooks_build(rt, obj, opts ? opts->prog_name : NULL, opts && opts->allow_override,
			      &t->hooks, &t->nhooks);
	t->nsys = syscall_count();
	t->want_enter = calloc((size_t)t->nsys, sizeof(bool));
	t->want_exit = calloc((size_t)t->nsys, sizeof(bool));
	if (!err && (!t->want_enter || !t->want_exit))
		err = rt_fail(rt, -ENOMEM, "out of memory for the hooks");
	for (size_t i = 0; !err && i < t->nhooks; i++) {
		const struct hook *h = &t->hooks[i];
		if (t->agent_sys && hook_is_syscall(h->kind))
			continue; /* the agent runs it */
		switch (h->kind) {
		case HOOK_SYS_ENTER:
		case HOOK_KSYSCALL:
			t->want_enter[h->nr] = true;
			break;
		case HOOK_SYS_EXIT:
		case HOOK_KRETSYSCALL:
			t->want_exit[h->nr] = true;
			break;
		case HOOK_RAW_SYS_ENTER:
			t->raw_enter = true;
			break;
		case HOOK_RAW_SYS_EXIT:
			t->raw_exit = true;
			break;
		case HOOK_UPROBE:
		case HOOK_URETPROBE:
			err = add_site(t, &t->hooks[i]);
			continue;
		}
		t->any_sys = true;
	}
	/* Probed libraries may be mapped later: look again after mmap and mprotect. */
	t->scan_maps = t->nsites > 0;
	t->seen_fd = -1;
	if (!err && t->nsites)
		err = seen_create(t);
	if (err) {
		bpfrt_tracer__free(t);
		errno = -err;
		return NULL;
	}
	return t;
}

void bpfrt_tracer__free(struct bpfrt_tracer *t)
{
	if (!t)
		return;
	if (t->seen)
		munmap(t->seen, t->nsites);
	if (t->seen_fd >= 0)
		close(t->seen_fd);
	uprobes_free(t);
	free(t->hooks);
	free(t->want_enter);
	free(t->want_exit);
	tasks_free(&t->tasks);
	free(t);
}

void bpfrt_tracer__stop(struct bpfrt_tracer *t)
{
	t->stop = 1;
}

uint64_t bpfrt_tracer__hits(const struct bpfrt_tracer *t)
{
	return t->hits;
}

/* System calls after which a probed file may have been mapped executable. */
static bool maps_change(long nr)
{
	return nr == SYS_mmap || nr == SYS_mprotect;
}

/* In the child: preload the agent, with its settings, for in-process uprobes. */
static int agent_environment(struct bpfrt_tracer *t)
{
	for (char *const *e = t->agent_env; e && *e; e++)
		if (putenv(*e))
			goto fail;
	if (t->seen_fd >= 0) {
		/* An inheritable copy: every program the command execs reports too. */
		int fd = fcntl(t->seen_fd, F_DUPFD, 3);
		char v[16];
		snprintf(v, sizeof(v), "%d", fd);
		if (fd < 0 || setenv("BPFRT_AGENT_SEEN", v, 1))
			goto fail;
	}
	const char *old = getenv("LD_PRELOAD");
	size_t n = strlen(t->agent_path) + (old ? strlen(old) + 1 : 0) + 1;
	char *v = malloc(n);
	if (!v)
		goto fail;
	snprintf(v, n, "%s%s%s", t->agent_path, old ? ":" : "", old ? old : "");
	if (setenv("LD_PRELOAD", v, 1))
		goto fail;
	return 0;
fail:
	dprintf(2, "bpfrt: cannot set the agent's environment: %s\n", strerror(errno));
	return -1;
}

int bpfrt_tracer__launch(struct bpfrt_tracer *t, char *const argv[])
{
	if (!argv || !argv[0])
		return rt_fail(t->rt, -EINVAL, "no command to launch");
	if (t->main_pid)
		return rt_fail(t->rt, -EBUSY, "the tracer has a process already (%d)", t->main_pid);
	if (t->agent_path && (t->nsites || t->agent_sys)) {
		/*
		 * The agent patches the probes in the process: breakpoints only for
		 * static programs, which cannot preload it (uprobe.c decides at exec;
		 * their system calls go unhooked with agent_sys).
		 */
		t->agent_uprobes = true;
		t->scan_maps = false;
	}
	/*
	 * The agent runs every hook: no ptrace at all, since a traced task stops
	 * for each signal it gets, the agent's SIGSYS included. bpfrt becomes
	 * the reaper of the command's orphans, to wait for all of them.
	 */
	if (t->agent_sys && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return rt_fail(t->rt, -errno, "%s: cannot reap the command's children: %s", argv[0],
			       strerror(errno));
	/* The child waits on this pipe until it is seized: no event may come first. */
	int go[2];
	if (pipe2(go, O_CLOEXEC))
		return rt_fail(t->rt, -errno, "%s: pipe: %s", argv[0], strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		return rt_fail(t->rt, -e, "%s: fork: %s", argv[0], strerror(e));
	}
	if (pid == 0) {
		close(go[1]);
		char c = 0;
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		if (c != 'g')
			_exit(127); /* the tracer failed to seize us */
		if (t->agent_sys)
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* as PTRACE_O_EXITKILL would */
		bool everything = t->raw_enter || t->raw_exit;
		if (t->any_sys || t->scan_maps) {
			/* want_enter|want_exit: both stop at entry, exit is asked for there */
			for (int i = 0; i < t->nsys; i++)
				t->want_enter[i] |= t->want_exit[i] ||
						    (t->scan_maps && maps_change(i));
			int err = seccomp_trace_install(t->want_enter, t->nsys, everything);
			if (err) {
				dprintf(2, "bpfrt: %s: cannot install the seccomp filter: %s\n",
					argv[0], strerror(-err));
				_exit(127);
			}
		}
		if (t->agent_uprobes && agent_environment(t))
			_exit(127);
		execvp(argv[0], argv);
		dprintf(2, "bpfrt: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	if (t->agent_sys) {
		if (write(go[1], "g", 1) != 1) {
			int e = errno;
			close(go[1]);
			kill(pid, SIGKILL);
			return rt_fail(t->rt, -e, "%s (pid %d): cannot start it: %s", argv[0], pid,
				       strerror(e));
		}
		close(go[1]);
		t->main_pid = pid;
		return pid;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, seize_options | PTRACE_O_EXITKILL)) {
		int e = errno;
		close(go[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return rt_fail(t->rt, -e, "%s (pid %d): ptrace: %s", argv[0], pid, strerror(e));
	}
	if (!tasks_add(&t->tasks, pid)) {
		close(go[1]); /* the child exits 127 on EOF */
		waitpid(pid, NULL, __WALL);
		return rt_fail(t->rt, -ENOMEM, "out of memory");
	}
	if (write(go[1], "g", 1) != 1) {
		int e = errno;
		close(go[1]);
		kill(pid, SIGKILL);
		return rt_fail(t->rt, -e, "%s (pid %d): cannot start it: %s", argv[0], pid, strerror(e));
	}
	close(go[1]);
	t->main_pid = pid;
	return pid;
}

/* Seize every thread of pid; repeated until no new thread shows up. */
static int seize_threads(struct bpfrt_tracer *t, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	for (bool added = true; added;) {
		added = false;
		DIR *d = opendir(path);
		if (!d)
			return rt_fail(t->rt, -ESRCH, "process %d does not exist", pid);
		struct dirent *e;
		while ((e = readdir(d))) {
			pid_t tid = (pid_t)atoi(e->d_name);
			if (tid <= 0 || tasks_find(&t->tasks, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0, seize_options)) {
				int err = errno;
				if (err == ESRCH && tid != pid)
					continue; /* the thread ended meanwhile */
				closedir(d);
				if (err == EPERM)
					return rt_fail(t->rt, -EPERM, "process %d: not allowed to trace it "
						       "(another tracer holds it, or ptrace is restricted)",
						       pid);
				return rt_fail(t->rt, -err, "process %d: ptrace: %s", pid, strerror(err));
			}
			struct task *tk = tasks_add(&t->tasks, tid);
			if (!tk) {
				closedir(d);
				return rt_fail(t->rt, -ENOMEM, "out of memory");
			}
			tk->tgid = pid;
			/* Stop it once so it can be resumed in the mode the hooks need. */
			ptrace(PTRACE_INTERRUPT, tid, 0, 0);
			added = true;
		}
		closedir(d);
	}
	return 0;
}

/*
 * Take every thread's first stop here, load the agent through the main
 * thread while the others wait, then let them all go. If the agent cannot be
 * loaded, the probes become breakpoints (the message says why).
 */
static int attach_agent(struct bpfrt_tracer *t, pid_t pid)
{
	for (size_t i = 0; i < t->tasks.n; i++) {
		struct task *k = &t->tasks.v[i];
		for (;;) {
			int st;
			pid_t w = waitpid(k->tid, &st, __WALL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 || !WIFSTOPPED(st))
				return rt_fail(t->rt, -ESRCH, "process %d: thread %d ended while attaching",
					       pid, k->tid);
			int sig = WSTOPSIG(st), event = (st >> 16) & 0xff;
			if (event == PTRACE_EVENT_STOP)
				break;
			if (event == 0)
				k->pending_sig = sig; /* it came before our interrupt */
			ptrace(PTRACE_CONT, k->tid, 0, 0);
		}
	}
	struct task *main = tasks_find(&t->tasks, pid);
	if (!main || inject_agent(t, main, t->agent_path, t->agent_config)) {
		t->agent_uprobes = false;
		for (size_t i = 0; i < t->nprocs; i++)
			t->procs[i].agent = false;
		if (main)
			uprobes_place(t, main);
	}
	for (size_t i = 0; i < t->tasks.n; i++) {
		struct task *k = &t->tasks.v[i];
		int sig = k->pending_sig;
		k->pending_sig = 0;
		tracer_resume(t, k, sig);
	}
	return 0;
}

int bpfrt_tracer__attach(struct bpfrt_tracer *t, int pid)
{
	if (t->main_pid)
		return rt_fail(t->rt, -EBUSY, "the tracer has a process already (%d)", t->main_pid);
	if (pid <= 0 || (kill(pid, 0) && errno == ESRCH))
		return rt_fail(t->rt, -ESRCH, "process %d does not exist", pid);
	if (pid == getpid())
		return rt_fail(t->rt, -EINVAL, "process %d is bpfrt itself", pid);
	/*
	 * Syscall hooks: stop at every call. Uprobes alone do not: probes go
	 * where the process has its files mapped now; a library it maps later
	 * is found only when syscall stops happen anyway (an mmap's exit).
	 */
	t->every_syscall = t->any_sys;
	t->main_pid = pid;
	if (t->agent_path && t->agent_config && t->nsites)
		t->agent_uprobes = true; /* no breakpoints unless the agent fails to load */
	int err = seize_threads(t, pid);
	/* An injected agent probes what is mapped now, and reports nothing back. */
	for (size_t i = 0; !err && t->agent_uprobes && i < t->nsites; i++) {
		uint64_t addr;
		const struct probe_site *s = &t->sites[i];
		if (!procmaps_find(pid, s->dev, s->ino, s->off, &addr))
			t->seen[i] = 1;
	}
	if (!err && t->agent_uprobes)
		err = attach_agent(t, pid);
	if (err) {
		for (size_t i = 0; i < t->tasks.n; i++)
			ptrace(PTRACE_DETACH, t->tasks.v[i].tid, 0, 0);
		t->tasks.n = 0;
		t->main_pid = 0;
	}
	return err;
}

void tracer_resume(struct bpfrt_tracer *t, struct task *task, int sig)
{
	int req = t->every_syscall || task->exit_wanted ? PTRACE_SYSCALL : PTRACE_CONT;
	ptrace(req, task->tid, 0, sig); /* ESRCH: it was killed meanwhile; its exit follows */
}

void tracer_fire(struct bpfrt_tracer *t, struct task *task, const struct hook *h, void *ctx,
		 uint32_t len, struct hook_override *ov)
{
	bpfrt_runtime__set_task(t->rt, task_info(task));
	/* A program's fault is reported (naming it) by the runtime; the target goes on. */
	prog_run_hook(h->prog, ctx, len, h->cookie, h->may_override ? ov : NULL, NULL);
	bpfrt_runtime__set_task(t->rt, NULL);
	t->hits++;
	if (t->after_run)
		t->after_run(t->ctx);
}

/*
 * Run the hooks of a system call's entry (exit false) or exit, regs the
 * task's (orig_rax the number). Return: whether a ksyscall program called
 * bpf_override_return (entry only), with the value in *rc.
 */
static bool syscall_hooks(struct bpfrt_tracer *t, struct task *task,
			  struct user_regs_struct *regs, bool exit, uint64_t *rc)
{
	long nr = (long)regs->orig_rax;
	struct hook_override ov = { false, 0 };
	if (t->agent_sys)
		return false; /* the agent runs them in the process */
	uint64_t args[TP_MAX_ARGS] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9 };
	/* user_regs_struct begins with the fields of the kernel's struct pt_regs, in its order. */
	uint64_t raw[2] = { (uint64_t)(uintptr_t)regs, exit ? regs->rax : (uint64_t)nr };
	/* The wrapper's registers (ksyscall): di the user's, ax the result at the return. */
	struct user_regs_struct wrap;
	memset(&wrap, 0, sizeof(wrap));
	wrap.rdi = (uint64_t)(uintptr_t)regs;
	wrap.rax = exit ? regs->rax : 0;
	/* Linux: sys_enter tracepoints, then the call's function; its return, then sys_exit. */
	for (int pass = 0; pass < 2; pass++) {
		bool want_func = pass == (exit ? 0 : 1);
		for (size_t i = 0; i < t->nhooks; i++) {
			const struct hook *h = &t->hooks[i];
			uint8_t rec[TP_MAX_RECORD];
			if ((h->kind == HOOK_KSYSCALL || h->kind == HOOK_KRETSYSCALL) != want_func)
				continue;
			switch (h->kind) {
			case HOOK_SYS_ENTER:
			case HOOK_SYS_EXIT:
				if (h->nr != nr || (h->kind == HOOK_SYS_EXIT) != exit)
					break;
				tp_record_fill(&h->layout, rec, task->tid, (int)nr, exit ? NULL : args,
					       (int64_t)regs->rax);
				tracer_fire(t, task, h, rec, h->layout.size, NULL);
				break;
			case HOOK_RAW_SYS_ENTER:
			case HOOK_RAW_SYS_EXIT:
				if ((h->kind == HOOK_RAW_SYS_EXIT) == exit)
					tracer_fire(t, task, h, raw, sizeof(raw), NULL);
				break;
			case HOOK_KSYSCALL:
			case HOOK_KRETSYSCALL:
				if (h->nr == nr && (h->kind == HOOK_KRETSYSCALL) == exit)
					tracer_fire(t, task, h, &wrap, 21 * sizeof(uint64_t), &ov);
				break;
			case HOOK_UPROBE:
			case HOOK_URETPROBE:
				break; /* uprobe.c runs these */
			}
		}
	}
	*rc = ov.rc;
	return ov.set;
}

static void on_syscall_stop(struct bpfrt_tracer *t, struct task *task)
{
	struct syscall_stop_info si;
	struct user_regs_struct regs;
	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, task->tid, sizeof(si), &si) <= 0 ||
	    ptrace(PTRACE_GETREGS, task->tid, 0, &regs)) {
		tracer_resume(t, task, 0);
		return;
	}
	uint64_t rc;
	if (si.op == SYSCALL_STOP_EXIT && task->overridden) {
		/* skipped at its entry: the result is the program's, the number the call's */
		task->overridden = false;
		regs.rax = task->override_rc;
		ptrace(PTRACE_SETREGS, task->tid, 0, &regs);
		regs.orig_rax = (unsigned long long)task->override_nr;
	}
	long nr = (long)regs.orig_rax;
	bool known = nr >= 0 && nr < t->nsys;
	bool scan = t->scan_maps && maps_change(nr);
	if (si.op == SYSCALL_STOP_EXIT) {
		task->exit_wanted = false;
		if (t->raw_exit || (known && t->want_exit[nr]))
			syscall_hooks(t, task, &regs, true, &rc);
		if (scan && (int64_t)regs.rax >= 0)
			uprobes_place(t, task);
	} else if (si.op == SYSCALL_STOP_ENTRY || si.op == SYSCALL_STOP_SECCOMP) {
		task->overridden = false;
		if ((t->raw_enter || (known && t->want_enter[nr])) &&
		    syscall_hooks(t, task, &regs, false, &rc)) {
			/* bpf_override_return: not made; rax is set again at the exit stop */
			task->overridden = true;
			task->override_nr = nr;
			task->override_rc = rc;
			regs.orig_rax = (unsigned long long)-1;
			regs.rax = rc;
			if (ptrace(PTRACE_SETREGS, task->tid, 0, &regs))
				task->overridden = false; /* gone meanwhile */
		}
		task->exit_wanted = t->raw_exit || (known && t->want_exit[nr]) || scan ||
				    task->overridden;
	}
	tracer_resume(t, task, 0);
}

static void on_stop(struct bpfrt_tracer *t, pid_t tid, int status)
{
	struct task *task = tasks_add(&t->tasks, tid); /* a new child may report before its parent */
	if (!task) {
		rt_fail(t->rt, -ENOMEM, "task %d: out of memory; detaching it", tid);
		ptrace(PTRACE_DETACH, tid, 0, 0);
		return;
	}
	int sig = WSTOPSIG(status), event = (status >> 16) & 0xff;
	unsigned long msg = 0;
	struct task *child;
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		on_syscall_stop(t, task);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
		child = tasks_add(&t->tasks, (pid_t)msg);
		task = tasks_find(&t->tasks, tid); /* the set may have moved */
		if (!child) {
			rt_fail(t->rt, -ENOMEM, "task %lu: out of memory", msg);
		} else {
			child->tgid = proc_tgid(child->tid);
			if (child->tgid != task->tgid)
				uprobes_fork(t, task, child);
		}
		tracer_resume(t, task, 0);
		return;
	case PTRACE_EVENT_EXEC:
		/* A thread other than the leader that execs takes the leader's id. */
		ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
		if ((pid_t)msg != tid)
			tasks_remove(&t->tasks, (pid_t)msg);
		task = tasks_find(&t->tasks, tid);
		task->info_fresh = false;
		task->tgid = tid;
		uprobes_exec(t, task);
		tracer_resume(t, task, 0);
		return;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			ptrace(PTRACE_LISTEN, tid, 0, 0); /* group stop: stay stopped */
		else {
			uprobes_place(t, task); /* attached: the first chance to write to it */
			tracer_resume(t, task, 0); /* a new task's first stop, or our interrupt */
		}
		return;
	case 0:
		if (sig == (SIGTRAP | 0x80)) {
			on_syscall_stop(t, task);
			return;
		}
		if (sig == SIGTRAP && t->nsites && uprobes_on_trap(t, task))
			return;
		tracer_resume(t, task, sig); /* signal-delivery-stop: deliver it */
		return;
	default:
		tracer_resume(t, task, 0);
		return;
	}
}

/*
 * Stop every task (PTRACE_INTERRUPT), undo what probes changed in their
 * memory (return addresses, int3s) while all are stopped, and let them go
 * with any signal one was about to get.
 */
static void detach_all(struct bpfrt_tracer *t)
{
	for (size_t i = 0; i < t->tasks.n; i++)
		ptrace(PTRACE_INTERRUPT, t->tasks.v[i].tid, 0, 0);
	int *sigs = calloc(t->tasks.n ? t->tasks.n : 1, sizeof(int));
	for (size_t i = 0; i < t->tasks.n;) {
		int st;
		pid_t r = waitpid(t->tasks.v[i].tid, &st, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
			pid_t tid = t->tasks.v[i].tid;
			if (tid == t->main_pid && r > 0) {
				t->main_status = st;
				t->main_done = true;
			}
			tasks_remove(&t->tasks, tid); /* the last task moves to i */
			continue;
		}
		int sig = WSTOPSIG(st), event = (st >> 16) & 0xff;
		int pending = event == 0 && sig != (SIGTRAP | 0x80) ? sig : 0;
		if (pending == SIGTRAP && t->nsites) {
			uprobes_unhit(t, &t->tasks.v[i]);
			pending = 0; /* our int3, not the process's SIGTRAP */
		}
		if (sigs)
			sigs[i] = pending;
		i++;
	}
	for (size_t i = 0; t->agent_injected && i < t->tasks.n; i++) {
		if (t->tasks.v[i].tgid == t->main_pid) {
			inject_agent_detach(t, &t->tasks.v[i]); /* the original code back */
			break;
		}
	}
	for (size_t i = 0; i < t->tasks.n; i++)
		uprobes_restore(t, &t->tasks.v[i]);
	for (size_t i = 0; i < t->tasks.n; i++)
		ptrace(PTRACE_DETACH, t->tasks.v[i].tid, 0, sigs ? sigs[i] : 0);
	while (t->tasks.n)
		tasks_remove(&t->tasks, t->tasks.v[0].tid);
	free(sigs);
}

static void task_ended(struct bpfrt_tracer *t, pid_t tid, int status)
{
	if (tid == t->main_pid) {
		t->main_status = status;
		t->main_done = true;
	}
	struct task *task = tasks_find(&t->tasks, tid);
	pid_t tgid = task ? task->tgid : tid;
	tasks_remove(&t->tasks, tid);
	for (size_t i = 0; i < t->tasks.n; i++)
		if (t->tasks.v[i].tgid == tgid)
			return;
	uprobes_gone(t, tgid); /* its last thread */
}

int bpfrt_tracer__run(struct bpfrt_tracer *t)
{
	if (!t->main_pid)
		return rt_fail(t->rt, -EINVAL, "the tracer has no process: launch or attach first");
	while (t->agent_sys) { /* not traced: wait for the command and every orphan */
		int st;
		pid_t pid = waitpid(-1, &st, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid < 0)
			return rt_fail(t->rt, -errno, "waitpid: %s", strerror(errno));
		if (pid == t->main_pid) {
			t->main_done = true;
			t->main_status = st;
		}
	}
	while (t->tasks.n) {
		if (t->stop) {
			detach_all(t);
			break;
		}
		int st;
		pid_t tid = waitpid(-1, &st, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			return rt_fail(t->rt, -errno, "waitpid: %s", strerror(errno));
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			task_ended(t, tid, st);
			continue;
		}
		if (WIFSTOPPED(st))
			on_stop(t, tid, st);
	}
	report_unseen(t);
	return t->main_done ? t->main_status : -1;
}
