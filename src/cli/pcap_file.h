/* SPDX-License-Identifier: MIT */
/*
 * pcap_file.h - packets from and to capture files, through libpcap.
 *
 * Reading takes pcap and pcapng (libpcap tells them apart). A classic pcap
 * is first checked record by record, because libpcap silently cuts a record
 * whose caplen exceeds the file's snaplen and reports a truncated file
 * without saying where: bpfrt names the file and the packet instead.
 * Writing makes classic pcap files of Ethernet frames.
 */
#ifndef BPFRT_CLI_PCAP_FILE_H
#define BPFRT_CLI_PCAP_FILE_H

#include <stdint.h>
#include <sys/time.h>

/*
 * libpcap stays out of this header: its <pcap/bpf.h> and the kernel's
 * <linux/bpf.h> both define struct bpf_insn.
 */
struct pcap;
struct pcap_dumper;

/* One packet record. */
struct pcap_rec {
	struct timeval ts;
	uint32_t caplen, len;
	const uint8_t *data; /* caplen bytes, valid until the next read */
};

struct pcap_in {
	struct pcap *p;
	const char *path;
	uint64_t n; /* packets read so far: the number of the last one */
};

/* Open and check path. Returns 0, or 1 after printing why. */
int pcap_in_open(struct pcap_in *in, const char *path);
/* Next packet: 1 with *rec set, 0 at the end, -1 after printing why. */
int pcap_in_next(struct pcap_in *in, struct pcap_rec *rec);
void pcap_in_close(struct pcap_in *in);

struct pcap_out {
	struct pcap *dead;
	struct pcap_dumper *d;
	const char *path;
	uint64_t n;
};

/* Create path (nothing when path is NULL). Returns 0, or 1 after printing why. */
int pcap_out_open(struct pcap_out *out, const char *path);
/*
 * Write a frame that came from the packet with header orig: its time, and
 * its original length changed by as much as the program changed the frame.
 */
void pcap_out_write(struct pcap_out *out, const struct pcap_rec *orig, const uint8_t *data,
		    uint32_t len);
/* Flush and close. Returns 0, or 1 after printing a write error. */
int pcap_out_close(struct pcap_out *out);

#endif
