/* SPDX-License-Identifier: MIT */
/*
 * xdp_afxdp.c - the live XDP port of xdp_live.h over AF_XDP.
 *
 * bpfrt attaches its redirect program (xsk.h) to --dev and to --pass-dev,
 * so every frame either receives goes to bpfrt's sockets instead of the
 * kernel's stack: unlike with AF_PACKET rings, XDP_DROP keeps a frame from
 * the stack of --dev's namespace too. Verdicts, as with AF_PACKET:
 *   XDP_PASS      sent out of --pass-dev through its socket (bump in the
 *                 wire: the stack behind --pass-dev gets it)
 *   XDP_TX        sent back out of --dev through its socket's tx ring
 *   XDP_REDIRECT  sent out of the chosen interface: --dev or --pass-dev
 *                 through their sockets, any other through a send-only
 *                 AF_XDP socket bpfrt opens on it at the first redirect
 *   XDP_DROP, XDP_ABORTED  the frame goes back to the fill ring
 * Frames received on --pass-dev go out of --dev unfiltered.
 *
 * Limits: frames of up to 2048 bytes (chunk size; a frame the kernel
 * cannot fit is counted in ring_drops), so segmentation offload must be off
 * on the sender, and checksums left to offload stay unfilled, as with
 * AF_PACKET. On drivers without AF_XDP zero-copy (veth) the kernel copies
 * each frame into the UMEM and out of it. One thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bpfrt/bpfrt.h"
#include "cli.h"
#include "xdp_live.h"
#include "xsk.h"

#define MAX_QUEUES 16
#define BATCH 64
#define NAPS 20 /* empty looks, 50 us apart, before sleeping in poll() */

struct xsk_if {
	const char *name;
	unsigned ifindex, nq;
	struct xsk q[MAX_QUEUES];
	struct xsk_steer steer;
};

struct afx {
	struct bpfrt_runtime *rt;
	struct bpfrt_xdp_port *port;
	const struct xdp_live_opts *o;
	struct xdp_live_counts *c;
	struct xsk_if dev, pass;
	struct xsk other[XDP_MAX_TARGETS]; /* send-only sockets for redirects elsewhere */
	unsigned other_ifindex[XDP_MAX_TARGETS], n_other;
};

/* The socket that sends out of ifindex, opened at the first frame for an interface that is not ours. */
static struct xsk *sender(struct afx *a, unsigned ifindex)
{
	if (ifindex == a->dev.ifindex)
		return &a->dev.q[0];
	if (ifindex == a->pass.ifindex)
		return &a->pass.q[0];
	for (unsigned i = 0; i < a->n_other; i++)
		if (a->other_ifindex[i] == ifindex)
			return a->other[i].fd >= 0 ? &a->other[i] : NULL;
	if (a->n_other == XDP_MAX_TARGETS)
		return NULL;
	unsigned i = a->n_other++;
	char err[256];
	a->other_ifindex[i] = ifindex;
	if (xsk_open(&a->other[i], "(redirect target)", ifindex, 0, false, err, sizeof(err))) {
		fprintf(stderr, "bpfrt: redirect to ifindex %u: %s; frames for it are send errors\n",
			ifindex, err);
		xsk_close(&a->other[i]);
		return NULL;
	}
	return &a->other[i];
}

static void send_to(void *ctx, unsigned ifindex, const uint8_t *frame, uint32_t len)
{
	struct afx *a = ctx;
	struct xsk *x = sender(a, ifindex);
	if (!x || xsk_send(x, frame, len))
		a->c->sent_errors++;
}

static void on_dev_frame(void *ctx, struct xsk *from, const uint8_t *frame, uint32_t len)
{
	struct afx *a = ctx;
	struct bpfrt_xdp_verdict v;
	(void)from;
	a->c->received++;
	if (a->o->count && a->c->received >= a->o->count)
		xdp_live_stop = 1;
	if (bpfrt_xdp_port__run(a->port, frame, len, &v)) {
		fprintf(stderr, "bpfrt: %s: frame %llu: %s\n", a->dev.name,
			(unsigned long long)a->c->received, bpfrt_runtime__last_error(a->rt));
		return;
	}
	switch (v.action) {
	case BPFRT_XDP_PASS:
		send_to(a, a->pass.ifindex, v.data, v.len);
		break;
	case BPFRT_XDP_TX:
		send_to(a, a->dev.ifindex, v.data, v.len);
		break;
	case BPFRT_XDP_REDIRECT:
		xdp_count_target(&a->c->targets, &v.redirect);
		if (v.redirect.flags & BPFRT_F_BROADCAST)
			xdp_broadcast(a->o->obj, &v.redirect, a->dev.ifindex, send_to, a, v.data, v.len);
		else
			send_to(a, v.redirect.ifindex, v.data, v.len);
		break;
	default: /* XDP_DROP, XDP_ABORTED and unknown verdicts: back to the fill ring */
		break;
	}
}

static void on_pass_frame(void *ctx, struct xsk *from, const uint8_t *frame, uint32_t len)
{
	struct afx *a = ctx;
	(void)from;
	a->c->returned++;
	send_to(a, a->dev.ifindex, frame, len);
}

static void if_close(struct xsk_if *i)
{
	xsk_steer_detach(&i->steer);
	for (unsigned q = 0; q < i->nq; q++)
		xsk_close(&i->q[q]);
	i->nq = 0;
}

