/* SPDX-License-Identifier: MIT */
/*
 * lines.c - which source line an instruction came from, for messages like
 * the verifier's ("prog.bpf.c:42: return *val;"). Clang stores the text of
 * each line in the .BTF string section, so no source file is needed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

int btf_ext_line_lookup(const struct btf_ext *ext, const char *sec, size_t insn_idx,
			struct btf_line *out)
{
	const struct btf_ext_sec *s = btf_ext_sec_by_name(ext, sec);
	if (!s || !s->line_info_cnt || insn_idx > UINT32_MAX / 8)
		return -ENOENT;
	uint32_t off = (uint32_t)insn_idx * 8;
	/* the last record at or before off: records are sorted by insn_off */
	uint32_t lo = 0, hi = s->line_info_cnt;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->line_info[mid].insn_off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	const struct btf_ext_line_info *l = &s->line_info[lo - 1];
	const struct btf *btf = btf_ext_btf(ext);
	out->file = btf_str(btf, l->file_name_off);
	out->text = btf_str(btf, l->line_off);
	out->line = BTF_LINE_NUM(l->line_col);
	out->col = BTF_LINE_COL(l->line_col);
	return 0;
}

int btf_line_format(const struct btf_line *l, char *buf, size_t len)
{
	const char *file = strrchr(l->file, '/');
	const char *text = l->text;
	file = file ? file + 1 : l->file;
	while (*text == ' ' || *text == '\t')
		text++;
	size_t n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n'))
		n--;
	return snprintf(buf, len, "%s:%u: %.*s", file, l->line, (int)n, text);
}
