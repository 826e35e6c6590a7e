/* SPDX-License-Identifier: MIT */
/*
 * hooks.c - which hook each program of an object attaches to, from its section.
 *
 * The section names are libbpf's: "tracepoint/syscalls/sys_enter_write" (or
 * "tp/..."), "raw_tracepoint/sys_enter" (or "raw_tp/..."), "uprobe/PATH:FUNC",
 * "usdt/PATH:PROVIDER:NAME" (one uprobe hook per call site of the probe),
 * "ksyscall/NAME" and "kretsyscall/NAME" (or "kprobe/__x64_sys_NAME" and
 * "kretprobe/__x64_sys_NAME": the function Linux runs for the call on
 * x86-64, the only kernel functions a process reaches). Programs of other
 * types (xdp, socket filters...) are not for processes and are left out;
 * a tracing program whose target bpfrt cannot hook in a process is an error,
 * so a typo never silently traces nothing.
 *
 * bpf_override_return is checked here, where the hook is known: Linux lets
 * it run only from a kprobe at the entry of a function open to error
 * injection (every system call is), and refuses the program anywhere else,
 * uprobes included. bpfrt allows a system call's entry and, since it can
 * return from a user function as well as a kernel one, a uprobe at a
 * function's first instruction; never a return, an offset or a USDT site
 * (the function has run, or is half-way through). Even there it takes the
 * user's explicit --allow-override: it changes what the process computes.
 */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "bpfrt/prog.h"
#include "runtime/runtime.h"
#include "trace.h"

static int syscall_hook(struct bpfrt_runtime *rt, const char *prog, const char *target,
			struct hook *h)
{
	const char *ev = target + strlen("syscalls/");
	bool enter = !strncmp(ev, "sys_enter_", 10);
	if (!enter && strncmp(ev, "sys_exit_", 9))
		return rt_fail(rt, -EINVAL, "program '%s': tracepoint '%s' is not a system call's "
			       "entry or exit (sys_enter_NAME, sys_exit_NAME)", prog, target);
	const char *name = ev + (enter ? 10 : 9);
	h->kind = enter ? HOOK_SYS_ENTER : HOOK_SYS_EXIT;
	h->nr = syscall_nr(name);
	if (h->nr < 0)
		return rt_fail(rt, -EINVAL, "program '%s': x86-64 has no system call '%s'", prog, name);
	char why[256];
	int err = tp_layout_read(name, enter, &h->layout, why, sizeof(why));
	if (err)
		return rt_fail(rt, err, "program '%s': %s", prog, why);
	return 0;
}

/*
 * The full path of the file a section names. A file that cannot be found
 * is refused, as libbpf refuses to attach; one that exists but that the
 * process has not loaded (yet) is accepted, and probed once it is mapped.
 */
static int find_target(struct bpfrt_runtime *rt, const char *prog, const char *sec,
		       const char *file, char *path)
{
	if (!elf_find_file(file, path, PATH_MAX))
		return 0;
	const char *where = strchr(file, '/') ? ""
			    : strstr(file, ".so") ? "; looked in LD_LIBRARY_PATH, ld.so's directories and PATH"
						  : "; looked in ld.so's directories and PATH";
	return rt_fail(rt, -ENOENT, "program '%s': no file '%s' (section '%s')%s", prog, file, sec,
		       where);
}

/* "PATH:FUNC[+OFF]" (uretprobe: no offset) to a file and an offset in it. */
static int uprobe_hook(struct bpfrt_runtime *rt, const char *prog, const char *sec,
		       const char *target, struct hook *h)
{
	bool ret = !strncmp(sec, "uretprobe", 9);
	h->kind = ret ? HOOK_URETPROBE : HOOK_UPROBE;
	const char *colon = strrchr(target, ':');
	if (!colon || colon == target || !colon[1])
		return rt_fail(rt, -EINVAL, "program '%s': section '%s' does not name PATH:FUNCTION "
			       "(bpfrt trace attaches by section)", prog, sec);
	char file[PATH_MAX], func[256], path[PATH_MAX];
	snprintf(file, sizeof(file), "%.*s", (int)(colon - target), target);
	snprintf(func, sizeof(func), "%s", colon + 1);
	uint64_t extra = 0;
	char *plus = strchr(func, '+');
	if (plus) {
		char *end;
		*plus = '\0';
		errno = 0;
		extra = strtoull(plus + 1, &end, 0);
		if (errno || *end || plus[1] == '\0')
			return rt_fail(rt, -EINVAL, "program '%s': bad offset '%s' in section '%s'",
				       prog, plus + 1, sec);
		if (ret && extra)
			return rt_fail(rt, -EINVAL, "program '%s': a uretprobe is at a function's entry; "
				       "no offset (section '%s')", prog, sec);
	}
	if (find_target(rt, prog, sec, file, path))
		return -ENOENT;
	char why[PATH_MAX + 128];
	uint64_t off;
	int err = elf_func_offset(path, func, &off, why, sizeof(why));
	if (err)
		return rt_fail(rt, err, "program '%s': %s", prog, why);
	struct stat st;
	if (stat(path, &st))
		return rt_fail(rt, -errno, "program '%s': %s: %s", prog, path, strerror(errno));
	h->site.dev = st.st_dev;
	h->site.ino = st.st_ino;
	h->site.off = off + extra;
	h->site.entry = !ret;
	h->site.ret = ret;
	h->func_entry = !ret && extra == 0;
	return 0;
}

