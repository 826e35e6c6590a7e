/* SPDX-License-Identifier: MIT */
/*
 * diffrun.c - the checked interpreter against the JIT (see diffrun.h).
 */
#define _GNU_SOURCE /* MAP_FIXED_NOREPLACE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "diffrun.h"
#include "helpers/helpers.h"
#include "isa/validate.h"

#define REF_BUDGET 50000000ull

/*
 * The exec and the data live at a fixed address when the system allows, so
 * that pointer values a program computes with (r10, r1 and what comes of
 * them) are the same from one run of a test to the next: a failing seed
 * reproduces despite address-space randomisation. The address is in the
 * part of the address space that ASan leaves to the program, away from its
 * allocator.
 */
#define ARENA_ADDR ((void *)0x3e0000000000ull)
#define ARENA_SIZE (1u << 16)

static uint8_t *arena(void)
{
	static uint8_t *a;
	static bool tried;
	if (!tried) {
		tried = true;
		void *m = mmap(ARENA_ADDR, ARENA_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		a = m == ARENA_ADDR ? m : NULL;
	}
	return a;
}

int diff_load(const struct bpfrt_insn *insns, size_t cnt, bpfrt_helper_fn const *helpers,
	      uint32_t nhelpers, struct diff_prog *p, struct diag *d)
{
	memset(p, 0, sizeof(*p));
	diag_clear(d);
	const struct opinfo **ops = calloc(cnt ? cnt : 1, sizeof(*ops));
	p->code = calloc(cnt ? cnt : 1, sizeof(*p->code));
	if (!ops || !p->code) {
		free(ops);
		diag_set(d, "out of memory");
		return -ENOMEM;
	}
	int err = bpfrt_validate(insns, cnt, ops, d);
	if (!err)
		err = bpfrt_xcode_build(insns, cnt, ops, helpers, nhelpers, NULL, p->code, d);
	free(ops);
	if (err) {
		diff_prog_free(p);
		return err;
	}
	p->n = cnt;
	p->helpers = helpers;
	p->nhelpers = nhelpers;
	return 0;
}

bpfrt_helper_fn diff_control_helper(uint32_t id)
{
	for (const struct helper_def *h = helpers_control; h->fn; h++)
		if (h->id == id)
			return h->fn;
	return NULL;
}

void diff_prog_free(struct diff_prog *p)
{
	free(p->code);
	memset(p, 0, sizeof(*p));
}

void diff_log_add(struct bpfrt_exec *ex, uint64_t v)
{
	struct diff_log *log = bpfrt_exec__user_data(ex);
	if (log && log->n < DIFF_LOG_MAX)
		log->v[log->n++] = v;
}

void diff_exec_init(struct bpfrt_exec *ex, const struct diff_prog *p, uint8_t *data, size_t len,
		    struct diag *d)
{
	/* Both engines start from a zeroed stack, so stacks compare byte for byte. */
	memset(ex, 0, sizeof(*ex));
	exec_init(ex, p->code, p->n, p->helpers, p->nhelpers, d);
	ex->pkt = data;
	ex->pkt_len = len;
	if (data)
		exec_add_region(ex, data, len, true, "data");
}

struct bpfrt_exec *diff_exec_new(const struct diff_prog *p, uint8_t *data, size_t len,
				 struct diag *d)
{
	struct bpfrt_exec *ex = malloc(sizeof(*ex));
	if (ex)
		diff_exec_init(ex, p, data, len, d);
	return ex;
}

/*
 * Run one engine (img NULL: the checked interpreter) with data = a fresh copy
 * of mem in buf and ex freshly set up; keep copies of the data and stack
 * afterwards in r.
 */
static int run_one(const struct diff_prog *p, const struct jit_image *img, const uint8_t *mem,
		   size_t mem_len, uint8_t *buf, struct bpfrt_exec *ex, struct diff_run *r)
{
	struct diag d;
	diag_clear(&d);
	memset(r, 0, sizeof(*r));
	if (mem_len)
		memcpy(buf, mem, mem_len);
	diff_exec_init(ex, p, mem_len ? buf : NULL, mem_len, &d);
	ex->user_data = &r->log;
	uint64_t r1 = mem_len ? (uintptr_t)buf : 0;
	if (img) {
		r->err = img->run(ex, r1, mem_len, &r->r0);
	} else {
		ex->budget = REF_BUDGET;
		r->err = bpfrt_interp_run_checked(ex, r1, mem_len, &r->r0);
		r->executed = REF_BUDGET - ex->budget;
	}
	if (r->err)
		r->r0 = 0;
	snprintf(r->msg, sizeof(r->msg), "%s", d.msg);
	ex->diag = NULL;
	r->mem = malloc(mem_len ? mem_len : 1);
	r->stack = malloc(sizeof(ex->stack));
	if (!r->mem || !r->stack)
		return -ENOMEM;
	memcpy(r->mem, buf, mem_len);
	memcpy(r->stack, ex->stack, sizeof(ex->stack));
	return 0;
}

void diff_run_free(struct diff_run *r)
{
	free(r->mem);
	free(r->stack);
	r->mem = NULL;
	r->stack = NULL;
}

/* First differing byte of two blocks, or -1. */
static long first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/* First non-zero byte of a block, or -1. */
static long first_nonzero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return (long)i;
	return -1;
}

