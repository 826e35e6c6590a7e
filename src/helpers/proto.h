/* SPDX-License-Identifier: MIT */
/*
 * proto.h (internal) - helper prototypes, as the kernel's struct bpf_func_proto:
 * what each argument must be and what the helper returns. The verifier checks
 * calls against them; the names follow the kernel's ARG_* and RET_*.
 */
#ifndef BPFRT_HELPERS_PROTO_H
#define BPFRT_HELPERS_PROTO_H

#include <stdint.h>

enum arg_type {
	ARG_DONTCARE = 0,           /* unused argument */
	ARG_ANYTHING,               /* any initialized value */
	ARG_CONST_MAP_PTR,          /* a map (lddw of a map) */
	ARG_PTR_TO_MAP_KEY,         /* readable memory of the map's key size */
	ARG_PTR_TO_MAP_VALUE,       /* readable memory of the map's value size */
	ARG_PTR_TO_UNINIT_MAP_VALUE, /* writable memory of the map's value size */
	ARG_PTR_TO_MEM,             /* readable memory, size in the next argument */
	ARG_PTR_TO_MEM_OR_NULL,     /* the same, or NULL with size 0 */
	ARG_PTR_TO_UNINIT_MEM,      /* writable memory, size in the next argument */
	ARG_CONST_SIZE,             /* the size of the previous argument, > 0, known bounds */
	ARG_CONST_SIZE_OR_ZERO,     /* the same, may be 0 */
	ARG_CONST_ALLOC_SIZE_OR_ZERO, /* a constant size to allocate (ringbuf reserve) */
	ARG_PTR_TO_CTX,             /* the program's context */
	ARG_PTR_TO_FUNC,            /* a callback: lddw of a function */
	ARG_PTR_TO_STACK_OR_NULL,   /* callback context: stack pointer or NULL */
	ARG_PTR_TO_CONST_STR,       /* a NUL-terminated string in read-only map memory */
	ARG_PTR_TO_SPIN_LOCK,       /* a struct bpf_spin_lock in a map value */
	ARG_PTR_TO_RINGBUF_MEM,     /* a record from bpf_ringbuf_reserve (released) */
	ARG_PTR_TO_LONG,            /* writable 8 bytes (strtol's result) */
};

enum ret_type {
	RET_INTEGER = 0,                 /* a scalar */
	RET_VOID,                        /* r0 undefined */
	RET_PTR_TO_MAP_VALUE_OR_NULL,    /* a value of the map in argument 1, or NULL */
	RET_PTR_TO_RINGBUF_MEM_OR_NULL,  /* a record of argument 2's constant size, or NULL */
};

struct helper_proto {
	enum ret_type ret;
	enum arg_type arg[5];
	/* Kernel quirks the verifier needs: calls that end the program on success. */
	unsigned tail_call : 1;
	/* Only GPL-compatible programs may call it (the kernel's gpl_only). */
	unsigned gpl_only : 1;
	/*
	 * It may move or resize the packet (the kernel's
	 * bpf_helper_changes_pkt_data), so the verifier forgets every packet
	 * pointer the program holds when it returns.
	 */
	unsigned changes_pkt_data : 1;
	/* Ignore: the helper may write the memory of ARG_PTR_TO_MEM (it never does). */
};

#define PROTO(r, ...) (&(const struct helper_proto){ .ret = (r), .arg = { __VA_ARGS__ } })
#define PROTO_GPL(r, ...) \
	(&(const struct helper_proto){ .ret = (r), .arg = { __VA_ARGS__ }, .gpl_only = 1 })
#define PROTO_CHANGES_PKT(r, ...) \
	(&(const struct helper_proto){ .ret = (r), .arg = { __VA_ARGS__ }, .changes_pkt_data = 1 })

#endif
