/* SPDX-License-Identifier: MIT */
/*
 * jit.c - the architecture-independent half of the JIT: choosing the
 * backend, executable memory, the offset map and its dump, and the run-time
 * error reports generated code calls.
 *
 * A second backend (arm64 next) is a file of its own, arm64.c (and an
 * arm64_insn.c if it grows past one sitting), listed in sources.cmake and
 * chosen in bpfrt_jit_compile_opts() by #elif defined(__aarch64__). It
 * provides one function, as backend.h declares for x86-64:
 *
 *   int jit_arm64_compile(code, n, blind, &out, d)
 *
 * filling struct jit_out: position-independent code then its data in one
 * malloc'd buffer, where code ends, the offset of the entry point, and
 * insn_off[0..n] (each slot's code; [n] the end of the body) for the dump.
 * It never maps memory: map_code() below copies, flushes the instruction
 * cache and makes the pages read+execute. The code it emits must:
 *
 * - Enter as a bpfrt_jit_fn (jit.h): r1, r2 from the arguments, r0 and
 *   r3..r9 zero, r10 at the top of ex->stack, ex->checked = false,
 *   ex->depth = 0, and ex->native_call = its callback entry.
 * - Have that callback entry: int (ex, slot, args, ret, depth), as
 *   exec_call_func() calls it (exec.h): run the function at that slot with
 *   r1..r5 = args[0..4], r10 at the top of frame depth's 512 bytes, and
 *   ex->depth = depth; return 0 with r0 in *ret, or the error that ended it.
 *   ex->jit_sp is the backend's to keep its innermost entry frame in, so
 *   that an early end unwinds to the entry it belongs to.
 * - Around helper calls: set ex->depth to the frame's depth when the
 *   program has bpf-to-bpf calls (a helper may run a callback below it),
 *   and afterwards end the run when ex->stop is set (ex->error wins over
 *   ex->stop_ret), from any depth.
 * - Give the interpreter's results for everything it runs (jit.h lists
 *   them), refuse with -ENOTSUP and a message naming the instruction
 *   whatever it cannot compile, report run-time errors through
 *   jit_rt_too_deep() and jit_rt_bad_callx(), and with blind place no
 *   immediate of the program in the code.
 *
 * The whole of tests/jit then runs against it unchanged, apart from the
 * x86-only checks (the BMI2 variants, the byte pattern of jit/dump).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "jit.h"
#include "backend.h"
#include "interp/exec.h"

/*
 * Copy the backend's bytes into fresh pages, then make them read+execute.
 * The pages are never writable and executable at the same time (W^X), so a
 * stray write by the host can never become code.
 */
static int map_code(const struct jit_out *o, struct jit_image *img, struct diag *d)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = (o->len + page - 1) / page * page;
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		diag_set(d, "jit: cannot map %zu bytes for code: %s", size, strerror(errno));
		return -ENOMEM;
	}
	memcpy(mem, o->bytes, o->len);
	/* Nothing on x86-64, whose caches are coherent; needed on arm64. */
	__builtin___clear_cache((char *)mem, (char *)mem + o->len);
	if (mprotect(mem, size, PROT_READ | PROT_EXEC)) {
		int err = errno;
		munmap(mem, size);
		diag_set(d, "jit: cannot make code executable: %s", strerror(err));
		return -err;
	}
	img->mem = mem;
	img->mem_size = size;
	img->code_size = o->code_len;
	/* ISO C has no cast from object to function pointer; POSIX guarantees it works. */
	void *entry = (uint8_t *)mem + o->entry;
	memcpy(&img->run, &entry, sizeof(img->run));
	return 0;
}

int bpfrt_jit_compile(const struct xinsn *code, size_t n, struct jit_image *img, struct diag *d)
{
	return bpfrt_jit_compile_opts(code, n, NULL, img, d);
}

int bpfrt_jit_compile_opts(const struct xinsn *code, size_t n, const struct jit_opts *opts,
			   struct jit_image *img, struct diag *d)
{
	bool blind = opts && opts->blind;

	memset(img, 0, sizeof(*img));
	if (!n || n > UINT32_MAX / 2) {
		diag_set(d, "jit: a program of %zu instruction slots cannot be compiled", n);
		return -EINVAL;
	}
	struct jit_out o = { 0 };
#if defined(__x86_64__)
	int err = jit_x86_64_compile(code, n, blind, &o, d);
#else
	(void)blind;
	int err = -ENOTSUP;
	diag_set(d, "jit: no backend for this architecture; use the interpreter");
#endif
	if (!err) {
		img->ops = malloc(n ? n : 1);
		err = img->ops ? map_code(&o, img, d) : -ENOMEM;
		if (err == -ENOMEM && !d->msg[0])
			diag_set(d, "jit: out of memory");
	}
	free(o.bytes);
	if (err) {
		free(o.insn_off);
		free(img->ops);
		memset(img, 0, sizeof(*img));
		return err;
	}
	img->n = n;
	img->insn_off = o.insn_off;
	/* Second lddw slots are marked so the dump does not list them (their code is empty). */
	for (size_t i = 0; i < n; i++) {
		img->ops[i] = code[i].op;
		if (code[i].op == OP_LDDW && i + 1 < n)
			img->ops[++i] = 0xff;
	}
	return 0;
}

void bpfrt_jit_free(struct jit_image *img)
{
	if (!img)
		return;
	if (img->mem)
		munmap(img->mem, img->mem_size);
	free(img->insn_off);
	free(img->ops);
	memset(img, 0, sizeof(*img));
}

static void dump_bytes(FILE *out, const uint8_t *p, size_t from, size_t to)
{
	fprintf(out, "%06zx:", from);
	for (size_t i = from; i < to; i++)
		fprintf(out, " %02x", p[i]);
	fputc('\n', out);
}

void bpfrt_jit_dump(const struct jit_image *img, FILE *out)
{
	const uint8_t *p = img->mem;
	if (!p) {
		fprintf(out, "(not compiled)\n");
		return;
	}
	size_t body = img->n ? img->insn_off[0] : 0, end = img->n ? img->insn_off[img->n] : 0;
	fprintf(out, "; %zu bytes of code for %zu instruction slots\n", img->code_size, img->n);
	fprintf(out, "; padding, entry, epilogue, callback entry\n");
	dump_bytes(out, p, 0, body);
	for (size_t i = 0; i < img->n; i++) {
		if (img->ops[i] == 0xff)
			continue;
		size_t next = i + 1;
		while (next < img->n && img->ops[next] == 0xff)
			next++;
		fprintf(out, "; insn %zu (%s)\n", i, bpfrt_optable[img->ops[i]].name);
		dump_bytes(out, p, img->insn_off[i], img->insn_off[next]);
	}
	fprintf(out, "; shared stubs\n");
	dump_bytes(out, p, end, img->code_size);
}

/* --- called from generated code --- */

int jit_rt_too_deep(struct bpfrt_exec *ex, uint64_t idx)
{
	diag_insn(ex->diag, (size_t)idx, "call nested deeper than %d frames", BPFRT_MAX_FRAMES);
	return -E2BIG;
}

int jit_rt_bad_callx(struct bpfrt_exec *ex, uint64_t idx, uint64_t dst, uint64_t value)
{
	diag_insn(ex->diag, (size_t)idx, "callx through r%u = %llu, which is neither a helper "
		  "nor a function", (unsigned)dst, (unsigned long long)value);
	return -ENOENT;
}
