/* SPDX-License-Identifier: MIT */
/*
 * cmd_xdp.c - `bpfrt xdp run`: an XDP program on every packet of a capture
 * file, through an XDP port (bpfrt/xdp.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "bpfrt/xdp.h"
#include "cli.h"
#include "pcap_file.h"
#include "xdp_live.h"

static const char usage[] =
	"Usage: bpfrt xdp run OBJ [--prog NAME] --pcap IN [--out PASS.pcap] [--tx TX.pcap]\n"
	"                     [--ifindex N] [--checked|--interp|--jit] [-j]\n"
	"       bpfrt xdp attach OBJ [--prog NAME] --dev IFACE --pass-dev IFACE\n"
	"                     [--mode auto|afxdp|packet] [--generic]\n"
	"                     [--count N] [--duration SECONDS] [--checked|--interp|--jit] [-j]\n"
	"\n"
	"  run     run the XDP program of OBJ (clang -target bpf, SEC(\"xdp\")) on each\n"
	"          packet of IN (pcap or pcapng, Ethernet), as the kernel runs XDP on a\n"
	"          received frame, and count the verdicts. Maps are live: a pinned map\n"
	"          changed meanwhile (bpfrt map update pinned ...) counts from the next\n"
	"          packet on.\n"
	"\n"
	"  attach  run it on the frames arriving on --dev, live, until interrupted\n"
	"          (SIGINT/SIGTERM), --count frames or --duration seconds, then print\n"
	"          the counts. bpfrt is a bump in the wire between two interfaces of\n"
	"          one namespace that have no addresses: XDP_PASS frames go out of\n"
	"          --pass-dev (on to the stack behind it, e.g. a veth whose peer has\n"
	"          the addresses), XDP_TX back out of --dev, XDP_REDIRECT out of the\n"
	"          interface the program chose (bpf_redirect, devmap); XDP_DROP and\n"
	"          XDP_ABORTED frames go nowhere. Frames coming back on --pass-dev go\n"
	"          out of --dev unfiltered. With AF_XDP (--mode afxdp) bpfrt attaches\n"
	"          a small kernel XDP program of its own to both interfaces that sends\n"
	"          every frame to its AF_XDP sockets (so XDP_DROP keeps frames from\n"
	"          the stack too) and detaches it on exit; with AF_PACKET TPACKET_V3\n"
	"          rings (--mode packet) the kernel's stack sees frames first. The\n"
	"          default, auto, is AF_XDP, or AF_PACKET saying why AF_XDP is not\n"
	"          possible. See the limits in src/cli/xdp_live.h and xdp_afxdp.c\n"
	"          (checksum and segmentation offload).\n"
	"\n"
	"  --prog NAME   the program, when OBJ has several\n"
	"  --out FILE    write the XDP_PASS frames, as the program left them (pcap)\n"
	"  --tx FILE     write the XDP_TX frames, as the program left them (pcap)\n"
	"  --ifindex N   what xdp_md.ingress_ifindex says (default: the loopback's)\n"
	"  --mode M      attach: auto (default), afxdp or packet\n"
	"  --generic     attach, AF_XDP: the kernel side in generic (skb) XDP mode\n"
	"                (default: native where the driver has it, else generic)\n"
	"  --checked     run unverified, in the interpreter that checks every access\n"
	"                (default: verified at load, then native code)\n"
	"  --interp      the fast interpreter without run-time checks (verified programs)\n"
	"  --jit         native code only, no interpreter fallback (verified programs)\n"
	"  -j            JSON output\n"
	"\n"
	"Frames shorter than 14 bytes are not run (Linux runs XDP on none); a packet\n"
	"captured shorter than it was (caplen < len) is run on what was captured.\n"
	"Statistics are the kernel's: run_cnt, run_time_ns (time in the program).\n";

struct xdp_args {
	bool attach;
	const char *obj, *prog, *pcap, *out, *tx, *dev, *pass_dev, *mode;
	uint64_t ifindex, count, duration;
	enum bpfrt_engine engine; /* --checked, --interp, --jit */
	int engines;
	bool json, generic;
};

