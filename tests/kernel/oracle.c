/* SPDX-License-Identifier: MIT */
/*
 * oracle.c - the conformance bridge: run a bare conformance-suite program in
 * the kernel, which has no program type with "r1 = memory, r2 = length,
 * result = 64-bit r0". The two bridges are described at enum kern_bridge.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "oracle.h"

/* Big enough for the level-1 log of any conformance program. */
#define CONF_LOG_SIZE (1u << 20)
/* Ethertype of the dummy header (IEEE local experimental): no protocol parsing. */
#define PKT_ETHERTYPE 0x88b5

/* Instruction encodings used by the prologues (RFC 9669 opcodes). */
#define I_LDDW_VALUE(d, fd) \
	{ .code = 0x18, .dst = (d), .src = BPF_PSEUDO_MAP_VALUE, .imm = (fd) }, { .imm = 0 }
#define I_LDDW_ZERO(d) { .code = 0x18, .dst = (d) }, { .imm = 0 }
#define I_MOV_IMM(d, v) { .code = 0xb7, .dst = (d), .imm = (v) }
#define I_MOV_REG(d, s) { .code = 0xbf, .dst = (d), .src = (s) }
#define I_CALL_LOCAL(rel) { .code = 0x85, .src = BPF_PSEUDO_CALL, .imm = (rel) }
#define I_STXDW(d, s, o) { .code = 0x7b, .dst = (d), .src = (s), .off = (o) }
#define I_EXIT() { .code = 0x95 }

static int fail(struct kern_conf_result *res, int err, const char *what)
{
	res->verdict = KERN_ERROR;
	res->err = err;
	snprintf(res->reason, sizeof(res->reason), "kernel oracle: %s: %s", what, strerror(-err));
	return err;
}

bool kern_insns_use_legacy_packet(const struct bpfrt_insn *insns, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++) {
		uint8_t mode = insns[i].code & 0xe0;
		if (BPFRT_CLASS(insns[i].code) == BPFRT_CLASS_LD &&
		    (mode == BPF_ABS || mode == BPF_IND))
			return true;
		if (insns[i].code == 0x18) /* lddw: skip its second slot */
			i++;
	}
	return false;
}

/* prologue + program in one malloc'ed array, or NULL. */
static struct bpfrt_insn *join(const struct bpfrt_insn *pro, size_t pn,
			       const struct bpfrt_insn *insns, size_t cnt)
{
	struct bpfrt_insn *all = malloc((pn + cnt) * sizeof(*all));
	if (all) {
		memcpy(all, pro, pn * sizeof(*all));
		memcpy(all + pn, insns, cnt * sizeof(*all));
	}
	return all;
}

/*
 * Load all as a socket filter; on a refusal fill res (REJECTED when the
 * verifier said why, ERROR otherwise) and return the negative errno.
 */
static int load(struct bpfrt_insn *all, size_t n, struct kern_conf_result *res)
{
	char *log = malloc(CONF_LOG_SIZE);
	if (!log)
		return fail(res, -ENOMEM, "verifier log buffer");
	struct kern_prog_load_opts lo = { .name = "conf", .log_buf = log,
					  .log_size = CONF_LOG_SIZE };
	int fd = kern_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, all, n, &lo);
	if (fd >= 0) {
		free(log);
		return fd;
	}
	/* A verifier refusal always leaves a log; other failures (EPERM...) do not. */
	if (!log[0]) {
		free(log);
		return fail(res, fd, "BPF_PROG_LOAD");
	}
	res->verdict = KERN_REJECTED;
	res->err = fd;
	res->log = log;
	kern_log_reason(log, res->reason, sizeof(res->reason));
	return fd;
}

