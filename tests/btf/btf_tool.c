/* SPDX-License-Identifier: MIT */
/*
 * btf_tool.c - a small command line over src/btf for the shell tests (and
 * for looking at objects by hand):
 *
 *   btf_tool raw FILE [BASE]     bpftool's default format (BASE: FILE is split BTF)
 *   btf_tool c FILE [--funcs]    bpftool's "format c"
 *   btf_tool core OBJ [TARGET]   every CO-RE relocation of OBJ, computed
 *   btf_tool maps OBJ            the BTF-defined maps of OBJ
 *   btf_tool lines OBJ           the source line of each instruction with line info
 *
 * FILE, OBJ and TARGET are clang BPF objects (their .BTF is used) or raw BTF
 * files such as /sys/kernel/btf/vmlinux.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btf/btf.h"
#include "elfobj.h"

static struct btf *load_split(const char *path, struct btf_ext **ext, const struct btf *base)
{
	struct diag d;
	size_t size = 0, ext_size = 0;
	void *data, *ext_data = NULL;
	diag_clear(&d);
	struct elfobj *o = elfobj_open_quiet(path);
	if (o) {
		data = elfobj_section(o, ".BTF", &size);
		ext_data = elfobj_section(o, ".BTF.ext", &ext_size);
		elfobj_close(o);
	} else {
		data = read_file(path, &size);
	}
	if (!data) {
		fprintf(stderr, "%s: no BTF\n", path);
		exit(1);
	}
	struct btf *btf = btf_parse_split(data, size, base, path, &d);
	if (!btf) {
		fprintf(stderr, "%s\n", d.msg);
		exit(1);
	}
	if (ext)
		*ext = NULL;
	if (ext && ext_data) {
		*ext = btf_ext_parse(ext_data, ext_size, btf, &d);
		if (!*ext) {
			fprintf(stderr, "%s\n", d.msg);
			exit(1);
		}
	}
	free(data);
	free(ext_data);
	return btf;
}

static struct btf *load(const char *path, struct btf_ext **ext)
{
	return load_split(path, ext, NULL);
}

static int cmd_core(const char *obj, const char *target)
{
	struct btf_ext *ext;
	struct btf *local = load(obj, &ext);
	struct btf *targ = target ? load(target, NULL) : NULL;
	int status = 0;
	for (uint32_t i = 0; ext && i < btf_ext_sec_cnt(ext); i++) {
		const struct btf_ext_sec *s = btf_ext_sec_by_idx(ext, i);
		for (uint32_t j = 0; j < s->core_relo_cnt; j++) {
			const struct btf_ext_core_relo *r = &s->core_relo[j];
			struct btf_core_res res;
			struct diag d;
			diag_clear(&d);
			printf("%s insn %u: %s %s: ", s->name, r->insn_off / 8, btf_core_kind_str(r->kind),
			       btf_str(local, r->access_str_off));
			if (btf_core_calc_relo(local, r, targ, &res, &d)) {
				printf("error: %s\n", d.msg);
				status = 1;
				continue;
			}
			printf("%s: %llu -> %llu%s (target id %u)\n", res.spec,
			       (unsigned long long)res.orig_val, (unsigned long long)res.new_val,
			       res.poison ? " POISON" : "", res.targ_id);
		}
	}
	btf_free(targ);
	btf_ext_free(ext);
	btf_free(local);
	return status;
}

static void print_attrs(const struct btf *btf, const char *name, const struct btf_map_attrs *a)
{
	printf("%s: type=%u key_size=%u value_size=%u max_entries=%u flags=0x%x numa=%u pinning=%u extra=0x%llx key='%s' value='%s' parts=0x%x\n",
	       name, a->map_type, a->key_size, a->value_size, a->max_entries, a->map_flags,
	       a->numa_node, a->pinning, (unsigned long long)a->map_extra,
	       btf_name(btf, a->key_type_id), btf_name(btf, a->value_type_id), a->parts);
}

static int cmd_maps(const char *obj)
{
	struct btf *btf = load(obj, NULL);
	int32_t sec = btf_find_datasec(btf, ".maps");
	int status = 0;
	struct btf_var_info v;
	for (uint32_t i = 0; sec > 0 && !btf_datasec_var(btf, (uint32_t)sec, i, &v); i++) {
		struct btf_map_def def;
		struct diag d;
		diag_clear(&d);
		if (btf_map_def_parse(btf, v.var_id, &def, &d)) {
			printf("%s: error: %s\n", v.name, d.msg);
			status = 1;
			continue;
		}
		print_attrs(btf, def.name, &def.map);
		if (def.map.parts & BTF_MAP_INNER) {
			char n[128];
			snprintf(n, sizeof(n), "%s.inner", def.name);
			print_attrs(btf, n, &def.inner);
		}
	}
	btf_free(btf);
	return status;
}

static int cmd_lines(const char *obj)
{
	struct btf_ext *ext;
	struct btf *btf = load(obj, &ext);
	for (uint32_t i = 0; ext && i < btf_ext_sec_cnt(ext); i++) {
		const struct btf_ext_sec *s = btf_ext_sec_by_idx(ext, i);
		for (uint32_t j = 0; j < s->line_info_cnt; j++) {
			struct btf_line l;
			char buf[256];
			uint32_t insn = s->line_info[j].insn_off / 8;
			if (!btf_ext_line_lookup(ext, s->name, insn, &l)) {
				btf_line_format(&l, buf, sizeof(buf));
				printf("%s insn %u: %s\n", s->name, insn, buf);
			}
		}
	}
	btf_ext_free(ext);
	btf_free(btf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: btf_tool raw|c|core|maps|lines FILE [...]\n");
		return 2;
	}
	const char *cmd = argv[1], *file = argv[2];
	if (!strcmp(cmd, "raw")) {
		struct btf *base = argc > 3 ? load(argv[3], NULL) : NULL;
		struct btf *btf = load_split(file, NULL, base);
		int err = btf_dump_raw(btf, stdout);
		btf_free(btf);
		btf_free(base);
		return err ? 1 : 0;
	}
	if (!strcmp(cmd, "c")) {
		struct btf *btf = load(file, NULL);
		struct diag d;
		diag_clear(&d);
		unsigned flags = argc > 3 && !strcmp(argv[3], "--funcs") ? BTF_DUMP_C_FUNCS : 0;
		int err = btf_dump_c(btf, stdout, flags, &d);
		if (err)
			fprintf(stderr, "%s\n", d.msg);
		btf_free(btf);
		return err ? 1 : 0;
	}
	if (!strcmp(cmd, "core"))
		return cmd_core(file, argc > 3 ? argv[3] : NULL);
	if (!strcmp(cmd, "maps"))
		return cmd_maps(file);
	if (!strcmp(cmd, "lines"))
		return cmd_lines(file);
	fprintf(stderr, "btf_tool: unknown command '%s'\n", cmd);
	return 2;
}
