/* SPDX-License-Identifier: MIT */
/*
 * prog.c - programs: validate, resolve and decode on load; run on data.
 *
 * Load is a pipeline over the instructions: structural validation (isa/),
 * resolution of map references in lddw and of helper calls against what the
 * program type may call, the verifier (verify.c) for every engine but the
 * checked one, then decoding into the interpreter's form. A test
 * run builds the context the program type expects (raw data, xdp_md or
 * __sk_buff over a packet, or a given record) and runs the program, following
 * tail calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "runtime.h"
#include "progtype.h"
#include "verify.h"
#include "bpfrt/prog.h"
#include "bpfrt/asm.h"
#include "isa/validate.h"
#include "interp/exec.h"
#include "maps/maps.h"
#include "jit/jit.h"
#include "verifier/verifier.h"
#include "xdp/buff.h"
#include "helpers/license.h"
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>

#define MAX_USED_MAPS 64 /* as the kernel's MAX_USED_MAPS */

struct bpfrt_prog {
	struct bpfrt_runtime *rt;
	char *name;
	uint32_t id;
	const struct progtype *type;
	struct bpfrt_insn *insns;
	size_t cnt;
	enum bpfrt_engine engine;
	uint64_t insn_budget;
	struct xinsn *code;
	struct jit_image jit;      /* BPFRT_ENGINE_JIT: the native code */
	/* Snapshot of the runtime's helpers when the program was loaded. */
	bpfrt_helper_fn *helpers;
	uint32_t nhelpers;
	/* Maps the program refers to (one reference each), and their memory. */
	struct bpfrt_map *maps[MAX_USED_MAPS];
	unsigned nmaps;
	struct mem_region map_regions[MAX_USED_MAPS];
	unsigned nmap_regions;
};

#define OPT(opts, field, dflt) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field) \
	 ? (opts)->field : (dflt))

/* "prog 'x': insn 3: reason (r0 = *(u32 *)(r1 + 0))" */
static int prog_fail(struct bpfrt_runtime *rt, const char *name, const struct bpfrt_insn *insns,
		     size_t cnt, int err, const struct diag *d)
{
	char text[128] = "";
	if (d->insn != DIAG_NO_INSN && d->insn < cnt)
		bpfrt_disasm_insn(insns, cnt, d->insn, BPFRT_SYNTAX_LLVM, text, sizeof(text));
	if (text[0] && strncmp(text, "invalid", 7))
		return rt_fail(rt, err, "prog '%s': %s (%s)", name, d->msg, text);
	return rt_fail(rt, err, "prog '%s': %s", name, d->msg);
}

static void prog_free(struct bpfrt_prog *p)
{
	if (!p)
		return;
	if (p->id)
		rt_id_free(p->rt, p->id);
	for (unsigned i = 0; i < p->nmaps; i++)
		bpfrt_map__put(p->maps[i]);
	free(p->name);
	free(p->insns);
	free(p->code);
	free(p->helpers);
	if (p->jit.mem)
		bpfrt_jit_free(&p->jit);
	free(p);
}

/* Remember a map the program uses: one reference, and its memory for checks. */
static int use_map(struct bpfrt_prog *p, struct bpfrt_map *m, size_t idx, struct diag *d)
{
	for (unsigned i = 0; i < p->nmaps; i++)
		if (p->maps[i] == m)
			return 0;
	if (p->nmaps == MAX_USED_MAPS) {
		diag_insn(d, idx, "program uses more than %d maps", MAX_USED_MAPS);
		return -E2BIG;
	}
	p->maps[p->nmaps++] = map_get(m);
	struct mem_region *r = &p->map_regions[p->nmap_regions];
	if (map_value_region(m, &r->lo, &r->hi, &r->writable)) {
		r->name = bpfrt_map__name(m);
		p->nmap_regions++;
	}
	return 0;
}

/*
 * The value of each lddw with a map pseudo source: the map's address (fd,
 * index) or the address of a value of an array map plus an offset (global
 * data). Map fds are map ids, as the loader writes them.
 */
