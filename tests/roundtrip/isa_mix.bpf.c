/* SPDX-License-Identifier: MIT */
/*
 * isa_mix.bpf.c - C that makes clang emit a wide mix of instructions (ALU32
 * and ALU64, every jump kind, sign-extending loads, atomics, byte swaps,
 * signed division, subprogram calls, helper calls, map and global-data
 * references) for the disassembler/assembler round-trip tests. It is compiled
 * at every -mcpu level; what it computes does not matter.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} counts SEC(".maps");

long total;
const volatile int scale = 3;

/* Signed division exists from -mcpu=v4 on; before, clang refuses it. */
#if __BPF_CPU_VERSION__ >= 4
typedef long sdiv_t;
#else
typedef unsigned long sdiv_t;
#endif

static __attribute__((noinline)) long mix(long a, long b)
{
	if (a < b)
		return a * b + (a >> 3);
	return (sdiv_t)(a ^ b) / (sdiv_t)(b | 1) + ((sdiv_t)a % 7);
}

static __attribute__((noinline)) int smix(int a, int b)
{
	signed char c = (signed char)a;
	short s = (short)b;
	return (int)(((sdiv_t)a / (sdiv_t)(b | 1)) + ((sdiv_t)a % (sdiv_t)(b | 1))) + c + s;
}

SEC("xdp")
int isa_mix(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	int key = 0;
	long *v = bpf_map_lookup_elem(&counts, &key);
	if (!v || p + 16 > (unsigned char *)end)
		return XDP_PASS;
	__sync_fetch_and_add(v, 1);
	long old = __sync_fetch_and_or(v, 2);
	__sync_fetch_and_and(v, ~4L);
	__sync_fetch_and_xor(v, 8);
	long prev = __sync_val_compare_and_swap(v, 5, 6);
	unsigned int w = __builtin_bswap32(*(unsigned int *)p);
	unsigned short h = __builtin_bswap16(*(unsigned short *)(p + 4));
	long acc = 0;
	for (int i = 0; i < 8; i++) {
		signed char c = (signed char)p[i];
		acc += c * scale;
		if (acc > 1000)
			acc -= mix(acc, i);
		else if ((unsigned long)acc < 10)
			acc <<= 2;
	}
	total += acc + old + prev;
	return (int)((w + h + smix((int)acc, (int)w)) & 3);
}

char LICENSE[] SEC("license") = "GPL";