/* Sockets on every receive queue of the interface, then the program that feeds them. */
static int if_open(struct xsk_if *i, const char *name, bool generic, char *err, size_t errlen)
{
	i->name = name;
	i->ifindex = if_nametoindex(name);
	unsigned nq = xsk_rx_queues(name);
	if (nq > MAX_QUEUES) {
		fprintf(stderr, "bpfrt: warning: interface '%s' has %u receive queues: frames on "
			"queues %u and up go to the kernel's stack\n", name, nq, MAX_QUEUES);
		nq = MAX_QUEUES;
	}
	for (; i->nq < nq; i->nq++)
		if (xsk_open(&i->q[i->nq], name, i->ifindex, i->nq, true, err, errlen)) {
			i->nq++;
			return -1;
		}
	return xsk_steer_attach(&i->steer, name, i->ifindex, i->q, i->nq, generic, err, errlen);
}

static void afx_close(struct afx *a)
{
	if_close(&a->dev);
	if_close(&a->pass);
	for (unsigned i = 0; i < a->n_other; i++)
		xsk_close(&a->other[i]);
	free(a);
}

static void flush_all(struct afx *a)
{
	xsk_flush(&a->dev.q[0]);
	xsk_flush(&a->pass.q[0]);
	for (unsigned i = 0; i < a->n_other; i++)
		if (a->other[i].fd >= 0)
			xsk_flush(&a->other[i]);
}

int xdp_afxdp_run(struct bpfrt_runtime *rt, struct bpfrt_xdp_port *port,
		  const struct xdp_live_opts *o, struct xdp_live_counts *c, char *err,
		  size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (!if_nametoindex(o->dev))
		return cli_err("interface '%s': no such interface in this network namespace", o->dev);
	if (!if_nametoindex(o->pass_dev))
		return cli_err("interface '%s': no such interface in this network namespace",
			       o->pass_dev);
	if (if_nametoindex(o->dev) == if_nametoindex(o->pass_dev))
		return cli_err("--dev and --pass-dev are both '%s': bpfrt needs two interfaces", o->dev);
	struct afx *a = calloc(1, sizeof(*a));
	if (!a)
		return cli_err("interface '%s': out of memory for AF_XDP sockets", o->dev);
	*a = (struct afx){ .rt = rt, .port = port, .o = o, .c = c };
	a->dev.steer = a->pass.steer = (struct xsk_steer){ .map_fd = -1, .prog_fd = -1, .link_fd = -1 };
	if (if_open(&a->dev, o->dev, o->generic, err, errlen) ||
	    if_open(&a->pass, o->pass_dev, o->generic, err, errlen)) {
		afx_close(a); /* detaches whatever was attached: the caller may fall back */
		return XDP_LIVE_UNAVAILABLE;
	}
	c->backend = "afxdp";
	c->xdp_mode = a->dev.steer.native ? "native" : "generic";
	/* (no warning about addresses: the stack here gets no frame from either interface) */
	xdp_live_catch_signals();
	fprintf(stderr, "bpfrt: attached to %s (ifindex %u, AF_XDP, %u queue%s, %s XDP, %s), "
		"passing to %s (ifindex %u, %s XDP)\n", o->dev, a->dev.ifindex, a->dev.nq,
		a->dev.nq == 1 ? "" : "s", c->xdp_mode, a->dev.q[0].zerocopy ? "zero-copy" : "copy",
		o->pass_dev, a->pass.ifindex, a->pass.steer.native ? "native" : "generic");
	struct pollfd p[2 * MAX_QUEUES];
	struct xsk *rx[2 * MAX_QUEUES];
	unsigned np = 0;
	for (unsigned q = 0; q < a->dev.nq; q++)
		rx[np] = &a->dev.q[q], p[np++] = (struct pollfd){ a->dev.q[q].fd, POLLIN, 0 };
	for (unsigned q = 0; q < a->pass.nq; q++)
		rx[np] = &a->pass.q[q], p[np++] = (struct pollfd){ a->pass.q[q].fd, POLLIN, 0 };
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned idle = 0;
	while (!xdp_live_stop) {
		unsigned got = 0;
		for (unsigned i = 0; i < np && !xdp_live_stop; i++) {
			bool dev = i < a->dev.nq;
			uint64_t left = o->count && dev ? o->count - c->received : BATCH;
			got += xsk_receive(rx[i], left < BATCH ? (unsigned)left : BATCH,
					   dev ? on_dev_frame : on_pass_frame, a);
		}
		flush_all(a);
		/*
		 * While frames flow, nap briefly rather than sleep in poll(): the
		 * kernel wakes a reader sleeping in poll() for every frame it
		 * queues, which costs the sender's CPU an interrupt per frame;
		 * a 50 us nap lets a batch gather for the price of one timer.
		 */
		idle = got ? 0 : idle + 1;
		if (got >= BATCH)
			continue;
		if (idle <= NAPS)
			usleep(50);
		else if (poll(p, np, 100) < 0 && errno != EINTR)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (o->duration && (uint64_t)(now.tv_sec - t0.tv_sec) >= o->duration &&
		    now.tv_nsec >= t0.tv_nsec)
			break;
	}
	flush_all(a);
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->elapsed_ns = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)now.tv_nsec -
			(uint64_t)t0.tv_nsec;
	for (unsigned q = 0; q < a->dev.nq; q++)
		c->ring_drops += xsk_drops(&a->dev.q[q]);
	afx_close(a);
	return 0;
}
