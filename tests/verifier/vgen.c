/* SPDX-License-Identifier: MIT */
/*
 * vgen.c - random programs near the edge of safety, and the check that
 * whatever the verifier accepts runs cleanly in the checked engine (vgen.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpfrt/asm.h"
#include "bpfrt/runtime.h"
#include "vgen.h"

const struct vt_map vgen_maps[VGEN_NMAPS] = {
	{ 0, { BPFRT_MAP_TYPE_HASH, 4, 16, 8, 0, "h", NULL }, -1, "h" },
	{ 1, { BPFRT_MAP_TYPE_ARRAY, 4, 24, 4, 0, "a", NULL }, -1, "a" },
	{ 2, { BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, "rb", NULL }, -1, "rb" },
	{ 3, { BPFRT_MAP_TYPE_ARRAY, 4, 16, 1, BPFRT_F_RDONLY_PROG, "ro", NULL }, -1, "ro" },
	{ 4, { BPFRT_MAP_TYPE_ARRAY, 4, 32, 1, 0, "g", NULL }, -1, "g" },
};

/* Generation state: the program so far and which registers hold scalars. */
struct g {
	struct vgen_rng *r;
	struct vgen_prog *p;
	uint16_t init;   /* scratch registers holding scalars */
	bool overflow;
};

#define SCRATCH ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 9))

static void emit(struct g *g, uint8_t code, unsigned dst, unsigned src, int16_t off, int32_t imm)
{
	if (g->p->cnt >= VGEN_MAX_INSNS - 4) {
		g->overflow = true;
		return;
	}
	g->p->insns[g->p->cnt++] = (struct bpfrt_insn){ code, (uint8_t)dst, (uint8_t)src, off, imm };
}

static void lddw(struct g *g, unsigned dst, unsigned src, int32_t imm, int32_t imm2)
{
	emit(g, 0x18, dst, src, 0, imm);
	emit(g, 0, 0, 0, 0, imm2);
}

static bool chance(struct g *g, unsigned pct) { return vgen_below(g->r, 100) < pct; }

static int32_t interesting(struct g *g)
{
	static const int32_t v[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 4095, -1, -2,
				     -8, 0x7fffffff, (int32_t)0x80000000, 0xffff, 24, 12, 14 };
	if (chance(g, 70))
		return v[vgen_below(g->r, sizeof(v) / sizeof(v[0]))];
	return (int32_t)vgen_next(g->r);
}

static unsigned pick_init(struct g *g)
{
	unsigned regs[10], n = 0;
	for (unsigned i = 0; i < 10; i++)
		if (g->init & (1u << i))
			regs[n++] = i;
	return n ? regs[vgen_below(g->r, n)] : 0;
}

static unsigned pick_scratch(struct g *g)
{
	static const unsigned s[] = { 0, 2, 3, 4, 5, 8, 9 };
	return s[vgen_below(g->r, 7)];
}

static void set_const(struct g *g, unsigned reg, int32_t v)
{
	emit(g, 0xb7, reg, 0, 0, v);
	g->init |= (uint16_t)(1u << reg);
}

static unsigned ensure_reg(struct g *g)
{
	if (!g->init || chance(g, 20)) {
		unsigned r = pick_scratch(g);
		set_const(g, r, interesting(g));
		return r;
	}
	return pick_init(g);
}

static void snip_alu(struct g *g)
{
	static const uint8_t ops[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0 };
	unsigned dst = ensure_reg(g);
	uint8_t op = ops[vgen_below(g->r, sizeof(ops) / sizeof(ops[0]))];
	uint8_t cls = chance(g, 30) ? 0x04 : 0x07;
	if (op == 0x80) {
		emit(g, op | cls, dst, 0, 0, 0);
		return;
	}
	int16_t off = (op == 0x30 || op == 0x90) && chance(g, 20) ? 1 : 0; /* signed div/mod */
	if (chance(g, 40) && g->init) {
		unsigned src = pick_init(g);
		emit(g, op | cls | 0x08, dst, src, off, 0);
	} else {
		int32_t imm = interesting(g);
		if (op == 0x60 || op == 0x70 || op == 0xc0)
			imm &= cls == 0x04 ? 31 : 63;
		emit(g, op | cls, dst, 0, off, imm);
	}
}