static int resolve_maps(struct bpfrt_prog *p, const struct opinfo *const *ops,
			const struct bpfrt_prog_load_opts *opts, uint64_t *resolved,
			struct bpfrt_map **lddw_maps, struct diag *d)
{
	struct bpfrt_map *const *fd_array = OPT(opts, maps, NULL);
	size_t nfd = OPT(opts, nmaps, 0);
	for (size_t i = 0; i < p->cnt; i++) {
		const struct bpfrt_insn *in = &p->insns[i];
		if (!ops[i] || ops[i]->form != F_LDDW || in->src == BPFRT_PSEUDO_NONE ||
		    in->src == BPFRT_PSEUDO_FUNC)
			continue;
		struct bpfrt_map *m = NULL;
		switch (in->src) {
		case BPFRT_PSEUDO_MAP_FD:
		case BPFRT_PSEUDO_MAP_VALUE:
			m = rt_id_lookup(p->rt, (uint32_t)in->imm, ID_MAP);
			if (!m) {
				diag_insn(d, i, "lddw refers to map id %d, which does not exist", in->imm);
				return -EBADF;
			}
			break;
		case BPFRT_PSEUDO_MAP_IDX:
		case BPFRT_PSEUDO_MAP_IDX_VALUE:
			if (in->imm < 0 || (size_t)in->imm >= nfd || !fd_array[in->imm]) {
				diag_insn(d, i, "lddw refers to map index %d, but %zu map(s) were given",
					  in->imm, nfd);
				return -EBADF;
			}
			m = fd_array[in->imm];
			break;
		default:
			diag_insn(d, i, "lddw of a kernel variable (BTF id %d): there is no kernel "
				  "memory in user space", in->imm);
			return -EINVAL;
		}
		int err = use_map(p, m, i, d);
		if (err)
			return err;
		lddw_maps[i] = m;
		if (in->src == BPFRT_PSEUDO_MAP_FD || in->src == BPFRT_PSEUDO_MAP_IDX) {
			resolved[i] = (uintptr_t)m;
			continue;
		}
		uint32_t off = (uint32_t)in[1].imm;
		if (bpfrt_map__type(m) != BPFRT_MAP_TYPE_ARRAY || off >= bpfrt_map__value_size(m)) {
			diag_insn(d, i, "lddw of a value of map '%s' at offset %u: only array maps, "
				  "inside their %u-byte value", bpfrt_map__name(m), off,
				  bpfrt_map__value_size(m));
			return -EINVAL;
		}
		resolved[i] = (uintptr_t)map_array_value_addr(m, off);
	}
	return 0;
}

/*
 * Helper calls must name a helper the program type may call, and one the
 * license allows (GPL-only helpers: GPL-compatible licenses, as Linux).
 */
static int check_helpers(const struct bpfrt_prog *p, const struct opinfo *const *ops,
			 const char *license, struct diag *d)
{
	for (size_t i = 0; i < p->cnt; i++) {
		if (!ops[i] || ops[i]->id != OP_CALL_HELPER)
			continue;
		uint32_t id = (uint32_t)p->insns[i].imm;
		uint32_t groups = rt_helper_groups(p->rt, id);
		if (!groups) {
			/* before the verifier, which would only say the type may not call it */
			diag_insn(d, i, "call to unknown helper %d", p->insns[i].imm);
			return -ENOENT;
		}
		if (!(groups & p->type->helper_groups)) {
			diag_insn(d, i, "helper %s#%u is not allowed in %s programs",
				  bpfrt_runtime__helper_name(p->rt, id), id, p->type->name);
			return -EINVAL;
		}
		if (license && helper_gpl_only(id) && !license_gpl_compatible(license)) {
			diag_insn(d, i, "helper %s#%u is GPL-only, and the program's license '%s' "
				  "is not GPL-compatible", bpfrt_runtime__helper_name(p->rt, id), id,
				  license);
			return -EINVAL;
		}
	}
	return 0;
}

