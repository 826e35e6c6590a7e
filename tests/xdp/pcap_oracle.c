/* SPDX-License-Identifier: MIT */
/*
 * pcap_oracle.c - what Linux does with each packet of a capture file: the
 * program of OBJ loaded into the kernel (libbpf) and run with
 * BPF_PROG_TEST_RUN on every packet. Writes the XDP_PASS and XDP_TX frames
 * as the kernel left them, and prints the verdict counts as JSON in the
 * form of `bpfrt xdp run -j` ("actions" and "rejected": packets the kernel
 * refused to run).
 *
 *   pcap_oracle OBJ PROG IN PASS.pcap TX.pcap [BLOCKED-IPV4...]
 *
 * BLOCKED-IPV4 addresses go into the object's map 'blocklist' (if any).
 * Exits 77 (skip) when the kernel cannot load programs here.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>
#include "cli.h"
#include "oracle.h"
#include "pcap_file.h"

/* pcap_file.c reports through the command line's error printer. */
int cli_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pcap_oracle: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: pcap_oracle OBJ PROG IN PASS.pcap TX.pcap [BLOCKED-IPV4...]\n");
		return 2;
	}
	char why[512];
	if (!kern_oracle_available(why, sizeof(why))) {
		printf("pcap_oracle: SKIP: %s\n", why);
		return 77;
	}
	libbpf_set_print(NULL);
	char pins[] = "/sys/fs/bpf/bpfrt-pcap-XXXXXX";
	if (!mkdtemp(pins)) {
		printf("pcap_oracle: SKIP: no bpffs at /sys/fs/bpf (%s)\n", strerror(errno));
		return 77;
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pins);
	struct bpf_object *obj = bpf_object__open_file(argv[1], &oo);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "pcap_oracle: the kernel refuses %s (errno %d)\n", argv[1], errno);
		return 1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
	int bfd = bpf_object__find_map_fd_by_name(obj, "blocklist");
	for (int i = 6; i < argc && bfd >= 0; i++) {
		struct in_addr a;
		uint64_t zero = 0;
		if (inet_pton(AF_INET, argv[i], &a) != 1 || bpf_map_update_elem(bfd, &a, &zero, BPF_ANY))
			return fprintf(stderr, "pcap_oracle: cannot block %s\n", argv[i]), 1;
	}
	struct pcap_in in;
	struct pcap_out pass, tx;
	if (!prog || pcap_in_open(&in, argv[3]) || pcap_out_open(&pass, argv[4]) ||
	    pcap_out_open(&tx, argv[5]))
		return 1;
	uint64_t actions[5] = { 0 }, rejected = 0, other = 0;
	static uint8_t out[80000];
	struct pcap_rec rec;
	int r;
	while ((r = pcap_in_next(&in, &rec)) == 1) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = rec.data, .data_size_in = rec.caplen,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o)) {
			rejected++;
			continue;
		}
		if (o.retval < 5)
			actions[o.retval]++;
		else
			other++, actions[0]++;
		if (o.retval == 2)
			pcap_out_write(&pass, &rec, out, o.data_size_out);
		else if (o.retval == 3)
			pcap_out_write(&tx, &rec, out, o.data_size_out);
	}
	printf("{\"rejected\":%llu,\"invalid\":%llu,\"actions\":{\"aborted\":%llu,\"drop\":%llu,"
	       "\"pass\":%llu,\"tx\":%llu,\"redirect\":%llu}}\n", (unsigned long long)rejected,
	       (unsigned long long)other, (unsigned long long)actions[0],
	       (unsigned long long)actions[1], (unsigned long long)actions[2],
	       (unsigned long long)actions[3], (unsigned long long)actions[4]);
	pcap_in_close(&in);
	int rc = pcap_out_close(&pass) | pcap_out_close(&tx) | (r < 0);
	bpf_object__unpin_maps(obj, NULL);
	bpf_object__close(obj);
	rmdir(pins);
	return rc;
}