static const uint8_t ldx_codes[] = { 0x71, 0x69, 0x61, 0x79 };
static const uint8_t stx_codes[] = { 0x73, 0x6b, 0x63, 0x7b };
static const uint8_t st_codes[] = { 0x72, 0x6a, 0x62, 0x7a };

static void snip_stack(struct g *g)
{
	unsigned sz = vgen_below(g->r, 4), bytes = 1u << sz;
	int16_t off = (int16_t)-(int)(bytes * (1 + vgen_below(g->r, 64 / bytes)));
	if (chance(g, 10))
		off = (int16_t)-(int)vgen_below(g->r, 80); /* maybe misaligned or outside */
	if (chance(g, 50)) {
		unsigned src = ensure_reg(g);
		emit(g, stx_codes[sz], 10, src, off, 0);
	} else {
		emit(g, st_codes[sz], 10, 0, off, interesting(g));
	}
	if (chance(g, 70)) {
		unsigned dst = pick_scratch(g);
		unsigned lsz = chance(g, 80) ? sz : vgen_below(g->r, 4);
		emit(g, ldx_codes[lsz], dst, 10, off, 0);
		g->init |= (uint16_t)(1u << dst);
	}
}

/* Spill a pointer and read it back. */
static void snip_spill_ptr(struct g *g)
{
	int16_t off = (int16_t)-(int)(8 * (1 + vgen_below(g->r, 8)));
	emit(g, 0x7b, 10, 6, off, 0);
	emit(g, 0x79, 1, 10, off, 0);
	g->init &= (uint16_t)~(1u << 1);
	if (chance(g, 50)) {
		emit(g, 0x79, 6, 10, off, 0);
	}
}

/* A variable offset into the stack, bounded by a mask. */
static void snip_stack_var(struct g *g)
{
	unsigned x = ensure_reg(g), sz = vgen_below(g->r, 4), bytes = 1u << sz;
	/* initialize fp-64..fp-1 first most of the time */
	if (chance(g, 80))
		for (int o = -64; o < 0; o += 8)
			emit(g, 0x7a, 10, 0, (int16_t)o, 0);
	emit(g, 0x57, x, 0, 0, chance(g, 90) ? (int32_t)(64 - bytes) & ~(int32_t)(bytes - 1) : interesting(g));
	emit(g, 0xbf, 2, 10, 0, 0);
	emit(g, 0x07, 2, 0, 0, chance(g, 90) ? -64 : -(int32_t)vgen_below(g->r, 80));
	emit(g, 0x0f, 2, x, 0, 0);
	if (chance(g, 50))
		emit(g, stx_codes[sz], 2, x, 0, 0);
	else
		emit(g, ldx_codes[sz], 3, 2, 0, 0);
	g->init &= (uint16_t)~(1u << 2);
	g->init |= 1u << 3;
}

/* Generic data (r6 = data, r7 = size) or packet (r6 = data, r7 = data_end). */
static void snip_data(struct g *g, bool pkt)
{
	unsigned n = 1 + vgen_below(g->r, 40), sz = vgen_below(g->r, 4), bytes = 1u << sz;
	int16_t off = (int16_t)vgen_below(g->r, n + 1);
	if (chance(g, 80) && off + (int)bytes > (int)n)
		off = (int16_t)(n >= bytes ? vgen_below(g->r, n - bytes + 1) : 0);
	size_t at = g->p->cnt;
	if (pkt) {
		emit(g, 0xbf, 2, 6, 0, 0);
		emit(g, 0x07, 2, 0, 0, (int32_t)n);
		emit(g, chance(g, 80) ? 0x2d : 0x3d, 2, 7, 0, 0); /* if r2 > r7 (or >=) goto skip */
	} else {
		emit(g, chance(g, 85) ? 0xa5 : 0xb5, 7, 0, 0, (int32_t)n); /* if r7 < n (or <=) goto skip */
	}
	size_t jmp = g->p->cnt - 1;
	if (chance(g, 50)) {
		unsigned dst = pick_scratch(g);
		emit(g, ldx_codes[sz], dst, 6, off, 0);
		g->init |= (uint16_t)(1u << dst);
	} else {
		emit(g, stx_codes[sz], 6, ensure_reg(g), off, 0);
	}
	g->p->insns[jmp].off = (int16_t)(g->p->cnt - jmp - 1);
	(void)at;
	g->init &= (uint16_t)~(1u << 2);
}

