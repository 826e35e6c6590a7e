/* SPDX-License-Identifier: MIT */
/*
 * xdp_fwd.bpf.c - forward every frame to the interface in the devmap's
 * slot 0, drop it while the slot is empty (the live test fills the slot
 * while the program runs).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int xdp_fwd(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports, 0, XDP_DROP);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
