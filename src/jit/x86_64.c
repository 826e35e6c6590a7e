/* SPDX-License-Identifier: MIT */
/*
 * x86_64.c - the x86-64 backend's layout: the passes, labels and branches,
 * the entry point and its epilogue, the shared stubs, callx's table.
 *
 * Code layout:
 *
 *   padding:    16 x int3 (see emit_entry)
 *   entry:      save host registers, set up r1, r2, r10, ex; call body
 *   ret_ok:     *ret = rax, return 0        ret_err: return eax
 *   padding:    8 x int3
 *   cb_entry:   the same for a callback (see emit_callback_entry)
 *   body:       slot 0 ... slot n-1 (an exit is a native ret)
 *   stubs:      stopped, unwind_ok, pkt_oob, too_deep, bad_callx, unwind_err, exit
 *   table:      int32 offset of each slot, for callx and cb_entry
 *
 * Branch sizes. A jump takes 2 bytes (rel8) when its distance fits in a
 * signed byte, else 5 or 6 (rel32). Distances depend on the sizes of the
 * jumps between, so the whole program is emitted in passes until no offset
 * changes. Backward targets are placed already, so their distance is exact.
 * Forward ones are bounded with the last pass's offsets: the distance from
 * the start of the current region (slot or stub) to the target then. Sizes
 * only ever shrink from pass to pass (the first pass takes every forward
 * jump long), so a distance that fitted last pass fits now, the choice never
 * flips back, and the passes converge, in three or four. Every pass emits
 * correct code (forward displacements are patched at the end of the pass
 * from that pass's offsets); iterating only makes it smaller.
 *
 * Loop heads. Each slot a backward jump lands on starts on a 64-byte
 * boundary (multi-byte nops before it). Where a hot loop falls relative to
 * cache lines and fetch blocks changed its speed by up to 2x here (sieve:
 * 4.3 or 9.1 us, depending only on the image's first bytes), so the layout
 * no longer leaves it to chance. 16 made sieve steady but left collatz at
 * 41-46 us whatever the shift, where its best was 31; 64 keeps a short inner
 * loop in one cache line and both at their best, for at most 63 bytes of
 * nops per loop, run once per entry into the loop (sort, whose loops are
 * longer, is about 5% slower with it). Padding moves with the code, so it breaks the argument
 * above: it can grow as code before it shrinks. Forward jumps are therefore
 * sized on the code without padding (which does only shrink, by the same
 * argument) plus the most padding the loop heads in between can take.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "x86_64.h"

#define MAX_PASSES 16
#define LOOP_ALIGN 64

static void place(struct x86 *st, uint32_t label)
{
	st->pos[label] = (uint32_t)st->b.len;
	st->pad[label] = st->padded;
	st->cur = label;
}

/*
 * Loop heads at or before a label in the layout: slots up to it; the stubs
 * before the body (entry, epilogue) have none before them, those after it
 * all of them.
 */
static uint32_t heads_through(const struct x86 *st, uint32_t label)
{
	if (label < st->n)
		return st->heads_upto[label + 1];
	if (label == st->n || label >= x86_stub(st, ST_STOPPED))
		return st->heads_upto[st->n];
	return 0;
}

/*
 * Nops up to the next LOOP_ALIGN boundary, in the recommended multi-byte
 * forms (0x0f 0x1f /0 with a ModRM, SIB and displacement of the length
 * needed, 0x66 for one byte more), at most 9 bytes each. The image is
 * mapped page-aligned, so offsets aligned here are aligned in memory.
 */
