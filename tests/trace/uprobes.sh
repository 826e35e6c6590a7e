#!/bin/sh
# uprobes and uretprobes, in-process (the agent's patched jumps) and as int3
# breakpoints through ptrace: the uprobe examples against trace_probed, a
# probe in libc found by name, fork, -p attach and detach with the probes
# removed, and bad probes.
. "$(dirname "$0")/lib.sh"
need_ptrace
PATH=$(dirname "$4"):$PATH
export PATH

# Launched commands: in-process (the agent) and through ptrace breakpoints.
for mode in "" --ptrace; do
	name=${mode:-agent}
	want_agent=yes
	[ -n "$mode" ] && want_agent=no
	"$B" trace $mode "$P/uprobe_count.o" -- trace_probed agent >"$W/agent"
	expect_grep "$W/agent" "^agent $want_agent$" "$name: the agent library is loaded: $want_agent"

	# Counting calls, arguments through PT_REGS_PARM1/2 (BPF_KPROBE).
	"$B" trace $mode "$P/uprobe_count.o" --dump-maps -- trace_probed add 10 >"$W/count"
	expect_grep "$W/count" "^sum 135$" "$name uprobe: the program's own result"
	expect_grep "$W/count" "^@add_calls\[0\]: 10$" "$name uprobe: 10 calls"
	expect_grep "$W/count" "^@add_calls\[1\]: 135$" "$name uprobe: arguments a + b summed"

	# Return values (BPF_KRETPROBE), printed and counted.
	"$B" trace $mode "$P/uretprobe_ret.o" --dump-maps -o "$W/ret.out" -- trace_probed add 4 >"$W/ret"
	for v in 0 3 6 9; do
		expect_grep "$W/ret" "^@returns\[$v\]: 1$" "$name uretprobe: return value $v"
		expect_grep "$W/ret.out" "trace_probed-[0-9]+ .*add returned $v$" "$name uretprobe: line for $v"
	done
	expect_grep "$W/ret" "^sum 18$" "$name uretprobe: the program's result is unchanged"

	# Latency: five calls, each sleeping 2 ms, all in buckets 20 and up
	# (2^20 ns is 1.05 ms); how much longer a loaded machine takes varies.
	"$B" trace $mode "$P/latency.o" --dump-maps -- trace_probed work 5 2 >"$W/lat"
	expect_grep "$W/lat" "^work 20$" "$name latency: the program's result"
	total=$(sed -n 's/^@hist\[\(2[0-9]\|3[0-9]\)\]: \([0-9]*\)$/\2/p' "$W/lat" | awk '{ s += $1 } END { print s + 0 }')
	[ "$total" = 5 ] || { fail "$name latency: $total calls in buckets 20-39, expected 5"; cat "$W/lat"; }
	expect_count "$W/lat" "^@hist" "$(grep -c '^@hist\[[23][0-9]\]' "$W/lat")" "$name latency: no call under 1 ms"

	# A shared library by name, resolved through ld.so's directories.
	"$B" trace $mode "$P/libc_malloc.o" --dump-maps -- trace_probed malloc 7 >"$W/malloc"
	expect_grep "$W/malloc" "^@mallocs\[0\]: 7$" "$name libc uprobe: 7 mallocs of 12345 bytes"

	# Threads: 8 x 1000 concurrent calls, each counted once (breakpoints run
	# the displaced instruction out of line, so no thread passes a removed
	# int3); each thread's uretprobe frames stay apart.
	"$B" trace $mode "$P/uprobe_count.o" --dump-maps -- trace_probed threads 8 >"$W/threads"
	expect_grep "$W/threads" "^threads sum 4004000$" "$name uprobe threads: results unchanged"
	expect_grep "$W/threads" "^@add_calls\[0\]: 8000$" "$name uprobe threads: 8000 calls"
	"$B" trace $mode "$P/uretprobe_ret.o" --dump-maps -o /dev/null -- trace_probed threads 4 >"$W/rthreads"
	expect_grep "$W/rthreads" "^threads sum 2002000$" "$name uretprobe threads: results unchanged"
	expect_grep "$W/rthreads" "^@returns\[1000\]: 4$" \
		"$name uretprobe threads: add(999, 1) returned 1000 x4"

	# User stacks through frame pointers: the probed address, then at least
	# main's return address (outer's frame is not set up yet at add's entry).
	"$B" trace $mode "$P/ustack.o" -o "$W/stack.out" -- trace_probed stack >"$W/stack"
	expect_grep "$W/stack" "^outer 42$" "$name get_stack: result unchanged"
	expect_grep "$W/stack.out" "frames ([2-9]|1[0-6]) first-is-ip 1$" "$name get_stack: the user stack"
	expect_grep "$W/stack.out" "kernel stack -22$" "$name get_stack: no kernel stack (-EINVAL)"

	# fork: the child has the probes too, and both results are right.
	"$B" trace $mode "$P/uprobe_count.o" --dump-maps -- trace_probed fork >"$W/fork"
	expect_grep "$W/fork" "^parent 201 child 0$" "$name uprobe fork: results unchanged"
	expect_grep "$W/fork" "^@add_calls\[0\]: 2$" "$name uprobe fork: parent and child calls"
