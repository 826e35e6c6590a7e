/* SPDX-License-Identifier: MIT */
/*
 * engine_kernel.c - the Linux kernel's JIT on the same bytecode, timed by
 * BPF_PROG_TEST_RUN with repeat (the duration it reports is per run).
 *
 * No kernel program type passes (data, len) in r1 and r2, so the benchmark
 * program is loaded unchanged as the bpf-to-bpf subprogram of a socket
 * filter. The prologue points r1 at the value of a one-entry array map that
 * holds the input (reached with lddw BPF_PSEUDO_MAP_VALUE: never NULL, and
 * the verifier checks every access against exactly the input's size), puts
 * the length in r2 and calls the program; the epilogue stores all 64 bits of
 * r0 into the map after the input, since test_run only returns 32. The cost
 * of the prologue, the call and the kernel's own loop is counted in the
 * kernel's figure: a few nanoseconds against runs of microseconds.
 *
 * Socket filters accept any return value and test-run on a minimal packet.
 * Talks to bpf() directly: no libbpf needed for raw instructions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpfrt/insn.h>
#include "bench.h"

#define PROLOGUE_LEN 8
/* The verifier log of a refused program: only its tail is reported. */
#define LOG_SIZE (1u << 22)
/* test_run wants at least an Ethernet header of packet. */
#define MIN_PKT 14

/*
 * Programs never handed to the kernel, and why. Loading crc32 oopses Linux
 * 6.18's verifier: its eight branch-free rounds per byte fork the state
 * (maybe_fork_scalars) until the 8192-jump limit, and the failed push of the
 * next state is dereferenced as NULL. The process dies and the kernel is
 * tainted, so it is not worth finding out which kernels are fixed.
 */
static const struct {
	const char *prog;
	const char *why;
} kernel_avoid[] = {
	{ "crc32", "not loaded: it makes Linux 6.18's verifier oops "
		   "(NULL dereference in maybe_fork_scalars at the 8192-jump limit)" },
};

struct kernel_handle {
	int map_fd;           /* array map: the input, then r0 */
	int prog_fd;
	uint32_t input_cap;   /* the input size the map and program were made for */
	const struct bench_prog *prog;
};

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Helpers return -errno; errno is whatever the failed bpf() set. */
static int map_create(uint32_t value_size, char *msg)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = value_size;
	a.max_entries = 1;
	snprintf(a.map_name, sizeof(a.map_name), "bench_input");
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0) {
		int err = errno;

		snprintf(msg, BENCH_MSG_LEN, "BPF_MAP_CREATE of a %u-byte array: %s",
			 value_size, strerror(err));
		return -err;
	}
	return (int)fd;
}

static int map_access(int cmd, int fd, void *value)
{
	uint32_t key = 0;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)value;
	return sys_bpf(cmd, &a) ? -errno : 0;
}

/*
 * The last non-empty line of a verifier log before its statistics, which is
 * where the kernel says why it refused.
 */
static void log_reason(char *log, char *out, size_t size)
{
	char *end = log + strlen(log), *line = NULL;

	while (end > log) {
		char *start;

		while (end > log && end[-1] == '\n')
			*--end = '\0';
		start = end;
		while (start > log && start[-1] != '\n')
			start--;
		if (!*start)
			break;
		if (strncmp(start, "processed ", 10) && strncmp(start, "verification time", 17) &&
		    strncmp(start, "stack depth", 11)) {
			line = start;
			break;
		}
		end = start;
	}
	snprintf(out, size, "%s", line ? line : "no reason in the log");
}

static int prog_load(struct bpfrt_insn *insns, size_t cnt, const char *name, char *msg)
{
	char *log = malloc(LOG_SIZE);
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uintptr_t)"Dual MIT/GPL";
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", name);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		int err = errno;
		char reason[BENCH_MSG_LEN];

		/*
		 * Again with a log, only to say why. The second errno may differ
		 * (-ENOSPC when the log overflowed); the first is the verdict.
		 */
		if (log) {
			a.log_buf = (uintptr_t)log;
			a.log_size = LOG_SIZE;
			a.log_level = 1;
			log[0] = '\0';
			fd = sys_bpf(BPF_PROG_LOAD, &a);
			if (fd >= 0) {
				/* Accepted the second time: take it. */
				free(log);
				return (int)fd;
			}
		}

		reason[0] = '\0';
		if (log && log[0])
			log_reason(log, reason, sizeof(reason));
		snprintf(msg, BENCH_MSG_LEN, "the kernel refuses it (BPF_PROG_LOAD: %s)%s%.160s",
			 strerror(err), reason[0] ? ": " : "", reason);
		free(log);
		return -err;
	}
	free(log);
	return (int)fd;
}

/*
 * Is bpf() usable here? A one-byte map is the cheapest thing to ask for;
 * without privilege (or under a seccomp filter, or on a kernel without
 * bpf()) the column is skipped, not failed.
 */
static int kernel_setup(const struct bench_engine *eng, void **state, char *msg)
{
	int fd = map_create(1, msg);

	if (fd < 0) {
		snprintf(msg, BENCH_MSG_LEN, "bpf() is not usable here (%s)", strerror(-fd));
		return -EOPNOTSUPP;
	}
	close(fd);
	*state = NULL;
	return 0;
}

