#!/usr/bin/env bash
# The command line on clang-built objects, with asserted outputs: prog show,
# prog run (with and without --ctx, -j), map show|dump|lookup|update|delete
# on maps pinned by name and in objects, per-CPU dumps, and the errors of
# mistyped map arguments and truncated objects.
# Usage: cli_objects.sh BPFRT PROGS_DIR WORKDIR   (PROGS_DIR: NAME.v3.o from tests/loader)
set -uo pipefail
bpfrt=$1 progs=$2 work=$3
mkdir -p "$work"
pass=0 fail=0
# Maps pinned by name go to a directory of this test's own.
export BPFRT_PIN_DIR=$(mktemp -d /dev/shm/bpfrt-cli-objects-XXXXXX)
trap 'rm -rf "$BPFRT_PIN_DIR"' EXIT

# expect_out "description" "text stdout must contain" args...
expect_out() {
	local what=$1 want=$2; shift 2
	local out rc
	out=$("$bpfrt" "$@" 2>&1); rc=$?
	if [ $rc -eq 0 ] && grep -qF -- "$want" <<<"$out"; then pass=$((pass + 1)); else
		echo "FAIL $what: exit $rc, output: $out (wanted '$want')"; fail=$((fail + 1)); fi
}
# expect_fail "description" "text stderr must contain" args...
expect_fail() {
	local what=$1 want=$2; shift 2
	local err rc
	err=$("$bpfrt" "$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -qF -- "$want" <<<"$err"; then pass=$((pass + 1)); else
		echo "FAIL $what: exit $rc, stderr: $err (wanted '$want')"; fail=$((fail + 1)); fi
}

obj=$progs/xdp_block.v3.o
[ -f "$obj" ] || { echo "no $obj"; exit 1; }
# Ethernet + IPv4 (UDP) from 10.0.0.1 to 10.0.0.2: 50 bytes.
pkt="02000000000202000000000108004500002800004000401100000a0000010a000002"
pkt+="d4310035001400000000000000000000"
# struct xdp_md: data 0, data_end 50, data_meta 0, ifindex 0, rx queue 0, egress 0
ctx="00000000""32000000""00000000""00000000""00000000""00000000"

expect_out "prog show" "xdp  name xdp_block  section xdp" prog show "$obj"
expect_out "prog show -j" '"name":"xdp_block","section":"xdp","type":"xdp"' prog show "$obj" -j
expect_out "prog run (XDP_PASS)" "Return value: 2" prog run "$obj" --data "$pkt"
expect_out "prog run --ctx" "Return value: 2" prog run "$obj" --data "$pkt" --ctx "$ctx" \
	--ctx-out "$work/ctx.out"
cmp -s "$work/ctx.out" <(printf '\x00\x00\x00\x00\x32\x00\x00\x00'; head -c 16 /dev/zero) &&
	pass=$((pass + 1)) || { echo "FAIL --ctx-out: $(od -An -tx1 "$work/ctx.out")"; fail=$((fail + 1)); }
expect_fail "prog run --ctx not matching the packet" "does not describe the 50-byte packet" \
	prog run "$obj" --data "$pkt" --ctx "00000000""0a000000""0000000000000000""0000000000000000"
expect_out "prog run -j: retval and the packet out" \
	'{"retval":2,' prog run "$obj" --data "$pkt" -j
expect_out "prog run -j: data_out, as bpftool's byte values" \
	'"data_size_out":50,"data_out":[2,0,0,0,0,2,2,0,0,0,0,1,8,0,69,0,' prog run "$obj" --data "$pkt" -j

# prog dump jited: x86-64 mnemonics (capstone), or hex with a note saying why not.
out=$("$bpfrt" prog dump jited "$obj" 2>&1)
if grep -qE '^ +[0-9a-f]+:.*(push|mov|ret)' <<<"$out" && grep -qF '; insn 0 (ldxw)' <<<"$out"; then
	pass=$((pass + 1))
elif grep -qF 'built without capstone' <<<"$out"; then
	pass=$((pass + 1))
else
	echo "FAIL prog dump jited: neither disassembly nor the no-capstone note: $(head -5 <<<"$out")"
	fail=$((fail + 1))
fi

# The run above pinned blocklist (LIBBPF_PIN_BY_NAME) in $BPFRT_PIN_DIR.
expect_out "map show pinned" "hash  name blocklist  flags 0x0" map show pinned blocklist
expect_out "map show pinned: sizes" "	key 4B  value 8B  max_entries 1024" map show pinned blocklist
expect_out "map show -j: type name" '"type":"hash","name":"blocklist"' map show pinned blocklist -j
expect_out "map show: every pinned map" "pinned $BPFRT_PIN_DIR/blocklist" map show
expect_out "map dump pinned (empty)" "Found 0 elements" map dump pinned blocklist
expect_out "map update pinned" "" map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0 noexist
expect_fail "map update noexist on an existing key" "File exists" \
	map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0 noexist
expect_out "prog run (XDP_DROP)" "Return value: 1" prog run "$obj" --data "$pkt" --repeat 3
expect_out "map lookup pinned: 3 hits" "key: 0a 00 00 01  value: 03 00 00 00 00 00 00 00" \
	map lookup pinned blocklist key 10 0 0 1
expect_out "map lookup -j" '{"key":["0x0a","0x00","0x00","0x01"],"value":["0x03",' \
	map lookup pinned blocklist key hex 0a000001 -j
expect_out "map dump pinned" "Found 1 element" map dump pinned blocklist
expect_out "map update exist, hex" "" map update pinned blocklist key hex 0a000001 value hex 0900000000000000 exist
expect_out "map lookup after update" "value: 09 00" map lookup pinned blocklist key 10 0 0 1
expect_out "map delete pinned" "" map delete pinned blocklist key 10 0 0 1
expect_fail "map lookup of a deleted key" "No such file or directory" map lookup pinned blocklist key 10 0 0 1
expect_out "map dump after delete" "Found 0 elements" map dump pinned blocklist

# Per-CPU values, CPU by CPU as bpftool prints them.
expect_out "per-CPU dump" "value (CPU 00): 00 00 00 00 00 00 00 00" map dump object "$obj" protocols
# bpftool: "key:" alone, then the key's bytes on a line of their own
if [ "$("$bpfrt" map dump object "$obj" protocols | grep -m1 -A1 '^key:$' | tail -1)" = "00 00 00 00" ]; then
	pass=$((pass + 1)); else echo "FAIL per-CPU dump: key not on a line of its own"; fail=$((fail + 1)); fi
expect_out "per-CPU dump -j" '"values":[{"cpu":0,"value":["0x00",' map dump object "$obj" protocols -j
expect_out "map show object: type name" "percpu_array  name protocols" map show object "$obj" protocols

# Mistyped map arguments.
expect_fail "mistyped flag" "unknown flag 'noexits'" \
	map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0 noexits
expect_fail "extra key byte" "key: more than the 4 byte(s) the map needs" \
	map update pinned blocklist key 10 0 0 1 1 value 0 0 0 0 0 0 0 0
expect_fail "extra value byte" "value: more than the 8 byte(s) the map needs" \
	map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0 0
expect_fail "extra hex value bytes" "value: more than the 8 byte(s)" \
	map update pinned blocklist key 10 0 0 1 value hex 000000000000000000
expect_fail "too few key bytes" "key: 3 byte(s) given, the map needs 4" map lookup pinned blocklist key 1 2 3
expect_fail "not a byte" "key: '300' is not a byte" map lookup pinned blocklist key 300 0 0 0
expect_fail "junk after the key" "unexpected 'junk' after the key" map delete pinned blocklist key 1 2 3 4 junk
expect_fail "bad hex key" "key: '0a00000z' is neither a file nor hex bytes" \
	map lookup pinned blocklist key hex 0a00000z
expect_fail "bad hex value" "value: 'zz' is neither" \
	map update pinned blocklist key 1 2 3 4 value hex zz
expect_fail "bad --data" "--data: 'zz' is neither" prog run "$obj" --data zz
expect_fail "bad --ctx" "--ctx: 'qq' is neither" prog run "$obj" --data "$pkt" --ctx qq
expect_fail "btf dump -j" "no JSON output" btf dump file "$obj" -j

# Truncated objects: the section header table is gone, and the error says so.
for n in 64 2000; do
	head -c $n "$obj" >"$work/trunc$n.o"
	expect_fail "object truncated to $n bytes" "section header table" prog show "$work/trunc$n.o"
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
