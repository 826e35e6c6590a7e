#!/usr/bin/env bash
# The bundled examples, compiled and run with asserted results.
# Usage: run_examples.sh BPFRT CLANG OBJCOPY WORKDIR
set -euo pipefail
bpfrt=$1 clang=$2 objcopy=$3 work=$4
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
pass=0 fail=0

expect() { # name, expected "Return value" line, command...
	local name=$1 want=$2; shift 2
	local got
	got=$("$@" 2>&1 | grep '^Return value' || true)
	if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
		echo "FAIL $name: got '$got', want '$want'"; fail=$((fail + 1)); fi
}

for cpu in v1 v2 v3 v4; do
	"$clang" -O2 -target bpf -mcpu=$cpu -I/usr/include/x86_64-linux-gnu \
		-c "$top/examples/ipv4_csum.bpf.c" -o "$work/csum.$cpu.o"
	"$objcopy" -O binary --only-section=raw "$work/csum.$cpu.o" "$work/csum.$cpu.bin"
	frame="ffffffffffff 020000000001 0800 4500 0018 0000 4000 4011 CSUM c0a80001 c0a800c7 deadbeef"
	for engine in "" --interp; do
		expect "ipv4_csum $cpu good $engine" "Return value: 0 (0x0)" \
			"$bpfrt" run "$work/csum.$cpu.bin" $engine --mem "${frame/CSUM/b8bc}"
		expect "ipv4_csum $cpu bad $engine" "Return value: 47292 (0xb8bc)" \
			"$bpfrt" run "$work/csum.$cpu.bin" $engine --mem "${frame/CSUM/0000}"
		expect "ipv4_csum $cpu short $engine" "Return value: 4294967295 (0xffffffff)" \
			"$bpfrt" run "$work/csum.$cpu.bin" $engine --mem "ffffffffffff0200"
	done
done
# The same object through the loader: SEC("raw") is a generic program.
got=$("$bpfrt" prog run "$work/csum.v3.o" --data "${frame/CSUM/0000}" 2>&1 | grep '^Return value' || true)
case "$got" in
"Return value: 47292, duration"*) pass=$((pass + 1)) ;;
*) echo "FAIL ipv4_csum through prog run: got '$got'"; fail=$((fail + 1)) ;;
esac
expect "fib 90" "Return value: 2880067194370816120 (0x27f80ddaa1ba7878)" "$bpfrt" run "$top/examples/fib.s" --mem 5a
expect "fib 0" "Return value: 0 (0x0)" "$bpfrt" run "$top/examples/fib.s" --mem 00
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
