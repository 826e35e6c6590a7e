#!/bin/sh
# A traced command behaves as without tracing: the same output and exit
# status, in every mode of the target (threads, fork, exec, signals, job
# control), with hooks on one system call (seccomp filter), on all of them,
# and with the uprobe agent preloaded (uprobe_count: nothing to patch here,
# which bpfrt reports at the end).
# TRACE_OPTS: more options for every run, split into words (trace/*-inproc set
# --inproc-syscalls, with the same expectations).
# shellcheck disable=SC2086
. "$(dirname "$0")/lib.sh"
need_ptrace
PATH=$P/../bin:$PATH # uprobe_count probes trace_probed, found on PATH
export PATH

while read -r args; do
	case "$args" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	"$T" $args >"$W/plain" 2>&1
	want=$?
	for obj in hello raw_syscalls openat uprobe_count; do
		# shellcheck disable=SC2086
		"$B" trace "$P/$obj.o" $TRACE_OPTS -o "$W/trace.out" -- "$T" $args >"$W/traced" 2>&1
		got=$?
		if [ "$obj" = uprobe_count ]; then
			# Its file is not this program: bpfrt says so at the end, and that is all.
			unseen="^bpfrt: program 'count_add': no traced process loaded the file of .* it never fired$"
			expect_count "$W/traced" "$unseen" 1 "'$args' under $obj: the unseen probe reported"
			grep -Ev -- "$unseen" "$W/traced" >"$W/traced.cmd"
			mv "$W/traced.cmd" "$W/traced"
		fi
		[ "$got" = "$want" ] || fail "'$args' under $obj: exit status $got, without tracing $want"
		cmp -s "$W/plain" "$W/traced" || {
			fail "'$args' under $obj: output differs"
			diff "$W/plain" "$W/traced" | sed 's/^/    /'
		}
	done
done <<'CASES'
write 3
threads 8
fork
exec
signals
sigmask
regs
rawfork
sigsuspend
stop
exit 42
kill 15
kill 11
CASES

# The hooks ran in every thread and child: one hello line per write.
"$B" trace "$P/hello.o" $TRACE_OPTS -o "$W/threads.out" -- "$T" threads 8 >/dev/null
expect_count "$W/threads.out" "Hello, eBPF!" 9 "threads: writes of all 8 threads and the main one"
"$B" trace "$P/hello.o" $TRACE_OPTS -o "$W/fork.out" -- "$T" fork >/dev/null
expect_count "$W/fork.out" "Hello, eBPF!" 2 "fork: the child's write and the parent's"
"$B" trace "$P/hello.o" $TRACE_OPTS -o "$W/exec.out" -- "$T" exec >/dev/null
expect_count "$W/exec.out" "Hello, eBPF!" 3 "exec: writes before and after exec"
# raw_syscalls reads write's number and fd from the registers, the bytes from its result.
"$B" trace "$P/raw_syscalls.o" $TRACE_OPTS --dump-maps -- "$T" threads 4 >"$W/raw.out"
expect_grep "$W/raw.out" "^@stats\[0\]: 5$" "raw_syscalls: 5 writes (4 threads, main)"
expect_grep "$W/raw.out" "^@stats\[1\]: 49$" "raw_syscalls: the bytes they wrote"
expect_grep "$W/raw.out" "^@stats\[3\]: 5$" "raw_syscalls: fd 1 read from the registers"
"$B" trace "$P/hello.o" $TRACE_OPTS -o "$W/sigmask.out" -- "$T" sigmask >/dev/null
expect_count "$W/sigmask.out" "Hello, eBPF!" 3 "sigmask: the writes inside and outside the handler"
finish
