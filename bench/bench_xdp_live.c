/* SPDX-License-Identifier: MIT */
/*
 * bench_xdp_live.c - live XDP over veth: frames per second that bpfrt's
 * `xdp attach` (AF_PACKET ring, JIT) processes, next to the kernel's own XDP
 * (generic and native) running the same object on the same veth, in one run.
 *
 *   bench_xdp_live [SECONDS]     (root; exits 77 without network namespaces)
 *
 * Namespace A blasts 64-byte UDP frames from 10.0.0.1 out of a0 with a
 * packet socket (sendmmsg, qdisc bypass) for the whole run; in namespace M
 * the frames arrive on a1, where each phase runs one program for SECONDS:
 * drop-all (xdp_drop: count and drop) and the blocklist example with
 * 10.0.0.1 blocked (every frame looked up and dropped). Rates are the
 * frames each program dropped per second of its phase, from its own
 * counters (bpfrt: its statistics; kernel: the object's 'actions' map). The
 * sender shares the machine, so the offered rate caps every column.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char ns_a[32], ns_m[32];
static volatile int stop_sender;
static unsigned long long sent;

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int enter_ns(const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	int fd = open(path, O_RDONLY);
	int e = fd < 0 ? -1 : setns(fd, CLONE_NEWNET);
	if (fd >= 0)
		close(fd);
	return e;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sender(void *arg)
{
	(void)arg;
	if (enter_ns(ns_a))
		return NULL;
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), one = 1;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)if_nametoindex("a0") };
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		return NULL;
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	static uint8_t frame[64] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, 0x45, 0, 0, 50,
				     0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
	struct iovec iov = { frame, sizeof(frame) };
	struct mmsghdr m[32];
	for (int i = 0; i < 32; i++)
		m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	while (!stop_sender) {
		int n = sendmmsg(fd, m, 32, 0);
		if (n > 0)
			__atomic_add_fetch(&sent, (unsigned long long)n, __ATOMIC_RELAXED);
	}
	close(fd);
	return NULL;
}

/* bpfrt xdp attach for secs seconds: dropped frames per second. */
static double bpfrt_rate(const char *obj, int secs, unsigned long long *ring_drops)
{
	char cmd[1024], out[4096] = "";
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s xdp attach %s --dev a1 --pass-dev b0 "
		 "--duration %d --jit -j 2>/dev/null", ns_m, BENCH_BPFRT_CLI, obj, secs);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	if (p)
		pclose(p);
	out[n] = 0;
	const char *e = strstr(out, "\"elapsed_ns\":"), *d = strstr(out, "\"drop\":");
	const char *rd = strstr(out, "\"ring_drops\":");
	if (!e || !d)
		return 0;
	if (rd)
		*ring_drops = strtoull(rd + 13, NULL, 10);
	double ns = strtod(e + 13, NULL), drops = strtod(d + 7, NULL);
	return ns > 0 ? drops * 1e9 / ns : 0;
}

