/* SPDX-License-Identifier: MIT */
/*
 * xsk.c - AF_XDP sockets and the kernel program that feeds them (xsk.h).
 *
 * Rings are single-producer single-consumer, shared with the kernel: the
 * producer writes descriptors then publishes its index with a release
 * store; the consumer reads the other side's index with an acquire load.
 * Indexes run freely and are masked with the (power of two) ring size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "xsk.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int ring_map(struct xsk_ring *r, int fd, const struct xdp_ring_offset *off, size_t desc_size,
		    uint64_t pgoff)
{
	r->map_len = off->desc + XSK_RING_SIZE * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		      (off_t)pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -1;
	}
	r->producer = (uint32_t *)((uint8_t *)r->map + off->producer);
	r->consumer = (uint32_t *)((uint8_t *)r->map + off->consumer);
	r->flags = (uint32_t *)((uint8_t *)r->map + off->flags);
	r->descs = (uint8_t *)r->map + off->desc;
	return 0;
}

/* Give the kernel a frame to receive into (the fill ring never holds more than it has room for). */
static void fill_put(struct xsk *x, uint64_t addr)
{
	uint32_t prod = *x->fill.producer;
	((uint64_t *)x->fill.descs)[prod & (XSK_RING_SIZE - 1)] = addr;
	__atomic_store_n(x->fill.producer, prod + 1, __ATOMIC_RELEASE);
}

int xsk_open(struct xsk *x, const char *name, unsigned ifindex, unsigned queue, bool rx,
	     char *err, size_t errlen)
{
	memset(x, 0, sizeof(*x));
	x->name = name;
	x->ifindex = ifindex;
	x->queue = queue;
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		return fail(err, errlen, "interface '%s': cannot open an AF_XDP socket: %s", name,
			    strerror(errno));
	size_t len = (size_t)XSK_FRAMES * XSK_FRAME_SIZE;
	x->umem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		return fail(err, errlen, "interface '%s': no memory for a UMEM: %s", name,
			    strerror(errno));
	}
	struct xdp_umem_reg reg = { .addr = (uintptr_t)x->umem, .len = len,
				    .chunk_size = XSK_FRAME_SIZE };
	int n = XSK_RING_SIZE;
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)))
		return fail(err, errlen, "interface '%s': cannot register a UMEM: %s", name,
			    strerror(errno));
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) ||
	    (rx && setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n))))
		return fail(err, errlen, "interface '%s': cannot size the AF_XDP rings: %s", name,
			    strerror(errno));
	struct xdp_mmap_offsets off;
	socklen_t ol = sizeof(off);
	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol))
		return fail(err, errlen, "interface '%s': cannot read the ring offsets: %s", name,
			    strerror(errno));
	if (ring_map(&x->fill, x->fd, &off.fr, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING) ||
	    ring_map(&x->comp, x->fd, &off.cr, sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING) ||
	    ring_map(&x->tx, x->fd, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING) ||
	    (rx && ring_map(&x->rx, x->fd, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING)))
		return fail(err, errlen, "interface '%s': cannot map the AF_XDP rings: %s", name,
			    strerror(errno));
	/* frames 0..RING_SIZE-1 receive, the others send */
	for (unsigned i = 0; rx && i < XSK_RING_SIZE; i++)
		fill_put(x, (uint64_t)i * XSK_FRAME_SIZE);
	for (unsigned i = 0; i < XSK_RING_SIZE; i++)
		x->tx_free[x->n_tx_free++] = XSK_RING_SIZE + i;
	struct sockaddr_xdp sa = { .sxdp_family = AF_XDP, .sxdp_ifindex = ifindex,
				   .sxdp_queue_id = queue };
	/*
	 * The kernel frees a closed socket's hold on its queue later, from a
	 * work queue: right after another bpfrt (or this one) exits, the queue
	 * may still look taken for a moment. Try for a second.
	 */
	int rc;
	for (int tries = 0; (rc = bind(x->fd, (struct sockaddr *)&sa, sizeof(sa))) &&
			    errno == EBUSY && tries < 20; tries++)
		usleep(50 * 1000);
	if (rc)
		return fail(err, errlen, "interface '%s' queue %u: cannot bind an AF_XDP socket: %s%s",
			    name, queue, strerror(errno), errno == EBUSY ?
			    " (another AF_XDP socket is bound to it)" : "");
	struct xdp_options opt;
	socklen_t optl = sizeof(opt);
	if (!getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &opt, &optl))
		x->zerocopy = opt.flags & XDP_OPTIONS_ZEROCOPY;
	return 0;
}

