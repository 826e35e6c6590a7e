/* SPDX-License-Identifier: MIT */
/*
 * cmd_trace.c - `bpfrt trace`: run an object's tracing programs on the system
 * calls of a command it launches or of a running process.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "bpfrt/trace.h"
#include "cli.h"
#include "trace_agent.h"

static const char usage[] =
	"Usage: bpfrt trace OBJ [--prog NAME] [--dump-maps] [--checked|--interp|--jit] [-o FILE] [--ptrace]\n"
	"                   [--inproc-syscalls[=sigsys]] [--allow-override] [-v] -- CMD [ARG...]\n"
	"       bpfrt trace OBJ [--prog NAME] [--dump-maps] [--checked|--interp|--jit] [-o FILE] [--agent]\n"
	"                   [--allow-override] -p PID\n"
	"\n"
	"Attach the programs of OBJ to a command (run until it and every process it\n"
	"started have exited; bpfrt then exits with the command's status) or to a\n"
	"running process and its threads (until it exits, or Ctrl-C detaches and\n"
	"leaves it running). Hooks: SEC(\"tracepoint/syscalls/sys_enter_NAME\"),\n"
	"sys_exit_NAME, SEC(\"raw_tracepoint/sys_enter\") and sys_exit, SEC(\"ksyscall/NAME\") and\n"
	"kretsyscall/NAME, or kprobe/__x64_sys_NAME and kretprobe/__x64_sys_NAME (the syscall\n"
	"wrapper's registers, as in Linux): ptrace stops, or in the command with --inproc-syscalls;\n"
	"SEC(\"uprobe/PATH:FUNC[+OFF]\"), SEC(\"uretprobe/PATH:FUNC\") and\n"
	"SEC(\"usdt/PATH:PROVIDER:NAME\") (<sys/sdt.h> probes: every call site, semaphores\n"
	"raised while attached, bpf_usdt_arg() of libbpf's usdt.bpf.h): run inside a launched\n"
	"command by the agent libbpfrt_agent.so (preloaded; maps shared in /dev/shm), or as\n"
	"ptrace breakpoints with --ptrace and for -p (there in the files mapped when bpfrt\n"
	"attaches; libraries loaded later are probed only when syscall hooks stop it anyway).\n"
	"\n"
	"  --prog NAME   attach only this program\n"
	"  --dump-maps   print the maps at the end, as `@map[key]: value`\n"
	"  --checked     run unverified, in the interpreter that checks every access\n"
	"                (default: verified at load, then native code)\n"
	"  --interp      the fast interpreter without run-time checks (verified programs)\n"
	"  --jit         native code only, no interpreter fallback (verified programs)\n"
	"  -o FILE       bpf_printk lines and ring buffer events go to FILE (default: stdout)\n"
	"  -p PID        attach to a running process\n"
	"  --ptrace      uprobes as breakpoints handled by bpfrt, not in the command\n"
	"  --agent       with -p: load the agent into the process (dlopen through ptrace) and\n"
	"                run its uprobes in it; undone when bpfrt detaches\n"
	"  --inproc-syscalls  run the system call hooks inside the launched command too (the\n"
	"                agent: no ptrace stop per call). Each call site first takes a signal\n"
	"                (syscall user dispatch), then is rewritten into a jump to the hooks\n"
	"                where it can be (glibc's wrappers); calls made before the agent starts\n"
	"                in each program (the loader's) are missed\n"
	"  --inproc-syscalls=sigsys  the same without rewriting: every call takes the signal\n"
	"  -v            with --inproc-syscalls: as each process exits, how its calls reached\n"
	"                the hooks (through rewritten sites, by signal)\n"
	"  --allow-override  let programs call bpf_override_return (refused without): at a\n"
	"                system call's entry (ksyscall, kprobe/__x64_sys_NAME) the call is not\n"
	"                made and returns the value; at a uprobe on a function's first\n"
	"                instruction the function returns it at once. Refused anywhere else\n"
	"                (returns, offsets, USDT), as Linux refuses all but function entries\n"
	"                (and uprobes altogether)\n";

int trace_print_event(FILE *out, const char *map, const void *data, size_t size);
int trace_print_map(FILE *out, const struct bpfrt_map *m);

struct trace_args {
	const char *obj, *prog, *out;
	enum bpfrt_engine engine; /* --checked, --interp, --jit */
	int engines;
	bool dump_maps, ptrace, agent, verbose, allow_override;
	const char *inproc_sys; /* NULL, "1" or "sigsys" (the agent's BPFRT_AGENT_SYSCALLS) */
	long pid;
	char **cmd;
};

