/* SPDX-License-Identifier: MIT */
/*
 * x86_64.h - the x86-64 backend's state, shared by its layout half
 * (x86_64.c: passes, labels, jumps, prologue, stubs) and its instruction
 * half (x86_64_insn.c: one emit_* per kind of eBPF instruction).
 *
 * Register mapping. eBPF's calling convention was designed after the System V
 * one, so arguments need no moves:
 *
 *   r0 rax   return value; also what div and cmpxchg implicitly use
 *   r1 rdi   r2 rsi   r3 rdx   r4 rcx   r5 r8    helper arguments 1..5
 *   r6 rbx   r7 r13   r8 r14   r9 r15            callee-saved in both ABIs
 *   r10 rbp  frame pointer into ex->stack (callee-saved)
 *   r12      the struct bpfrt_exec *, for helpers and the stop flag
 *   r9, r10, r11                                  scratch, never live across
 *                                                 an eBPF instruction
 *
 * rdx and rcx are what x86 division and variable shifts need, so those
 * sequences save r3/r4 in scratch registers around the operation.
 *
 * Frames. Generated code is one native function per entry: the entry point
 * saves the host's registers and `call`s the body; every bpf-to-bpf call is a
 * native `call` too, and every eBPF exit a `ret`. Around a call the caller
 * pushes r6..r9 and r10 (five pushes plus the return address: 48 bytes, which
 * keeps rsp 16-byte aligned at every helper call) and moves r10 down by 512
 * bytes of ex->stack. r10 cannot be written by a program (the validator
 * refuses it), so at call depth d, r10 = top of ex->stack - 512 * d: the
 * call depth check compares r10. An early end (a helper's stop, a bad packet
 * load, a run-time error) goes back to the innermost entry frame, whose rsp
 * the entry keeps in ex->jit_sp, instead of walking frames.
 *
 * Callbacks. A helper such as bpf_loop runs a function of the program
 * through exec_call_func(), which calls ex->native_call: the image's second
 * entry (ST_CB_ENTRY), which runs that function at the depth it is given
 * with a frame of its own, as the program entry does. So callbacks run as
 * native code, nested to any depth through C helpers in between.
 */
#ifndef BPFRT_JIT_X86_64_H
#define BPFRT_JIT_X86_64_H

#include <stddef.h>
#include "backend.h"
#include "emit_x86.h"
#include "interp/exec.h"

/*
 * eBPF register -> x86 register (see above). Index REG_AX (one past r10) is
 * r11 as a source operand: where constant blinding puts an immediate, as
 * Linux's JIT uses its hidden BPF_REG_AX.
 */
#define REG_AX BPFRT_NREGS
static const uint8_t x86_reg[BPFRT_NREGS + 1] = { RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP,
						  R11 };
#define REG_EX R12 /* struct bpfrt_exec * */

/* Where run state lives in struct bpfrt_exec, as displacements from REG_EX. */
#define EX(field) ((int32_t)offsetof(struct bpfrt_exec, field))
#define EX_STACK_TOP (EX(stack) + (int32_t)sizeof(((struct bpfrt_exec *)0)->stack))

/* Shared stubs, emitted once after the body; jump targets like slots are. */
enum x86_stub {
	ST_IMAGE,      /* offset 0: what callx's table is relative to */
	ST_ENTRY,      /* the bpfrt_jit_fn */
	ST_CB_ENTRY,   /* ex->native_call: a function of the program, for a callback */
	ST_RET_OK,     /* r0 (rax) to *ret, return 0; rsp at the entry frame */
	ST_POPS,       /* restore the host's registers and return eax */
	ST_RET_ERR,    /* return eax (a negative errno); rsp at the entry frame */
	ST_STOPPED,    /* a helper stopped the run: end with ex->error or r0 = ex->stop_ret */
	ST_UNWIND_OK,  /* end from any depth with r0 in rax */
	ST_PKT_OOB,    /* LD_ABS/LD_IND out of bounds: end with r0 = 0 */
	ST_TOO_DEEP,   /* esi = insn index */
	ST_BAD_CALLX,  /* esi = insn index, edx = register number, rcx = its value */
	ST_UNWIND_ERR, /* end from any depth with the error in eax */
	ST_EXIT,       /* a lone `ret`: where callx lands on the second slot of an lddw */
	ST_TABLE,      /* data: callx's table of slot offsets (int32 each) */
	ST__COUNT
};

