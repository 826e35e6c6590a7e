/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/asm.h"
#include "datafile.h"

enum section { S_NONE, S_ASM, S_RAW, S_MEM, S_RESULT, S_ERROR, S_OTHER };

static char *append(char *buf, const char *line)
{
	size_t old = buf ? strlen(buf) : 0, add = strlen(line);
	char *n = realloc(buf, old + add + 2);
	if (!n)
		return buf;
	memcpy(n + old, line, add);
	n[old + add] = '\n';
	n[old + add + 1] = '\0';
	return n;
}

static int add_mem_bytes(struct datafile *df, const char *line)
{
	for (const char *p = line; *p;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		char *end;
		unsigned long v = strtoul(p, &end, 16);
		if (end == p || v > 0xff)
			return -1;
		uint8_t *m = realloc(df->mem, df->mem_len + 1);
		if (!m)
			return -1;
		df->mem = m;
		df->mem[df->mem_len++] = (uint8_t)v;
		p = end;
	}
	return 0;
}

static int add_raw_words(struct datafile *df, const char *line)
{
	for (const char *p = line; *p;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		char *end;
		errno = 0;
		unsigned long long w = strtoull(p, &end, 0);
		if (end == p || errno)
			return -1;
		struct bpfrt_insn *r = realloc(df->raw, (df->raw_cnt + 1) * sizeof(*r));
		if (!r)
			return -1;
		df->raw = r;
		memcpy(&df->raw[df->raw_cnt++], &w, sizeof(w));
		p = end;
	}
	return 0;
}

int datafile_read(const char *path, struct datafile *df, char *err, size_t errlen)
{
	memset(df, 0, sizeof(*df));
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096];
	enum section s = S_NONE;
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "--", 2)) {
			const char *name = line + 2;
			while (*name == ' ')
				name++;
			s = !strcmp(name, "asm") ? S_ASM : !strcmp(name, "raw") ? S_RAW :
			    !strcmp(name, "mem") ? S_MEM : !strcmp(name, "result") ? S_RESULT :
			    !strcmp(name, "error") ? S_ERROR : S_OTHER;
			continue;
		}
		switch (s) {
		case S_ASM: df->asm_text = append(df->asm_text, line); break;
		case S_ERROR: if (line[0] != '#') df->error = append(df->error, line); break;
		case S_MEM:
			if (add_mem_bytes(df, line)) {
				snprintf(err, errlen, "%s:%d: bad hex byte in -- mem", path, lineno);
				rc = -1;
			}
			break;
		case S_RAW:
			if (add_raw_words(df, line)) {
				snprintf(err, errlen, "%s:%d: bad word in -- raw", path, lineno);
				rc = -1;
			}
			break;
		case S_RESULT: {
			const char *p = line;
			while (isspace((unsigned char)*p))
				p++;
			if (!*p || *p == '#')
				break;
			char *end;
			errno = 0;
			df->result = strtoull(p, &end, 0);
			if (end == p || errno) {
				snprintf(err, errlen, "%s:%d: bad -- result value", path, lineno);
				rc = -1;
			}
			df->has_result = true;
			break;
		}
		default: break;
		}
		if (rc)
			break;
	}
	fclose(f);
	if (!rc && !df->asm_text && !df->raw) {
		snprintf(err, errlen, "%s: no -- asm or -- raw section", path);
		rc = -1;
	}
	if (rc)
		datafile_free(df);
	return rc;
}

int datafile_program(const struct datafile *df, struct bpfrt_insn **insns, size_t *cnt,
		     char *err, size_t errlen)
{
	if (df->raw) {
		*insns = malloc(df->raw_cnt * sizeof(**insns));
		if (!*insns)
			return -1;
		memcpy(*insns, df->raw, df->raw_cnt * sizeof(**insns));
		*cnt = df->raw_cnt;
		return 0;
	}
	return bpfrt_asm(df->asm_text, insns, cnt, err, errlen) ? -1 : 0;
}

void datafile_free(struct datafile *df)
{
	free(df->asm_text);
	free(df->raw);
	free(df->mem);
	free(df->error);
	memset(df, 0, sizeof(*df));
}
