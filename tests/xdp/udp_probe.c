/* SPDX-License-Identifier: MIT */
/*
 * udp_probe.c - traffic for the live XDP test, with nothing but sockets.
 *
 *   udp_probe serve ADDR PORT         echo each datagram back, print one line
 *                                     per datagram received (until killed)
 *   udp_probe send ADDR PORT COUNT    send COUNT datagrams, one at a time, wait
 *                                     up to 500 ms for each echo; print
 *                                     "sent N received M"
 *
 * Datagrams go without UDP checksums (SO_NO_CHECK): frames that cross a
 * user-space bump in the wire cannot have their checksum left to offload.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4 || (strcmp(argv[1], "serve") && strcmp(argv[1], "send")) ||
	    (!strcmp(argv[1], "send") && argc != 5)) {
		fprintf(stderr, "usage: udp_probe serve ADDR PORT | send ADDR PORT COUNT\n");
		return 2;
	}
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3])) };
	if (inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1) {
		fprintf(stderr, "udp_probe: bad address %s\n", argv[2]);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one))) {
		perror("udp_probe: socket");
		return 1;
	}
	char buf[2048];
	if (!strcmp(argv[1], "serve")) {
		if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
			perror("udp_probe: bind");
			return 1;
		}
		setvbuf(stdout, NULL, _IOLBF, 0);
		for (;;) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
			if (n < 0)
				continue;
			buf[n] = 0;
			printf("got %s\n", buf);
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
		}
	}
	int count = atoi(argv[4]), got = 0;
	for (int i = 0; i < count; i++) {
		int n = snprintf(buf, sizeof(buf), "probe-%d", i);
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&addr, sizeof(addr));
		struct pollfd p = { fd, POLLIN, 0 };
		while (poll(&p, 1, 500) > 0) {
			char r[2048];
			ssize_t m = recv(fd, r, sizeof(r), 0);
			if (m == n && !memcmp(r, buf, (size_t)n)) {
				got++;
				break;
			}
		}
	}
	printf("sent %d received %d\n", count, got);
	return 0;
}