/* A variable offset into the data, checked against the end. */
static void snip_data_var(struct g *g, bool pkt)
{
	unsigned x = ensure_reg(g), sz = vgen_below(g->r, 4), bytes = 1u << sz;
	emit(g, 0x57, x, 0, 0, chance(g, 90) ? 31 : interesting(g));
	if (pkt) {
		emit(g, 0xbf, 3, 7, 0, 0);
	} else {
		emit(g, 0xbf, 3, 6, 0, 0);
		emit(g, 0x0f, 3, 7, 0, 0); /* r3 = data + size */
	}
	emit(g, 0xbf, 2, 6, 0, 0);
	emit(g, 0x0f, 2, x, 0, 0);
	emit(g, 0xbf, 4, 2, 0, 0);
	emit(g, 0x07, 4, 0, 0, (int32_t)bytes + (chance(g, 10) ? -1 : 0));
	emit(g, 0x2d, 4, 3, 1, 0); /* if r4 > r3 goto +1 */
	emit(g, ldx_codes[sz], 5, 2, 0, 0);
	g->init &= (uint16_t)~((1u << 2) | (1u << 3) | (1u << 4));
	g->init |= 1u << 5;
}

static void clobber(struct g *g)
{
	g->init &= (uint16_t)~0x3f;
	g->init |= 1u; /* r0 holds the result */
}

static void snip_lookup(struct g *g)
{
	unsigned m = vgen_below(g->r, 2) ? 1 : 0;
	uint32_t vs = vgen_maps[m].vm.value_size;
	emit(g, 0x62, 10, 0, -4, (int32_t)vgen_below(g->r, 6));
	lddw(g, 1, BPFRT_PSEUDO_MAP_IDX, (int32_t)m, 0);
	emit(g, 0xbf, 2, 10, 0, 0);
	emit(g, 0x07, 2, 0, 0, -4);
	emit(g, 0x85, 0, 0, 0, 1);
	clobber(g);
	g->init &= (uint16_t)~1u;
	size_t jmp = g->p->cnt;
	if (chance(g, 92))
		emit(g, 0x15, 0, 0, 0, 0); /* if r0 == 0 goto skip */
	unsigned sz = vgen_below(g->r, 4), bytes = 1u << sz;
	int16_t off = (int16_t)vgen_below(g->r, vs);
	if (chance(g, 85))
		off = (int16_t)(vgen_below(g->r, (vs - bytes) / bytes + 1) * bytes);
	switch (vgen_below(g->r, 4)) {
	case 0:
		emit(g, ldx_codes[sz], 3, 0, off, 0);
		g->init |= 1u << 3;
		break;
	case 1:
		emit(g, st_codes[sz], 0, 0, off, interesting(g));
		break;
	case 2: {
		unsigned x = ensure_reg(g);
		emit(g, 0x57, x, 0, 0, chance(g, 90) ? (int32_t)(vs - bytes) & ~(int32_t)(bytes - 1) : 31);
		emit(g, 0x0f, 0, x, 0, 0);
		emit(g, ldx_codes[sz], 3, 0, 0, 0);
		g->init |= 1u << 3;
		break;
	}
	default:
		emit(g, 0xb7, 3, 0, 0, 1);
		emit(g, chance(g, 50) ? 0xdb : 0xc3, 0, 3, (int16_t)(off & ~7), chance(g, 50) ? 0x01 : 0);
		g->init |= 1u << 3;
		break;
	}
	if (g->p->insns[jmp].code == 0x15)
		g->p->insns[jmp].off = (int16_t)(g->p->cnt - jmp - 1);
	g->init &= (uint16_t)~1u;
}

