/* SPDX-License-Identifier: MIT */
/*
 * mkpcap.c - write the capture files the XDP tests run on.
 *
 *   mkpcap DIR
 *
 * DIR/mix.pcap     every kind of pktgen.h frame, several lengths each
 *                  (IPv4 UDP/TCP/ICMP, IPv6, VLAN, ARP, a cut IPv4 header,
 *                  frames shorter than 14 bytes, frames longer than 3520)
 *                  and a record captured shorter than the packet was
 * DIR/mix.pcapng   the same packets as pcapng
 * DIR/bad-magic.pcap, short-header.pcap, caplen-snaplen.pcap,
 * DIR/cut-record.pcap, cut-header.pcap: broken files, one fault each
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pktgen.h"

struct rec {
	uint8_t *data;
	uint32_t caplen, len;
};

static struct rec recs[512];
static int nrecs;

static void add(enum pkt_kind k, size_t len, uint32_t seq)
{
	static uint8_t buf[16384];
	size_t n = pktgen(k, len, seq, buf);
	recs[nrecs].data = malloc(n);
	memcpy(recs[nrecs].data, buf, n);
	recs[nrecs].caplen = recs[nrecs].len = (uint32_t)n;
	nrecs++;
}

static FILE *create(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static void put16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }

static void pcap_header(FILE *f, uint32_t magic, uint32_t snaplen)
{
	put32(f, magic);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, snaplen);
	put32(f, 1); /* LINKTYPE_ETHERNET */
}

static void pcap_record(FILE *f, int i, const struct rec *r)
{
	put32(f, 1700000000u + (uint32_t)i);
	put32(f, (uint32_t)i * 1000);
	put32(f, r->caplen);
	put32(f, r->len);
	fwrite(r->data, 1, r->caplen, f);
}

static void write_pcapng(FILE *f)
{
	/* section header block */
	put32(f, 0x0a0d0d0a); put32(f, 28); put32(f, 0x1a2b3c4d); put16(f, 1); put16(f, 0);
	put32(f, 0xffffffff); put32(f, 0xffffffff); put32(f, 28);
	/* interface description block: Ethernet, snaplen 65535 */
	put32(f, 1); put32(f, 20); put16(f, 1); put16(f, 0); put32(f, 65535); put32(f, 20);
	for (int i = 0; i < nrecs; i++) {
		uint32_t pad = (4 - recs[i].caplen % 4) % 4, total = 32 + recs[i].caplen + pad;
		uint64_t ts = (1700000000ull + (uint64_t)i) * 1000000 + (uint64_t)i * 1000;
		put32(f, 6); put32(f, total); put32(f, 0);
		put32(f, (uint32_t)(ts >> 32)); put32(f, (uint32_t)ts);
		put32(f, recs[i].caplen); put32(f, recs[i].len);
		fwrite(recs[i].data, 1, recs[i].caplen, f);
		fwrite("\0\0\0", 1, pad, f);
		put32(f, total);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkpcap DIR\n");
		return 2;
	}
	static const size_t lens[] = { 0, 10, 14, 20, 34, 60, 64, 98, 128, 512, 1514, 3520, 3600, 9000 };
	uint32_t seq = 0;
	for (int k = 0; k < PK_NKINDS; k++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			add((enum pkt_kind)k, lens[l], seq++);
	/* a packet captured shorter than it was on the wire */
	add(PK_IPV4_UDP, 1000, 1);
	recs[nrecs - 1].caplen = 96;

	FILE *f = create(argv[1], "mix.pcap");
	pcap_header(f, 0xa1b2c3d4, 65535);
	for (int i = 0; i < nrecs; i++)
		pcap_record(f, i, &recs[i]);
	fclose(f);
	f = create(argv[1], "mix.pcapng");
	write_pcapng(f);
	fclose(f);

	f = create(argv[1], "bad-magic.pcap");
	pcap_header(f, 0xdeadbeef, 65535);
	fclose(f);
	f = create(argv[1], "short-header.pcap");
	fwrite("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00", 1, 10, f);
	fclose(f);
	f = create(argv[1], "caplen-snaplen.pcap");
	pcap_header(f, 0xa1b2c3d4, 64);
	pcap_record(f, 0, &recs[5]);   /* 60 bytes: fine */
	pcap_record(f, 1, &recs[7]);   /* 98 bytes > snaplen 64 */
	fclose(f);
	f = create(argv[1], "cut-record.pcap");
	pcap_header(f, 0xa1b2c3d4, 65535);
	pcap_record(f, 0, &recs[5]);
	put32(f, 1); put32(f, 2); put32(f, 200); put32(f, 200);
	fwrite(recs[8].data, 1, 50, f); /* 50 of 200 bytes */
	fclose(f);
	f = create(argv[1], "cut-header.pcap");
	pcap_header(f, 0xa1b2c3d4, 65535);
	pcap_record(f, 0, &recs[5]);
	pcap_record(f, 1, &recs[6]);
	put32(f, 1); put32(f, 2); /* 8 of 16 bytes */
	fclose(f);
	for (int i = 0; i < nrecs; i++)
		free(recs[i].data);
	return 0;
}
