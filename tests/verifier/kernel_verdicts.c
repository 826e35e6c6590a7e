/* SPDX-License-Identifier: MIT */
/*
 * kernel_verdicts.c - the verifier against Linux's: every case of the case
 * files is loaded into the kernel of this machine as well (with kernel maps
 * standing in for the declared ones) and the verdicts are compared. A
 * disagreement must be listed, with its reason, in the disagreements file;
 * an unlisted one fails the test, and a listed one that no longer disagrees
 * is reported so the list stays true.
 *
 *   kernel_verdicts [-v] --disagreements FILE CASEFILE...
 *   kernel_verdicts --generated SEED COUNT      (random programs: agreement numbers)
 *
 * The kernel is asked twice: as root, the reference, and with only CAP_BPF
 * and CAP_NET_ADMIN (no CAP_PERFMON, no CAP_SYS_ADMIN), where Linux applies
 * the same unprivileged-safe rules as bpfrt (no pointer leaks, no reading
 * uninitialized stack); the second verdict is printed as evidence. Programs
 * with no kernel counterpart (generic ones, tracing programs needing BTF)
 * are skipped. Exit status 77 when bpf() is unavailable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include "bpfrt/asm.h"
#include "oracle.h"
#include "vgen.h"
#include "vtest.h"

#define LOG_SIZE (1u << 20)

static char *klog;

/* Effective capabilities: drop CAP_PERFMON and CAP_SYS_ADMIN, or restore. */
static int set_capped(bool capped)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return -errno;
	for (int cap = 0; cap < 64; cap++) {
		bool want = d[cap / 32].permitted & (1u << (cap % 32));
		if (capped && (cap == CAP_PERFMON || cap == CAP_SYS_ADMIN))
			want = false;
		if (want)
			d[cap / 32].effective |= 1u << (cap % 32);
		else
			d[cap / 32].effective &= ~(1u << (cap % 32));
	}
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static int map_in_map_create(const struct verifier_map *m)
{
	int inner = kern_map_create(m->inner->type, m->inner->key_size, m->inner->value_size,
				    m->inner->max_entries, m->inner->map_flags, "inner");
	if (inner < 0)
		return inner;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = m->type;
	attr.key_size = m->key_size;
	attr.value_size = 4;
	attr.max_entries = m->max_entries;
	attr.map_flags = m->map_flags;
	attr.inner_map_fd = (uint32_t)inner;
	int fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	int err = fd < 0 ? -errno : fd;
	close(inner);
	return err;
}

/*
 * The kernel's verdict on insns with maps: 1 accepted, 0 refused (reason in
 * why), -1 when it cannot be asked (why says so).
 */
static int kernel_verdict(enum bpfrt_prog_type type, const struct bpfrt_insn *insns, size_t cnt,
			  const struct vt_map *maps, int nmaps, bool capped, char *why, size_t len)
{
	if (type == BPFRT_PROG_TYPE_UNSPEC || type == BPFRT_PROG_TYPE_TRACING) {
		snprintf(why, len, "no kernel counterpart for this program type");
		return -1;
	}
	int fds[VT_MAX_MAPS];
	for (int i = 0; i < nmaps; i++) {
		const struct verifier_map *m = &maps[i].vm;
		if (m->type == BPFRT_MAP_TYPE_ARRAY_OF_MAPS || m->type == BPFRT_MAP_TYPE_HASH_OF_MAPS)
			fds[i] = m->inner ? map_in_map_create(m) : -EINVAL;
		else
			fds[i] = kern_map_create(m->type, m->key_size, m->value_size, m->max_entries,
						 m->map_flags, m->name);
		if (fds[i] < 0) {
			snprintf(why, len, "kernel map %s: %s", m->name, strerror(-fds[i]));
			for (int j = 0; j < i; j++)
				close(fds[j]);
			return -1;
		}
	}
	struct bpfrt_insn *k = malloc(cnt * sizeof(*k));
	int rc = -1;
	if (!k) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	memcpy(k, insns, cnt * sizeof(*k));
	for (size_t i = 0; i + 1 < cnt; i++) {
		if (k[i].code != 0x18)
			continue;
		uint8_t src = k[i].src;
		if (src == BPFRT_PSEUDO_MAP_FD || src == BPFRT_PSEUDO_MAP_VALUE || src == BPFRT_PSEUDO_MAP_IDX ||
		    src == BPFRT_PSEUDO_MAP_IDX_VALUE) {
			int fd = -1;
			for (int j = 0; j < nmaps; j++)
				if (maps[j].num == k[i].imm)
					fd = fds[j];
			k[i].imm = fd;
			k[i].src = src == BPFRT_PSEUDO_MAP_FD || src == BPFRT_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD
											      : BPF_PSEUDO_MAP_VALUE;
		}
		i++;
	}
	if (capped && set_capped(true)) {
		snprintf(why, len, "cannot drop capabilities");
		goto out;
	}
	struct kern_prog_load_opts o = { .name = "vcase", .log_buf = klog, .log_size = LOG_SIZE };
	int fd = kern_prog_load((uint32_t)type, k, cnt, &o);
	if (capped)
		set_capped(false);
	if (fd >= 0) {
		close(fd);
		rc = 1;
	} else if (klog[0]) {
		kern_log_reason(klog, why, len);
		rc = 0;
	} else {
		snprintf(why, len, "bpf(BPF_PROG_LOAD): %s", strerror(-fd));
		rc = fd == -EACCES || fd == -EINVAL ? 0 : -1;
	}
out:
	free(k);
	for (int i = 0; i < nmaps; i++)
		close(fds[i]);
	return rc;
}

