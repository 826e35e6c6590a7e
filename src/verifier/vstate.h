/* SPDX-License-Identifier: MIT */
/*
 * vstate.h (internal) - the verifier's abstract state and its environment.
 *
 * A state is what the verifier knows at one instruction of one path: for
 * each active frame (main program, then bpf-to-bpf callees and callbacks)
 * the registers and the stack, plus the references the path holds. The
 * exploration keeps, at "prune points", snapshots of states already proven
 * (or being proven) safe: nodes. A path whose state is included in a
 * finished node's needs no further work. Nodes form a tree by `parent`, and
 * each state records the instructions it went through since its parent node
 * (history), which precision tracking walks backwards.
 *
 * Files: tnum.c (known bits), bounds.c (ranges), state.c (states, copies,
 * comparison), cfg.c (subprograms, reachability, liveness), precise.c
 * (history, precision), alu.c (arithmetic), jmp.c (branches), mem.c (memory
 * access), ctx.c (context layouts), call.c (helpers, calls, references),
 * explore.c (the search), log.c (messages).
 */
#ifndef BPFRT_VERIFIER_VSTATE_H
#define BPFRT_VERIFIER_VSTATE_H

#include <stdarg.h>
#include "verifier.h"
#include "tnum.h"
#include "isa/validate.h"

enum reg_type {
	NOT_INIT = 0,
	SCALAR,
	PTR_TO_CTX,
	PTR_TO_STACK,
	PTR_TO_MAP_VALUE,
	PTR_TO_MAP_KEY,     /* bpf_for_each_map_elem callbacks: the key */
	CONST_PTR_TO_MAP,
	PTR_TO_PACKET,      /* also the data of generic programs */
	PTR_TO_PACKET_META,
	PTR_TO_PACKET_END,
	PTR_TO_MEM,         /* a ring buffer record */
	PTR_TO_FUNC,
	HALF_PTR,           /* the low 32 bits of a pointer (w1 = w7): only for subtracting another */
};

/* vreg.flags */
#define REG_MAYBE_NULL 0x01 /* map value, map or record that may be NULL */
#define REG_DATA_LEN 0x02   /* scalar: exactly the data size of a generic program */
#define REG_PKT_GONE 0x04   /* NOT_INIT: was a packet pointer before the helper call at origin - 1 */

/* Linux's BPF_MAX_VAR_OFF: variable offsets beyond this are refused. */
#define MAX_VAR_OFF (1 << 29)
/* Largest packet offset (Linux's MAX_PACKET_OFF). */
#define MAX_PACKET_OFF 0xffff

struct vreg {
	uint8_t type;
	uint8_t flags;
	uint8_t frameno;   /* PTR_TO_STACK: the frame whose stack */
	bool precise;      /* scalar: its exact range matters (nodes only) */
	uint8_t half_of;   /* HALF_PTR: the pointer's type */
	/*
	 * Pointer: fixed offset. Scalar with an id: it equals the id's base
	 * value plus off (`r5 = r3; r5 += 14` links r5 to r3 with off 14).
	 */
	int32_t off;
	/* scalar: the value; pointer: the variable part of the offset */
	struct tnum var_off;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32_min, s32_max;
	uint32_t u32_min, u32_max;
	/*
	 * Scalars: registers with one id are copies (a branch refines them
	 * together). Maybe-NULL pointers: one NULL check settles them all.
	 * Packet pointers: same base, so one bounds check ranges them all.
	 */
	uint32_t id;
	uint32_t ref_obj_id; /* a reference this pointer must give back */
	union {
		const struct verifier_map *map; /* map value/key, map */
		uint32_t range;                 /* packet: bytes known present from the base */
		uint32_t mem_size;              /* PTR_TO_MEM */
		uint32_t subprog;               /* PTR_TO_FUNC: first insn */
		uint32_t pkt_helper;            /* NOT_INIT with REG_PKT_GONE: the helper's id */
	};
	uint32_t origin; /* insn that made the pointer (messages) */
};

enum slot_type { STACK_INVALID = 0, STACK_MISC, STACK_ZERO, STACK_SPILL };

/*
 * 8 bytes of stack: byte i is at address fp - 8 * (spi + 1) + i. A spilled
 * register covers the bytes marked STACK_SPILL: all 8, or for a scalar
 * stored narrower, size bytes at an offset aligned to the size.
 */
struct vslot {
	uint8_t type[8];
	struct vreg spill; /* valid when some byte is STACK_SPILL */
};