void xsk_close(struct xsk *x)
{
	struct xsk_ring *rings[] = { &x->fill, &x->comp, &x->rx, &x->tx };
	for (unsigned i = 0; i < 4; i++)
		if (rings[i]->map)
			munmap(rings[i]->map, rings[i]->map_len);
	if (x->umem)
		munmap(x->umem, (size_t)XSK_FRAMES * XSK_FRAME_SIZE);
	if (x->fd >= 0)
		close(x->fd);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

unsigned xsk_receive(struct xsk *x, unsigned max,
		     void (*fn)(void *ctx, struct xsk *from, const uint8_t *data, uint32_t len),
		     void *ctx)
{
	uint32_t cons = *x->rx.consumer;
	uint32_t avail = __atomic_load_n(x->rx.producer, __ATOMIC_ACQUIRE) - cons;
	unsigned n = avail < max ? avail : max;
	for (unsigned i = 0; i < n; i++) {
		const struct xdp_desc *d = &((struct xdp_desc *)x->rx.descs)[(cons + i) &
									  (XSK_RING_SIZE - 1)];
		uint64_t addr = d->addr;
		fn(ctx, x, x->umem + addr, d->len);
		/* the port copied the frame: its chunk can take the next one */
		fill_put(x, addr & ~(uint64_t)(XSK_FRAME_SIZE - 1));
	}
	if (n)
		__atomic_store_n(x->rx.consumer, cons + n, __ATOMIC_RELEASE);
	return n;
}

/* Take back the frames the kernel has sent. */
static void reap(struct xsk *x)
{
	uint32_t cons = *x->comp.consumer;
	uint32_t n = __atomic_load_n(x->comp.producer, __ATOMIC_ACQUIRE) - cons;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = ((uint64_t *)x->comp.descs)[(cons + i) & (XSK_RING_SIZE - 1)];
		x->tx_free[x->n_tx_free++] = (uint32_t)(addr / XSK_FRAME_SIZE);
	}
	if (n)
		__atomic_store_n(x->comp.consumer, cons + n, __ATOMIC_RELEASE);
}

int xsk_send(struct xsk *x, const uint8_t *data, uint32_t len)
{
	if (len > XSK_FRAME_SIZE)
		return -1;
	if (!x->n_tx_free)
		xsk_flush(x);
	if (!x->n_tx_free)
		return -1;
	/* a free UMEM frame means a free tx slot: there are as many of one as of the other */
	uint32_t frame = x->tx_free[--x->n_tx_free];
	uint64_t addr = (uint64_t)frame * XSK_FRAME_SIZE;
	memcpy(x->umem + addr, data, len);
	uint32_t prod = *x->tx.producer;
	struct xdp_desc *d = &((struct xdp_desc *)x->tx.descs)[prod & (XSK_RING_SIZE - 1)];
	d->addr = addr;
	d->len = len;
	d->options = 0;
	__atomic_store_n(x->tx.producer, prod + 1, __ATOMIC_RELEASE);
	/* copy mode sends at most 32 frames a kick: do not let more pile up */
	if (++x->tx_queued >= 32)
		xsk_flush(x);
	return 0;
}

