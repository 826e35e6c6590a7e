/* SPDX-License-Identifier: MIT */
/*
 * prog.c - programs: validate and decode on load, run on data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime.h"
#include "bpfrt/prog.h"
#include "bpfrt/asm.h"
#include "isa/validate.h"
#include "interp/exec.h"

struct bpfrt_prog {
	struct bpfrt_runtime *rt;
	char *name;
	struct bpfrt_insn *insns;
	size_t cnt;
	enum bpfrt_engine engine;
	uint64_t insn_budget;
	struct xinsn *code;
	/* Snapshot of the runtime's helpers when the program was loaded. */
	bpfrt_helper_fn *helpers;
	uint32_t nhelpers;
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
	free(p->name);
	free(p->insns);
	free(p->code);
	free(p->helpers);
	free(p);
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
	enum bpfrt_engine engine = OPT(opts, engine, BPFRT_ENGINE_CHECKED);
	if (engine != BPFRT_ENGINE_CHECKED && engine != BPFRT_ENGINE_INTERP) {
		errno = -rt_fail(rt, -EINVAL, "prog '%s': unknown engine %d", name, (int)engine);
		return NULL;
	}

	const struct opinfo **ops = NULL;
	struct bpfrt_prog *p = calloc(1, sizeof(*p));
	int err = -ENOMEM;
	if (!p || !insns)
		goto fail_plain;
	p->rt = rt;
	p->cnt = cnt;
	p->engine = engine;
	p->insn_budget = OPT(opts, insn_budget, 0);
	if (!p->insn_budget)
		p->insn_budget = BPFRT_DEFAULT_INSN_BUDGET;
	p->name = strdup(name);
	if (cnt && cnt <= BPFRT_MAX_INSNS) {
		ops = calloc(cnt, sizeof(*ops));
		p->insns = malloc(cnt * sizeof(*insns));
		p->code = malloc(cnt * sizeof(*p->code));
		if (!ops || !p->insns || !p->code || !p->name)
			goto fail_plain;
		memcpy(p->insns, insns, cnt * sizeof(*insns));
	}

	err = bpfrt_validate(insns, cnt, ops, &d);
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
	err = bpfrt_xcode_build(insns, cnt, ops, p->helpers, p->nhelpers, p->code, &d);
	if (err)
		goto fail;
	free(ops);
	return p;

fail_plain:
	if (!d.msg[0])
		diag_set(&d, "out of memory");
fail:
	prog_fail(rt, name, insns, cnt, err, &d);
	free(ops);
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
	memcpy(dst, src, n);
	*dst_size = len;
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

	uint8_t *data = NULL, *ctx = NULL;
	if (opts->data_size_in && !(data = malloc(opts->data_size_in)))
		return rt_fail(rt, -ENOMEM, "prog '%s': no memory for %u bytes of data",
			       prog->name, opts->data_size_in);
	if (opts->ctx_size_in && !(ctx = malloc(opts->ctx_size_in))) {
		free(data);
		return rt_fail(rt, -ENOMEM, "prog '%s': no memory for %u bytes of ctx",
			       prog->name, opts->ctx_size_in);
	}
	if (data)
		memcpy(data, opts->data_in, opts->data_size_in);
	if (ctx)
		memcpy(ctx, opts->ctx_in, opts->ctx_size_in);

	struct diag d;
	diag_clear(&d);
	struct bpfrt_exec *ex = malloc(sizeof(*ex));
	if (!ex) {
		free(data);
		free(ctx);
		return rt_fail(rt, -ENOMEM, "prog '%s': out of memory", prog->name);
	}
	exec_init(ex, prog->code, prog->cnt, prog->helpers, prog->nhelpers, &d);
	ex->user_data = opts->user_data;
	ex->pkt = data;
	ex->pkt_len = opts->data_size_in;
	if (data)
		exec_add_region(ex, data, opts->data_size_in, true, "data");
	if (ctx)
		exec_add_region(ex, ctx, opts->ctx_size_in, true, "ctx");
	uint64_t r1 = ctx ? (uintptr_t)ctx : (uintptr_t)data;
	uint64_t r2 = ctx ? opts->ctx_size_in : opts->data_size_in;
	bool checked = prog->engine == BPFRT_ENGINE_CHECKED;
	if (checked)
		memset(ex->stack, 0, sizeof(ex->stack));

	int repeat = opts->repeat > 1 ? opts->repeat : 1, err = 0;
	uint64_t r0 = 0, t0 = now_ns();
	for (int i = 0; i < repeat && !err; i++) {
		ex->stop = false;
		if (checked) {
			ex->budget = prog->insn_budget;
			err = bpfrt_interp_run_checked(ex, r1, r2, &r0);
		} else {
			err = bpfrt_interp_run(ex, r1, r2, &r0);
		}
	}
	uint64_t t1 = now_ns();

	if (err) {
		prog_fail(rt, prog->name, prog->insns, prog->cnt, err, &d);
	} else {
		opts->retval = r0;
		opts->duration_ns = (t1 - t0) / (uint64_t)repeat;
		copy_out(opts->data_out, &opts->data_size_out, data, opts->data_size_in);
		copy_out(opts->ctx_out, &opts->ctx_size_out, ctx, opts->ctx_size_in);
	}
	free(ex);
	free(data);
	free(ctx);
	return err;
}