static int parse(int argc, char **argv, struct xdp_args *a)
{
	memset(a, 0, sizeof(*a));
	a->attach = !strcmp(argv[1], "attach");
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		const char **val = !strcmp(s, "--prog") ? &a->prog : !strcmp(s, "--pcap") ? &a->pcap :
				   !strcmp(s, "--out") ? &a->out : !strcmp(s, "--tx") ? &a->tx :
				   !strcmp(s, "--dev") ? &a->dev : !strcmp(s, "--pass-dev") ? &a->pass_dev :
				   !strcmp(s, "--mode") ? &a->mode : NULL;
		uint64_t *num = !strcmp(s, "--count") ? &a->count :
				!strcmp(s, "--duration") ? &a->duration : NULL;
		if (val) {
			if (++i >= argc)
				return cli_err("%s needs a value", s);
			*val = argv[i];
		} else if (num) {
			if (cli_parse_u64(s, ++i < argc ? argv[i] : NULL, num))
				return 1;
		} else if (!strcmp(s, "--ifindex")) {
			if (cli_parse_u64(s, ++i < argc ? argv[i] : NULL, &a->ifindex))
				return 1;
			if (a->ifindex > UINT32_MAX)
				return cli_err("--ifindex: %llu is not a u32", (unsigned long long)a->ifindex);
		} else if (!strcmp(s, "--generic")) {
			a->generic = true;
		} else if (cli_engine_option(s, &a->engine, &a->engines)) {
			/* noted */
		} else if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			a->json = true;
		} else if (s[0] == '-' && s[1]) {
			return cli_err("xdp: unknown option '%s' (see bpfrt xdp --help)", s);
		} else if (!a->obj) {
			a->obj = s;
		} else {
			return cli_err("xdp: unexpected argument '%s'", s);
		}
	}
	const char *verb = a->attach ? "attach" : "run";
	if (!a->obj)
		return cli_err("xdp %s: no object file given (see bpfrt xdp --help)", verb);
	if (!a->attach && !a->pcap)
		return cli_err("xdp run: no --pcap file given");
	if (a->attach && (!a->dev || !a->pass_dev))
		return cli_err("xdp attach: say where frames come in (--dev) and where XDP_PASS "
			       "sends them (--pass-dev)");
	if (a->mode && strcmp(a->mode, "auto") && strcmp(a->mode, "afxdp") &&
	    strcmp(a->mode, "packet"))
		return cli_err("xdp attach: --mode '%s': say auto, afxdp or packet", a->mode);
	if (a->engines > 1)
		return cli_err("xdp %s: --checked, --interp and --jit exclude each other", verb);
	return 0;
}

/* The named XDP program, or the only XDP program of obj. */
static struct bpfrt_program *pick(struct bpfrt_object *obj, const char *name)
{
	struct bpfrt_program *found = NULL;
	int n = 0;
	for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
	     p = bpfrt_object__next_program(obj, p)) {
		if (name && !strcmp(bpfrt_program__name(p), name)) {
			if (bpfrt_program__type(p) != BPFRT_PROG_TYPE_XDP) {
				cli_err("object '%s': program '%s' is %s, not XDP", bpfrt_object__name(obj),
					name, bpfrt_prog_type_name(bpfrt_program__type(p)));
				return NULL;
			}
			return p;
		}
		if (!name && bpfrt_program__type(p) == BPFRT_PROG_TYPE_XDP) {
			found = p;
			n++;
		}
	}
	if (name)
		cli_err("object '%s' has no program '%s'", bpfrt_object__name(obj), name);
	else if (n == 0)
		cli_err("object '%s' has no XDP program", bpfrt_object__name(obj));
	else if (n > 1)
		cli_err("object '%s' has %d XDP programs: name one with --prog", bpfrt_object__name(obj), n);
	return n == 1 ? found : NULL;
}

