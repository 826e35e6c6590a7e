#!/bin/sh
# bpf_override_return (--allow-override): at system call entries (ptrace
# stops and --inproc-syscalls) and at function-entry uprobes (the agent and
# --ptrace) the command's behaviour changes exactly as the programs ask and
# no more; ksyscall and kprobe/__x64_sys_ programs read the arguments the
# tracepoints read; refusals without the flag, where the call cannot return
# early, and in other program types, each with its exact message.
# Arguments: BPFRT PROGDIR TARGET TRACE_PROBED TRACE_USDT
. "$(dirname "$0")/lib.sh"
need_ptrace
PATH=$(dirname "$4"):$(dirname "$5"):$PATH
export PATH

# expect_line FILE TEXT WHAT: FILE has exactly this line.
expect_line() {
	grep -Fxq -- "$2" "$1" || { fail "$3: no line '$2' in:"; sed 's/^/    /' "$1"; }
}

# The examples' targets, untouched without the tracer.
cat /etc/hostname >/dev/null 2>&1 || { echo "SKIP: /etc/hostname is not readable here"; exit 77; }
trace_probed add 4 >"$W/plain"
expect_line "$W/plain" "sum 18" "trace_probed add 4 without bpfrt"
echo other >"$W/other"

# System call entries, in both mechanisms.
for mode in "" --inproc-syscalls; do
	name=${mode:-ptrace}

	# The example: openat of /etc/hostname fails with ENOENT, not made; other opens work.
	"$B" trace $mode "$P/fault_openat.o" --allow-override -o "$W/fault.out" -- \
		sh -c "cat '$W/other' && cat /etc/hostname" >"$W/fault" 2>"$W/fault.err"
	rc=$?
	[ "$rc" = 1 ] || fail "$name fault_openat: status $rc, expected cat's 1"
	expect_line "$W/fault" "other" "$name fault_openat: another file opens"
	expect_line "$W/fault.err" "cat: /etc/hostname: No such file or directory" \
		"$name fault_openat: the open failed with ENOENT"
	expect_count "$W/fault.out" "openat\(/etc/hostname, flags 0x0\) fails with -ENOENT$" 1 \
		"$name fault_openat: one call overridden"

	# kprobe/__x64_sys_openat: EACCES, which the exit hooks see too; mkdir
	# "succeeds" without being made.
	rm -rf "$W/dir"
	"$B" trace $mode "$P/override_sys.o" --allow-override -o "$W/sys.out" -- \
		sh -c "cat /etc/hostname; mkdir '$W/dir' && echo mkdir ok" >"$W/sys" 2>"$W/sys.err"
	rc=$?
	[ "$rc" = 0 ] || fail "$name override_sys: status $rc, expected mkdir's 0"
	expect_line "$W/sys.err" "cat: /etc/hostname: Permission denied" "$name kprobe/__x64_sys_openat: EACCES"
	expect_line "$W/sys" "mkdir ok" "$name ksyscall/mkdir: success reported"
	[ -e "$W/dir" ] && fail "$name ksyscall/mkdir: the directory was made; the call ran"
	expect_count "$W/sys.out" "kretsyscall openat = -13$" 1 "$name kretsyscall sees the value"
	expect_count "$W/sys.out" "sys_exit openat = -13$" 1 "$name sys_exit tracepoint sees the value"
	# Linux's order: the function's return, then the sys_exit tracepoint.
	grep -E "openat = -13$" "$W/sys.out" | sed 's/.*: //' >"$W/order"
	printf 'kretsyscall openat = -13\nsys_exit openat = -13\n' | cmp -s - "$W/order" ||
		{ fail "$name: exit hooks out of order:"; cat "$W/order"; }

	# Arguments: ksyscall and kprobe/__x64_sys_ read what the tracepoint reads,
	# call by call (the target's thread stacks: mmap calls after start-up).
	"$B" trace $mode "$P/ksyscall_args.o" -o "$W/args.out" -- \
		sh -c ": > '$W/marker' && '$T' threads 2" >/dev/null
	for k in tp ksyscall kprobe; do
		sed -n "s/.*args $k: //p" "$W/args.out" >"$W/args.$k"
	done
	expect_line "$W/args.tp" "-100 $W/marker 241 1b6" \
		"$name tracepoint: openat(AT_FDCWD, marker, O_WRONLY|O_CREAT|O_TRUNC, 0666)"
	for k in ksyscall kprobe; do
		cmp -s "$W/args.tp" "$W/args.$k" ||
			{ fail "$name $k: arguments differ from the tracepoint's:"; diff "$W/args.tp" "$W/args.$k"; }
	done
	sed -n "s/.*mmap tp: //p" "$W/args.out" >"$W/mmap.tp"
	sed -n "s/.*mmap ksyscall: //p" "$W/args.out" >"$W/mmap.ks"
	[ -s "$W/mmap.tp" ] || fail "$name: no mmap seen"
	cmp -s "$W/mmap.tp" "$W/mmap.ks" ||
		{ fail "$name ksyscall mmap: five arguments differ:"; diff "$W/mmap.tp" "$W/mmap.ks"; }
	for k in tp kretsyscall kretprobe; do
		sed -n "s/.*ret $k: //p" "$W/args.out" >"$W/ret.$k"
	done
	[ -s "$W/ret.tp" ] || fail "$name: no openat result seen"
	for k in kretsyscall kretprobe; do
		cmp -s "$W/ret.tp" "$W/ret.$k" ||
			{ fail "$name $k: results differ from sys_exit's:"; diff "$W/ret.tp" "$W/ret.$k"; }
	done
	# Linux's order at entry: the sys_enter tracepoint, then the function's probes.
	first=$(grep -E "args (tp|ksyscall|kprobe):" "$W/args.out" | head -1 | sed 's/.*args \([a-z]*\):.*/\1/')
	[ "$first" = tp ] || fail "$name: the first entry program was '$first', not the tracepoint"
