/* SPDX-License-Identifier: MIT */
/*
 * cmd_cbpf.c - `bpfrt cbpf`: classic BPF filters (tcpdump -dd output, or an
 * expression compiled by libpcap) translated to eBPF and run on the packets
 * of a capture file.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "bpfrt/cbpf.h"
#include "cli.h"
#include "pcap_file.h"

static const char usage[] =
	"Usage: bpfrt cbpf (--dd FILE | --filter EXPR) [--pcap IN [--out MATCHED.pcap]]\n"
	"                  [--dump] [--interp|--jit] [-j]\n"
	"\n"
	"Run a classic BPF filter on the packets of a capture file (pcap or pcapng,\n"
	"Ethernet), translated to eBPF as Linux translates socket filters.\n"
	"\n"
	"  --dd FILE      the filter as `tcpdump -dd` (or -ddd) prints it\n"
	"  --filter EXPR  a tcpdump filter expression, compiled by libpcap\n"
	"  --pcap IN      count the packets the filter accepts and rejects\n"
	"  --out FILE     write the accepted packets, cut to the length the filter\n"
	"                 returns (as a capture with that snap length would be)\n"
	"  --dump         print the eBPF program\n"
	"  --interp       the fast interpreter; --jit native code (default: checked)\n"
	"  -j             JSON output\n";

struct cbpf_args {
	const char *dd, *filter, *pcap, *out;
	bool dump, interp, jit, json;
};

static int parse(int argc, char **argv, struct cbpf_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **val = !strcmp(s, "--dd") ? &a->dd : !strcmp(s, "--filter") ? &a->filter :
				   !strcmp(s, "--pcap") ? &a->pcap : !strcmp(s, "--out") ? &a->out : NULL;
		if (val) {
			if (++i >= argc)
				return cli_err("%s needs a value", s);
			*val = argv[i];
		} else if (!strcmp(s, "--dump")) {
			a->dump = true;
		} else if (!strcmp(s, "--interp")) {
			a->interp = true;
		} else if (!strcmp(s, "--jit")) {
			a->jit = true;
		} else if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			a->json = true;
		} else {
			return cli_err("cbpf: unexpected argument '%s' (see bpfrt cbpf --help)", s);
		}
	}
	if (!a->dd == !a->filter)
		return cli_err("cbpf: give the filter with --dd FILE or --filter EXPR (one of them)");
	if (!a->pcap && !a->dump)
		return cli_err("cbpf: nothing to do: give --pcap IN or --dump");
	if (a->out && !a->pcap)
		return cli_err("cbpf: --out needs --pcap");
	if (a->interp && a->jit)
		return cli_err("cbpf: --interp and --jit exclude each other");
	return 0;
}

/* The classic program: from a -dd file, or compiled by libpcap for Ethernet. */
static int classic(const struct cbpf_args *a, struct bpfrt_cbpf_insn **prog, size_t *cnt)
{
	char err[512];
	if (a->dd) {
		uint8_t *text;
		size_t len;
		if (cli_read_file(a->dd, &text, &len))
			return 1;
		char *s = malloc(len + 1);
		if (!s) {
			free(text);
			return cli_err("%s: out of memory", a->dd);
		}
		memcpy(s, text, len);
		s[len] = 0;
		free(text);
		int e = bpfrt_cbpf_parse(s, a->dd, prog, cnt, err, sizeof(err));
		free(s);
		return e ? cli_err("%s", err) : 0;
	}
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program bp;
	if (!dead)
		return cli_err("--filter: out of memory");
	if (pcap_compile(dead, &bp, a->filter, 1, PCAP_NETMASK_UNKNOWN)) {
		cli_err("--filter '%s': %s", a->filter, pcap_geterr(dead));
		pcap_close(dead);
		return 1;
	}
	*cnt = bp.bf_len;
	*prog = malloc(bp.bf_len * sizeof(**prog));
	for (u_int i = 0; *prog && i < bp.bf_len; i++)
		(*prog)[i] = (struct bpfrt_cbpf_insn){ bp.bf_insns[i].code, bp.bf_insns[i].jt,
						       bp.bf_insns[i].jf, bp.bf_insns[i].k };
	pcap_freecode(&bp);
	pcap_close(dead);
	return *prog ? 0 : cli_err("--filter: out of memory");
}

