/* SPDX-License-Identifier: MIT */
/*
 * port.c - the XDP port: one program, one reusable frame, the kernel's
 * statistics.
 *
 * Each frame is copied into the port's frame at the kernel's headroom and
 * run; the verdict points into the frame, so it stays valid until the next
 * run. The frame's headroom keeps what earlier packets left there, as a
 * driver's buffers do: programs must not read headroom they did not write.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bpfrt/prog.h"
#include "bpfrt/xdp.h"
#include "buff.h"
#include "interp/exec.h"
#include "runtime/runtime.h"

struct bpfrt_xdp_port {
	struct bpfrt_prog *prog;
	struct bpfrt_runtime *rt;
	struct xdp_block *frame;
	struct bpfrt_exec *ex;
	uint32_t ifindex, queue;
	bool timed;
	struct bpfrt_xdp_stats stats;
	uint8_t joined[XDP_MAX_LEN]; /* a frame with fragments, in one piece */
};

static const char *const action_names[BPFRT_XDP_NACTIONS] = {
	"aborted", "drop", "pass", "tx", "redirect",
};

const char *bpfrt_xdp_action_name(uint32_t action)
{
	return action < BPFRT_XDP_NACTIONS ? action_names[action] : NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct bpfrt_xdp_port *bpfrt_xdp_port__new(struct bpfrt_prog *prog,
					   const struct bpfrt_xdp_port_opts *opts)
{
	struct bpfrt_runtime *rt = prog_runtime(prog);
	if (bpfrt_prog__type(prog) != BPFRT_PROG_TYPE_XDP) {
		errno = -rt_fail(rt, -EINVAL, "prog '%s': an XDP port runs XDP programs, not %s",
				 bpfrt_prog__name(prog), bpfrt_prog_type_name(bpfrt_prog__type(prog)));
		return NULL;
	}
	if (opts && opts->sz < sizeof(size_t)) {
		errno = -rt_fail(rt, -EINVAL, "prog '%s': bad XDP port options", bpfrt_prog__name(prog));
		return NULL;
	}
	struct bpfrt_xdp_port *p = calloc(1, sizeof(*p));
	if (p) {
		p->frame = xdp_block_new();
		p->ex = calloc(1, sizeof(*p->ex));
	}
	if (!p || !p->frame || !p->ex) {
		bpfrt_xdp_port__free(p);
		errno = -rt_fail(rt, -ENOMEM, "prog '%s': no memory for an XDP port",
				 bpfrt_prog__name(prog));
		return NULL;
	}
	p->prog = prog;
	p->rt = rt;
	if (opts && opts->sz >= offsetof(struct bpfrt_xdp_port_opts, rx_queue_index) + 4) {
		p->ifindex = opts->ingress_ifindex;
		p->queue = opts->rx_queue_index;
	}
	p->timed = !(opts && opts->sz >= offsetof(struct bpfrt_xdp_port_opts, no_run_time) + 1 &&
		     opts->no_run_time);
	if (!p->ifindex) /* the loopback, as in a test run */
		p->ifindex = if_nametoindex("lo") ? if_nametoindex("lo") : 1;
	return p;
}

void bpfrt_xdp_port__free(struct bpfrt_xdp_port *port)
{
	if (!port)
		return;
	xdp_block_free(port->frame);
	free(port->ex);
	free(port);
}

int bpfrt_xdp_port__run(struct bpfrt_xdp_port *port, const void *frame, uint32_t len,
			struct bpfrt_xdp_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (len < XDP_ETH_HLEN || len > XDP_MAX_LEN) {
		port->stats.rejected++;
		return rt_fail(port->rt, -EINVAL, "prog '%s': a frame of %u bytes: XDP runs on %u to "
			       "%u bytes", bpfrt_prog__name(port->prog), len, XDP_ETH_HLEN, XDP_MAX_LEN);
	}
	xdp_frame_load(port->frame, frame, len, 0, port->ifindex, port->queue);
	uint64_t r0 = 0, t0 = port->timed ? now_ns() : 0;
	int err = prog_run_xdp(port->prog, port->ex, port->frame, &r0);
	uint64_t t1 = port->timed ? now_ns() : 0;
	port->stats.run_cnt++;
	port->stats.run_time_ns += t1 - t0;
	v->run_ns = t1 - t0;
	const struct xdp_ctx *c = &port->frame->ctx;
	v->data = xdp_ptr(c->md.data);
	v->len = c->md.data_end - c->md.data;
	if (c->frags_len) { /* one piece for the caller: the linear part, then the fragments */
		memcpy(port->joined, v->data, v->len);
		memcpy(port->joined + v->len, port->frame->frags, c->frags_len);
		v->data = port->joined;
		v->len += c->frags_len;
	}
	v->meta_len = c->md.data - c->md.data_meta;
	if (err) {
		port->stats.errors++;
		port->stats.actions[BPFRT_XDP_ABORTED]++;
		v->action = BPFRT_XDP_ABORTED;
		return err;
	}
	v->action = (uint32_t)r0;
	if (r0 >= BPFRT_XDP_NACTIONS) { /* the kernel warns and drops it as an exception */
		port->stats.invalid++;
		port->stats.actions[BPFRT_XDP_ABORTED]++;
	} else {
		port->stats.actions[r0]++;
	}
	if (r0 == BPFRT_XDP_REDIRECT)
		v->redirect = c->redirect;
	return 0;
}

void bpfrt_xdp_port__stats(const struct bpfrt_xdp_port *port, struct bpfrt_xdp_stats *stats)
{
	*stats = port->stats;
}
