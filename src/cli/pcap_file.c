/* SPDX-License-Identifier: MIT */
/*
 * pcap_file.c - capture files in and out (pcap_file.h).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "pcap_file.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_MAGIC 0x0a0d0d0au

static uint32_t swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/*
 * Walk a classic pcap's records: each header complete, each caplen within
 * the snaplen (when the file gives one) and within the file. pcapng files
 * are left to libpcap, whose messages name the problem.
 */
static int check_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return cli_err("%s: cannot open: %s", path, strerror(errno));
	uint32_t gh[6];
	size_t got = fread(gh, 1, sizeof(gh), f);
	int rc = 0;
	bool swapped = gh[0] == swap32(PCAP_MAGIC_US) || gh[0] == swap32(PCAP_MAGIC_NS);
	if (got >= 4 && gh[0] == PCAPNG_MAGIC) {
		fclose(f);
		return 0;
	}
	if (got < 4 || (!swapped && gh[0] != PCAP_MAGIC_US && gh[0] != PCAP_MAGIC_NS)) {
		rc = cli_err("%s: not a pcap or pcapng file (magic %s0x%08x)", path,
			     got < 4 ? "too short: " : "", got >= 4 ? gh[0] : 0);
	} else if (got < sizeof(gh)) {
		rc = cli_err("%s: truncated pcap file header (%zu of 24 bytes)", path, got);
	} else {
		uint32_t snaplen = swapped ? swap32(gh[4]) : gh[4];
		uint32_t rh[4];
		fseek(f, 0, SEEK_END);
		long size = ftell(f);
		fseek(f, sizeof(gh), SEEK_SET);
		for (uint64_t n = 1; !rc; n++) {
			got = fread(rh, 1, sizeof(rh), f);
			if (got == 0)
				break;
			if (got < sizeof(rh)) {
				rc = cli_err("%s: packet %llu: truncated record header (%zu of 16 bytes)",
					     path, (unsigned long long)n, got);
				break;
			}
			uint32_t caplen = swapped ? swap32(rh[2]) : rh[2];
			if (snaplen && caplen > snaplen) {
				rc = cli_err("%s: packet %llu: caplen %u is larger than the file's snaplen %u",
					     path, (unsigned long long)n, caplen, snaplen);
				break;
			}
			long here = ftell(f);
			if (size - here < (long)caplen) {
				rc = cli_err("%s: packet %llu: truncated: caplen %u but %ld byte(s) left",
					     path, (unsigned long long)n, caplen, size - here);
				break;
			}
			fseek(f, here + (long)caplen, SEEK_SET);
		}
	}
	fclose(f);
	return rc;
}

int pcap_in_open(struct pcap_in *in, const char *path)
{
	memset(in, 0, sizeof(*in));
	in->path = path;
	if (check_file(path))
		return 1;
	char err[PCAP_ERRBUF_SIZE] = "";
	in->p = pcap_open_offline(path, err);
	if (!in->p)
		return cli_err("%s: %s", path, err);
	if (pcap_datalink(in->p) != DLT_EN10MB) {
		cli_err("%s: link type %s is not Ethernet: XDP runs on Ethernet frames", path,
			pcap_datalink_val_to_name(pcap_datalink(in->p)) ?
			pcap_datalink_val_to_name(pcap_datalink(in->p)) : "?");
		pcap_close(in->p);
		in->p = NULL;
		return 1;
	}
	return 0;
}

int pcap_in_next(struct pcap_in *in, struct pcap_rec *rec)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int r = pcap_next_ex(in->p, &h, &data);
	if (r == 1) {
		in->n++;
		rec->ts = h->ts;
		rec->caplen = h->caplen;
		rec->len = h->len;
		rec->data = data;
		return 1;
	}
	if (r == PCAP_ERROR_BREAK)
		return 0;
	cli_err("%s: packet %llu: %s", in->path, (unsigned long long)in->n + 1, pcap_geterr(in->p));
	return -1;
}

void pcap_in_close(struct pcap_in *in)
{
	if (in->p)
		pcap_close(in->p);
	in->p = NULL;
}

int pcap_out_open(struct pcap_out *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	out->path = path;
	if (!path)
		return 0;
	out->dead = pcap_open_dead(DLT_EN10MB, 262144);
	if (!out->dead)
		return cli_err("%s: out of memory", path);
	out->d = pcap_dump_open(out->dead, path);
	if (!out->d) {
		cli_err("%s: %s", path, pcap_geterr(out->dead));
		pcap_close(out->dead);
		out->dead = NULL;
		return 1;
	}
	return 0;
}

void pcap_out_write(struct pcap_out *out, const struct pcap_rec *orig, const uint8_t *data,
		    uint32_t len)
{
	if (!out->d)
		return;
	struct pcap_pkthdr h = { .ts = orig->ts };
	h.caplen = len;
	h.len = len + (orig->len > orig->caplen ? orig->len - orig->caplen : 0);
	pcap_dump((u_char *)out->d, &h, data);
	out->n++;
}

int pcap_out_close(struct pcap_out *out)
{
	int rc = 0;
	if (out->d) {
		if (pcap_dump_flush(out->d))
			rc = cli_err("%s: write error", out->path);
		pcap_dump_close(out->d);
	}
	if (out->dead)
		pcap_close(out->dead);
	out->d = NULL;
	out->dead = NULL;
	return rc;
}