static void snip_ringbuf(struct g *g)
{
	int32_t size = 8 * (1 + (int32_t)vgen_below(g->r, 4));
	lddw(g, 1, BPFRT_PSEUDO_MAP_IDX, 2, 0);
	emit(g, 0xb7, 2, 0, 0, size);
	emit(g, 0xb7, 3, 0, 0, 0);
	emit(g, 0x85, 0, 0, 0, 131);
	clobber(g);
	size_t jmp = g->p->cnt;
	emit(g, 0x15, 0, 0, 0, 0);
	int16_t off = (int16_t)(8 * vgen_below(g->r, (unsigned)size / 8 + (chance(g, 10) ? 1 : 0)));
	emit(g, 0x7a, 0, 0, off, 7);
	emit(g, 0xbf, 1, 0, 0, 0);
	emit(g, 0xb7, 2, 0, 0, 0);
	if (chance(g, 95))
		emit(g, 0x85, 0, 0, 0, chance(g, 50) ? 132 : 133);
	g->p->insns[jmp].off = (int16_t)(g->p->cnt - jmp - 1);
	clobber(g);
	g->init &= (uint16_t)~1u;
}

static void snip_global(struct g *g)
{
	unsigned m = chance(g, 50) ? 4 : 3;
	int32_t off = (int32_t)vgen_below(g->r, vgen_maps[m].vm.value_size);
	lddw(g, 4, BPFRT_PSEUDO_MAP_IDX_VALUE, (int32_t)m, off & ~3);
	unsigned sz = vgen_below(g->r, 3);
	if (chance(g, 60)) {
		emit(g, ldx_codes[sz], 5, 4, 0, 0);
		g->init |= 1u << 5;
	} else {
		emit(g, stx_codes[sz], 4, ensure_reg(g), 0, 0);
	}
	g->init &= (uint16_t)~(1u << 4);
}

static void snip_helper(struct g *g)
{
	static const int32_t ids[] = { 5, 7, 8 };
	emit(g, 0x85, 0, 0, 0, ids[vgen_below(g->r, 3)]);
	clobber(g);
}

static void snip(struct g *g, bool pkt, bool data, int depth);

static void snip_branch(struct g *g, bool pkt, bool data, int depth)
{
	static const uint8_t j[] = { 0x15, 0x25, 0x35, 0x45, 0x55, 0x65, 0x75, 0xa5, 0xb5, 0xc5, 0xd5 };
	unsigned x = ensure_reg(g);
	uint8_t code = j[vgen_below(g->r, sizeof(j))];
	if (chance(g, 30))
		code = (uint8_t)((code & ~7) | 0x06); /* jmp32 */
	size_t at = g->p->cnt;
	if (chance(g, 30) && g->init) {
		emit(g, code | 0x08, x, pick_init(g), 0, 0);
	} else {
		emit(g, code, x, 0, 0, interesting(g));
	}
	uint16_t before = g->init;
	snip(g, pkt, data, depth + 1);
	g->p->insns[at].off = (int16_t)(g->p->cnt - at - 1);
	g->init &= before; /* registers set only on one side are not set */
}

static void snip_loop(struct g *g, bool pkt, bool data, int depth)
{
	int32_t k = 1 + (int32_t)vgen_below(g->r, chance(g, 80) ? 8 : 40);
	emit(g, 0xb7, 9, 0, 0, 0);
	size_t top = g->p->cnt;
	g->init |= 1u << 9;
	uint16_t before = g->init;
	snip(g, pkt, data, depth + 1);
	g->init &= before;
	g->init |= 1u << 9;
	emit(g, 0x07, 9, 0, 0, 1);
	emit(g, chance(g, 90) ? 0xa5 : 0xb5, 9, 0, (int16_t)(top - g->p->cnt - 1), k);
}

static void snip(struct g *g, bool pkt, bool data, int depth)
{
	unsigned k = vgen_below(g->r, depth > 2 ? 8 : 13);
	switch (k) {
	case 0: case 1: snip_alu(g); break;
	case 2: snip_stack(g); break;
	case 3: snip_stack_var(g); break;
	case 4: if (data) snip_data(g, pkt); else snip_alu(g); break;
	case 5: if (data) snip_data_var(g, pkt); else snip_stack(g); break;
	case 6: snip_lookup(g); break;
	case 7: snip_global(g); break;
	case 8: snip_helper(g); break;
	case 9: snip_ringbuf(g); break;
	case 10: snip_spill_ptr(g); break;
	case 11: snip_branch(g, pkt, data, depth); break;
	default: snip_loop(g, pkt, data, depth); break;
	}
}

