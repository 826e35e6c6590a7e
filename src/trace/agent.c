/* SPDX-License-Identifier: MIT */
/*
 * agent.c - libbpfrt_agent.so: the in-process side of `bpfrt trace`.
 *
 * bpfrt launches the command with this library in LD_PRELOAD. Before main()
 * its constructor opens the same object, sharing every map with bpfrt (all
 * maps pinned under one directory), loads the programs and patches each
 * uprobe site mapped in the process with a jump to a trampoline (tramp.c):
 * a probe hit is then a call inside the process, with no ptrace stop and no
 * context switch. bpf_printk lines go to a pipe bpfrt reads; counts and
 * ring buffer events are in the shared maps. Children inherit the patched
 * code and the agent; exec'd programs load it again from LD_PRELOAD.
 * Libraries loaded later are patched when ld.so has mapped them, before
 * their code can run (dlnotify.c), and marked seen in memory shared with
 * bpfrt, which reports the probes whose file no process ever loaded.
 *
 * Environment (set by bpfrt): BPFRT_AGENT_OBJ object path, BPFRT_AGENT_PIN
 * pin directory, BPFRT_AGENT_FD trace pipe, BPFRT_AGENT_ENGINE default, checked,
 * interp or jit, BPFRT_AGENT_PROG the only program (optional),
 * BPFRT_AGENT_SYSCALLS=1 to run the system call hooks here too (sud.c,
 * rewriting call sites), =sigsys the same without rewriting (every call
 * takes a signal), BPFRT_AGENT_STATS=1 to report how calls were hooked
 * when the process exits, BPFRT_AGENT_SEEN the shared memory of the sites
 * seen mapped (a memfd), BPFRT_AGENT_OVERRIDE=1 to let programs call
 * bpf_override_return (--allow-override; hooks.c says where).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "bpfrt/object.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"
#include "runtime/runtime.h"
#include "trace.h"
#include "tramp.h"
#include "sud.h"
#include "dlnotify.h"
#include <sys/syscall.h>

#define MAX_FRAMES 256

static struct {
	struct bpfrt_runtime *rt;
	struct bpfrt_object *obj;
	struct hook *hooks;
	size_t nhooks;
	struct probe_site *sites;
	size_t nsites;
	struct tramp_pool *pool;
	uint16_t **semas;   /* per site: the USDT semaphore raised while patched, or NULL */
	uint64_t *armed;    /* per site: the address patched in this process, or 0 */
	/* Pools of the libraries loaded after start-up, one per change, each sealed once written. */
	struct tramp_pool **later;
	size_t nlater;
	bool follow_loads;  /* launched command: patch libraries loaded later too */
	uint8_t *seen;      /* per site, shared with bpfrt: patched in some process */
	uint64_t ret_tramp;
	FILE *out;
	volatile bool detached; /* bpfrt is gone: probes run nothing */
} agent;

/* uretprobes in flight on this thread: the stack slots given the trampoline's address. */
/*
 * uretprobes in flight on this thread: the stack slots given the trampoline's
 * address. Allocated on a thread's first uretprobe; only a pointer and a
 * count are thread-local, initial-exec (no call per access) and small enough
 * for the static TLS surplus a dlopen()ed library may use (bpfrt trace -p).
 */
struct ret_frames {
	unsigned n;
	struct {
		uint64_t slot, ret;
		uint64_t site;
	} v[MAX_FRAMES];
};
static __thread struct ret_frames *frames __attribute__((tls_model("initial-exec")));
/* In a hit already: a probed function the hit itself calls (calloc) is skipped. */
static __thread bool in_hit __attribute__((tls_model("initial-exec")));

/* Run a site's programs; ov gets a bpf_override_return where the hook allows one. */
static void run_site(uint64_t site, enum hook_kind kind, struct tramp_regs *regs,
		     struct hook_override *ov)
{
	for (size_t i = 0; i < agent.nhooks; i++) {
		const struct hook *h = &agent.hooks[i];
		if (h->kind == kind && (uint64_t)h->site_idx == site)
			prog_run_hook(h->prog, regs, sizeof(*regs), h->cookie,
				      h->may_override ? ov : NULL, NULL);
	}
}

/*
 * A probe hit. Return: true when a program called bpf_override_return (at
 * a function's entry: hooks.c allows it nowhere else): the trampoline
 * returns from the function with regs->ax. The return address replaced for
 * a uretprobe first, the uretprobes see that value too.
 */