static inline bool slot_spilled(const struct vslot *s)
{
	uint64_t t;
	__builtin_memcpy(&t, s->type, 8);
	/* STACK_SPILL is 3: a byte with both low bits set */
	return (t & (t >> 1) & 0x0101010101010101ull) != 0;
}

/* First spilled byte and how many follow. */
static inline unsigned slot_spill_start(const struct vslot *s, unsigned *n)
{
	unsigned i = 0, k = 0;
	while (i < 8 && s->type[i] != STACK_SPILL)
		i++;
	while (i + k < 8 && s->type[i + k] == STACK_SPILL)
		k++;
	*n = k;
	return i;
}

#define MAX_SLOTS (BPFRT_STACK_SIZE / 8)

struct vframe {
	struct vreg regs[BPFRT_NREGS];
	int32_t callsite;  /* call insn that made this frame, -1 for the program */
	uint32_t subprog;  /* index in env->subprogs */
	uint8_t frameno;
	bool in_callback;  /* returns to its callsite, which runs it again */
	uint32_t cb_helper; /* the helper calling it */
	uint16_t nrefs_in;  /* references held when a callback started */
	uint16_t nslots;    /* slots[0..nslots) exist: bytes fp-8*nslots..fp */
	struct vslot *slots;
};

#define MAX_REFS 16

struct vref {
	uint32_t id;
	uint32_t insn;    /* where it was acquired */
	uint8_t frameno;
};

struct vhist;
struct vnode;

struct vstate {
	struct vframe *frame[BPFRT_MAX_FRAMES];
	uint8_t curframe;
	uint8_t nrefs;
	struct vref refs[MAX_REFS];
	/* bpf_spin_lock held: which lock (map and offset), taken where */
	const struct verifier_map *lock_map;
	uint32_t lock_id;  /* id of the map value pointer it was taken through */
	int32_t lock_off;
	int32_t lock_insn; /* -1: no lock */
	/* exploration */
	uint32_t insn;
	struct vnode *parent;  /* node this path continues from */
	struct vhist *hist;    /* instructions since parent, newest first */
	int32_t first_insn;    /* first insn since parent */
	int32_t jmp_from;      /* pending: control came here from this insn, -1 if in order */
	uint8_t jmp_kind;      /* enum hist_kind of that transfer */
	size_t hist_step;      /* step that pushed the newest history entry */
	uint32_t cb_iter;      /* callback visits on this path (messages) */
	/*
	 * Generic programs: what comparisons with the data size taught about
	 * it, as "size >= base(id) + c" for linked scalars (see jmp.c).
	 */
	uint8_t nlenfacts;
	struct { uint32_t id, c; } lenfacts[4];
};

/* A stored state, for pruning and as the root of its paths' history. */
struct vnode {
	struct vstate st;
	struct vnode *next; /* list of nodes at one insn */
	uint32_t branches;  /* paths still being explored below it */
	uint32_t hits, misses;
	bool range_only;    /* its subtree was pruned against a loop: no precision shortcuts */
};

/* How control got to an instruction, for walking history backwards. */
enum hist_kind {
	H_SEQ = 0, /* from the previous insn, or a jump within the function */
	H_CALL,    /* entered a bpf-to-bpf callee */
	H_RET,     /* returned from a callee to call + 1 */
	H_CB_ENTER, /* a helper started a callback */
	H_CB_RET,  /* a callback returned to the helper's call insn */
};

#define MAX_LINKED 8
/* An executed instruction whose predecessor or effect precision needs. */
struct vhist {
	struct vhist *prev;
	uint32_t idx, from;
	uint8_t kind;      /* how control got to idx from `from` */
	uint8_t nlinked;
	int16_t stack;     /* spill/fill: frameno << 8 | spi, or -1 */
	uint16_t linked[MAX_LINKED]; /* cond jump: registers refined together (frame << 8 | reg or 0x80|spi) */
};

struct subprog {
	uint32_t start, end;   /* [start, end) */
	uint32_t stack_depth;  /* bytes used, largest seen */
	bool is_callback;
	bool has_ld_abs, has_tail_call;
};

/* Context layout of a program type (ctx.c). */
struct ctx_desc;

/* Per insn flags. */
#define INSN_PRUNE 0x01     /* store and compare states here */
#define INSN_JMP_TARGET 0x02
#define INSN_CB_CALL 0x04   /* helper call that runs a callback: a loop head */
#define INSN_SEEN 0x08      /* reached during exploration */

struct varena;

