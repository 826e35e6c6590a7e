/* SPDX-License-Identifier: MIT */
/*
 * oracle_sys.c - thin bpf() wrappers of the kernel oracle, and the check that
 * the oracle works at all on this machine.
 *
 * Each wrapper fills one union bpf_attr and makes one system call; they exist
 * so that tests never see bpf_attr, and so that a failed load can explain
 * itself (see kern_prog_load()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "oracle.h"

#define DEFAULT_LICENSE "Dual MIT/GPL"
/* bpf_vlog_init() refuses smaller or larger log buffers. */
#define LOG_MIN 128
#define LOG_MAX (0xffffffffu >> 2)

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Object names may only hold [A-Za-z0-9_.]: the kernel refuses others. */
static void set_name(char dst[BPF_OBJ_NAME_LEN], const char *name)
{
	if (!name)
		return;
	for (size_t i = 0; i < BPF_OBJ_NAME_LEN - 1 && name[i]; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || c == '.';
		dst[i] = ok ? c : '_';
	}
}

/*
 * The verifier can give up with EAGAIN when a signal interrupts a long
 * verification; the load is then simply repeated, as libbpf does.
 */
static int load_retry(union bpf_attr *attr)
{
	int fd, tries = 5;
	do
		fd = sys_bpf(BPF_PROG_LOAD, attr);
	while (fd < 0 && errno == EAGAIN && --tries);
	return fd < 0 ? -errno : fd;
}

static void set_log(union bpf_attr *attr, char *buf, size_t size, uint32_t level)
{
	buf[0] = '\0';
	attr->log_level = level;
	attr->log_buf = ptr(buf);
	attr->log_size = (uint32_t)(size > LOG_MAX ? LOG_MAX : size);
}

int kern_prog_load(uint32_t type, const struct bpfrt_insn *insns, size_t cnt,
		   struct kern_prog_load_opts *opts)
{
	if (cnt > UINT32_MAX)
		return -E2BIG;
	int want_log = opts && opts->log_buf && opts->log_size;
	if (want_log && opts->log_size < LOG_MIN)
		return -EINVAL;

	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = ptr(insns);
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = ptr(opts && opts->license ? opts->license : DEFAULT_LICENSE);
	if (opts) {
		attr.expected_attach_type = opts->expected_attach_type;
		attr.prog_flags = opts->prog_flags;
		set_name(attr.prog_name, opts->name);
	}
	if (want_log && opts->log_level)
		set_log(&attr, opts->log_buf, opts->log_size, opts->log_level);
	else if (want_log)
		opts->log_buf[0] = '\0';

	int fd = load_retry(&attr);
	if (fd >= 0 || !want_log || opts->log_level)
		return fd;

	/*
	 * Failed without a log: verify again with one so the caller learns why.
	 * The second attempt's own error (say -ENOSPC for a long log) does not
	 * replace the first one, which is the real verdict.
	 */
	set_log(&attr, opts->log_buf, opts->log_size, 1);
	int again = load_retry(&attr);
	if (again >= 0)
		close(again);
	opts->log_buf[opts->log_size - 1] = '\0';
	return fd;
}

int kern_prog_test_run(int prog_fd, struct kern_test_run *run)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)prog_fd;
	attr.test.data_in = ptr(run->data_in);
	attr.test.data_size_in = run->data_size_in;
	attr.test.data_out = ptr(run->data_out);
	attr.test.data_size_out = run->data_out ? run->data_size_out : 0;
	attr.test.ctx_in = ptr(run->ctx_in);
	attr.test.ctx_size_in = run->ctx_size_in;
	attr.test.ctx_out = ptr(run->ctx_out);
	attr.test.ctx_size_out = run->ctx_out ? run->ctx_size_out : 0;
	attr.test.repeat = run->repeat;
	attr.test.flags = run->flags;
	attr.test.cpu = run->cpu;

	int err = sys_bpf(BPF_PROG_TEST_RUN, &attr) < 0 ? -errno : 0;
	/* Sizes are reported even with -ENOSPC, so copy them back regardless. */
	run->retval = attr.test.retval;
	run->duration_ns = attr.test.duration;
	run->data_size_out = attr.test.data_size_out;
	run->ctx_size_out = attr.test.ctx_size_out;
	return err;
}

int kern_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		    uint32_t flags, const char *name)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	set_name(attr.map_name, name);
	int fd = sys_bpf(BPF_MAP_CREATE, &attr);
	return fd < 0 ? -errno : fd;
}

int kern_map_update(int map_fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)map_fd;
	attr.key = ptr(key);
	attr.value = ptr(value);
	attr.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0 ? -errno : 0;
}

int kern_map_lookup(int map_fd, const void *key, void *value)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)map_fd;
	attr.key = ptr(key);
	attr.value = ptr(value);
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr) < 0 ? -errno : 0;
}

/* Lines the verifier appends after its verdict, which say nothing about it. */
static int is_statistic(const char *line, size_t n)
{
	static const char *const stats[] = {
		"processed ", "verification time", "stack depth", "max_states_per_insn",
	};
	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		size_t k = strlen(stats[i]);
		if (n >= k && !strncmp(line, stats[i], k))
			return 1;
	}
	return 0;
}

