/* SPDX-License-Identifier: MIT */
/*
 * xsk.h - AF_XDP for `bpfrt xdp attach --mode afxdp`: one socket per
 * (interface, queue), each with its own UMEM, and the kernel side that
 * steers an interface's frames to them.
 *
 * The kernel side is a five-instruction XDP program bpfrt loads itself with
 * bpf(): bpf_redirect_map(xskmap, ctx->rx_queue_index, XDP_PASS), attached
 * through a bpf_link so that the kernel detaches it when bpfrt's last file
 * descriptor to it closes, whatever way bpfrt ends. A queue without a socket
 * (there is none once all are registered) passes its frames to the stack.
 */
#ifndef BPFRT_CLI_XSK_H
#define BPFRT_CLI_XSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XSK_FRAME_SIZE 2048u
#define XSK_RING_SIZE 4096u
/* Half the UMEM is for the fill ring (frames the kernel receives into), half for sending. */
#define XSK_FRAMES (2 * XSK_RING_SIZE)

struct xsk_ring {
	uint32_t *producer, *consumer, *flags;
	void *descs;
	void *map;
	size_t map_len;
};

struct xsk {
	const char *name; /* the interface, for messages */
	unsigned ifindex, queue;
	int fd;
	uint8_t *umem;
	struct xsk_ring fill, comp, rx, tx;
	uint32_t tx_free[XSK_RING_SIZE]; /* UMEM frames (indexes) free to send from */
	unsigned n_tx_free;
	unsigned tx_queued;              /* descriptors queued since the last flush */
	bool zerocopy;
};

/*
 * Open a socket on (ifindex, queue): UMEM, fill and completion rings, a tx
 * ring and, when rx, an rx ring with the fill ring stocked. Returns 0, or -1
 * with why in err (naming the interface and queue).
 */
int xsk_open(struct xsk *x, const char *name, unsigned ifindex, unsigned queue, bool rx,
	     char *err, size_t errlen);
void xsk_close(struct xsk *x);

/*
 * Hand the frames received to fn (data, len), up to max of them; each frame
 * goes back to the fill ring after fn returns. Returns how many there were.
 */
unsigned xsk_receive(struct xsk *x, unsigned max,
		     void (*fn)(void *ctx, struct xsk *from, const uint8_t *data, uint32_t len),
		     void *ctx);

/* Queue a copy of the frame on the tx ring. Returns 0, or -1 when there is no room. */
int xsk_send(struct xsk *x, const uint8_t *data, uint32_t len);

/* Have the kernel send what is queued and take back the frames it has sent. */
void xsk_flush(struct xsk *x);

/* Frames the socket lost because bpfrt was behind (rx ring full, fill ring empty). */
uint64_t xsk_drops(const struct xsk *x);

/* The kernel side on one interface: the XSKMAP, the redirect program, its link. */
struct xsk_steer {
	int map_fd, prog_fd, link_fd;
	bool native;
};

/*
 * Load the redirect program for an interface with nqueues queues and put
 * the sockets in its map (socks[i] for queue i). Attaching tries native XDP
 * first, then generic (skb) mode, unless generic_only. Returns 0, or -1
 * with why in err.
 */
int xsk_steer_attach(struct xsk_steer *s, const char *name, unsigned ifindex,
		     struct xsk *socks, unsigned nqueues, bool generic_only, char *err,
		     size_t errlen);
/* Detach the program (closing the link) and free the map. */
void xsk_steer_detach(struct xsk_steer *s);

/* The number of receive queues of an interface (at least 1). */
unsigned xsk_rx_queues(const char *name);

#endif
