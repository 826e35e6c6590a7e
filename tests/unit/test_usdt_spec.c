/* SPDX-License-Identifier: MIT */
/*
 * test_usdt_spec.c - white-box checks of the USDT argument spec parser
 * (src/trace/usdtarg.c): the forms <sys/sdt.h> writes on x86-64 become the
 * records libbpf's usdt.bpf.h reads (type, pt_regs offset, value or offset,
 * sign, shift), with libbpf's struct layout; forms it cannot read are
 * refused with the argument named.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "trace/trace.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* Offsets in the kernel's struct pt_regs (x86-64). */
enum { R15 = 0, BP = 32, BX = 40, R8 = 72, AX = 80, SI = 104, DI = 112, IP = 128, SP = 152 };

struct want {
	int type, reg_off;
	uint64_t val_off;
	bool is_signed;
	int bitshift;
};

static void expect(const char *args, int n, const struct want *w)
{
	struct usdt_spec s;
	char why[256] = "";
	int err = usdt_spec_parse(args, &s, why, sizeof(why));
	CHECK(!err, "'%s': refused: %s", args, why);
	if (err)
		return;
	CHECK(s.arg_cnt == n, "'%s': %d arguments, expected %d", args, s.arg_cnt, n);
	for (int i = 0; i < n && i < s.arg_cnt; i++) {
		const struct usdt_arg_spec *a = &s.args[i];
		CHECK(a->type == w[i].type && a->val_off == w[i].val_off &&
		      a->is_signed == w[i].is_signed && a->bitshift == w[i].bitshift &&
		      (w[i].type == USDT_ARG_CONST || a->reg_off == w[i].reg_off),
		      "'%s' argument %d: type %d reg_off %d val_off %lld signed %d shift %d", args, i,
		      a->type, a->reg_off, (long long)a->val_off, a->is_signed, a->bitshift);
	}
}

static void refuse(const char *args, const char *why_part)
{
	struct usdt_spec s;
	char why[256] = "";
	int err = usdt_spec_parse(args, &s, why, sizeof(why));
	CHECK(err < 0, "'%s': accepted", args);
	CHECK(strstr(why, why_part), "'%s': message '%s' does not say '%s'", args, why, why_part);
}

int main(void)
{
	/* libbpf's struct __bpf_usdt_spec, field for field. */
	CHECK(sizeof(struct usdt_arg_spec) == 16, "arg spec is %zu bytes", sizeof(struct usdt_arg_spec));
	CHECK(offsetof(struct usdt_spec, cookie) == 192 && offsetof(struct usdt_spec, arg_cnt) == 200 &&
	      sizeof(struct usdt_spec) == 208, "spec layout differs from libbpf's");

	expect("-4@%edi 8@-8(%rbp) 4@$5", 3, (struct want[]){
		{ USDT_ARG_REG, DI, 0, true, 32 },
		{ USDT_ARG_REG_DEREF, BP, (uint64_t)-8, false, 0 },
		{ USDT_ARG_CONST, 0, 5, false, 32 } });
	expect("-8@(%rsi)  -4@8(%rsi) -4@$-7", 3, (struct want[]){
		{ USDT_ARG_REG_DEREF, SI, 0, true, 0 },
		{ USDT_ARG_REG_DEREF, SI, 8, true, 32 },
		{ USDT_ARG_CONST, 0, (uint64_t)-7, true, 32 } });
	expect("1@%al -2@%r8w 8@%r15 2@0x10(%rsp) 8@%rip -1@%bl", 6, (struct want[]){
		{ USDT_ARG_REG, AX, 0, false, 56 },
		{ USDT_ARG_REG, R8, 0, true, 48 },
		{ USDT_ARG_REG, R15, 0, false, 0 },
		{ USDT_ARG_REG_DEREF, SP, 16, false, 48 },
		{ USDT_ARG_REG, IP, 0, false, 0 },
		{ USDT_ARG_REG, BX, 0, true, 56 } });
	expect("", 0, NULL);

	refuse("3@%eax", "argument 0 '3@%eax'");
	refuse("4@%eax 4@%xmm0", "argument 1 '4@%xmm0'");
	refuse("8@counter(%rip)", "argument 0");
	refuse("4@(%rax,%rbx,8)", "argument 0");
	refuse("4%eax", "argument 0");
	refuse("1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7 1@$8 1@$9 1@$10 1@$11 1@$12 1@$13",
	       "more than 12 arguments");

	if (failures) {
		printf("%d check(s) failed\n", failures);
		return 1;
	}
	printf("all passed\n");
	return 0;
}