struct bpfrt_prog *bpfrt_prog__load(struct bpfrt_runtime *rt, const char *name,
				    const struct bpfrt_insn *insns, size_t cnt,
				    const struct bpfrt_prog_load_opts *opts)
{
	struct diag d;
	diag_clear(&d);
	if (!name)
		name = "anonymous";
	if (opts && opts->sz < sizeof(size_t)) {
		errno = -rt_fail(rt, -EINVAL, "prog '%s': bad load options", name);
		return NULL;
	}
	enum bpfrt_engine engine = OPT(opts, engine, BPFRT_ENGINE_DEFAULT);
	if (engine < BPFRT_ENGINE_DEFAULT || engine > BPFRT_ENGINE_JIT_OR_INTERP) {
		errno = -rt_fail(rt, -EINVAL, "prog '%s': unknown engine %d", name, (int)engine);
		return NULL;
	}
	if (engine == BPFRT_ENGINE_DEFAULT)
		engine = BPFRT_ENGINE_JIT_OR_INTERP;
	const struct progtype *type = progtype_get(OPT(opts, prog_type, BPFRT_PROG_TYPE_UNSPEC));
	if (!type) {
		errno = -rt_fail(rt, -EINVAL, "prog '%s': unknown program type %d", name,
				 (int)OPT(opts, prog_type, 0));
		return NULL;
	}

	/* Options as this version knows them (fields beyond the caller's sz are 0). */
	struct bpfrt_prog_load_opts o = { 0 };
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	o.sz = sizeof(o);
	if (o.verifier_stats)
		memset(o.verifier_stats, 0, sizeof(*o.verifier_stats));

	const struct opinfo **ops = NULL;
	uint64_t *resolved = NULL;
	struct bpfrt_map **lddw_maps = NULL;
	struct bpfrt_prog *p = calloc(1, sizeof(*p));
	int err = -ENOMEM;
	if (!p || !insns)
		goto fail_plain;
	p->rt = rt;
	p->cnt = cnt;
	p->engine = engine;
	p->type = type;
	p->insn_budget = OPT(opts, insn_budget, 0);
	if (!p->insn_budget)
		p->insn_budget = BPFRT_DEFAULT_INSN_BUDGET;
	p->name = strdup(name);
	if (cnt && cnt <= BPFRT_MAX_INSNS) {
		ops = calloc(cnt, sizeof(*ops));
		resolved = calloc(cnt, sizeof(*resolved));
		lddw_maps = calloc(cnt, sizeof(*lddw_maps));
		p->insns = malloc(cnt * sizeof(*insns));
		p->code = malloc(cnt * sizeof(*p->code));
		if (!ops || !resolved || !lddw_maps || !p->insns || !p->code || !p->name)
			goto fail_plain;
		memcpy(p->insns, insns, cnt * sizeof(*insns));
	}

	err = bpfrt_validate(insns, cnt, ops, &d);
	if (!err)
		err = check_helpers(p, ops, OPT(opts, license, NULL), &d);
	if (!err)
		err = resolve_maps(p, ops, opts, resolved, lddw_maps, &d);
	/* Only the checked engine may run what the verifier has not proven safe. */
	if (!err && engine != BPFRT_ENGINE_CHECKED && !o.trusted) {
		struct prog_verify_args va = { rt, type, name, p->insns, cnt, ops, lddw_maps, &o };
		err = prog_verify(&va, &d);
	}
	if (err)
		goto fail;

	p->nhelpers = rt->nhelpers;
	if (p->nhelpers) {
		p->helpers = malloc(p->nhelpers * sizeof(*p->helpers));
		if (!p->helpers) {
			err = -ENOMEM;
			goto fail_plain;
		}
		memcpy(p->helpers, rt->helper_fns, p->nhelpers * sizeof(*p->helpers));
	}
	err = bpfrt_xcode_build(insns, cnt, ops, p->helpers, p->nhelpers, resolved, p->code, &d);
	if (err)
		goto fail;
	if (engine == BPFRT_ENGINE_JIT || engine == BPFRT_ENGINE_JIT_OR_INTERP) {
		struct jit_opts jo = { .blind = OPT(opts, jit_blind, false) };
		err = bpfrt_jit_compile_opts(p->code, cnt, &jo, &p->jit, &d);
		if (err == -ENOTSUP && engine == BPFRT_ENGINE_JIT_OR_INTERP) {
			p->engine = BPFRT_ENGINE_INTERP; /* no JIT for this machine */
			err = 0;
		} else if (err) {
			goto fail;
		} else {
			p->engine = BPFRT_ENGINE_JIT;
		}
	}
	p->id = rt_id_alloc(rt, ID_PROG, p);
	if (!p->id) {
		err = -ENOMEM;
		goto fail_plain;
	}
	free(ops);
	free(resolved);
	free(lddw_maps);
	return p;

fail_plain:
	if (!d.msg[0])
		diag_set(&d, "out of memory");
fail:
	prog_fail(rt, name, insns, cnt, err, &d);
	free(ops);
	free(resolved);
	free(lddw_maps);
	prog_free(p);
	errno = -err;
	return NULL;
}

void bpfrt_prog__free(struct bpfrt_prog *prog)
{
	prog_free(prog);
}

const char *bpfrt_prog__name(const struct bpfrt_prog *prog) { return prog->name; }
const struct bpfrt_insn *bpfrt_prog__insns(const struct bpfrt_prog *prog) { return prog->insns; }
size_t bpfrt_prog__insn_cnt(const struct bpfrt_prog *prog) { return prog->cnt; }
uint32_t bpfrt_prog__id(const struct bpfrt_prog *prog) { return prog->id; }
enum bpfrt_engine bpfrt_prog__engine(const struct bpfrt_prog *prog) { return prog->engine; }