static void mutate(struct g *g)
{
	struct vgen_prog *p = g->p;
	if (!p->cnt)
		return;
	struct bpfrt_insn *in = &p->insns[vgen_below(g->r, (unsigned)p->cnt)];
	switch (vgen_below(g->r, 6)) {
	case 0: in->imm = (int32_t)((uint32_t)in->imm + vgen_below(g->r, 17) - 8); break;
	case 1: in->off = (int16_t)(in->off + (int)vgen_below(g->r, 17) - 8); break;
	case 2: in->dst = (uint8_t)vgen_below(g->r, 11); break;
	case 3: in->src = (uint8_t)vgen_below(g->r, 11); break;
	case 4: in->imm = interesting(g); break;
	default: in->code ^= (uint8_t)(1u << vgen_below(g->r, 8)); break;
	}
}

void vgen_program(struct vgen_rng *r, struct vgen_prog *p, unsigned mutations)
{
	static const enum bpfrt_prog_type types[] = { BPFRT_PROG_TYPE_UNSPEC, BPFRT_PROG_TYPE_UNSPEC,
		BPFRT_PROG_TYPE_XDP, BPFRT_PROG_TYPE_SCHED_CLS, BPFRT_PROG_TYPE_SOCKET_FILTER,
		BPFRT_PROG_TYPE_KPROBE };
	struct g g = { .r = r, .p = p };
	memset(p, 0, sizeof(*p));
	p->type = types[vgen_below(r, sizeof(types) / sizeof(types[0]))];
	bool pkt = p->type == BPFRT_PROG_TYPE_XDP || p->type == BPFRT_PROG_TYPE_SCHED_CLS;
	bool data = pkt || p->type == BPFRT_PROG_TYPE_UNSPEC;
	if (p->type == BPFRT_PROG_TYPE_UNSPEC) {
		emit(&g, 0xbf, 6, 1, 0, 0);
		emit(&g, 0xbf, 7, 2, 0, 0);
	} else if (p->type == BPFRT_PROG_TYPE_XDP) {
		emit(&g, 0x61, 6, 1, 0, 0);
		emit(&g, 0x61, 7, 1, 4, 0);
	} else if (p->type == BPFRT_PROG_TYPE_SCHED_CLS) {
		emit(&g, 0x61, 6, 1, 76, 0);
		emit(&g, 0x61, 7, 1, 80, 0);
	} else {
		emit(&g, 0xbf, 6, 1, 0, 0);
		emit(&g, 0x61, 7, 1, 0, 0);
	}
	unsigned n = 1 + vgen_below(r, 10);
	for (unsigned i = 0; i < n && !g.overflow; i++)
		snip(&g, pkt, data, 0);
	if (!(g.init & 1) || chance(&g, 30))
		emit(&g, 0xb7, 0, 0, 0, (int32_t)vgen_below(r, 4));
	emit(&g, 0x95, 0, 0, 0, 0);
	for (unsigned i = 0; i < mutations; i++)
		mutate(&g);
}

int vgen_setup(struct bpfrt_runtime **rt, struct bpfrt_map **maps)
{
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	*rt = bpfrt_runtime__new(&ro);
	if (!*rt)
		return -1;
	for (int i = 0; i < VGEN_NMAPS; i++) {
		const struct verifier_map *m = &vgen_maps[i].vm;
		BPFRT_OPTS(bpfrt_map_create_opts, o, .map_flags = m->map_flags);
		maps[i] = bpfrt_map__create(*rt, m->type, m->name, m->key_size, m->value_size, m->max_entries, &o);
		if (!maps[i]) {
			fprintf(stderr, "map %s: %s\n", m->name, bpfrt_runtime__last_error(*rt));
			return -1;
		}
	}
	/* some keys present in the hash map */
	for (uint32_t k = 0; k < 4; k++) {
		uint8_t v[16] = { (uint8_t)k };
		bpfrt_map__update_elem(maps[0], &k, 4, v, 16, 0);
	}
	return 0;
}

