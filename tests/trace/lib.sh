# Shared by the trace tests: arguments BPFRT PROGDIR TARGET, a scratch
# directory, a skip (77) where ptrace is not allowed, and checks that name
# what failed.
B=$1 P=$2 T=$3
W=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-trace.XXXXXX")
trap 'rm -rf "$W"' EXIT
fails=0

need_ptrace() {
	if ! "$B" trace "$P/hello.o" -o /dev/null -- true 2>"$W/probe.err"; then
		if grep -q "ptrace\|seccomp" "$W/probe.err"; then
			echo "SKIP: ptrace or seccomp is not allowed here: $(cat "$W/probe.err")"
			exit 77
		fi
	fi
}

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect_grep FILE PATTERN WHAT: FILE has a line matching the extended regex.
expect_grep() {
	grep -Eq -- "$2" "$1" || { fail "$3: no line matching '$2' in:"; sed 's/^/    /' "$1"; }
}

# expect_count FILE PATTERN N WHAT: exactly N lines match.
expect_count() {
	n=$(grep -Ec -- "$2" "$1")
	[ "$n" = "$3" ] || { fail "$4: $n lines match '$2', expected $3"; sed 's/^/    /' "$1"; }
}

# wait_for COMMAND...: poll (up to 20 s) until COMMAND succeeds; timing-free tests.
wait_for() {
	i=0
	until "$@" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 400 ] && return 1
		sleep 0.05
	done
}

finish() {
	[ "$fails" = 0 ] && echo "all passed" && exit 0
	echo "$fails check(s) failed"
	exit 1
}
