#!/bin/sh
# Bad input to bpfrt trace: clear errors naming the subject, never a hang.
. "$(dirname "$0")/lib.sh"
need_ptrace

# expect_error WHAT PATTERN ARGS...: bpfrt fails with a message matching PATTERN.
expect_error() {
	what=$1 pattern=$2
	shift 2
	if "$B" trace "$@" >"$W/err" 2>&1; then
		fail "$what: accepted"
	else
		expect_grep "$W/err" "$pattern" "$what"
	fi
}

expect_error "unknown syscall" "program 'no_such_syscall': x86-64 has no system call 'nosuchcall'" \
	"$P/bad_sections.o" --prog no_such_syscall -- true
expect_error "kernel tracepoint" "program 'kernel_only': tracepoint 'sched/sched_switch' happens in the kernel" \
	"$P/bad_sections.o" --prog kernel_only -- true
expect_error "kernel raw tracepoint" "program 'raw_kernel_only': raw tracepoint 'sched_switch'" \
	"$P/bad_sections.o" --prog raw_kernel_only -- true
expect_error "not a tracing program" "program 'not_tracing': section 'xdp' is not a hook" \
	"$P/bad_sections.o" --prog not_tracing -- true
expect_error "missing program" "has no program 'nope'" "$P/hello.o" --prog nope -- true
expect_error "no hooks" "has no program for process hooks" "$P/../../loader/progs/xdp_block.v3.o" -- true
expect_error "missing object" "nonexistent.o" "$W/nonexistent.o" -- true
expect_error "no command" "give either -p PID or -- CMD" "$P/hello.o"
expect_error "both" "give either -p PID or -- CMD" "$P/hello.o" -p 1 -- true
expect_error "bad pid" "'abc' is not a process id" "$P/hello.o" -p abc
expect_error "engines" "exclude each other" "$P/hello.o" --jit --interp -- true
expect_error "inproc with -p" "--inproc-syscalls is for launched commands" "$P/hello.o" \
	--inproc-syscalls -p 1
expect_error "inproc with --ptrace" "--inproc-syscalls is for launched commands" "$P/hello.o" \
	--inproc-syscalls --ptrace -- true

# A command that does not exist: the shell's status 127 and its name.
"$B" trace "$P/hello.o" -- "$W/no-such-command" >"$W/err" 2>&1
rc=$?
[ "$rc" = 127 ] || fail "missing command: status $rc, expected 127"
expect_grep "$W/err" "no-such-command: No such file or directory" "missing command message"
finish
