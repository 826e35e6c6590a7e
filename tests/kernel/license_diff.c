/* SPDX-License-Identifier: MIT */
/*
 * license_diff.c - GPL-only helpers and the program's license, Linux against
 * bpfrt: each object loads in both or is refused by both, and bpfrt's
 * refusal names the helper and the license.
 *
 *   license_diff OBJ...    (the tests/progs objects, e.g. proprietary.v3.o)
 *
 * Exits 77 (skip) when the kernel cannot load programs here.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

static char klog[16384];
static size_t klog_len;

/* libbpf's messages (the verifier log among them) kept for the check. */
static int keep_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (klog_len < sizeof(klog))
		klog_len += (size_t)vsnprintf(klog + klog_len, sizeof(klog) - klog_len, fmt, ap);
	return 0;
}

/* 0: loaded, 1: refused for a GPL-only helper, -1: refused for another reason. */
static int kernel_load(const char *path)
{
	klog_len = 0;
	klog[0] = '\0';
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -1;
	int err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (!err)
		return 0;
	return strstr(klog, "cannot call GPL-restricted function") ? 1 : -1;
}

int main(int argc, char **argv)
{
	libbpf_set_print(keep_log);
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		int k = kernel_load(argv[i]);
		if (k < 0) {
			printf("SKIP: the kernel cannot load %s here:\n%s", argv[i], klog);
			return 77;
		}
		BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
		struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
		struct bpfrt_object *obj = bpfrt_object__open_file(rt, argv[i], NULL);
		int err = obj ? bpfrt_object__load(obj) : -1;
		const char *msg = bpfrt_runtime__last_error(rt);
		const char *lic = obj ? bpfrt_object__license(obj) : "";
		bool named = err && strstr(msg, "is GPL-only") && strstr(msg, lic);
		if ((k == 0) != (err == 0) || (k == 1 && !named)) {
			printf("MISMATCH %s (license '%s'): Linux %s, bpfrt %s%s\n", argv[i], lic,
			       k ? "refused it (GPL-only helper)" : "loaded it", err ? "refused it: " : "loaded it",
			       err ? msg : "");
			failed++;
		} else {
			printf("OK %s (license '%s'): %s by both\n", argv[i], lic, k ? "refused" : "loaded");
		}
		bpfrt_object__close(obj);
		bpfrt_runtime__free(rt);
	}
	return failed != 0;
}
