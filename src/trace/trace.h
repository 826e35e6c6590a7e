/* SPDX-License-Identifier: MIT */
/*
 * trace.h (internal) - the pieces of the process tracer: hooks taken from an
 * object's sections, tracepoint record layouts, the traced tasks, seccomp.
 */
#ifndef BPFRT_TRACE_INTERNAL_H
#define BPFRT_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include "bpfrt/runtime.h"

struct bpfrt_object;
struct bpfrt_prog;

/* --- system call names (x86-64 numbers from <asm/unistd_64.h>) --- */

/* The number of system call name, or -1. */
int syscall_nr(const char *name);
/* The name of system call nr, or NULL. */
const char *syscall_name(int nr);
/* One past the highest system call number. */
int syscall_count(void);

/* --- tracepoint records --- */

#define TP_MAX_ARGS 6
#define TP_MAX_RECORD 128

/*
 * Where the fields of a syscall tracepoint's record lie, as the kernel's
 * format file (events/syscalls/sys_{enter,exit}_NAME/format) says.
 */
struct tp_layout {
	uint16_t id;         /* common_type: the event's ID (0 when tracefs is absent) */
	uint32_t size;       /* bytes of the record */
	uint32_t pid_off;    /* common_pid */
	uint32_t nr_off;     /* __syscall_nr */
	unsigned nargs;      /* enter: arguments */
	uint32_t arg_off[TP_MAX_ARGS];
	uint32_t ret_off;    /* exit: ret */
};

/*
 * Read the layout of sys_enter_NAME (enter) or sys_exit_NAME from tracefs;
 * without tracefs, the layout every syscall event of x86-64 has (header,
 * __syscall_nr at 8, 8-byte arguments or ret from 16) with six arguments.
 * Return: 0, or -ENOENT with why filled when tracefs has no such event.
 */
int tp_layout_read(const char *name, bool enter, struct tp_layout *l, char *why, size_t whylen);

/* Fill a record for l: header for pid, nr, and the arguments or the return value. */
void tp_record_fill(const struct tp_layout *l, uint8_t *rec, int pid, int nr,
		    const uint64_t *args, int64_t ret);

/* --- hooks --- */

enum hook_kind {
	HOOK_SYS_ENTER,     /* tracepoint/syscalls/sys_enter_NAME */
	HOOK_SYS_EXIT,      /* tracepoint/syscalls/sys_exit_NAME */
	HOOK_RAW_SYS_ENTER, /* raw_tracepoint/sys_enter */
	HOOK_RAW_SYS_EXIT,  /* raw_tracepoint/sys_exit */
	HOOK_UPROBE,        /* uprobe/PATH:FUNC[+OFF] */
	HOOK_URETPROBE,     /* uretprobe/PATH:FUNC */
	/*
	 * ksyscall/NAME, kprobe/__x64_sys_NAME: the system call's function at
	 * its entry, ctx the registers of x86-64's syscall wrapper, whose di
	 * points at the user's registers (struct pt_regs), as in Linux.
	 */
	HOOK_KSYSCALL,
	/* kretsyscall/NAME, kretprobe/__x64_sys_NAME: its return, ax the result. */
	HOOK_KRETSYSCALL,
};

/* Hooks on system calls (run by tracer.c, or by the agent through sud.c). */
static inline bool hook_is_syscall(enum hook_kind k)
{
	return k != HOOK_UPROBE && k != HOOK_URETPROBE;
}

/* A probed place in a file: the same in every process that maps it. */
struct probe_site {
	dev_t dev;
	ino_t ino;
	uint64_t off;   /* file offset of the probed instruction */
	bool entry;     /* has uprobe programs */
	bool ret;       /* has uretprobe programs */
	/*
	 * USDT: the probe's semaphore (a 16-bit count the probed code tests
	 * before preparing the arguments), kept above 0 while probes are in:
	 * its address less the probe's, both as the process maps them.
	 */
	bool has_sema;
	uint64_t sema_delta;
};

