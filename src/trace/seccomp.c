/* SPDX-License-Identifier: MIT */
/*
 * seccomp.c - stop a launched command only at the system calls with hooks.
 *
 * Tracing every system call with PTRACE_SYSCALL costs two stops each; a
 * seccomp filter returning SECCOMP_RET_TRACE for the hooked numbers and
 * SECCOMP_RET_ALLOW for the rest makes untraced system calls run at full
 * speed. The filter is inherited by threads, children and exec'd programs,
 * which is what following them needs; it is why a launched command must not
 * outlive its tracer (PTRACE_O_EXITKILL): without a tracer, RET_TRACE fails
 * the call with ENOSYS.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "trace.h"

#define STMT(code, k) ((struct sock_filter){ (unsigned short)(code), 0, 0, (k) })
#define JEQ(k, jt, jf) ((struct sock_filter){ BPF_JMP | BPF_JEQ | BPF_K, (jt), (jf), (k) })

int seccomp_trace_install(const bool *want, int nwant, bool all)
{
	/* arch check, load nr, one jeq per hooked number, allow, trace */
	int nhooked = 0;
	for (int i = 0; i < nwant && !all; i++)
		nhooked += want[i];
	if (nhooked > 250) /* jump offsets are 8 bits; trace everything instead */
		all = true, nhooked = 0;
	size_t n = 0;
	struct sock_filter *f = calloc(5 + (size_t)nhooked, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	/* Other ABIs (i386 through int 0x80) are not traced: their numbers differ. */
	f[n++] = JEQ(AUDIT_ARCH_X86_64, 0, (unsigned char)(all ? 1 : nhooked + 1));
	if (!all) {
		f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		int left = nhooked;
		for (int i = 0; i < nwant; i++) {
			if (!want[i])
				continue;
			left--;
			/* equal: skip the remaining jeqs and the allow, to the trace */
			f[n++] = JEQ((unsigned)i, (unsigned char)(left + 1), 0);
		}
	} else {
		f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	}
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	if (!all)
		f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	struct sock_fprog prog = { (unsigned short)n, f };
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	if (rc && errno == EACCES) {
		/*
		 * Without CAP_SYS_ADMIN the kernel wants no_new_privs first; root
		 * keeps set-user-ID programs working by not needing it.
		 */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
			rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	}
	int err = rc ? -errno : 0;
	free(f);
	return err;
}
