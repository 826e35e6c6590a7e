/* SPDX-License-Identifier: MIT */
/*
 * buff.c - XDP frames in memory a 32-bit xdp_md field can point to.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include "buff.h"

_Static_assert(sizeof(struct xdp_md) == 24, "struct xdp_md as the kernel's");

struct xdp_block *xdp_block_new(void)
{
	void *p = mmap(NULL, sizeof(struct xdp_block), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void xdp_block_free(struct xdp_block *b)
{
	if (b)
		munmap(b, sizeof(*b));
}

void xdp_frame_load(struct xdp_block *b, const void *pkt, uint32_t len, uint32_t meta_len,
		    uint32_t ingress_ifindex, uint32_t rx_queue_index)
{
	uint8_t *data = b->frame + XDP_HEADROOM;
	uint32_t linear = len - meta_len > XDP_MAX_DATA ? XDP_MAX_DATA : len - meta_len;
	memcpy(data - meta_len, pkt, meta_len + linear);
	struct xdp_ctx *c = &b->ctx;
	memset(c, 0, sizeof(*c));
	c->hard_start = (uint32_t)(uintptr_t)b->frame;
	c->frame_sz = XDP_FRAME_SZ;
	c->md.data_meta = (uint32_t)(uintptr_t)(data - meta_len);
	c->md.data = (uint32_t)(uintptr_t)data;
	c->md.data_end = c->md.data + linear;
	c->frags_len = len - meta_len - linear;
	memcpy(b->frags, (const uint8_t *)pkt + meta_len + linear, c->frags_len);
	c->md.ingress_ifindex = ingress_ifindex;
	c->md.rx_queue_index = rx_queue_index;
}