static int run(struct bpfrt_runtime *rt, struct bpfrt_prog *prog, const struct cbpf_args *a)
{
	struct pcap_in in;
	struct pcap_out out;
	if (pcap_in_open(&in, a->pcap))
		return 1;
	if (pcap_out_open(&out, a->out)) {
		pcap_in_close(&in);
		return 1;
	}
	uint64_t accepted = 0, rejected = 0, errors = 0;
	struct pcap_rec rec;
	int r;
	while ((r = pcap_in_next(&in, &rec)) == 1) {
		struct bpfrt_cbpf_ctx ctx = { rec.len };
		BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = rec.data, .data_size_in = rec.caplen,
			   .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
		if (bpfrt_prog__test_run(prog, &o)) {
			fprintf(stderr, "bpfrt: %s: packet %llu: %s\n", a->pcap,
				(unsigned long long)in.n, bpfrt_runtime__last_error(rt));
			errors++;
			continue;
		}
		uint32_t keep = (uint32_t)o.retval;
		if (!keep) {
			rejected++;
			continue;
		}
		accepted++;
		pcap_out_write(&out, &rec, rec.data, keep < rec.caplen ? keep : rec.caplen);
	}
	if (a->json)
		printf("{\"packets\":%llu,\"accepted\":%llu,\"rejected\":%llu,\"errors\":%llu}\n",
		       (unsigned long long)in.n, (unsigned long long)accepted,
		       (unsigned long long)rejected, (unsigned long long)errors);
	else
		printf("packets %llu  accepted %llu  rejected %llu%s\n", (unsigned long long)in.n,
		       (unsigned long long)accepted, (unsigned long long)rejected,
		       errors ? "  (some runs failed)" : "");
	int rc = pcap_out_close(&out) | (r < 0) | (errors != 0);
	pcap_in_close(&in);
	return rc;
}

int cmd_cbpf(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	struct cbpf_args a;
	struct bpfrt_cbpf_insn *classic_prog = NULL;
	size_t ncl = 0, n = 0;
	struct bpfrt_insn *insns = NULL;
	char err[512];
	if (parse(argc, argv, &a) || classic(&a, &classic_prog, &ncl))
		return 1;
	int e = bpfrt_cbpf_to_ebpf(classic_prog, ncl, &insns, &n, err, sizeof(err));
	free(classic_prog);
	if (e)
		return cli_err("%s: %s", a.dd ? a.dd : "--filter", err);
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	BPFRT_OPTS(bpfrt_prog_load_opts, lo, .prog_type = BPFRT_PROG_TYPE_UNSPEC,
		   .engine = a.jit ? BPFRT_ENGINE_JIT : a.interp ? BPFRT_ENGINE_INTERP :
			     BPFRT_ENGINE_CHECKED);
	struct bpfrt_prog *prog = rt ? bpfrt_prog__load(rt, "cbpf", insns, n, &lo) : NULL;
	int rc = 1;
	if (!prog) {
		cli_err("%s", rt ? bpfrt_runtime__last_error(rt) : "cannot create a runtime");
	} else {
		rc = 0;
		for (size_t i = 0; a.dump && i < n;) {
			char line[256];
			int w = bpfrt_disasm_insn(insns, n, i, BPFRT_SYNTAX_LLVM, line, sizeof(line));
			printf("%5zu: %s\n", i, line);
			i += (size_t)(w > 0 ? w : 1);
		}
		if (a.pcap)
			rc = run(rt, prog, &a);
	}
	free(insns);
	bpfrt_prog__free(prog);
	bpfrt_runtime__free(rt);
	return rc;
}
