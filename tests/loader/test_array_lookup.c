/* SPDX-License-Identifier: MIT */
/*
 * test_array_lookup.c - array lookups the JIT inlines (array_lookup.bpf.c):
 * every key from in range to past max_entries (and the largest u32), with
 * 8-byte and 12-byte values, in each engine, against the values this test
 * stored; and a lookup whose map the code does not determine, which keeps
 * the helper call.
 *
 * usage: test_array_lookup DIR CPU [checked|interp|jit]
 */
#include <stdio.h>
#include <string.h>
#include <bpfrt/map.h>
#include <bpfrt/object.h>
#include <bpfrt/prog.h>
#include <bpfrt/runtime.h>

static int failed;

static long run(struct bpfrt_runtime *rt, struct bpfrt_object *obj, const char *name,
		uint32_t key, uint32_t which)
{
	uint32_t in[2] = { key, which };
	struct bpfrt_program *p = bpfrt_object__find_program_by_name(obj, name);
	BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = in, .data_size_in = sizeof(in));

	if (!p || bpfrt_prog__test_run(bpfrt_program__prog(p), &o)) {
		printf("FAIL: run %s: %s\n", name, bpfrt_runtime__last_error(rt));
		failed++;
		return -2;
	}
	return (long)o.retval;
}

int main(int argc, char **argv)
{
	enum bpfrt_engine engine = BPFRT_ENGINE_CHECKED;
	char path[4096];

	if (argc < 3) {
		fprintf(stderr, "usage: test_array_lookup DIR CPU [checked|interp|jit]\n");
		return 2;
	}
	if (argc > 3 && !strcmp(argv[3], "interp"))
		engine = BPFRT_ENGINE_INTERP;
	else if (argc > 3 && !strcmp(argv[3], "jit"))
		engine = BPFRT_ENGINE_JIT;
	struct bpfrt_runtime *rt = bpfrt_runtime__new(NULL);
	snprintf(path, sizeof(path), "%s/array_lookup.%s.o", argv[1], argv[2]);
	struct bpfrt_object *obj = rt ? bpfrt_object__open_file(rt, path, NULL) : NULL;
	if (!obj || bpfrt_object__load_engine(obj, engine)) {
		printf("FAIL: load %s: %s\n", path, rt ? bpfrt_runtime__last_error(rt) : "no runtime");
		return 1;
	}
	struct bpfrt_map *small = bpfrt_object__find_map_by_name(obj, "small");
	struct bpfrt_map *odd = bpfrt_object__find_map_by_name(obj, "odd");
	for (uint32_t k = 0; k < 5; k++) {
		uint64_t v = 1000 + 7 * k;
		if (bpfrt_map__update_elem(small, &k, 4, &v, 8, BPFRT_ANY))
			failed++;
	}
	for (uint32_t k = 0; k < 3; k++) {
		uint32_t r[3] = { 10 + k, 20 + k, 30 + k };
		if (bpfrt_map__update_elem(odd, &k, 4, r, 12, BPFRT_ANY))
			failed++;
	}

	static const uint32_t keys[] = { 0, 1, 2, 3, 4, 5, 6, 1000, 0x7fffffff, 0x80000000, 0xffffffff };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint32_t k = keys[i];
		long want = k < 5 ? 1000 + 7 * (long)k : -1;
		long got = run(rt, obj, "direct", k, 0);
		if (got != want) {
			printf("FAIL: direct key %u: %ld, want %ld\n", k, got, want);
			failed++;
		}
		want = k < 3 ? 20 + (long)k : -1;
		got = run(rt, obj, "direct_odd", k, 0);
		if (got != want) {
			printf("FAIL: direct_odd key %u: %ld, want %ld\n", k, got, want);
			failed++;
		}
		for (uint32_t which = 0; which < 2; which++) {
			want = which ? (k < 3 ? 10 + (long)k : -1) : (k < 5 ? 1000 + 7 * (long)k : -1);
			got = run(rt, obj, "either", k, which);
			if (got != want) {
				printf("FAIL: either(%s) key %u: %ld, want %ld\n", which ? "odd" : "small",
				       k, got, want);
				failed++;
			}
		}
	}
	bpfrt_object__close(obj);
	bpfrt_runtime__free(rt);
	printf("%s\n", failed ? "FAILED" : "ok");
	return failed != 0;
}