static bool on_hit(uint64_t site, struct tramp_regs *regs)
{
	int saved = errno; /* the probed code must not see a helper's errno */
	struct hook_override ov = { false, 0 };
	if (agent.detached || in_hit)
		return false;
	in_hit = true;
	if (agent.sites[site].entry)
		run_site(site, HOOK_UPROBE, regs, &ov);
	if (agent.sites[site].ret && agent.ret_tramp) {
		if (!frames)
			frames = calloc(1, sizeof(*frames)); /* freed with the process */
		if (frames && frames->n < MAX_FRAMES) {
			uint64_t *slot = (uint64_t *)(uintptr_t)regs->sp;
			frames->v[frames->n].slot = regs->sp;
			frames->v[frames->n].ret = *slot;
			frames->v[frames->n].site = site;
			frames->n++;
			*slot = agent.ret_tramp;
		}
	}
	if (ov.set)
		regs->ax = ov.rc;
	in_hit = false;
	errno = saved;
	return ov.set;
}

static uint64_t on_ret(struct tramp_regs *regs)
{
	int saved = errno;
	uint64_t slot = regs->sp;
	/* Frames deeper than this return were left by longjmp or exceptions. */
	while (frames->n > 1 && frames->v[frames->n - 1].slot < slot)
		frames->n--;
	if (!frames->n)
		abort(); /* cannot happen: only a replaced return address leads here */
	unsigned k = --frames->n;
	uint64_t ret = frames->v[k].ret;
	regs->ip = ret;
	regs->sp = slot + 8; /* as after the return */
	if (!agent.detached)
		run_site(frames->v[k].site, HOOK_URETPROBE, regs, NULL);
	errno = saved;
	return ret;
}

/*
 * A system call of the process (sud.c's handler): the tracepoint programs
 * get the record tracefs lays out, raw_tracepoint ones the registers and the
 * number (entry) or result (exit), ksyscall ones the syscall wrapper's
 * registers (di: the user's), as tracer.c gives them under ptrace, in the
 * same order. Return: true when a ksyscall program called
 * bpf_override_return at the entry: sud.c skips the call, its result
 * regs->rax (the exit hooks then see it).
 */
static bool on_syscall(struct user_regs_struct *regs, bool exit)
{
	if (agent.detached)
		return false;
	long nr = (long)regs->orig_rax;
	uint64_t args[TP_MAX_ARGS] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9 };
	uint64_t raw[2] = { (uint64_t)(uintptr_t)regs, exit ? regs->rax : (uint64_t)nr };
	struct user_regs_struct wrap;
	memset(&wrap, 0, sizeof(wrap));
	wrap.rdi = (uint64_t)(uintptr_t)regs;
	wrap.rax = exit ? regs->rax : 0;
	struct hook_override ov = { false, 0 };
	/* Linux: sys_enter tracepoints, then the call's function; its return, then sys_exit. */
	for (int pass = 0; pass < 2; pass++) {
		bool want_func = pass == (exit ? 0 : 1);
		for (size_t i = 0; i < agent.nhooks; i++) {
			const struct hook *h = &agent.hooks[i];
			uint8_t rec[TP_MAX_RECORD];
			if ((h->kind == HOOK_KSYSCALL || h->kind == HOOK_KRETSYSCALL) != want_func)
				continue;
			switch (h->kind) {
			case HOOK_SYS_ENTER:
			case HOOK_SYS_EXIT:
				if (h->nr != nr || (h->kind == HOOK_SYS_EXIT) != exit)
					break;
				tp_record_fill(&h->layout, rec, (int)syscall(SYS_gettid), (int)nr,
					       exit ? NULL : args, (int64_t)regs->rax);
				bpfrt_prog__run_ctx_cookie(h->prog, rec, h->layout.size, h->cookie, NULL);
				break;
			case HOOK_RAW_SYS_ENTER:
			case HOOK_RAW_SYS_EXIT:
				if ((h->kind == HOOK_RAW_SYS_EXIT) == exit)
					bpfrt_prog__run_ctx_cookie(h->prog, raw, sizeof(raw), h->cookie, NULL);
				break;
			case HOOK_KSYSCALL:
			case HOOK_KRETSYSCALL:
				if (h->nr == nr && (h->kind == HOOK_KRETSYSCALL) == exit)
					prog_run_hook(h->prog, &wrap, 21 * sizeof(uint64_t), h->cookie,
						      h->may_override ? &ov : NULL, NULL);
				break;
			case HOOK_UPROBE:
			case HOOK_URETPROBE:
				break;
			}
		}
	}
	if (ov.set)
		regs->rax = ov.rc;
	return ov.set;
}

