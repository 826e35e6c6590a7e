/* SPDX-License-Identifier: MIT */
/*
 * uprobe.c - uprobes and uretprobes as int3 breakpoints, through ptrace.
 *
 * A probe is an int3 (0xcc) written over the first byte of the probed
 * instruction in each process that maps the file. When a thread hits it
 * (SIGTRAP, rip one past the int3) the tracer runs the programs with the
 * thread's registers as struct pt_regs (ip = the probed address, as the
 * kernel reports it), then executes the displaced instruction: a few common
 * function-entry instructions are emulated on the registers (endbr64, push,
 * mov %rsp,%rbp, nop); others run out of line, as the kernel does: a copy
 * (RIP-relative fields re-based) followed by a jump back, in a page mapped
 * into the process by making it call mmap from the vDSO's syscall
 * instruction. Only when that fails is the instruction single-stepped in
 * place with the original byte put back, and then another thread passing
 * the probe meanwhile is not seen.
 *
 * Files mapped later (a dlopen()ed library) are looked for again after each
 * mmap and mprotect; a breakpoint whose mapping went away (dlclose) is
 * dropped and placed again if the file comes back. A USDT semaphore is
 * raised once the file's data is mapped writable, as the kernel does.
 *
 * A uretprobe replaces the return address on the stack at function entry
 * with the address of a trampoline breakpoint (the executable's entry point,
 * which never runs again after start-up); hitting it pops the thread's
 * frame, puts the real return address in rip and runs the programs with the
 * return value in rax. Detaching writes back every replaced return address
 * and every displaced byte, so the process goes on as if never probed.
 *
 * A program at a function's entry that calls bpf_override_return (allowed
 * by hooks.c) makes the function return at once: rax takes the value and
 * the thread resumes at the return address, popped, as a ret would; the
 * displaced instruction never runs. A uretprobe's return address, replaced
 * first, leads to its trampoline, so uretprobes see the value too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include "runtime/runtime.h"
#include "trace.h"
#include "x86insn.h"

#define INT3 0xcc

static struct uproc *proc_find(struct bpfrt_tracer *t, pid_t tgid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].tgid == tgid)
			return &t->procs[i];
	return NULL;
}

static struct uproc *proc_get(struct bpfrt_tracer *t, pid_t tgid)
{
	struct uproc *p = proc_find(t, tgid);
	if (p)
		return p;
	if (t->nprocs == t->capprocs) {
		size_t cap = t->capprocs ? t->capprocs * 2 : 8;
		struct uproc *v = realloc(t->procs, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->procs = v;
		t->capprocs = cap;
	}
	bool *placed = calloc(t->nsites ? t->nsites : 1, sizeof(bool));
	bool *sema_up = calloc(t->nsites ? t->nsites : 1, sizeof(bool));
	if (!placed || !sema_up) {
		free(placed);
		free(sema_up);
		return NULL;
	}
	p = &t->procs[t->nprocs++];
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	p->placed = placed;
	p->sema_up = sema_up;
	p->agent = t->agent_uprobes; /* until an exec shows a static program */
	return p;
}

static void proc_clear(struct uproc *p)
{
	free(p->bps);
	free(p->placed);
	free(p->sema_up);
}

/* Bytes through the word-sized PEEK/POKE (which may write read-only text). */
static int peek_byte(pid_t tid, uint64_t addr, uint8_t *b)
{
	errno = 0;
	long w = ptrace(PTRACE_PEEKDATA, tid, (void *)(addr & ~7ull), 0);
	if (errno)
		return -errno;
	*b = (uint8_t)((uint64_t)w >> (8 * (addr & 7)));
	return 0;
}

static int poke_byte(pid_t tid, uint64_t addr, uint8_t b)
{
	uint64_t base = addr & ~7ull;
	unsigned shift = 8 * (unsigned)(addr & 7);
	errno = 0;
	uint64_t w = (uint64_t)ptrace(PTRACE_PEEKDATA, tid, (void *)base, 0);
	if (errno)
		return -errno;
	w = (w & ~(0xffull << shift)) | (uint64_t)b << shift;
	return ptrace(PTRACE_POKEDATA, tid, (void *)base, (void *)w) ? -errno : 0;
}

