/* SPDX-License-Identifier: MIT */
/*
 * trace_agent.h - bpfrt trace's side of the in-process agent (trace_agent.c).
 */
#ifndef BPFRT_CLI_TRACE_AGENT_H
#define BPFRT_CLI_TRACE_AGENT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

struct bpfrt_object;

struct trace_agent {
	bool ready;               /* prepared: the fields below are valid */
	char lib[PATH_MAX];
	char pin_dir[PATH_MAX];   /* the object's maps are shared through it */
	int rd, wr;               /* the agent's bpf_printk pipe (or accepted socket) */
	int listen_fd;            /* -p: the socket the injected agent connects to */
	char config[3 * PATH_MAX + 64]; /* -p: for bpfrt_tracer_opts.agent_config */
	char envbuf[8][PATH_MAX + 32];
	char *env[9];             /* for bpfrt_tracer_opts.agent_env */
	FILE *out;
	void (*tick)(void *);
	void *tick_ctx;
	pthread_t thread;
	bool reading;
	volatile bool done;
};

/*
 * attach: for a running process (a socket, a config text) rather than a
 * launched command (a pipe, the environment).
 * syscalls: the agent runs the system call hooks too (syscall user dispatch):
 * NULL no, "1" rewriting call sites, "sigsys" every call by signal.
 * stats: the agent reports how calls reached the hooks as each process exits.
 * allow_override: the agent lets programs call bpf_override_return (--allow-override).
 * Return: 0 when ready, 1 when there is no agent library (use ptrace), -1 on error.
 */
int trace_agent_prepare(struct trace_agent *a, const char *obj, const char *engine,
			const char *prog, bool attach, const char *syscalls, bool stats,
			bool allow_override);
/* After the launch: copy the agent's lines to out, calling tick between reads. */
int trace_agent_start(struct trace_agent *a, FILE *out, void (*tick)(void *), void *ctx);
/* After the run: the last lines, then unpin the shared maps. */
void trace_agent_finish(struct trace_agent *a, struct bpfrt_object *obj);

#endif
