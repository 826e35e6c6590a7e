#!/bin/sh
# -p PID: attach to a running process, trace it, detach on SIGINT and leave it
# running; refuse processes that do not exist or that we may not trace.
. "$(dirname "$0")/lib.sh"
need_ptrace

"$T" loop "$W/stop" >"$W/loop.out" &
target=$!
wait_for test -s "$W/loop.out"
"$B" trace "$P/hello.o" -o "$W/attach.out" -p "$target" 2>"$W/attach.err" &
tracer=$!
wait_for grep -q "Hello, eBPF" "$W/attach.out" || fail "attach: no event within 20 s"
kill -INT "$tracer"
wait "$tracer"
rc=$?
[ "$rc" = 0 ] || fail "attach: bpfrt exited $rc after SIGINT: $(cat "$W/attach.err")"
expect_grep "$W/attach.out" "trace_target-$target .*Hello, eBPF! fd 1, [0-9]+ bytes" "attach: writes seen"
kill -0 "$target" 2>/dev/null || fail "attach: the target died"
n1=$(wc -l <"$W/loop.out")
wait_for sh -c "[ \$(wc -l <'$W/loop.out') -gt $((n1 + 2)) ]" ||
	fail "attach: the target stopped making progress after detach"
touch "$W/stop"
wait "$target"
rc=$?
[ "$rc" = 0 ] || fail "attach: the target exited $rc after detach"
tail -n 1 "$W/loop.out" | grep -q "loop done" || fail "attach: the target did not finish"
# Its ticks are numbered without a gap: nothing was lost or repeated.
awk '/^tick/ { if ($2 != n) { print "gap at " n; exit 1 } n++ }' "$W/loop.out" ||
	fail "attach: the target's output has a gap"

# A process that ends while attached: bpfrt exits with it.
rm -f "$W/stop"
"$T" loop "$W/stop" >/dev/null &
target=$!
"$B" trace "$P/hello.o" -o "$W/attach2.out" -p "$target" 2>/dev/null &
tracer=$!
wait_for grep -q "Hello, eBPF" "$W/attach2.out" || fail "attach: no event within 20 s (second)"
touch "$W/stop"
wait "$tracer" || fail "attach: bpfrt failed when the target exited"
wait "$target" || fail "attach: the target failed while traced"

# Bad input: a pid that does not exist, ourselves, one already traced.
"$B" trace "$P/hello.o" -p 999999999 >"$W/e1" 2>&1 && fail "attach: a nonexistent pid was accepted"
"$B" trace "$P/hello.o" -p 4194000 >"$W/e1" 2>&1 && fail "attach: a nonexistent pid was accepted"
expect_grep "$W/e1" "process 4194000 does not exist" "attach: nonexistent pid message"
rm -f "$W/stop"
"$B" trace "$P/hello.o" -o "$W/first.out" -- "$T" loop "$W/stop" >/dev/null &
first=$!
wait_for grep -q "Hello, eBPF" "$W/first.out"
held=$(pgrep -P "$first" trace_target)
if [ -n "$held" ]; then
	"$B" trace "$P/hello.o" -p "$held" >"$W/e2" 2>&1 && fail "attach: a traced process was attached twice"
	expect_grep "$W/e2" "process $held: not allowed to trace it" "attach: already traced message"
else
	fail "attach: the launched target was not found"
fi
touch "$W/stop"
wait "$first"
finish
