/* SPDX-License-Identifier: MIT */
/*
 * check_objects.c - every program of the given clang-built objects must pass
 * the verifier, loaded as bpfrt's loader loads it (relocated, maps created).
 *
 *   check_objects [-v] [-k PROG] OBJECT...
 *
 * Prints one line per program: instructions processed, states, stack depth
 * and time. Exit status 1 if any program is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/object.h"
#include "maps/map_impl.h"
#include "vtest.h"

static int collect_maps(struct bpfrt_object *obj, struct vt_map *maps)
{
	int n = 0;
	for (struct bpfrt_map *m = bpfrt_object__next_map(obj, NULL); m; m = bpfrt_object__next_map(obj, m)) {
		if (n == VT_MAX_MAPS)
			return -1;
		struct vt_map *v = &maps[n++];
		memset(v, 0, sizeof(*v));
		v->num = (int)bpfrt_map__id(m);
		snprintf(v->name, sizeof(v->name), "%s", bpfrt_map__name(m));
		v->vm = (struct verifier_map){ bpfrt_map__type(m), bpfrt_map__key_size(m),
			bpfrt_map__value_size(m), bpfrt_map__max_entries(m), bpfrt_map__map_flags(m), v->name, NULL };
		v->inner = -1;
		if (m->type != BPFRT_MAP_TYPE_ARRAY_OF_MAPS && m->type != BPFRT_MAP_TYPE_HASH_OF_MAPS)
			continue;
		/* the inner maps' shape, as a map of its own */
		if (n == VT_MAX_MAPS)
			return -1;
		struct vt_map *in = &maps[n++];
		memset(in, 0, sizeof(*in));
		in->num = -1000 - n;
		snprintf(in->name, sizeof(in->name), "%.20s.inner", bpfrt_map__name(m));
		in->vm = (struct verifier_map){ m->hdr->inner_type, m->hdr->inner_key_size,
			m->hdr->inner_value_size, m->hdr->inner_max_entries, m->hdr->inner_flags, in->name, NULL };
		in->inner = -1;
		maps[n - 2].inner = in->num;
	}
	return n;
}

/* Raw instructions (a section cut out with objcopy): a generic program. */
static int check_raw(const char *path, bool verbose)
{
	FILE *f = fopen(path, "rb");
	struct bpfrt_insn insns[4096];
	size_t cnt = f ? fread(insns, sizeof(insns[0]), 4096, f) : 0;
	if (f)
		fclose(f);
	struct vt_prog vp;
	char err[512];
	if (!cnt || vt_prepare_insns(insns, cnt, NULL, 0, &vp, err, sizeof(err))) {
		printf("FAIL %s: %s\n", path, cnt ? err : "cannot read");
		vt_prog_free(&vp);
		return 1;
	}
	struct verifier_input in;
	vt_input(&in, &vp, BPFRT_PROG_TYPE_UNSPEC);
	in.prog_name = path;
	in.log_level = verbose ? 2 : 0;
	in.log = verbose ? stdout : NULL;
	struct verifier_result res;
	struct diag d;
	diag_clear(&d);
	int rc = bpfrt_verify(&in, &res, &d);
	if (rc)
		printf("FAIL %s (%zu insns): %s\n", path, cnt, d.msg);
	else
		printf("ok %s: %zu insns, processed %zu, states %zu (peak %zu), stack %zu, %llu us\n", path, cnt,
		       res.insns_processed, res.states, res.peak_states, res.max_stack_depth,
		       (unsigned long long)res.time_ns / 1000);
	vt_prog_free(&vp);
	return rc != 0;
}

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
		size_t plen = strlen(argv[i]);
		if (plen > 4 && !strcmp(argv[i] + plen - 4, ".bin")) {
			total++;
			failed += check_raw(argv[i], verbose);
			continue;
		}
		struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
		struct bpfrt_object *obj = bpfrt_object__open_file(rt, argv[i], NULL);
		if (!obj || bpfrt_object__load(obj)) {
			printf("FAIL %s: cannot load: %s\n", argv[i], bpfrt_runtime__last_error(rt));
			failed++;
			bpfrt_object__close(obj);
			bpfrt_runtime__free(rt);
			continue;
		}
		struct vt_map maps[VT_MAX_MAPS];
		int nmaps = collect_maps(obj, maps);
		if (nmaps < 0) {
			printf("FAIL %s: too many maps for this test\n", argv[i]);
			failed++;
			nmaps = 0;
		}
		for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
		     p = bpfrt_object__next_program(obj, p)) {
			if (only && strcmp(only, bpfrt_program__name(p)))
				continue;
			total++;
			struct vt_prog vp;
			char err[512];
			if (vt_prepare_insns(bpfrt_program__insns(p), bpfrt_program__insn_cnt(p), maps, nmaps,
					     &vp, err, sizeof(err))) {
				printf("FAIL %s %s: %s\n", argv[i], bpfrt_program__name(p), err);
				failed++;
				vt_prog_free(&vp);
				continue;
			}
			struct verifier_input in;
			vt_input(&in, &vp, bpfrt_program__type(p));
			in.prog_name = bpfrt_program__name(p);
			in.log_level = verbose ? 2 : 0;
			in.log = verbose ? stdout : NULL;
			struct verifier_result res;
			struct diag d;
			diag_clear(&d);
			int rc = bpfrt_verify(&in, &res, &d);
			if (rc) {
				printf("FAIL %s %s (%zu insns): %s\n", argv[i], bpfrt_program__name(p), vp.cnt, d.msg);
				failed++;
			} else {
				printf("ok %s %s: %zu insns, processed %zu, states %zu (peak %zu), stack %zu, %llu us\n",
				       argv[i], bpfrt_program__name(p), vp.cnt, res.insns_processed, res.states,
				       res.peak_states, res.max_stack_depth, (unsigned long long)res.time_ns / 1000);
			}
			vt_prog_free(&vp);
		}
		bpfrt_object__close(obj);
		bpfrt_runtime__free(rt);
	}
	printf("%d of %d programs verified\n", total - failed, total);
	return failed ? 1 : 0;
}