/*
 * A line that states the verifier's conclusion, not an instruction ("12: (61)
 * r0 = ..."), a register state ("frame1: R1=...", indented lines) or the
 * "caller:"/"callee:" headers of a call.
 */
static int is_message(const char *line, size_t n)
{
	size_t d = 0;
	while (d < n && line[d] >= '0' && line[d] <= '9')
		d++;
	if (d && d < n && line[d] == ':')
		return 0;
	if (line[0] == ' ' || line[0] == '\t' || !strncmp(line, "frame", 5) ||
	    (n == 7 && (!strncmp(line, "caller:", 7) || !strncmp(line, "callee:", 7))))
		return 0;
	return !is_statistic(line, n);
}

/*
 * The verdict is the last block of message lines: often one ("invalid shift
 * 64"), sometimes a detail and a summary ("invalid access to map value,
 * value_size=9 off=9 size=1" then "R1 min value is outside of ...").
 */
const char *kern_log_reason(const char *log, char *buf, size_t len)
{
	/* Find the block: [first, stop) spans its message lines. */
	const char *first = NULL, *stop = NULL, *block = NULL;
	for (const char *p = log; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && is_message(p, n)) {
			block = block ? block : p;
			first = block;
			stop = p + n;
		} else if (n && !is_statistic(p, n)) {
			block = NULL; /* an instruction or a state: a later block is the verdict */
		}
		p = nl ? nl + 1 : p + n;
	}
	size_t k = 0;
	buf[0] = '\0';
	for (const char *p = first; p && p < stop && k + 1 < len;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && is_message(p, n)) {
			int w = snprintf(buf + k, len - k, "%s%.*s", k ? "; " : "", (int)n, p);
			k += w > 0 ? (size_t)w : 0;
		}
		p = nl ? nl + 1 : p + n;
	}
	return buf;
}

/* This process's seccomp mode from /proc/self/status: 2 means a filter is on. */
static int seccomp_active(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int mode = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

static int read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Why a trivial BPF_PROG_LOAD failed with err, in words a test log can show. */
static void explain_load(int err, const char *log, char *why, size_t len)
{
	char reason[200];
	if (err == -ENOSYS) {
		snprintf(why, len, "kernel oracle: bpf() is not implemented here (kernel without "
			 "CONFIG_BPF_SYSCALL, or a seccomp filter returning ENOSYS)");
	} else if (err == -EPERM || err == -EACCES) {
		snprintf(why, len, "kernel oracle: bpf() not permitted (%s): needs CAP_BPF or "
			 "CAP_SYS_ADMIN; euid %d, kernel.unprivileged_bpf_disabled=%d%s; kernels "
			 "before 5.11 also need a large RLIMIT_MEMLOCK",
			 strerror(-err), (int)geteuid(),
			 read_sysctl("/proc/sys/kernel/unprivileged_bpf_disabled"),
			 seccomp_active() == 2 ? ", a seccomp filter is active" : "");
	} else {
		snprintf(why, len, "kernel oracle: the kernel refused a trivial socket filter: %s%s%s",
			 strerror(-err), log && *log ? ": " : "",
			 kern_log_reason(log, reason, sizeof(reason)));
	}
}

int kern_oracle_available(char *why, size_t len)
{
	char dummy[8], log[4096];
	if (!why) {
		why = dummy;
		len = sizeof(dummy);
	}
	const struct bpfrt_insn ret0[] = { BPFRT_INSN_MOV64_IMM(0, 7), BPFRT_INSN_EXIT() };
	struct kern_prog_load_opts lo = { .name = "oracle_probe", .log_buf = log,
					  .log_size = sizeof(log) };
	int fd = kern_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, &lo);
	if (fd < 0) {
		explain_load(fd, log, why, len);
		return 0;
	}
	uint8_t pkt[KERN_MIN_PKT + 2] = { 0 };
	struct kern_test_run run = { .data_in = pkt, .data_size_in = sizeof(pkt) };
	int err = kern_prog_test_run(fd, &run);
	close(fd);
	if (err || run.retval != 7) {
		snprintf(why, len, "kernel oracle: BPF_PROG_TEST_RUN of a trivial socket filter %s%s",
			 err ? "failed: " : "returned a wrong value",
			 err ? strerror(-err) : "");
		return 0;
	}

	/* lddw r0, 0x1122334455667788; exit: the bridge must keep all 64 bits. */
	const struct bpfrt_insn wide[] = {
		{ .code = 0x18, .imm = 0x55667788 }, { .imm = 0x11223344 }, BPFRT_INSN_EXIT(),
	};
	struct kern_conf_result res;
	err = kern_conf_run(wide, 3, NULL, 0, &res);
	if (err || res.verdict != KERN_RAN || res.r0 != 0x1122334455667788ull) {
		snprintf(why, len, "kernel oracle: the conformance bridge does not work on this "
			 "kernel (it needs bpf-to-bpf calls and direct map values, Linux 5.2+): %s",
			 res.verdict == KERN_RAN ? "wrong r0" : res.reason);
		kern_conf_result_free(&res);
		return 0;
	}
	kern_conf_result_free(&res);
	snprintf(why, len, "kernel oracle available");
	return 1;
}
