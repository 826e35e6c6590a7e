/* SPDX-License-Identifier: MIT */
/*
 * shlock.c - the slow paths of the shared lock: waiting, and taking over
 * from a holder that is gone. futex(2) wrappers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "shlock.h"

#define TID_MAX (1u << 22) /* the kernel's PID_MAX_LIMIT */

__thread uint32_t shlock_my_tid;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A forked child is another thread: it must not lock with its parent's id. */
static void forget_tid(void)
{
	shlock_my_tid = 0;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, forget_tid);
}

uint32_t shlock_tid_slow(void)
{
	pthread_once(&atfork_once, register_atfork);
	shlock_my_tid = (uint32_t)syscall(SYS_gettid);
	return shlock_my_tid;
}

long shfutex_wait(uint32_t *uaddr, uint32_t val, const struct timespec *rel_timeout)
{
	return syscall(SYS_futex, uaddr, FUTEX_WAIT, val, rel_timeout, NULL, 0);
}

long shfutex_wake(uint32_t *uaddr, int n)
{
	return syscall(SYS_futex, uaddr, FUTEX_WAKE, n, NULL, NULL, 0);
}

void shlock_wake(uint32_t *l)
{
	shfutex_wake(l, 1);
}

/*
 * The "dev inode" of the file mapped at addr in this process (from
 * /proc/self/maps), so that we can ask whether another task maps it too.
 */
static bool file_of(uintptr_t addr, char *id, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	while (f && !found && getline(&line, &cap, f) > 0) {
		unsigned long lo, hi;
		char dev[32];
		unsigned long long ino;
		if (sscanf(line, "%lx-%lx %*s %*s %31s %llu", &lo, &hi, dev, &ino) == 4 &&
		    addr >= lo && addr < hi && ino) {
			snprintf(id, len, "%s %llu", dev, ino);
			found = true;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}

/* Does task tid exist and map the file id? Unknown (no /proc...) counts as yes. */
static bool holder_alive(uint32_t tid, const char *id)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%u/maps", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno != ENOENT && errno != ESRCH;
	char *line = NULL;
	size_t cap = 0;
	bool maps = false;
	while (!maps && getline(&line, &cap, f) > 0) {
		char dev[32], mine[64];
		unsigned long long ino;
		if (sscanf(line, "%*s %*s %*s %31s %llu", dev, &ino) == 2) {
			snprintf(mine, sizeof(mine), "%s %llu", dev, ino);
			maps = !strcmp(mine, id);
		}
	}
	free(line);
	fclose(f);
	return maps;
}

static bool holder_gone(uint32_t *l, uint32_t holder)
{
	char id[64];
	if (!holder || holder >= TID_MAX)
		return true; /* not a thread id: a damaged lock word */
	if (!file_of((uintptr_t)l, id, sizeof(id)))
		return false; /* cannot tell: keep waiting */
	return !holder_alive(holder, id);
}

/*
 * Spin a little first: critical sections are a few hundred instructions,
 * so a holder running on another CPU usually lets go before a futex round
 * trip would. Then mark the lock contended and sleep until it is free,
 * checking now and then that the holder is still there. A lock taken after
 * sleeping keeps the waiters bit: others may still sleep.
 */
bool shlock_lock_slow(uint32_t *l)
{
	uint32_t me = shlock_tid();
	for (int i = 0; i < 200; i++) {
		uint32_t c = 0;
		if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(l, &c, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return false;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	const struct timespec check = { 0, SHLOCK_CHECK_MS * 1000000L };
	for (;;) {
		uint32_t c = __atomic_load_n(l, __ATOMIC_RELAXED);
		if (c == 0) {
			if (__atomic_compare_exchange_n(l, &c, me | SHLOCK_WAITERS, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return false;
			continue;
		}
		if (!(c & SHLOCK_WAITERS)) {
			if (!__atomic_compare_exchange_n(l, &c, c | SHLOCK_WAITERS, false,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				continue;
			c |= SHLOCK_WAITERS;
		}
		if (shfutex_wait(l, c, &check) < 0 && errno == ETIMEDOUT &&
		    holder_gone(l, c & ~SHLOCK_WAITERS) &&
		    __atomic_compare_exchange_n(l, &c, me | SHLOCK_WAITERS, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true; /* taken over from a holder that is gone */
	}
}
