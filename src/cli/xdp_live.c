/* SPDX-License-Identifier: MIT */
/*
 * xdp_live.c - the live XDP port of xdp_live.h on AF_PACKET rings.
 *
 * Each interface has a TPACKET_V3 receive ring (blocks of frames the kernel
 * fills and hands over, retired after at most 10 ms) that ignores frames
 * this host sends; frames go out through one unbound packet socket. The
 * kernel strips VLAN tags into the ring's metadata: they are put back, so
 * the program sees the frame as it was on the wire.
 *
 * Limits: the kernel's stack on --dev still sees each frame before bpfrt
 * does (which is why --dev must have no address, IPv6 link-local ones
 * included: bpfrt warns when it has one); frames whose sender left the
 * checksum to offload (veth does) are sent on with the checksum unfilled,
 * and segmentation offload makes frames longer than the MTU: turn both off
 * on the sender (ethtool -K IF tx off tso off gso off) or use UDP without
 * checksums. One thread, one frame at a time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "cli.h"
#include "xdp_live.h"

#define BLOCK_SIZE (1u << 20)
#define BLOCK_NR 8
#define FRAME_SIZE 2048

struct ring {
	const char *name;
	int fd;
	unsigned ifindex;
	uint8_t *map;
	unsigned block; /* next block to look at */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void xdp_count_target(struct xdp_targets *ts, const struct bpfrt_xdp_redirect *r)
{
	for (unsigned i = 0; i < ts->cnt; i++)
		if (!memcmp(&ts->t[i], r, sizeof(*r))) {
			ts->n[i]++;
			return;
		}
	if (ts->cnt == XDP_MAX_TARGETS) {
		ts->other++;
		return;
	}
	ts->t[ts->cnt] = *r;
	ts->n[ts->cnt++] = 1;
}

/*
 * An interface with an address lets this namespace's stack answer or accept
 * what arrives on it, whatever the program decides: say so.
 */
static void warn_addresses(const char *name)
{
	struct ifaddrs *all, *a;
	if (getifaddrs(&all))
		return;
	for (a = all; a; a = a->ifa_next)
		if (a->ifa_addr && !strcmp(a->ifa_name, name) &&
		    (a->ifa_addr->sa_family == AF_INET || a->ifa_addr->sa_family == AF_INET6)) {
			fprintf(stderr, "bpfrt: warning: interface '%s' has an %s address: the kernel's "
				"stack here may answer or accept frames the program drops (remove it; "
				"sysctl net.ipv6.conf.%s.disable_ipv6=1)\n", name,
				a->ifa_addr->sa_family == AF_INET ? "IPv4" : "IPv6", name);
			break;
		}
	freeifaddrs(all);
}

/* The ifindex of the peer of a veth (its iflink, in the peer's namespace), or 0. */
static unsigned peer_ifindex(const char *name)
{
	char path[128];
	unsigned peer = 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", name);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%u", &peer) != 1)
			peer = 0;
		fclose(f);
	}
	return peer;
}

static int ring_open(struct ring *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->fd = -1;
	r->ifindex = if_nametoindex(name);
	if (!r->ifindex)
		return cli_err("interface '%s': no such interface in this network namespace", name);
	r->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (r->fd < 0)
		return cli_err("interface '%s': cannot open a packet socket: %s (needs CAP_NET_RAW)",
			       name, strerror(errno));
	int v3 = TPACKET_V3, one = 1;
	struct tpacket_req3 req = {
		.tp_block_size = BLOCK_SIZE, .tp_block_nr = BLOCK_NR, .tp_frame_size = FRAME_SIZE,
		.tp_frame_nr = BLOCK_SIZE / FRAME_SIZE * BLOCK_NR, .tp_retire_blk_tov = 10,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)r->ifindex };
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v3, sizeof(v3)) ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)))
		return cli_err("interface '%s': cannot set up a TPACKET_V3 ring: %s", name,
			       strerror(errno));
	r->map = mmap(NULL, (size_t)BLOCK_SIZE * BLOCK_NR, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return cli_err("interface '%s': cannot map the ring: %s", name, strerror(errno));
	}
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)))
		return cli_err("interface '%s': cannot bind: %s", name, strerror(errno));
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->map)
		munmap(r->map, (size_t)BLOCK_SIZE * BLOCK_NR);
	if (r->fd >= 0)
		close(r->fd);
}

struct live {
	struct bpfrt_runtime *rt;
	struct bpfrt_xdp_port *port;
	struct ring dev, pass;
	int tx_fd;
	struct xdp_live_counts *c;
	const struct xdp_live_opts *o;
};

