#!/usr/bin/env bash
# core_vmlinux.sh BTF_TOOL OBJ WORKDIR - CO-RE relocations of
# progs/core_vmlinux.bpf.c computed against the running kernel's BTF must
# agree with the layout bpftool prints for it (an independent reader).
# Skips (77) without /sys/kernel/btf/vmlinux or bpftool.
set -u
tool=$1 obj=$2 work=$3
vm=/sys/kernel/btf/vmlinux
[ -r "$vm" ] || { echo "skip: no $vm"; exit 77; }
command -v bpftool >/dev/null || { echo "skip: no bpftool"; exit 77; }
mkdir -p "$work"
bpftool btf dump file "$vm" >"$work/vmlinux.txt" || exit 1
"$tool" core "$obj" "$vm" >"$work/core.txt" || { cat "$work/core.txt"; exit 1; }
cat "$work/core.txt"

# From bpftool's text: a member's bits_offset, a struct's size, an enum value,
# a member's bitfield size and the byte size of its type (through typedefs).
q() {
	awk -v want="$1" -v s="$2" -v m="${3:-}" '
	/^\[/ {
		id = substr($1, 2, length($1) - 2); kind[id] = $2
		for (i = 3; i <= NF; i++) {
			if ($i ~ /^size=/) size[id] = substr($i, 6)
			if ($i ~ /^type_id=/) { t = substr($i, 9); sub(",", "", t); ref[id] = t }
		}
		cur = ($3 == "\x27" s "\x27" && ($2 == "STRUCT" || $2 == "ENUM" || $2 == "ENUM64")) ? id : ""
		if (cur != "" && want == "size") { print size[id]; exit }
		next
	}
	cur != "" && $1 == "\x27" m "\x27" {
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			f[kv[1]] = kv[2]
		}
		found = 1
		if (want == "off") { print f["bits_offset"] / 8; exit }
		if (want == "bits") { print f["bits_offset"]; exit }
		if (want == "val") { v = f["val"]; sub(/U?L+$/, "", v); print v; exit }
		mtype = f["type_id"]; bitsz = f["bitfield_size"]; exit
	}
	END {
		if (want == "bfsize") print bitsz
		if (want == "bftype") {
			while (kind[mtype] == "TYPEDEF" || kind[mtype] == "CONST" || kind[mtype] == "VOLATILE") mtype = ref[mtype]
			print size[mtype]
		}
	}' "$work/vmlinux.txt"
}

fail=0
expect() { # what the spec says, the value expected
	local line
	line=$(grep -F "$1" "$work/core.txt" | head -1)
	if [ -z "$line" ]; then echo "FAIL: no relocation '$1'"; fail=1; return; fi
	case "$line" in
	*"-> $2 "*) echo "ok: $1 -> $2" ;;
	*) echo "FAIL: $1: expected $2, got: $line"; fail=1 ;;
	esac
}
expect "byte_off 0:3: struct task_struct.pid " "$(q off task_struct pid)"
expect "byte_off 0:4: struct task_struct.tgid " "$(q off task_struct tgid)"
expect "struct task_struct.real_parent " "$(q off task_struct real_parent)"
expect "struct task_struct.__state " "$(q off task_struct __state)"
expect "struct task_struct.comm " "$(q off task_struct comm)"
expect "struct task_struct.thread_info.flags " "$(( $(q off task_struct thread_info) + $(q off thread_info flags) ))"
expect "struct task_struct.se.vruntime " "$(( $(q off task_struct se) + $(q off sched_entity vruntime) ))"
expect "type_size 0: struct task_struct:" "$(q size task_struct)"
expect "type_matches 0: struct task_struct___m:" 1
expect "field_exists 0:0: struct task_struct___none.no_such_field" 0
expect "enumval_value 1: enum bpf_map_type::BPF_MAP_TYPE_RINGBUF:" "$(q val bpf_map_type BPF_MAP_TYPE_RINGBUF)"

# The bitfield: libbpf's smallest aligned load holding it.
bit=$(q bits sk_buff fclone) bits=$(q bfsize sk_buff fclone) sz=$(q bftype sk_buff fclone)
off=$(( bit / 8 / sz * sz ))
while [ $(( bit + bits - off * 8 )) -gt $(( sz * 8 )) ]; do sz=$(( sz * 2 )); off=$(( bit / 8 / sz * sz )); done
expect "byte_off 0:2: struct sk_buff.fclone" "$off"
expect "byte_sz 0:2: struct sk_buff.fclone" "$sz"
expect "lshift_u64 0:2: struct sk_buff.fclone" "$(( 64 - (bit + bits - off * 8) ))"
expect "rshift_u64 0:2: struct sk_buff.fclone" "$(( 64 - bits ))"
exit $fail
