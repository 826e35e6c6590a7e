/* SPDX-License-Identifier: MIT */
/*
 * shlock.h - a lock that lives in shared memory and works across processes.
 *
 * A 32-bit word (0 free, 1 held, 2 held with waiters), the classic futex
 * mutex: taking a free lock is one compare-and-swap, and only contention
 * reaches the kernel. The futex is not FUTEX_PRIVATE, so threads of other
 * processes mapping the same file wait and wake on the same word. No
 * pthread mutex: it would need PTHREAD_PROCESS_SHARED and robustness, and
 * its layout is glibc's, not ours.
 *
 * A process that dies holding a lock leaves it held (as with any non-robust
 * lock); critical sections here are short and never call out.
 */
#ifndef BPFRT_MAPS_SHLOCK_H
#define BPFRT_MAPS_SHLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

void shlock_lock_slow(uint32_t *l);
void shlock_wake(uint32_t *l);

static inline void shlock_lock(uint32_t *l)
{
	uint32_t c = 0;
	if (!__atomic_compare_exchange_n(l, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		shlock_lock_slow(l);
}

static inline void shlock_unlock(uint32_t *l)
{
	if (__atomic_exchange_n(l, 0, __ATOMIC_RELEASE) == 2)
		shlock_wake(l);
}

/* futex(2) on a shared word: wait while *uaddr == val, or wake n waiters. */
long shfutex_wait(uint32_t *uaddr, uint32_t val, const struct timespec *rel_timeout);
long shfutex_wake(uint32_t *uaddr, int n);

#endif
