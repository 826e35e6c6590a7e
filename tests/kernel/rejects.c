/* SPDX-License-Identifier: MIT */
/* rejects.c - reader of kernel_rejects.txt; the format is in rejects.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rejects.h"

#define DIFFERS_TAG "differs:"

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int add(struct reject_list *list, const char *name, const char *reason,
	       enum reject_kind kind, int line)
{
	struct reject *v = realloc(list->v, (list->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	list->v = v;
	struct reject *r = &v[list->n];
	r->name = strdup(name);
	r->reason = strdup(reason);
	r->kind = kind;
	r->line = line;
	r->seen = false;
	if (!r->name || !r->reason) {
		free(r->name);
		free(r->reason);
		return -1;
	}
	list->n++;
	return 0;
}

int rejects_read(const char *path, struct reject_list *list, char *err, size_t errlen)
{
	memset(list, 0, sizeof(*list));
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	list->path = strdup(path);
	char buf[1024];
	int lineno = 0, rc = list->path ? 0 : -1;
	while (!rc && fgets(buf, sizeof(buf), f)) {
		lineno++;
		buf[strcspn(buf, "#\r\n")] = '\0';
		char *line = trim(buf), *colon = strchr(line, ':');
		if (!*line)
			continue;
		if (!colon) {
			snprintf(err, errlen, "%s:%d: expected 'name: reason'", path, lineno);
			rc = -1;
			break;
		}
		*colon = '\0';
		char *name = trim(line), *reason = trim(colon + 1);
		enum reject_kind kind = REJECT_VERIFIER;
		if (!strncmp(reason, DIFFERS_TAG, strlen(DIFFERS_TAG))) {
			kind = REJECT_DIFFERS;
			reason = trim(reason + strlen(DIFFERS_TAG));
		}
		if (!*name || !*reason) {
			snprintf(err, errlen, "%s:%d: empty name or reason", path, lineno);
			rc = -1;
		} else if (rejects_find(list, name)) {
			snprintf(err, errlen, "%s:%d: '%s' is listed twice", path, lineno, name);
			rc = -1;
		} else if (add(list, name, reason, kind, lineno)) {
			snprintf(err, errlen, "%s: out of memory", path);
			rc = -1;
		}
	}
	fclose(f);
	if (rc)
		rejects_free(list);
	return rc;
}

struct reject *rejects_find(struct reject_list *list, const char *name)
{
	for (size_t i = 0; i < list->n; i++)
		if (!strcmp(list->v[i].name, name))
			return &list->v[i];
	return NULL;
}

void rejects_free(struct reject_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].name);
		free(list->v[i].reason);
	}
	free(list->v);
	free(list->path);
	memset(list, 0, sizeof(*list));
}
