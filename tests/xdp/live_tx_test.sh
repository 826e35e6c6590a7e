#!/bin/sh
# XDP_TX live: in namespace M, bpfrt runs xdp_reflect on the frames arriving
# from A (a0 - a1 | bpfrt | b0 - b1): each UDP probe A sends to B comes back
# to A from B's address, swapped by the program and sent back out of a1,
# while B's server sees none of them; bpfrt counts them as XDP_TX. ARP
# passes (on to B, whose answers come back through bpfrt).
#
#   live_tx_test.sh BPFRT UDP_PROBE XDP_REFLECT_OBJ WORKDIR MODE
# MODE: packet, afxdp or afxdp-generic. Skips (77) without root, network namespaces or
# (afxdp) AF_XDP.
set -u
bpfrt=$1 probe=$2 obj=$3 work=$4 mode=$5
. "$(dirname "$0")/live_lib.sh"

ip netns exec $B "$probe" serve 10.0.0.2 9000 >"$work/server.out" &
server_pid=$!
start_bpfrt reflect "$obj" $mode
fail=0
out=$(ip netns exec $A "$probe" send 10.0.0.2 9000 5)
echo "reflected by bpfrt: $out"
[ "$out" = "sent 5 received 5" ] || { echo "FAIL: expected 5 sent, 5 received back"; fail=1; }
stop_bpfrt
stats=$(cat "$work/reflect.json")
echo "bpfrt: $stats"
arrived=$(grep -c '^got probe' "$work/server.out")
[ "$arrived" -eq 0 ] || { echo "FAIL: $arrived probes reached B: XDP_TX frames must not"; fail=1; }
tx=$(printf '%s' "$stats" | sed -n 's/.*"tx":\([0-9]*\).*/\1/p')
[ "$tx" = 5 ] || { echo "FAIL: bpfrt counted '$tx' XDP_TX frames, not 5"; fail=1; }
check_mode "$stats" $mode
exit $fail