struct hook {
	enum hook_kind kind;
	struct bpfrt_prog *prog;
	const char *name;   /* the program's */
	int nr;             /* system call (-1: every one) */
	struct tp_layout layout;
	struct probe_site site; /* uprobes */
	int site_idx;       /* uprobes: index in the tracer's sites */
	uint64_t cookie;    /* bpf_get_attach_cookie(): USDT, the site's spec id */
	const char *sec;    /* the program's section, for messages */
	bool func_entry;    /* uprobe at a function's first instruction (not +OFF, not USDT) */
	/*
	 * bpf_override_return() may make the call return early here: allowed
	 * (--allow-override) at a system call's entry or a function's entry.
	 */
	bool may_override;
};

/* --- uprobe targets --- */

/* The file offset of func (a symbol of the ELF file path). */
int elf_func_offset(const char *path, const char *func, uint64_t *off, char *why, size_t whylen);
/* The full path of a file named in a section: as given, or searched like ld.so and PATH. */
int elf_find_file(const char *name, char *out, size_t outlen);
/* 1 when the executable at path has a dynamic linker (LD_PRELOAD works), 0 if not. */
int elf_has_interp(const char *path);
/* The address where process pid has mapped offset off of file (dev, ino) executable. */
int procmaps_find(pid_t pid, dev_t dev, ino_t ino, uint64_t off, uint64_t *addr);
/*
 * 1 when addr is in a writable private mapping of file (dev, ino) in process
 * pid (a USDT semaphore may be raised), 0 when not (yet), or a negative errno.
 */
int procmaps_file_writable(pid_t pid, dev_t dev, ino_t ino, uint64_t addr);

/* The file offset of virtual address vaddr of an ELF file (in an executable segment). */
struct Elf;
int elf_vaddr_to_offset(struct Elf *elf, uint64_t vaddr, uint64_t *off);

/* --- USDT probes (usdtnote.c, usdtarg.c) --- */

/* One USDT call site of a file, from its .note.stapsdt note. */
struct usdt_note {
	char *provider, *name;
	char *args;    /* argument specs, "-4@%edi 8@-8(%rbp) 4@$5" */
	uint64_t pc;   /* the probe's address, adjusted against .stapsdt.base */
	uint64_t off;  /* ... as a file offset */
	uint64_t sema; /* the semaphore's address, 0 if none */
};

/*
 * Every USDT note of the ELF file path. Return: 0, or a negative errno with
 * why filled (-ENOENT: the file has no notes).
 */
int usdt_notes_read(const char *path, struct usdt_note **notes, size_t *n, char *why,
		    size_t whylen);
void usdt_notes_free(struct usdt_note *notes, size_t n);

/*
 * The argument spec record of libbpf's <bpf/usdt.bpf.h> (struct
 * __bpf_usdt_spec, values of its __bpf_usdt_specs map), field for field.
 */
#define USDT_MAX_ARGS 12
enum usdt_arg_type { USDT_ARG_CONST, USDT_ARG_REG, USDT_ARG_REG_DEREF };
struct usdt_arg_spec {
	uint64_t val_off;  /* the constant, or the offset from the register's address */
	int32_t type;      /* enum usdt_arg_type */
	int16_t reg_off;   /* the register's offset in struct pt_regs */
	bool is_signed;
	int8_t bitshift;   /* 64 - 8 * size */
};
struct usdt_spec {
	struct usdt_arg_spec args[USDT_MAX_ARGS];
	uint64_t cookie;   /* the user's attach cookie (bpf_usdt_cookie()) */
	int16_t arg_cnt;
};

/* Parse a note's argument specs (x86-64). Return: 0, or -EINVAL with why filled. */
int usdt_spec_parse(const char *args, struct usdt_spec *spec, char *why, size_t whylen);

