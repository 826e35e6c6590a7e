/* SPDX-License-Identifier: MIT */
/*
 * parse.c - classic BPF programs as tcpdump prints them (-dd and -ddd).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/cbpf.h"

/* Up to max numbers (decimal or 0x hex) from a line; braces and commas are spaces. */
static int numbers(const char *line, size_t len, unsigned long long *v, int max, const char **bad)
{
	int n = 0;
	size_t i = 0;
	*bad = NULL;
	while (i < len) {
		char c = line[i];
		if (isspace((unsigned char)c) || c == '{' || c == '}' || c == ',') {
			i++;
			continue;
		}
		if (!isdigit((unsigned char)c) || n == max) {
			*bad = line + i;
			return -1;
		}
		char buf[32];
		size_t j = 0;
		while (i < len && j + 1 < sizeof(buf) && isalnum((unsigned char)line[i]))
			buf[j++] = line[i++];
		buf[j] = 0;
		char *end;
		errno = 0;
		v[n] = strtoull(buf, &end, 0);
		if (*end || errno) {
			*bad = buf[0] ? line + i - j : line + i;
			return -1;
		}
		n++;
	}
	return n;
}

int bpfrt_cbpf_parse(const char *text, const char *name, struct bpfrt_cbpf_insn **out, size_t *cnt,
		     char *err, size_t errlen)
{
	*out = NULL;
	*cnt = 0;
	struct bpfrt_cbpf_insn *prog = malloc(BPFRT_CBPF_MAXINSNS * sizeof(*prog));
	if (!prog) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	size_t n = 0, lineno = 0;
	long declared = -1; /* -ddd: the count on the first line */
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		lineno++;
		unsigned long long v[4];
		const char *bad;
		int got = numbers(p, len, v, 4, &bad);
		p += len + (eol ? 1 : 0);
		if (got == 0)
			continue;
		if (got == 1 && n == 0 && declared < 0) {
			declared = (long)v[0];
			continue;
		}
		const char *why = got < 0 ? "expected numbers like { 0x28, 0, 0, 0x0000000c }" :
				  got != 4 ? "an instruction has 4 fields: code, jt, jf, k" :
				  v[0] > 0xffff || v[1] > 0xff || v[2] > 0xff || v[3] > 0xffffffffull ?
				  "a field is out of range (code 16 bits, jt and jf 8, k 32)" :
				  n == BPFRT_CBPF_MAXINSNS ? "more than 4096 instructions" : NULL;
		if (why) {
			snprintf(err, errlen, "%s: line %zu: %s", name, lineno, why);
			free(prog);
			return -EINVAL;
		}
		prog[n++] = (struct bpfrt_cbpf_insn){ (uint16_t)v[0], (uint8_t)v[1], (uint8_t)v[2],
						      (uint32_t)v[3] };
	}
	if (declared >= 0 && (size_t)declared != n) {
		snprintf(err, errlen, "%s: the first line says %ld instructions, %zu follow", name,
			 declared, n);
		free(prog);
		return -EINVAL;
	}
	if (!n) {
		snprintf(err, errlen, "%s: no instructions", name);
		free(prog);
		return -EINVAL;
	}
	*out = prog;
	*cnt = n;
	return 0;
}