/* The counts; JSON nested inside another object when nested. */
static void report(const struct bpfrt_xdp_stats *st, uint64_t packets, const struct xdp_targets *ts,
		   bool json, bool nested)
{
	uint64_t mean = st->run_cnt ? st->run_time_ns / st->run_cnt : 0;
	if (json) {
		printf("{\"packets\":%llu,\"run_cnt\":%llu,\"run_time_ns\":%llu,\"mean_ns\":%llu,"
		       "\"rejected\":%llu,\"errors\":%llu,\"invalid\":%llu,\"actions\":{",
		       (unsigned long long)packets, (unsigned long long)st->run_cnt,
		       (unsigned long long)st->run_time_ns, (unsigned long long)mean,
		       (unsigned long long)st->rejected, (unsigned long long)st->errors,
		       (unsigned long long)st->invalid);
		for (uint32_t a = 0; a < BPFRT_XDP_NACTIONS; a++)
			printf("%s\"%s\":%llu", a ? "," : "", bpfrt_xdp_action_name(a),
			       (unsigned long long)st->actions[a]);
		printf("},\"redirects\":[");
		for (unsigned i = 0; i < ts->cnt; i++)
			printf("%s{\"ifindex\":%u,\"map_id\":%u,\"key\":%u,\"flags\":%u,\"packets\":%llu}",
			       i ? "," : "", ts->t[i].ifindex, ts->t[i].map_id, ts->t[i].key,
			       ts->t[i].flags, (unsigned long long)ts->n[i]);
		printf("]}");
		if (!nested)
			printf("\n");
		return;
	}
	printf("packets %llu  run %llu  not run %llu\n", (unsigned long long)packets,
	       (unsigned long long)st->run_cnt, (unsigned long long)st->rejected);
	for (uint32_t a = 0; a < BPFRT_XDP_NACTIONS; a++)
		printf("%s%s %llu", a ? "  " : "", bpfrt_xdp_action_name(a),
		       (unsigned long long)st->actions[a]);
	printf("\n");
	if (st->errors || st->invalid)
		printf("aborted includes %llu run(s) stopped by an error, %llu invalid return value(s)\n",
		       (unsigned long long)st->errors, (unsigned long long)st->invalid);
	for (unsigned i = 0; i < ts->cnt; i++) {
		if (ts->t[i].map_id)
			printf("redirect map %u key %u%s -> ifindex %u: %llu\n", ts->t[i].map_id,
			       ts->t[i].key, ts->t[i].flags & BPFRT_F_BROADCAST ? " (broadcast)" : "",
			       ts->t[i].ifindex, (unsigned long long)ts->n[i]);
		else
			printf("redirect ifindex %u: %llu\n", ts->t[i].ifindex, (unsigned long long)ts->n[i]);
	}
	printf("run_cnt %llu  run_time_ns %llu  mean %llu ns\n", (unsigned long long)st->run_cnt,
	       (unsigned long long)st->run_time_ns, (unsigned long long)mean);
}

static int run_pcap(struct bpfrt_runtime *rt, struct bpfrt_prog *prog, const struct xdp_args *a)
{
	struct pcap_in in;
	struct pcap_out pass, tx;
	if (pcap_in_open(&in, a->pcap))
		return 1;
	if (pcap_out_open(&pass, a->out) || pcap_out_open(&tx, a->tx)) {
		pcap_out_close(&pass);
		pcap_in_close(&in);
		return 1;
	}
	BPFRT_OPTS(bpfrt_xdp_port_opts, po, .ingress_ifindex = (uint32_t)a->ifindex);
	struct bpfrt_xdp_port *port = bpfrt_xdp_port__new(prog, &po);
	int rc = port ? 0 : 1;
	struct xdp_targets ts = { .cnt = 0 };
	struct pcap_rec rec;
	int r;
	while (port && (r = pcap_in_next(&in, &rec)) == 1) {
		struct bpfrt_xdp_verdict v;
		int err = bpfrt_xdp_port__run(port, rec.data, rec.caplen, &v);
		if (err) {
			fprintf(stderr, "bpfrt: %s: packet %llu: %s\n", a->pcap,
				(unsigned long long)in.n, bpfrt_runtime__last_error(rt));
			continue;
		}
		if (v.action == BPFRT_XDP_PASS)
			pcap_out_write(&pass, &rec, v.data, v.len);
		else if (v.action == BPFRT_XDP_TX)
			pcap_out_write(&tx, &rec, v.data, v.len);
		else if (v.action == BPFRT_XDP_REDIRECT)
			xdp_count_target(&ts, &v.redirect);
	}
	if (port && r < 0)
		rc = 1;
	if (port) {
		struct bpfrt_xdp_stats st;
		bpfrt_xdp_port__stats(port, &st);
		report(&st, in.n, &ts, a->json, false);
	}
	rc |= pcap_out_close(&pass);
	rc |= pcap_out_close(&tx);
	pcap_in_close(&in);
	bpfrt_xdp_port__free(port);
	return rc;
}

