/* SPDX-License-Identifier: MIT */
/*
 * tpformat.c - the records of the syscall tracepoints, as tracefs describes them.
 *
 * A program compiled for tracepoint/syscalls/sys_enter_openat reads its
 * context at fixed offsets (struct trace_event_raw_sys_enter, or a struct the
 * author copied from the format file). The kernel publishes those offsets in
 * events/syscalls/<event>/format; reading them there, instead of assuming
 * them, keeps bpfrt's records identical to the kernel's on this machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "trace.h"

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* The layout of every x86-64 syscall event, for machines without tracefs. */
static void layout_default(struct tp_layout *l, bool enter)
{
	memset(l, 0, sizeof(*l));
	l->pid_off = 4;
	l->nr_off = 8;
	if (enter) {
		l->nargs = TP_MAX_ARGS;
		for (unsigned i = 0; i < TP_MAX_ARGS; i++)
			l->arg_off[i] = 16 + 8 * i;
		l->size = 16 + 8 * TP_MAX_ARGS;
	} else {
		l->ret_off = 16;
		l->size = 24;
	}
}

/* "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;" */
static bool parse_field(const char *line, char *name, size_t namelen, unsigned *off, unsigned *size)
{
	const char *f = strstr(line, "field:");
	if (!f)
		return false;
	const char *semi = strchr(f, ';');
	if (!semi)
		return false;
	const char *e = semi;
	while (e > f && (e[-1] == ' ' || e[-1] == ']')) {
		if (e[-1] == ']') /* arrays: "char comm[16]" */
			while (e > f && e[-1] != '[')
				e--;
		e--;
	}
	const char *b = e;
	while (b > f && b[-1] != ' ' && b[-1] != '*' && b[-1] != ':')
		b--;
	size_t n = (size_t)(e - b);
	if (n == 0 || n >= namelen)
		return false;
	memcpy(name, b, n);
	name[n] = '\0';
	const char *o = strstr(semi, "offset:"), *s = strstr(semi, "size:");
	return o && s && sscanf(o, "offset:%u", off) == 1 && sscanf(s, "size:%u", size) == 1;
}

int tp_layout_read(const char *name, bool enter, struct tp_layout *l, char *why, size_t whylen)
{
	FILE *f = NULL;
	char path[256];
	bool have_tracefs = false;
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]) && !f; i++) {
		snprintf(path, sizeof(path), "%s/events/syscalls", tracefs_dirs[i]);
		if (access(path, F_OK))
			continue;
		have_tracefs = true;
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_%s_%s/format", tracefs_dirs[i],
			 enter ? "enter" : "exit", name);
		f = fopen(path, "r");
	}
	layout_default(l, enter);
	if (!f) {
		if (!have_tracefs)
			return 0;
		snprintf(why, whylen, "the kernel has no tracepoint syscalls/sys_%s_%s",
			 enter ? "enter" : "exit", name);
		return -ENOENT;
	}
	char line[512], field[64];
	unsigned id = 0, off, size, end = 0, nargs = 0;
	bool after_nr = false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "ID: %u", &id) == 1)
			continue;
		if (!parse_field(line, field, sizeof(field), &off, &size))
			continue;
		if (off + size > end)
			end = off + size;
		if (!strcmp(field, "common_pid")) {
			l->pid_off = off;
		} else if (!strcmp(field, "__syscall_nr")) {
			l->nr_off = off;
			after_nr = true;
		} else if (!strcmp(field, "ret") && !enter) {
			l->ret_off = off;
		} else if (after_nr && enter && nargs < TP_MAX_ARGS) {
			l->arg_off[nargs++] = off;
		}
	}
	fclose(f);
	if (end > TP_MAX_RECORD) {
		snprintf(why, whylen, "%s: a record layout bpfrt does not expect", path);
		return -EINVAL;
	}
	l->id = (uint16_t)id;
	l->size = end;
	if (enter)
		l->nargs = nargs;
	return 0;
}

void tp_record_fill(const struct tp_layout *l, uint8_t *rec, int pid, int nr,
		    const uint64_t *args, int64_t ret)
{
	memset(rec, 0, l->size);
	memcpy(rec, &l->id, sizeof(l->id)); /* common_type; flags and preempt count stay 0 */
	memcpy(rec + l->pid_off, &pid, sizeof(pid));
	memcpy(rec + l->nr_off, &nr, sizeof(nr));
	if (args)
		for (unsigned i = 0; i < l->nargs; i++)
			memcpy(rec + l->arg_off[i], &args[i], sizeof(args[i]));
	else
		memcpy(rec + l->ret_off, &ret, sizeof(ret));
}
