/* SPDX-License-Identifier: MIT */
/*
 * diag.h - a diagnostic message being built up by one operation.
 *
 * Every stage (validate, assemble, load, run) reports its first error into a
 * struct diag owned by the caller; the message always names its subject
 * ("insn 7: ...", "line 3: ...") so the user never needs a debugger.
 */
#ifndef BPFRT_UTIL_DIAG_H
#define BPFRT_UTIL_DIAG_H

#include <stddef.h>

#define DIAG_MAX 512

struct diag {
	char msg[DIAG_MAX];
	size_t insn; /* instruction index the message is about, or DIAG_NO_INSN */
};
#define DIAG_NO_INSN ((size_t)-1)

/* Record an error (the first one wins: later ones are usually consequences). */
__attribute__((format(printf, 2, 3)))
void diag_set(struct diag *d, const char *fmt, ...);

/* Record an error about instruction idx; the message gets an "insn N: " prefix. */
__attribute__((format(printf, 3, 4)))
void diag_insn(struct diag *d, size_t idx, const char *fmt, ...);

static inline void diag_clear(struct diag *d)
{
	d->msg[0] = '\0';
	d->insn = DIAG_NO_INSN;
}

#endif
