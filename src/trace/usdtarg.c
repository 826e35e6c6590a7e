/* SPDX-License-Identifier: MIT */
/*
 * usdtarg.c - a USDT probe's argument specs, as <sys/sdt.h> writes them for
 * x86-64 ("-4@%edi 8@-8(%rbp) 4@$5"), turned into the spec record libbpf's
 * <bpf/usdt.bpf.h> reads from its __bpf_usdt_specs map.
 *
 * Each argument is SIZE@LOCATION: SIZE is 1, 2, 4 or 8 bytes, negative when
 * signed; LOCATION is a register (%REG), a constant ($N) or memory at a
 * register plus an offset (OFF(%REG)). A register is named by its offset in
 * struct pt_regs, whatever part of it the spec names (%edi, %di, %dil are
 * all rdi): the BPF side shifts the value left and back right by
 * 64 - 8 * SIZE bits, which keeps the argument's own bytes and its sign.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

/* struct pt_regs of x86-64, in the kernel's order: the offsets the BPF side reads. */
enum {
	PTR_R15, PTR_R14, PTR_R13, PTR_R12, PTR_BP, PTR_BX, PTR_R11, PTR_R10, PTR_R9, PTR_R8,
	PTR_AX, PTR_CX, PTR_DX, PTR_SI, PTR_DI, PTR_ORIG_AX, PTR_IP, PTR_CS, PTR_FLAGS, PTR_SP,
};

static const struct {
	const char *names[4]; /* 64, 32, 16 and 8-bit names */
	int slot;
} regs[] = {
	{ { "rax", "eax", "ax", "al" }, PTR_AX },     { { "rbx", "ebx", "bx", "bl" }, PTR_BX },
	{ { "rcx", "ecx", "cx", "cl" }, PTR_CX },     { { "rdx", "edx", "dx", "dl" }, PTR_DX },
	{ { "rsi", "esi", "si", "sil" }, PTR_SI },    { { "rdi", "edi", "di", "dil" }, PTR_DI },
	{ { "rbp", "ebp", "bp", "bpl" }, PTR_BP },    { { "rsp", "esp", "sp", "spl" }, PTR_SP },
	{ { "r8", "r8d", "r8w", "r8b" }, PTR_R8 },    { { "r9", "r9d", "r9w", "r9b" }, PTR_R9 },
	{ { "r10", "r10d", "r10w", "r10b" }, PTR_R10 }, { { "r11", "r11d", "r11w", "r11b" }, PTR_R11 },
	{ { "r12", "r12d", "r12w", "r12b" }, PTR_R12 }, { { "r13", "r13d", "r13w", "r13b" }, PTR_R13 },
	{ { "r14", "r14d", "r14w", "r14b" }, PTR_R14 }, { { "r15", "r15d", "r15w", "r15b" }, PTR_R15 },
	{ { "rip", "eip", NULL, NULL }, PTR_IP },
};

/* The pt_regs offset of register name (len bytes), or -1. */
static int reg_offset(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (int k = 0; k < 4; k++)
			if (regs[i].names[k] && strlen(regs[i].names[k]) == len &&
			    !strncmp(regs[i].names[k], name, len))
				return regs[i].slot * 8;
	return -1;
}

/* "%REG" at s (up to end) to a pt_regs offset. */
static int parse_reg(const char *s, const char *end, int16_t *off)
{
	if (s >= end || *s != '%')
		return -EINVAL;
	int o = reg_offset(s + 1, (size_t)(end - s - 1));
	if (o < 0)
		return -EINVAL;
	*off = (int16_t)o;
	return 0;
}

/* One SIZE@LOCATION token (len bytes at s). */
static int parse_arg(const char *s, size_t len, struct usdt_arg_spec *a)
{
	const char *end = s + len, *at = memchr(s, '@', len);
	char *e;
	if (!at)
		return -EINVAL;
	long size = strtol(s, &e, 10);
	if (e != at || !(size == 1 || size == 2 || size == 4 || size == 8 || size == -1 ||
			 size == -2 || size == -4 || size == -8))
		return -EINVAL;
	a->is_signed = size < 0;
	a->bitshift = (int8_t)(64 - 8 * labs(size));
	const char *loc = at + 1;
	if (loc < end && *loc == '$') { /* a constant */
		char buf[32];
		if ((size_t)(end - loc) >= sizeof(buf))
			return -EINVAL;
		snprintf(buf, sizeof(buf), "%.*s", (int)(end - loc - 1), loc + 1);
		errno = 0;
		a->val_off = (uint64_t)strtoll(buf, &e, 0);
		if (errno || *e || !buf[0])
			return -EINVAL;
		a->type = USDT_ARG_CONST;
		return 0;
	}
	if (loc < end && *loc == '%') { /* a register */
		a->type = USDT_ARG_REG;
		return parse_reg(loc, end, &a->reg_off);
	}
	/* Memory: [OFF](%REG); an index register or a symbol is not a form libbpf reads either. */
	const char *paren = memchr(loc, '(', (size_t)(end - loc));
	if (!paren || end[-1] != ')')
		return -EINVAL;
	int64_t off = 0;
	if (paren > loc) {
		char buf[32];
		if ((size_t)(paren - loc) >= sizeof(buf))
			return -EINVAL;
		snprintf(buf, sizeof(buf), "%.*s", (int)(paren - loc), loc);
		errno = 0;
		off = strtoll(buf, &e, 0);
		if (errno || *e)
			return -EINVAL;
	}
	a->type = USDT_ARG_REG_DEREF;
	a->val_off = (uint64_t)off;
	return parse_reg(paren + 1, end - 1, &a->reg_off);
}

int usdt_spec_parse(const char *args, struct usdt_spec *spec, char *why, size_t whylen)
{
	memset(spec, 0, sizeof(*spec));
	const char *p = args;
	for (;;) {
		p += strspn(p, " \t");
		if (!*p)
			return 0;
		size_t len = strcspn(p, " \t");
		if (spec->arg_cnt == USDT_MAX_ARGS) {
			snprintf(why, whylen, "more than %d arguments in '%s'", USDT_MAX_ARGS, args);
			return -E2BIG;
		}
		if (parse_arg(p, len, &spec->args[spec->arg_cnt])) {
			snprintf(why, whylen, "argument %d '%.*s' of '%s' is not SIZE@%%REG, SIZE@$CONST "
				 "or SIZE@OFF(%%REG)", spec->arg_cnt, (int)len, p, args);
			return -EINVAL;
		}
		spec->arg_cnt++;
		p += len;
	}
}
