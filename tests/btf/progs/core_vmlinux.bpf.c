/* SPDX-License-Identifier: MIT */
/*
 * core_vmlinux.bpf.c - CO-RE reads of kernel structures, declared here with
 * only the members used (as a program without vmlinux.h would), for
 * core_vmlinux.sh: relocated against /sys/kernel/btf/vmlinux, the offsets
 * must agree with what bpftool prints of the kernel's BTF.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct thread_info {
	unsigned long flags;
} __attribute__((preserve_access_index));

struct sched_entity {
	unsigned long long vruntime;
} __attribute__((preserve_access_index));

struct mm_struct;

struct task_struct {
	struct thread_info thread_info;
	unsigned int __state;
	struct sched_entity se;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

/* Flavors: one with just what a type match needs, one naming a field no kernel has. */
struct task_struct___m {
	int pid;
	int tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

/* A flavor naming a field no kernel has. */
struct task_struct___none {
	int no_such_field;
} __attribute__((preserve_access_index));

struct sk_buff {
	__u8 cloned : 1, nohdr : 1, fclone : 2;
} __attribute__((preserve_access_index));

enum bpf_map_type { BPF_MAP_TYPE_HASH = 1, BPF_MAP_TYPE_RINGBUF = 99 };

SEC("tp_btf/sched_switch")
int vm_prog(unsigned long long *ctx)
{
	struct task_struct *t = (void *)ctx[1];
	struct sk_buff *skb = (void *)ctx[2];
	char comm[16];
	long r = 0;

	r += BPF_CORE_READ(t, pid);
	r += BPF_CORE_READ(t, real_parent, tgid);
	r += BPF_CORE_READ(t, se.vruntime);
	r += BPF_CORE_READ(t, thread_info.flags);
	r += BPF_CORE_READ(t, __state);
	BPF_CORE_READ_INTO(&comm, t, comm);
	r += comm[0];
	r += bpf_core_field_exists(((struct task_struct___none *)t)->no_such_field);
	r += bpf_core_type_size(struct task_struct);
	r += bpf_core_type_matches(struct task_struct___m);
	r += BPF_CORE_READ_BITFIELD_PROBED(skb, fclone);
	r += bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
