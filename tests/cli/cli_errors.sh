#!/usr/bin/env bash
# The command line on bad input: a clear message on stderr naming the problem,
# a non-zero exit code, never a crash. And --help everywhere.
# Usage: cli_errors.sh BPFRT WORKDIR
set -uo pipefail
bpfrt=$1 work=$2
mkdir -p "$work"
pass=0 fail=0

# expect_fail "description" "text the error must contain" args...
expect_fail() {
	local what=$1 want=$2; shift 2
	local err rc
	err=$("$bpfrt" "$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -qF -- "$want" <<<"$err"; then pass=$((pass + 1)); else
		echo "FAIL $what: exit $rc, stderr: $err"; fail=$((fail + 1)); fi
}
expect_ok() {
	local what=$1; shift
	if "$bpfrt" "$@" >/dev/null 2>&1; then pass=$((pass + 1)); else echo "FAIL $what"; fail=$((fail + 1)); fi
}

printf 'r0 = 1\nexit\n' >"$work/ok.s"
printf 'ab\x00' >"$work/short.bin"
printf '\x7fELF\x02\x01\x01\x00' >"$work/fake.o"
printf 'r0 = 1\nr0 += r11\nexit\n' >"$work/badreg.s"

expect_fail "no command" "Usage" 
expect_fail "unknown command" "unknown command 'frobnicate'" frobnicate
expect_fail "run: no program" "Usage: bpfrt run" run
expect_fail "run: missing file" "nope.s: No such file" run "$work/nope.s"
expect_fail "run: unknown option" "unknown option '--frob'" run "$work/ok.s" --frob
expect_fail "run: bad hex memory" "neither a file nor hex bytes" run "$work/ok.s" --mem 0xzz
expect_fail "run: --repeat 0" "--repeat: 0 is not in" run "$work/ok.s" --repeat 0
expect_fail "run: --repeat text" "not a non-negative integer" run "$work/ok.s" --repeat lots
expect_fail "run: --mem without value" "--mem needs a value" run "$work/ok.s" --mem
expect_fail "run: raw size" "multiple of 8 bytes (got 3)" run "$work/short.bin"
expect_fail "run: ELF object" "is an ELF object" run "$work/fake.o"
expect_fail "run: directory" "is a directory" run "$work"
expect_fail "run: bad register" "line 2: invalid register r11" run "$work/badreg.s"
expect_fail "asm: empty input" "non-empty multiple of 8" asm /dev/null
expect_fail "disasm: bad syntax name" "--syntax: 'att'" disasm "$work/ok.s" --syntax att
expect_ok "help" --help
for c in run asm disasm; do expect_ok "$c --help" $c --help; done
expect_ok "run ok" run "$work/ok.s" --repeat 10
expect_ok "asm -o -" asm "$work/ok.s" -o -

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