int bpfrt_prog__dump_jited(const struct bpfrt_prog *prog, FILE *out)
{
	if (prog->engine != BPFRT_ENGINE_JIT)
		return rt_fail(prog->rt, -ENOENT, "prog '%s': not JIT-compiled (load it with the JIT engine)",
			       prog->name);
	bpfrt_jit_dump(&prog->jit, out);
	return 0;
}

bool prog_uses_map(const struct bpfrt_prog *prog, const void *map)
{
	for (unsigned i = 0; i < prog->nmaps; i++)
		if (prog->maps[i] == map)
			return true;
	return false;
}
enum bpfrt_prog_type bpfrt_prog__type(const struct bpfrt_prog *prog) { return prog->type->type; }
struct bpfrt_runtime *prog_runtime(const struct bpfrt_prog *prog) { return prog->rt; }

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void copy_out(void *dst, uint32_t *dst_size, const void *src, uint32_t len)
{
	if (!dst || !dst_size)
		return;
	uint32_t n = len < *dst_size ? len : *dst_size;
	if (n) /* src may be NULL when there is nothing to copy */
		memcpy(dst, src, n);
	*dst_size = len;
}

/*
 * The memory of one test run. Packet contexts store 32-bit packet pointers
 * (xdp_md.data, __sk_buff.data), so the packet lives in the low 4 GiB
 * (MAP_32BIT) where a 32-bit field can hold its address, with the kernel's
 * headroom in front of it. XDP packets live in a frame laid out as the
 * kernel's xdp_buff (xdp/buff.h).
 */
#define SKB_HEADROOM 256
struct run_mem {
	struct xdp_block *xdp; /* XDP: the frame and its context, or NULL */
	bool xdp_ctx_given;    /* XDP: ctx_in or ctx_out given (the kernel's ctx) */
	uint8_t *map;      /* mmap'ed block, or NULL */
	size_t map_len;
	uint8_t *data;     /* the data the program sees */
	uint32_t data_len;
	uint8_t *ctx;
	uint32_t ctx_len;
	bool ctx_writable;
	uint64_t r1, r2;
};

static void run_mem_free(struct run_mem *m)
{
	if (m->xdp)
		xdp_block_free(m->xdp);
	else if (m->map)
		munmap(m->map, m->map_len);
	else {
		free(m->data);
		free(m->ctx);
	}
}

static int run_mem_packet(struct run_mem *m, const struct bpfrt_test_run_opts *o, size_t ctx_size)
{
	m->map_len = SKB_HEADROOM + o->data_size_in + ctx_size + 64;
	m->map = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		return -ENOMEM;
	}
	m->data = m->map + SKB_HEADROOM;
	m->data_len = o->data_size_in;
	memcpy(m->data, o->data_in, o->data_size_in);
	m->ctx = m->data + ((o->data_size_in + 63) & ~63u);
	m->ctx_len = (uint32_t)ctx_size;
	if (o->ctx_in)
		memcpy(m->ctx, o->ctx_in, o->ctx_size_in < ctx_size ? o->ctx_size_in : ctx_size);
	m->r1 = (uintptr_t)m->ctx;
	return 0;
}

/* The loopback's ifindex: what a test run's xdp_md.ingress_ifindex reads without a ctx. */
static uint32_t loopback_ifindex(void)
{
	unsigned i = if_nametoindex("lo");
	return i ? i : 1;
}

/* Does interface ifindex have receive queue q? */
static bool has_rx_queue(uint32_t ifindex, uint32_t q)
{
	char name[IF_NAMESIZE], path[128];
	if (!if_indextoname(ifindex, name))
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%u", name, q);
	return access(path, F_OK) == 0;
}

/*
 * An XDP test run as BPF_PROG_TEST_RUN does it: a context, when given, must
 * describe the data (data_meta 0, data_end the size, data the metadata length
 * in front of the packet, no egress interface); packets longer than a frame
 * holds are refused (the kernel would add fragments).
 */