static int peek_word(pid_t tid, uint64_t addr, uint64_t *v)
{
	errno = 0;
	long w = ptrace(PTRACE_PEEKDATA, tid, (void *)addr, 0);
	if (errno)
		return -errno;
	*v = (uint64_t)w;
	return 0;
}

int poke_word(pid_t tid, uint64_t addr, uint64_t v)
{
	return ptrace(PTRACE_POKEDATA, tid, (void *)addr, (void *)v) ? -errno : 0;
}

/*
 * Add d to a USDT probe's semaphore, the 16-bit count at addr that the
 * probed code tests before preparing the probe's arguments: while above 0,
 * the guarded probes run. Return: 0 or a negative errno.
 */
static int sema_add(pid_t tid, uint64_t addr, int d)
{
	uint8_t b[2];
	int err = peek_byte(tid, addr, &b[0]);
	if (!err)
		err = peek_byte(tid, addr + 1, &b[1]);
	if (err)
		return err;
	uint16_t v = (uint16_t)(b[0] | b[1] << 8);
	v = (uint16_t)(v + d);
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	return poke_bytes(tid, addr, b, 2) ? -EFAULT : 0;
}

static struct bp *bp_find(struct uproc *p, uint64_t addr)
{
	for (size_t i = 0; i < p->nbps; i++)
		if (p->bps[i].addr == addr)
			return &p->bps[i];
	return NULL;
}

static int bp_insert(struct bpfrt_tracer *t, struct uproc *p, pid_t tid, uint64_t addr, int site)
{
	if (bp_find(p, addr))
		return 0; /* the trampoline at a probed entry point: one int3 serves both */
	if (p->nbps == p->capbps) {
		size_t cap = p->capbps ? p->capbps * 2 : 8;
		struct bp *v = realloc(p->bps, cap * sizeof(*v));
		if (!v)
			return rt_fail(t->rt, -ENOMEM, "process %d: out of memory for probes", p->tgid);
		p->bps = v;
		p->capbps = cap;
	}
	uint8_t orig;
	int err = peek_byte(tid, addr, &orig);
	if (!err)
		err = poke_byte(tid, addr, INT3);
	if (err)
		return rt_fail(t->rt, err, "process %d: cannot place a probe at 0x%llx: %s", p->tgid,
			       (unsigned long long)addr, strerror(-err));
	p->bps[p->nbps++] = (struct bp){ .addr = addr, .site = site, .orig = orig };
	return 0;
}

/* The executable's entry point, from the auxiliary vector. */
static uint64_t entry_point(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	uint64_t av[2], entry = 0;
	while (fread(av, sizeof(av), 1, f) == 1 && av[0] != AT_NULL)
		if (av[0] == AT_ENTRY)
			entry = av[1];
	fclose(f);
	return entry;
}

/* The breakpoint of site, or NULL (none, or the uretprobe trampoline's int3 serves it). */
static struct bp *bp_of_site(struct uproc *p, int site)
{
	for (size_t i = 0; i < p->nbps; i++)
		if (p->bps[i].site == site)
			return &p->bps[i];
	return NULL;
}

/*
 * Whether site i's breakpoint is still in place at addr, the address its
 * file's mapping now gives (mapped: there is one). A library unloaded
 * (dlclose) took the int3 with it, and one loaded again may be at the same
 * address without it: then the breakpoint, and the semaphore count that
 * went with the old data, are forgotten, to be placed again.
 */
static bool bp_still_in(struct uproc *p, pid_t tid, int i, bool mapped, uint64_t addr)
{
	struct bp *b = bp_of_site(p, i);
	uint8_t byte;
	if (!b)
		return true; /* shares the trampoline's int3, in the executable */
	if (mapped && b->addr == addr && !peek_byte(tid, addr, &byte) && byte == INT3)
		return true;
	*b = p->bps[--p->nbps];
	p->placed[i] = false;
	p->sema_up[i] = false;
	return false;
}