#define UNPLACED UINT32_MAX

/* A jump or call whose target was not placed yet in this pass. */
struct x86_patch {
	uint32_t at;     /* offset of its displacement */
	uint8_t size;    /* 1 (rel8) or 4 (rel32) */
	uint32_t target; /* label */
};

/*
 * The backend's state. Labels are numbered: 0..n are the slots (n is the
 * end of the body), n + 1 + s the stub s. pos holds this pass's offset of
 * every label placed so far, prev the last pass's (NULL in the first).
 */
struct x86 {
	struct jit_buf b;
	const struct xinsn *code;
	size_t n;
	uint32_t *pos, *prev;
	uint32_t cur;              /* label of the region being emitted */
	struct x86_patch *patches;
	size_t npatches, patch_cap;
	size_t code_len;           /* where code ends and data (the table) begins */
	bool has_frames;           /* any bpf-to-bpf call or callx: depth can change */
	bool bmi2;                 /* variable shifts as shlx/shrx/sarx (x86_64_use_bmi2()) */
	bool blind;                /* constant blinding: no immediate of the program verbatim */
	uint8_t *is_target;        /* [0..n): slots that jumps, calls or callbacks land on */
	uint32_t *heads_upto;      /* [0..n]: loop heads (aligned slots) among slots 0..i-1 */
	uint32_t *pad, *prev_pad;  /* per label: alignment padding before it, this and last pass */
	uint32_t padded;           /* alignment padding emitted so far in this pass */
	uint32_t key32;            /* blinding keys, random per compilation */
	uint64_t key64;
	bool broken;               /* an internal limit was exceeded (a bug, reported) */
	int zf_reg;                /* x86 register the flags test for zero after the last */
	bool zf_w;                 /*   slot's code, and at which width; -1: none */
	int zf_prev;               /* the same for the slot before the one being emitted */
	bool zf_prev_w;
};

static inline uint32_t x86_stub(const struct x86 *st, enum x86_stub s)
{
	return (uint32_t)(st->n + 1 + s);
}

/* Kinds of branch for x86_branch(). */
#define BR_JMP (-1)
#define BR_CALL (-2)

/*
 * Branch to a label: jmp (BR_JMP), call (BR_CALL, always rel32) or jcc
 * (an enum x86_cc). rel8 when the distance is known to fit (see x86_64.c).
 */
void x86_branch(struct x86 *st, int kind, uint32_t target);

/* lea reg, [rip + label] */
void x86_lea_label(struct x86 *st, int reg, uint32_t target);

/* A forward jump inside one instruction's code, landed with x86_land(). */
struct x86_fwd {
	size_t at;
	uint8_t size;
};
struct x86_fwd x86_jump_fwd(struct x86 *st, int kind, bool rel8);
void x86_land(struct x86 *st, struct x86_fwd f);

/*
 * Whether the CPU has BMI2, unless the environment variable
 * BPFRT_JIT_NO_BMI2 is set (to anything): that keeps the code for CPUs
 * without it tested on machines with it.
 */
bool x86_64_use_bmi2(void);

/*
 * Translate the instruction at slot idx, and maybe the next ones with it
 * (an lddw's second slot, or a run done as one lea). Returns the number of
 * slots done (1 to 3), or -errno with the reason in d.
 */
int x86_emit_insn(struct x86 *st, size_t idx, struct diag *d);

#endif
