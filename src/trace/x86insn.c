/* SPDX-License-Identifier: MIT */
/*
 * x86insn.c - the length and relocation needs of x86-64 instructions, for
 * moving the instructions a probe's jump overwrites into its trampoline.
 *
 * Only what function code commonly holds is decoded: legacy prefixes, REX,
 * the one-byte map, the 0f, 0f38 and 0f3a maps, ModRM/SIB/displacement and
 * immediates. An instruction that cannot run elsewhere unchanged is either
 * fixed up (a RIP-relative displacement or a rel32 branch: the 32-bit field
 * is re-based) or refused (rel8 branches, VEX/EVEX, anything unknown), and a
 * refused probe falls back to an int3. x86_length knows the lengths of the
 * refused ones as well, for walking a function from its start to find where
 * its instructions begin (syspatch.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "x86insn.h"

static bool is_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0xf0 || b == 0x2e ||
	       b == 0x3e || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65;
}

/* Bytes of ModRM and what follows it up to the immediate; rip set for RIP-relative. */
static int modrm_len(const uint8_t *p, size_t avail, bool *rip)
{
	if (avail < 1)
		return -1;
	uint8_t m = p[0], mod = m >> 6, rm = m & 7;
	int n = 1;
	*rip = false;
	if (mod == 3)
		return n;
	if (rm == 4) { /* SIB */
		if (avail < 2)
			return -1;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)
			return n + 4;
	} else if (mod == 0 && rm == 5) {
		*rip = true;
		return n + 4;
	}
	return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

int x86_decode(const uint8_t *p, size_t avail, struct x86_insn *out)
{
	memset(out, 0, sizeof(*out));
	out->fix_off = -1;
	size_t i = 0;
	bool opsize16 = false, rexw = false;
	while (i < avail && is_prefix(p[i])) {
		opsize16 |= p[i] == 0x66;
		i++;
	}
	if (i < avail && (p[i] & 0xf0) == 0x40) {
		rexw = p[i] & 8;
		i++;
	}
	if (i >= avail || i > 14)
		return -1;
	uint8_t op = p[i++];
	unsigned immz = opsize16 && !rexw ? 2 : 4; /* REX.W wins over 66 */
	int modrm = 0; /* 1: has ModRM */
	unsigned imm = 0;
	bool rel32 = false;
	if (op == 0x0f) {
		if (i >= avail)
			return -1;
		uint8_t op2 = p[i++];
		if (op2 == 0x38) {
			if (i >= avail)
				return -1;
			i++;
			modrm = 1;
		} else if (op2 == 0x3a) {
			if (i >= avail)
				return -1;
			i++;
			modrm = 1, imm = 1;
		} else if (op2 >= 0x80 && op2 <= 0x8f) {
			imm = 4, rel32 = true; /* jcc rel32 */
		} else if (op2 == 0x05 || op2 == 0xa2 || (op2 >= 0xc8 && op2 <= 0xcf) || op2 == 0x0b ||
			   op2 == 0x77) { /* ... emms */
			if (op2 == 0x0b) /* ud2 */
				return -1;
		} else if (op2 == 0x70 || op2 == 0x71 || op2 == 0x72 || op2 == 0x73 || op2 == 0xa4 ||
			   op2 == 0xac || op2 == 0xba || op2 == 0xc2 || op2 == 0xc4 || op2 == 0xc5 ||
			   op2 == 0xc6) {
			modrm = 1, imm = 1;
		} else if ((op2 >= 0x10 && op2 <= 0x17) || (op2 >= 0x18 && op2 <= 0x1f) ||
			   (op2 >= 0x28 && op2 <= 0x2f) || (op2 >= 0x40 && op2 <= 0x7f && op2 != 0x77 &&
							    op2 != 0x78 && op2 != 0x79) ||
			   (op2 >= 0x90 && op2 <= 0x9f) || op2 == 0xa3 || op2 == 0xa5 || op2 == 0xab ||
			   op2 == 0xad || op2 == 0xaf || op2 == 0xb0 || op2 == 0xb1 ||
			   (op2 >= 0xb6 && op2 <= 0xbf && op2 != 0xb9 && op2 != 0xba) || op2 == 0xc0 ||
			   op2 == 0xc1 || op2 == 0xc7 || op2 >= 0xd0) {
			modrm = 1;
		} else {
			return -1;
		}
	} else if (op < 0x40) {
		if ((op & 7) < 4)
			modrm = 1;
		else if ((op & 7) == 4)
			imm = 1;
		else if ((op & 7) == 5)
			imm = immz;
		else
			return -1; /* prefixes handled above; push/pop seg, daa... invalid here */
	} else if (op >= 0x50 && op <= 0x5f) {
		/* push/pop */
	} else if (op == 0x63 || (op >= 0x84 && op <= 0x8f && op != 0x8d) || op == 0x8d ||
		   (op >= 0xd0 && op <= 0xd3) || op == 0xfe || op == 0xff) {
		modrm = 1;
		if (op == 0xff && avail > i && ((p[i] >> 3 & 7) == 4 || (p[i] >> 3 & 7) == 5))
			out->ends_flow = true; /* jmp indirect */
	} else if (op == 0x68) {
		imm = immz;
	} else if (op == 0x6a) {
		imm = 1;
	} else if (op == 0x69) {
		modrm = 1, imm = immz;
	} else if (op == 0x6b || op == 0x80 || op == 0x83 || op == 0xc0 || op == 0xc1 || op == 0xc6) {
		modrm = 1, imm = 1;
	} else if (op == 0x81 || op == 0xc7) {
		modrm = 1, imm = immz;
	} else if ((op >= 0x90 && op <= 0x99) || op == 0xc9 || op == 0xf4 || op == 0xfc || op == 0xfd) {
		/* xchg/nop, cbw/cwd, leave, hlt, cld, std */
	} else if (op == 0xa8 || (op >= 0xb0 && op <= 0xb7)) {
		imm = 1;
	} else if (op == 0xa9) {
		imm = immz;
	} else if (op >= 0xb8 && op <= 0xbf) {
		imm = rexw ? 8 : immz;
	} else if (op == 0xc3) {
		out->ends_flow = true;
	} else if (op == 0xc2) {
		imm = 2, out->ends_flow = true;
	} else if (op == 0xe8) {
		imm = 4, rel32 = true;
	} else if (op == 0xe9) {
		imm = 4, rel32 = true, out->ends_flow = true;
	} else if (op == 0xf6 || op == 0xf7) {
		modrm = 1;
		if (i < avail && (p[i] >> 3 & 7) < 2) /* test r/m, imm */
			imm = op == 0xf6 ? 1 : immz;
	} else {
		return -1; /* rel8 branches, int3, VEX/EVEX, string ops, anything rare */
	}
	if (modrm) {
		bool rip;
		int n = modrm_len(p + i, avail - i, &rip);
		if (n < 0)
			return -1;
		if (rip)
			out->fix_off = (int)(i + 1);
		i += (size_t)n;
	}
	if (rel32)
		out->fix_off = (int)i;
	i += imm;
	if (i > avail || i > 15)
		return -1;
	out->len = (unsigned)i;
	return 0;
}