void vgen_teardown(struct bpfrt_runtime *rt, struct bpfrt_map **maps)
{
	for (int i = 0; i < VGEN_NMAPS; i++)
		if (maps[i])
			bpfrt_map__put(maps[i]);
	bpfrt_runtime__free(rt);
}

static void dump(const struct vgen_prog *p)
{
	char line[128];
	fprintf(stderr, "program (type %d, %zu insns):\n", (int)p->type, p->cnt);
	for (size_t i = 0; i < p->cnt;) {
		int n = bpfrt_disasm_insn(p->insns, p->cnt, i, BPFRT_SYNTAX_LLVM, line, sizeof(line));
		fprintf(stderr, "  %3zu: %s\n", i, line);
		i += n > 0 ? (size_t)n : 1;
	}
}

int vgen_check(struct bpfrt_runtime *rt, struct bpfrt_map *const *maps, const struct vgen_prog *p,
	       struct vgen_rng *r, struct vgen_stats *st)
{
	st->generated++;
	/*
	 * Verified through the load path (as for the unchecked interpreter), so
	 * the verifier sees the very maps and helpers the run will use: map
	 * fds are runtime map ids there, indexes the maps given.
	 */
	struct bpfrt_verifier_stats vs;
	BPFRT_OPTS(bpfrt_prog_load_opts, vo, .engine = BPFRT_ENGINE_INTERP, .prog_type = p->type, .maps = maps,
		   .nmaps = VGEN_NMAPS, .verifier_stats = &vs);
	struct bpfrt_prog *verified = bpfrt_prog__load(rt, "vgen", p->insns, p->cnt, &vo);
	if (!verified) {
		if (vs.ran)
			st->rejected++;
		else
			st->invalid++; /* refused before the verifier: malformed, unknown map or helper */
		if (getenv("VGEN_REJECTS"))
			fprintf(stderr, "rejected: %s\n", bpfrt_runtime__last_error(rt));
		return 0;
	}
	bpfrt_prog__free(verified);
	st->accepted++;
	BPFRT_OPTS(bpfrt_prog_load_opts, lo, .prog_type = p->type, .maps = maps, .nmaps = VGEN_NMAPS,
		   .insn_budget = 50000000);
	struct bpfrt_prog *prog = bpfrt_prog__load(rt, "vgen", p->insns, p->cnt, &lo);
	if (!prog) {
		st->unsound++;
		fprintf(stderr, "FAIL: verified, but the checked engine cannot load it: %s\n",
			bpfrt_runtime__last_error(rt));
		dump(p);
		return -1;
	}
	int bad = 0;
	static const uint32_t sizes[] = { 0, 1, 4, 8, 13, 14, 16, 20, 33, 64, 100 };
	static uint8_t ctx[4096], data[128];
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && !bad; k++) {
		uint32_t len = sizes[k];
		bool pkt = p->type == BPFRT_PROG_TYPE_XDP || p->type == BPFRT_PROG_TYPE_SCHED_CLS ||
			   p->type == BPFRT_PROG_TYPE_SOCKET_FILTER;
		if (pkt && len < 14)
			continue;
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)vgen_next(r);
		for (size_t i = 0; i < 256; i++)
			ctx[i] = (uint8_t)vgen_next(r);
		BPFRT_OPTS(bpfrt_test_run_opts, o, .data_in = data, .data_size_in = len, .repeat = 1);
		if (p->type == BPFRT_PROG_TYPE_KPROBE) {
			o.ctx_in = ctx;
			o.ctx_size_in = 168;
		}
		st->runs++;
		int e = bpfrt_prog__test_run(prog, &o);
		if (e) {
			st->unsound++;
			fprintf(stderr, "UNSOUND: accepted program failed at run time (data %u bytes): %s\n", len,
				bpfrt_runtime__last_error(rt));
			dump(p);
			bad = -1;
		}
	}
	bpfrt_prog__free(prog);
	return bad;
}
