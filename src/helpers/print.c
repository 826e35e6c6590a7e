/* SPDX-License-Identifier: MIT */
/*
 * print.c - bpf_trace_printk, bpf_trace_vprintk, bpf_snprintf.
 *
 * The format language is the kernel's (bpf_bprintf_prepare): integer
 * conversions with l/ll, %p and %px, %pI4/%pI6 addresses, %s read fault-safely,
 * %c, %%, flags and widths; anything else is -EINVAL, as the kernel says. A
 * trace line carries the prefix fields of the kernel's trace_pipe: task name,
 * thread id, CPU, timestamp.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include "runtime/runtime.h"

#define MAX_ARGS 12  /* the kernel's MAX_BPRINTF_VARARGS */
#define MAX_LINE 1024

struct sink {
	char *buf;
	uint64_t size, len; /* len counts what would be written */
};

static void put_char(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_str(struct sink *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_char(s, p[i]);
}

long bpf_format(struct bpfrt_exec *ex, char *out, uint64_t out_size, const char *fmt,
		uint64_t fmt_size, const uint64_t *args, uint32_t nargs)
{
	struct sink s = { out, out_size, 0 };
	if (!fmt || fmt_size == 0 || !memchr(fmt, 0, fmt_size))
		return -EINVAL; /* the kernel needs the format NUL-terminated within fmt_size */
	uint32_t used = 0;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put_char(&s, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			put_char(&s, '%');
			continue;
		}
		/* flags, width, precision */
		char spec[32] = "%";
		size_t k = 1;
		while (strchr("-+ 0#", *p) && k < 8)
			spec[k++] = *p++;
		while (isdigit((unsigned char)*p) && k < 16)
			spec[k++] = *p++;
		if (*p == '.') {
			spec[k++] = *p++;
			while (isdigit((unsigned char)*p) && k < 24)
				spec[k++] = *p++;
		}
		if (used >= nargs)
			return -EINVAL; /* more conversions than arguments */
		uint64_t a = args[used++];
		char tmp[128];
		int n = 0;
		if (*p == 'p') {
			if (p[1] == 'I' && (p[2] == '4' || p[2] == '6')) {
				uint8_t ip[16];
				bool v6 = p[2] == '6';
				if (probe_copy(ip, (const void *)(uintptr_t)a, v6 ? 16 : 4))
					memset(ip, 0, sizeof(ip));
				if (v6)
					n = snprintf(tmp, sizeof(tmp), "%x:%x:%x:%x:%x:%x:%x:%x",
						     ip[0] << 8 | ip[1], ip[2] << 8 | ip[3], ip[4] << 8 | ip[5],
						     ip[6] << 8 | ip[7], ip[8] << 8 | ip[9], ip[10] << 8 | ip[11],
						     ip[12] << 8 | ip[13], ip[14] << 8 | ip[15]);
				else
					n = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
				p += 2;
			} else {
				if (p[1] == 'x' || p[1] == 'K')
					p++;
				n = snprintf(tmp, sizeof(tmp), "0x%" PRIx64, a);
			}
			put_str(&s, tmp, (size_t)n);
			continue;
		}
		if (*p == 's') {
			char str[MAX_LINE];
			if (probe_copy_any_str(ex, str, (const void *)(uintptr_t)a, sizeof(str)) < 0)
				strcpy(str, "(fault)");
			spec[k++] = 's';
			spec[k] = '\0';
			char w[MAX_LINE + 64];
			n = snprintf(w, sizeof(w), spec, str);
			put_str(&s, w, n < (int)sizeof(w) ? (size_t)n : sizeof(w) - 1);
			continue;
		}
		if (*p == 'c') {
			spec[k++] = 'c';
			spec[k] = '\0';
			n = snprintf(tmp, sizeof(tmp), spec, (int)(uint8_t)a);
			put_str(&s, tmp, (size_t)n);
			continue;
		}
		int longs = 0;
		while (*p == 'l' && longs < 2) {
			longs++;
			p++;
		}
		if (!strchr("diuxX", *p) || !*p)
			return -EINVAL;
		memcpy(spec + k, "ll", 2);
		k += 2;
		spec[k++] = *p;
		spec[k] = '\0';
		bool is_signed = *p == 'd' || *p == 'i';
		/* Without l, the kernel formats the low 32 bits. */
		long long sv = longs ? (long long)a : (long long)(int32_t)a;
		unsigned long long uv = longs ? a : (uint32_t)a;
		n = is_signed ? snprintf(tmp, sizeof(tmp), spec, sv) : snprintf(tmp, sizeof(tmp), spec, uv);
		put_str(&s, tmp, (size_t)n);
	}
	if (s.size)
		s.buf[s.len < s.size ? s.len : s.size - 1] = '\0';
	return (long)s.len;
}