int x86_relocate(const uint8_t *src, uint64_t from, uint8_t *dst, uint64_t to, const struct x86_insn *in)
{
	memcpy(dst, src, in->len);
	if (in->fix_off < 0)
		return 0;
	int32_t disp;
	memcpy(&disp, src + in->fix_off, 4);
	/* target = from + len + disp = to + len + new */
	int64_t target = (int64_t)from + in->len + disp;
	int64_t nd = target - ((int64_t)to + in->len);
	if (nd < INT32_MIN || nd > INT32_MAX)
		return -1;
	int32_t n32 = (int32_t)nd;
	memcpy(dst + in->fix_off, &n32, 4);
	return 0;
}

/* ModRM (and SIB, displacement) at p plus imm bytes, or -1. */
static int modrm_imm(const uint8_t *p, size_t avail, unsigned imm)
{
	bool rip;
	int n = modrm_len(p, avail, &rip);
	return n < 0 || (size_t)n + imm > avail ? -1 : n + (int)imm;
}

/* Opcodes of the 0f map (VEX/EVEX map 1 too) that take an 8-bit immediate. */
static bool map1_imm8(uint8_t op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6);
}

int x86_length(const uint8_t *p, size_t avail)
{
	struct x86_insn in;
	if (x86_decode(p, avail, &in) == 0)
		return (int)in.len;
	size_t i = 0;
	bool rex = false;
	while (i < avail && i < 14 && is_prefix(p[i]))
		i++;
	if (i < avail && (p[i] & 0xf0) == 0x40) {
		rex = true;
		i++;
	}
	if (i >= avail)
		return -1;
	uint8_t op = p[i++];
	int n = -1;
	if ((op >= 0x70 && op <= 0x7f) || op == 0xeb || (op >= 0xe0 && op <= 0xe3)) {
		n = 1; /* rel8 branches, loop, jrcxz */
	} else if (op == 0xcc || (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
		   op == 0x9b || op == 0x9e || op == 0x9f || op == 0xf5 || op == 0xf8 || op == 0xf9 ||
		   op == 0xfa || op == 0xfb || op == 0xcb || op == 0xce || op == 0xc9) {
		n = 0; /* int3, string instructions, flag operations, retf */
	} else if (op == 0xcd || op == 0xca || op == 0xc8) {
		n = op == 0xcd ? 1 : op == 0xca ? 2 : 3; /* int n, retf n, enter */
	} else if (op >= 0xd8 && op <= 0xdf) {
		n = modrm_imm(p + i, avail - i, 0); /* x87 */
	} else if (op == 0xc5 && !rex && i + 2 <= avail) { /* two-byte VEX: map 0f */
		uint8_t vop = p[i + 1];
		i += 2;
		n = vop == 0x77 ? 0 : modrm_imm(p + i, avail - i, map1_imm8(vop));
	} else if ((op == 0xc4 || op == 0x62) && !rex && i + 3 <= avail) {
		/* three-byte VEX (c4 RXBmmmmm W.vvvv.L.pp op) or EVEX (62 P0 P1 P2 op) */
		unsigned map = p[i] & (op == 0xc4 ? 0x1f : 0x07);
		i += op == 0xc4 ? 2 : 3;
		if (i >= avail)
			return -1;
		uint8_t vop = p[i++];
		if (map == 1)
			n = vop == 0x77 && op == 0xc4 ? 0 : modrm_imm(p + i, avail - i, map1_imm8(vop));
		else if (map == 2 || map == 5 || map == 6)
			n = modrm_imm(p + i, avail - i, 0);
		else if (map == 3)
			n = modrm_imm(p + i, avail - i, 1);
	}
	if (n < 0 || i + (size_t)n > avail || i + (size_t)n > 15)
		return -1;
	return (int)(i + (size_t)n);
}