static void emit_align(struct x86 *st)
{
	static const uint8_t nops[9][9] = {
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	size_t want = (LOOP_ALIGN - st->b.len % LOOP_ALIGN) % LOOP_ALIGN;
	st->padded += (uint32_t)want;
	while (want) {
		size_t k = want > 9 ? 9 : want;
		jit_buf_put(&st->b, nops[k - 1], k);
		want -= k;
	}
}

static void add_patch(struct x86 *st, uint32_t at, uint8_t size, uint32_t target)
{
	if (st->npatches == st->patch_cap) {
		size_t cap = st->patch_cap ? st->patch_cap * 2 : 256;
		struct x86_patch *p = realloc(st->patches, cap * sizeof(*p));
		if (!p) {
			st->b.oom = true;
			return;
		}
		st->patches = p;
		st->patch_cap = cap;
	}
	st->patches[st->npatches++] = (struct x86_patch){ at, size, target };
}

static void put_disp(struct x86 *st, size_t at, uint8_t size, int64_t disp)
{
	if (st->b.oom)
		return;
	if (size == 1 && !fits_i8(disp)) {
		st->broken = true; /* the sizing argument above says this cannot happen */
		return;
	}
	uint8_t *p = st->b.p + at;
	for (int i = 0; i < size; i++)
		p[i] = (uint8_t)((uint64_t)disp >> (8 * i));
}

/*
 * Opcodes: jmp rel8 0xeb, rel32 0xe9; jcc rel8 0x70+cc, rel32 0x0f 0x80+cc;
 * call rel32 0xe8 (there is no short call). The displacement follows, and
 * counts from the end of the instruction; it is emitted as zero here.
 * Returns the offset of the displacement.
 */
static size_t emit_branch_op(struct jit_buf *b, int kind, bool rel8)
{
	if (rel8)
		emit1(b, kind == BR_JMP ? 0xeb : (uint8_t)(0x70 + kind));
	else if (kind == BR_JMP)
		emit1(b, 0xe9);
	else if (kind == BR_CALL)
		emit1(b, 0xe8);
	else
		emit2(b, (uint16_t)(0x0f | (0x80 + kind) << 8));
	size_t at = b->len;
	if (rel8)
		emit1(b, 0);
	else
		emit4(b, 0);
	return at;
}

void x86_branch(struct x86 *st, int kind, uint32_t target)
{
	size_t here = st->b.len;
	uint32_t to = st->pos[target];
	bool rel8;
	if (kind == BR_CALL)
		rel8 = false;
	else if (to != UNPLACED)
		rel8 = fits_i8((int64_t)to - (int64_t)(here + 2));
	else if (!st->prev)
		rel8 = false;
	else {
		/* last pass's distance without padding, plus the most padding there can be now */
		int64_t code = ((int64_t)st->prev[target] - st->prev_pad[target]) -
			       ((int64_t)st->prev[st->cur] - st->prev_pad[st->cur]);
		int64_t heads = (int64_t)heads_through(st, target) - heads_through(st, st->cur);
		rel8 = code + (LOOP_ALIGN - 1) * (heads > 0 ? heads : 0) <= 127;
	}

	uint8_t size = rel8 ? 1 : 4;
	size_t at = emit_branch_op(&st->b, kind, rel8);
	if (to != UNPLACED)
		put_disp(st, at, size, (int64_t)to - (int64_t)(at + size));
	else
		add_patch(st, (uint32_t)at, size, target);
}

/* lea reg, [rip + disp32]: REX.W 0x8d, ModRM mod=00 rm=101. */
void x86_lea_label(struct x86 *st, int reg, uint32_t target)
{
	emit_rex(&st->b, true, reg, 0, 0, false);
	emit1(&st->b, 0x8d);
	emit1(&st->b, (uint8_t)((reg & 7) << 3 | 5));
	size_t at = st->b.len;
	emit4(&st->b, 0);
	if (st->pos[target] != UNPLACED)
		put_disp(st, at, 4, (int64_t)st->pos[target] - (int64_t)(at + 4));
	else
		add_patch(st, (uint32_t)at, 4, target);
}

struct x86_fwd x86_jump_fwd(struct x86 *st, int kind, bool rel8)
{
	return (struct x86_fwd){ emit_branch_op(&st->b, kind, rel8), rel8 ? 1 : 4 };
}

void x86_land(struct x86 *st, struct x86_fwd f)
{
	put_disp(st, f.at, f.size, (int64_t)st->b.len - (int64_t)(f.at + f.size));
}

/*
 * The entry point, a System V function (ex in rdi, r1 in rsi, r2 in rdx,
 * ret in rcx). It saves the callee-saved registers eBPF uses, keeps ret on
 * the stack, pads rsp so that the body (entered by a call) sees rsp 16-byte
 * aligned, zeroes the registers the interpreter starts at zero, and calls
 * slot 0. The body's final ret comes back to ret_ok. Like bpfrt_interp_run()
 * it marks the run unchecked at depth 0, which is what exec_call_func() reads
 * when a helper runs a callback, and it points ex->native_call at this
 * image's callback entry so that the callback runs here too.
 *
 * The entry frame is: the six saved registers, ret, the caller's ex->jit_sp
 * (an entry may run inside a callback of another), and ex->jit_sp then holds
 * rsp pointing at that frame: an early end from any depth (emit_unwind) is
 * one load, and nested entries unwind each to its own frame.
 */
static void emit_entry(struct x86 *st)
{
	struct jit_buf *b = &st->b;
	static const uint8_t saved[] = { RBP, RBX, R12, R13, R14, R15 };
	/*
	 * Callers built with clang's -fsanitize=function read the 8 bytes before
	 * a function they call through a pointer, looking for a type signature;
	 * some int3 in front keeps that read inside the image.
	 */
	place(st, x86_stub(st, ST_IMAGE));
	for (int i = 0; i < 16; i++)
		emit1(b, 0xcc);
	place(st, x86_stub(st, ST_ENTRY));
	for (size_t i = 0; i < sizeof(saved); i++)
		emit_push(b, saved[i]);
	emit_push(b, RCX);
	emit_push_mem(b, RDI, EX(jit_sp));
	emit_rm(b, PFX_NONE, true, OP_MOV_RM, RSP, false, RDI, EX(jit_sp));
	emit_mov_rr(b, true, REG_EX, RDI);
	emit_mov_rr(b, true, x86_reg[1], RSI);
	emit_mov_rr(b, true, x86_reg[2], RDX);
	emit_lea(b, x86_reg[10], REG_EX, -1, 1, EX_STACK_TOP);
	emit_store_imm(b, sizeof(((struct bpfrt_exec *)0)->checked), REG_EX, EX(checked), 0);
	emit_store_imm(b, sizeof(((struct bpfrt_exec *)0)->depth), REG_EX, EX(depth), 0);
	x86_lea_label(st, R11, x86_stub(st, ST_CB_ENTRY));
	emit_rm(b, PFX_NONE, true, OP_MOV_RM, R11, false, REG_EX, EX(native_call));
	static const int zeroed[] = { 0, 3, 4, 5, 6, 7, 8, 9 };
	for (size_t i = 0; i < sizeof(zeroed) / sizeof(zeroed[0]); i++)
		emit_mov_imm(b, x86_reg[zeroed[i]], 0);
	x86_branch(st, BR_CALL, 0);

	place(st, x86_stub(st, ST_RET_OK));
	emit_pop_mem(b, REG_EX, EX(jit_sp));
	emit_pop(b, RCX);
	emit_rm(b, PFX_NONE, true, OP_MOV_RM, RAX, false, RCX, 0);
	emit_mov_imm(b, RAX, 0);
	place(st, x86_stub(st, ST_POPS));
	for (size_t i = sizeof(saved); i-- > 0;)
		emit_pop(b, saved[i]);
	emit_ret(b);

	place(st, x86_stub(st, ST_RET_ERR));
	emit_pop_mem(b, REG_EX, EX(jit_sp));
	emit_alu_ri(b, true, G1_ADD, RSP, 8);
	x86_branch(st, BR_JMP, x86_stub(st, ST_POPS));
}

/*
 * The callback entry, ex->native_call: a System V function (ex in rdi, the
 * function's slot in rsi, args in rdx, ret in rcx, depth in r8) that runs
 * one function of the program as exec_call_func() asks, with r1..r5 =
 * args[0..4], r0 and r6..r9 zero, r10 at the top of frame depth's 512 bytes
 * of ex->stack, and ex->depth = depth for the helpers it calls (in code
 * without bpf-to-bpf calls they do not set it). Its frame is the program
 * entry's, so the epilogue (ret_ok, ret_err) and every early end are
 * shared: a helper's stop or an error inside the callback ends the callback
 * only, and exec_call_func() hands the outcome to the helper that called it,
 * as the interpreter does. The slot's address comes from callx's table.
 */
static void emit_callback_entry(struct x86 *st)
{
	struct jit_buf *b = &st->b;
	static const uint8_t saved[] = { RBP, RBX, R12, R13, R14, R15 };
	for (int i = 0; i < 8; i++)
		emit1(b, 0xcc); /* as before the entry: for -fsanitize=function */
	place(st, x86_stub(st, ST_CB_ENTRY));
	for (size_t i = 0; i < sizeof(saved); i++)
		emit_push(b, saved[i]);
	emit_push(b, RCX);
	emit_push_mem(b, RDI, EX(jit_sp));
	emit_rm(b, PFX_NONE, true, OP_MOV_RM, RSP, false, RDI, EX(jit_sp));
	emit_mov_rr(b, true, REG_EX, RDI);
	_Static_assert(sizeof(((struct bpfrt_exec *)0)->depth) == 4, "ex->depth is 32 bits");
	emit_rm(b, PFX_NONE, false, OP_MOV_RM, R8, false, REG_EX, EX(depth));
	_Static_assert(BPFRT_STACK_SIZE == 1 << 9, "a frame is depth << 9 bytes down");
	emit_shift_ri(b, PFX_NONE, true, G2_SHL, R8, 9);
	emit_lea(b, x86_reg[10], REG_EX, -1, 1, EX_STACK_TOP);
	emit_alu_rr(b, true, OP_SUB_RM, x86_reg[10], R8);
	x86_lea_label(st, R10, x86_stub(st, ST_TABLE));
	emit_load(b, 4, true, R11, R10, RSI, 4, 0);
	x86_lea_label(st, R10, x86_stub(st, ST_IMAGE));
	emit_alu_rr(b, true, OP_ADD_RM, R11, R10);
	emit_mov_rr(b, true, R10, RDX);
	for (int r = 1; r <= 5; r++)
		emit_load(b, 8, false, x86_reg[r], R10, -1, 1, (r - 1) * 8);
	static const int zeroed[] = { 0, 6, 7, 8, 9 };
	for (size_t i = 0; i < sizeof(zeroed) / sizeof(zeroed[0]); i++)
		emit_mov_imm(b, x86_reg[zeroed[i]], 0);
	emit_call_reg(b, R11);
	x86_branch(st, BR_JMP, x86_stub(st, ST_RET_OK));
}

/* rsp back to the innermost entry frame, from any call depth (see emit_entry). */
static void emit_unwind(struct x86 *st)
{
	emit_rm(&st->b, PFX_NONE, true, 0x8b, RSP, false, REG_EX, EX(jit_sp));
}

/*
 * Call a run-time error reporter of backend.h, fn(ex, rsi, rdx, rcx), which
 * returns the error in eax. rsp is as in the body, so 16-byte aligned.
 */
static void emit_rt_call(struct x86 *st, uint64_t fn)
{
	emit_mov_rr(&st->b, true, RDI, REG_EX);
	emit_mov_imm(&st->b, RAX, fn);
	emit_call_reg(&st->b, RAX);
}

static void emit_stubs(struct x86 *st)
{
	struct jit_buf *b = &st->b;
	/* As the interpreter: a helper's fault (ex->error) wins over its stop value. */
	place(st, x86_stub(st, ST_STOPPED));
	emit_rm(b, PFX_NONE, false, 0x8b, RAX, false, REG_EX, EX(error));
	emit_alu_rr(b, false, OP_TEST_RM, RAX, RAX);
	x86_branch(st, CC_NE, x86_stub(st, ST_UNWIND_ERR));
	emit_rm(b, PFX_NONE, true, 0x8b, RAX, false, REG_EX, EX(stop_ret));
	place(st, x86_stub(st, ST_UNWIND_OK));
	emit_unwind(st);
	x86_branch(st, BR_JMP, x86_stub(st, ST_RET_OK));

	place(st, x86_stub(st, ST_PKT_OOB));
	emit_mov_imm(b, RAX, 0);
	x86_branch(st, BR_JMP, x86_stub(st, ST_UNWIND_OK));

	place(st, x86_stub(st, ST_TOO_DEEP));
	emit_rt_call(st, (uint64_t)(uintptr_t)jit_rt_too_deep);
	x86_branch(st, BR_JMP, x86_stub(st, ST_UNWIND_ERR));
	place(st, x86_stub(st, ST_BAD_CALLX));
	emit_rt_call(st, (uint64_t)(uintptr_t)jit_rt_bad_callx);
	place(st, x86_stub(st, ST_UNWIND_ERR));
	emit_unwind(st);
	x86_branch(st, BR_JMP, x86_stub(st, ST_RET_ERR));

	place(st, x86_stub(st, ST_EXIT));
	emit_ret(b);
}

/*
 * callx's table: for each slot the offset of its code from the image start,
 * so a function token (slot index) becomes an address with one load. The
 * second slot of an lddw, which the interpreter decodes as an exit, maps to
 * a lone ret.
 */
static void emit_table(struct x86 *st)
{
	while (st->b.len % 4)
		emit1(&st->b, 0xcc);
	place(st, x86_stub(st, ST_TABLE));
	for (size_t i = 0; i < st->n; i++) {
		emit4(&st->b, st->pos[i]);
		if (st->code[i].op == OP_LDDW && ++i < st->n)
			emit4(&st->b, st->pos[x86_stub(st, ST_EXIT)]);
	}
}

static int emit_pass(struct x86 *st, struct diag *d)
{
	st->b.len = 0;
	st->npatches = 0;
	st->padded = 0;
	for (size_t i = 0; i < st->n + 1 + ST__COUNT; i++)
		st->pos[i] = UNPLACED;

	emit_entry(st);
	emit_callback_entry(st);
	st->zf_reg = -1;
	st->padded = 0;
	for (size_t i = 0; i < st->n; i++) {
		if (st->heads_upto[i + 1] != st->heads_upto[i])
			emit_align(st);
		place(st, (uint32_t)i);
		int used = x86_emit_insn(st, i, d);
		if (used < 0)
			return used;
		while (--used > 0)
			place(st, (uint32_t)++i); /* lddw's second slot, or one fused in: no code of its own */
	}
	place(st, (uint32_t)st->n);
	emit_stubs(st);
	st->code_len = st->b.len;
	emit_table(st);

	for (size_t i = 0; i < st->npatches; i++) {
		const struct x86_patch *p = &st->patches[i];
		put_disp(st, p->at, p->size, (int64_t)st->pos[p->target] - (int64_t)(p->at + p->size));
	}
	if (st->b.oom) {
		diag_set(d, "jit: out of memory");
		return -ENOMEM;
	}
	if (st->broken) {
		diag_set(d, "jit: internal error: a short branch does not reach its target");
		return -EFAULT;
	}
	if (st->b.len > INT32_MAX / 2) {
		diag_set(d, "jit: %zu bytes of code is more than the backend can address", st->b.len);
		return -EFBIG;
	}
	return 0;
}

bool x86_64_use_bmi2(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (getenv("BPFRT_JIT_NO_BMI2"))
		return false;
	/* CPUID leaf 7, subleaf 0: EBX bit 8 is BMI2. */
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	return ebx >> 8 & 1;
}

int jit_x86_64_compile(const struct xinsn *code, size_t n, bool blind, struct jit_out *out,
		       struct diag *d)
{
	struct x86 st = { .code = code, .n = n, .bmi2 = x86_64_use_bmi2(), .blind = blind };
	/* One pair of keys for all passes, so that every pass emits the same sizes. */
	if (blind && (getrandom(&st.key32, sizeof(st.key32), 0) != sizeof(st.key32) ||
		      getrandom(&st.key64, sizeof(st.key64), 0) != sizeof(st.key64))) {
		diag_set(d, "jit: no random key for constant blinding: %s", strerror(errno));
		return -EIO;
	}
	size_t nlabels = n + 1 + ST__COUNT;
	uint32_t *a = malloc(nlabels * sizeof(*a)), *bb = malloc(nlabels * sizeof(*bb));
	uint32_t *pa = malloc(nlabels * sizeof(*pa)), *pb = malloc(nlabels * sizeof(*pb));
	int err = 0;
	st.heads_upto = calloc(n + 1, sizeof(*st.heads_upto));
	if (!a || !bb || !pa || !pb || !st.heads_upto) {
		diag_set(d, "jit: out of memory");
		err = -ENOMEM;
		goto out;
	}
	st.is_target = calloc(n + 1, 1);
	if (!st.is_target) {
		diag_set(d, "jit: out of memory");
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct opinfo *oi = &bpfrt_optable[code[i].op];
		long t = -1;

		if (oi->form == F_JA || oi->form == F_GOTOL || oi->form == F_JCOND ||
		    code[i].op == OP_CALL_LOCAL)
			t = (long)i + 1 + (long)code[i].off;
		else if (oi->form == F_LDDW &&
			 ((uint64_t)code[i].imm & XFUNC_TOKEN_MASK) == XFUNC_TOKEN_TAG)
			t = (long)((uint64_t)code[i].imm & ~XFUNC_TOKEN_MASK);
		if (t >= 0 && (size_t)t <= n)
			st.is_target[t] = 1;
		if (t >= 0 && (size_t)t <= i && oi->form != F_LDDW && code[i].op != OP_CALL_LOCAL)
			st.heads_upto[t + 1] = 1; /* a loop: a jump back to t (counted up below) */
		/* callx can land on any slot: no block is safe to look back through */
		if (code[i].op == OP_CALLX)
			memset(st.is_target, 1, n + 1);
	}
	for (size_t i = 0; i < n; i++) {
		st.has_frames |= code[i].op == OP_CALLX || code[i].op == OP_CALL_LOCAL;
		st.heads_upto[i + 1] += st.heads_upto[i];
	}

	st.pos = a;
	st.pad = pa;
	for (int pass = 1;; pass++) {
		err = emit_pass(&st, d);
		if (err)
			goto out;
		if (pass == MAX_PASSES || (st.prev && !memcmp(st.prev, st.pos, nlabels * sizeof(*st.pos))))
			break;
		/* This pass's offsets bound the next pass's forward jumps. */
		st.prev = st.pos;
		st.pos = st.pos == a ? bb : a;
		st.prev_pad = st.pad;
		st.pad = st.pad == pa ? pb : pa;
	}

	out->insn_off = malloc((n + 1) * sizeof(*out->insn_off));
	if (!out->insn_off) {
		diag_set(d, "jit: out of memory");
		err = -ENOMEM;
		goto out;
	}
	memcpy(out->insn_off, st.pos, (n + 1) * sizeof(*out->insn_off));
	out->bytes = st.b.p;
	out->len = st.b.len;
	out->code_len = st.code_len;
	out->entry = st.pos[x86_stub(&st, ST_ENTRY)];
	st.b.p = NULL;
out:
	free(st.b.p);
	free(st.patches);
	free(st.is_target);
	free(a);
	free(bb);
	free(pa);
	free(pb);
	free(st.heads_upto);
	return err;
}