struct venv {
	const struct verifier_input *in;
	const struct bpfrt_insn *insns;
	const struct opinfo *const *ops;
	size_t cnt;
	struct diag *d;
	const struct ctx_desc *ctx;
	bool generic;           /* UNSPEC: r1 = data, r2 = its size */
	uint8_t *flags;         /* INSN_* */
	uint16_t *live;         /* registers live before each insn (bit per reg) */
	uint32_t *visits;       /* times each insn was processed: names the loop that ate the budget */
	struct subprog *subprogs;
	uint32_t nsubprogs;
	uint32_t *subprog_of;   /* insn -> subprog index */
	struct vnode **explored;
	/*
	 * Ancestors dropped from explored[] for missing too often (a loop's
	 * earlier iterations): still parents of running paths, freed at the end.
	 */
	struct vnode *retired;
	/* DFS stack of states waiting to be explored */
	struct vstate **pending;
	size_t npending, cap_pending;
	uint32_t id_gen;
	size_t insn_processed, jmps_processed; /* insn_processed also numbers the steps */
	size_t prev_insn_processed, prev_jmps_processed;
	size_t nstates, cur_states, peak_states;
	struct varena *arena;    /* history entries */
	struct vstate *cur;
	/* precision: fall back to marking every scalar when backtracking gives up */
	bool precise_all;
	/* scratch for state comparison */
	uint32_t idmap_old[128], idmap_cur[128];
	unsigned nidmap;
	char tmp[512];
	FILE *log;
	int log_level;
};

/* --- bounds.c: scalar value tracking --- */
void reg_mark_unknown(struct vreg *r);          /* a scalar, nothing known */
void reg_mark_known(struct vreg *r, uint64_t v); /* a scalar constant */
void reg_mark_unbounded(struct vreg *r);        /* keep var_off, reset ranges */
void reg_bounds_from_tnum32(struct vreg *r);
void reg_bounds_sync(struct vreg *r);
bool reg_bounds_empty(const struct vreg *r);   /* contradictory: an impossible path */
bool reg_is_const(const struct vreg *r, bool is32);
uint64_t reg_const(const struct vreg *r, bool is32);
/* Truncate to size bytes (zero-extending loads, 32-bit results). */
void reg_coerce_zext(struct vreg *r, unsigned size);
/* Sign-extend the low size bytes. */
void reg_coerce_sext(struct vreg *r, unsigned size);
/* dst = dst op src (scalars), for every ALU op of the instruction set. */
void scalar_alu(struct vreg *dst, const struct vreg *src, enum op_id op, bool is32);
/* Whether `a op b` is always (1), never (0) or sometimes (-1) true. */
int scalar_branch_taken(const struct vreg *a, const struct vreg *b, enum op_id op, bool is32);
/* Refine a and b for the branch where `a op b` has the given outcome. */
void scalar_refine(struct vreg *a, struct vreg *b, enum op_id op, bool is32, bool taken);

/* --- state.c --- */
struct vstate *state_new(struct venv *env);
struct vstate *state_dup(struct venv *env, const struct vstate *s);
int state_copy(struct venv *env, struct vstate *dst, const struct vstate *src);
void state_free(struct vstate *s);
void state_clear(struct vstate *s); /* free frames, keep the struct */
struct vframe *frame_new(uint8_t frameno, int32_t callsite, uint32_t subprog);
void frame_free(struct vframe *f);
int frame_grow(struct vframe *f, unsigned nslots);
static inline struct vframe *cur_frame(const struct vstate *s) { return s->frame[s->curframe]; }
static inline struct vreg *cur_regs(const struct vstate *s) { return s->frame[s->curframe]->regs; }
enum cmp_mode { CMP_PRUNE, CMP_RANGE, CMP_EXACT };
/* Is every run from cur one that old (a node at the same insn) covers? */
bool states_equal(struct venv *env, const struct vstate *old, const struct vstate *cur,
		  enum cmp_mode mode);
uint32_t new_id(struct venv *env);
bool reg_is_pointer(const struct vreg *r);
bool type_is_pkt(uint8_t t);
/* Call fn on every register and spilled register of every frame. */
#define FOR_EACH_REG(st, reg, body) do { \
	for (unsigned _f = 0; _f <= (st)->curframe; _f++) { \
		struct vframe *_fr = (st)->frame[_f]; \
		for (unsigned _r = 0; _r < BPFRT_NREGS; _r++) { struct vreg *reg = &_fr->regs[_r]; body; } \
		for (unsigned _s = 0; _s < _fr->nslots; _s++) \
			if (slot_spilled(&_fr->slots[_s])) { \
				struct vreg *reg = &_fr->slots[_s].spill; body; } \
	} } while (0)

