/* SPDX-License-Identifier: MIT */
/*
 * pktgen.c - the test frames of pktgen.h.
 */
#include <string.h>
#include "pktgen.h"

static const char *const names[PK_NKINDS] = {
	"ipv4-udp", "ipv4-tcp", "ipv4-icmp", "ipv6-udp", "vlan-ipv4", "arp", "ipv4-truncated",
	"short",
};

const char *pktgen_kind_name(enum pkt_kind kind)
{
	return kind < PK_NKINDS ? names[kind] : "?";
}

static void be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The IPv4 header checksum, so that real stacks accept the frames. */
static void ip_csum(uint8_t *ip)
{
	uint32_t sum = 0;
	ip[10] = ip[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	be16(ip + 10, ~sum & 0xffff);
}

static size_t ipv4(uint8_t *ip, size_t room, uint8_t proto, uint32_t seq)
{
	size_t need = 20 + (proto == 6 ? 20 : 8);
	if (room < need)
		room = need;
	ip[0] = 0x45;
	be16(ip + 2, (unsigned)room);
	be16(ip + 4, seq & 0xffff);
	ip[8] = 64;
	ip[9] = proto;
	const uint8_t src[4] = { 10, 0, 0, (uint8_t)(seq % 8) }, dst[4] = { 10, 0, 1, 1 };
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	ip_csum(ip);
	uint8_t *l4 = ip + 20;
	if (proto == 17) {
		be16(l4, 1000 + seq % 100);
		be16(l4 + 2, 53);
		be16(l4 + 4, (unsigned)(room - 20));
	} else if (proto == 6) {
		be16(l4, 40000 + seq % 100);
		be16(l4 + 2, 80);
		l4[12] = 0x50;
		l4[13] = 0x02; /* SYN */
	} else {
		l4[0] = 8; /* echo request */
	}
	return room;
}

size_t pktgen(enum pkt_kind kind, size_t len, uint32_t seq, uint8_t *out)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	if (kind == PK_SHORT) {
		len = len < 14 ? len : 13;
		for (size_t i = 0; i < len; i++)
			out[i] = (uint8_t)(i + seq);
		return len;
	}
	size_t min = kind == PK_IPV4_TRUNC ? 15 : kind == PK_ARP ? 42 : kind == PK_IPV6_UDP ? 62 :
		     kind == PK_VLAN_IPV4 ? 46 : kind == PK_IPV4_TCP ? 54 : 42;
	if (len < min)
		len = min;
	if (kind == PK_IPV4_TRUNC && len > 33)
		len = 33;
	memset(out, 0, len);
	memcpy(out, macs, 12);
	for (size_t i = 14; i < len; i++) /* payload pattern, overwritten by headers */
		out[i] = (uint8_t)(i * 7 + seq);
	uint8_t *l3 = out + 14;
	switch (kind) {
	case PK_IPV4_UDP: be16(out + 12, 0x0800); ipv4(l3, len - 14, 17, seq); break;
	case PK_IPV4_TCP: be16(out + 12, 0x0800); ipv4(l3, len - 14, 6, seq); break;
	case PK_IPV4_ICMP: be16(out + 12, 0x0800); ipv4(l3, len - 14, 1, seq); break;
	case PK_VLAN_IPV4:
		be16(out + 12, 0x8100);
		be16(out + 14, 100);
		be16(out + 16, 0x0800);
		ipv4(out + 18, len - 18, 17, seq);
		break;
	case PK_IPV6_UDP:
		be16(out + 12, 0x86dd);
		l3[0] = 0x60;
		be16(l3 + 4, (unsigned)(len - 54));
		l3[6] = 17;
		l3[7] = 64;
		memset(l3 + 8, 0, 32);
		l3[8] = 0xfd, l3[23] = (uint8_t)(seq % 8), l3[24] = 0xfd, l3[39] = 1;
		be16(l3 + 40, 1000);
		be16(l3 + 42, 53);
		be16(l3 + 44, (unsigned)(len - 54));
		break;
	case PK_ARP:
		be16(out + 12, 0x0806);
		be16(l3, 1);
		be16(l3 + 2, 0x0800);
		l3[4] = 6, l3[5] = 4;
		be16(l3 + 6, 1);
		break;
	case PK_IPV4_TRUNC:
		be16(out + 12, 0x0800);
		l3[0] = 0x45;
		break;
	default:
		break;
	}
	return len;
}