static void agent_print(enum bpfrt_print_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == BPFRT_WARN && agent.out)
		fprintf(agent.out, "bpfrt agent (pid %d): %s\n", getpid(), msg);
}

static int add_site(struct hook *h)
{
	size_t i;
	for (i = 0; i < agent.nsites; i++)
		if (agent.sites[i].dev == h->site.dev && agent.sites[i].ino == h->site.ino &&
		    agent.sites[i].off == h->site.off)
			break;
	if (i == agent.nsites) {
		struct probe_site *v = realloc(agent.sites, (agent.nsites + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		agent.sites = v;
		agent.sites[agent.nsites++] = h->site;
	}
	agent.sites[i].entry |= h->kind == HOOK_UPROBE;
	agent.sites[i].ret |= h->kind == HOOK_URETPROBE;
	h->site_idx = (int)i;
	return 0;
}

/* Tell bpfrt that site i was mapped and patched (launched commands: BPFRT_AGENT_SEEN). */
static void mark_seen(size_t i)
{
	if (!agent.seen) {
		const char *env = agent.follow_loads ? getenv("BPFRT_AGENT_SEEN") : NULL;
		struct stat st;
		int fd = env ? atoi(env) : -1;
		if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size < agent.nsites)
			return; /* closed by the program: bpfrt may report the probe unseen */
		void *m = mmap(NULL, agent.nsites, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return;
		agent.seen = m;
	}
	__atomic_store_n(&agent.seen[i], 1, __ATOMIC_RELAXED);
}

/*
 * Patch the sites of this process's mappings not patched yet, with
 * trampolines from pool (a new pool when NULL, sealed after): at start-up,
 * alone, then after each change of the loaded libraries, before the new
 * ones can run (dlnotify.c). A library unloaded since took its patches and
 * semaphores with it: its sites are patched again if it comes back.
 */
static void arm_sites(struct tramp_pool *pool)
{
	bool fresh = !pool;
	for (size_t i = 0; i < agent.nsites; i++) {
		uint64_t addr;
		bool mapped = !procmaps_find(getpid(), agent.sites[i].dev, agent.sites[i].ino,
					     agent.sites[i].off, &addr);
		if (agent.armed[i] && (!mapped || addr != agent.armed[i])) {
			agent.armed[i] = 0;
			agent.semas[i] = NULL;
		}
		if (!mapped || agent.armed[i])
			continue; /* not in this program (an exec'd child may run another) */
		if (!pool) {
			struct tramp_pool **v = realloc(agent.later, (agent.nlater + 1) * sizeof(*v));
			if (!v || !(pool = tramp_pool_new())) {
				fprintf(agent.out, "bpfrt agent (pid %d): out of memory for the probes of a "
					"library loaded later\n", getpid());
				if (v)
					agent.later = v;
				return;
			}
			agent.later = v;
			agent.later[agent.nlater++] = pool;
		}
		char why[160];
		agent.armed[i] = addr; /* patched, or said why not: once per mapping */
		if (tramp_patch(pool, addr, i, on_hit, why, sizeof(why)) == 0) {
			mark_seen(i);
			/* The probed code tests its semaphore before preparing the arguments. */
			if (agent.sites[i].has_sema) {
				agent.semas[i] = (uint16_t *)(uintptr_t)(addr + agent.sites[i].sema_delta);
				__atomic_add_fetch(agent.semas[i], 1, __ATOMIC_RELAXED);
			}
		} else {
			for (size_t k = 0; k < agent.nhooks; k++)
				if (agent.hooks[k].site_idx == (int)i &&
				    (agent.hooks[k].kind == HOOK_UPROBE || agent.hooks[k].kind == HOOK_URETPROBE))
					fprintf(agent.out, "bpfrt agent (pid %d): program '%s': cannot patch "
						"0x%llx: %s; use --ptrace for this probe\n", getpid(),
						agent.hooks[k].name, (unsigned long long)addr, why);
		}
	}
	if (fresh && pool && tramp_pool_seal(pool))
		fprintf(agent.out, "bpfrt agent (pid %d): cannot make trampolines executable: %s\n",
			getpid(), strerror(errno));
}

static void on_loaded(void)
{
	bool was = sud_unhooked(true); /* the agent's calls are not the program's */
	if (agent.nsites)
		arm_sites(NULL);
	sud_modules_changed();
	sud_unhooked(was);
}

/* Start the system call hooks: rewritten sites skip them for numbers no program hooks. */
static int start_syscalls(bool rewrite)
{
	bool want[512] = { false }, all = false;
	for (size_t i = 0; i < agent.nhooks; i++) {
		const struct hook *h = &agent.hooks[i];
		if (h->kind == HOOK_UPROBE || h->kind == HOOK_URETPROBE)
			continue;
		if (h->nr >= 0 && h->nr < 512)
			want[h->nr] = true;
		else
			all = true; /* raw_tracepoint: every call */
	}
	if (!all)
		sud_want(want, 512);
	return sud_start(on_syscall, rewrite);
}

/* Load the object (maps shared through pin) and patch the probes; output to agent.out. */
static int start(const char *path, const char *pin, const char *engine, const char *only,
		 const char *syscalls, bool allow_override)
{
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .trace_output = agent.out, .print = agent_print);
	agent.rt = bpfrt_runtime__new(&ro);
	if (!agent.rt)
		return -errno;
	BPFRT_OPTS(bpfrt_object_open_opts, oo, .pin_root_path = pin, .pin_all_maps = true);
	agent.obj = bpfrt_object__open_file(agent.rt, path, &oo);
	enum bpfrt_engine e = engine && !strcmp(engine, "jit")       ? BPFRT_ENGINE_JIT
			      : engine && !strcmp(engine, "interp")  ? BPFRT_ENGINE_INTERP
			      : engine && !strcmp(engine, "checked") ? BPFRT_ENGINE_CHECKED
								     : BPFRT_ENGINE_DEFAULT;
	if (!agent.obj || bpfrt_object__load_engine(agent.obj, e))
		return -EINVAL; /* printed through agent_print */
	int err = hooks_build(agent.rt, agent.obj, only, allow_override, &agent.hooks, &agent.nhooks);
	for (size_t i = 0; !err && i < agent.nhooks; i++)
		if (agent.hooks[i].kind == HOOK_UPROBE || agent.hooks[i].kind == HOOK_URETPROBE)
			err = add_site(&agent.hooks[i]);
	bool any_sys = false, rewrite = syscalls && strcmp(syscalls, "sigsys");
	for (size_t i = 0; syscalls && !err && i < agent.nhooks; i++)
		any_sys |= hook_is_syscall(agent.hooks[i].kind);
	if (err || (!agent.nsites && !any_sys))
		return err;
	agent.pool = tramp_pool_new();
	agent.semas = calloc(agent.nsites + 1, sizeof(*agent.semas));
	agent.armed = calloc(agent.nsites + 1, sizeof(*agent.armed));
	if (!agent.pool || !agent.semas || !agent.armed)
		return -ENOMEM;
	for (size_t i = 0; i < agent.nsites; i++)
		if (agent.sites[i].ret)
			agent.ret_tramp = tramp_ret(agent.pool, on_ret);
	arm_sites(agent.pool);
	char why[256];
	/* Libraries loaded later: their probes, and their system call sites to rewrite. */
	if (agent.follow_loads && (agent.nsites || (any_sys && rewrite)) &&
	    dlnotify_start(agent.pool, on_loaded, why, sizeof(why)))
		fprintf(agent.out, "bpfrt agent (pid %d): libraries loaded from now on are not "
			"followed: %s\n", getpid(), why);
	err = tramp_pool_seal(agent.pool);
	return err || !any_sys ? err : start_syscalls(rewrite);
}

/* BPFRT_AGENT_STATS: how this process's system calls reached the hooks. */
static void print_stats(void)
{
	struct sud_stats st;
	sud_stats(&st);
	bool was = sud_unhooked(true); /* not calls of the program's */
	fprintf(agent.out, "bpfrt agent (pid %d): system calls hooked: %llu through %llu rewritten "
		"sites, %llu by signal\n", getpid(), (unsigned long long)st.rewritten_calls,
		(unsigned long long)st.rewritten_sites, (unsigned long long)st.signalled);
	fflush(agent.out);
	sud_unhooked(was);
}

/* Preloaded into a launched command: the settings come in the environment. */
__attribute__((constructor)) static void agent_init(void)
{
	const char *path = getenv("BPFRT_AGENT_OBJ"), *pin = getenv("BPFRT_AGENT_PIN");
	const char *fd = getenv("BPFRT_AGENT_FD"), *engine = getenv("BPFRT_AGENT_ENGINE");
	if (!path || !pin || !fd)
		return; /* loaded by bpfrt_tracer__attach: bpfrt_agent_attach() follows */
	agent.out = fdopen(dup(atoi(fd)), "w");
	if (!agent.out)
		return;
	/* Its own buffer: stdio would malloc one on the first line, maybe in a hook in malloc. */
	static char outbuf[BUFSIZ];
	setvbuf(agent.out, outbuf, _IOLBF, sizeof(outbuf));
	agent.follow_loads = true;
	const char *sys = getenv("BPFRT_AGENT_SYSCALLS"), *stats = getenv("BPFRT_AGENT_STATS");
	if (sys && strcmp(sys, "1") && strcmp(sys, "sigsys"))
		sys = NULL;
	const char *ov = getenv("BPFRT_AGENT_OVERRIDE");
	int err = start(path, pin, engine, getenv("BPFRT_AGENT_PROG"), sys, ov && !strcmp(ov, "1"));
	if (!err && sys && stats && !strcmp(stats, "1"))
		atexit(print_stats);
	if (err)
		fprintf(agent.out, "bpfrt agent (pid %d): not started: %s\n", getpid(), strerror(-err));
}

/*
 * Output to bpfrt's socket that never raises SIGPIPE in the traced process:
 * if bpfrt is gone, the lines are dropped.
 */
static ssize_t sock_write(void *cookie, const char *buf, size_t n)
{
	ssize_t w = send((int)(intptr_t)cookie, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return w < 0 ? (ssize_t)n : w;
}

static int sock_close(void *cookie)
{
	return close((int)(intptr_t)cookie);
}

/*
 * Loaded into a running process (bpfrt trace -p with the agent): bpfrt makes
 * the process call dlopen() and then this, with every thread stopped, so the
 * patching races with no one. config: "OBJ\nPIN\nSOCKET\nENGINE\nPROG[\nOVERRIDE]"
 * (PROG may be empty; OVERRIDE "1" allows bpf_override_return). Return: 0
 * or a negative errno (reported on the socket).
 */
__attribute__((visibility("default"))) int bpfrt_agent_attach(const char *config)
{
	char buf[4 * 4096 + 64], *f[6] = { 0 };
	snprintf(buf, sizeof(buf), "%s", config);
	/* strsep, not strtok: an empty PROG is a field, not a separator run */
	char *rest = buf;
	for (int i = 0; i < 6 && rest; i++)
		f[i] = strsep(&rest, "\n");
	if (!f[0] || !f[1] || !f[2] || !f[3] || !f[0][0] || !f[1][0] || !f[2][0] || !f[3][0])
		return -EINVAL;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f[2]);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;
		if (s >= 0)
			close(s);
		return -e;
	}
	agent.out = fopencookie((void *)(intptr_t)s, "w",
				(cookie_io_functions_t){ .write = sock_write, .close = sock_close });
	if (!agent.out) {
		close(s);
		return -ENOMEM;
	}
	/* Its own buffer: stdio would malloc one on the first line, maybe in a hook in malloc. */
	static char outbuf[BUFSIZ];
	setvbuf(agent.out, outbuf, _IOLBF, sizeof(outbuf));
	int err = start(f[0], f[1], f[3], f[4] && f[4][0] ? f[4] : NULL, false,
			f[5] && !strcmp(f[5], "1"));
	if (err)
		fprintf(agent.out, "bpfrt agent (pid %d): not started: %s\n", getpid(), strerror(-err));
	return err;
}

/*
 * bpfrt detaches: put the original instructions back. Trampolines stay for
 * threads inside one and for uretprobe returns still pending, which now
 * only return; no program runs after this.
 */
__attribute__((visibility("default"))) int bpfrt_agent_detach(void)
{
	agent.detached = true;
	int err = agent.pool ? tramp_unpatch_all(agent.pool) : 0;
	for (size_t i = 0; i < agent.nlater; i++)
		err = tramp_unpatch_all(agent.later[i]) ?: err;
	for (size_t i = 0; agent.semas && i < agent.nsites; i++)
		if (agent.semas[i])
			__atomic_sub_fetch(agent.semas[i], 1, __ATOMIC_RELAXED);
	if (agent.out)
		fflush(agent.out);
	return err;
}
