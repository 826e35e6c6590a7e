/* SPDX-License-Identifier: MIT */
/*
 * fuzz_btf.c - libFuzzer target for src/btf: any bytes given as .BTF or
 * .BTF.ext are either refused with a message naming the section, or parsed
 * into something every query, dumper and CO-RE computation can use safely.
 *
 * Random bytes rarely get past the header, so most inputs are instead
 * patches to a real object's sections (progs/maps.bpf.c, embedded at build
 * time), or a list of types to build: the first byte picks the mode, the
 * rest are (offset, xor) triples or 4-byte type descriptions.
 */
#include <stdlib.h>
#include <string.h>
#include "btf/btf.h"
#include "builder.h"
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

/*
 * Types from 4 bytes each (kind, vlen, a referenced id, a choice), named
 * from a small set so that names collide and flavors match: mostly valid
 * BTF of odd shapes (sharing, deep nesting, flavors) for the dumper and CO-RE.
 */
static void *structured(const uint8_t *p, size_t n, size_t *size)
{
	static const char *const names[] = { "a", "b", "s", "s___v2", "t", "int" };
	static const uint32_t sizes[] = { 1, 2, 4, 8 };
	struct bb b;
	bb_init(&b);
	uint32_t nt = (uint32_t)(n / 4 < 64 ? n / 4 : 64);
	for (uint32_t i = 0; i < nt; i++, p += 4) {
		unsigned kind = p[0] % NR_BTF_KINDS, vlen = p[1] % 4;
		uint32_t ref = p[2] % (nt + 1), x = p[3];
		const char *name = names[x % 6], *anon = x & 0x80 ? NULL : name;
		switch (kind) {
		case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
			bb_type(&b, NULL, kind, 0, false, ref);
			break;
		case BTF_KIND_TYPEDEF: case BTF_KIND_TYPE_TAG:
			bb_type(&b, name, kind, 0, false, ref);
			break;
		case BTF_KIND_ARRAY:
			bb_array(&b, ref ? ref : 1, 1, x % 5);
			break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			bb_struct(&b, anon, kind == BTF_KIND_UNION, 8 * vlen + 8, vlen);
			for (unsigned m = 0; m < vlen; m++)
				bb_member(&b, x & 0x40 && m ? NULL : names[(x + m) % 5], (ref + m) % (nt + 1),
					  kind == BTF_KIND_UNION ? 0 : 64 * m);
			break;
		case BTF_KIND_ENUM:
			bb_enum(&b, anon, sizes[x % 4], vlen);
			for (unsigned m = 0; m < vlen; m++)
				bb_enumval(&b, names[(x + m) % 5], (int32_t)(ref - m));
			break;
		case BTF_KIND_FWD:
			bb_type(&b, name, kind, 0, x & 1, 0);
			break;
		case BTF_KIND_FUNC:
			bb_func(&b, name, ref, x % 3);
			break;
		case BTF_KIND_FUNC_PROTO:
			bb_proto(&b, ref, vlen);
			for (unsigned m = 0; m < vlen; m++)
				bb_param(&b, NULL, (ref + m + 1) % (nt + 1));
			break;
		case BTF_KIND_VAR:
			bb_var(&b, name, ref, x % 3);
			break;
		case BTF_KIND_FLOAT:
			bb_type(&b, "double", kind, 0, false, 8);
			break;
		default:	/* INT (and the kinds too odd to build: they come from patches) */
			bb_int(&b, name, sizes[x % 4], x & 1);
			break;
		}
	}
	void *raw = bb_finish(&b, size);
	bb_free(&b);
	return raw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	uint8_t mode = data[0] % 5;
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
	case 3:		/* the input is the .BTF.ext of the seed .BTF */
		run(btf, sizeof(seed_btf), data, size);
		break;
	default: {	/* types built from the input */
		size_t len;
		void *built = structured(data, size, &len);
		run(built, len, NULL, 0);
		free(built);
		break;
	}
	}
	free(btf);
	free(ext);
	return 0;
}
