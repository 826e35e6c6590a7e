#!/bin/sh
# The blocklist example live: namespace A (10.0.0.1) sends UDP probes to
# namespace B (10.0.0.2); between them, in namespace M, bpfrt runs xdp_block
# on the frames arriving from A (a0 - a1 | bpfrt | b0 - b1). Blocking
# 10.0.0.1 through the pinned map, while bpfrt runs, stops the probes from
# arriving; unblocking lets them through again; bpfrt's counts match.
#
# Then xdp_fwd redirects every frame through a devmap whose slot is filled
# while it runs: nothing arrives before, everything after, as redirects.
#
#   live_test.sh BPFRT UDP_PROBE XDP_BLOCK_OBJ XDP_FWD_OBJ WORKDIR
# Skips (77) without root or network namespaces.
set -u
bpfrt=$1 probe=$2 obj=$3 fwd=$4 work=$5
skip() { echo "live_test: SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "no ip (iproute2)"
A=bpfrt-a-$$ M=bpfrt-m-$$ B=bpfrt-b-$$
ip netns add $A 2>/dev/null || skip "cannot create network namespaces"
ip netns add $M && ip netns add $B || exit 1
rm -rf "$work" && mkdir -p "$work/pins" || exit 1
export BPFRT_PIN_DIR="$work/pins"
bpfrt_pid= server_pid=
cleanup() {
	[ -n "$bpfrt_pid" ] && kill "$bpfrt_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	wait 2>/dev/null
	ip netns del $A; ip netns del $M; ip netns del $B
}
trap cleanup EXIT
for ns in $A $M $B; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n $ns link set lo up
done
ip -n $A link add a0 type veth peer name a1 netns $M || exit 1
ip -n $M link add b0 type veth peer name b1 netns $B || exit 1
ip -n $A addr add 10.0.0.1/24 dev a0
ip -n $B addr add 10.0.0.2/24 dev b1
ip -n $A link set a0 up; ip -n $M link set a1 up; ip -n $M link set b0 up; ip -n $B link set b1 up

ip netns exec $M "$bpfrt" xdp attach "$obj" --dev a1 --pass-dev b0 -j >"$work/bpfrt.json" 2>"$work/bpfrt.err" &
bpfrt_pid=$!
ip netns exec $B "$probe" serve 10.0.0.2 9000 >"$work/server.out" &
server_pid=$!
for i in $(seq 50); do grep -q attached "$work/bpfrt.err" 2>/dev/null && break; sleep 0.1; done
grep -q attached "$work/bpfrt.err" || { cat "$work/bpfrt.err"; echo "FAIL: bpfrt did not attach"; exit 1; }

fail=0
probe() { # EXPECTED-REPLIES WHAT
	out=$(ip netns exec $A "$probe" send 10.0.0.2 9000 5)
	echo "$2: $out"
	[ "$out" = "sent 5 received $1" ] || { echo "FAIL: $2: expected 5 sent, $1 received"; fail=1; }
}
probe 5 "not blocked"
"$bpfrt" map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0 || exit 1
probe 0 "10.0.0.1 blocked"
hits=$("$bpfrt" map lookup pinned blocklist key 10 0 0 1 -j)
"$bpfrt" map delete pinned blocklist key 10 0 0 1 || exit 1
probe 5 "unblocked"
sleep 0.2
kill -INT "$bpfrt_pid"; wait "$bpfrt_pid"; bpfrt_pid=

arrived=$(grep -c '^got probe' "$work/server.out")
stats=$(cat "$work/bpfrt.json")
echo "bpfrt: $stats"
echo "blocklist entry while blocked: $hits"
echo "probes that arrived at B: $arrived"
[ "$arrived" -eq 10 ] || { echo "FAIL: 10 probes should have arrived, $arrived did"; fail=1; }
drop=$(printf '%s' "$stats" | sed -n 's/.*"drop":\([0-9]*\).*/\1/p')
[ "$drop" = 5 ] || { echo "FAIL: bpfrt dropped '$drop' frames, not the 5 blocked probes"; fail=1; }
printf '%s' "$hits" | grep -q '"value":\["0x05",' || { echo "FAIL: the blocklist entry did not count 5 drops"; fail=1; }

# XDP_REDIRECT through a devmap filled live (in M: the interface must exist there).
ip netns exec $M "$bpfrt" xdp attach "$fwd" --dev a1 --pass-dev b0 -j >"$work/fwd.json" 2>"$work/fwd.err" &
bpfrt_pid=$!
for i in $(seq 50); do grep -q attached "$work/fwd.err" 2>/dev/null && break; sleep 0.1; done
probe 0 "devmap slot empty"
b0=$(ip -n $M -o link show b0 | cut -d: -f1)
ip netns exec $M "$bpfrt" map update pinned ports key 0 0 0 0 value \
	$((b0 & 255)) $((b0 >> 8 & 255)) 0 0 || exit 1
probe 5 "devmap slot 0 = b0 (ifindex $b0)"
sleep 0.2
kill -INT "$bpfrt_pid"; wait "$bpfrt_pid"; bpfrt_pid=
stats=$(cat "$work/fwd.json")
echo "bpfrt: $stats"
redirected=$(printf '%s' "$stats" | sed -n 's/.*"redirect":\([0-9]*\).*/\1/p')
dropped=$(printf '%s' "$stats" | sed -n 's/.*"drop":\([0-9]*\).*/\1/p')
# at least: A's ARP probes are dropped and redirected too
[ "${dropped:-0}" -ge 5 ] && [ "${redirected:-0}" -ge 5 ] ||
	{ echo "FAIL: expected at least 5 frames dropped and 5 redirected"; fail=1; }
printf '%s' "$stats" | grep -q "\"ifindex\":$b0,\"map_id\":[0-9]*,\"key\":0" ||
	{ echo "FAIL: the redirects did not go to ifindex $b0"; fail=1; }
exit $fail