static int run_live(struct bpfrt_runtime *rt, struct bpfrt_object *obj, struct bpfrt_prog *prog,
		    const struct xdp_args *a)
{
	unsigned ifindex = if_nametoindex(a->dev);
	BPFRT_OPTS(bpfrt_xdp_port_opts, po, .ingress_ifindex = ifindex);
	struct bpfrt_xdp_port *port = bpfrt_xdp_port__new(prog, &po);
	if (!port)
		return cli_err("%s", bpfrt_runtime__last_error(rt));
	struct xdp_live_opts o = { .obj = obj, .dev = a->dev, .pass_dev = a->pass_dev,
				   .count = a->count, .duration = a->duration, .generic = a->generic,
				   .mode = !a->mode || !strcmp(a->mode, "auto") ? XDP_LIVE_AUTO :
					   !strcmp(a->mode, "afxdp") ? XDP_LIVE_AFXDP : XDP_LIVE_PACKET };
	struct xdp_live_counts c;
	int rc = xdp_live_run(rt, port, &o, &c);
	if (!rc) {
		struct bpfrt_xdp_stats st;
		bpfrt_xdp_port__stats(port, &st);
		if (a->json) {
			printf("{\"dev\":\"%s\",\"mode\":\"%s\",\"xdp_mode\":\"%s\",\"elapsed_ns\":%llu,\"ring_drops\":%llu,"
			       "\"returned\":%llu,\"send_errors\":%llu,\"stats\":", a->dev, c.backend,
			       c.xdp_mode ? c.xdp_mode : "none",
			       (unsigned long long)c.elapsed_ns, (unsigned long long)c.ring_drops,
			       (unsigned long long)c.returned, (unsigned long long)c.sent_errors);
			report(&st, c.received, &c.targets, true, true);
			printf("}\n");
		} else {
			report(&st, c.received, &c.targets, false, false);
			printf("mode: %s%s%s  returned from %s to %s: %llu  send errors: %llu  "
			       "ring drops: %llu  elapsed %.3f s\n", c.backend, c.xdp_mode ? ", XDP " : "",
			       c.xdp_mode ? c.xdp_mode : "", a->pass_dev, a->dev, (unsigned long long)c.returned,
			       (unsigned long long)c.sent_errors, (unsigned long long)c.ring_drops,
			       c.elapsed_ns / 1e9);
		}
	}
	bpfrt_xdp_port__free(port);
	return rc;
}

int cmd_xdp(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	if (strcmp(argv[1], "run") && strcmp(argv[1], "attach"))
		return cli_err("xdp: unknown command '%s' (run, attach)", argv[1]);
	struct xdp_args a;
	if (parse(argc, argv, &a))
		return 1;
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true); /* errors are printed here, per packet */
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	if (!rt)
		return cli_err("cannot create a runtime");
	enum bpfrt_engine engine = a.engine;
	int rc = 1;
	struct bpfrt_object *obj = bpfrt_object__open_file(rt, a.obj, NULL);
	if (!obj || bpfrt_object__load_engine(obj, engine))
		cli_err("%s", bpfrt_runtime__last_error(rt));
	else {
		struct bpfrt_program *p = pick(obj, a.prog);
		if (p && a.attach)
			rc = run_live(rt, obj, bpfrt_program__prog(p), &a);
		else if (p)
			rc = run_pcap(rt, bpfrt_program__prog(p), &a);
	}
	bpfrt_object__close(obj);
	bpfrt_runtime__free(rt);
	return rc;
}
