/* SPDX-License-Identifier: MIT */
/*
 * license.c - GPL-compatible licenses and GPL-only helpers.
 */
#include <string.h>
#include "license.h"
#include "helpers.h"

bool license_gpl_compatible(const char *license)
{
	/* The strings Linux accepts (include/linux/license.h), compared exactly. */
	static const char *const gpl[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
		"Dual MPL/GPL",
	};
	for (size_t i = 0; i < sizeof(gpl) / sizeof(gpl[0]); i++)
		if (!strcmp(license, gpl[i]))
			return true;
	return false;
}

bool helper_gpl_only(uint32_t id)
{
	const struct helper_proto *p = helper_proto(id);
	return p && p->gpl_only;
}