/* An array map with one value of size bytes, holding init (zeroes if NULL). */
static int value_map(uint32_t size, const void *init, const char *name)
{
	int fd = kern_map_create(BPF_MAP_TYPE_ARRAY, 4, size, 1, 0, name);
	if (fd < 0 || !init)
		return fd;
	uint32_t key = 0;
	int err = kern_map_update(fd, &key, init, BPF_ANY);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * KERN_BRIDGE_CALL. The prologue is the main program, the conformance
 * program its subprogram, so every exit of the latter (nested local calls
 * included) returns to the epilogue with r0 intact. The map values are
 * reached with lddw BPF_PSEUDO_MAP_VALUE rather than bpf_map_lookup_elem():
 * the pointer cannot be NULL, so no check is needed, and the verifier knows
 * its exact size. The program type hardly matters: socket filters accept any
 * return value, may call the base helpers (helper 5, bpf_ktime_get_ns,
 * included) and test-run on a minimal packet.
 */
static int run_call(const struct bpfrt_insn *insns, size_t cnt, const void *mem, size_t mem_len,
		    struct kern_conf_result *res)
{
	int mem_fd = -1, r0_fd = -1, prog_fd = -1, err = 0;
	struct bpfrt_insn *all = NULL;
	uint32_t key = 0;

	res->bridge = KERN_BRIDGE_CALL;
	if (mem_len > INT32_MAX)
		return fail(res, -E2BIG, "memory block");
	if (mem_len) {
		mem_fd = err = value_map((uint32_t)mem_len, mem, "conf_mem");
		if (err < 0)
			return fail(res, err, "array map for the memory");
	}
	r0_fd = err = value_map(8, NULL, "conf_r0");
	if (err < 0) {
		fail(res, err, "array map for r0");
		goto out;
	}

	/* The call lands right after the prologue: imm counts from the next slot. */
	const struct bpfrt_insn lo_mem[] = { I_LDDW_VALUE(1, mem_fd) };
	const struct bpfrt_insn lo_none[] = { I_LDDW_ZERO(1) };
	const struct bpfrt_insn rest[] = {
		I_MOV_IMM(2, (int32_t)mem_len),
		I_CALL_LOCAL(KERN_CONF_PROLOGUE - 4),
		I_LDDW_VALUE(1, r0_fd),
		I_STXDW(1, 0, 0),
		I_MOV_IMM(0, 0),
		I_EXIT(),
	};
	struct bpfrt_insn pro[KERN_CONF_PROLOGUE];
	_Static_assert(2 + sizeof(rest) / sizeof(rest[0]) == KERN_CONF_PROLOGUE,
		       "KERN_CONF_PROLOGUE is the prologue's length");
	memcpy(pro, mem_len ? lo_mem : lo_none, sizeof(lo_mem));
	memcpy(pro + 2, rest, sizeof(rest));

	all = join(pro, KERN_CONF_PROLOGUE, insns, cnt);
	if (!all) {
		fail(res, -ENOMEM, "program copy");
		goto out;
	}
	prog_fd = err = load(all, KERN_CONF_PROLOGUE + cnt, res);
	if (err < 0)
		goto out;

	uint8_t pkt[KERN_MIN_PKT] = { 0 };
	struct kern_test_run run = { .data_in = pkt, .data_size_in = sizeof(pkt) };
	err = kern_prog_test_run(prog_fd, &run);
	if (err) {
		fail(res, err, "BPF_PROG_TEST_RUN");
		goto out;
	}
	err = kern_map_lookup(r0_fd, &key, &res->r0);
	if (err) {
		fail(res, err, "lookup of r0 in its map");
		goto out;
	}
	if (mem_len) {
		res->mem_out = malloc(mem_len);
		err = res->mem_out ? kern_map_lookup(mem_fd, &key, res->mem_out) : -ENOMEM;
		if (err) {
			fail(res, err, "lookup of the memory after the run");
			goto out;
		}
		res->mem_len = mem_len;
	}
	res->verdict = KERN_RAN;
	res->err = 0;
	res->reason[0] = '\0';
	res->r0_bits = 64;
out:
	free(all);
	if (prog_fd >= 0)
		close(prog_fd);
	if (r0_fd >= 0)
		close(r0_fd);
	if (mem_fd >= 0)
		close(mem_fd);
	return res->verdict == KERN_ERROR ? res->err : 0;
}

static int run_packet(const struct bpfrt_insn *insns, size_t cnt, const void *mem,
		      size_t mem_len, struct kern_conf_result *res)
{
	res->bridge = KERN_BRIDGE_PACKET;
	if (mem_len > INT32_MAX - KERN_MIN_PKT)
		return fail(res, -E2BIG, "memory block");

	const struct bpfrt_insn pro[KERN_PKT_PROLOGUE] = {
		I_MOV_REG(6, 1),
		I_MOV_IMM(2, (int32_t)mem_len),
	};
	struct bpfrt_insn *all = join(pro, KERN_PKT_PROLOGUE, insns, cnt);
	/*
	 * Socket filters see the packet after its link-layer header, and the
	 * kernel wants one: the memory follows a dummy Ethernet header. On the
	 * way out the kernel puts a (zeroed) header back in front.
	 */
	size_t pkt_len = KERN_MIN_PKT + mem_len;
	uint8_t *in = calloc(1, pkt_len), *out = calloc(1, pkt_len);
	int fd = -1, err = 0;
	if (!all || !in || !out) {
		fail(res, -ENOMEM, "program and packet copies");
		goto out;
	}
	in[12] = PKT_ETHERTYPE >> 8;
	in[13] = PKT_ETHERTYPE & 0xff;
	if (mem_len)
		memcpy(in + KERN_MIN_PKT, mem, mem_len);

	fd = err = load(all, KERN_PKT_PROLOGUE + cnt, res);
	if (err < 0)
		goto out;
	struct kern_test_run run = { .data_in = in, .data_size_in = (uint32_t)pkt_len,
				     .data_out = out, .data_size_out = (uint32_t)pkt_len };
	err = kern_prog_test_run(fd, &run);
	if (err) {
		fail(res, err, "BPF_PROG_TEST_RUN");
		goto out;
	}
	if (mem_len && run.data_size_out == pkt_len) {
		res->mem_out = malloc(mem_len);
		if (!res->mem_out) {
			fail(res, -ENOMEM, "memory copy");
			goto out;
		}
		memcpy(res->mem_out, out + KERN_MIN_PKT, mem_len);
		res->mem_len = mem_len;
	}
	res->verdict = KERN_RAN;
	res->err = 0;
	res->reason[0] = '\0';
	res->r0 = run.retval;
	res->r0_bits = 32;
out:
	if (fd >= 0)
		close(fd);
	free(all);
	free(in);
	free(out);
	return res->verdict == KERN_ERROR ? res->err : 0;
}

int kern_conf_run(const struct bpfrt_insn *insns, size_t cnt, const void *mem, size_t mem_len,
		  struct kern_conf_result *res)
{
	memset(res, 0, sizeof(*res));
	/* Every path that does not reach a verdict must say why (fail()). */
	res->verdict = KERN_ERROR;
	res->err = -EIO;
	snprintf(res->reason, sizeof(res->reason), "kernel oracle: no verdict");
	if (!mem)
		mem_len = 0;
	if (kern_insns_use_legacy_packet(insns, cnt))
		return run_packet(insns, cnt, mem, mem_len, res);
	return run_call(insns, cnt, mem, mem_len, res);
}

void kern_conf_result_free(struct kern_conf_result *res)
{
	free(res->mem_out);
	free(res->log);
	memset(res, 0, sizeof(*res));
}
