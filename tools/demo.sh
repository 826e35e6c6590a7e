#!/usr/bin/env bash
# The main job on a bundled example: compile examples/xdp_block.bpf.c (an XDP
# firewall written against libbpf's headers) with clang, load the very same
# object in bpfrt, run it on packets, and change its blocklist map from
# another process (the bpfrt CLI) between runs.
# With BPFRT=path/to/bpfrt (the test suite does that) it uses that build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BPFRT:-}" ]; then
	tools/setup.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc)" --target bpfrt-cli >/dev/null
fi
bpfrt=${BPFRT:-build/bpfrt}

out=$(dirname "$bpfrt")/examples; mkdir -p "$out"
clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu \
	-c examples/xdp_block.bpf.c -o "$out/xdp_block.o"
# Pinned maps of this demo go to a directory of its own.
export BPFRT_PIN_DIR=$(mktemp -d /dev/shm/bpfrt-demo-XXXXXX)
trap 'rm -rf "$BPFRT_PIN_DIR"' EXIT

# An Ethernet frame carrying UDP over IPv4 from 10.0.0.1 to 10.0.0.2.
pkt="02000000000202000000000108004500002800004000401100000a0000010a000002"
pkt+="d4310035001400000000000000000000"

echo "== the programs of examples/xdp_block.bpf.c, built by clang"
$bpfrt prog show "$out/xdp_block.o"
echo
echo "== a packet from 10.0.0.1 (XDP_PASS is 2)"
$bpfrt prog run "$out/xdp_block.o" --data "$pkt"
echo
echo "== block 10.0.0.1 from another process, through the pinned map"
$bpfrt map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0
echo
echo "== the same packet again (XDP_DROP is 1), a million times"
$bpfrt prog run "$out/xdp_block.o" --data "$pkt" --repeat 1000000
echo
echo "== the blocklist: 10.0.0.1 and how many packets it lost"
$bpfrt map dump pinned blocklist