struct listed {
	char key[256];
	char reason[512];
	bool seen;
};

static struct listed *read_list(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct listed *l = NULL;
	*n = 0;
	if (!f)
		return NULL;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *bar = strstr(line, " | ");
		if (line[0] == '#' || !bar)
			continue;
		struct listed *nl = realloc(l, (*n + 1) * sizeof(*l));
		if (!nl)
			break;
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

static int run_cases(int argc, char **argv, int i, const char *list_path, bool verbose)
{
	size_t nlisted;
	struct listed *listed = read_list(list_path, &nlisted);
	int compared = 0, agree = 0, unlisted = 0, skipped = 0, priv_only = 0;
	for (; i < argc; i++) {
		struct vt_case *cases;
		size_t n;
		char err[512];
		if (vt_read_cases(argv[i], &cases, &n, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		for (size_t k = 0; k < n; k++) {
			struct vt_case *c = &cases[k];
			struct vt_prog p;
			if (vt_prepare(c, &p, err, sizeof(err))) {
				vt_prog_free(&p);
				continue; /* run_cases reports these */
			}
			struct verifier_input in;
			vt_input(&in, &p, c->type);
			struct diag d;
			diag_clear(&d);
			int ours = bpfrt_verify(&in, NULL, &d) == 0;
			char why[512], whyc[512] = "";
			int theirs = kernel_verdict(c->type, p.insns, p.cnt, c->maps, c->nmaps, false, why,
						    sizeof(why));
			if (theirs == 0 && strstr(why, "missing btf func_info")) {
				/* Linux verifies callbacks only with BTF, which case files do not carry */
				theirs = -1;
				snprintf(why, sizeof(why), "Linux needs BTF func_info for callbacks");
			}
			if (theirs < 0) {
				skipped++;
				if (verbose)
					printf("skip %s:%s: %s\n", base, c->name, why);
				vt_prog_free(&p);
				continue;
			}
			compared++;
			char key[256];
			snprintf(key, sizeof(key), "%.80s:%.160s", base, c->name);
			struct listed *l = NULL;
			for (size_t j = 0; j < nlisted; j++)
				if (!strcmp(listed[j].key, key))
					l = &listed[j];
			if (ours == theirs) {
				agree++;
				if (l)
					printf("STALE %s: listed as a disagreement, but bpfrt and Linux agree (%s)\n",
					       key, ours ? "both accept" : "both refuse");
			} else {
				int capped = kernel_verdict(c->type, p.insns, p.cnt, c->maps, c->nmaps, true, whyc,
							    sizeof(whyc));
				if (!ours && theirs && capped == 0)
					priv_only++;
				if (l) {
					l->seen = true;
					if (verbose)
						printf("listed %s: %s\n", key, l->reason);
				} else {
					unlisted++;
					printf("DISAGREE %s: bpfrt %s, Linux (root) %s\n", key,
					       ours ? "accepts" : "refuses", theirs ? "accepts" : "refuses");
					if (!ours)
						printf("  bpfrt: %s\n", d.msg);
					if (!theirs)
						printf("  Linux: %s\n", why);
					if (capped >= 0)
						printf("  Linux without CAP_PERFMON/CAP_SYS_ADMIN: %s%s%s\n",
						       capped ? "accepts" : "refuses", capped ? "" : ": ", capped ? "" : whyc);
				}
			}
			vt_prog_free(&p);
		}
		vt_free_cases(cases, n);
	}
	for (size_t j = 0; j < nlisted; j++)
		if (!listed[j].seen && verbose)
			printf("note: listed %s was not compared\n", listed[j].key);
	printf("kernel verdicts: %d cases compared with Linux, %d agree, %d disagree (%d listed, %d unlisted; "
	       "%d of them refused by Linux too without CAP_PERFMON), %d skipped\n", compared, agree,
	       compared - agree, compared - agree - unlisted, unlisted, priv_only, skipped);
	free(listed);
	return unlisted ? 1 : 0;
}

/* Random programs in both verifiers: how often they agree, and on what they differ. */
static int run_generated(uint64_t seed, unsigned long count, int verbose)
{
	struct vgen_rng r = { seed };
	static struct vgen_prog p;
	unsigned long both_ok = 0, both_no = 0, ours_only = 0, theirs_only = 0, skipped = 0, invalid = 0;
	for (unsigned long i = 0; i < count; i++) {
		vgen_program(&r, &p, vgen_below(&r, 3));
		if (p.type == BPFRT_PROG_TYPE_UNSPEC) {
			i--;
			continue;
		}
		struct vt_map maps[VGEN_NMAPS];
		memcpy(maps, vgen_maps, sizeof(maps));
		struct vt_prog vp;
		char err[512];
		if (vt_prepare_insns(p.insns, p.cnt, maps, VGEN_NMAPS, &vp, err, sizeof(err))) {
			invalid++;
			vt_prog_free(&vp);
			continue;
		}
		struct verifier_input in;
		vt_input(&in, &vp, p.type);
		struct diag d;
		diag_clear(&d);
		int ours = bpfrt_verify(&in, NULL, &d) == 0;
		char why[512];
		int theirs = kernel_verdict(p.type, vp.insns, vp.cnt, maps, VGEN_NMAPS, false, why, sizeof(why));
		if (theirs < 0)
			skipped++;
		else if (ours && theirs)
			both_ok++;
		else if (!ours && !theirs)
			both_no++;
		else if (ours)
			ours_only++;
		else
			theirs_only++;
		if (verbose && theirs >= 0 && ours != theirs) {
			printf("%s only: type %d\n  bpfrt: %s\n  Linux: %s\n", ours ? "bpfrt" : "Linux", (int)p.type,
			       ours ? "accepted" : d.msg, theirs ? "accepted" : why);
			for (size_t k = 0; verbose > 1 && k < vp.cnt;) {
				char line[128];
				int n = bpfrt_disasm_insn(vp.insns, vp.cnt, k, BPFRT_SYNTAX_LLVM, line, sizeof(line));
				printf("    %3zu: %s\n", k, line);
				k += n > 0 ? (size_t)n : 1;
			}
		}
		vt_prog_free(&vp);
	}
	unsigned long n = both_ok + both_no + ours_only + theirs_only;
	printf("generated programs: %lu compared (%lu invalid, %lu skipped): %lu both accept, %lu both refuse, "
	       "%lu only bpfrt accepts, %lu only Linux accepts; agreement %.1f%%\n", n, invalid, skipped,
	       both_ok, both_no, ours_only, theirs_only, n ? 100.0 * (double)(both_ok + both_no) / (double)n : 0);
	return 0;
}

int main(int argc, char **argv)
{
	int verbose = 0;
	const char *list = NULL;
	int i = 1;
	char why[256];
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("kernel_verdicts: skipped: %s\n", why);
		return 77;
	}
	klog = malloc(LOG_SIZE);
	if (!klog)
		return 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose++;
		else if (!strcmp(argv[i], "--disagreements") && i + 1 < argc)
			list = argv[++i];
		else if (!strcmp(argv[i], "--generated") && i + 2 < argc)
			return run_generated(strtoull(argv[i + 1], NULL, 0), strtoul(argv[i + 2], NULL, 0), verbose);
	}
	if (!list) {
		fprintf(stderr, "usage: kernel_verdicts [-v] --disagreements FILE CASEFILE...\n");
		return 2;
	}
	return run_cases(argc, argv, i, list, verbose);
}
