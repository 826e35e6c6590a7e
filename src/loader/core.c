/* SPDX-License-Identifier: MIT */
/*
 * core.c - applying CO-RE relocations (compile once, run everywhere).
 *
 * clang records, in .BTF.ext, every instruction whose constant depends on a
 * type's layout (a field offset, a size, whether a field exists). btf/
 * computes what each constant must be for the target types; this file
 * patches the instructions, as libbpf's bpf_core_patch_insn does.
 *
 * The target is the running kernel's BTF when it can be read (tracing
 * programs read kernel structures), else the object's own BTF: the contexts
 * bpfrt gives programs (xdp_md, __sk_buff, pt_regs...) have the kernel's UAPI
 * layouts, so relocating against the program's own view of them is exact.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "object.h"
#include "btf/btf.h"

/* The target BTF, loaded once per object when a relocation first needs it. */
static const struct btf *target(struct bpfrt_object *obj)
{
	if (!obj->core_target_tried) {
		obj->core_target_tried = true;
		struct diag d;
		diag_clear(&d);
		obj->core_target = btf_parse_file("/sys/kernel/btf/vmlinux", NULL, &d);
	}
	return obj->core_target ? obj->core_target : obj->btf_types;
}

static bool is_ldx_st(uint8_t code)
{
	uint8_t cls = code & 7;
	return (cls == BPFRT_CLASS_LDX || cls == BPFRT_CLASS_ST || cls == BPFRT_CLASS_STX) &&
	       (code & 0xe0) == 0x60; /* BPF_MEM */
}

/* The size bits of a memory opcode for a field of sz bytes (0: not a size). */
static int size_bits(uint32_t sz)
{
	switch (sz) {
	case 1: return 0x10;
	case 2: return 0x08;
	case 4: return 0x00;
	case 8: return 0x18;
	default: return -1;
	}
}

/*
 * Patch one instruction: ALU immediates and memory offsets take the new
 * value; a load of a field whose size changed takes the new size; lddw takes
 * the whole 64-bit value.
 */
static int patch(struct bpfrt_object *obj, const char *prog, struct bpfrt_insn *in, size_t room,
		 const struct btf_core_res *r, size_t idx)
{
	uint8_t cls = in->code & 7;
	if (cls == BPFRT_CLASS_ALU || cls == BPFRT_CLASS_ALU64) {
		if (in->code & 0x08)
			return obj_fail(obj, -EINVAL, "program '%s': CO-RE relocation at insn %zu is on an "
					"ALU instruction with a register source", prog, idx);
		if (r->validate && (uint64_t)(int64_t)in->imm != r->orig_val && (uint32_t)in->imm != r->orig_val)
			goto unexpected;
		if ((int64_t)r->new_val < INT32_MIN || (int64_t)r->new_val > (int64_t)UINT32_MAX)
			return obj_fail(obj, -ERANGE, "program '%s': CO-RE value %llu at insn %zu does not fit "
					"an immediate", prog, (unsigned long long)r->new_val, idx);
		in->imm = (int32_t)r->new_val;
		return 0;
	}
	if (is_ldx_st(in->code)) {
		if (r->validate && (uint64_t)(int64_t)in->off != r->orig_val)
			goto unexpected;
		if (r->new_val > INT16_MAX)
			return obj_fail(obj, -ERANGE, "program '%s': CO-RE offset %llu at insn %zu does not fit "
					"the 16-bit offset", prog, (unsigned long long)r->new_val, idx);
		in->off = (int16_t)r->new_val;
		if (r->orig_sz != r->new_sz && cls == BPFRT_CLASS_LDX) {
			int bits = size_bits(r->new_sz);
			if (r->fail_memsz_adjust || bits < 0)
				return obj_fail(obj, -EINVAL, "program '%s': CO-RE at insn %zu: the field is %u "
						"bytes in the target but %u in the program (%s)", prog, idx,
						r->new_sz, r->orig_sz, r->spec);
			in->code = (uint8_t)((in->code & ~0x18) | bits);
		}
		return 0;
	}
	if (in->code == 0x18 && room >= 2) {
		uint64_t cur = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
		if (r->validate && cur != r->orig_val)
			goto unexpected;
		in[0].imm = (int32_t)(uint32_t)r->new_val;
		in[1].imm = (int32_t)(uint32_t)(r->new_val >> 32);
		return 0;
	}
	return obj_fail(obj, -EINVAL, "program '%s': CO-RE relocation at insn %zu is on an instruction "
			"that holds no constant (opcode 0x%02x)", prog, idx, in->code);
unexpected:
	return obj_fail(obj, -EINVAL, "program '%s': CO-RE at insn %zu: the instruction does not hold "
			"the value clang computed (%llu) for %s", prog, idx,
			(unsigned long long)r->orig_val, r->spec);
}

int core_relocate(struct bpfrt_object *obj, const char *prog, const char *sec, size_t start,
		  size_t len, struct bpfrt_insn *code)
{
	if (!obj->btf_ext_info)
		return 0;
	const struct btf_ext_sec *es = btf_ext_sec_by_name(obj->btf_ext_info, sec);
	if (!es || !es->core_relo_cnt)
		return 0;
	for (uint32_t i = 0; i < es->core_relo_cnt; i++) {
		const struct btf_ext_core_relo *relo = &es->core_relo[i];
		size_t at = relo->insn_off / 8;
		if (at < start || at >= start + len)
			continue;
		struct btf_core_res res;
		struct diag d;
		diag_clear(&d);
		if (btf_core_calc_relo(obj->btf_types, relo, target(obj), &res, &d))
			return obj_fail(obj, -EINVAL, "program '%s': CO-RE relocation at insn %zu of '%s': %s",
					prog, at - start, sec, d.msg);
		if (res.poison)
			return obj_fail(obj, -ENOENT, "program '%s': CO-RE relocation at insn %zu of '%s' "
					"(%s, %s) matches no type of the target", prog, at - start, sec,
					btf_core_kind_str(relo->kind), res.spec);
		int err = patch(obj, prog, &code[at - start], start + len - at, &res, at - start);
		if (err)
			return err;
	}
	return 0;
}
