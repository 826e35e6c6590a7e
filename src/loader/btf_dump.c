/* SPDX-License-Identifier: MIT */
/*
 * btf_dump.c - bpfrt_btf_dump_file(): find the BTF of a file and print it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/btf.h"
#include "btf/btf.h"
#include "object.h"

#define BTF_MAGIC_LE 0xeb9f

int bpfrt_btf_dump_file(struct bpfrt_runtime *rt, const char *path, enum bpfrt_btf_format format,
			FILE *out)
{
	struct diag d;
	diag_clear(&d);
	struct btf *btf = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return rt_fail(rt, -errno, "btf '%s': %s", path, strerror(errno));
	uint8_t magic[4] = { 0 };
	size_t got = fread(magic, 1, 4, f);
	fclose(f);
	if (got >= 2 && (magic[0] | magic[1] << 8) == BTF_MAGIC_LE) {
		btf = btf_parse_file(path, NULL, &d);
		if (!btf)
			return rt_fail(rt, -EINVAL, "btf '%s': %s", path, d.msg);
	} else {
		struct bpfrt_object *obj = bpfrt_object__open_file(rt, path, NULL);
		if (!obj)
			return -errno;
		if (!obj->btf_types) {
			int err = rt_fail(rt, -ENOENT, "btf '%s': no usable .BTF section%s%s", path,
					  obj->btf_error[0] ? ": " : " (compile with -g)", obj->btf_error);
			bpfrt_object__close(obj);
			return err;
		}
		/* Keep the parsed BTF; the object goes. */
		btf = obj->btf_types;
		obj->btf_types = NULL;
		bpfrt_object__close(obj);
	}
	int err = format == BPFRT_BTF_FORMAT_C ? btf_dump_c(btf, out, 0, &d) : btf_dump_raw(btf, out);
	if (err)
		rt_fail(rt, err, "btf '%s': %s", path, d.msg[0] ? d.msg : "cannot print");
	btf_free(btf);
	return err;
}
