/* SPDX-License-Identifier: MIT */
/*
 * pktgen.h - test frames: Ethernet with IPv4 (UDP, TCP, ICMP), IPv6, a VLAN
 * tag, ARP, and broken ones (an IPv4 header cut short, frames shorter than
 * an Ethernet header, frames longer than an XDP frame holds). Deterministic:
 * the same kind, length and sequence number give the same bytes.
 */
#ifndef BPFRT_TESTS_PKTGEN_H
#define BPFRT_TESTS_PKTGEN_H

#include <stddef.h>
#include <stdint.h>

enum pkt_kind {
	PK_IPV4_UDP, PK_IPV4_TCP, PK_IPV4_ICMP, PK_IPV6_UDP, PK_VLAN_IPV4, PK_ARP,
	PK_IPV4_TRUNC, /* ethertype IPv4, less than an IPv4 header after it */
	PK_SHORT,      /* shorter than an Ethernet header */
	PK_NKINDS,
};

/*
 * Build a frame of kind into out (at least len bytes): len is the frame's
 * length, clamped to what the kind needs at least (except PK_SHORT and
 * PK_IPV4_TRUNC, whose point is to be short). The IPv4 source is
 * 10.0.0.(seq % 8), so a blocklist of some of those addresses hits some.
 * Returns the length written.
 */
size_t pktgen(enum pkt_kind kind, size_t len, uint32_t seq, uint8_t *out);

const char *pktgen_kind_name(enum pkt_kind kind);

#endif