static void send_on(struct live *l, unsigned ifindex, const uint8_t *frame, uint32_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = (int)ifindex,
				  .sll_halen = ETH_ALEN };
	memcpy(to.sll_addr, frame, ETH_ALEN);
	if (sendto(l->tx_fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		l->c->sent_errors++;
}

/* bpf_redirect_map with BPFRT_F_BROADCAST: every interface of the devmap. */
static void broadcast(struct live *l, const struct bpfrt_xdp_redirect *r, const uint8_t *frame,
		      uint32_t len)
{
	struct bpfrt_map *m = bpfrt_object__next_map(l->o->obj, NULL);
	while (m && bpfrt_map__id(m) != r->map_id)
		m = bpfrt_object__next_map(l->o->obj, m);
	uint32_t key, next, val[2];
	void *prev = NULL;
	while (m && bpfrt_map__get_next_key(m, prev, &next, 4) == 0) {
		key = next;
		prev = &key;
		if (bpfrt_map__lookup_elem(m, &key, 4, val, bpfrt_map__value_size(m), 0))
			continue;
		if ((r->flags & BPFRT_F_EXCLUDE_INGRESS) && val[0] == l->dev.ifindex)
			continue;
		send_on(l, val[0], frame, len);
	}
}

static void on_frame(struct live *l, const uint8_t *frame, uint32_t len)
{
	struct bpfrt_xdp_verdict v;
	l->c->received++;
	if (bpfrt_xdp_port__run(l->port, frame, len, &v)) {
		fprintf(stderr, "bpfrt: %s: frame %llu: %s\n", l->dev.name,
			(unsigned long long)l->c->received, bpfrt_runtime__last_error(l->rt));
		return;
	}
	switch (v.action) {
	case BPFRT_XDP_PASS:
		send_on(l, l->pass.ifindex, v.data, v.len);
		break;
	case BPFRT_XDP_TX:
		send_on(l, l->dev.ifindex, v.data, v.len);
		break;
	case BPFRT_XDP_REDIRECT:
		xdp_count_target(&l->c->targets, &v.redirect);
		if (v.redirect.flags & BPFRT_F_BROADCAST)
			broadcast(l, &v.redirect, v.data, v.len);
		else
			send_on(l, v.redirect.ifindex, v.data, v.len);
		break;
	default: /* XDP_DROP, XDP_ABORTED and unknown verdicts: gone */
		break;
	}
}

/* Hand each frame of the ring's ready blocks to l (dev) or back out of dev (pass). */
static void drain(struct live *l, struct ring *r)
{
	static uint8_t buf[FRAME_SIZE + 8];
	for (;;) {
		struct tpacket_block_desc *bd = (void *)(r->map + (size_t)r->block * BLOCK_SIZE);
		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return;
		struct tpacket3_hdr *h = (void *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
		for (uint32_t i = 0; i < bd->hdr.bh1.num_pkts; i++) {
			const uint8_t *f = (const uint8_t *)h + h->tp_mac;
			uint32_t len = h->tp_snaplen;
			if ((h->tp_status & TP_STATUS_VLAN_VALID) && len >= 12 && len + 4 <= sizeof(buf)) {
				/* put the tag the kernel took out back in */
				uint16_t tpid = h->tp_status & TP_STATUS_VLAN_TPID_VALID ?
						h->hv1.tp_vlan_tpid : ETH_P_8021Q;
				memcpy(buf, f, 12);
				buf[12] = (uint8_t)(tpid >> 8), buf[13] = (uint8_t)tpid;
				buf[14] = (uint8_t)(h->hv1.tp_vlan_tci >> 8), buf[15] = (uint8_t)h->hv1.tp_vlan_tci;
				memcpy(buf + 16, f + 12, len - 12);
				f = buf;
				len += 4;
			}
			if (r == &l->dev) {
				on_frame(l, f, len);
			} else {
				l->c->returned++;
				send_on(l, l->dev.ifindex, f, len);
			}
			h = (void *)((uint8_t *)h + h->tp_next_offset);
			if (r == &l->dev && l->o->count && l->c->received >= l->o->count)
				stop = 1;
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		r->block = (r->block + 1) % BLOCK_NR;
	}
}

int xdp_live_run(struct bpfrt_runtime *rt, struct bpfrt_xdp_port *port,
		 const struct xdp_live_opts *o, struct xdp_live_counts *c)
{
	struct live l = { .rt = rt, .port = port, .tx_fd = -1, .c = c, .o = o };
	memset(c, 0, sizeof(*c));
	l.dev.fd = l.pass.fd = -1;
	int rc = ring_open(&l.dev, o->dev) || ring_open(&l.pass, o->pass_dev);
	if (!rc) {
		warn_addresses(o->dev);
		warn_addresses(o->pass_dev);
	}
	if (!rc && l.dev.ifindex == l.pass.ifindex)
		rc = cli_err("--dev and --pass-dev are both '%s': bpfrt needs two interfaces", o->dev);
	else if (!rc && peer_ifindex(o->pass_dev) == l.dev.ifindex &&
		 peer_ifindex(o->dev) == l.pass.ifindex)
		/* (iflink numbers the peer in its own namespace: this may be a coincidence) */
		fprintf(stderr, "bpfrt: warning: --pass-dev '%s' looks like the other end of --dev "
			"'%s' (a veth pair): passed frames would come straight back\n", o->pass_dev,
			o->dev);
	if (!rc && (l.tx_fd = socket(AF_PACKET, SOCK_RAW, 0)) < 0)
		rc = cli_err("cannot open a packet socket to send: %s", strerror(errno));
	if (rc) {
		ring_close(&l.dev);
		ring_close(&l.pass);
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "bpfrt: attached to %s (ifindex %u), passing to %s (ifindex %u)\n",
		o->dev, l.dev.ifindex, o->pass_dev, l.pass.ifindex);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		struct pollfd p[2] = { { l.dev.fd, POLLIN, 0 }, { l.pass.fd, POLLIN, 0 } };
		poll(p, 2, 100);
		drain(&l, &l.dev);
		drain(&l, &l.pass);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (o->duration && (uint64_t)(now.tv_sec - t0.tv_sec) >= o->duration &&
		    now.tv_nsec >= t0.tv_nsec)
			break;
	}
	struct tpacket_stats_v3 st;
	socklen_t sl = sizeof(st);
	if (!getsockopt(l.dev.fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl))
		c->ring_drops = st.tp_drops;
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->elapsed_ns = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)now.tv_nsec -
			(uint64_t)t0.tv_nsec;
	close(l.tx_fd);
	ring_close(&l.dev);
	ring_close(&l.pass);
	return 0;
}
