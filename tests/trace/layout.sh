#!/bin/sh
# Syscall tracepoint records as the kernel lays them out: common_type is the
# event ID from tracefs, common_pid the thread, __syscall_nr, the arguments
# and ret at the format file's offsets (read through the kernel's own types).
. "$(dirname "$0")/lib.sh"
need_ptrace
tf=/sys/kernel/tracing/events/syscalls
[ -r $tf/sys_enter_write/format ] || tf=/sys/kernel/debug/tracing/events/syscalls
if [ ! -r $tf/sys_enter_write/format ]; then
	echo "SKIP: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)"
	exit 77
fi
enter_id=$(sed -n 's/^ID: //p' $tf/sys_enter_write/format)
exit_id=$(sed -n 's/^ID: //p' $tf/sys_exit_write/format)

# The common fields (first 8 bytes) are what this test checks, and Linux's
# verifier refuses reads of them, as bpfrt's does: so the checked engine.
"$B" trace "$P/tp_layout.o" --checked -o "$W/out" -- "$T" write 1 >/dev/null
pid=$(sed -n 's/.*enter type [0-9]* pid \([0-9]*\) tgid.*/\1/p' "$W/out")
expect_grep "$W/out" "trace_target-$pid .*enter type $enter_id pid $pid tgid $pid$" "sys_enter header"
expect_grep "$W/out" "enter nr 1 fd 1 count 7$" "sys_enter nr and arguments"
expect_grep "$W/out" "exit type $exit_id nr 1 ret 7$" "sys_exit header, nr and ret"

# raw_tracepoint sys_enter/sys_exit: exact counts for a known command.
"$B" trace "$P/raw_syscalls.o" --dump-maps -o /dev/null -- "$T" write 4 >"$W/raw"
expect_grep "$W/raw" "^@stats\[0\]: 4$" "raw: 4 writes by number"
expect_grep "$W/raw" "^@stats\[1\]: 28$" "raw: 28 bytes from the return values"
expect_grep "$W/raw" "^@stats\[3\]: 4$" "raw: fd 1 from struct pt_regs"
finish
