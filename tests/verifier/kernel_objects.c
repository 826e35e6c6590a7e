/* SPDX-License-Identifier: MIT */
/*
 * kernel_objects.c - the verifier against Linux's on clang-built objects:
 * each program is verified by bpfrt (through its load path) and loaded into
 * the kernel of this machine by libbpf, alone (the object's other programs
 * not loaded). The verdicts must agree; a disagreement must be listed, with
 * its reason, in the disagreements file as "object.o:program | reason"
 * (object as a pattern: `null_check.*.o`). Programs of bpfrt's generic type
 * have no kernel counterpart and are skipped.
 *
 *   kernel_objects [-v] --disagreements FILE OBJECT...
 *
 * Exit status 77 when bpf() is unavailable; 1 on an unlisted disagreement.
 */
#include <bpf/libbpf.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "oracle.h"

#define KLOG_SIZE (1u << 20)
static char klog[KLOG_SIZE];

struct listed {
	char key[256], reason[512];
	bool seen;
};

static struct listed *read_list(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct listed *l = NULL;
	*n = 0;
	if (!f) {
		perror(path);
		exit(2);
	}
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *bar = strstr(line, " | ");
		if (line[0] == '#' || !bar)
			continue;
		struct listed *nl = realloc(l, (*n + 1) * sizeof(*l));
		if (!nl)
			exit(2);
		l = nl;
		*bar = '\0';
		snprintf(l[*n].key, sizeof(l[*n].key), "%.255s", line);
		snprintf(l[*n].reason, sizeof(l[*n].reason), "%.500s", bar + 3);
		l[*n].seen = false;
		(*n)++;
	}
	fclose(f);
	return l;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* The last non-empty line of the kernel's log: its reason. */
static void last_line(const char *log, char *out, size_t len)
{
	size_t n = strlen(log);
	while (n && log[n - 1] == '\n')
		n--;
	size_t s = n;
	while (s && log[s - 1] != '\n')
		s--;
	/* the statistics line follows the reason */
	if (!strncmp(log + s, "processed ", 10) && s) {
		n = s - 1;
		s = n;
		while (s && log[s - 1] != '\n')
			s--;
	}
	snprintf(out, len, "%.*s", (int)(n - s), log + s);
}

/* 1 accepted, 0 refused (why), -1 not asked (why). */
static int kernel_verdict(const char *path, const char *prog, char *why, size_t len)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		snprintf(why, len, "libbpf cannot open the object");
		return -1;
	}
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		bool me = !strcmp(bpf_program__name(p), prog);
		bpf_program__set_autoload(p, me);
		if (me) {
			klog[0] = '\0';
			bpf_program__set_log_buf(p, klog, KLOG_SIZE);
			bpf_program__set_log_level(p, 1);
		}
	}
	int err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (!err)
		return 1;
	if (!klog[0]) {
		/* refused before the verifier ran: maps, relocations, BTF */
		snprintf(why, len, "libbpf: %s (before the verifier)", strerror(-err));
		return -1;
	}
	last_line(klog, why, len);
	return 0;
}

static int source_line(void *ctx, size_t insn, char *buf, size_t len)
{
	return bpfrt_program__source_line(ctx, insn, buf, len);
}

static uint64_t my_counter_add(uint64_t a, uint64_t b, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct bpfrt_exec *ex)
{
	return a * 100 + b;
}

int main(int argc, char **argv)
{
	bool verbose = false;
	const char *list_path = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--disagreements") && i + 1 < argc)
			list_path = argv[++i];
	}
	if (!list_path) {
		fprintf(stderr, "usage: kernel_objects [-v] --disagreements FILE OBJECT...\n");
		return 2;
	}
	char why[512];
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("kernel_objects: skipped: %s\n", why);
		return 77;
	}
	libbpf_set_print(quiet_print);
	size_t nlisted;
	struct listed *listed = read_list(list_path, &nlisted);
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	if (!rt || bpfrt_runtime__add_helper(rt, 1000, "my_counter_add", my_counter_add))
		return 2;
	int compared = 0, agree = 0, unlisted = 0, skipped = 0;
	for (; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		struct bpfrt_object *obj = bpfrt_object__open_file(rt, argv[i], NULL);
		if (!obj || bpfrt_object__load_engine(obj, BPFRT_ENGINE_CHECKED /* verified below */)) {
			/* refused before any verifier (e.g. a .kconfig value this machine lacks) */
			printf("skip %s: the loader refuses it: %s\n", base, bpfrt_runtime__last_error(rt));
			skipped++;
			bpfrt_object__close(obj);
			continue;
		}
		for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
		     p = bpfrt_object__next_program(obj, p)) {
			const char *name = bpfrt_program__name(p);
			if (bpfrt_program__type(p) == BPFRT_PROG_TYPE_UNSPEC) {
				skipped++;
				if (verbose)
					printf("skip %s:%s: generic program, no kernel counterpart\n", base, name);
				continue;
			}
			BPFRT_OPTS(bpfrt_prog_load_opts, o, .engine = BPFRT_ENGINE_INTERP,
				   .prog_type = bpfrt_program__type(p), .source_line = source_line,
				   .source_line_ctx = p);
			struct bpfrt_prog *lp = bpfrt_prog__load(rt, name, bpfrt_program__insns(p),
								 bpfrt_program__insn_cnt(p), &o);
			int ours = lp != NULL;
			char ourwhy[1024];
			snprintf(ourwhy, sizeof(ourwhy), "%s", lp ? "" : bpfrt_runtime__last_error(rt));
			bpfrt_prog__free(lp);
			int theirs = kernel_verdict(argv[i], name, why, sizeof(why));
			if (theirs < 0) {
				skipped++;
				if (verbose)
					printf("skip %s:%s: %s\n", base, name, why);
				continue;
			}
			compared++;
			struct listed *l = NULL;
			for (size_t k = 0; k < nlisted; k++) {
				char pat[256];
				const char *colon = strrchr(listed[k].key, ':');
				if (!colon || strcmp(colon + 1, name))
					continue;
				snprintf(pat, sizeof(pat), "%.*s", (int)(colon - listed[k].key), listed[k].key);
				if (!fnmatch(pat, base, 0))
					l = &listed[k];
			}
			if (ours == theirs) {
				agree++;
				if (l && !l->seen)
					printf("STALE %s:%s: listed as a disagreement, but bpfrt and Linux agree\n", base,
					       name);
				if (verbose)
					printf("agree %s:%s: both %s\n", base, name, ours ? "accept" : "refuse");
			} else if (l) {
				l->seen = true;
				if (verbose)
					printf("listed %s:%s: %s\n", base, name, l->reason);
			} else {
				unlisted++;
				printf("DISAGREE %s:%s: bpfrt %s, Linux %s\n", base, name, ours ? "accepts" : "refuses",
				       theirs ? "accepts" : "refuses");
				if (!ours)
					printf("  bpfrt: %s\n", ourwhy);
				if (!theirs)
					printf("  Linux: %s\n", why);
			}
		}
		bpfrt_object__close(obj);
	}
	printf("kernel objects: %d programs compared with Linux, %d agree, %d disagree (%d unlisted), %d skipped\n",
	       compared, agree, compared - agree, unlisted, skipped);
	free(listed);
	bpfrt_runtime__free(rt);
	return unlisted ? 1 : 0;
}