static void *kernel_open(void *state, const struct bench_engine *eng,
			 const struct bench_prog *prog, char *msg)
{
	struct kernel_handle *h;

	for (size_t i = 0; i < sizeof(kernel_avoid) / sizeof(kernel_avoid[0]); i++) {
		if (!strcmp(prog->name, kernel_avoid[i].prog)) {
			snprintf(msg, BENCH_MSG_LEN, "%s", kernel_avoid[i].why);
			errno = EOPNOTSUPP;
			return NULL;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(msg, BENCH_MSG_LEN, "out of memory");
		return NULL;
	}
	h->map_fd = h->prog_fd = -1;
	h->prog = prog;
	return h;
}

/*
 * The map and the program are made for one input size, on the first run:
 * r2 is that size as an immediate, so the verifier can bound every loop.
 */
static int kernel_prepare(struct kernel_handle *h, uint32_t size, char *msg)
{
	size_t body = h->prog->bpf->size / sizeof(struct bpfrt_insn);
	struct bpfrt_insn *all;
	int fd;

	if (size > INT32_MAX - 8) {
		snprintf(msg, BENCH_MSG_LEN, "input of %u bytes is too big for an array map", size);
		return -E2BIG;
	}
	h->map_fd = map_create(size + 8, msg);
	if (h->map_fd < 0)
		return h->map_fd;

	all = calloc(PROLOGUE_LEN + body, sizeof(*all));
	if (!all) {
		snprintf(msg, BENCH_MSG_LEN, "out of memory");
		return -ENOMEM;
	}
	/* r1 = &value (lddw, two slots) */
	all[0] = (struct bpfrt_insn){ .code = BPF_LD | BPF_DW | BPF_IMM, .dst = 1,
				       .src = BPF_PSEUDO_MAP_VALUE, .imm = h->map_fd };
	all[1] = (struct bpfrt_insn){ .imm = 0 };
	all[2] = (struct bpfrt_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst = 2,
				       .imm = (int32_t)size };
	/* call the program, which starts right after the prologue */
	all[3] = (struct bpfrt_insn){ .code = BPF_JMP | BPF_CALL, .src = BPF_PSEUDO_CALL,
				       .imm = PROLOGUE_LEN - 4 };
	/* *(u64 *)(&value + size) = r0: lddw of the value at offset size */
	all[4] = (struct bpfrt_insn){ .code = BPF_LD | BPF_DW | BPF_IMM, .dst = 1,
				       .src = BPF_PSEUDO_MAP_VALUE, .imm = h->map_fd };
	all[5] = (struct bpfrt_insn){ .imm = (int32_t)size };
	all[6] = (struct bpfrt_insn){ .code = BPF_STX | BPF_DW | BPF_MEM, .dst = 1, .src = 0 };
	all[7] = (struct bpfrt_insn){ .code = BPF_JMP | BPF_EXIT };
	memcpy(all + PROLOGUE_LEN, h->prog->bpf->bytes, h->prog->bpf->size);

	fd = prog_load(all, PROLOGUE_LEN + body, h->prog->name, msg);
	free(all);
	/*
	 * A refusal is the kernel's limit, not a wrong result: the cell is
	 * skipped with the verifier's reason.
	 */
	if (fd < 0)
		return -EOPNOTSUPP;
	h->prog_fd = fd;
	h->input_cap = size;
	return 0;
}

static int kernel_run(void *handle, const uint8_t *data, uint32_t size, uint32_t iters,
		      struct bench_sample *out, char *msg)
{
	struct kernel_handle *h = handle;
	uint8_t pkt[MIN_PKT] = { 0 };
	union bpf_attr a;
	uint8_t *value;
	int err;

	if (h->prog_fd < 0) {
		err = kernel_prepare(h, size, msg);
		if (err)
			return err;
	} else if (size != h->input_cap) {
		snprintf(msg, BENCH_MSG_LEN, "input size changed from %u to %u bytes",
			 h->input_cap, size);
		return -EINVAL;
	}
	value = calloc(1, (size_t)size + 8);
	if (!value) {
		snprintf(msg, BENCH_MSG_LEN, "out of memory");
		return -ENOMEM;
	}
	memcpy(value, data, size);
	err = map_access(BPF_MAP_UPDATE_ELEM, h->map_fd, value);
	if (err) {
		snprintf(msg, BENCH_MSG_LEN, "BPF_MAP_UPDATE_ELEM of the input: %s", strerror(-err));
		goto out;
	}

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)h->prog_fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = iters;
	if (sys_bpf(BPF_PROG_TEST_RUN, &a)) {
		err = -errno;
		snprintf(msg, BENCH_MSG_LEN, "BPF_PROG_TEST_RUN: %s", strerror(-err));
		goto out;
	}
	err = map_access(BPF_MAP_LOOKUP_ELEM, h->map_fd, value);
	if (err) {
		snprintf(msg, BENCH_MSG_LEN, "BPF_MAP_LOOKUP_ELEM of the result: %s",
			 strerror(-err));
		goto out;
	}
	memcpy(&out->retval, value + size, sizeof(out->retval));
	/* Whole nanoseconds per run, as the kernel reports it. */
	out->ns = (double)a.test.duration;
out:
	free(value);
	return err;
}

static void kernel_close(void *handle)
{
	struct kernel_handle *h = handle;

	if (!h)
		return;
	if (h->prog_fd >= 0)
		close(h->prog_fd);
	if (h->map_fd >= 0)
		close(h->map_fd);
	free(h);
}

const struct bench_engine_ops bench_kernel_ops = {
	.setup = kernel_setup,
	.open = kernel_open,
	.run = kernel_run,
	.close = kernel_close,
};