done

# A static program cannot preload the agent: its probes become breakpoints.
PATH=$(dirname "$4")/../bin-static:$PATH "$B" trace "$P/uretprobe_ret.o" --dump-maps -o /dev/null \
	-- trace_probed add 4 >"$W/static"
expect_grep "$W/static" "^sum 18$" "static program: result unchanged"
expect_count "$W/static" "^@returns\[(0|3|6|9)\]: 1$" 4 "static program: four return values"

# -p: probes in a running process, as breakpoints (removed at detach: the
# process would die of SIGTRAP otherwise) and with --agent (loaded by an
# injected dlopen(), patches undone at detach); a uretprobe in flight at
# detach returns normally.
for mode in "" --agent; do
	name=${mode:-breakpoints}
	rm -f "$W/stop"
	"$4" spin "$W/stop" >"$W/spin.out" &
	target=$!
	sleep 0.1
	"$B" trace $mode "$P/uretprobe_ret.o" --dump-maps -o "$W/attach.out" -p "$target" \
		>"$W/attach" 2>"$W/attach.err" &
	tracer=$!
	wait_for grep -q "attached to process" "$W/attach.err"
	wait_for grep -q "add returned" "$W/attach.out" || fail "$name uprobe attach: no return seen"
	if [ -n "$mode" ]; then
		# injected while bpfrt runs, so possibly after it says it attached
		wait_for grep -q libbpfrt_agent.so "/proc/$target/maps" ||
			fail "$name: the agent is not loaded"
	fi
	kill -INT "$tracer"
	wait "$tracer" || fail "$name uprobe attach: bpfrt failed: $(cat "$W/attach.err")"
	# spin calls add(i, 1) for i = 0, 1, ...: returns seen are i + 1 and counted once each.
	expect_grep "$W/attach" "^@returns\[[1-9][0-9]*\]: 1$" "$name uprobe attach: return values counted"
	expect_count "$W/attach" "^@returns\[[0-9]+\]: [2-9]" 0 "$name uprobe attach: no value counted twice"
	grep -q "failed\|cannot" "$W/attach.err" && fail "$name uprobe attach: $(cat "$W/attach.err")"
	sleep 0.1
	kill -0 "$target" 2>/dev/null || fail "$name uprobe attach: the target died after detach"
	touch "$W/stop"
	wait "$target"
	rc=$?
	[ "$rc" = 0 ] || fail "$name uprobe attach: the target exited $rc"
	expect_grep "$W/spin.out" "^spin ok$" "$name uprobe attach: the target's results stayed right"
done

# Bad probes: clear errors naming the program.
for c in "missing_symbol:trace_probed.*: no symbol 'no_such_function'" \
	"missing_file:no file 'no_such_file_anywhere'" \
	"no_function:does not name PATH:FUNCTION" \
	"ret_offset:a uretprobe is at a function's entry" \
	"kernel_probe:probes the kernel"; do
	prog=${c%%:*} pattern=${c#*:}
	if "$B" trace "$P/bad_uprobes.o" --prog "$prog" -- true >"$W/err" 2>&1; then
		fail "bad uprobe $prog: accepted"
	else
		expect_grep "$W/err" "program '$prog': .*$pattern" "bad uprobe $prog"
	fi
done
finish
