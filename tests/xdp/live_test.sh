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
# A second bpfrt on a1 fails (afxdp) or falls back to AF_PACKET (auto);
# no XDP program is left behind after SIGINT or SIGTERM.
#
# In mode afxdp, M's own stack on a1 must not see what the program drops
# either (AF_XDP takes frames before the stack does; AF_PACKET rings copy
# them): M gets 10.0.0.3 on a1 and a server there; probes from A to it,
# blocked, arrive nowhere.
#
#   live_test.sh BPFRT UDP_PROBE XDP_BLOCK_OBJ XDP_FWD_OBJ WORKDIR MODE
# MODE: packet, afxdp or afxdp-generic. Skips (77) without root, network namespaces or
# (afxdp) AF_XDP.
set -u
bpfrt=$1 probe=$2 obj=$3 fwd=$4 work=$5 mode=$6
. "$(dirname "$0")/live_lib.sh"

ip netns exec $B "$probe" serve 10.0.0.2 9000 >"$work/server.out" &
server_pid=$!
start_bpfrt bpfrt "$obj" $mode

fail=0
if [ $mode != packet ]; then
	# a second bpfrt finds a1 taken: an error with --mode afxdp, AF_PACKET rings with auto
	ip netns exec $M "$bpfrt" xdp attach "$obj" --dev a1 --pass-dev b0 --mode afxdp \
		--duration 1 >/dev/null 2>"$work/second.err" && { echo "FAIL: a second AF_XDP attach worked"; fail=1; }
	grep -q "interface 'a1' queue 0: cannot bind an AF_XDP socket: .*another AF_XDP socket is bound" \
		"$work/second.err" || { cat "$work/second.err"; echo "FAIL: no reason for the second attach"; fail=1; }
	ip netns exec $M "$bpfrt" xdp attach "$obj" --dev a1 --pass-dev b0 \
		--duration 1 >/dev/null 2>"$work/auto.err" || { echo "FAIL: auto mode did not fall back"; fail=1; }
	grep -q "AF_XDP is not possible here (interface 'a1' queue 0: .*bound to it.*): using AF_PACKET rings" "$work/auto.err" ||
		{ cat "$work/auto.err"; echo "FAIL: auto mode did not say why it fell back"; fail=1; }
fi
probe() { # EXPECTED-REPLIES WHAT [ADDRESS]
	out=$(ip netns exec $A "$probe" send ${3:-10.0.0.2} 9000 5)
	echo "$2: $out"
	[ "$out" = "sent 5 received $1" ] || { echo "FAIL: $2: expected 5 sent, $1 received"; fail=1; }
}
probe 5 "not blocked"
"$bpfrt" map update pinned blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0 || exit 1
probe 0 "10.0.0.1 blocked"
if [ $mode != packet ]; then
	ip -n $M addr add 10.0.0.3/24 dev a1
	ip -n $A neigh add 10.0.0.3 lladdr "$(ip netns exec $M cat /sys/class/net/a1/address)" dev a0
	ip netns exec $M "$probe" serve 10.0.0.3 9000 >"$work/server_m.out" &
	server2_pid=$!
	sleep 0.1
	probe 0 "10.0.0.1 blocked, to M's own stack (10.0.0.3)" 10.0.0.3
	kill $server2_pid; wait $server2_pid 2>/dev/null; server2_pid=
	in_m=$(grep -c '^got probe' "$work/server_m.out")
	[ "$in_m" -eq 0 ] || { echo "FAIL: $in_m dropped probes reached M's stack"; fail=1; }
	ip -n $M addr del 10.0.0.3/24 dev a1
	blocked=10
else
	blocked=5
fi
hits=$("$bpfrt" map lookup pinned blocklist key 10 0 0 1 -j)
"$bpfrt" map delete pinned blocklist key 10 0 0 1 || exit 1
probe 5 "unblocked"
stop_bpfrt

arrived=$(grep -c '^got probe' "$work/server.out")
stats=$(cat "$work/bpfrt.json")
echo "bpfrt: $stats"
echo "blocklist entry while blocked: $hits"
echo "probes that arrived at B: $arrived"
[ "$arrived" -eq 10 ] || { echo "FAIL: 10 probes should have arrived, $arrived did"; fail=1; }
drop=$(printf '%s' "$stats" | sed -n 's/.*"drop":\([0-9]*\).*/\1/p')
[ "$drop" = $blocked ] || { echo "FAIL: bpfrt dropped '$drop' frames, not the $blocked blocked probes"; fail=1; }
printf '%s' "$hits" | grep -q "\"value\":\\[\"$(printf 0x%02x $blocked)\"," ||
	{ echo "FAIL: the blocklist entry did not count $blocked drops"; fail=1; }
check_mode "$stats" $mode

# XDP_REDIRECT through a devmap filled live (in M: the interface must exist there).
start_bpfrt fwd "$fwd" $mode
probe 0 "devmap slot empty"
b0=$(ip -n $M -o link show b0 | cut -d: -f1)
ip netns exec $M "$bpfrt" map update pinned ports key 0 0 0 0 value \
	$((b0 & 255)) $((b0 >> 8 & 255)) 0 0 || exit 1
probe 5 "devmap slot 0 = b0 (ifindex $b0)"
stop_bpfrt TERM
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
