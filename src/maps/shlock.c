/* SPDX-License-Identifier: MIT */
/*
 * shlock.c - the slow paths of the shared lock, and futex(2) wrappers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "shlock.h"

long shfutex_wait(uint32_t *uaddr, uint32_t val, const struct timespec *rel_timeout)
{
	return syscall(SYS_futex, uaddr, FUTEX_WAIT, val, rel_timeout, NULL, 0);
}

long shfutex_wake(uint32_t *uaddr, int n)
{
	return syscall(SYS_futex, uaddr, FUTEX_WAKE, n, NULL, NULL, 0);
}

/*
 * Spin a little first: critical sections are a few hundred instructions,
 * so a holder running on another CPU usually lets go before a futex round
 * trip would. Then mark the lock contended (2) and sleep until it is free.
 */
void shlock_lock_slow(uint32_t *l)
{
	for (int i = 0; i < 200; i++) {
		uint32_t c = 0;
		if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(l, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	while (__atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE) != 0)
		shfutex_wait(l, 2, NULL);
}

void shlock_wake(uint32_t *l)
{
	shfutex_wake(l, 1);
}
