/* SPDX-License-Identifier: MIT */
/*
 * exercise.h - run every query, dumper and computation of src/btf over a
 * parsed BTF (and its .BTF.ext), for the corrupt-input tests and the fuzz
 * target: whatever parsing accepted must be safe to use in every way.
 */
#ifndef BPFRT_TESTS_BTF_EXERCISE_H
#define BPFRT_TESTS_BTF_EXERCISE_H

#include "btf/btf.h"

/* Returns the number of contract violations found (printed to stderr). */
int btf_exercise(const struct btf *btf, const struct btf_ext *ext);

#endif
