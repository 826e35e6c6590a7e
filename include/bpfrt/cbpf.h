/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/cbpf.h - classic BPF (the filters of tcpdump and SO_ATTACH_FILTER),
 * checked and translated to eBPF the way Linux translates socket filters.
 *
 * The translated program is a BPFRT_PROG_TYPE_UNSPEC program run with the
 * packet as data and a struct bpfrt_cbpf_ctx as context (r1): packet loads
 * are eBPF's legacy LD_ABS/LD_IND on the data, "len" reads the context.
 * Its return value is the filter's: the number of bytes to keep, 0 to
 * reject the packet.
 */
#ifndef BPFRT_CBPF_H
#define BPFRT_CBPF_H

#include <stddef.h>
#include <stdint.h>
#include "insn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One classic instruction: the kernel's struct sock_filter, libpcap's struct bpf_insn. */
struct bpfrt_cbpf_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

/* The context of a translated filter. */
struct bpfrt_cbpf_ctx {
	uint32_t len; /* the packet's length on the wire (cBPF's "len") */
};

#define BPFRT_CBPF_MAXINSNS 4096 /* as BPF_MAXINSNS */

/**
 * bpfrt_cbpf_parse() - read `tcpdump -dd` output ("{ 0x28, 0, 0, 0x0000000c },"
 * per line) or `tcpdump -ddd` output (a count, then "40 0 0 12" per line).
 * @name: what to call the text in messages (a file name).
 * @out, @cnt: the instructions (malloc'ed; the caller frees *out).
 *
 * Return: 0, or -EINVAL with "NAME: line N: reason" in err.
 */
int bpfrt_cbpf_parse(const char *text, const char *name, struct bpfrt_cbpf_insn **out, size_t *cnt,
		     char *err, size_t errlen);

/**
 * bpfrt_cbpf_to_ebpf() - check a classic program as Linux does
 * (bpf_check_classic: known opcodes, jumps inside the program, no division by
 * a constant 0, shifts below 32, scratch memory M[0..15], a return at the end)
 * and translate it as Linux does (bpf_convert_filter): A in r0, X in r7, the
 * scratch memory on the stack, A and X cleared first, 32-bit arithmetic,
 * division by X == 0 returning 0, unsigned comparisons with immediates
 * above 2^31 through a register.
 * @out, @out_cnt: the eBPF program (malloc'ed; the caller frees *out).
 *
 * Return: 0, or -EINVAL with "cbpf insn N: reason" in err (-ENOTSUP for the
 * kernel's ancillary loads, SKF_AD_* and negative offsets, which need a
 * socket buffer).
 */
int bpfrt_cbpf_to_ebpf(const struct bpfrt_cbpf_insn *in, size_t cnt, struct bpfrt_insn **out,
		       size_t *out_cnt, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
