/* SPDX-License-Identifier: MIT */
/*
 * trace_print.c - what `bpfrt trace` shows of maps and ring buffer events.
 *
 * Without the program's source to tell what bytes mean, the shapes tracing
 * programs use are recognised: 1, 2, 4 and 8-byte keys and values are
 * numbers (per-CPU values summed, as bpftrace does), NUL-padded printable
 * bytes are strings, anything else is hex. Maps print as bpftrace prints
 * its maps at exit: `@name[key]: value`, sorted by value.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/map.h"
#include "cli.h"

static bool is_number_size(size_t n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

static uint64_t number(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	memcpy(&v, b, n); /* little-endian: the low bytes */
	return v;
}

/* Printable text up to a NUL, then only NULs (at least one printable byte). */
static bool is_string(const uint8_t *b, size_t n)
{
	size_t i = 0;
	while (i < n && b[i] && (isprint(b[i]) || b[i] == '\t'))
		i++;
	if (i == 0 || i == n)
		return false;
	for (size_t j = i; j < n; j++)
		if (b[j])
			return false;
	return true;
}

static void put_value(FILE *out, const uint8_t *b, size_t n, bool number_ok)
{
	if (number_ok && is_number_size(n)) {
		fprintf(out, "%" PRIu64, number(b, n));
	} else if (is_string(b, n)) {
		fprintf(out, "%s", (const char *)b);
	} else {
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s%02x", i ? " " : "", b[i]);
	}
}

int trace_print_event(FILE *out, const char *map, const void *data, size_t size)
{
	fprintf(out, "%s: ", map);
	put_value(out, data, size, false);
	fputc('\n', out);
	fflush(out);
	return 0;
}

struct entry {
	uint8_t *key;
	uint8_t *val; /* value_size bytes: per-CPU copies already summed */
	uint64_t num;
};

static size_t sort_key_size; /* for ties: qsort has no context argument */

static int by_value(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return memcmp(x->key, y->key, sort_key_size);
}

static bool percpu(enum bpfrt_map_type t)
{
	return t == BPFRT_MAP_TYPE_PERCPU_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_HASH ||
	       t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Only maps with keys and plain values; .data/.bss/.rodata hold globals. */
static bool dumpable(const struct bpfrt_map *m)
{
	switch (bpfrt_map__type(m)) {
	case BPFRT_MAP_TYPE_HASH:
	case BPFRT_MAP_TYPE_ARRAY:
	case BPFRT_MAP_TYPE_PERCPU_HASH:
	case BPFRT_MAP_TYPE_PERCPU_ARRAY:
	case BPFRT_MAP_TYPE_LRU_HASH:
	case BPFRT_MAP_TYPE_LRU_PERCPU_HASH:
		return !strchr(bpfrt_map__name(m), '.');
	default:
		return false;
	}
}

int trace_print_map(FILE *out, const struct bpfrt_map *m)
{
	if (!dumpable(m))
		return 0;
	size_t ks = bpfrt_map__key_size(m), vs = bpfrt_map__value_size(m);
	size_t us = bpfrt_map__value_size_user(m);
	bool is_array = bpfrt_map__type(m) == BPFRT_MAP_TYPE_ARRAY ||
			bpfrt_map__type(m) == BPFRT_MAP_TYPE_PERCPU_ARRAY;
	bool pc = percpu(bpfrt_map__type(m));
	size_t cap = 0, n = 0;
	struct entry *v = NULL;
	uint8_t *key = malloc(ks), *raw = malloc(us);
	int err = key && raw ? bpfrt_map__get_next_key(m, NULL, key, ks) : -ENOMEM;
	while (!err) {
		if (bpfrt_map__lookup_elem(m, key, ks, raw, us, 0) == 0) {
			uint8_t *val = calloc(1, vs);
			uint8_t *k = malloc(ks);
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				struct entry *nv = realloc(v, cap * sizeof(*v));
				if (nv)
					v = nv;
				else
					cap = n;
			}
			if (!val || !k || n == cap) {
				free(val);
				free(k);
				err = -ENOMEM;
				break;
			}
			memcpy(k, key, ks);
			/* Per-CPU: one value_size slot (rounded to 8 bytes) per CPU. */
			size_t slot = pc ? (vs + 7) / 8 * 8 : vs, ncpu = pc ? us / slot : 1;
			uint64_t sum = 0;
			bool num = is_number_size(vs);
			for (size_t c = 0; c < ncpu; c++) {
				if (num)
					sum += number(raw + c * slot, vs);
				else if (c == 0)
					memcpy(val, raw, vs);
			}
			if (num)
				memcpy(val, &sum, vs);
			bool zero = true;
			for (size_t i = 0; i < vs; i++)
				zero &= val[i] == 0;
			if (is_array && zero) { /* arrays have every key: show the used ones */
				free(val);
				free(k);
			} else {
				v[n++] = (struct entry){ k, val, num ? sum : 0 };
			}
		}
		uint8_t *next = malloc(ks);
		err = next ? bpfrt_map__get_next_key(m, key, next, ks) : -ENOMEM;
		if (next) {
			memcpy(key, next, ks);
			free(next);
		}
	}
	if (is_number_size(vs) && !is_array && n > 1) {
		sort_key_size = ks;
		qsort(v, n, sizeof(*v), by_value);
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "@%s[", bpfrt_map__name(m));
		put_value(out, v[i].key, ks, true);
		fprintf(out, "]: ");
		put_value(out, v[i].val, vs, true);
		fputc('\n', out);
	}
	fprintf(out, "\n");
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].val);
	}
	free(v);
	free(key);
	free(raw);
	if (err != -ENOENT)
		return cli_err("map '%s': cannot read it: %s", bpfrt_map__name(m), strerror(-err));
	return 0;
}