void uprobes_place(struct bpfrt_tracer *t, struct task *task)
{
	if (!t->nsites)
		return;
	struct uproc *p = proc_get(t, task->tgid);
	if (!p || p->agent)
		return;
	if (t->any_ret && !p->tramp_placed) {
		uint64_t entry = entry_point(task->tid);
		if (entry && bp_insert(t, p, task->tid, entry, -1) == 0) {
			p->tramp = entry;
			p->tramp_placed = true;
		}
	}
	for (size_t i = 0; i < t->nsites; i++) {
		const struct probe_site *s = &t->sites[i];
		uint64_t addr;
		bool mapped = !procmaps_find(task->tgid, s->dev, s->ino, s->off, &addr);
		if (p->placed[i] && !bp_still_in(p, task->tid, (int)i, mapped, addr))
			mapped = !procmaps_find(task->tgid, s->dev, s->ino, s->off, &addr);
		if (!mapped)
			continue;
		if (!p->placed[i] && bp_insert(t, p, task->tid, addr, (int)i) == 0) {
			p->placed[i] = true;
			__atomic_store_n(&t->seen[i], 1, __ATOMIC_RELAXED);
		}
		/*
		 * The semaphore, in the file's data segment, is raised once that
		 * is mapped writable: ld.so maps a library's text before its data
		 * (the kernel's uprobes wait for the same).
		 */
		if (!p->placed[i] || !s->has_sema || p->sema_up[i] ||
		    procmaps_file_writable(task->tgid, s->dev, s->ino, addr + s->sema_delta) != 1)
			continue;
		int err = sema_add(task->tid, addr + s->sema_delta, 1);
		if (err)
			rt_fail(t->rt, err, "process %d: cannot set the semaphore of the USDT probe "
				"at 0x%llx: %s", p->tgid, (unsigned long long)addr, strerror(-err));
		p->sema_up[i] = !err;
	}
}

/* Run the programs of site (entry or return ones) on the registers. */
/* Run the programs of a site; ov gets a bpf_override_return of an entry's. */
static void run_site(struct bpfrt_tracer *t, struct task *task, int site, bool ret,
		     struct user_regs_struct *regs, struct hook_override *ov)
{
	for (size_t i = 0; i < t->nhooks; i++) {
		const struct hook *h = &t->hooks[i];
		if (h->site_idx != site || h->kind != (ret ? HOOK_URETPROBE : HOOK_UPROBE))
			continue;
		/* The kernel's struct pt_regs is the first 21 words of user_regs_struct. */
		struct user_regs_struct copy = *regs;
		tracer_fire(t, task, h, &copy, 21 * sizeof(uint64_t), ov);
	}
}

static unsigned long long *push_reg(struct user_regs_struct *r, unsigned n)
{
	unsigned long long *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
			       &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };
	return regs[n & 15];
}

/*
 * Execute the instruction at regs->rip whose first byte is orig, by
 * emulation when it is a common function-entry one. Return: whether it was.
 */
static bool emulate(pid_t tid, struct user_regs_struct *regs, uint8_t orig)
{
	uint8_t b[4] = { orig, 0, 0, 0 };
	for (int i = 1; i < 4; i++)
		if (peek_byte(tid, regs->rip + (uint64_t)i, &b[i]))
			return false;
	if (b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa) { /* endbr64 */
		regs->rip += 4;
		return true;
	}
	if (b[0] == 0x90) { /* nop */
		regs->rip += 1;
		return true;
	}
	unsigned len = 0, reg = 0;
	if (b[0] >= 0x50 && b[0] <= 0x57) /* push r64 */
		len = 1, reg = b[0] - 0x50u;
	else if (b[0] == 0x41 && b[1] >= 0x50 && b[1] <= 0x57) /* push r8..r15 */
		len = 2, reg = 8 + b[1] - 0x50u;
	if (len) {
		uint64_t v = (uint64_t)*push_reg(regs, reg); /* push %rsp pushes the old value */
		if (poke_word(tid, regs->rsp - 8, v))
			return false;
		regs->rsp -= 8;
		regs->rip += len;
		return true;
	}
	if (b[0] == 0x48 && b[1] == 0x89 && b[2] == 0xe5) { /* mov %rsp,%rbp */
		regs->rbp = regs->rsp;
		regs->rip += 3;
		return true;
	}
	return false;
}

