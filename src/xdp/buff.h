/* SPDX-License-Identifier: MIT */
/*
 * buff.h (internal) - an XDP frame laid out as the kernel lays out an
 * xdp_buff, so that the head, tail and metadata helpers hit the limits Linux
 * has.
 *
 * The frame is one 4096-byte block in the low 4 GiB (xdp_md holds 32-bit
 * packet pointers):
 *
 *   hard_start                                                 hard_start + 4096
 *   | xdp_frame (40) | headroom ... | meta | data ... data_end | ... | tailroom (320) |
 *   |<-------- 256 ------------------------>|
 *
 * as BPF_PROG_TEST_RUN builds it: 256 bytes of headroom (XDP_PACKET_HEADROOM;
 * metadata given in the test context comes out of it), the first 40 bytes
 * reserved for the struct xdp_frame the kernel writes there on redirect, and
 * 320 bytes at the end kept for the skb_shared_info of a later skb
 * (SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64). Of a packet
 * longer than the rest (3520 bytes), the program sees the first 3520 bytes;
 * the rest goes to fragments of up to 4096 bytes each (at most 17, as
 * MAX_SKB_FRAGS), as a test run does even for programs not loaded for
 * fragments. Programs cannot read fragments (bpfrt has no
 * bpf_xdp_load_bytes yet), but bpf_xdp_adjust_tail moves their end as the
 * kernel does: only the last fragment grows, shrinking frees fragments from
 * the end first. Fragments but the last are always full, so their total
 * length says everything.
 *
 * The context is struct xdp_ctx: the program's struct xdp_md first (r1
 * points to it), then what the helpers need and the program cannot reach.
 */
#ifndef BPFRT_XDP_BUFF_H
#define BPFRT_XDP_BUFF_H

#include <linux/bpf.h>
#include <stdint.h>
#include "bpfrt/xdp.h"

#define XDP_FRAME_SZ 4096
#define XDP_HEADROOM 256
#define XDP_FRAME_HDR 40   /* sizeof(struct xdp_frame) */
#define XDP_TAILROOM 320   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define XDP_MAX_DATA (XDP_FRAME_SZ - XDP_HEADROOM - XDP_TAILROOM)
/* Metadata: 4-byte multiples up to the u8 skb_shared_info.meta_len allows. */
#define XDP_META_MAX 252
/* The longest packet: the linear part and every fragment full. */
#define XDP_MAX_LEN (XDP_MAX_DATA + XDP_MAX_FRAGS * XDP_FRAG_SZ)
#define XDP_ETH_HLEN 14
#define XDP_FRAG_SZ 4096
#define XDP_MAX_FRAGS 17

struct xdp_ctx {
	struct xdp_md md;     /* what the program reads: 32-bit addresses */
	uint32_t hard_start;  /* 32-bit address of the frame */
	uint32_t frame_sz;
	uint32_t frags_len;   /* bytes in fragments, after data_end */
	struct bpfrt_xdp_redirect redirect; /* the last redirect the program asked for */
};

/* The block a frame and its context live in (MAP_32BIT memory). */
struct xdp_block {
	uint8_t frame[XDP_FRAME_SZ];
	struct xdp_ctx ctx;
	uint8_t frags[XDP_MAX_FRAGS * XDP_FRAG_SZ];
};

/* mmap a block in the low 4 GiB; NULL on failure. */
struct xdp_block *xdp_block_new(void);
void xdp_block_free(struct xdp_block *b);

/*
 * Put a packet in the frame: meta_len bytes of metadata (the first bytes of
 * pkt) before data, data at headroom 256, the context pointing at both.
 * ingress_ifindex and rx_queue_index go into the context as given; bytes
 * beyond XDP_MAX_DATA go to fragments. Requires len >= meta_len and
 * len - meta_len <= XDP_MAX_LEN.
 */
void xdp_frame_load(struct xdp_block *b, const void *pkt, uint32_t len, uint32_t meta_len,
		    uint32_t ingress_ifindex, uint32_t rx_queue_index);

static inline uint8_t *xdp_ptr(uint32_t addr)
{
	return (uint8_t *)(uintptr_t)addr;
}

/* Is a metadata length one the kernel accepts? */
static inline int xdp_metalen_ok(uint32_t len)
{
	return !(len & 3) && len <= XDP_META_MAX;
}

#endif
