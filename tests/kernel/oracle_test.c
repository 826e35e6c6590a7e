/* SPDX-License-Identifier: MIT */
/*
 * oracle_test - checks of the kernel oracle itself, with hand-encoded
 * programs, so that a kernel_diff failure can be trusted to be bpfrt's: the
 * bridges must return all 64 bits of r0, the memory after the run, the exact
 * memory bounds, the verifier's reason, and the legacy packet loads.
 * Exits 77 where the oracle is unavailable.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "oracle.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int failures;

static void expect(bool ok, const char *test, const char *what)
{
	if (!ok) {
		printf("FAIL %s: %s\n", test, what);
		failures++;
	}
}

/* Run p; check the verdict, r0 and, if want_mem, the memory after the run. */
static void check_run(const char *test, const struct bpfrt_insn *p, size_t n, const uint8_t *mem,
		      size_t mem_len, uint64_t want_r0, const uint8_t *want_mem)
{
	struct kern_conf_result r;
	kern_conf_run(p, n, mem, mem_len, &r);
	if (r.verdict != KERN_RAN) {
		printf("FAIL %s: did not run: %s\n", test, r.reason);
		failures++;
	} else {
		if (r.r0 != want_r0)
			printf("    %s: r0 0x%" PRIx64 ", want 0x%" PRIx64 "\n", test, r.r0, want_r0);
		expect(r.r0 == want_r0, test, "r0");
		expect(!want_mem || (r.mem_out && r.mem_len == mem_len &&
				     !memcmp(r.mem_out, want_mem, mem_len)), test, "memory after the run");
	}
	kern_conf_result_free(&r);
}

static void check_rejected(const char *test, const struct bpfrt_insn *p, size_t n,
			   size_t mem_len, const char *want_reason)
{
	uint8_t mem[64] = { 0 };
	struct kern_conf_result r;
	kern_conf_run(p, n, mem, mem_len, &r);
	expect(r.verdict == KERN_REJECTED, test, "verdict should be KERN_REJECTED");
	expect(r.log && strstr(r.log, want_reason), test, "verifier log");
	if (r.verdict == KERN_REJECTED)
		printf("    %s: rejected: %s\n", test, r.reason);
	kern_conf_result_free(&r);
}

static void test_call_bridge(void)
{
	/* lddw r0, 0x1122334455667788; exit */
	const struct bpfrt_insn wide[] = {
		{ .code = 0x18, .imm = 0x55667788 }, { .imm = 0x11223344 }, { .code = 0x95 },
	};
	check_run("lddw r0", wide, N(wide), NULL, 0, 0x1122334455667788ull, NULL);

	/* r0 = *(u32 *)r1; *(u32 *)(r1 + 4) = r0 + r2; *(u8 *)(r1 + 8) = 0xab */
	const struct bpfrt_insn rw[] = {
		{ .code = 0x61, .dst = 0, .src = 1 },
		{ .code = 0xbf, .dst = 3, .src = 0 },
		{ .code = 0x0f, .dst = 3, .src = 2 },
		{ .code = 0x63, .dst = 1, .src = 3, .off = 4 },
		{ .code = 0x72, .dst = 1, .off = 8, .imm = 0xab },
		{ .code = 0x95 },
	};
	const uint8_t mem[9] = { 1, 2, 3, 4 };
	const uint8_t after[9] = { 1, 2, 3, 4, 10, 2, 3, 4, 0xab };
	check_run("memory read/write", rw, N(rw), mem, sizeof(mem), 0x04030201, after);

	/* Without memory, r1 = r2 = 0: r0 = r1 | r2 | 5 */
	const struct bpfrt_insn none[] = {
		{ .code = 0xbf, .dst = 0, .src = 1 },
		{ .code = 0x4f, .dst = 0, .src = 2 },
		{ .code = 0x47, .dst = 0, .imm = 5 },
		{ .code = 0x95 },
	};
	check_run("no memory", none, N(none), NULL, 0, 5, NULL);

	/* One byte past the memory: the bounds are the memory's, not more. */
	const struct bpfrt_insn oob[] = { { .code = 0x71, .dst = 0, .src = 1, .off = 9 },
					  { .code = 0x95 } };
	check_rejected("read past the memory", oob, N(oob), 9, "value_size=9");
	const struct bpfrt_insn last[] = { { .code = 0x71, .dst = 0, .src = 1, .off = 8 },
					   { .code = 0x95 } };
	check_run("read the last byte", last, N(last), after, sizeof(after), 0xab, after);

	/* lsh r0, 64: the verifier's reason must come back. */
	const struct bpfrt_insn sh[] = { { .code = 0xb7, .imm = 1 }, { .code = 0x67, .imm = 64 },
					 { .code = 0x95 } };
	check_rejected("lsh by 64", sh, N(sh), 0, "invalid shift 64");
}

static void test_packet_bridge(void)
{
	/* r0 = ldabsh [2]; r8 = r0; r7 = 1; r0 = ldindb [r7 + 3]; r0 |= r8 << 8 */
	const struct bpfrt_insn ld[] = {
		{ .code = 0x28, .imm = 2 },
		{ .code = 0xbf, .dst = 8, .src = 0 },
		{ .code = 0xb7, .dst = 7, .imm = 1 },
		{ .code = 0x50, .src = 7, .imm = 3 },
		{ .code = 0x67, .dst = 8, .imm = 8 },
		{ .code = 0x4f, .dst = 0, .src = 8 },
		{ .code = 0x95 },
	};
	const uint8_t pkt[6] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60 };
	expect(kern_insns_use_legacy_packet(ld, N(ld)), "legacy detection", "LD_ABS not seen");
	check_run("ldabs/ldind", ld, N(ld), pkt, sizeof(pkt), 0x304050, pkt);

	/* A load past the packet ends the program with r0 = 0. */
	const struct bpfrt_insn past[] = { { .code = 0x20, .imm = 4 }, { .code = 0x95 } };
	check_run("ldabsw past the end", past, N(past), pkt, sizeof(pkt), 0, pkt);
	check_run("ldabsw without memory", past, N(past), NULL, 0, 0, NULL);
}

int main(void)
{
	char why[512];
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("oracle_test: SKIP: %s\n", why);
		return 77;
	}
	test_call_bridge();
	test_packet_bridge();
	printf("oracle_test: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
