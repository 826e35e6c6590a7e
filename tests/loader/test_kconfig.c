/* SPDX-License-Identifier: MIT */
/*
 * test_kconfig.c - `extern ... __kconfig` variables (kconfig.bpf.c,
 * kconfig_strict.bpf.c): values of every type from config text given at
 * open, LINUX_KERNEL_VERSION from uname, the running kernel's config, and
 * the errors: a value that does not fit its type, a number out of range, a
 * required (not __weak) extern the config lacks.
 *
 * usage: test_kconfig DIR CPU [checked|interp|jit]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpfrt/map.h>
#include <bpfrt/object.h>
#include <bpfrt/prog.h>
#include <bpfrt/runtime.h>

static int failed;
static const char *dir, *cpu;
static enum bpfrt_engine engine = BPFRT_ENGINE_CHECKED;
static struct bpfrt_runtime *rt;

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n"); \
			failed++; \
		} \
	} while (0)

/* kconfig.bpf.c's struct kconfig_out */
struct kconfig_out {
	uint32_t kernel_version;
	uint32_t tri;
	int32_t num;
	uint8_t bpf_syscall, chr, absent, pad;
	int64_t neg;
	char str[8];
};

static struct bpfrt_object *open_obj(const char *name, const char *kconfig)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.%s.o", dir, name, cpu);
	BPFRT_OPTS(bpfrt_object_open_opts, oo, .kconfig = kconfig);
	return bpfrt_object__open_file(rt, path, &oo);
}

/* Open kconfig.bpf.c with this config text (NULL: the kernel's), run `values`. */
static int run_values(const char *kconfig, struct kconfig_out *out)
{
	struct bpfrt_object *obj = open_obj("kconfig", kconfig);
	uint32_t zero = 0;
	int err = -1;

	if (!obj || bpfrt_object__load_engine(obj, engine)) {
		fprintf(stderr, "FAIL: kconfig.%s.o: %s\n", cpu, bpfrt_runtime__last_error(rt));
		failed++;
		goto out;
	}
	struct bpfrt_program *p = bpfrt_object__find_program_by_name(obj, "values");
	struct bpfrt_map *bss = bpfrt_object__find_map_by_name(obj, ".bss");
	BPFRT_OPTS(bpfrt_test_run_opts, o);
	if (!p || !bss || bpfrt_prog__test_run(bpfrt_program__prog(p), &o) ||
	    bpfrt_map__lookup_elem(bss, &zero, 4, out, sizeof(*out), 0)) {
		fprintf(stderr, "FAIL: running values: %s\n", bpfrt_runtime__last_error(rt));
		failed++;
		goto out;
	}
	err = 0;
out:
	bpfrt_object__close(obj);
	return err;
}

static uint32_t expected_kernel_version(void)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return a << 16 | b << 8 | (c > 255 ? 255 : c);
}

static void test_given_config(void)
{
	static const char text[] =
		"# a comment\n"
		"CONFIG_BPF_SYSCALL=y\n"
		"CONFIG_BPFRT_TRI=m\n"
		"CONFIG_BPFRT_CHAR=m\n"
		"CONFIG_BPFRT_INT=0x7fffffff\n"
		"CONFIG_BPFRT_NEG=-5\n"
		"CONFIG_BPFRT_STR=\"hello world\"\n"
		"# CONFIG_BPFRT_ABSENT is not set\n";
	struct kconfig_out out;

	if (run_values(text, &out))
		return;
	CHECK(out.kernel_version == expected_kernel_version(), "LINUX_KERNEL_VERSION 0x%x, want 0x%x",
	      out.kernel_version, expected_kernel_version());
	CHECK(out.bpf_syscall == 1, "bool y: %u", out.bpf_syscall);
	CHECK(out.tri == 2, "tristate m: %u", out.tri);
	CHECK(out.chr == 'm', "char m: %u", out.chr);
	CHECK(out.num == 0x7fffffff, "int: %d", out.num);
	CHECK(out.neg == -5, "long long: %lld", (long long)out.neg);
	CHECK(!memcmp(out.str, "hello w", 8), "string truncated to its array: '%.8s'", out.str);
	CHECK(out.absent == 0, "not set: %u", out.absent);

	/* Weak externs the text does not mention are zero. */
	if (run_values("CONFIG_BPFRT_INT=7\n", &out))
		return;
	CHECK(out.num == 7 && out.tri == 0 && out.bpf_syscall == 0 && out.str[0] == 0 && out.neg == 0,
	      "only CONFIG_BPFRT_INT set: num %d tri %u bool %u", out.num, out.tri, out.bpf_syscall);
}