static int parse(int argc, char **argv, struct trace_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--")) {
			a->cmd = &argv[i + 1];
			if (!a->cmd[0])
				return cli_err("trace: no command after --\n%s", usage);
			break;
		} else if (!strcmp(s, "--prog") || !strcmp(s, "-o") || !strcmp(s, "-p")) {
			if (++i >= argc)
				return cli_err("trace: %s needs a value", s);
			if (!strcmp(s, "-p")) {
				char *end;
				errno = 0;
				a->pid = strtol(argv[i], &end, 10);
				if (errno || *end || a->pid <= 0 || a->pid > 0x3fffffff)
					return cli_err("trace: -p: '%s' is not a process id", argv[i]);
			} else {
				*(!strcmp(s, "--prog") ? &a->prog : &a->out) = argv[i];
			}
		} else if (!strcmp(s, "--dump-maps")) {
			a->dump_maps = true;
		} else if (cli_engine_option(s, &a->engine, &a->engines)) {
			/* noted */
		} else if (!strcmp(s, "--ptrace")) {
			a->ptrace = true;
		} else if (!strcmp(s, "--inproc-syscalls")) {
			a->inproc_sys = "1";
		} else if (!strcmp(s, "--inproc-syscalls=sigsys")) {
			a->inproc_sys = "sigsys";
		} else if (!strcmp(s, "-v") || !strcmp(s, "--verbose")) {
			a->verbose = true;
		} else if (!strcmp(s, "--agent")) {
			a->agent = true;
		} else if (!strcmp(s, "--allow-override")) {
			a->allow_override = true;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			fputs(usage, stdout);
			exit(0);
		} else if (s[0] == '-') {
			return cli_err("trace: unknown option '%s'\n%s", s, usage);
		} else if (!a->obj) {
			a->obj = s;
		} else {
			return cli_err("trace: unexpected argument '%s' (put the command after --)", s);
		}
	}
	if (!a->obj)
		return cli_err("trace: no object given\n%s", usage);
	if (!a->cmd == !a->pid)
		return cli_err("trace: give either -p PID or -- CMD ARGS...\n%s", usage);
	if (a->engines > 1)
		return cli_err("trace: --checked, --interp and --jit exclude each other");
	if (a->inproc_sys && (a->ptrace || !a->cmd))
		return cli_err("trace: --inproc-syscalls is for launched commands, without --ptrace");
	if (a->verbose && !a->inproc_sys)
		return cli_err("trace: -v reports on --inproc-syscalls, which is not given");
	if (a->agent && (a->ptrace || !a->pid))
		return cli_err("trace: --agent is for -p (launched commands get the agent anyway), "
			       "and excludes --ptrace");
	return 0;
}

static FILE *event_out; /* where ring buffer events go: -o or stdout */

struct session {
	FILE *out;
	struct bpfrt_ring_buffer *rb;
	pthread_mutex_t lock; /* the agent's reader thread drains too */
};

static int on_event(void *ctx, void *data, size_t size)
{
	const struct bpfrt_map *m = ctx;
	return trace_print_event(event_out, bpfrt_map__name(m), data, size);
}

static void drain(void *ctx)
{
	struct session *s = ctx;
	if (!s->rb)
		return;
	pthread_mutex_lock(&s->lock);
	bpfrt_ring_buffer__consume(s->rb);
	pthread_mutex_unlock(&s->lock);
}

static struct bpfrt_tracer *active;
static bool detach_on_signal;

/* Attached: Ctrl-C detaches. Launched: the command gets the signal and decides. */
static void on_signal(int sig)
{
	(void)sig;
	if (detach_on_signal && active)
		bpfrt_tracer__stop(active);
}

static int add_ring_buffers(struct bpfrt_object *obj, struct session *s)
{
	const struct bpfrt_map *m = NULL;
	while ((m = bpfrt_object__next_map(obj, m))) {
		if (bpfrt_map__type(m) != BPFRT_MAP_TYPE_RINGBUF)
			continue;
		struct bpfrt_map *mm = (struct bpfrt_map *)m;
		int err = 0;
		if (!s->rb)
			s->rb = bpfrt_ring_buffer__new(mm, on_event, mm);
		else
			err = bpfrt_ring_buffer__add(s->rb, mm, on_event, mm);
		if (!s->rb || err)
			return cli_err("map '%s': cannot read the ring buffer", bpfrt_map__name(m));
	}
	return 0;
}