/* One line in the layout of the kernel's trace_pipe. */
static long trace_line(struct bpfrt_exec *ex, const char *fmt, uint64_t fmt_size,
		       const uint64_t *args, uint32_t nargs)
{
	char msg[MAX_LINE];
	long n = bpf_format(ex, msg, sizeof(msg), fmt, fmt_size, args, nargs);
	if (n < 0)
		return n;
	size_t len = strlen(msg);
	if (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	char comm[17] = "";
	int tid;
	const struct bpfrt_task *t = rt_task(ex->rt);
	if (t) {
		memcpy(comm, t->comm, sizeof(t->comm));
		tid = t->pid;
	} else {
		prctl(PR_GET_NAME, comm);
		tid = gettid();
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int cpu = sched_getcpu();
	FILE *out = rt_trace_output(ex->rt);
	flockfile(out);
	fprintf(out, "%16s-%-7d [%03d] d..31 %5lld.%06ld: bpf_trace_printk: %s\n", comm, tid,
		cpu < 0 ? 0 : cpu, (long long)ts.tv_sec, ts.tv_nsec / 1000, msg);
	fflush(out);
	funlockfile(out);
	return n;
}

HELPER(bpf_trace_printk)
{
	if (!helper_mem(ex, "bpf_trace_printk", 1, r1, r2, false))
		return 0;
	const uint64_t args[3] = { r3, r4, r5 };
	return (uint64_t)trace_line(ex, (const char *)(uintptr_t)r1, r2, args, 3);
}

/* Arguments as an array of u64, data_len bytes of it. */
static bool array_args(struct bpfrt_exec *ex, const char *name, uint64_t data, uint64_t len,
		       uint64_t *args, uint32_t *nargs)
{
	if (len % 8 || len / 8 > MAX_ARGS || (len && !data))
		return false;
	if (!helper_mem(ex, name, 3, data, len, false))
		return false;
	memcpy(args, (const void *)(uintptr_t)data, len);
	*nargs = (uint32_t)(len / 8);
	return true;
}

HELPER(bpf_trace_vprintk)
{
	uint64_t args[MAX_ARGS];
	uint32_t nargs;
	if (!helper_mem(ex, "bpf_trace_vprintk", 1, r1, r2, false))
		return 0;
	if (!array_args(ex, "bpf_trace_vprintk", r3, r4, args, &nargs))
		return ex->stop ? 0 : (uint64_t)-EINVAL;
	return (uint64_t)trace_line(ex, (const char *)(uintptr_t)r1, r2, args, nargs);
}

/* bpf_snprintf(str, str_size, fmt, data, data_len): length with the NUL. */
HELPER(bpf_snprintf)
{
	uint64_t args[MAX_ARGS];
	uint32_t nargs;
	if (!helper_mem(ex, "bpf_snprintf", 1, r1, r2, true))
		return 0;
	if (!array_args(ex, "bpf_snprintf", r4, r5, args, &nargs))
		return ex->stop ? 0 : (uint64_t)-EINVAL;
	char fmt[MAX_LINE]; /* read fault-safely: the format is program memory */
	long flen = probe_copy_str(fmt, (const void *)(uintptr_t)r3, sizeof(fmt));
	if (flen < 0)
		return (uint64_t)-EINVAL;
	long n = bpf_format(ex, (char *)(uintptr_t)r1, r2, fmt, (uint64_t)flen, args, nargs);
	return n < 0 ? (uint64_t)n : (uint64_t)n + 1;
}

const struct helper_def helpers_print[] = {
	{ 6, "bpf_trace_printk", bpf_trace_printk, HG_BASE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_MEM, ARG_CONST_SIZE) },
	{ 165, "bpf_snprintf", bpf_snprintf, HG_BASE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO) },
	{ 177, "bpf_trace_vprintk", bpf_trace_vprintk, HG_BASE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO) },
	{ 0 },
};
