#!/usr/bin/env bash
# dump_raw.sh BTF_TOOL WORKDIR FILE... - bpfrt's raw BTF dump must match
# `bpftool btf dump file X` line for line: clang objects, the kernel's BTF,
# and the first kernel modules' split BTF. Skips (77) without bpftool.
set -u
tool=$1 work=$2; shift 2
command -v bpftool >/dev/null || { echo "skip: no bpftool"; exit 77; }
mkdir -p "$work"
fail=0
compare() { # name, bpftool args..., -- , btf_tool args...
	local name=$1; shift
	local bt=() mine=()
	while [ "$1" != "--" ]; do bt+=("$1"); shift; done; shift
	mine=("$@")
	bpftool btf dump "${bt[@]}" >"$work/$name.bpftool" 2>&1 || { echo "bpftool failed on $name"; fail=1; return; }
	"$tool" raw "${mine[@]}" >"$work/$name.bpfrt" 2>&1 || { echo "btf_tool failed on $name"; cat "$work/$name.bpfrt"; fail=1; return; }
	if cmp -s "$work/$name.bpftool" "$work/$name.bpfrt"; then
		echo "ok: $name ($(wc -l <"$work/$name.bpfrt") lines)"
	else
		echo "FAIL: $name differs from bpftool:"
		diff "$work/$name.bpftool" "$work/$name.bpfrt" | head -20
		fail=1
	fi
}
for f in "$@"; do
	[ -r "$f" ] || { echo "skip: $f not readable"; continue; }
	compare "$(basename "$f")" file "$f" -- "$f"
done
vm=/sys/kernel/btf/vmlinux
if [ -r "$vm" ]; then
	for m in $(ls /sys/kernel/btf | grep -v '^vmlinux$' | head -3); do
		compare "module-$m" file "/sys/kernel/btf/$m" -B "$vm" -- "/sys/kernel/btf/$m" "$vm"
	done
fi
exit $fail