/*
 * "ksyscall/NAME" (name: NAME), "kprobe/__x64_sys_NAME" (name: after the
 * prefix), and their returns: the system call's entry or exit.
 */
static int ksyscall_hook(struct bpfrt_runtime *rt, const char *prog, const char *sec,
			 const char *name, bool ret, struct hook *h)
{
	h->kind = ret ? HOOK_KRETSYSCALL : HOOK_KSYSCALL;
	if (strchr(name, '+'))
		return rt_fail(rt, -EINVAL, "program '%s': section '%s': a system call is hooked at "
			       "its function's entry or return, not at an offset", prog, sec);
	h->nr = syscall_nr(name);
	if (h->nr < 0)
		return rt_fail(rt, -EINVAL, "program '%s': x86-64 has no system call '%s' (section '%s')",
			       prog, name, sec);
	return 0;
}

/* Why h cannot return early (NULL: it can), for the messages below. */
static const char *no_early_return(const struct hook *h)
{
	switch (h->kind) {
	case HOOK_KSYSCALL:
		return NULL;
	case HOOK_UPROBE:
		if (h->func_entry)
			return NULL;
		return !strncmp(h->sec, "usdt", 4) ? "a USDT probe, inside a function"
						   : "inside the function (an offset past its entry)";
	case HOOK_URETPROBE:
		return "a function's return: it has run already";
	case HOOK_KRETSYSCALL:
		return "a system call's return: it has run already";
	default:
		return "a tracepoint, not a function's entry";
	}
}

/* The bpf_override_return rules above, for the hook h of a loaded program. */
static int override_check(struct bpfrt_runtime *rt, struct hook *h, bool allow)
{
	const char *why = no_early_return(h);
	h->may_override = allow && !why;
	if (!prog_calls_helper(h->prog, 58 /* BPF_FUNC_override_return */))
		return 0;
	if (why)
		return rt_fail(rt, -EINVAL, "program '%s' calls bpf_override_return, but section '%s' "
			       "is %s; only a system call's entry (ksyscall/NAME, kprobe/__x64_sys_NAME) "
			       "or a uprobe at a function's entry can return early", h->name, h->sec, why);
	if (!allow)
		return rt_fail(rt, -EPERM, "program '%s' (section '%s') calls bpf_override_return, "
			       "which changes what the traced process's calls return; it runs only "
			       "when allowed explicitly (bpfrt trace --allow-override)", h->name, h->sec);
	return 0;
}

/* The hooks built so far, growing by one at a time. */
struct hook_list {
	struct hook *v;
	size_t n, cap;
	int next_spec; /* USDT: the next free id in __bpf_usdt_specs */
};

static struct hook *hook_push(struct bpfrt_runtime *rt, struct hook_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct hook *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv) {
			rt_fail(rt, -ENOMEM, "out of memory for the hooks");
			return NULL;
		}
		l->v = nv;
		l->cap = cap;
	}
	return &l->v[l->n];
}

/*
 * Give a USDT site's argument specs to the program: libbpf's usdt.bpf.h
 * looks them up in the map __bpf_usdt_specs under the attach cookie (the
 * kernel has cookies, so bpfrt says LINUX_HAS_BPF_COOKIE and never needs
 * its ip-to-spec map). An object that reads no arguments has no such map.
 */
