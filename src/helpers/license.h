/* SPDX-License-Identifier: MIT */
/*
 * license.h (internal) - which programs may call GPL-only helpers: Linux
 * refuses, at load, a program whose license is not GPL-compatible calling a
 * helper whose prototype is gpl_only.
 */
#ifndef BPFRT_HELPERS_LICENSE_H
#define BPFRT_HELPERS_LICENSE_H

#include <stdbool.h>
#include <stdint.h>

/* The kernel's license_is_gpl_compatible(): exact names, as modules use. */
bool license_gpl_compatible(const char *license);

/* Is kernel helper id GPL-only in Linux? (false for ids bpfrt lacks) */
bool helper_gpl_only(uint32_t id);

#endif