void xsk_flush(struct xsk *x)
{
	/*
	 * In copy mode, sendto() sends from the tx ring synchronously, a batch
	 * at a time; when the device is busy, what is left goes with the next
	 * flush (the live loop flushes on every turn).
	 */
	for (int tries = 0; tries < 4 && __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) !=
						 *x->tx.producer; tries++)
		sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	x->tx_queued = 0;
	reap(x);
}

uint64_t xsk_drops(const struct xsk *x)
{
	struct xdp_statistics st;
	socklen_t sl = sizeof(st);
	if (x->fd < 0 || getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &st, &sl))
		return 0;
	return st.rx_dropped + st.rx_ring_full;
}

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* Attach prog_fd to ifindex with a bpf_link, in the XDP mode flags say. */
static int link_xdp(int prog_fd, unsigned ifindex, unsigned flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (unsigned)prog_fd;
	a.link_create.target_ifindex = ifindex;
	a.link_create.attach_type = BPF_XDP;
	a.link_create.flags = flags;
	return (int)sys_bpf(BPF_LINK_CREATE, &a);
}

int xsk_steer_attach(struct xsk_steer *s, const char *name, unsigned ifindex,
		     struct xsk *socks, unsigned nqueues, bool generic_only, char *err,
		     size_t errlen)
{
	s->map_fd = s->prog_fd = s->link_fd = -1;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_XSKMAP;
	a.key_size = a.value_size = 4;
	a.max_entries = nqueues;
	snprintf(a.map_name, sizeof(a.map_name), "bpfrt_xsks");
	s->map_fd = (int)sys_bpf(BPF_MAP_CREATE, &a);
	if (s->map_fd < 0)
		return fail(err, errlen, "interface '%s': cannot create an XSKMAP: %s (needs "
			    "CAP_BPF and CAP_NET_ADMIN)", name, strerror(errno));
	for (unsigned q = 0; q < nqueues; q++) {
		uint32_t key = q, val = (uint32_t)socks[q].fd;
		memset(&a, 0, sizeof(a));
		a.map_fd = (unsigned)s->map_fd;
		a.key = (uintptr_t)&key;
		a.value = (uintptr_t)&val;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a))
			return fail(err, errlen, "interface '%s' queue %u: cannot put the AF_XDP socket "
				    "in the XSKMAP: %s", name, q, strerror(errno));
	}
	/* r2 = ctx->rx_queue_index; r1 = map; r3 = XDP_PASS; return bpf_redirect_map(r1, r2, r3) */
	struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_1,
		  .off = (short)offsetof(struct xdp_md, rx_queue_index) },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = s->map_fd },
		{ .code = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[4096];
	log[0] = 0;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.expected_attach_type = BPF_XDP;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	snprintf(a.prog_name, sizeof(a.prog_name), "bpfrt_xsk");
	s->prog_fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (s->prog_fd < 0)
		return fail(err, errlen, "interface '%s': the kernel refused bpfrt's redirect "
			    "program: %s%s%.200s", name, strerror(errno), log[0] ? ": " : "", log);
	if (!generic_only) {
		s->link_fd = link_xdp(s->prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
		s->native = s->link_fd >= 0;
	}
	if (s->link_fd < 0)
		s->link_fd = link_xdp(s->prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	if (s->link_fd < 0)
		return fail(err, errlen, "interface '%s': cannot attach an XDP program: %s%s", name,
			    strerror(errno), errno == EBUSY || errno == EEXIST ?
			    " (another XDP program is attached)" : "");
	return 0;
}

void xsk_steer_detach(struct xsk_steer *s)
{
	/* the link holds the attachment: closing its last fd detaches the program */
	int *fds[] = { &s->link_fd, &s->prog_fd, &s->map_fd };
	for (unsigned i = 0; i < 3; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

unsigned xsk_rx_queues(const char *name)
{
	char path[128];
	unsigned n = 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", name);
	DIR *d = opendir(path);
	if (!d)
		return 1;
	for (struct dirent *e; (e = readdir(d));)
		if (!strncmp(e->d_name, "rx-", 3))
			n++;
	closedir(d);
	return n ? n : 1;
}