static int run_mem_xdp(struct run_mem *m, const struct bpfrt_test_run_opts *o, char *why,
		       size_t whylen)
{
	struct xdp_md md = { 0 };
	if (o->ctx_in)
		memcpy(&md, o->ctx_in, o->ctx_size_in < sizeof(md) ? o->ctx_size_in : sizeof(md));
	m->xdp_ctx_given = o->ctx_in || o->ctx_out;
	uint32_t meta = 0, ifindex = loopback_ifindex(), queue = 0;
	if (m->xdp_ctx_given) {
		if (md.data_meta || md.data_end != o->data_size_in || md.data > md.data_end ||
		    !xdp_metalen_ok(md.data) || md.egress_ifindex) {
			snprintf(why, whylen, "xdp_md context does not describe the %u-byte packet "
				 "(data_meta must be 0, data_end %u, data a metadata length of at "
				 "most %u in 4-byte steps, egress_ifindex 0)", o->data_size_in,
				 o->data_size_in, XDP_META_MAX);
			return -EINVAL;
		}
		meta = md.data;
		if (o->data_size_in - meta < XDP_ETH_HLEN) {
			snprintf(why, whylen, "xdp_md context: %u bytes of metadata leave %u of the "
				 "%u-byte packet, less than an Ethernet header", meta,
				 o->data_size_in - meta, o->data_size_in);
			return -EINVAL;
		}
		if (!md.ingress_ifindex && md.rx_queue_index) {
			snprintf(why, whylen, "xdp_md context: rx_queue_index %u without ingress_ifindex",
				 md.rx_queue_index);
			return -EINVAL;
		}
		if (md.ingress_ifindex) {
			char name[IF_NAMESIZE];
			if (!if_indextoname(md.ingress_ifindex, name)) {
				snprintf(why, whylen, "xdp_md context: no interface with ingress_ifindex %u",
					 md.ingress_ifindex);
				return -ENODEV;
			}
			if (!has_rx_queue(md.ingress_ifindex, md.rx_queue_index)) {
				snprintf(why, whylen, "xdp_md context: interface %s has no rx queue %u",
					 name, md.rx_queue_index);
				return -EINVAL;
			}
			ifindex = md.ingress_ifindex;
			queue = md.rx_queue_index;
		}
	}
	if (o->data_size_in - meta > XDP_MAX_LEN) {
		snprintf(why, whylen, "a packet of %u bytes does not fit an XDP frame and %d "
			 "fragments (at most %u bytes)", o->data_size_in - meta, XDP_MAX_FRAGS,
			 XDP_MAX_LEN);
		return -ENOMEM;
	}
	if (!(m->xdp = xdp_block_new())) {
		snprintf(why, whylen, "no memory for the packet");
		return -ENOMEM;
	}
	xdp_frame_load(m->xdp, o->data_in, o->data_size_in, meta, ifindex, queue);
	m->ctx = (uint8_t *)&m->xdp->ctx;
	m->ctx_len = sizeof(struct xdp_md);
	m->r1 = (uintptr_t)m->ctx;
	return 0;
}

static int run_mem_build(const struct progtype *t, const struct bpfrt_test_run_opts *o,
			 struct run_mem *m, char *why, size_t whylen)
{
	memset(m, 0, sizeof(*m));
	if (t->ctx == CTX_XDP || t->ctx == CTX_SKB) {
		if (o->data_size_in < 14) {
			snprintf(why, whylen, "%s programs need a packet of at least 14 bytes (got %u)",
				 t->name, o->data_size_in);
			return -EINVAL;
		}
		size_t csz = t->ctx == CTX_XDP ? sizeof(struct xdp_md) : sizeof(struct __sk_buff);
		if (o->ctx_in && o->ctx_size_in > csz) {
			snprintf(why, whylen, "ctx of %u bytes is larger than the %s context (%zu bytes)",
				 o->ctx_size_in, t->name, csz);
			return -EINVAL;
		}
		if (t->ctx == CTX_XDP)
			return run_mem_xdp(m, o, why, whylen);
		if (run_mem_packet(m, o, csz)) {
			snprintf(why, whylen, "no memory for the packet");
			return -ENOMEM;
		}
		uint32_t start = (uint32_t)(uintptr_t)m->data, end = start + m->data_len;
		struct __sk_buff *s = (struct __sk_buff *)m->ctx;
		s->data = start + t->pkt_offset;
		s->data_end = end;
		s->len = m->data_len - t->pkt_offset;
		s->protocol = (uint32_t)(m->data[12] | m->data[13] << 8); /* network order */
		m->ctx_writable = true; /* cb[], mark, priority... */
		return 0;
	}
	if (o->data_size_in && !(m->data = malloc(o->data_size_in)))
		goto nomem;
	if (m->data)
		memcpy(m->data, o->data_in, o->data_size_in);
	m->data_len = o->data_size_in;
	if (t->ctx == CTX_RAW && !o->ctx_in) {
		snprintf(why, whylen, "%s programs need a context (ctx_in)", t->name);
		return -EINVAL;
	}
	/*
	 * A verified program may read as much context as its type has (pt_regs,
	 * a tracepoint record of up to 4 KiB...) whatever the caller gave: zeros
	 * stand behind a shorter one. The checked engine still sees only ctx_in.
	 */
	size_t ctx_alloc = o->ctx_size_in;
	if (o->ctx_in && t->ctx == CTX_RAW && ctx_alloc < verifier_ctx_size(t->type))
		ctx_alloc = verifier_ctx_size(t->type);
	if (ctx_alloc && !(m->ctx = calloc(1, ctx_alloc)))
		goto nomem;
	if (m->ctx && o->ctx_size_in)
		memcpy(m->ctx, o->ctx_in, o->ctx_size_in);
	m->ctx_len = o->ctx_size_in;
	m->ctx_writable = true;
	m->r1 = m->ctx ? (uintptr_t)m->ctx : (uintptr_t)m->data;
	m->r2 = m->ctx ? m->ctx_len : m->data_len;
	return 0;
nomem:
	snprintf(why, whylen, "no memory for the data or context");
	return -ENOMEM;
}