/* --- cfg.c --- */
int cfg_check(struct venv *env);
bool insn_is_cb_helper(uint32_t id);

/* --- precise.c --- */
/* Record that control came to idx from st->jmp_from (at the start of a step). */
int hist_arrive(struct venv *env, struct vstate *st, uint32_t idx);
/* Record what precision needs about the step at idx: a spill/fill slot, linked registers. */
int hist_note(struct venv *env, struct vstate *st, uint32_t idx, int16_t stack,
	      const uint16_t *linked, unsigned nlinked);
/* Mark scalar register regno of the current frame precise, back through history. */
int mark_precise(struct venv *env, struct vstate *st, int regno);
int mark_precise_slot(struct venv *env, struct vstate *st, unsigned frameno, unsigned spi);
/* After pruning against old: its precise registers are precise in st's chain too. */
int propagate_precision(struct venv *env, struct vstate *st, const struct vstate *old);
void varena_free(struct varena *a);

/* --- alu.c, jmp.c, mem.c, call.c --- */
/* A register the instruction reads must hold a value. */
int check_read(struct venv *env, struct vstate *st, uint32_t idx, int regno);
int do_alu(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in, uint32_t idx);
int do_lddw(struct venv *env, struct vstate *st, const struct bpfrt_insn *in, uint32_t idx);
/* Returns the next insn, or -1 when the branch ends the path; may push the other branch. */
int do_cond_jmp(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in,
		uint32_t idx, long *next);
int do_ldx(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in, uint32_t idx);
int do_store(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in, uint32_t idx);
int do_atomic(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in, uint32_t idx);
int do_ld_pkt(struct venv *env, struct vstate *st, const struct opinfo *oi, const struct bpfrt_insn *in, uint32_t idx);
/* Memory of [reg + off, + size) for a helper: readable (write false) or filled by it. */
int check_mem_range(struct venv *env, struct vstate *st, uint32_t idx, int regno, int64_t off,
		    const struct vreg *size_reg, uint64_t size, bool write, bool zero_ok,
		    const char *what, bool allow_ptrs);
int check_ptr_offset_sane(struct venv *env, uint32_t idx, int regno, const struct vreg *r);
int do_call(struct venv *env, struct vstate *st, const struct bpfrt_insn *in, uint32_t idx, long *next);
int do_exit(struct venv *env, struct vstate *st, uint32_t idx, long *next);
int push_state(struct venv *env, struct vstate *st, uint32_t insn, uint32_t from, uint8_t kind);
int release_reference(struct venv *env, struct vstate *st, uint32_t ref_obj_id);

/* --- ctx.c --- */
const struct ctx_desc *ctx_desc_get(enum bpfrt_prog_type t);
const char *ctx_type_name(const struct ctx_desc *c);
/* Load or store of size bytes at off of the context: fills dst (loads) with the field's type. */
int ctx_access(struct venv *env, uint32_t idx, int regno, int32_t off, unsigned size, bool write,
	       struct vreg *dst);
bool ctx_allows_pkt(const struct ctx_desc *c, bool write);
bool ctx_allows_ld_abs(const struct ctx_desc *c);

/* --- log.c --- */
__attribute__((format(printf, 3, 4)))
int verr(struct venv *env, uint32_t idx, const char *fmt, ...);
/* Same with an errno of choice. */
__attribute__((format(printf, 4, 5)))
int verr_code(struct venv *env, int err, uint32_t idx, const char *fmt, ...);
const char *reg_type_name(const struct venv *env, const struct vreg *r);
/* "R1=map_value(map=counts,off=0,...)"-like, into buf. */
int reg_str(const struct venv *env, const struct vreg *r, char *buf, size_t len);
/* Short description for messages: "a pointer to map 'x' value (off 4)", "scalar in [0, 255]". */
const char *reg_desc(struct venv *env, const struct vreg *r, char *buf, size_t len);
const char *helper_name(const struct venv *env, uint32_t id, char *buf, size_t len);
/* " at insn 5 (prog.bpf.c:17: rec = bpf_ringbuf_reserve(...);)": where an earlier insn is, for messages. */
const char *insn_where(const struct venv *env, uint32_t idx, char *buf, size_t len);
/* The same without " at insn N": " (prog.bpf.c:17: ...)", or "" without line info. */
const char *insn_source(const struct venv *env, uint32_t idx, char *buf, size_t len);
void vlog(struct venv *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_state(struct venv *env, const struct vstate *st);
void log_insn(struct venv *env, const struct vstate *st, uint32_t idx);

#endif
