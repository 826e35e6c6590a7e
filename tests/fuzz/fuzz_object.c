/* SPDX-License-Identifier: MIT */
/*
 * fuzz_object.c - libFuzzer target for the ELF loader: any bytes either open
 * and load, or fail with a message; nothing crashes or leaks.
 */
#include <stdlib.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&ro);
	struct bpfrt_object *obj = bpfrt_object__open_mem(rt, data, size, NULL);
	if (obj)
		bpfrt_object__load(obj);
	bpfrt_object__close(obj);
	bpfrt_runtime__free(rt);
	return 0;
}