done

# Function-entry uprobes: in the command (the agent's trampoline) and as breakpoints.
for mode in "" --ptrace; do
	name=${mode:-agent}
	# The example: add(2, b) returns 100 without running; the other calls run.
	"$B" trace $mode "$P/uprobe_override.o" --allow-override -- trace_probed add 4 >"$W/up"
	expect_line "$W/up" "sum 112" "$name uprobe_override: 0 + 3 + 100 + 9"
	"$B" trace $mode "$P/uprobe_override.o" --allow-override -- trace_probed threads 4 >"$W/upt"
	expect_line "$W/upt" "threads sum 2002388" "$name uprobe_override threads: 97 more per thread"
	# The uretprobe on the same function sees the value.
	"$B" trace $mode "$P/override_uret.o" --allow-override -o "$W/uret.out" -- trace_probed add 4 >"$W/uret"
	expect_line "$W/uret" "sum 112" "$name override_uret: result"
	for v in 0 3 100 9; do
		expect_count "$W/uret.out" "add returned $v$" 1 "$name uretprobe after an override: $v"
	done
done

# Refusals: nothing runs, and the message says which program and why.
allow="only when allowed explicitly (bpfrt trace --allow-override)"
for c in "fault_openat:ksyscall/openat:fail_openat" "uprobe_override:uprobe/trace_probed:add:add_two_is_100"; do
	obj=${c%%:*} rest=${c#*:}
	prog=${rest##*:} sec=${rest%:*}
	rm -f "$W/ran"
	if "$B" trace "$P/$obj.o" -- touch "$W/ran" >"$W/err" 2>&1; then
		fail "$obj without --allow-override: accepted"
	else
		expect_line "$W/err" "bpfrt: program '$prog' (section '$sec') calls bpf_override_return, which changes what the traced process's calls return; it runs $allow" \
			"$obj without --allow-override"
	fi
	[ -e "$W/ran" ] && fail "$obj without --allow-override: the command ran"
done
where="only a system call's entry (ksyscall/NAME, kprobe/__x64_sys_NAME) or a uprobe at a function's entry can return early"
for c in "on_return|uretprobe/trace_probed:add|a function's return: it has run already" \
	"at_offset|uprobe/trace_probed:add+4|inside the function (an offset past its entry)" \
	"at_usdt|usdt/trace_usdt:bpfrt:step|a USDT probe, inside a function" \
	"syscall_return|kretsyscall/openat|a system call's return: it has run already"; do
	prog=${c%%|*} rest=${c#*|}
	sec=${rest%%|*} why=${rest#*|}
	for mode in "" --ptrace; do
		if "$B" trace $mode "$P/bad_override.o" --allow-override --prog "$prog" -- true >"$W/err" 2>&1; then
			fail "$prog$mode: accepted"
		else
			expect_line "$W/err" "bpfrt: program '$prog' calls bpf_override_return, but section '$sec' is $why; $where" \
				"$prog$mode refused"
		fi
	done
done
# Another program type: refused when loaded (Linux: kprobe programs only), and by `bpfrt verify`.
tp_msg="prog 'tp_override': insn 1: helper bpf_override_return#58 is not allowed in tracepoint programs (call 58)"
if "$B" trace "$P/bad_override_tp.o" --allow-override -- true >"$W/err" 2>&1; then
	fail "tracepoint program: accepted"
else
	expect_line "$W/err" "bpfrt: $tp_msg" "tracepoint program refused at load"
fi
if "$B" verify "$P/bad_override_tp.o" >"$W/err" 2>&1; then
	fail "bpfrt verify: tracepoint program accepted"
else
	expect_grep "$W/err" "$(echo "$tp_msg" | sed 's/[()]/\\&/g')$" "bpfrt verify: tracepoint program"
fi
"$B" verify "$P/fault_openat.o" >"$W/verify" 2>&1 || fail "bpfrt verify fault_openat.o: $(cat "$W/verify")"
expect_grep "$W/verify" "^fail_openat: OK" "bpfrt verify: a kprobe program may call it"
# ksyscall sections naming no system call, or an offset.
for c in "no_such_ksyscall|bpfrt: program 'no_such_ksyscall': x86-64 has no system call 'nosuchcall' (section 'ksyscall/nosuchcall')" \
	"ksyscall_offset|bpfrt: program 'ksyscall_offset': section 'kprobe/__x64_sys_openat+4': a system call is hooked at its function's entry or return, not at an offset"; do
	prog=${c%%|*} msg=${c#*|}
	if "$B" trace "$P/bad_sections.o" --prog "$prog" -- true >"$W/err" 2>&1; then
		fail "$prog: accepted"
	else
		expect_line "$W/err" "$msg" "$prog"
	fi
done

# Linux as a second opinion: only where kprobes exist (the override needs
# CONFIG_BPF_KPROBE_OVERRIDE, which needs CONFIG_KPROBES).
if [ ! -d /sys/bus/event_source/devices/kprobe ]; then
	echo "note: no kernel comparison: this kernel has no kprobes (no /sys/bus/event_source/devices/kprobe)"
fi
finish
