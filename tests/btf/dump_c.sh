#!/usr/bin/env bash
# dump_c.sh BTF_TOOL LAYOUT_TEST CLANG WORKDIR FILE... - the C dump of each
# file (clang objects, the kernel's BTF):
#  1. compiles cleanly (clang -Wall -Werror), with and without --funcs;
#  2. describes the same memory: compiled with -g, its BTF has the same
#     sizes and member offsets as the original (test_btf_layout);
#  3. is bpftool's "format c" output, but for one deliberate difference: bpfrt
#     sizes 1- and 2-byte enums with __attribute__((mode(byte/HI))) as newer
#     libbpf does (bpftool v7.1 loses their size). Checked with bpftool v7.x.
set -u
tool=$1 layout=$2 clang=$3 work=$4; shift 4
mkdir -p "$work"
fail=0
for f in "$@"; do
	[ -r "$f" ] || { echo "skip: $f not readable"; continue; }
	n=$(basename "$f")
	d=$work/$n
	mkdir -p "$d"
	"$tool" c "$f" >"$d/dump.h" || { echo "FAIL: $n: dump"; fail=1; continue; }
	"$tool" c "$f" --funcs >"$d/funcs.h" || { echo "FAIL: $n: dump --funcs"; fail=1; continue; }
	for h in dump.h funcs.h; do
		if ! "$clang" -target bpf -Wall -Werror -fsyntax-only -x c "$d/$h" 2>"$d/$h.log"; then
			echo "FAIL: $n: $h does not compile:"; head -20 "$d/$h.log"; fail=1
		fi
	done
	# every top-level struct, union and enum, referenced so that clang emits
	# its BTF; of the kernel's ~13k, one in 8 (all would take clang ~20 s)
	every=1 sample=
	case "$f" in /sys/*) every=8 sample=--sample ;; esac
	{
		echo '#include "dump.h"'
		grep -E '^(struct|union|enum) [A-Za-z_][A-Za-z_0-9]* \{' "$d/dump.h" |
			awk -v every=$every 'NR % every == 0 { print $1, $2, ($1 == "enum" ? "" : "*") "__ref_" NR ";" }'
	} >"$d/refs.c"
	if "$clang" -g -O0 -target bpf -c "$d/refs.c" -o "$d/refs.o" 2>"$d/refs.log"; then
		"$layout" $sample "$f" "$d/refs.o" || fail=1
	else
		echo "FAIL: $n: refs.c does not compile:"; head -20 "$d/refs.log"; fail=1
	fi
	if command -v bpftool >/dev/null && bpftool version | grep -q '^bpftool v7'; then
		bpftool btf dump file "$f" format c >"$d/bpftool.h"
		sed -e 's/ __attribute__((mode(byte)))//' -e 's/ __attribute__((mode(HI)))//' "$d/dump.h" >"$d/normalized.h"
		if cmp -s "$d/bpftool.h" "$d/normalized.h"; then
			echo "ok: $n: as bpftool prints it ($(wc -l <"$d/dump.h") lines)"
		else
			echo "FAIL: $n: differs from bpftool's format c:"
			diff "$d/bpftool.h" "$d/normalized.h" | head -20
			fail=1
		fi
	fi
done
exit $fail
