#!/bin/sh
# `bpfrt xdp run` on generated capture files: broken files give errors that
# name the file and the packet; on good files (pcap and pcapng) every engine
# gives the kernel's verdict counts and, byte for byte, its XDP_PASS and
# XDP_TX frames.
#
#   pcap_test.sh BPFRT MKPCAP PCAP_ORACLE XDP_PROGS LOADER_PROGS WORKDIR
set -u
bpfrt=$1 mkpcap=$2 oracle=$3 xdp_progs=$4 progs=$5 work=$6
rm -rf "$work" && mkdir -p "$work/pins" || exit 1
"$mkpcap" "$work" || exit 1
export BPFRT_PIN_DIR="$work/pins"
fail=0

expect_error() { # FILE MESSAGE
	out=$("$bpfrt" xdp run "$progs/xdp_block.v3.o" --pcap "$work/$1" 2>&1)
	rc=$?
	if [ $rc -ne 1 ] || ! printf '%s\n' "$out" | grep -qF -- "$2"; then
		echo "FAIL: $1: exit $rc, expected 1 and '$2', got: $out"
		fail=1
	fi
}
expect_error bad-magic.pcap "bad-magic.pcap: not a pcap or pcapng file (magic 0xdeadbeef)"
expect_error short-header.pcap "short-header.pcap: truncated pcap file header (10 of 24 bytes)"
expect_error caplen-snaplen.pcap "caplen-snaplen.pcap: packet 2: caplen 98 is larger than the file's snaplen 64"
expect_error cut-record.pcap "cut-record.pcap: packet 2: truncated: caplen 200 but 50 byte(s) left"
expect_error cut-header.pcap "cut-header.pcap: packet 3: truncated record header (8 of 16 bytes)"
expect_error missing.pcap "missing.pcap: cannot open"

# Command-line mistakes: exit 1 and say what is wrong.
expect_usage() { # MESSAGE ARGS...
	msg=$1; shift
	out=$("$bpfrt" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 1 ] || ! printf '%s\n' "$out" | grep -qF -- "$msg"; then
		echo "FAIL: bpfrt $*: exit $rc, expected 1 and '$msg', got: $out"
		fail=1
	fi
}
expect_usage "xdp run: no --pcap file given" xdp run "$progs/xdp_block.v3.o"
expect_usage "has no XDP program" xdp run "$progs/tracing.v3.o" --pcap "$work/mix.pcap"
expect_usage "has no program 'nope'" xdp run "$progs/xdp_block.v3.o" --prog nope --pcap "$work/mix.pcap"
expect_usage "interface 'nope0': no such interface" xdp attach "$progs/xdp_block.v3.o" --dev nope0 --pass-dev lo
expect_usage "say where frames come in (--dev)" xdp attach "$progs/xdp_block.v3.o"
expect_usage "xdp: unknown command 'frob'" xdp frob
expect_usage "--filter 'udp ((': " cbpf --filter "udp ((" --pcap "$work/mix.pcap"
expect_usage "give the filter with --dd FILE or --filter EXPR" cbpf --pcap "$work/mix.pcap"

# The blocklist example with 10.0.0.1 and 10.0.0.5 blocked, through the pinned map.
"$bpfrt" prog load "$progs/xdp_block.v3.o" >/dev/null || exit 1
for a in "10 0 0 1" "10 0 0 5"; do
	"$bpfrt" map update pinned blocklist key $a value 0 0 0 0 0 0 0 0 || exit 1
done

field() { # JSON NAME: the object or number after "NAME":
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\\({[^}]*}\\|[0-9]*\\).*/\\1/p"
}

compared=0
for case in "$progs/xdp_block:xdp_block" "$xdp_progs/xdp_adjust:reflect"; do
	base=${case%%:*} prog=${case##*:}
	for cpu in v1 v3; do
		obj=$base.$cpu.o
		for input in mix.pcap mix.pcapng; do
			k=$("$oracle" "$obj" "$prog" "$work/$input" "$work/k-pass.pcap" "$work/k-tx.pcap" \
				10.0.0.1 10.0.0.5)
			rc=$?
			[ $rc -eq 77 ] && { echo "$k"; exit 77; }
			[ $rc -ne 0 ] && { echo "FAIL: pcap_oracle $obj $input: exit $rc"; fail=1; continue; }
			for engine in --checked --interp --jit; do
				eng=$engine; [ "$eng" = --checked ] && eng=
				b=$("$bpfrt" xdp run "$obj" --prog "$prog" --pcap "$work/$input" $eng -j \
					--out "$work/b-pass.pcap" --tx "$work/b-tx.pcap" 2>/dev/null)
				what="$prog $cpu $input $engine"
				if [ "$(field "$k" actions)" != "$(field "$b" actions)" ] ||
				   [ "$(field "$k" rejected)" != "$(field "$b" rejected)" ]; then
					echo "FAIL: $what: kernel $k"
					echo "      bpfrt  $b"
					fail=1
				fi
				cmp -s "$work/k-pass.pcap" "$work/b-pass.pcap" ||
					{ echo "FAIL: $what: XDP_PASS frames differ"; fail=1; }
				cmp -s "$work/k-tx.pcap" "$work/b-tx.pcap" ||
					{ echo "FAIL: $what: XDP_TX frames differ"; fail=1; }
				compared=$((compared + 1))
			done
			echo "$prog $cpu $input: kernel $(field "$k" actions), $(field "$k" rejected) not run"
		done
	done
done
# Classic BPF from the command line: a -dd file and the same filter as an
# expression accept the same packets; a broken file names its line.
printf '{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 1, 0x00000800 },\n{ 0x6, 0, 0, 0x00040000 },\n{ 0x6, 0, 0, 0x00000000 },\n' >"$work/ip.dd"
dd=$("$bpfrt" cbpf --dd "$work/ip.dd" --pcap "$work/mix.pcap" -j --out "$work/ip.pcap")
expr=$("$bpfrt" cbpf --filter ip --pcap "$work/mix.pcapng" -j)
echo "cbpf ip: -dd $dd, --filter $expr"
[ "$dd" = "$expr" ] && [ "$(field "$dd" accepted)" -gt 0 ] || { echo "FAIL: cbpf -dd and --filter disagree"; fail=1; }
[ "$(field "$dd" accepted)" -eq "$("$bpfrt" cbpf --filter ip --pcap "$work/ip.pcap" -j | sed -n 's/.*"accepted":\([0-9]*\).*/\1/p')" ] ||
	{ echo "FAIL: cbpf --out did not keep the accepted packets"; fail=1; }
printf '{ 0x28, 0, 0 },\n' >"$work/bad.dd"
out=$("$bpfrt" cbpf --dd "$work/bad.dd" --pcap "$work/mix.pcap" 2>&1)
printf '%s\n' "$out" | grep -qF "bad.dd: line 1: an instruction has 4 fields" ||
	{ echo "FAIL: broken -dd file: $out"; fail=1; }

echo "pcap_test: $compared runs compared with the kernel"
exit $fail
