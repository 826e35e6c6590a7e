/* SPDX-License-Identifier: MIT */
/*
 * mtest.h - what the map tests share: checks that count failures and say
 * where, and a quiet runtime whose last error the tests inspect.
 */
#ifndef BPFRT_TESTS_MAPS_MTEST_H
#define BPFRT_TESTS_MAPS_MTEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/map.h"
#include "bpfrt/runtime.h"

static int failures;

#define CHECK(cond, ...) do {                                                  \
	if (!(cond)) {                                                         \
		failures++;                                                    \
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);         \
		printf(__VA_ARGS__);                                           \
		printf("\n");                                                  \
	}                                                                      \
} while (0)

/* a == b for integers, printing both when not */
#define CHECK_EQ(a, b) do {                                                    \
	long long _a = (long long)(a), _b = (long long)(b);                    \
	if (_a != _b) {                                                        \
		failures++;                                                    \
		printf("FAIL %s:%d: %s == %s: %lld != %lld\n", __FILE__,       \
		       __LINE__, #a, #b, _a, _b);                              \
	}                                                                      \
} while (0)

/* The runtime's last error mentions s. */
#define CHECK_ERR_MENTIONS(rt, s) CHECK(strstr(bpfrt_runtime__last_error(rt), (s)), \
	"last error '%s' should mention '%s'", bpfrt_runtime__last_error(rt), (s))

static inline struct bpfrt_runtime *quiet_runtime(void)
{
	BPFRT_OPTS(bpfrt_runtime_opts, o, .quiet = true);
	struct bpfrt_runtime *rt = bpfrt_runtime__new(&o);
	if (!rt) {
		printf("cannot create a runtime: %s\n", strerror(errno));
		exit(1);
	}
	return rt;
}

static inline struct bpfrt_map *mk(struct bpfrt_runtime *rt, enum bpfrt_map_type t,
				   const char *name, uint32_t ks, uint32_t vs, uint32_t max,
				   uint32_t flags)
{
	BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = flags);
	return bpfrt_map__create(rt, t, name, ks, vs, max, &o);
}

/* errno of a failed creation, or 0 (and the map freed) if it was created */
static inline int mk_err(struct bpfrt_runtime *rt, enum bpfrt_map_type t, uint32_t ks,
			 uint32_t vs, uint32_t max, uint32_t flags)
{
	struct bpfrt_map *m = mk(rt, t, "probe", ks, vs, max, flags);
	if (m) {
		bpfrt_map__put(m);
		return 0;
	}
	return -errno;
}

static inline int finish(const char *name)
{
	if (failures) {
		printf("%s: %d failure(s)\n", name, failures);
		return 1;
	}
	printf("%s: all passed\n", name);
	return 0;
}

#endif
