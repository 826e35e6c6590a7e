# Sourced by the live tests: three network namespaces A - M - B joined by
# veth (a0 - a1 in M, b0 in M - b1), A at 10.0.0.1, B at 10.0.0.2, IPv6 off;
# check_mode JSON MODE checks the mode bpfrt says it ran in; start_bpfrt runs `bpfrt xdp attach` in M between a1 and b0 and waits for
# it to attach. Needs $work; sets $A $M $B $bpfrt_pid; skips (77) without
# root, namespaces or (mode afxdp) AF_XDP.
skip() { echo "$(basename "$0"): SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "no ip (iproute2)"
A=bpfrt-a-$$ M=bpfrt-m-$$ B=bpfrt-b-$$
ip netns add $A 2>/dev/null || skip "cannot create network namespaces"
ip netns add $M && ip netns add $B || exit 1
rm -rf "$work" && mkdir -p "$work/pins" || exit 1
export BPFRT_PIN_DIR="$work/pins"
bpfrt_pid= server_pid= server2_pid=
cleanup() {
	for p in $bpfrt_pid $server_pid $server2_pid; do kill "$p" 2>/dev/null; done
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

# start_bpfrt NAME OBJ MODE: bpfrt's JSON in $work/NAME.json, messages in $work/NAME.err.
# MODE: packet, afxdp, or afxdp-generic (the kernel side in generic XDP mode).
start_bpfrt() {
	ip netns exec $M "$bpfrt" xdp attach "$2" --dev a1 --pass-dev b0 --mode ${3%-generic} \
		$([ "$3" = afxdp-generic ] && echo --generic) -j >"$work/$1.json" 2>"$work/$1.err" &
	bpfrt_pid=$!
	for i in $(seq 50); do
		grep -q attached "$work/$1.err" 2>/dev/null && return 0
		kill -0 $bpfrt_pid 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/$1.err"
	# AF_XDP missing from the kernel, or bpf() not allowed: nothing to test here
	if [ "$3" != packet ] && grep -qE "cannot open an AF_XDP socket|cannot create an XSKMAP" "$work/$1.err"; then
		bpfrt_pid=
		skip "AF_XDP is not available: $(head -1 "$work/$1.err")"
	fi
	echo "FAIL: bpfrt did not attach"
	exit 1
}
check_mode() {
	case $2 in
	afxdp-generic) want='"mode":"afxdp","xdp_mode":"generic"' ;;
	*) want="\"mode\":\"$2\"" ;;
	esac
	printf '%s' "$1" | grep -q "$want" || { echo "FAIL: bpfrt did not run in mode $2"; fail=1; }
}
# stop_bpfrt [SIGNAL]: INT by default; then neither interface may keep an XDP program
stop_bpfrt() {
	sleep 0.2
	kill -${1:-INT} "$bpfrt_pid"; wait "$bpfrt_pid"; bpfrt_pid=
	for dev in a1 b0; do
		ip -n $M link show $dev | grep -q xdp &&
			{ echo "FAIL: an XDP program is left on $dev after SIG${1:-INT}"; fail=1; }
	done
}
