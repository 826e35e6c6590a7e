/* SPDX-License-Identifier: MIT */
/*
 * core_target.bpf.c - a hand-written CO-RE target: the types core.bpf.c
 * relocates, laid out differently (members moved, resized, nested in an
 * anonymous union, bitfields reordered), so that every relocation has a value
 * test_btf_core.c can predict by hand. Only its BTF is used.
 */

struct sample {
	long b;				/* bytes 0-7 (local: 8-15) */
	int a;				/* 8 (local: 0) */
	int added;			/* 12 */
	union {				/* 16 */
		struct {
			char d[8];	/* 16 */
			short c;	/* 24 */
		};
		long pad[2];
	};
	unsigned int flags : 3;		/* bits 256-258 */
	unsigned int added_bits : 7;	/* 259-265 */
	int mode : 6;			/* 266-271: now signed */
	int arr[8];			/* 36 */
	struct sample *next;		/* 72 */
};

enum sample_state { ST_GONE = 9, ST_IDLE = 0, ST_RUN = 5 };
typedef int sample_id_t;
struct matching { int x; unsigned long long y; long z; };

struct sample target_sample;
enum sample_state target_state;
sample_id_t target_id;
struct matching target_matching;
