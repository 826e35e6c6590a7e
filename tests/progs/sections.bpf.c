/* SPDX-License-Identifier: MIT */
/*
 * sections.bpf.c - one program per SEC() name libbpf knows: the loader
 * gives each its program type and function name; each returns its own
 * number so a run tells them apart.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket") int sock(void *ctx) { return 1; }
SEC("uprobe/libc.so.6:malloc") int up(void *ctx) { return 2; }
SEC("uretprobe/libc.so.6:malloc") int uret(void *ctx) { return 3; }
SEC("usdt/libc.so.6:libc:setjmp") int usdt(void *ctx) { return 4; }
SEC("fentry/do_unlinkat") int fent(void *ctx) { return 5; }
SEC("kprobe/do_unlinkat") int kp(void *ctx) { return 6; }
SEC("tracepoint/syscalls/sys_enter_write") int tp(void *ctx) { return 7; }
SEC("raw_tracepoint/sys_enter") int rawtp(void *ctx) { return 8; }
SEC("tc") int cls(void *ctx) { return 9; }
SEC("xdp") int xdp_prog(void *ctx) { return 10; }

char LICENSE[] SEC("license") = "GPL";
