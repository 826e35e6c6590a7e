/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include "diag.h"

void diag_set(struct diag *d, const char *fmt, ...)
{
	if (!d || d->msg[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void diag_insn(struct diag *d, size_t idx, const char *fmt, ...)
{
	if (!d || d->msg[0])
		return;
	int n = snprintf(d->msg, sizeof(d->msg), "insn %zu: ", idx);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg + n, sizeof(d->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	d->insn = idx;
}
