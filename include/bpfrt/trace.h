/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/trace.h - run an object's tracing programs on the hooks of user processes.
 *
 * A tracer takes a loaded object and attaches its programs to a process that
 * it launches or that is running already:
 *
 *   SEC("tracepoint/syscalls/sys_enter_NAME")  record laid out as the kernel's
 *   SEC("tracepoint/syscalls/sys_exit_NAME")   tracepoint format (tracefs)
 *   SEC("raw_tracepoint/sys_enter")            ctx: { struct pt_regs *, syscall nr }
 *   SEC("raw_tracepoint/sys_exit")             ctx: { struct pt_regs *, return value }
 *
 *   SEC("ksyscall/NAME"), SEC("kprobe/__x64_sys_NAME")   the call's function:
 *       ctx the registers of x86-64's syscall wrapper, di pointing at the
 *       user's struct pt_regs (BPF_KSYSCALL, PT_REGS_SYSCALL_REGS work)
 *   SEC("kretsyscall/NAME"), SEC("kretprobe/__x64_sys_NAME")   ctx: ax the result
 *
 *   SEC("uprobe/PATH:FUNC[+OFF]"), SEC("uretprobe/PATH:FUNC")   ctx: struct pt_regs
 *   SEC("usdt/PATH:PROVIDER:NAME")  a uprobe at every call site of the
 *       <sys/sdt.h> probe, with the site's argument specs in libbpf's
 *       __bpf_usdt_specs map under its attach cookie (bpf_usdt_arg() works
 *       unchanged); the probe's semaphore is raised while attached
 *
 * The mechanism is ptrace: a launched command gets a seccomp filter that
 * stops it only at the hooked system calls (the others run at full speed);
 * a running process (bpfrt_tracer__attach) is stopped at every system call.
 * Threads and children (fork, vfork, clone) are followed, exec is followed,
 * signals reach the target unchanged. Programs run in the tracer with the
 * stopped thread as their task (bpfrt_runtime__set_task): they see its ids,
 * name and memory. Uprobes are int3 breakpoints handled by the tracer, or,
 * with an agent (opts.agent_path), jumps patched into the launched command
 * that run the programs inside it.
 *
 *   struct bpfrt_tracer *t = bpfrt_tracer__new(obj, NULL);
 *   bpfrt_tracer__launch(t, argv);
 *   int status = bpfrt_tracer__run(t);
 */
#ifndef BPFRT_TRACE_H
#define BPFRT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_object;
struct bpfrt_tracer;

struct bpfrt_tracer_opts {
	size_t sz;              /* sizeof(struct bpfrt_tracer_opts) */
	const char *prog_name;  /* attach only this program (NULL: every program) */
	/* Called after each program run, e.g. to drain ring buffers. */
	void (*after_run)(void *ctx);
	void *ctx;
	/*
	 * Run uprobes inside a launched command instead of through ptrace
	 * breakpoints: the agent library (libbpfrt_agent.so) at this path is
	 * preloaded (LD_PRELOAD) with agent_env ("NAME=VALUE" entries, NULL
	 * terminated) added to the command's environment; it shares the
	 * object's maps with the tracer (see bpfrt_object_open_opts.pin_all_maps).
	 * Attached processes (-p) still get breakpoints.
	 */
	const char *agent_path;
	char *const *agent_env;
	/*
	 * With agent_path, for bpfrt_tracer__attach(): load the agent into the
	 * running process (dlopen() called through ptrace, every thread stopped)
	 * and start it with this "OBJ\nPIN_DIR\nSOCKET\nENGINE\nPROG[\nOVERRIDE]"
	 * text (OVERRIDE "1": allow_override in the process too); its
	 * patches are undone before detaching. NULL: breakpoints.
	 */
	const char *agent_config;
	/*
	 * With agent_path, for launched commands: the agent runs the system
	 * call hooks too (syscall user dispatch), the tracer none.
	 */
	bool agent_syscalls;
	/*
	 * Let programs call bpf_override_return(): at a system call's entry
	 * (ksyscall) the call is not made and returns the value; at a uprobe
	 * on a function's first instruction the function returns it at once.
	 * Without, an object with such a program is refused, as it is anywhere
	 * else (uretprobes, offsets, USDT, system call returns). The agent gets
	 * the same setting (agent_env, agent_config) from the caller.
	 */
	bool allow_override;
};

/**
 * bpfrt_tracer__new() - prepare the hooks of a loaded object's programs.
 *
 * Return: the tracer, or NULL with errno set: ENOENT when no program can be
 * attached here (or none is named prog_name), EINVAL for a section naming a
 * system call or tracepoint bpfrt does not know; the reason, naming the
 * program, in bpfrt_runtime__last_error().
 */
struct bpfrt_tracer *bpfrt_tracer__new(struct bpfrt_object *obj,
				       const struct bpfrt_tracer_opts *opts);

/**
 * bpfrt_tracer__launch() - start argv[0] (searched in PATH) with the hooks attached.
 * Return: its pid, or a negative errno.
 */
int bpfrt_tracer__launch(struct bpfrt_tracer *t, char *const argv[]);

/**
 * bpfrt_tracer__attach() - attach to a running process and all its threads.
 * Uprobes become breakpoints in the files it has mapped when it is attached
 * (and in libraries mapped later only when syscall hooks stop it anyway).
 * Return: 0, -ESRCH for a process that does not exist, -EPERM for one we may
 * not trace (or that another tracer holds), another negative errno.
 */
int bpfrt_tracer__attach(struct bpfrt_tracer *t, int pid);

/**
 * bpfrt_tracer__run() - run the hooks until every traced task has exited or
 * bpfrt_tracer__stop() was called (then every task is detached and left
 * running).
 *
 * Return: the wait status (as waitpid() reports it) of the launched command
 * or attached process, -1 when it was detached before it ended, or a negative
 * errno below -1 on failure.
 */
int bpfrt_tracer__run(struct bpfrt_tracer *t);

/** bpfrt_tracer__stop() - make run() detach and return; async-signal-safe. */
void bpfrt_tracer__stop(struct bpfrt_tracer *t);

/** bpfrt_tracer__hits() - how many times programs ran so far. */
uint64_t bpfrt_tracer__hits(const struct bpfrt_tracer *t);

/** bpfrt_tracer__free() - free the tracer (after run() returned). */
void bpfrt_tracer__free(struct bpfrt_tracer *t);

#ifdef __cplusplus
}
#endif
#endif