/*
 * The hooks of obj's loaded programs (only the one named only, if given).
 * A program calling bpf_override_return is refused unless allow_override,
 * and anywhere but a system call's entry or a function's entry.
 * Return: 0, or a negative errno after rt_fail() naming the program.
 */
int hooks_build(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *only,
		bool allow_override, struct hook **hooks, size_t *nhooks);

/* --- seccomp --- */

/*
 * Install, in the calling process, a filter that makes the system calls with
 * want[nr] set (every one when all) stop for the tracer (SECCOMP_RET_TRACE)
 * and lets the others run. Return: 0 or a negative errno.
 */
int seccomp_trace_install(const bool *want, int nwant, bool all);

/* --- traced tasks --- */

/* A uretprobe in flight: where the return address was replaced. */
struct ret_frame {
	uint64_t sp;   /* stack slot of the return address */
	uint64_t ret;  /* the real return address */
	int site;
};

struct task {
	pid_t tid;
	pid_t tgid;
	struct ret_frame *frames;
	size_t nframes, capframes;
	bool exit_wanted;     /* resume to the syscall-exit stop */
	/*
	 * bpf_override_return() at this call's entry: it was skipped (orig_rax
	 * -1); its exit stop sets rax to override_rc, and the exit hooks see
	 * the call as override_nr.
	 */
	bool overridden;
	long override_nr;
	uint64_t override_rc;
	bool info_fresh;      /* uid, gid and comm read since the last exec */
	int pending_sig;      /* a signal taken while bpfrt held the task, to deliver */
	struct bpfrt_task info;
};

struct task_set {
	struct task *v;
	size_t n, cap;
};

struct task *tasks_find(struct task_set *s, pid_t tid);
/* Add tid (or return it if known); NULL when out of memory. */
struct task *tasks_add(struct task_set *s, pid_t tid);
void tasks_remove(struct task_set *s, pid_t tid);
void tasks_free(struct task_set *s);
/* Push a uretprobe frame; false when out of memory. */
bool task_push_frame(struct task *t, struct ret_frame f);
/* Copy the frames of from to to (a fork's child has the parent's stack). */
bool task_copy_frames(struct task *to, const struct task *from);
/* The process (thread group) of thread tid, from /proc; tid itself when unknown. */
pid_t proc_tgid(pid_t tid);
/* The task's ids and name for the helpers, read from /proc when stale. */
const struct bpfrt_task *task_info(struct task *t);

/* --- the tracer --- */

/* A breakpoint (int3) in a process. */
struct bp {
	uint64_t addr;
	int site;      /* index in sites, or -1 for the uretprobe trampoline */
	uint8_t orig;  /* the byte the int3 replaced */
	bool xol_tried;
	uint64_t xol;  /* a copy of the displaced instruction, then a jump back; 0: none */
};

/* The breakpoints of one address space (a process, whatever its threads). */
struct uproc {
	pid_t tgid;
	struct bp *bps;
	size_t nbps, capbps;
	bool *placed;  /* per site */
	bool *sema_up; /* per site: its USDT semaphore raised (once its data is mapped) */
	bool tramp_placed;
	uint64_t tramp; /* where uretprobes return to: the executable's entry point */
	uint64_t xol_page; /* a page mapped in the process for displaced instructions */
	size_t xol_used;
	bool xol_failed;   /* it could not be mapped: single-step instead */
	bool agent;        /* the preloaded agent probes this process: no breakpoints */
};