/* Point ex at prog (the first program, or a tail call's target) and its memory. */
static void exec_enter(struct bpfrt_exec *ex, const struct bpfrt_prog *prog, const struct run_mem *m)
{
	struct diag *d = ex->diag;
	void *user = ex->user_data;
	unsigned tails = ex->tail_calls;
	exec_init(ex, prog->code, prog->cnt, prog->helpers, prog->nhelpers, d);
	ex->user_data = user;
	ex->tail_calls = tails;
	ex->rt = prog->rt;
	ex->prog = (struct bpfrt_prog *)prog;
	ex->pkt = m->data ? m->data + prog->type->pkt_offset : NULL;
	ex->pkt_len = m->data_len > prog->type->pkt_offset ? m->data_len - prog->type->pkt_offset : 0;
	if (m->xdp) { /* where the frame is now: a tail call may follow head adjustments */
		const struct xdp_md *md = &m->xdp->ctx.md;
		exec_add_region(ex, xdp_ptr(md->data_meta), md->data_end - md->data_meta, true, "packet");
	} else if (m->data)
		exec_add_region(ex, m->data, m->data_len, true, prog->type->ctx == CTX_DATA ? "data" : "packet");
	if (m->ctx)
		exec_add_region(ex, m->ctx, m->ctx_len, m->ctx_writable, "ctx");
	for (unsigned i = 0; i < prog->nmap_regions; i++) {
		const struct mem_region *r = &prog->map_regions[i];
		exec_add_region(ex, (const void *)r->lo, r->hi - r->lo, r->writable, r->name);
	}
}

/*
 * One run of prog, following its tail calls; ex must have been entered into
 * prog (exec_enter) before the first run. *cur: the program that ran last.
 */
static int run_once(const struct bpfrt_prog *prog, struct bpfrt_exec *ex, const struct run_mem *m,
		    uint64_t *r0, const struct bpfrt_prog **cur)
{
	/* Every run: the last may have ended in another program, or learnt inner maps' regions. */
	exec_enter(ex, prog, m);
	*cur = prog;
	ex->tail_calls = 0;
	ex->tail_target = NULL;
	ex->stop = false;
	ex->error = 0;
	for (;;) {
		const struct bpfrt_prog *p = *cur;
		int err;
		if (p->engine == BPFRT_ENGINE_CHECKED) {
			ex->budget = p->insn_budget;
			err = bpfrt_interp_run_checked(ex, m->r1, m->r2, r0);
		} else if (p->engine == BPFRT_ENGINE_JIT) {
			err = p->jit.run(ex, m->r1, m->r2, r0);
		} else {
			err = bpfrt_interp_run(ex, m->r1, m->r2, r0);
		}
		if (err || !ex->tail_target)
			return err;
		*cur = ex->tail_target;
		exec_enter(ex, *cur, m);
		ex->tail_target = NULL;
	}
}

/*
 * What BPF_PROG_TEST_RUN gives back for XDP: the packet from data_meta, and
 * (when a context was given) data and data_end as offsets from data_meta.
 */
static void xdp_copy_out(struct bpfrt_test_run_opts *o, const struct run_mem *m)
{
	const struct xdp_md *md = &m->xdp->ctx.md;
	uint32_t linear = md->data_end - md->data_meta, frags = m->xdp->ctx.frags_len;
	if (o->data_out && o->data_size_out) { /* the linear part, then the fragments */
		uint32_t room = o->data_size_out, n = linear < room ? linear : room;
		memcpy(o->data_out, xdp_ptr(md->data_meta), n);
		room -= n;
		memcpy((uint8_t *)o->data_out + n, m->xdp->frags, frags < room ? frags : room);
	}
	if (o->data_out)
		o->data_size_out = linear + frags;
	if (!m->xdp_ctx_given)
		return;
	/* the rest is the context as given (ingress_ifindex 0 stays 0) */
	struct xdp_md out = { 0 };
	if (o->ctx_in)
		memcpy(&out, o->ctx_in, o->ctx_size_in < sizeof(out) ? o->ctx_size_in : sizeof(out));
	out.data = md->data - md->data_meta;
	out.data_end = md->data_end - md->data_meta;
	out.data_meta = 0;
	copy_out(o->ctx_out, &o->ctx_size_out, &out, sizeof(out));
}

