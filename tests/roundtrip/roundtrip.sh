#!/usr/bin/env bash
# Disassembler/assembler round trip on clang-compiled objects, at every -mcpu:
#   1. bpfrt disasm (LLVM syntax) | bpfrt asm  gives back the section's bytes;
#   2. the same in conformance syntax;
#   3. llvm-objdump's own disassembly, fed to bpfrt asm, gives back the bytes
#      (bpfrt reads what developers see every day).
# Usage: roundtrip.sh BPFRT CLANG OBJCOPY OBJDUMP WORKDIR SOURCE.bpf.c...
set -euo pipefail
bpfrt=$1 clang=$2 objcopy=$3 objdump=$4 work=$5; shift 5
mkdir -p "$work"
pass=0 fail=0
for src in "$@"; do
	name=$(basename "$src" .bpf.c)
	for cpu in v1 v2 v3 v4; do
		obj=$work/$name.$cpu.o
		"$clang" -O2 -g -target bpf -mcpu=$cpu -I/usr/include/x86_64-linux-gnu -c "$src" -o "$obj"
		sections=$("$objdump" -d "$obj" | sed -n 's/^Disassembly of section \(.*\):$/\1/p')
		for sec in $sections; do
			what="$name -mcpu=$cpu section $sec"
			raw=$work/$name.$cpu.$sec.bin
			"$objcopy" -O binary --only-section="$sec" "$obj" "$raw"
			for syntax in llvm conformance; do
				"$bpfrt" disasm --no-index --syntax $syntax "$raw" >"$raw.$syntax.s"
				if "$bpfrt" asm "$raw.$syntax.s" -o "$raw.$syntax.bin" && cmp -s "$raw" "$raw.$syntax.bin"; then
					pass=$((pass + 1))
				else
					echo "FAIL $what: $syntax disasm -> asm differs"; fail=$((fail + 1))
				fi
			done
			# llvm-objdump prints a local call forward as "call 0x6", the same text
			# as helper 6: the one ambiguity of its syntax. Compare the two
			# disassemblies with that difference folded.
			"$objdump" -d --no-show-raw-insn --section="$sec" "$obj" | grep -E '^ +[0-9]+:' >"$raw.objdump.s"
			if "$bpfrt" asm "$raw.objdump.s" -o "$raw.objdump.bin" &&
			   diff <("$bpfrt" disasm "$raw" | sed -E 's/call pc\+/call /') \
				<("$bpfrt" disasm "$raw.objdump.bin" | sed -E 's/call pc\+/call /') >/dev/null; then
				pass=$((pass + 1))
			else
				echo "FAIL $what: llvm-objdump text -> bpfrt asm differs"; fail=$((fail + 1))
			fi
		done
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