/*
 * Single-step the original instruction at addr; signals arriving meanwhile
 * are kept and returned for delivery. Return: -1 when the task died.
 */
static int step_over(struct bpfrt_tracer *t, struct task *task, struct bp *bp,
		     struct user_regs_struct *regs)
{
	pid_t tid = task->tid;
	uint64_t addr = bp->addr;
	uint8_t orig = bp->orig;
	int pending = 0;
	if (poke_byte(tid, addr, orig) || ptrace(PTRACE_SETREGS, tid, 0, regs))
		return 0;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, tid, 0, 0))
			return -1;
		int st;
		pid_t r;
		while ((r = waitpid(tid, &st, __WALL)) < 0 && errno == EINTR)
			;
		if (r < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
			if (r == t->main_pid && r > 0) {
				t->main_status = st;
				t->main_done = true;
			}
			return -1;
		}
		int sig = WSTOPSIG(st), event = (st >> 16) & 0xff;
		if (event == 0 && sig == SIGTRAP)
			break;
		if (event == 0 && sig != (SIGTRAP | 0x80))
			pending = sig; /* delivered after the step */
	}
	poke_byte(tid, addr, INT3);
	return pending;
}

/* The address of a syscall instruction in the process's vDSO, or 0. */
static uint64_t vdso_syscall(pid_t pid)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	uint64_t lo = 0, hi = 0;
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi) == 2)
			break;
	if (f)
		fclose(f);
	if (!lo || hi - lo > (1u << 16))
		return 0;
	uint8_t buf[1 << 16];
	struct iovec l = { buf, hi - lo }, r = { (void *)(uintptr_t)lo, hi - lo };
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)(hi - lo))
		return 0;
	for (uint64_t i = 0; i + 1 < hi - lo; i++)
		if (buf[i] == 0x0f && buf[i + 1] == 0x05)
			return lo + i;
	return 0;
}

/*
 * Make the stopped task call mmap() for a page near `near` (rel32 reach),
 * then put its registers back as they were. Return: the page, or 0.
 */
uint64_t inject_mmap(struct bpfrt_tracer *t, struct task *task, uint64_t near, int *pending)
{
	uint64_t sc = vdso_syscall(task->tid);
	struct user_regs_struct saved, r;
	if (!sc || ptrace(PTRACE_GETREGS, task->tid, 0, &saved))
		return 0;
	r = saved;
	r.rax = SYS_mmap;
	r.rdi = near > (1ull << 30) ? (near - (1ull << 28)) & ~0xfffull : 0; /* a hint, not fixed */
	r.rsi = 4096;
	r.rdx = PROT_READ | PROT_EXEC;
	r.r10 = MAP_PRIVATE | MAP_ANONYMOUS;
	r.r8 = (uint64_t)-1;
	r.r9 = 0;
	r.rip = sc;
	r.orig_rax = (uint64_t)-1; /* not in a system call: no restart of the one it was in */
	if (ptrace(PTRACE_SETREGS, task->tid, 0, &r))
		return 0;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, task->tid, 0, 0))
			return 0;
		int st;
		pid_t w;
		while ((w = waitpid(task->tid, &st, __WALL)) < 0 && errno == EINTR)
			;
		if (w < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == t->main_pid && w > 0) {
				t->main_status = st;
				t->main_done = true;
			}
			*pending = -1;
			return 0;
		}
		int sig = WSTOPSIG(st), event = (st >> 16) & 0xff;
		if (event == 0 && sig == SIGTRAP)
			break; /* past the syscall instruction */
		if (event == 0 && sig != (SIGTRAP | 0x80))
			*pending = sig; /* delivered later */
		/* seccomp or syscall stops: step on */
	}
	ptrace(PTRACE_GETREGS, task->tid, 0, &r);
	ptrace(PTRACE_SETREGS, task->tid, 0, &saved);
	return r.rip == sc + 2 && r.rax < (uint64_t)-4096 ? r.rax : 0;
}

/* Write n bytes into the process (a page we mapped read+exec: ptrace may write it). */
int poke_bytes(pid_t tid, uint64_t addr, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (poke_byte(tid, addr + i, b[i]))
			return -1;
	return 0;
}

