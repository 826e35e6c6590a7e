#!/bin/sh
# Probes in a shared library the traced program links (DT_NEEDED):
# libtrace_probed.so, named as libbpf names a library (found through
# LD_LIBRARY_PATH), with a uprobe, a uretprobe and a USDT probe whose
# semaphore lies in the library's data segment (mapped at another distance
# from its file offset than the text), in-process (the agent) and through
# ptrace breakpoints: each is found at the library's load address, the
# semaphore raised where the library's data is.
# Arguments: BPFRT PROGDIR TARGET TRACE_SOLIB LIBTRACE_PROBED
. "$(dirname "$0")/lib.sh"
need_ptrace
PATH=$(dirname "$4"):$PATH
LD_LIBRARY_PATH=$(dirname "$5")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH LD_LIBRARY_PATH

# Untraced, the semaphore is 0: lib_op's probe does not run.
trace_solib 4 >"$W/plain"
expect_grep "$W/plain" "^sum 18 fired 0$" "untraced: result, semaphore off"

for mode in "" --ptrace; do
	name=${mode:-agent}
	"$B" trace $mode "$P/solib.o" --dump-maps -o "$W/out" -- trace_solib 4 >"$W/res" 2>"$W/err" ||
		fail "$name: bpfrt failed: $(cat "$W/err")"
	expect_grep "$W/res" "^sum 18 fired 4$" "$name: result unchanged, semaphore raised"
	# lib_add(i, 2i), i < 4: 4 calls, arguments and returns summing to 18.
	expect_grep "$W/res" "^@lib\[0\]: 4$" "$name uprobe: 4 calls of lib_add"
	expect_grep "$W/res" "^@lib\[1\]: 18$" "$name uprobe: arguments a + b summed"
	expect_grep "$W/res" "^@lib\[2\]: 18$" "$name uretprobe: return values summed"
	expect_grep "$W/res" "^@lib\[3\]: 4$" "$name usdt: 4 hits"
	# trace_lib:op (-4@%edi -8@%rsi): BPF_USDT's arguments.
	for i in 0 1 2 3; do
		expect_count "$W/out" "trace_solib-[0-9]+ .*bpf_trace_printk: op $i $((i * 100))$" 1 \
			"$name usdt: arguments of call $i"
	done
	grep -q "never fired\|cannot" "$W/err" && fail "$name: $(cat "$W/err")"
done
finish
