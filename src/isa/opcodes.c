/* SPDX-License-Identifier: MIT */
/*
 * opcodes.c - the instruction table and the decoding of raw instructions.
 */
#include <pthread.h>
#include <stddef.h>
#include "opcodes.h"

const struct opinfo bpfrt_optable[OP__COUNT] = {
#define OP(id_, code_, vk_, vv_, form_, bits_, name_, llvm_, sem_) \
	[OP_##id_] = { OP_##id_, code_, vk_, vv_, form_, bits_, name_, llvm_, sem_ },
#include "opcodes.def"
#undef OP
};

/*
 * For each opcode byte, the table entries that use it, chained so that
 * variants (div/sdiv, the atomics, byte swaps) are found without a scan of
 * the whole table. Built once; read-only afterwards.
 */
static int16_t first_by_code[256];
static int16_t next_same_code[OP__COUNT];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
	for (int i = 0; i < 256; i++)
		first_by_code[i] = -1;
	for (int i = OP__COUNT - 1; i >= 0; i--) {
		uint8_t c = bpfrt_optable[i].code;
		next_same_code[i] = first_by_code[c];
		first_by_code[c] = (int16_t)i;
	}
}

static bool variant_matches(const struct opinfo *oi, const struct bpfrt_insn *insn)
{
	switch (oi->vkind) {
	case V_OFF: return insn->off == oi->vval;
	case V_IMM: return insn->imm == oi->vval;
	case V_SRC: return insn->src == oi->vval;
	default: return true;
	}
}

const struct opinfo *bpfrt_op_decode(const struct bpfrt_insn *insn)
{
	pthread_once(&index_once, build_index);
	for (int i = first_by_code[insn->code]; i >= 0; i = next_same_code[i])
		if (variant_matches(&bpfrt_optable[i], insn))
			return &bpfrt_optable[i];
	return NULL;
}

bool bpfrt_op_code_known(uint8_t code)
{
	pthread_once(&index_once, build_index);
	return first_by_code[code] >= 0;
}
