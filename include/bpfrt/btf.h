/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/btf.h - printing BTF, as `bpftool btf dump file X [format c]` does.
 */
#ifndef BPFRT_PUBLIC_BTF_H
#define BPFRT_PUBLIC_BTF_H

#include <stdio.h>
#include "runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfrt_btf_format {
	BPFRT_BTF_FORMAT_RAW = 0, /* "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED" */
	BPFRT_BTF_FORMAT_C = 1,   /* a compilable C header, like vmlinux.h */
};

/**
 * bpfrt_btf_dump_file() - print the BTF of an ELF object (its .BTF section)
 * or of a raw BTF file (/sys/kernel/btf/vmlinux).
 *
 * Return: 0, or a negative errno with the reason in bpfrt_runtime__last_error().
 */
int bpfrt_btf_dump_file(struct bpfrt_runtime *rt, const char *path, enum bpfrt_btf_format format,
			FILE *out);

#ifdef __cplusplus
}
#endif
#endif
