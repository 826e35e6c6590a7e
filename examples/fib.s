# fib.s - the N-th Fibonacci number, N read from the first byte of the input
# memory. LLVM/kernel assembler syntax; run it with:
#   bpfrt run examples/fib.s --mem 5a          # N = 90
	r6 = *(u8 *)(r1 + 0)
	r0 = 0
	r1 = 1
loop:
	if r6 == 0 goto done
	r2 = r0
	r2 += r1
	r0 = r1
	r1 = r2
	r6 += -1
	goto loop
done:
	exit
