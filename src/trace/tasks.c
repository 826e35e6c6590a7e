/* SPDX-License-Identifier: MIT */
/*
 * tasks.c - the threads a tracer follows, and what the task helpers report
 * for them (ids, uid/gid and name from /proc, refreshed after exec).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

struct task *tasks_find(struct task_set *s, pid_t tid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].tid == tid)
			return &s->v[i];
	return NULL;
}

struct task *tasks_add(struct task_set *s, pid_t tid)
{
	struct task *t = tasks_find(s, tid);
	if (t)
		return t;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct task *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	t = &s->v[s->n++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = tid; /* until /proc says otherwise */
	return t;
}

void tasks_remove(struct task_set *s, pid_t tid)
{
	struct task *t = tasks_find(s, tid);
	if (t) {
		free(t->frames);
		*t = s->v[--s->n];
	}
}

void tasks_free(struct task_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].frames);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

pid_t proc_tgid(pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "r");
	int tgid = tid;
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid:\t%d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

const struct bpfrt_task *task_info(struct task *t)
{
	if (t->info_fresh)
		return &t->info;
	char path[64], line[256];
	struct bpfrt_task *i = &t->info;
	memset(i, 0, sizeof(*i));
	i->pid = t->tid;
	i->tgid = t->tgid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
	FILE *f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned a;
			int tgid;
			if (!strncmp(line, "Name:\t", 6)) {
				size_t n = strcspn(line + 6, "\n");
				memcpy(i->comm, line + 6, n < sizeof(i->comm) ? n : sizeof(i->comm) - 1);
			} else if (sscanf(line, "Tgid:\t%d", &tgid) == 1) {
				t->tgid = i->tgid = tgid;
			} else if (sscanf(line, "Uid:\t%u", &a) == 1) {
				i->uid = a;
			} else if (sscanf(line, "Gid:\t%u", &a) == 1) {
				i->gid = a;
			}
		}
		fclose(f);
		t->info_fresh = true;
	}
	return i;
}

bool task_push_frame(struct task *t, struct ret_frame f)
{
	if (t->nframes == t->capframes) {
		size_t cap = t->capframes ? t->capframes * 2 : 16;
		struct ret_frame *v = realloc(t->frames, cap * sizeof(*v));
		if (!v)
			return false;
		t->frames = v;
		t->capframes = cap;
	}
	t->frames[t->nframes++] = f;
	return true;
}

bool task_copy_frames(struct task *to, const struct task *from)
{
	to->nframes = 0;
	for (size_t i = 0; i < from->nframes; i++)
		if (!task_push_frame(to, from->frames[i]))
			return false;
	return true;
}
