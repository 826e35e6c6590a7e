/* SPDX-License-Identifier: MIT */
/*
 * probe.c - bpf_probe_read_*: copies from any address that fail cleanly.
 *
 * The kernel copies with fault handling; in user space, process_vm_readv()
 * on our own process does the same: the kernel reads the memory for us and
 * reports EFAULT for unmapped addresses instead of delivering SIGSEGV. There
 * is no kernel memory to read here, so the _kernel variants read this
 * process's memory too (and fail on kernel addresses, as they are unmapped).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "helpers.h"
#include "runtime/runtime.h"

static long copy_from(pid_t pid, void *dst, const void *src, uint64_t size)
{
	if (size == 0)
		return 0;
	struct iovec local = { dst, size }, remote = { (void *)src, size };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)size)
		return 0;
	memset(dst, 0, size);
	return -EFAULT;
}

long probe_copy(void *dst, const void *src, uint64_t size)
{
	return copy_from(getpid(), dst, src, size);
}

static long copy_str_from(pid_t pid, char *dst, const void *src, uint64_t size)
{
	if (size == 0)
		return -EINVAL;
	/* Page by page, so a string that ends before an unmapped page reads fine. */
	uint64_t done = 0;
	const char *s = src;
	while (done < size - 1) {
		uint64_t page_left = 4096 - (((uintptr_t)s + done) & 4095);
		uint64_t chunk = size - 1 - done < page_left ? size - 1 - done : page_left;
		if (copy_from(pid, dst + done, s + done, chunk)) {
			memset(dst, 0, size);
			return -EFAULT;
		}
		char *nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst + 1;
		done += chunk;
	}
	dst[size - 1] = '\0';
	return (long)size;
}

long probe_copy_str(char *dst, const void *src, uint64_t size)
{
	return copy_str_from(getpid(), dst, src, size);
}

/* The process whose memory is "user" memory: the runtime's task, or this one. */
static pid_t user_pid(const struct bpfrt_exec *ex)
{
	const struct bpfrt_task *t = rt_task(ex->rt);
	return t ? t->tgid : getpid();
}

long probe_copy_user(const struct bpfrt_exec *ex, void *dst, const void *src, uint64_t size)
{
	return copy_from(user_pid(ex), dst, src, size);
}

long probe_copy_user_str(const struct bpfrt_exec *ex, char *dst, const void *src, uint64_t size)
{
	return copy_str_from(user_pid(ex), dst, src, size);
}

long probe_copy_any_str(const struct bpfrt_exec *ex, char *dst, const void *src, uint64_t size)
{
	uintptr_t a = (uintptr_t)src;
	bool own = (a >= (uintptr_t)ex->stack && a < (uintptr_t)ex->stack + sizeof(ex->stack)) ||
		   exec_mem_ok(ex, a, 1, false);
	return own ? probe_copy_str(dst, src, size) : probe_copy_user_str(ex, dst, src, size);
}

/* user: read the task's process (see bpfrt_runtime__set_task); else this one. */
static uint64_t read_common(struct bpfrt_exec *ex, const char *name, uint64_t dst, uint64_t size,
			    uint64_t src, bool str, bool user)
{
	if (!helper_mem(ex, name, 1, dst, size, true))
		return 0;
	void *d = (void *)(uintptr_t)dst;
	const void *s = (const void *)(uintptr_t)src;
	pid_t pid = user ? user_pid(ex) : getpid();
	return (uint64_t)(str ? copy_str_from(pid, d, s, size) : copy_from(pid, d, s, size));
}

/* The old bpf_probe_read(_str) read either space; user memory is what a tracee has. */
HELPER(bpf_probe_read) { return read_common(ex, "bpf_probe_read", r1, r2, r3, false, true); }
HELPER(bpf_probe_read_str) { return read_common(ex, "bpf_probe_read_str", r1, r2, r3, true, true); }
HELPER(bpf_probe_read_user) { return read_common(ex, "bpf_probe_read_user", r1, r2, r3, false, true); }
HELPER(bpf_probe_read_kernel) { return read_common(ex, "bpf_probe_read_kernel", r1, r2, r3, false, false); }
HELPER(bpf_probe_read_user_str) { return read_common(ex, "bpf_probe_read_user_str", r1, r2, r3, true, true); }
HELPER(bpf_probe_read_kernel_str) { return read_common(ex, "bpf_probe_read_kernel_str", r1, r2, r3, true, false); }

const struct helper_def helpers_probe[] = {
	{ 4, "bpf_probe_read", bpf_probe_read, HG_TRACE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 45, "bpf_probe_read_str", bpf_probe_read_str, HG_TRACE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 112, "bpf_probe_read_user", bpf_probe_read_user, HG_TRACE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 113, "bpf_probe_read_kernel", bpf_probe_read_kernel, HG_TRACE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 114, "bpf_probe_read_user_str", bpf_probe_read_user_str, HG_TRACE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 115, "bpf_probe_read_kernel_str", bpf_probe_read_kernel_str, HG_TRACE, PROTO_GPL(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	{ 0 },
};
