/* SPDX-License-Identifier: MIT */
/*
 * core.bpf.c - one CO-RE relocation of each kind on local types, for
 * test_btf_core.c, which computes them against core_target.bpf.c's BTF (the
 * same type names, other layouts) and checks the local side against what
 * clang wrote into the instructions.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct sample {
	int a;
	long b;
	struct {
		short c;
		char d[4];
	};
	unsigned int flags : 3;
	unsigned int mode : 5;
	int arr[4];
	struct sample *next;
	int tail[];
} __attribute__((preserve_access_index));

/* A flavor of struct sample: relocates against 'sample' in the target. */
struct sample___old {
	int removed;
	long b;
} __attribute__((preserve_access_index));

enum sample_state { ST_IDLE = 0, ST_RUN = 1, ST_GONE = 7 };
typedef int sample_id_t;
struct only_local { int x; };
struct matching { int x; unsigned long long y; } __attribute__((preserve_access_index));

SEC("tracepoint/core")
int core_prog(void *ctx)
{
	struct sample *s = ctx;
	struct sample___old *o = ctx;
	long r = 0;

	r += BPF_CORE_READ(s, b);			/* byte_off */
	r += BPF_CORE_READ(s, next, a);			/* byte_off twice */
	r += BPF_CORE_READ(s, d[2]);			/* through an anonymous struct */
	r += BPF_CORE_READ(s, arr[3]);			/* array element */
	r += BPF_CORE_READ(o, b);			/* flavor */
	r += BPF_CORE_READ_BITFIELD_PROBED(s, mode);	/* byte_off, byte_sz, lshift, rshift, signed */
	r += bpf_core_field_exists(s->c);		/* 1 */
	r += bpf_core_field_exists(o->removed) << 1;	/* 0: not in the target */
	r += bpf_core_field_size(s->arr);		/* byte_sz */
	r += bpf_core_type_exists(struct only_local);	/* 0 */
	r += bpf_core_type_exists(sample_id_t);		/* 1 */
	r += bpf_core_type_size(struct sample);
	r += bpf_core_type_id_kernel(struct sample);
	r += bpf_core_type_id_local(struct sample);
	r += bpf_core_enum_value_exists(enum sample_state, ST_GONE);
	r += bpf_core_enum_value(enum sample_state, ST_RUN);
	r += bpf_core_type_matches(struct matching);
	r += bpf_core_type_matches(struct sample);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