struct bpfrt_tracer {
	struct bpfrt_runtime *rt;
	struct hook *hooks;
	size_t nhooks;
	int nsys;          /* size of want_enter / want_exit */
	bool *want_enter;  /* system calls with enter hooks */
	bool *want_exit;   /* ... with exit hooks */
	bool raw_enter, raw_exit, any_sys;
	bool every_syscall; /* attached: every system call stops (PTRACE_SYSCALL) */
	struct task_set tasks;
	pid_t main_pid;
	int main_status;
	bool main_done;
	volatile sig_atomic_t stop;
	uint64_t hits;
	void (*after_run)(void *ctx);
	void *ctx;
	/* uprobes */
	const char *agent_path;    /* in-process uprobes for launched commands */
	char *const *agent_env;
	bool agent_uprobes;        /* the launched command has uprobe hooks for the agent */
	bool agent_injected;       /* ... or the attached process got the agent by dlopen */
	const char *agent_config;  /* for the attached process */
	bool agent_sys;            /* the agent runs the system call hooks (sud.c) */
	uint64_t agent_page;       /* injected calls return to its int3 */
	uint64_t agent_detach_fn;  /* bpfrt_agent_detach() in the process */
	struct probe_site *sites;
	size_t nsites;
	/*
	 * Per site, set once any traced process had it mapped (by bpfrt's
	 * breakpoints or by an agent): shared memory (memfd) the agents of
	 * launched commands write too, so a probe whose file no process ever
	 * loaded is reported rather than silent.
	 */
	uint8_t *seen;
	int seen_fd;
	bool any_ret;        /* uretprobes: return addresses are replaced */
	bool scan_maps;      /* look for probed files after mmap/mprotect */
	struct uproc *procs; /* breakpoints, per address space */
	size_t nprocs, capprocs;
};

/*
 * Run a hook's program for task on a context; ov (NULL: none) receives a
 * bpf_override_return() where h->may_override.
 */
struct hook_override;
void tracer_fire(struct bpfrt_tracer *t, struct task *task, const struct hook *h, void *ctx,
		 uint32_t len, struct hook_override *ov);
/* Let task go on, delivering sig (0: none), stopping where the hooks need it. */
void tracer_resume(struct bpfrt_tracer *t, struct task *task, int sig);

/* --- uprobes through int3 breakpoints (uprobe.c) --- */

/* Place the breakpoints of every site mapped in task's process (task stopped). */
void uprobes_place(struct bpfrt_tracer *t, struct task *task);
/* task stopped with SIGTRAP: run the probe if it is ours and resume. Return: whether it was. */
bool uprobes_on_trap(struct bpfrt_tracer *t, struct task *task);
/* task's process exec'd: its breakpoints are gone with the old image. */
void uprobes_exec(struct bpfrt_tracer *t, struct task *task);
/* child (a new process) was forked by parent: it has a copy of its breakpoints. */
void uprobes_fork(struct bpfrt_tracer *t, const struct task *parent, struct task *child);
/* The process ended. */
void uprobes_gone(struct bpfrt_tracer *t, pid_t tgid);
/*
 * Detaching: task stopped at one of our int3s that was not handled yet; set
 * it back to run the original instruction (the hit is dropped).
 */
void uprobes_unhit(struct bpfrt_tracer *t, struct task *task);
/* Before detaching task (stopped): restore its stack and its process's code. */
void uprobes_restore(struct bpfrt_tracer *t, struct task *task);
void uprobes_free(struct bpfrt_tracer *t);

/* --- making a stopped task do things (uprobe.c, inject.c) --- */

/* mmap a read+exec page in task's process (near an address if possible); 0 on failure. */
uint64_t inject_mmap(struct bpfrt_tracer *t, struct task *task, uint64_t near, int *pending);
int poke_bytes(pid_t tid, uint64_t addr, const uint8_t *b, size_t n);
int poke_word(pid_t tid, uint64_t addr, uint64_t v);
/*
 * Load the agent into the attached process (every thread stopped) with
 * dlopen() and start it with config; remembers how to detach it.
 * Return: 0 or a negative errno after rt_fail() saying why.
 */
int inject_agent(struct bpfrt_tracer *t, struct task *task, const char *agent, const char *config);
/* Undo the agent's patches (every thread stopped) before detaching. */
void inject_agent_detach(struct bpfrt_tracer *t, struct task *task);

#endif