static void expect_open_fails(const char *name, const char *kconfig, int err, const char *why)
{
	struct bpfrt_object *obj = open_obj(name, kconfig);

	CHECK(!obj && errno == err, "%s with '%s': want errno %d, got %s (errno %d)", name, kconfig,
	      err, obj ? "success" : "failure", obj ? 0 : errno);
	CHECK(obj || strstr(bpfrt_runtime__last_error(rt), why), "message '%s' should mention '%s'",
	      bpfrt_runtime__last_error(rt), why);
	bpfrt_object__close(obj);
}

static void test_errors(void)
{
	expect_open_fails("kconfig", "CONFIG_BPFRT_INT=y\n", EINVAL, "'CONFIG_BPFRT_INT'");
	expect_open_fails("kconfig", "CONFIG_BPF_SYSCALL=m\n", EINVAL, "'CONFIG_BPF_SYSCALL'");
	expect_open_fails("kconfig", "CONFIG_BPFRT_INT=0x80000000\n", ERANGE, "4-byte signed");
	expect_open_fails("kconfig", "CONFIG_BPFRT_STR=abc\n", EINVAL, "char array");
	expect_open_fails("kconfig_strict", "CONFIG_BPF_SYSCALL=y\n", ENOENT,
			  "'CONFIG_BPFRT_REQUIRED' (.kconfig) is not set");

	struct bpfrt_object *obj = open_obj("kconfig_strict", "CONFIG_BPFRT_REQUIRED=41\n");
	CHECK(obj, "kconfig_strict with the value: %s", bpfrt_runtime__last_error(rt));
	bpfrt_object__close(obj);
}

/* The running kernel's config, where it can be read: compared with zcat's view. */
static void test_kernel_config(void)
{
	struct kconfig_out out;
	char line[256] = "";
	FILE *p = popen("zcat /proc/config.gz 2>/dev/null | grep '^CONFIG_BPF_SYSCALL='", "r");

	if (!p)
		return;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	if (!line[0]) {
		fprintf(stderr, "test_kconfig: no /proc/config.gz to compare with; kernel config part skipped\n");
		return;
	}
	if (run_values(NULL, &out))
		return;
	CHECK(out.bpf_syscall == (strncmp(line, "CONFIG_BPF_SYSCALL=y", 20) == 0),
	      "CONFIG_BPF_SYSCALL: %u, config says %s", out.bpf_syscall, line);
	CHECK(out.kernel_version == expected_kernel_version(), "LINUX_KERNEL_VERSION 0x%x",
	      out.kernel_version);
	CHECK(out.num == 0 && out.absent == 0, "weak externs the kernel lacks are 0");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test_kconfig DIR CPU [checked|interp|jit]\n");
		return 2;
	}
	dir = argv[1];
	cpu = argv[2];
	if (argc > 3 && !strcmp(argv[3], "interp"))
		engine = BPFRT_ENGINE_INTERP;
	else if (argc > 3 && !strcmp(argv[3], "jit"))
		engine = BPFRT_ENGINE_JIT;
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	rt = bpfrt_runtime__new(&ro);
	if (!rt)
		return 2;
	test_given_config();
	test_errors();
	test_kernel_config();
	bpfrt_runtime__free(rt);
	printf("%s\n", failed ? "FAILED" : "ok");
	return failed != 0;
}
