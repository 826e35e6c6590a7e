/* SPDX-License-Identifier: MIT */
/*
 * exercise.c - see exercise.h.
 */
#include <stdio.h>
#include <string.h>
#include "exercise.h"

static FILE *null_out(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

/* A failing call must say why, naming what it was about. */
static int check_msg(int err, const struct diag *d, const char *what)
{
	if (err && !d->msg[0]) {
		fprintf(stderr, "exercise: %s failed (%d) without a message\n", what, err);
		return 1;
	}
	return 0;
}

static int exercise_type(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(btf, id);
	struct btf_member_info mi;
	struct btf_array a;
	struct diag d;
	int bad = 0;
	if (!t)
		return 1;
	(void)btf_name(btf, id);
	(void)btf_resolve_size(btf, id);
	(void)btf_align_of(btf, id);
	(void)btf_skip_mods(btf, id);
	(void)btf_skip_mods_typedefs(btf, id);
	(void)btf_array_info(btf, id, &a);
	(void)btf_func_info(btf, id, NULL, NULL);
	btf_dump_raw_type(btf, id, null_out());
	const char *name = btf_name(btf, id);
	if (*name && btf_find_by_name_kind(btf, name, (int)btf_kind(t)) <= 0) {
		fprintf(stderr, "exercise: type id %u '%s' not found by name\n", id, name);
		bad++;
	}
	if (btf_is_composite(t)) {
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			if (btf_member_by_index(btf, id, i, &mi))
				bad++;
			else if (*mi.name)
				(void)btf_member_by_name(btf, id, mi.name, &mi);
		}
		/* every field reachable through an access string, as CO-RE would */
		for (uint32_t i = 0; i < btf_vlen(t) && i < 8; i++) {
			char access[32];
			struct btf_core_res res;
			snprintf(access, sizeof(access), "0:%u", i);
			for (unsigned k = 0; k <= BTF_CORE_FIELD_RSHIFT_U64; k++) {
				diag_clear(&d);
				int err = btf_core_calc(btf, id, access, k, btf, &res, &d);
				bad += check_msg(err, &d, "btf_core_calc");
			}
		}
	}
	if (btf_kind(t) == BTF_KIND_VAR) {
		struct btf_map_def def;
		diag_clear(&d);
		int err = btf_map_def_parse(btf, id, &def, &d);
		bad += check_msg(err, &d, "btf_map_def_parse");
	}
	if (btf_kind(t) == BTF_KIND_DATASEC) {
		struct btf_var_info v;
		for (uint32_t i = 0; !btf_datasec_var(btf, id, i, &v); i++)
			(void)btf_datasec_find_var(btf, id, v.name, &v);
	}
	if (*name) {
		static const unsigned kinds[] = { BTF_CORE_TYPE_EXISTS, BTF_CORE_TYPE_SIZE,
						  BTF_CORE_TYPE_MATCHES, BTF_CORE_TYPE_ID_TARGET };
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			struct btf_core_res res;
			diag_clear(&d);
			int err = btf_core_calc(btf, id, "0", kinds[k], btf, &res, &d);
			bad += check_msg(err, &d, "btf_core_calc");
		}
	}
	return bad;
}

int btf_exercise(const struct btf *btf, const struct btf_ext *ext)
{
	int bad = 0;
	struct diag d;
	for (uint32_t id = btf_start_id(btf); id < btf_type_cnt(btf); id++)
		bad += exercise_type(btf, id);
	diag_clear(&d);
	int err = btf_dump_c(btf, null_out(), BTF_DUMP_C_FUNCS, &d);
	bad += check_msg(err, &d, "btf_dump_c");
	btf_dump_raw(btf, null_out());
	for (uint32_t i = 0; ext && i < btf_ext_sec_cnt(ext); i++) {
		const struct btf_ext_sec *s = btf_ext_sec_by_idx(ext, i);
		struct btf_line l;
		char buf[128];
		for (uint32_t j = 0; j < s->line_info_cnt; j++)
			if (!btf_ext_line_lookup(ext, s->name, s->line_info[j].insn_off / 8, &l))
				btf_line_format(&l, buf, sizeof(buf));
		for (uint32_t j = 0; j < s->core_relo_cnt; j++) {
			struct btf_core_res res;
			diag_clear(&d);
			err = btf_core_calc_relo(btf, &s->core_relo[j], btf, &res, &d);
			bad += check_msg(err, &d, "btf_core_calc_relo");
		}
	}
	return bad;
}
