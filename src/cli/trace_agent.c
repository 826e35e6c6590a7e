/* SPDX-License-Identifier: MIT */
/*
 * trace_agent.c - `bpfrt trace`'s side of in-process uprobes: where the agent
 * library is, the directory the object's maps are shared through, the pipe
 * the agent's bpf_printk lines come back on and the thread that copies them
 * (and drains ring buffers) while the command runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "trace_agent.h"
#include "cli.h"

/* libbpfrt_agent.so beside the bpfrt executable, or $BPFRT_AGENT_LIB. */
static int find_lib(char *out, size_t len)
{
	const char *env = getenv("BPFRT_AGENT_LIB");
	if (env)
		return snprintf(out, len, "%s", env) < (int)len && !access(out, R_OK) ? 0 : -1;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (snprintf(out, len, "%s/libbpfrt_agent.so", self) >= (int)len)
		return -1;
	return access(out, R_OK) ? -1 : 0;
}

/* The socket an injected agent connects to, in the pin directory. */
static int listen_socket(struct trace_agent *a)
{
	if (mkdir(a->pin_dir, 0700) && errno != EEXIST)
		return -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/out.sock", a->pin_dir) >=
	    (int)sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(sa.sun_path);
	a->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (a->listen_fd < 0 || bind(a->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(a->listen_fd, 4))
		return -1;
	return 0;
}

int trace_agent_prepare(struct trace_agent *a, const char *obj, const char *engine,
			const char *prog, bool attach, const char *syscalls, bool stats,
			bool allow_override)
{
	memset(a, 0, sizeof(*a));
	a->rd = a->wr = a->listen_fd = -1;
	if (find_lib(a->lib, sizeof(a->lib)))
		return 1;
	const char *dir = getenv("BPFRT_PIN_DIR");
	dir = dir ? dir : "/dev/shm/bpfrt";
	if (mkdir(dir, 0755) && errno != EEXIST) { /* the loader makes only the last level */
		cli_err("trace: pin directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	snprintf(a->pin_dir, sizeof(a->pin_dir), "%s/trace.%d", dir, (int)getpid());
	char objpath[PATH_MAX];
	if (!realpath(obj, objpath)) {
		cli_err("trace: %s: %s", obj, strerror(errno));
		return -1;
	}
	if (attach) {
		if (listen_socket(a)) {
			cli_err("trace: socket in '%s': %s", a->pin_dir, strerror(errno));
			return -1;
		}
		snprintf(a->config, sizeof(a->config), "%s\n%s\n%s/out.sock\n%s\n%s\n%s", objpath,
			 a->pin_dir, a->pin_dir, engine, prog ? prog : "", allow_override ? "1" : "0");
		a->ready = true;
		return 0;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		cli_err("trace: pipe: %s", strerror(errno));
		return -1;
	}
	a->rd = p[0];
	/* The command's copy must survive exec; ours is closed after the launch. */
	a->wr = fcntl(p[1], F_DUPFD, 3);
	close(p[1]);
	if (a->wr < 0) {
		cli_err("trace: pipe: %s", strerror(errno));
		return -1;
	}
	size_t k = 0;
	snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_OBJ=%s", objpath);
	snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_PIN=%s", a->pin_dir);
	snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_FD=%d", a->wr);
	snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_ENGINE=%s", engine);
	if (prog)
		snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_PROG=%s", prog);
	if (syscalls)
		snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_SYSCALLS=%s", syscalls);
	if (stats)
		snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_STATS=1");
	if (allow_override)
		snprintf(a->envbuf[k++], sizeof(a->envbuf[0]), "BPFRT_AGENT_OVERRIDE=1");
	for (size_t i = 0; i < k; i++)
		a->env[i] = a->envbuf[i];
	a->env[k] = NULL;
	a->ready = true;
	return 0;
}

/* Copy whole lines from the pipe to out; tick between reads. */
static void *reader(void *arg)
{
	struct trace_agent *a = arg;
	char buf[8192];
	size_t have = 0;
	for (;;) {
		if (a->rd < 0) { /* -p: wait for the injected agent to connect */
			struct pollfd lp = { a->listen_fd, POLLIN, 0 };
			if (poll(&lp, 1, 50) > 0)
				a->rd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (a->tick)
				a->tick(a->tick_ctx);
			if (a->rd < 0 && a->done)
				break;
			continue;
		}
		struct pollfd pfd = { a->rd, POLLIN, 0 };
		int r = poll(&pfd, 1, 50);
		ssize_t n = 0;
		if (r > 0) {
			n = read(a->rd, buf + have, sizeof(buf) - have);
			if (n > 0)
				have += (size_t)n;
		}
		char *nl;
		size_t done = 0;
		while ((nl = memchr(buf + done, '\n', have - done))) {
			size_t len = (size_t)(nl - (buf + done)) + 1;
			flockfile(a->out);
			fwrite(buf + done, 1, len, a->out);
			fflush(a->out);
			funlockfile(a->out);
			done += len;
		}
		memmove(buf, buf + done, have - done);
		have -= done;
		if (have == sizeof(buf)) { /* a line longer than the buffer: pass it on as is */
			fwrite(buf, 1, have, a->out);
			have = 0;
		}
		if (a->tick)
			a->tick(a->tick_ctx);
		/* EOF (every copy closed), or bpfrt is done and nothing more is waiting. */
		if ((r > 0 && n == 0) || (a->done && r == 0))
			break;
	}
	return NULL;
}

int trace_agent_start(struct trace_agent *a, FILE *out, void (*tick)(void *), void *ctx)
{
	a->out = out;
	a->tick = tick;
	a->tick_ctx = ctx;
	if (a->wr >= 0)
		close(a->wr); /* only the command's copies are left */
	a->wr = -1;
	if (pthread_create(&a->thread, NULL, reader, a))
		return cli_err("trace: cannot start the thread reading the agent's output");
	a->reading = true;
	return 0;
}

/* Idempotent: the error path calls it again. */
void trace_agent_finish(struct trace_agent *a, struct bpfrt_object *obj)
{
	if (a->reading) {
		a->done = true;
		pthread_join(a->thread, NULL);
		a->reading = false;
	}
	if (a->rd >= 0)
		close(a->rd);
	if (a->wr >= 0)
		close(a->wr);
	if (a->listen_fd >= 0) {
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/out.sock", a->pin_dir);
		unlink(path);
		close(a->listen_fd);
	}
	a->rd = a->wr = a->listen_fd = -1;
	bool unpin = a->ready && obj && !access(a->pin_dir, F_OK);
	a->ready = false; /* finished: a second call does nothing */
	if (!unpin)
		return;
	const struct bpfrt_map *m = NULL;
	while ((m = bpfrt_object__next_map(obj, m))) {
		char path[PATH_MAX + 256];
		snprintf(path, sizeof(path), "%s/%s", a->pin_dir, bpfrt_map__name(m));
		bpfrt_map__unpin((struct bpfrt_map *)m, path);
	}
	rmdir(a->pin_dir);
}
