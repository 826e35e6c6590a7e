#!/usr/bin/env bash
# Install what bpfrt needs to build and test, from Debian's packages, if missing.
# Safe to run again: it only installs packages that are not there yet.
set -euo pipefail

packages=(
	build-essential cmake pkg-config  # the build
	clang-19 llvm-19 lld-19           # BPF target compiler, llvm-objcopy/objdump
	libclang-rt-19-dev                # libFuzzer and sanitizer runtimes for clang
	libbpf-dev linux-libc-dev         # <bpf/bpf_helpers.h>, <linux/bpf.h> (UAPI layouts)
	libelf-dev                        # the ELF loader reads objects with libelf
	zlib1g-dev                        # .kconfig externs: reading /proc/config.gz
	bpftool                           # inspecting the kernel side of differential tests
	libpcap-dev                       # bpfrt xdp: pcap/pcapng files, classic BPF filters
	libcapstone-dev                   # prog dump jited: x86-64 disassembly
	systemtap-sdt-dev                 # <sys/sdt.h>: the USDT probes of the trace tests
	iproute2                          # XDP live tests: network namespaces and veth pairs
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: need root to install packages (try: sudo $0)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