int diff_compare(const struct diff_prog *p, const struct jit_image *img, const uint8_t *mem,
		 size_t mem_len, struct diff_run *ref, char *why, size_t whylen)
{
	struct diff_run jit = { 0 };
	size_t ex_size = (sizeof(struct bpfrt_exec) + 63) & ~(size_t)63;
	bool fixed = arena() && ex_size + mem_len <= ARENA_SIZE;
	struct bpfrt_exec *ex = fixed ? (void *)arena() : malloc(sizeof(*ex));
	uint8_t *buf = fixed ? arena() + ex_size : malloc(mem_len ? mem_len : 1);
	size_t stack_len = sizeof(ex->stack);
	int rc = -1;
	if (!buf || !ex || run_one(p, NULL, mem, mem_len, buf, ex, ref)) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* Faults and budget overruns are the checked engine's own: the program is not safe. */
	if (ref->err == -EFAULT || ref->err == -ELOOP) {
		snprintf(why, whylen, "the program is not safe to run unchecked: %s", ref->msg);
		goto out;
	}
	if (run_one(p, img, mem, mem_len, buf, ex, &jit)) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	long at;
	if (jit.err != ref->err)
		snprintf(why, whylen, "returned %d, the interpreter %d (%s | %s)", jit.err, ref->err,
			 jit.msg, ref->msg);
	else if (jit.r0 != ref->r0)
		snprintf(why, whylen, "r0 = 0x%llx, the interpreter's 0x%llx",
			 (unsigned long long)jit.r0, (unsigned long long)ref->r0);
	else if (strcmp(jit.msg, ref->msg))
		snprintf(why, whylen, "message '%s', the interpreter's '%s'", jit.msg, ref->msg);
	else if ((at = first_diff(jit.mem, ref->mem, mem_len)) >= 0)
		snprintf(why, whylen, "data byte %ld = 0x%02x, the interpreter's 0x%02x", at,
			 jit.mem[at], ref->mem[at]);
	else if ((at = first_diff(jit.stack, ref->stack, stack_len)) >= 0)
		snprintf(why, whylen, "stack byte %ld (frame %ld, r10 - %ld) = 0x%02x, the "
			 "interpreter's 0x%02x", at, (long)(stack_len - at - 1) / 512,
			 512 - (long)at % 512, jit.stack[at], ref->stack[at]);
	else if (jit.log.n != ref->log.n ||
		 memcmp(jit.log.v, ref->log.v, ref->log.n * sizeof(ref->log.v[0])))
		snprintf(why, whylen, "helpers saw other arguments (%u calls, the interpreter's %u)",
			 jit.log.n, ref->log.n);
	else if (fixed && (at = first_nonzero(buf + mem_len, ARENA_SIZE - ex_size - mem_len)) >= 0)
		snprintf(why, whylen, "wrote byte %ld past the end of the data", at);
	else
		rc = 0;
out:
	diff_run_free(&jit);
	if (!fixed) {
		free(buf);
		free(ex);
	}
	return rc;
}