static int usdt_spec_store(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *prog,
			   const struct usdt_note *note, int id)
{
	struct bpfrt_map *m = bpfrt_object__find_map_by_name(obj, "__bpf_usdt_specs");
	if (!m)
		return 0;
	struct usdt_spec spec;
	char why[512];
	int err = usdt_spec_parse(note->args, &spec, why, sizeof(why));
	if (err)
		return rt_fail(rt, err, "program '%s': USDT probe %s:%s: %s", prog, note->provider,
			       note->name, why);
	if (bpfrt_map__value_size(m) != sizeof(spec))
		return rt_fail(rt, -EINVAL, "program '%s': map __bpf_usdt_specs has %u-byte values, "
			       "not the %zu of libbpf's struct __bpf_usdt_spec", prog,
			       bpfrt_map__value_size(m), sizeof(spec));
	if ((uint32_t)id >= bpfrt_map__max_entries(m))
		return rt_fail(rt, -E2BIG, "program '%s': more USDT sites than __bpf_usdt_specs "
			       "holds (%u; BPF_USDT_MAX_SPEC_CNT)", prog, bpfrt_map__max_entries(m));
	err = bpfrt_map__update_elem(m, &id, sizeof(id), &spec, sizeof(spec), 0);
	if (err)
		return rt_fail(rt, err, "program '%s': cannot store the argument specs of USDT "
			       "probe %s:%s: %s", prog, note->provider, note->name, strerror(-err));
	return 0;
}

/*
 * "PATH:PROVIDER:NAME": a uprobe at every call site of the probe in the
 * file, each with its spec id as attach cookie.
 */
