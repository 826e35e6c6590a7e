/* SPDX-License-Identifier: MIT */
/*
 * run_cases.c - run the verifier on every case of the given case files and
 * check its verdict and message.
 *
 *   run_cases [-v] [-k NAME] FILE...
 *
 * -v prints the verifier's log (level 2) of each case; -k runs only cases
 * whose name contains NAME. Exit status 1 if any case fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vtest.h"

int main(int argc, char **argv)
{
	bool verbose = false;
	const char *only = NULL;
	int failed = 0, total = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			only = argv[++i];
	}
	for (; i < argc; i++) {
		struct vt_case *cases;
		size_t n;
		char err[512];
		if (vt_read_cases(argv[i], &cases, &n, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		for (size_t k = 0; k < n; k++) {
			struct vt_case *c = &cases[k];
			if (only && !strstr(c->name, only))
				continue;
			total++;
			struct vt_prog p;
			if (vt_prepare(c, &p, err, sizeof(err))) {
				/* refused before the verifier runs (by bpfrt_validate): a rejection too */
				if (!strncmp(err, "validate: ", 10) && c->verdict == 0 &&
				    (!c->error[0] || strstr(err, c->error))) {
					vt_prog_free(&p);
					continue;
				}
				printf("FAIL %s:%d '%s': %s\n", argv[i], c->line, c->name, err);
				failed++;
				vt_prog_free(&p);
				continue;
			}
			struct verifier_input in;
			vt_input(&in, &p, c->type);
			in.log_level = verbose ? 2 : 0;
			in.log = verbose ? stdout : NULL;
			struct verifier_result res;
			struct diag d;
			diag_clear(&d);
			if (verbose)
				printf("=== %s\n", c->name);
			int rc = bpfrt_verify(&in, &res, &d);
			const char *why = NULL;
			if (c->verdict == 1 && rc)
				why = "expected accept";
			else if (c->verdict == 0 && !rc)
				why = "expected reject";
			else if (rc && c->error[0] && !strstr(d.msg, c->error))
				why = "message lacks the expected text";
			if (why) {
				printf("FAIL %s:%d '%s': %s; verifier: %s%s%s\n", argv[i], c->line, c->name, why,
				       rc ? "rejected: " : "accepted", rc ? d.msg : "", c->error[0] ? "" : "");
				if (c->error[0] && rc)
					printf("     expected text: %s\n", c->error);
				failed++;
			} else if (verbose) {
				printf("ok %s (%s%s%s)\n", c->name, rc ? "rejected: " : "accepted",
				       rc ? d.msg : "", "");
			}
			vt_prog_free(&p);
		}
		vt_free_cases(cases, n);
	}
	printf("%d of %d verifier cases passed\n", total - failed, total);
	return failed ? 1 : 0;
}
