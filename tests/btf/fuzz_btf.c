/* SPDX-License-Identifier: MIT */
/*
 * fuzz_btf.c - libFuzzer target for src/btf: any bytes given as .BTF or
 * .BTF.ext are either refused with a message naming the section, or parsed
 * into something every query, dumper and CO-RE computation can use safely.
 *
 * Random bytes rarely get past the header, so most inputs are instead
 * patches to a real object's sections (progs/maps.bpf.c, embedded at build
 * time): the first byte picks the mode, the rest are (offset, xor) triples.
 */
#include <stdlib.h>
#include <string.h>
#include "btf/btf.h"
#include "exercise.h"
#include "fuzz_seed.h"

static void check_refusal(const struct diag *d, const char *prefix)
{
	if (strncmp(d->msg, prefix, strlen(prefix)))
		abort();	/* every error names its section */
}

static void patch(uint8_t *buf, size_t len, const uint8_t *p, size_t n)
{
	for (; n >= 3; p += 3, n -= 3)
		buf[(p[0] | (size_t)p[1] << 8) % len] ^= p[2];
}

static void run(const uint8_t *btf_data, size_t btf_len, const uint8_t *ext_data, size_t ext_len)
{
	struct diag d;
	diag_clear(&d);
	struct btf *btf = btf_parse(btf_data, btf_len, NULL, &d);
	if (!btf) {
		check_refusal(&d, "section '.BTF': ");
		return;
	}
	struct btf_ext *ext = NULL;
	if (ext_data) {
		diag_clear(&d);
		ext = btf_ext_parse(ext_data, ext_len, btf, &d);
		if (!ext)
			check_refusal(&d, "section '.BTF.ext': ");
	}
	if (btf_exercise(btf, ext))
		abort();
	btf_ext_free(ext);
	btf_free(btf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	uint8_t mode = data[0] % 4;
	data++;
	size--;
	uint8_t *btf = malloc(sizeof(seed_btf)), *ext = malloc(sizeof(seed_ext));
	memcpy(btf, seed_btf, sizeof(seed_btf));
	memcpy(ext, seed_ext, sizeof(seed_ext));
	switch (mode) {
	case 0:		/* the input is the .BTF */
		run(data, size, NULL, 0);
		break;
	case 1:		/* patches to the seed .BTF */
		patch(btf, sizeof(seed_btf), data, size);
		run(btf, sizeof(seed_btf), ext, sizeof(seed_ext));
		break;
	case 2:		/* patches to the seed .BTF.ext */
		patch(ext, sizeof(seed_ext), data, size);
		run(btf, sizeof(seed_btf), ext, sizeof(seed_ext));
		break;
	default:	/* the input is the .BTF.ext of the seed .BTF */
		run(btf, sizeof(seed_btf), data, size);
		break;
	}
	free(btf);
	free(ext);
	return 0;
}
