#!/bin/sh
# Probes in a library that is not loaded when tracing starts: trace_dlopen
# dlopen()s libtrace_probed.so, then calls it; in-process (the agent
# patches it when ld.so has mapped it, before it can run) and through
# ptrace breakpoints (placed after the mmap that maps it). A library closed
# and opened again is probed at each new mapping; a program that execs the
# one loading it is followed. A probe whose library no process loads says
# so at the end; one whose library cannot be found is refused at start.
# Arguments: BPFRT PROGDIR TARGET TRACE_DLOPEN LIBTRACE_PROBED
. "$(dirname "$0")/lib.sh"
need_ptrace
PATH=$(dirname "$4"):$PATH
LD_LIBRARY_PATH=$(dirname "$5")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH LD_LIBRARY_PATH
lib=$5

for mode in "" --ptrace; do
	name=${mode:-agent}
	# By absolute path: the same file (device and inode) the section names by library name.
	"$B" trace $mode "$P/solib.o" --dump-maps -o "$W/out" -- trace_dlopen "$lib" 3 >"$W/res" \
		2>"$W/err" || fail "$name: bpfrt failed: $(cat "$W/err")"
	expect_grep "$W/res" "^sum 9 fired 3$" "$name dlopen: result unchanged, semaphore raised"
	expect_grep "$W/res" "^@lib\[0\]: 3$" "$name dlopen uprobe: 3 calls"
	expect_grep "$W/res" "^@lib\[1\]: 9$" "$name dlopen uprobe: arguments summed"
	expect_grep "$W/res" "^@lib\[2\]: 9$" "$name dlopen uretprobe: returns summed"
	expect_grep "$W/res" "^@lib\[3\]: 3$" "$name dlopen usdt: 3 hits"
	for i in 0 1 2; do
		expect_count "$W/out" "trace_dlopen-[0-9]+ .*bpf_trace_printk: op $i $((i * 100))$" 1 \
			"$name dlopen usdt: arguments of call $i"
	done
	grep -q "never fired\|cannot" "$W/err" && fail "$name dlopen: $(cat "$W/err")"

	# Three rounds of dlopen, 3 calls, dlclose: a fresh mapping each time.
	"$B" trace $mode "$P/solib.o" --dump-maps -o /dev/null -- trace_dlopen libtrace_probed.so 3 3 \
		>"$W/res" 2>"$W/err" || fail "$name reload: bpfrt failed: $(cat "$W/err")"
	expect_grep "$W/res" "^sum 27 fired 9$" "$name reload: semaphore raised in every mapping"
	expect_grep "$W/res" "^@lib\[0\]: 9$" "$name reload uprobe: 9 calls"
	expect_grep "$W/res" "^@lib\[2\]: 27$" "$name reload uretprobe: returns summed"
	expect_grep "$W/res" "^@lib\[3\]: 9$" "$name reload usdt: 9 hits"

	# The library is loaded by a program the command execs, not by the command.
	"$B" trace $mode "$P/solib.o" --dump-maps -o /dev/null -- sh -c 'trace_dlopen libtrace_probed.so 2' \
		>"$W/res" 2>"$W/err" || fail "$name exec: bpfrt failed: $(cat "$W/err")"
	expect_grep "$W/res" "^sum 3 fired 2$" "$name exec: result, semaphore raised"
	expect_grep "$W/res" "^@lib\[0\]: 2$" "$name exec: 2 calls"
	grep -q "never fired" "$W/err" && fail "$name exec: reported unseen: $(cat "$W/err")"

	# Never loaded: accepted (it could have been), and said at the end, per program.
	"$B" trace $mode "$P/solib.o" -- true >"$W/res" 2>"$W/err" ||
		fail "$name never loaded: bpfrt failed: $(cat "$W/err")"
	for p in "lib_add_entry:uprobe/libtrace_probed.so:lib_add" \
		"lib_add_ret:uretprobe/libtrace_probed.so:lib_add" \
		"lib_op:usdt/libtrace_probed.so:trace_lib:op"; do
		expect_count "$W/err" "program '${p%%:*}': no traced process loaded the file of '${p#*:}'; it never fired" \
			1 "$name never loaded: ${p%%:*} reported"
	done
done

# A library found nowhere: refused before anything runs, as libbpf refuses to attach.
if "$B" trace "$P/bad_uprobes.o" --prog missing_library -- true >"$W/err" 2>&1; then
	fail "missing library: accepted"
else
	expect_grep "$W/err" "program 'missing_library': no file 'libno_such_library.so' .*looked in LD_LIBRARY_PATH" \
		"missing library: refused, saying where bpfrt looked"
fi
finish
