#!/bin/sh
# System call hooks in the command (--inproc-syscalls): after the first call
# of a site (by signal, syscall user dispatch) glibc's call sites are
# rewritten into jumps to the hooks, and every call is still hooked exactly
# once: counted by a program against the command's own count, with the
# agent's report (-v) saying which way the calls went. --inproc-syscalls=sigsys
# keeps every call on the signal. The registers and the unchanged output are
# checked by unchanged.sh (modes regs, rawfork) under both.
. "$(dirname "$0")/lib.sh"
need_ptrace
PROBED=$P/../bin/trace_probed

hooked() { # FILE: the numbers of the agent's report: total rewritten-sites signalled
	sed -n 's/.*system calls hooked: \([0-9]*\) through \([0-9]*\) rewritten sites, \([0-9]*\) by signal.*/\1 \2 \3/p' "$1" | head -1
}

"$B" trace "$P/bench_hooks.o" --prog bench_syscall --inproc-syscalls -v --dump-maps \
	-- "$PROBED" time_getppid 20000 >"$W/rw.out" 2>&1 || fail "rewritten run failed"
expect_grep "$W/rw.out" "^@hits\[2\]: 20000$" "rewritten: every getppid hooked once"
set -- $(hooked "$W/rw.out")
[ "${1:-0}" -ge 19999 ] && [ "${2:-0}" -ge 1 ] && [ "${3:-99999}" -lt 200 ] ||
	fail "rewritten: the calls did not go through rewritten sites ($*)"

"$B" trace "$P/bench_hooks.o" --prog bench_syscall --inproc-syscalls=sigsys -v --dump-maps \
	-- "$PROBED" time_getppid 20000 >"$W/sig.out" 2>&1 || fail "sigsys run failed"
expect_grep "$W/sig.out" "^@hits\[2\]: 20000$" "sigsys: every getppid hooked once"
set -- $(hooked "$W/sig.out")
[ "${2:-1}" = 0 ] && [ "${3:-0}" -ge 20000 ] ||
	fail "sigsys: sites were rewritten or calls not signalled ($*)"

# Threads making the same call while its site is rewritten under them.
for opt in --inproc-syscalls --inproc-syscalls=sigsys; do
	"$B" trace "$P/bench_hooks.o" --prog bench_syscall $opt --dump-maps \
		-- "$T" storm 5000 >"$W/storm.out" 2>&1 || fail "storm $opt failed"
	expect_grep "$W/storm.out" "^storm: 39992 of 39992 calls agreed$" "storm $opt: results"
	# 8 threads: one getppid each before the barrier, 4999 in the loop
	expect_grep "$W/storm.out" "^@hits\[2\]: 40000$" "storm $opt: every call hooked once"
done
# A 20 us timer whose handler makes the hooked call too, while the loop
# makes it: the process survives in both modes (a handler run inside the
# SIGSYS handler must not have its calls dispatched), every loop call is
# hooked, and with rewriting the handler's nearly all (those interrupting
# a program run are the nested runs bpfrt, like Linux, does not make).
for opt in --inproc-syscalls --inproc-syscalls=sigsys; do
	"$B" trace "$P/bench_hooks.o" --prog bench_syscall $opt --dump-maps \
		-- "$T" sigstorm 20000 >"$W/storm.out" 2>&1 || fail "sigstorm $opt: status $?"
	h=$(sed -n 's/^sigstorm: 20000 calls, \([0-9]*\) in the handler$/\1/p' "$W/storm.out")
	n=$(sed -n 's/^@hits\[2\]: \([0-9]*\)$/\1/p' "$W/storm.out")
	[ -n "$h" ] && [ -n "$n" ] && [ "$n" -ge 20000 ] && [ "$n" -le $((20000 + h)) ] ||
		fail "sigstorm $opt: $n calls hooked, $h by the handler"
	[ "$opt" = --inproc-syscalls=sigsys ] || [ "$n" -ge $((20000 + h * 9 / 10)) ] ||
		fail "sigstorm $opt: only $n of $((20000 + h)) calls hooked"
done

# A library loaded later (3 times, dlclose in between) with a system call
# site of its own: found and rewritten after each load. Each round calls
# the library's getppid and libc's 1000 times each.
PATH=$P/../bin:$PATH
LD_LIBRARY_PATH=$P/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH LD_LIBRARY_PATH
"$B" trace "$P/bench_hooks.o" --prog bench_syscall --inproc-syscalls -v --dump-maps \
	-- trace_dlopen libtrace_probed.so 1000 3 >"$W/dl.out" 2>&1 || fail "dlopen run failed"
expect_grep "$W/dl.out" "^@hits\[2\]: 6000$" "dlopen: every getppid hooked once"
set -- $(hooked "$W/dl.out")
[ "${1:-0}" -ge 5990 ] && [ "${3:-99999}" -lt 200 ] ||
	fail "dlopen: the library's calls were not through rewritten sites ($*)"
finish
