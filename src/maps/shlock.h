/* SPDX-License-Identifier: MIT */
/*
 * shlock.h - a lock that lives in shared memory and works across processes,
 * and survives the death of its holder.
 *
 * A 32-bit word: 0 when free, else the holder's thread id, with
 * SHLOCK_WAITERS set when others sleep on it. Taking a free lock is one
 * compare-and-swap; only contention reaches the kernel, through a futex
 * that is not FUTEX_PRIVATE, so threads of other processes mapping the same
 * file wait and wake on the same word. No pthread mutex: it would need
 * PTHREAD_PROCESS_SHARED and robustness, and its layout is glibc's.
 *
 * Holding the thread id makes the lock recoverable: a waiter that has
 * waited long (SHLOCK_CHECK_MS) checks that the holder still exists and
 * still maps this memory, and takes the lock over if not: a process killed
 * inside a map operation, or a lock word that is garbage (a damaged pinned
 * file), does not block everyone forever. The data the dead holder was
 * changing may be half-changed: shlock_lock() says so, for callers that can
 * repair it; map code never trusts indices it reads from the region, so
 * the others give wrong answers at worst, never a crash. (Thread ids are
 * those of our pid namespace: processes sharing a map from different pid
 * namespaces could take over a lock held for longer than SHLOCK_CHECK_MS.)
 */
#ifndef BPFRT_MAPS_SHLOCK_H
#define BPFRT_MAPS_SHLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SHLOCK_WAITERS 0x80000000u
#define SHLOCK_CHECK_MS 100

extern __thread uint32_t shlock_my_tid;
uint32_t shlock_tid_slow(void);
bool shlock_lock_slow(uint32_t *l);
void shlock_wake(uint32_t *l);

/* This thread's id, cached (and forgotten in a forked child). */
static inline uint32_t shlock_tid(void)
{
	return shlock_my_tid ? shlock_my_tid : shlock_tid_slow();
}

/* Returns true when the lock was taken over from a holder that is gone. */
static inline bool shlock_lock(uint32_t *l)
{
	uint32_t c = 0;
	if (__atomic_compare_exchange_n(l, &c, shlock_tid(), false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return false;
	return shlock_lock_slow(l);
}

static inline void shlock_unlock(uint32_t *l)
{
	if (__atomic_exchange_n(l, 0, __ATOMIC_RELEASE) & SHLOCK_WAITERS)
		shlock_wake(l);
}

/* futex(2) on a shared word: wait while *uaddr == val, or wake n waiters. */
long shfutex_wait(uint32_t *uaddr, uint32_t val, const struct timespec *rel_timeout);
long shfutex_wake(uint32_t *uaddr, int n);

#endif
