/* SPDX-License-Identifier: MIT */
/*
 * cookie.c - bpf_get_attach_cookie: the value the hook running the program
 * was attached with. One program attached at many places tells them apart
 * by it; libbpf's USDT support (usdt.bpf.h) finds a call site's argument
 * specs under it. Outside hooks with a cookie it is 0, as in the kernel.
 */
#include "helpers.h"

HELPER(bpf_get_attach_cookie)
{
	return ex->cookie;
}

const struct helper_def helpers_cookie[] = {
	{ 174, "bpf_get_attach_cookie", bpf_get_attach_cookie, HG_TRACE, PROTO(RET_INTEGER, ARG_PTR_TO_CTX) },
	{ 0 },
};
