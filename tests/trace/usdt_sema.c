/* SPDX-License-Identifier: MIT */
/*
 * usdt_sema.c - a USDT probe behind a semaphore, as programs guard probes
 * whose arguments are costly: the code runs only while a tracer holds the
 * count above 0. A file of its own, since <sys/sdt.h> gives every probe of
 * a file with _SDT_HAS_SEMAPHORES one, and usdt.c's probes have none.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

/* PROVIDER_NAME_semaphore in .probes: the name and place <sys/sdt.h> expects. */
volatile unsigned short bpfrt_guarded_semaphore __attribute__((section(".probes")));

int guarded(int i);

int guarded(int i)
{
	if (!bpfrt_guarded_semaphore)
		return 0;
	STAP_PROBE2(bpfrt, guarded, i, i * 100);
	return 1;
}
