/* SPDX-License-Identifier: MIT */
/*
 * hooks.c - which hook each program of an object attaches to, from its section.
 *
 * The section names are libbpf's: "tracepoint/syscalls/sys_enter_write" (or
 * "tp/..."), "raw_tracepoint/sys_enter" (or "raw_tp/..."). Programs of other
 * types (xdp, socket filters...) are not for processes and are left out;
 * a tracing program whose target bpfrt cannot hook in a process is an error,
 * so a typo never silently traces nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
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
	if (elf_find_file(file, path, sizeof(path)))
		return rt_fail(rt, -ENOENT, "program '%s': no file '%s' (section '%s')", prog, file, sec);
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
	return 0;
}

static int hook_of(struct bpfrt_runtime *rt, const struct bpfrt_program *p, struct hook *h)
{
	const char *prog = bpfrt_program__name(p);
	const char *sec = bpfrt_program__section_name(p);
	const char *target = bpfrt_program__attach_target(p);
	memset(h, 0, sizeof(*h));
	h->prog = bpfrt_program__prog(p);
	h->name = prog;
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
		if (!strncmp(sec, "uprobe", 6) || !strncmp(sec, "uretprobe", 9))
			return uprobe_hook(rt, prog, sec, target, h);
		return rt_fail(rt, -EINVAL, "program '%s': section '%s' probes the kernel; bpfrt trace "
			       "probes processes (uprobe/PATH:FUNC, uretprobe/PATH:FUNC)", prog, sec);
	default:
		return rt_fail(rt, -EINVAL, "program '%s': section '%s' is not a hook in a process "
			       "(tracepoint/syscalls/..., raw_tracepoint/sys_enter|sys_exit, uprobe, "
			       "uretprobe)", prog, sec);
	}
}

static bool is_tracing(enum bpfrt_prog_type t)
{
	return t == BPFRT_PROG_TYPE_TRACEPOINT || t == BPFRT_PROG_TYPE_RAW_TRACEPOINT ||
	       t == BPFRT_PROG_TYPE_KPROBE || t == BPFRT_PROG_TYPE_TRACING;
}

int hooks_build(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *only,
		struct hook **hooks, size_t *nhooks)
{
	size_t n = 0, cap = 0;
	struct hook *v = NULL;
	int err = 0;
	const struct bpfrt_program *p = NULL;
	while ((p = bpfrt_object__next_program(obj, p))) {
		if (only ? strcmp(bpfrt_program__name(p), only) : !is_tracing(bpfrt_program__type(p)))
			continue;
		if (!bpfrt_program__prog(p)) {
			err = rt_fail(rt, -EINVAL, "program '%s' is not loaded", bpfrt_program__name(p));
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			struct hook *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				err = rt_fail(rt, -ENOMEM, "out of memory for the hooks");
				break;
			}
			v = nv;
		}
		err = hook_of(rt, p, &v[n]);
		if (err)
			break;
		n++;
	}
	if (!err && n == 0)
		err = only ? rt_fail(rt, -ENOENT, "object '%s' has no program '%s'",
				     bpfrt_object__name(obj), only)
			   : rt_fail(rt, -ENOENT, "object '%s' has no program for process hooks "
				     "(tracepoint/syscalls/..., raw_tracepoint/sys_enter|sys_exit, "
				     "uprobe, uretprobe)",
				     bpfrt_object__name(obj));
	if (err) {
		free(v);
		return err;
	}
	*hooks = v;
	*nhooks = n;
	return 0;
}
