#!/usr/bin/env bash
# The main job on a bundled example: compile examples/ipv4_csum.bpf.c with
# clang for the BPF target, show its bytecode, and run it in bpfrt on two
# Ethernet frames (one with a good IPv4 checksum, one corrupted).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target bpfrt-cli >/dev/null

out=build/examples; mkdir -p "$out"
clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu \
	-c examples/ipv4_csum.bpf.c -o "$out/ipv4_csum.o"
llvm-objcopy-19 -O binary --only-section=raw "$out/ipv4_csum.o" "$out/ipv4_csum.bin"

echo "== bytecode of examples/ipv4_csum.bpf.c (bpfrt disasm)"
build/bpfrt disasm "$out/ipv4_csum.bin"

# Ethernet + IPv4 header (checksum 0xb8bc is correct) + 4 bytes of payload.
good="ffffffffffff 020000000001 0800 4500 0018 0000 4000 4011 b8bc c0a80001 c0a800c7 deadbeef"
bad="ffffffffffff 020000000001 0800 4500 0018 0000 4000 4011 0000 c0a80001 c0a800c7 deadbeef"
echo "== frame with a good checksum (0 means valid)"
build/bpfrt run "$out/ipv4_csum.bin" --mem "$good"
echo "== frame with the checksum zeroed (returns the checksum it should have)"
build/bpfrt run "$out/ipv4_csum.bin" --mem "$bad" --repeat 100000
