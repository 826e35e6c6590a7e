/* SPDX-License-Identifier: MIT */
/*
 * input.c - reading programs and memory for the command line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bpfrt/asm.h"
#include "cli.h"
#include "datafile.h"

int cli_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bpfrt: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

#define MAX_INPUT (64u << 20) /* no program or memory image is this large */

int cli_read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return cli_err("%s: %s", path, strerror(errno));
	struct stat st;
	if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return cli_err("%s: is a directory", path);
	}
	size_t cap = 4096, n = 0;
	uint8_t *b = malloc(cap + 1);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap >= MAX_INPUT) {
			free(b);
			if (f != stdin)
				fclose(f);
			return cli_err("%s: larger than %u MiB", path, MAX_INPUT >> 20);
		}
		cap *= 2;
		uint8_t *nb = realloc(b, cap + 1);
		if (!nb)
			free(b);
		b = nb;
	}
	bool ioerr = ferror(f);
	if (f != stdin)
		fclose(f);
	if (!b)
		return cli_err("%s: out of memory", path);
	if (ioerr) {
		free(b);
		return cli_err("%s: read error", path);
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Bytecode nearly always holds zero bytes (unused fields); text never does. */
static bool looks_like_text(const uint8_t *b, size_t n)
{
	return n && !memchr(b, 0, n);
}

int cli_read_prog(const char *path, struct cli_prog *p)
{
	memset(p, 0, sizeof(*p));
	uint8_t *buf;
	size_t len;
	if (cli_read_file(path, &buf, &len))
		return 1;
	int rc = 0;
	if (len >= 4 && !memcmp(buf, "\x7f" "ELF", 4)) {
		rc = cli_err("%s: is an ELF object; this command takes assembly text or raw "
			     "bytecode (extract a section with llvm-objcopy -O binary --only-section=NAME)",
			     path);
	} else if (looks_like_text(buf, len)) {
		if (strstr((char *)buf, "\n-- asm") || !strncmp((char *)buf, "-- asm", 6)) {
			struct datafile df;
			char e[512];
			if (datafile_read(path, &df, e, sizeof(e))) {
				rc = cli_err("%s", e);
			} else {
				if (datafile_program(&df, &p->insns, &p->cnt, e, sizeof(e))) {
					rc = cli_err("%s: %s", path, e);
				} else {
					p->mem = df.mem;
					p->mem_len = df.mem_len;
					p->has_mem = df.mem != NULL;
					df.mem = NULL;
				}
				datafile_free(&df);
			}
		} else {
			char e[512];
			if (bpfrt_asm((char *)buf, &p->insns, &p->cnt, e, sizeof(e)))
				rc = cli_err("%s: %s", path, e);
		}
	} else if (len == 0 || len % 8) {
		rc = cli_err("%s: raw bytecode must be a non-empty multiple of 8 bytes (got %zu)", path, len);
	} else {
		p->cnt = len / 8;
		p->insns = malloc(len);
		if (!p->insns)
			rc = cli_err("%s: out of memory", path);
		else
			memcpy(p->insns, buf, len);
	}
	free(buf);
	return rc;
}

void cli_prog_free(struct cli_prog *p)
{
	free(p->insns);
	free(p->mem);
	memset(p, 0, sizeof(*p));
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

int cli_read_mem(const char *opt, const char *arg, uint8_t **buf, size_t *len)
{
	struct stat st;
	if (stat(arg, &st) == 0)
		return cli_read_file(arg, buf, len);
	size_t n = strlen(arg);
	uint8_t *b = malloc(n / 2 + 1);
	if (!b)
		return cli_err("%s: out of memory", opt);
	size_t out = 0;
	const char *s = arg;
	if (!strncmp(s, "0x", 2))
		s += 2;
	while (*s) {
		if (isspace((unsigned char)*s) || *s == ',' || *s == ':') {
			s++;
			continue;
		}
		int hi = hexval((unsigned char)s[0]), lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return cli_err("%s: '%s' is neither a file nor hex bytes (bad digit at '%.8s')",
				       opt, arg, s);
		}
		b[out++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	*buf = b;
	*len = out;
	return 0;
}

bool cli_engine_option(const char *s, enum bpfrt_engine *engine, int *given)
{
	static const struct { const char *opt; enum bpfrt_engine engine; } opts[] = {
		{ "--checked", BPFRT_ENGINE_CHECKED },
		{ "--interp", BPFRT_ENGINE_INTERP },
		{ "--jit", BPFRT_ENGINE_JIT },
	};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(s, opts[i].opt)) {
			*engine = opts[i].engine;
			++*given;
			return true;
		}
	return false;
}

const char *cli_engine_name(enum bpfrt_engine engine)
{
	switch (engine) {
	case BPFRT_ENGINE_CHECKED: return "checked";
	case BPFRT_ENGINE_INTERP: return "interp";
	case BPFRT_ENGINE_JIT: return "jit";
	case BPFRT_ENGINE_JIT_OR_INTERP: return "jit_or_interp";
	default: return "default";
	}
}

int cli_parse_u64(const char *opt, const char *s, uint64_t *out)
{
	if (!s)
		return cli_err("%s needs a value", opt);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		return cli_err("%s: '%s' is not a non-negative integer", opt, s);
	*out = v;
	return 0;
}