/* Prepare bp's out-of-line copy: the instruction, re-based, and a jmp back. */
static void xol_prepare(struct bpfrt_tracer *t, struct uproc *p, struct task *task, struct bp *bp,
			int *pending)
{
	bp->xol_tried = true;
	uint8_t code[16];
	for (int i = 0; i < 16; i++)
		if (peek_byte(task->tid, bp->addr + (uint64_t)i, &code[i]))
			return;
	code[0] = bp->orig;
	struct x86_insn in;
	if (x86_decode(code, sizeof(code), &in))
		return;
	if (!p->xol_page && !p->xol_failed) {
		p->xol_page = inject_mmap(t, task, bp->addr, pending);
		p->xol_failed = !p->xol_page;
	}
	if (!p->xol_page || p->xol_used + 32 > 4096 || *pending < 0)
		return;
	uint64_t slot = p->xol_page + p->xol_used;
	uint8_t out[32];
	if (x86_relocate(code, bp->addr, out, slot, &in))
		return; /* out of rel32 reach */
	int64_t back = (int64_t)(bp->addr + in.len) - (int64_t)(slot + in.len + 5);
	if (back < INT32_MIN || back > INT32_MAX)
		return;
	out[in.len] = 0xe9;
	int32_t b32 = (int32_t)back;
	memcpy(out + in.len + 1, &b32, 4);
	if (poke_bytes(task->tid, slot, out, in.len + 5))
		return;
	p->xol_used += 32;
	bp->xol = slot;
}

bool uprobes_on_trap(struct bpfrt_tracer *t, struct task *task)
{
	struct uproc *p = proc_find(t, task->tgid);
	struct user_regs_struct regs;
	if (!p || ptrace(PTRACE_GETREGS, task->tid, 0, &regs))
		return false;
	uint64_t addr = regs.rip - 1;
	struct bp *bp = bp_find(p, addr);
	if (!bp)
		return false; /* not our int3: the process's own SIGTRAP */
	regs.rip = addr;
	if (bp->site < 0 && task->nframes) {
		/*
		 * A return through the trampoline: the frame whose slot the ret
		 * popped (rsp = slot + 8); deeper frames were left by longjmp.
		 */
		while (task->nframes > 1 && task->frames[task->nframes - 1].sp + 8 < regs.rsp)
			task->nframes--;
		struct ret_frame f = task->frames[--task->nframes];
		regs.rip = f.ret;
		ptrace(PTRACE_SETREGS, task->tid, 0, &regs);
		run_site(t, task, f.site, true, &regs, NULL);
		tracer_resume(t, task, 0);
		return true;
	}
	if (bp->site >= 0) {
		const struct probe_site *site = &t->sites[bp->site];
		struct hook_override ov = { false, 0 };
		if (site->entry)
			run_site(t, task, bp->site, false, &regs, &ov);
		uint64_t ret;
		if (site->ret && p->tramp_placed && !peek_word(task->tid, regs.rsp, &ret) &&
		    task_push_frame(task, (struct ret_frame){ regs.rsp, ret, bp->site }))
			poke_word(task->tid, regs.rsp, p->tramp);
		if (ov.set && !peek_word(task->tid, regs.rsp, &ret)) {
			/* returned at once, as a ret would: to the (maybe replaced) return address */
			regs.rax = ov.rc;
			regs.rip = ret;
			regs.rsp += 8;
			ptrace(PTRACE_SETREGS, task->tid, 0, &regs);
			tracer_resume(t, task, 0);
			return true;
		}
	}
	if (emulate(task->tid, &regs, bp->orig)) {
		ptrace(PTRACE_SETREGS, task->tid, 0, &regs);
		tracer_resume(t, task, 0);
		return true;
	}
	int pending = 0;
	if (!bp->xol_tried) {
		xol_prepare(t, p, task, bp, &pending);
		if (pending < 0)
			return true; /* the task died */
	}
	if (bp->xol) {
		regs.rip = bp->xol; /* the copy, which jumps back past the original */
		ptrace(PTRACE_SETREGS, task->tid, 0, &regs);
		tracer_resume(t, task, pending);
		return true;
	}
	pending = step_over(t, task, bp, &regs);
	if (pending >= 0)
		tracer_resume(t, task, pending);
	return true;
}