static int usdt_hooks(struct bpfrt_runtime *rt, struct bpfrt_object *obj,
		      const struct bpfrt_program *p, struct hook_list *l)
{
	const char *prog = bpfrt_program__name(p);
	const char *sec = bpfrt_program__section_name(p);
	const char *target = bpfrt_program__attach_target(p);
	const char *c2 = target ? strrchr(target, ':') : NULL;
	const char *c1 = c2 && c2 > target ? memrchr(target, ':', (size_t)(c2 - target)) : NULL;
	if (!c1 || c1 == target || c2 == c1 + 1 || !c2[1])
		return rt_fail(rt, -EINVAL, "program '%s': section '%s' does not name "
			       "usdt/PATH:PROVIDER:NAME (bpfrt trace attaches by section)", prog, sec);
	char file[PATH_MAX], provider[256], name[256], path[PATH_MAX];
	snprintf(file, sizeof(file), "%.*s", (int)(c1 - target), target);
	snprintf(provider, sizeof(provider), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	snprintf(name, sizeof(name), "%s", c2 + 1);
	if (find_target(rt, prog, sec, file, path))
		return -ENOENT;
	struct stat st;
	if (stat(path, &st))
		return rt_fail(rt, -errno, "program '%s': %s: %s", prog, path, strerror(errno));
	struct usdt_note *notes;
	size_t nnotes, found = 0;
	char why[PATH_MAX + 128];
	int err = usdt_notes_read(path, &notes, &nnotes, why, sizeof(why));
	if (err)
		return rt_fail(rt, err, "program '%s': %s", prog, why);
	for (size_t i = 0; i < nnotes && !err; i++) {
		const struct usdt_note *note = &notes[i];
		if (strcmp(note->provider, provider) || strcmp(note->name, name))
			continue;
		struct hook *h = hook_push(rt, l);
		if (!h) {
			err = -ENOMEM;
			break;
		}
		memset(h, 0, sizeof(*h));
		h->kind = HOOK_UPROBE;
		h->prog = bpfrt_program__prog(p);
		h->name = prog;
		h->nr = -1;
		h->site.dev = st.st_dev;
		h->site.ino = st.st_ino;
		h->site.off = note->off;
		h->site.entry = true;
		h->site.has_sema = note->sema != 0;
		h->site.sema_delta = note->sema - note->pc;
		h->cookie = (uint64_t)l->next_spec;
		h->sec = sec;
		err = usdt_spec_store(rt, obj, prog, note, l->next_spec);
		if (!err) {
			l->next_spec++;
			l->n++;
			found++;
		}
	}
	usdt_notes_free(notes, nnotes);
	if (!err && !found)
		err = rt_fail(rt, -ENOENT, "program '%s': %s has no USDT probe %s:%s", prog, path,
			      provider, name);
	return err;
}

static int hook_of(struct bpfrt_runtime *rt, const struct bpfrt_program *p, struct hook *h)
{
	const char *prog = bpfrt_program__name(p);
	const char *sec = bpfrt_program__section_name(p);
	const char *target = bpfrt_program__attach_target(p);
	memset(h, 0, sizeof(*h));
	h->prog = bpfrt_program__prog(p);
	h->name = prog;
	h->sec = sec;
	h->nr = -1;
	switch (bpfrt_program__type(p)) {
	case BPFRT_PROG_TYPE_TRACEPOINT:
		if (!strncmp(target, "syscalls/", 9))
			return syscall_hook(rt, prog, target, h);
		return rt_fail(rt, -EINVAL, "program '%s': tracepoint '%s' happens in the kernel, "
			       "not in a process; bpfrt trace hooks syscalls/sys_enter_* and sys_exit_*",
			       prog, target);
	case BPFRT_PROG_TYPE_RAW_TRACEPOINT:
		if (!strcmp(target, "sys_enter")) {
			h->kind = HOOK_RAW_SYS_ENTER;
			return 0;
		}
		if (!strcmp(target, "sys_exit")) {
			h->kind = HOOK_RAW_SYS_EXIT;
			return 0;
		}
		return rt_fail(rt, -EINVAL, "program '%s': raw tracepoint '%s' is not one bpfrt trace "
			       "hooks (sys_enter, sys_exit)", prog, target);
	case BPFRT_PROG_TYPE_KPROBE:
		if (!strncmp(sec, "usdt", 4))
			return -EAGAIN; /* many hooks: usdt_hooks() */
		if (!strncmp(sec, "uprobe", 6) || !strncmp(sec, "uretprobe", 9))
			return uprobe_hook(rt, prog, sec, target, h);
		if (!strncmp(sec, "ksyscall/", 9) || !strncmp(sec, "kretsyscall/", 12))
			return ksyscall_hook(rt, prog, sec, target, sec[1] == 'r', h);
		if ((!strncmp(sec, "kprobe/", 7) || !strncmp(sec, "kretprobe/", 10)) &&
		    !strncmp(target, "__x64_sys_", 10))
			return ksyscall_hook(rt, prog, sec, target + 10, sec[1] == 'r', h);
		return rt_fail(rt, -EINVAL, "program '%s': section '%s' probes the kernel; bpfrt trace "
			       "probes processes (uprobe/PATH:FUNC, uretprobe/PATH:FUNC, usdt/PATH:PROVIDER:NAME) "
			       "and their system calls (ksyscall/NAME, kprobe/__x64_sys_NAME)", prog, sec);
	default:
		return rt_fail(rt, -EINVAL, "program '%s': section '%s' is not a hook in a process "
			       "(tracepoint/syscalls/..., raw_tracepoint/sys_enter|sys_exit, uprobe, "
			       "uretprobe, usdt, ksyscall, kretsyscall)", prog, sec);
	}
}

static bool is_tracing(enum bpfrt_prog_type t)
{
	return t == BPFRT_PROG_TYPE_TRACEPOINT || t == BPFRT_PROG_TYPE_RAW_TRACEPOINT ||
	       t == BPFRT_PROG_TYPE_KPROBE || t == BPFRT_PROG_TYPE_TRACING;
}

int hooks_build(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *only,
		bool allow_override, struct hook **hooks, size_t *nhooks)
{
	struct hook_list l = { 0 };
	int err = 0;
	const struct bpfrt_program *p = NULL;
	while ((p = bpfrt_object__next_program(obj, p))) {
		if (only ? strcmp(bpfrt_program__name(p), only) : !is_tracing(bpfrt_program__type(p)))
			continue;
		if (!bpfrt_program__prog(p)) {
			err = rt_fail(rt, -EINVAL, "program '%s' is not loaded", bpfrt_program__name(p));
			break;
		}
		struct hook *h = hook_push(rt, &l);
		if (!h) {
			err = -ENOMEM;
			break;
		}
		size_t first = l.n;
		err = hook_of(rt, p, h);
		if (err == -EAGAIN)
			err = usdt_hooks(rt, obj, p, &l);
		else if (!err)
			l.n++;
		for (size_t i = first; !err && i < l.n; i++)
			err = override_check(rt, &l.v[i], allow_override);
		if (err)
			break;
	}
	if (!err && l.n == 0)
		err = only ? rt_fail(rt, -ENOENT, "object '%s' has no program '%s'",
				     bpfrt_object__name(obj), only)
			   : rt_fail(rt, -ENOENT, "object '%s' has no program for process hooks "
				     "(tracepoint/syscalls/..., raw_tracepoint/sys_enter|sys_exit, "
				     "uprobe, uretprobe, usdt, ksyscall, kretsyscall)",
				     bpfrt_object__name(obj));
	if (err) {
		free(l.v);
		return err;
	}
	*hooks = l.v;
	*nhooks = l.n;
	return 0;
}