/* The kernel's XDP (mode: XDP_FLAGS_SKB_MODE or XDP_FLAGS_DRV_MODE) for secs seconds. */
static double kernel_rate(const char *obj_path, const char *prog, uint32_t mode, int secs)
{
	char pins[] = "/sys/fs/bpf/bench-xdp-live-XXXXXX";
	if (!mkdtemp(pins))
		return 0;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pins);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &oo);
	double rate = 0;
	if (obj && !bpf_object__load(obj)) {
		int bfd = bpf_object__find_map_fd_by_name(obj, "blocklist");
		uint8_t addr[4] = { 10, 0, 0, 1 };
		uint64_t zero = 0;
		if (bfd >= 0)
			bpf_map_update_elem(bfd, addr, &zero, BPF_ANY);
		int afd = bpf_object__find_map_fd_by_name(obj, "actions");
		int pfd = bpf_program__fd(bpf_object__find_program_by_name(obj, prog));
		int ifindex = (int)if_nametoindex("a1");
		if (bpf_xdp_attach(ifindex, pfd, mode, NULL) == 0) {
			uint32_t k = 1;
			uint64_t before = 0, after = 0;
			bpf_map_lookup_elem(afd, &k, &before);
			double t0 = now_s();
			sleep((unsigned)secs);
			bpf_map_lookup_elem(afd, &k, &after);
			double t = now_s() - t0;
			bpf_xdp_detach(ifindex, mode, NULL);
			rate = (double)(after - before) / t;
		} else {
			fprintf(stderr, "bench_xdp_live: cannot attach %s (%s mode): %s\n", prog,
				mode == XDP_FLAGS_SKB_MODE ? "generic" : "native", strerror(errno));
		}
		bpf_object__unpin_maps(obj, NULL);
	}
	bpf_object__close(obj);
	rmdir(pins);
	return rate;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 2;
	if (secs < 1)
		secs = 1;
	if (getuid() != 0) {
		printf("bench_xdp_live: SKIP: needs root for network namespaces\n");
		return 77;
	}
	snprintf(ns_a, sizeof(ns_a), "bxl-a-%d", getpid());
	snprintf(ns_m, sizeof(ns_m), "bxl-m-%d", getpid());
	if (sh("ip netns add %s 2>/dev/null", ns_a)) {
		printf("bench_xdp_live: SKIP: cannot create network namespaces\n");
		return 77;
	}
	libbpf_set_print(NULL);
	char pins[] = "/dev/shm/bench-xdp-live-XXXXXX";
	int ok = !sh("ip netns add %s", ns_m) &&
		 !sh("ip -n %s link add a0 type veth peer name a1 netns %s", ns_a, ns_m) &&
		 !sh("ip -n %s link add b0 type veth peer name b1", ns_m) &&
		 !sh("ip -n %s link set a0 up && ip -n %s link set a1 up && ip -n %s link set b0 up "
		     "&& ip -n %s link set b1 up", ns_a, ns_m, ns_m, ns_m) &&
		 mkdtemp(pins) && !setenv("BPFRT_PIN_DIR", pins, 1) &&
		 !sh("%s prog load %s >/dev/null && %s map update pinned blocklist key 10 0 0 1 "
		     "value 0 0 0 0 0 0 0 0", BENCH_BPFRT_CLI, BENCH_XDP_BLOCK_OBJ, BENCH_BPFRT_CLI) &&
		 !enter_ns(ns_m);
	pthread_t t;
	if (ok && pthread_create(&t, NULL, sender, NULL) == 0) {
		sleep(1);
		double s0 = now_s();
		unsigned long long c0 = __atomic_load_n(&sent, __ATOMIC_RELAXED);
		static const struct { const char *name, *obj, *prog; } rows[] = {
			{ "drop-all", BENCH_XDP_DROP_OBJ, "xdp_drop" },
			{ "blocklist", BENCH_XDP_BLOCK_OBJ, "xdp_block" },
		};
		double r[2][3];
		unsigned long long ring_drops[2] = { 0, 0 };
		for (int i = 0; i < 2; i++) {
			r[i][0] = bpfrt_rate(rows[i].obj, secs, &ring_drops[i]);
			r[i][1] = kernel_rate(rows[i].obj, rows[i].prog, XDP_FLAGS_SKB_MODE, secs);
			r[i][2] = kernel_rate(rows[i].obj, rows[i].prog, XDP_FLAGS_DRV_MODE, secs);
		}
		double offered = (__atomic_load_n(&sent, __ATOMIC_RELAXED) - c0) / (now_s() - s0);
		stop_sender = 1;
		pthread_join(t, NULL);
		printf("| program   | bpfrt live kpps | kernel generic kpps | kernel native kpps | bpfrt/generic | bpfrt/native |\n");
		printf("|-----------|-----------------|---------------------|--------------------|---------------|--------------|\n");
		for (int i = 0; i < 2; i++)
			printf("| %-9s | %15.0f | %19.0f | %18.0f | %13.2f | %12.2f |\n", rows[i].name,
			       r[i][0] / 1e3, r[i][1] / 1e3, r[i][2] / 1e3,
			       r[i][1] ? r[i][0] / r[i][1] : 0, r[i][2] ? r[i][0] / r[i][2] : 0);
		printf("(64-byte frames over veth, %d s per phase; the sender offered %.0f kpps on "
		       "average over all phases; bpfrt's ring had no room for %llu and %llu frames)\n",
		       secs, offered / 1e3, ring_drops[0], ring_drops[1]);
	} else {
		fprintf(stderr, "bench_xdp_live: setup failed\n");
	}
	sh("ip netns del %s; ip netns del %s", ns_a, ns_m);
	sh("rm -f %s/* && rmdir %s", pins, pins);
	return ok ? 0 : 1;
}