void uprobes_exec(struct bpfrt_tracer *t, struct task *task)
{
	task->nframes = 0;
	struct uproc *p = proc_find(t, task->tgid);
	if (p) {
		p->nbps = 0;
		p->tramp_placed = false;
		p->xol_page = 0; /* gone with the old image */
		p->xol_used = 0;
		p->xol_failed = false;
		memset(p->placed, 0, t->nsites * sizeof(bool));
		memset(p->sema_up, 0, t->nsites * sizeof(bool));
	}
	if (t->agent_uprobes) {
		/*
		 * A static program cannot preload the agent, and an attached
		 * process's new program never got it: breakpoints probe those.
		 */
		char exe[64];
		snprintf(exe, sizeof(exe), "/proc/%d/exe", task->tgid);
		p = proc_get(t, task->tgid);
		if (p)
			p->agent = !t->agent_injected && elf_has_interp(exe) != 0;
	}
	uprobes_place(t, task);
}

void uprobes_fork(struct bpfrt_tracer *t, const struct task *parent, struct task *child)
{
	struct uproc *pp = proc_find(t, parent->tgid);
	if (!pp)
		return;
	size_t idx = (size_t)(pp - t->procs);
	struct uproc *c = proc_get(t, child->tgid); /* may move procs */
	pp = &t->procs[idx];
	if (!c || c == pp)
		return;
	c->agent = pp->agent;
	if (!pp->nbps)
		return;
	struct bp *v = malloc(pp->nbps * sizeof(*v));
	if (!v)
		return;
	memcpy(v, pp->bps, pp->nbps * sizeof(*v));
	free(c->bps);
	c->bps = v;
	c->nbps = c->capbps = pp->nbps;
	memcpy(c->placed, pp->placed, t->nsites * sizeof(bool));
	memcpy(c->sema_up, pp->sema_up, t->nsites * sizeof(bool));
	c->tramp = pp->tramp;
	c->tramp_placed = pp->tramp_placed;
	c->xol_page = pp->xol_page; /* the copy of the address space has it too */
	c->xol_used = pp->xol_used;
	c->xol_failed = pp->xol_failed;
	task_copy_frames(child, parent);
}

void uprobes_gone(struct bpfrt_tracer *t, pid_t tgid)
{
	struct uproc *p = proc_find(t, tgid);
	if (!p)
		return;
	proc_clear(p);
	*p = t->procs[--t->nprocs];
}

void uprobes_unhit(struct bpfrt_tracer *t, struct task *task)
{
	struct uproc *p = proc_find(t, task->tgid);
	struct user_regs_struct regs;
	if (!p || ptrace(PTRACE_GETREGS, task->tid, 0, &regs) || !bp_find(p, regs.rip - 1))
		return;
	regs.rip--;
	if (regs.rip == p->tramp && p->tramp_placed && task->nframes) {
		while (task->nframes > 1 && task->frames[task->nframes - 1].sp + 8 < regs.rsp)
			task->nframes--;
		regs.rip = task->frames[--task->nframes].ret;
	}
	ptrace(PTRACE_SETREGS, task->tid, 0, &regs);
}

void uprobes_restore(struct bpfrt_tracer *t, struct task *task)
{
	for (size_t i = task->nframes; i-- > 0;)
		poke_word(task->tid, task->frames[i].sp, task->frames[i].ret);
	task->nframes = 0;
	struct uproc *p = proc_find(t, task->tgid);
	if (!p)
		return;
	for (size_t i = 0; i < p->nbps; i++) {
		const struct bp *b = &p->bps[i];
		poke_byte(task->tid, b->addr, b->orig);
		if (b->site >= 0 && p->sema_up[b->site]) /* as it was before we came */
			sema_add(task->tid, b->addr + t->sites[b->site].sema_delta, -1);
	}
	p->nbps = 0; /* once per process */
	memset(p->sema_up, 0, t->nsites * sizeof(bool));
}

void uprobes_free(struct bpfrt_tracer *t)
{
	for (size_t i = 0; i < t->nprocs; i++)
		proc_clear(&t->procs[i]);
	free(t->procs);
	free(t->sites);
}
