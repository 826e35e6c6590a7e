/* SPDX-License-Identifier: MIT */
/*
 * test_public_header.c - bpfrt/bpfrt.h alone gives an embedder the whole
 * public API: compiled with no other include, against the library.
 */
#include "bpfrt/bpfrt.h"

int main(void)
{
	/* one entry point of each public header, linked and called */
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	if (!rt)
		return 1;
	int bad = 0;
	bad |= bpfrt_xdp_action_name(2) == NULL;                   /* xdp.h */
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_ARRAY, "m", 4, 4, 1, NULL);
	bad |= m == NULL; /* map.h */
	bpfrt_map__put(m);
	bad |= bpfrt_object__open_file(rt, "/nonexistent.o", NULL) != NULL; /* object.h */
	void *perf = (void *)bpfrt_perf_buffer__free;           /* perf_buffer.h */
	void *cbpf = (void *)bpfrt_cbpf_to_ebpf;                /* cbpf.h */
	void *btf = (void *)bpfrt_btf_dump_file;                /* btf.h */
	void *trace = (void *)bpfrt_tracer__new;                /* trace.h */
	bad |= !perf || !cbpf || !btf || !trace;
	bpfrt_runtime__free(rt);
	return bad;
}
