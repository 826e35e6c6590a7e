#!/bin/sh
# USDT probes (SEC("usdt/PATH:PROVIDER:NAME")) against trace_usdt: the
# usdt example's printed arguments (registers, memory, constants, every call
# site) in-process (the agent) and through ptrace breakpoints; the guarded
# probe's semaphore raised while attached and lowered at detach; bad probes.
. "$(dirname "$0")/lib.sh"
need_ptrace
PATH=$(dirname "$4"):$PATH
export PATH

# Untraced, the semaphore is 0: the guarded probe does not run.
trace_usdt 3 >"$W/plain"
expect_grep "$W/plain" "^sum 3007 guarded 0$" "untraced: result, guarded probe off"

for mode in "" --ptrace; do
	name=${mode:-agent}
	"$B" trace $mode "$P/usdt.o" -o "$W/usdt.out" -- trace_usdt 3 >"$W/usdt"
	expect_grep "$W/usdt" "^sum 3007 guarded 3$" "$name: result unchanged, semaphore raised"
	# bpfrt:step in step(): -4@%edi -8@(%rsi) -4@8(%rsi) -4@$-7.
	for x in "0 1000" "1 1001" "2 1003"; do
		expect_count "$W/usdt.out" "bpf_trace_printk: step i=${x% *} x=${x#* }$" 1 \
			"$name: step $x (register, memory)"
	done
	# The second call site, in main(): -4@$-1 -8@%r12 -4@$-5 -4@$-7.
	expect_count "$W/usdt.out" "bpf_trace_printk: step i=-1 x=3007$" 1 "$name: main's call site"
	expect_count "$W/usdt.out" "bpf_trace_printk: step y=-5 c=-7 args=4$" 4 \
		"$name: memory at offset 8, constants, bpf_usdt_arg_cnt"
	# BPF_USDT arguments of the semaphore-guarded probe.
	for i in 0 1 2; do
		expect_count "$W/usdt.out" "trace_usdt-[0-9]+ .*bpf_trace_printk: guarded $i $((i * 100))$" 1 \
			"$name: guarded probe $i"
	done
done

# -p: the semaphore is raised at attach and lowered at detach (breakpoints,
# and the agent loaded into the process).
for mode in "" --agent; do
	name=${mode:-breakpoints}
	trace_usdt watch >"$W/watch" &
	target=$!
	wait_for grep -q "^guarded off$" "$W/watch" || fail "$name: trace_usdt watch did not start"
	"$B" trace $mode "$P/usdt.o" --prog guarded -o "$W/attach.out" -p "$target" \
		>"$W/attach" 2>"$W/attach.err" &
	tracer=$!
	wait_for grep -q "^guarded on$" "$W/watch" || fail "$name: semaphore not raised at attach"
	wait_for grep -q "bpf_trace_printk: guarded [0-9]" "$W/attach.out" ||
		fail "$name: no guarded probe seen"
	kill -INT "$tracer"
	wait "$tracer" || fail "$name: bpfrt failed: $(cat "$W/attach.err")"
	wait_for sh -c "tail -n 1 '$W/watch' | grep -q '^guarded off$'" ||
		fail "$name: semaphore not lowered at detach"
	kill -TERM "$target"
	wait "$target"
	rc=$?
	[ "$rc" = 0 ] || fail "$name: the target exited $rc after detach"
	expect_count "$W/watch" "^guarded on$" 1 "$name: one attach, one raise"
done

# Bad probes: clear errors naming the program, the file and the probe.
for c in "missing_name:trace_usdt has no USDT probe bpfrt:no_such_probe" \
	"missing_provider:trace_usdt has no USDT probe no_such_provider:step" \
	"no_notes:trace_probed has no USDT probes \(no .note.stapsdt section\)" \
	"no_provider:does not name usdt/PATH:PROVIDER:NAME" \
	"missing_file:no file 'no_such_file_anywhere'"; do
	prog=${c%%:*} pattern=${c#*:}
	if "$B" trace "$P/bad_usdt.o" --prog "$prog" -- true >"$W/err" 2>&1; then
		fail "bad usdt $prog: accepted"
	else
		expect_grep "$W/err" "program '$prog': .*$pattern" "bad usdt $prog"
	fi
done
finish