int bpfrt_prog__test_run(struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	struct bpfrt_runtime *rt = prog->rt;
	if (!opts || opts->sz < offsetof(struct bpfrt_test_run_opts, duration_ns) + sizeof(uint64_t))
		return rt_fail(rt, -EINVAL, "prog '%s': test_run needs options of this version",
			       prog->name);
	if ((opts->data_size_in && !opts->data_in) || (opts->ctx_size_in && !opts->ctx_in))
		return rt_fail(rt, -EINVAL, "prog '%s': data or ctx size given without a buffer",
			       prog->name);

	struct run_mem m;
	char why[160];
	int err = run_mem_build(prog->type, opts, &m, why, sizeof(why));
	if (err) {
		run_mem_free(&m);
		return rt_fail(rt, err, "prog '%s': %s", prog->name, why);
	}

	struct diag d;
	diag_clear(&d);
	struct bpfrt_exec *ex = malloc(sizeof(*ex));
	if (!ex) {
		run_mem_free(&m);
		return rt_fail(rt, -ENOMEM, "prog '%s': out of memory", prog->name);
	}
	ex->diag = &d;
	ex->user_data = opts->user_data;
	bool checked = prog->engine == BPFRT_ENGINE_CHECKED;
	/* Each program (a tail call's target too) runs in the engine it was loaded with. */

	int repeat = opts->repeat > 1 ? opts->repeat : 1;
	const struct bpfrt_prog *cur = prog;
	uint64_t r0 = 0, t0 = now_ns();
	exec_enter(ex, prog, &m);
	if (checked)
		memset(ex->stack, 0, sizeof(ex->stack)); /* once: runs see defined bytes */
	for (int i = 0; i < repeat && !err; i++)
		err = run_once(prog, ex, &m, &r0, &cur);
	uint64_t t1 = now_ns();

	if (err) {
		prog_fail(rt, cur->name, cur->insns, cur->cnt, err, &d);
	} else {
		opts->retval = r0;
		opts->duration_ns = (t1 - t0) / (uint64_t)repeat;
		if (m.xdp)
			xdp_copy_out(opts, &m);
		else {
			copy_out(opts->data_out, &opts->data_size_out, m.data, m.data_len);
			copy_out(opts->ctx_out, &opts->ctx_size_out, m.ctx, m.ctx_len);
		}
	}
	free(ex);
	run_mem_free(&m);
	return err;
}

bool prog_calls_helper(const struct bpfrt_prog *prog, uint32_t id)
{
	for (size_t i = 0; i < prog->cnt; i++) {
		const struct bpfrt_insn *in = &prog->insns[i];
		/* 0x85: call (BPF_JMP | BPF_CALL); the second half of an lddw has code 0 */
		if (in->code == 0x85 && in->src == BPFRT_CALL_HELPER && (uint32_t)in->imm == id)
			return true;
	}
	return false;
}

int prog_run_xdp(struct bpfrt_prog *prog, struct bpfrt_exec *ex, struct xdp_block *b,
		 uint64_t *r0)
{
	struct diag d;
	diag_clear(&d);
	struct run_mem m = { .xdp = b, .ctx = (uint8_t *)&b->ctx, .ctx_len = sizeof(struct xdp_md),
			     .r1 = (uintptr_t)&b->ctx };
	const struct bpfrt_prog *cur = prog;
	ex->diag = &d;
	ex->user_data = NULL;
	exec_enter(ex, prog, &m);
	int err = run_once(prog, ex, &m, r0, &cur);
	if (err)
		prog_fail(prog->rt, cur->name, cur->insns, cur->cnt, err, &d);
	ex->diag = NULL;
	return err;
}

/*
 * Hooks run a program per event, many times a second, on a context that is
 * theirs (struct pt_regs, a tracepoint record): no copy, no timing, and one
 * execution state per thread, made on its first run and freed with the thread.
 */
static pthread_key_t hook_exec_key;
static pthread_once_t hook_exec_once = PTHREAD_ONCE_INIT;
/*
 * initial-exec: no __tls_get_addr call per hit when libbpfrt is inside a
 * shared library (the preloaded trace agent, loaded at start-up).
 */
#define HOOK_TLS __attribute__((tls_model("initial-exec")))

/* The context region's name in hook runs: marks an execution state set up by a hook. */
static const char hook_ctx_name[] = "ctx";

