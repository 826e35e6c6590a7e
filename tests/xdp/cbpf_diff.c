/* SPDX-License-Identifier: MIT */
/*
 * cbpf_diff.c - classic BPF in bpfrt against libpcap's own interpreter:
 * each filter expression compiled by pcap_compile, printed as `tcpdump -dd`
 * text, read back by bpfrt_cbpf_parse, translated, loaded in ENGINE and run
 * on every generated frame; pcap_offline_filter must give the same value
 * for each one. Then broken classic programs must be refused with the
 * instruction named.
 *
 *   cbpf_diff checked|interp|jit
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/cbpf.h"
#include "pktgen.h"

static const char *const filters[] = {
	"ip", "udp", "tcp", "icmp", "ip6", "arp", "vlan", "vlan and udp", "ip6 and udp",
	"ip src 10.0.0.1", "src net 10.0.0.0/30", "not src host 10.0.0.3", "udp port 53",
	"tcp dst port 80", "portrange 1000-1050", "len > 500", "less 64", "greater 1000",
	"ip[9] = 17", "ether[12:2] = 0x0800 and ip[2:2] > 100", "tcp[tcpflags] & tcp-syn != 0",
	"ip and not udp", "ether host 02:00:00:00:00:01", "ether broadcast", "ip multicast",
	"ip[6:2] & 0x1fff = 0", "udp[8:4] = 0x12345678", "ip[2:2] / 4 > 10", "ip[2:2] % 7 = 3",
	"ip[8] * 2 - 1 > 100", "ip[1] << 2 = 0", "ip[2:2] >> 3 > 4", "ip[2:2] / (ip[1] & 1) > 0",
	"ip[2:2] % ip[8] > 3", "ip[0:4] & 0x80000000 != 0", "ip[12:4] > 0x80000000",
	"ip[12:4] >= 0x0a000004", "ether[0] & 1 = 0 and len >= 60", "ip[100:2] = 0",
	"udp[(udp[4:2] - 8)] = 0", "ip and ip[0] & 0xf > 5", "tcp[((tcp[12] & 0xf0) >> 2)] = 0",
};

struct frame {
	uint8_t data[10000];
	struct pcap_pkthdr h;
};

static int failed, compared;

static void dd_text(const struct bpf_program *bp, char *out, size_t cap)
{
	size_t n = 0;
	for (u_int i = 0; i < bp->bf_len; i++) {
		const struct bpf_insn *f = &bp->bf_insns[i];
		n += (size_t)snprintf(out + n, cap - n, "{ 0x%x, %d, %d, 0x%08x },\n", f->code, f->jt,
				      f->jf, f->k);
	}
}

static void diff_filter(struct bpfrt_runtime *rt, enum bpfrt_engine engine, const char *expr,
			struct frame *frames, int nframes)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program bp;
	if (pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		printf("FAIL: '%s': libpcap: %s\n", expr, pcap_geterr(dead));
		failed++;
		pcap_close(dead);
		return;
	}
	static char text[1 << 20];
	dd_text(&bp, text, sizeof(text));
	struct bpfrt_cbpf_insn *cl;
	struct bpfrt_insn *insns = NULL;
	size_t ncl, n;
	char err[256];
	struct bpfrt_prog *prog = NULL;
	BPFRT_OPTS(bpfrt_prog_load_opts, lo, .engine = engine);
	if (bpfrt_cbpf_parse(text, expr, &cl, &ncl, err, sizeof(err)) ||
	    bpfrt_cbpf_to_ebpf(cl, ncl, &insns, &n, err, sizeof(err)) ||
	    !(prog = bpfrt_prog__load(rt, "cbpf", insns, n, &lo))) {
		printf("FAIL: '%s': %s\n", expr, prog ? err : bpfrt_runtime__last_error(rt));
		failed++;
	}
	int agree = 0;
	for (int i = 0; prog && i < nframes; i++) {
		struct frame *f = &frames[i];
		u_int want = (u_int)pcap_offline_filter(&bp, &f->h, f->data);
		struct bpfrt_cbpf_ctx ctx = { f->h.len };
		BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = f->data, .data_size_in = f->h.caplen,
			   .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
		int e = bpfrt_prog__test_run(prog, &o);
		compared++;
		if (e || o.retval != want) {
			printf("FAIL: '%s': frame %d (%u of %u bytes): libpcap %u, bpfrt %llu%s%s\n", expr,
			       i, f->h.caplen, f->h.len, want, (unsigned long long)o.retval,
			       e ? ": " : "", e ? bpfrt_runtime__last_error(rt) : "");
			failed++;
		} else {
			agree += want != 0;
		}
	}
	printf("'%s': %d of %d frames accepted by both\n", expr, agree, nframes);
	bpfrt_prog__free(prog);
	free(insns);
	free(cl);
	pcap_freecode(&bp);
	pcap_close(dead);
}

/* Broken classic programs, as -dd text: refused, naming the instruction or line. */
static void refusals(void)
{
	static const struct { const char *text, *expect; } cases[] = {
		{ "{ 0x6, 0, 0, 0x0 },\n{ 0x99, 0, 0, 0x0 },\n", "cbpf insn 1 (code 0x99, k 0): unknown opcode" },
		{ "{ 0x34, 0, 0, 0x0 },\n{ 0x6, 0, 0, 0x0 },\n", "cbpf insn 0 (code 0x34, k 0): division by the constant 0" },
		{ "{ 0x64, 0, 0, 0x20 },\n{ 0x6, 0, 0, 0x0 },\n", "cbpf insn 0 (code 0x64, k 32): shift by 32 or more" },
		{ "{ 0x60, 0, 0, 0x10 },\n{ 0x6, 0, 0, 0x0 },\n", "cbpf insn 0 (code 0x60, k 16): scratch memory has 16 words" },
		{ "{ 0x15, 0, 5, 0x1 },\n{ 0x6, 0, 0, 0x0 },\n", "cbpf insn 0 (code 0x15, k 1): jump past the end" },
		{ "{ 0x5, 0, 0, 0x1 },\n{ 0x6, 0, 0, 0x0 },\n", "cbpf insn 0 (code 0x05, k 1): jump past the end" },
		{ "{ 0x28, 0, 0, 0xfffff000 },\n{ 0x6, 0, 0, 0x0 },\n", "cbpf insn 0 (code 0x28, k 4294963200): ancillary" },
		{ "{ 0x28, 0, 0, 0xc },\n", "cbpf insn 0: the last instruction must return" },
		{ "{ 0x28, 0, 0 },\n", "t: line 1: an instruction has 4 fields" },
		{ "{ 0x28, 0, 0, zz },\n", "t: line 1: expected numbers" },
		{ "{ 0x10000, 0, 0, 0 },\n", "t: line 1: a field is out of range" },
		{ "3\n40 0 0 12\n6 0 0 0\n", "t: the first line says 3 instructions, 2 follow" },
		{ "\n\n", "t: no instructions" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpfrt_cbpf_insn *cl = NULL;
		struct bpfrt_insn *insns = NULL;
		size_t ncl, n;
		char err[256] = "";
		int e = bpfrt_cbpf_parse(cases[i].text, "t", &cl, &ncl, err, sizeof(err));
		if (!e)
			e = bpfrt_cbpf_to_ebpf(cl, ncl, &insns, &n, err, sizeof(err));
		compared++;
		if (!e || !strstr(err, cases[i].expect)) {
			printf("FAIL: refusal %zu: got %d '%s', expected '%s'\n", i, e, err, cases[i].expect);
			failed++;
		}
		free(cl);
		free(insns);
	}
	/* -ddd text reads as -dd does */
	struct bpfrt_cbpf_insn *cl = NULL;
	size_t ncl = 0;
	char err[256];
	if (bpfrt_cbpf_parse("2\n40 0 0 12\n6 0 0 262144\n", "t", &cl, &ncl, err, sizeof(err)) ||
	    ncl != 2 || cl[0].code != 0x28 || cl[0].k != 12 || cl[1].k != 262144) {
		printf("FAIL: -ddd text not read\n");
		failed++;
	}
	free(cl);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: cbpf_diff checked|interp|jit\n");
		return 2;
	}
	enum bpfrt_engine engine = !strcmp(argv[1], "interp") ? BPFRT_ENGINE_INTERP :
				   !strcmp(argv[1], "jit") ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_CHECKED;
	static struct frame frames[PK_NKINDS * 12 + 2];
	static const size_t lens[] = { 0, 10, 14, 34, 60, 64, 98, 128, 512, 1514, 3000, 9000 };
	int n = 0;
	for (int k = 0; k < PK_NKINDS; k++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++, n++) {
			size_t len = pktgen((enum pkt_kind)k, lens[l], (uint32_t)n, frames[n].data);
			frames[n].h.caplen = frames[n].h.len = (bpf_u_int32)len;
		}
	/* captured shorter than on the wire: "len" is the wire's, loads stop at caplen */
	size_t len = pktgen(PK_IPV4_UDP, 1000, 1, frames[n].data);
	frames[n].h.len = (bpf_u_int32)len;
	frames[n++].h.caplen = 40;
	len = pktgen(PK_IPV4_TCP, 600, 5, frames[n].data);
	frames[n].h.len = (bpf_u_int32)len;
	frames[n++].h.caplen = 54;

	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		diff_filter(rt, engine, filters[i], frames, n);
	refusals();
	bpfrt_runtime__free(rt);
	printf("cbpf_diff: %d compared, %d failed\n", compared, failed);
	return failed != 0;
}
