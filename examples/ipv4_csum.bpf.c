/* SPDX-License-Identifier: MIT */
/*
 * ipv4_csum.bpf.c - verify the IPv4 header checksum of an Ethernet frame.
 *
 * Runs as a plain program: r1 = the frame, r2 = its length. Returns 0 when the
 * frame carries an IPv4 header whose checksum is right, the checksum it should
 * have carried when it is wrong, and 0xffffffff when the frame is too short or
 * not IPv4. Compiled with clang -O2 -target bpf; see tools/demo.sh.
 */
#include <linux/types.h>

#define ETH_HLEN 14

static __attribute__((always_inline)) __u16 load_be16(const unsigned char *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

__attribute__((section("raw"), used))
__u64 ipv4_csum(unsigned char *frame, __u64 len)
{
	if (len < ETH_HLEN + 20 || load_be16(frame + 12) != 0x0800)
		return 0xffffffff;
	unsigned char *ip = frame + ETH_HLEN;
	__u64 ihl = (ip[0] & 0x0f) * 4u;
	if (ihl < 20 || ETH_HLEN + ihl > len)
		return 0xffffffff;

	/* One's-complement sum of the header, skipping the checksum field. */
	__u32 sum = 0;
	for (__u64 i = 0; i < 60 && i < ihl; i += 2)
		if (i != 10)
			sum += load_be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	__u16 want = (__u16)~sum;
	return want == load_be16(ip + 10) ? 0 : want;
}
