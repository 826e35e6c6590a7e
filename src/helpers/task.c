/* SPDX-License-Identifier: MIT */
/*
 * task.c - the current task: ids, name, CPU, random numbers.
 *
 * "Current" is the thread running the program, as in the kernel; tgid is the
 * process id and pid the thread id.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>
#include "helpers.h"
#include "runtime/runtime.h"

HELPER(bpf_get_current_pid_tgid)
{
	const struct bpfrt_task *t = rt_task(ex->rt);
	if (t)
		return (uint64_t)(uint32_t)t->tgid << 32 | (uint32_t)t->pid;
	return (uint64_t)getpid() << 32 | (uint32_t)gettid();
}

HELPER(bpf_get_current_uid_gid)
{
	const struct bpfrt_task *t = rt_task(ex->rt);
	if (t)
		return (uint64_t)t->gid << 32 | t->uid;
	return (uint64_t)getgid() << 32 | (uint32_t)getuid();
}

/* bpf_get_current_comm(buf, size): the thread's name, NUL-terminated, zero-padded. */
HELPER(bpf_get_current_comm)
{
	if (!helper_mem(ex, "bpf_get_current_comm", 1, r1, r2, true))
		return 0;
	if (r2 == 0)
		return (uint64_t)-EINVAL;
	char comm[17] = "";
	const struct bpfrt_task *t = rt_task(ex->rt);
	if (t)
		memcpy(comm, t->comm, sizeof(t->comm));
	else
		prctl(PR_GET_NAME, comm);
	char *buf = (char *)(uintptr_t)r1;
	size_t n = strnlen(comm, 16);
	if (n >= r2)
		n = r2 - 1;
	memset(buf, 0, r2);
	memcpy(buf, comm, n);
	return 0;
}

HELPER(bpf_get_smp_processor_id)
{
	int cpu = sched_getcpu();
	return cpu < 0 ? 0 : (uint64_t)cpu;
}

HELPER(bpf_get_numa_node_id)
{
	unsigned cpu, node = 0;
	if (getcpu(&cpu, &node))
		node = 0;
	return node;
}

/* A per-thread xorshift generator, seeded from the kernel's entropy. */
HELPER(bpf_get_prandom_u32)
{
	static __thread uint64_t state;
	if (!state && (getrandom(&state, sizeof(state), 0) != sizeof(state) || !state))
		state = 0x9e3779b97f4a7c15ull ^ (uint64_t)gettid();
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)(state >> 16);
}

const struct helper_def helpers_task[] = {
	{ 7, "bpf_get_prandom_u32", bpf_get_prandom_u32, HG_BASE, PROTO(RET_INTEGER) },
	{ 8, "bpf_get_smp_processor_id", bpf_get_smp_processor_id, HG_BASE, PROTO(RET_INTEGER) },
	{ 14, "bpf_get_current_pid_tgid", bpf_get_current_pid_tgid, HG_TRACE, PROTO(RET_INTEGER) },
	{ 15, "bpf_get_current_uid_gid", bpf_get_current_uid_gid, HG_TRACE, PROTO(RET_INTEGER) },
	{ 16, "bpf_get_current_comm", bpf_get_current_comm, HG_TRACE, PROTO(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE) },
	{ 42, "bpf_get_numa_node_id", bpf_get_numa_node_id, HG_BASE, PROTO(RET_INTEGER) },
	{ 0 },
};
