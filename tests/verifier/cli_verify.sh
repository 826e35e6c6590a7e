#!/usr/bin/env bash
# `bpfrt verify`: OK with figures for safe programs (exit 0); for refused ones
# the reason, the instruction and the source line (exit 1); the state log with
# --log-level 2; clear errors for bad arguments.
# Usage: cli_verify.sh BPFRT LOADER_OBJDIR VERIFIER_OBJDIR WORKDIR
set -uo pipefail
bpfrt=$1 objs=$2 rejects=$3 work=$4
mkdir -p "$work"
pass=0 fail=0

# check "description" expected-exit "text stdout+stderr must contain" args...
check() {
	local what=$1 want_rc=$2 want=$3; shift 3
	local out rc
	out=$("$bpfrt" "$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want_rc" ] && grep -qF -- "$want" <<<"$out"; then pass=$((pass + 1)); else
		echo "FAIL $what: exit $rc (want $want_rc), output:"; head -20 <<<"$out"; fail=$((fail + 1)); fi
}

printf 'r0 = 0\nif r2 < 8 goto +1\nr0 = *(u64 *)(r1 + 0)\nexit\n' >"$work/checked.s"
printf 'r0 = *(u64 *)(r1 + 0)\nexit\n' >"$work/unchecked.s"
printf 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr1 = r2\nr1 += 14\nr0 = 1\nif r1 > r3 goto +1\nr0 = *(u8 *)(r2 + 12)\nexit\n' >"$work/xdp.s"

check "object: every program" 0 "kern_xdp: OK: 278 insns" verify "$objs/kern_xdp.v3.o"
check "object: figures" 0 "states (peak" verify "$objs/kern_xdp.v3.o"
check "object: one program" 0 "printk: OK" verify "$objs/helpers.v2.o" --prog printk
check "object: summary log" 0 "processed 7 insns (limit 1000000)" verify "$objs/helpers.v2.o" --prog printk -v
check "refused: exit 1 and reason" 1 "R0 may be NULL here" verify "$rejects/null_check.v3.o"
check "refused: source line" 1 "(null_check.bpf.c:21: return *val == 7 ? XDP_DROP : XDP_PASS;)" \
	verify "$rejects/null_check.v3.o"
check "refused: insn and disassembly" 1 "insn 7: " verify "$rejects/null_check.v3.o"
check "refused: state log" 1 "R1=ctx" verify "$rejects/null_check.v3.o" --log-level 2
check "assembly: generic type" 0 "checked.s: OK" verify "$work/checked.s"
check "assembly: refused" 1 "nothing shows the data is that long" verify "$work/unchecked.s"
check "assembly: xdp" 0 "xdp.s: OK" verify "$work/xdp.s" --type xdp
check "assembly: xdp: unset register" 1 "R2 is used here but was never set" verify "$work/checked.s" --type xdp
printf 'call 9999\nr0 = 0\nexit\n' >"$work/unknown_helper.s"
check "unknown helper" 1 "insn 0: call to unknown helper 9999" verify "$work/unknown_helper.s" --type xdp
check "unknown type" 1 "unknown program type 'nope'" verify "$work/checked.s" --type nope
check "bad log level" 1 "--log-level needs 1 or 2" verify "$work/checked.s" --log-level 3
check "--prog on assembly" 1 "--prog names a program of an ELF object" verify "$work/checked.s" --prog x
check "--type on an object" 1 "--type is for raw and assembly programs" verify "$objs/kern_xdp.v3.o" --type xdp
check "no such program" 1 "no program of that name" verify "$objs/kern_xdp.v3.o" --prog nope
check "missing file" 1 "nope.o" verify "$work/nope.o"
check "help" 0 "Usage: bpfrt verify" verify --help
# Loading verifies, by default and for the unchecked engines; only the checked
# engine, asked for explicitly, runs programs without a proof.
check "prog load verifies" 1 "(null_check.bpf.c:21: return *val == 7" \
	prog load "$rejects/null_check.v3.o"
check "prog load --interp verifies" 1 "(null_check.bpf.c:21: return *val == 7" \
	prog load "$rejects/null_check.v3.o" --interp
check "prog load --checked runs unverified" 0 "no_null_check" prog load "$rejects/null_check.v3.o" --checked

echo "cli_verify: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