/*
 * The state is mapped, not malloc()ed: a hook may run inside a signal
 * handler that stopped malloc (the trace agent's, on malloc's own brk).
 */
#define HOOK_EXEC_SIZE ((sizeof(struct bpfrt_exec) + 4095) & ~(size_t)4095)

static __thread struct bpfrt_exec *hook_exec HOOK_TLS;
static __thread bool hook_running HOOK_TLS;

/* A thread ending: hooks may still run in it (its exit calls) and map a new one. */
static void hook_exec_free(void *p)
{
	if (hook_exec == p)
		hook_exec = NULL;
	munmap(p, HOOK_EXEC_SIZE);
}

static void hook_exec_key_make(void)
{
	pthread_key_create(&hook_exec_key, hook_exec_free);
}

int bpfrt_prog__run_ctx(struct bpfrt_prog *prog, void *ctx, uint32_t ctx_size, uint64_t *retval)
{
	return bpfrt_prog__run_ctx_cookie(prog, ctx, ctx_size, 0, retval);
}

int bpfrt_prog__run_ctx_cookie(struct bpfrt_prog *prog, void *ctx, uint32_t ctx_size,
			       uint64_t cookie, uint64_t *retval)
{
	return prog_run_hook(prog, ctx, ctx_size, cookie, NULL, retval);
}

int prog_run_hook(struct bpfrt_prog *prog, void *ctx, uint32_t ctx_size, uint64_t cookie,
		  struct hook_override *ov, uint64_t *retval)
{
	if (hook_running)
		return -EBUSY; /* a hook inside a helper of this thread's program */
	hook_running = true; /* before mmap: a hook on mmap itself must not recurse */
	struct bpfrt_exec *ex = hook_exec;
	if (!ex) {
		pthread_once(&hook_exec_once, hook_exec_key_make);
		ex = mmap(NULL, HOOK_EXEC_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ex == MAP_FAILED) {
			hook_running = false;
			return rt_fail(prog->rt, -ENOMEM, "prog '%s': out of memory", prog->name);
		}
		ex->prog = NULL; /* nothing set up yet */
		ex->nregions = 0;
		pthread_setspecific(hook_exec_key, ex);
		hook_exec = ex;
	}
	struct diag d;
	d.msg[0] = '\0';
	d.insn = DIAG_NO_INSN;
	struct run_mem m = { .ctx = ctx, .ctx_len = ctx_size, .r1 = (uintptr_t)ctx, .r2 = ctx_size };
	if (ex->prog == prog && ex->nregions >= 2 && ex->regions[1].name == hook_ctx_name) {
		/*
		 * The same program as this thread's last hook: its regions stand;
		 * only the context moved, and what a run changes is reset.
		 */
		uintptr_t top = (uintptr_t)(ex->stack + sizeof(ex->stack));
		ex->regions[0].lo = top - BPFRT_STACK_SIZE;
		ex->regions[1].lo = (uintptr_t)ctx;
		ex->regions[1].hi = (uintptr_t)ctx + ctx_size;
		ex->stop = false;
		ex->stop_ret = 0;
		ex->error = 0;
		ex->depth = 0;
	} else {
		exec_enter(ex, prog, &m); /* the context is regions[1]: there is no data */
		if (ex->nregions >= 2)
			ex->regions[1].name = hook_ctx_name;
	}
	ex->diag = &d;
	ex->user_data = NULL;
	ex->cookie = cookie;
	ex->override = ov;
	ex->tail_calls = 0;
	ex->tail_target = NULL;
	const struct bpfrt_prog *cur = prog;
	uint64_t r0 = 0;
	int err;
	for (;;) {
		if (cur->engine == BPFRT_ENGINE_CHECKED) {
			ex->budget = cur->insn_budget;
			err = bpfrt_interp_run_checked(ex, m.r1, m.r2, &r0);
		} else if (cur->engine == BPFRT_ENGINE_JIT) {
			err = cur->jit.run(ex, m.r1, m.r2, &r0);
		} else {
			err = bpfrt_interp_run(ex, m.r1, m.r2, &r0);
		}
		if (err || !ex->tail_target)
			break;
		cur = ex->tail_target;
		exec_enter(ex, cur, &m);
		ex->tail_target = NULL;
	}
	if (cur != prog)
		ex->prog = NULL; /* set up for the tail call's target: rebuild next time */
	ex->override = NULL; /* the caller's, gone after this */
	hook_running = false;
	if (err)
		return prog_fail(prog->rt, cur->name, cur->insns, cur->cnt, err, &d);
	if (retval)
		*retval = r0;
	return 0;
}
