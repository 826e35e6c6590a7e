/* SPDX-License-Identifier: MIT */
/*
 * core.bpf.c - CO-RE: the program's own view of xdp_md, declared with a
 * ___flavor suffix, fields in another order and one field the real struct
 * lacks; relocations make the reads land on the real fields.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct xdp_md___mine {
	__u32 rx_queue_index;   /* at 16 in the real struct, 0 here */
	__u32 data;
	__u32 data_end;
	__u32 not_in_the_kernel;
	__u32 ingress_ifindex;
} __attribute__((preserve_access_index));

SEC("xdp")
int core(struct xdp_md *ctx)
{
	struct xdp_md___mine *c = (void *)ctx;
	__u32 len = c->data_end - c->data;
	int exists = bpf_core_field_exists(c->not_in_the_kernel);
	int has_queue = bpf_core_field_exists(c->rx_queue_index);
	__u32 size = bpf_core_field_size(c->ingress_ifindex);
	/* len * 1000 + exists * 100 + has_queue * 10 + size */
	return (int)(len * 1000 + exists * 100 + has_queue * 10 + size);
}

char LICENSE[] SEC("license") = "GPL";