/*
 * The command was killed by a signal: end the same way (without a core
 * dump of bpfrt), so a shell or a parent sees what it would have seen
 * without the tracer.
 */
static void die_like(int sig)
{
	fflush(stdout);
	struct rlimit none = { 0, 0 };
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

int cmd_trace(int argc, char **argv)
{
	struct trace_args a;
	if (parse(argc, argv, &a))
		return 1;
	struct session s = { stdout, NULL, PTHREAD_MUTEX_INITIALIZER };
	struct trace_agent ag = { .rd = -1, .wr = -1 };
	if (a.out && !(s.out = fopen(a.out, "w")))
		return cli_err("trace: %s: %s", a.out, strerror(errno));
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .trace_output = s.out);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	if (!rt)
		return cli_err("trace: cannot create a runtime: %s", strerror(errno));
	int rc = 1, die_by = 0;
	struct bpfrt_tracer *t = NULL;
	enum bpfrt_engine engine = a.engine;
	const char *engine_name = cli_engine_name(engine);
	/* Launched commands run uprobes in-process, sharing every map through ag.pin_dir. */
	struct bpfrt_object *obj = NULL;
	if (((a.cmd && !a.ptrace) || a.agent) &&
	    trace_agent_prepare(&ag, a.obj, engine_name, a.prog,
				a.agent, a.inproc_sys, a.verbose, a.allow_override) < 0)
		goto out;
	if (a.inproc_sys && !ag.ready) {
		cli_err("trace: --inproc-syscalls: no agent library (libbpfrt_agent.so)");
		goto out;
	}
	BPFRT_OPTS(bpfrt_object_open_opts, oo, .pin_root_path = ag.ready ? ag.pin_dir : NULL,
		   .pin_all_maps = ag.ready);
	obj = bpfrt_object__open_file(rt, a.obj, &oo);
	if (!obj || bpfrt_object__load_engine(obj, engine))
		goto out; /* the runtime printed why */
	event_out = s.out;
	if (add_ring_buffers(obj, &s))
		goto out;
	BPFRT_OPTS(bpfrt_tracer_opts, to, .prog_name = a.prog, .after_run = drain, .ctx = &s,
		   .agent_path = ag.ready ? ag.lib : NULL, .agent_env = ag.ready ? ag.env : NULL,
		   .agent_config = ag.ready && a.agent ? ag.config : NULL,
		   .agent_syscalls = a.inproc_sys != NULL, .allow_override = a.allow_override);
	t = bpfrt_tracer__new(obj, &to);
	if (!t)
		goto out;
	/* No SA_RESTART: the signal must interrupt the tracer's wait. */
	active = t;
	detach_on_signal = a.pid != 0;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int err = a.pid ? bpfrt_tracer__attach(t, (int)a.pid) : bpfrt_tracer__launch(t, a.cmd);
	if (err < 0)
		goto out;
	if (a.pid)
		fprintf(stderr, "bpfrt: attached to process %ld; Ctrl-C detaches\n", a.pid);
	if (ag.ready && trace_agent_start(&ag, s.out, drain, &s))
		goto out;
	int status = bpfrt_tracer__run(t);
	trace_agent_finish(&ag, obj);
	if (status < -1)
		goto out;
	drain(&s);
	if (a.dump_maps) {
		fflush(s.out);
		const struct bpfrt_map *m = NULL;
		while ((m = bpfrt_object__next_map(obj, m)))
			trace_print_map(stdout, m);
	}
	if (status == -1)
		rc = 0; /* detached: the process goes on */
	else if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		rc = 128 + WTERMSIG(status), die_by = WTERMSIG(status);
	else
		rc = 0;
out:
	trace_agent_finish(&ag, obj);
	active = NULL;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	bpfrt_tracer__free(t);
	bpfrt_ring_buffer__free(s.rb);
	bpfrt_object__close(obj);
	bpfrt_runtime__free(rt);
	if (s.out != stdout)
		fclose(s.out);
	if (die_by)
		die_like(die_by);
	return rc;
}
