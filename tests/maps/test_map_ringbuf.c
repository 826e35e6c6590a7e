/* SPDX-License-Identifier: MIT */
/*
 * test_map_ringbuf - ring buffers: the kernel's record headers and
 * positions, reserve/submit/discard/output and their flags, a full ring,
 * records wrapping around the end (contiguous thanks to the double
 * mapping), out-of-order submits, query, and consumers that wait: in
 * another thread, on several rings, and in another process.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "mtest.h"
#include "maps/maps.h"

#define BUSY (1u << 31)
#define DISCARD (1u << 30)

struct sink {
	uint32_t n;
	uint64_t bytes;
	uint32_t last_seq;
	int bad;
	int stop_after; /* return 7 from this record on (0: never) */
};

static int sample(void *ctx, void *data, size_t size)
{
	struct sink *s = ctx;
	s->n++;
	s->bytes += size;
	if (size >= 4) {
		uint32_t seq;
		memcpy(&seq, data, 4);
		/* records carry seq, then bytes seq + i */
		for (size_t i = 4; i < size; i++)
			if (((uint8_t *)data)[i] != (uint8_t)(seq + i))
				s->bad++;
		s->last_seq = seq;
	}
	return s->stop_after && (int)s->n >= s->stop_after ? 7 : 0;
}

static void fill(uint8_t *p, uint32_t seq, size_t size)
{
	memcpy(p, &seq, 4);
	for (size_t i = 4; i < size; i++)
		p[i] = (uint8_t)(seq + i);
}

static void test_basics(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL);
	struct sink s = { 0 };
	struct bpfrt_ring_buffer *rb = bpfrt_ring_buffer__new(m, sample, &s);
	CHECK(rb, "consumer");
	CHECK_EQ(ringbuf_query(m, 1), 4096);

	uint8_t *p = ringbuf_reserve(m, 10, 0);
	CHECK(p && ((uintptr_t)p & 7) == 0, "aligned record");
	uint32_t len, pg_off;
	memcpy(&len, p - 8, 4);
	memcpy(&pg_off, p - 4, 4);
	CHECK_EQ(len, 10 | BUSY);
	CHECK(pg_off >= 1, "pg_off %u", pg_off);
	CHECK_EQ(ringbuf_query(m, 3), 24); /* producer: round_up(10 + 8, 8) */
	CHECK_EQ(ringbuf_query(m, 0), 24);
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 0); /* still busy */
	fill(p, 1, 10);
	ringbuf_submit(p, 0);
	memcpy(&len, p - 8, 4);
	CHECK_EQ(len, 10);
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 1);
	CHECK(s.n == 1 && s.bytes == 10 && !s.bad, "record");
	CHECK_EQ(ringbuf_query(m, 2), 24);
	CHECK_EQ(ringbuf_query(m, 0), 0);
	CHECK_EQ(ringbuf_query(m, 9), 0);

	/* discard: consumed without a callback */
	p = ringbuf_reserve(m, 100, 0);
	ringbuf_discard(p, 0);
	memcpy(&len, p - 8, 4);
	CHECK_EQ(len, 100 | DISCARD);
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 0);
	CHECK_EQ(s.n, 1);
	CHECK_EQ(ringbuf_query(m, 2), 24 + 112);

	/* flags, sizes */
	uint8_t data[16];
	fill(data, 2, 16);
	CHECK_EQ(ringbuf_output(m, data, 16, 0), 0);
	CHECK_EQ(ringbuf_output(m, data, 16, 4), -EINVAL);
	CHECK_EQ(ringbuf_output(m, data, 16, 1 | 2), 0);
	CHECK(!ringbuf_reserve(m, 8, 1), "reserve flags");
	CHECK(!ringbuf_reserve(m, 4096, 0), "larger than the ring");
	CHECK(!ringbuf_reserve(m, 1ull << 40, 0), "huge");
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 2);
	CHECK_EQ(s.last_seq, 2);

	/* out of order: the consumer waits for the older record */
	uint8_t *a = ringbuf_reserve(m, 8, 0), *b = ringbuf_reserve(m, 8, 0);
	fill(a, 10, 8);
	fill(b, 11, 8);
	ringbuf_submit(b, 0);
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 0);
	ringbuf_submit(a, 0);
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 2);
	CHECK_EQ(s.last_seq, 11);

	/* a callback's non-zero return stops consumption and is returned */
	s.stop_after = s.n + 2;
	for (uint32_t i = 0; i < 4; i++)
		ringbuf_output(m, data, 16, 0);
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 7);
	s.stop_after = 0;
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 2);

	/* the checked engine must let programs write reserved records */
	uintptr_t lo, hi;
	bool w;
	p = ringbuf_reserve(m, 8, 0);
	CHECK(map_value_region(m, &lo, &hi, &w) && lo <= (uintptr_t)p && (uintptr_t)p + 8 <= hi && w,
	      "records inside the value region");
	ringbuf_discard(p, 0);

	/* no elements */
	uint32_t k = 0;
	CHECK_EQ(bpfrt_map__lookup_elem(m, NULL, 0, &k, 0, 0), -524);
	CHECK_EQ(bpfrt_map__update_elem(m, NULL, 0, &k, 0, 0), -524);
	CHECK_EQ(bpfrt_map__get_next_key(m, NULL, &k, 0), -524);
	CHECK(!map_lookup_elem(m, &k), "no lookup");
	bpfrt_ring_buffer__free(rb);
	bpfrt_map__put(m);

	struct bpfrt_map *h = bpfrt_map__create(rt, BPFRT_MAP_TYPE_HASH, "nh", 4, 4, 1, NULL);
	CHECK(!bpfrt_ring_buffer__new(h, sample, &s), "not a ring");
	CHECK_EQ(errno, EINVAL);
	CHECK_ERR_MENTIONS(rt, "not a ring buffer");
	CHECK(!ringbuf_reserve(h, 8, 0), "reserve from a hash");
	bpfrt_map__put(h);
}

static void test_full_and_wrap(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "wrap", 0, 0, 4096, NULL);
	struct sink s = { 0 };
	struct bpfrt_ring_buffer *rb = bpfrt_ring_buffer__new(m, sample, &s);
	uint8_t *r[5];
	for (int i = 0; i < 4; i++)
		CHECK((r[i] = ringbuf_reserve(m, 1000, 0)), "record %d", i);
	CHECK(!(r[4] = ringbuf_reserve(m, 1000, 0)), "full: 5 * 1008 > 4095");
	uint8_t data[1400];
	fill(data, 99, sizeof(data));
	CHECK_EQ(ringbuf_output(m, data, 1000, 0), -EAGAIN);
	CHECK(ringbuf_reserve(m, 48, 0) != NULL, "what fits still fits");
	for (int i = 0; i < 4; i++) {
		fill(r[i], (uint32_t)i, 1000);
		ringbuf_submit(r[i], 0);
	}
	CHECK_EQ(bpfrt_ring_buffer__consume(rb), 4);
	/* the 48-byte record is still busy, so the consumer stays before it */
	CHECK_EQ(ringbuf_output(m, data, 1000, 0), 0);
	bpfrt_ring_buffer__free(rb);
	bpfrt_map__put(m);

	/* many rounds with records that straddle the end of the data */
	m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "wrap2", 0, 0, 4096, NULL);
	memset(&s, 0, sizeof(s));
	rb = bpfrt_ring_buffer__new(m, sample, &s);
	uint32_t seq = 0;
	for (int round = 0; round < 300; round++) {
		size_t size = 700 + (size_t)(round * 37) % 600;
		for (int j = 0; j < 2; j++) {
			fill(data, ++seq, size);
			CHECK_EQ(ringbuf_output(m, data, size, 0), 0);
		}
		CHECK_EQ(bpfrt_ring_buffer__consume(rb), 2);
	}
	CHECK(s.n == 600 && !s.bad && s.last_seq == 600, "%u records, %d bad", s.n, s.bad);
	CHECK(ringbuf_query(m, 3) > 100000, "positions only grow");
	bpfrt_ring_buffer__free(rb);
	bpfrt_map__put(m);
}

struct producer {
	struct bpfrt_map *m;
	uint32_t n;
	int delay_every;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	uint8_t data[64];
	for (uint32_t i = 1; i <= p->n; i++) {
		fill(data, i, 8 + i % 50);
		while (ringbuf_output(p->m, data, 8 + i % 50, 0) == -EAGAIN)
			usleep(100);
		if (p->delay_every && i % (uint32_t)p->delay_every == 0)
			usleep(2000);
	}
	return NULL;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void test_poll(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "poll", 0, 0, 8192, NULL);
	struct sink s = { 0 };
	struct bpfrt_ring_buffer *rb = bpfrt_ring_buffer__new(m, sample, &s);
	double t0 = now_ms();
	CHECK_EQ(bpfrt_ring_buffer__poll(rb, 50), 0);
	double dt = now_ms() - t0;
	CHECK(dt >= 45 && dt < 1000, "empty poll took %.1f ms", dt);
	CHECK_EQ(bpfrt_ring_buffer__poll(rb, 0), 0);

	/* a producer thread, the consumer sleeping in poll between bursts */
	struct producer p = { m, 20000, 500 };
	pthread_t th;
	pthread_create(&th, NULL, produce, &p);
	int polls = 0;
	while (s.n < p.n && polls < 100000) {
		int n = bpfrt_ring_buffer__poll(rb, 5000);
		CHECK(n >= 0, "poll: %d", n);
		if (n <= 0)
			break;
		polls++;
	}
	pthread_join(th, NULL);
	CHECK(s.n == p.n && !s.bad && s.last_seq == p.n, "%u of %u records, %d bad", s.n, p.n, s.bad);

	/* two rings: a record in the second wakes a poll on both (futex_waitv) */
	struct bpfrt_map *m2 = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "poll2", 0, 0, 4096, NULL);
	struct sink s2 = { 0 };
	CHECK_EQ(bpfrt_ring_buffer__add(rb, m2, sample, &s2), 0);
	struct producer p2 = { m2, 1, 0 };
	t0 = now_ms();
	pthread_create(&th, NULL, produce, &p2);
	int n = bpfrt_ring_buffer__poll(rb, 5000);
	pthread_join(th, NULL);
	if (n == 0)
		n = bpfrt_ring_buffer__poll(rb, 5000);
	dt = now_ms() - t0;
	CHECK(n == 1 && s2.n == 1 && dt < 4000, "second ring: %d record(s) after %.1f ms", n, dt);
	CHECK_EQ(bpfrt_ring_buffer__add(rb, rb ? m : NULL, NULL, NULL), -EINVAL);
	bpfrt_ring_buffer__free(rb);
	bpfrt_map__put(m);
	bpfrt_map__put(m2);
}

struct poller {
	struct bpfrt_ring_buffer *rb;
	int result;
	int done;
	int tid; /* set just before it polls */
};

static void *poll_once(void *arg)
{
	struct poller *p = arg;
	__atomic_store_n(&p->tid, (int)gettid(), __ATOMIC_RELEASE);
	p->result = bpfrt_ring_buffer__poll(p->rb, 5000);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Wait until the thread whose id *tid will hold is asleep (state S in /proc). */
static bool wait_asleep(const int *tid)
{
	for (int i = 0; i < 10000; i++) {
		int t = __atomic_load_n(tid, __ATOMIC_ACQUIRE);
		char path[64], stat[256] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", t);
		FILE *f = t ? fopen(path, "r") : NULL;
		if (f) {
			size_t n = fread(stat, 1, sizeof(stat) - 1, f);
			fclose(f);
			stat[n] = 0;
			const char *state = strrchr(stat, ')'); /* after "pid (comm)" */
			if (state && state[1] == ' ' && state[2] == 'S')
				return true;
		}
		usleep(1000);
	}
	return false;
}

/* BPF_RB_NO_WAKEUP leaves a waiting consumer asleep; BPF_RB_FORCE_WAKEUP wakes it. */
static void test_wakeup_flags(struct bpfrt_runtime *rt)
{
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "wake", 0, 0, 4096, NULL);
	struct sink s = { 0 };
	struct poller p = { bpfrt_ring_buffer__new(m, sample, &s), 0, 0, 0 };
	pthread_t th;
	pthread_create(&th, NULL, poll_once, &p);
	uint8_t data[8];
	fill(data, 1, 8);
	/*
	 * The record must come while the consumer sleeps in poll: one that is
	 * there before it polls is consumed at once, flags or not. On a loaded
	 * machine the thread may take long to get there.
	 */
	CHECK(wait_asleep(&p.tid), "the poller never went to sleep");
	CHECK_EQ(ringbuf_output(m, data, 8, 1 /* BPF_RB_NO_WAKEUP */), 0);
	usleep(200000);
	CHECK(!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE), "woken despite BPF_RB_NO_WAKEUP");
	fill(data, 2, 8);
	double t0 = now_ms();
	/* the consumer is behind (record 1): only a forced wakeup wakes it */
	CHECK_EQ(ringbuf_output(m, data, 8, 2 /* BPF_RB_FORCE_WAKEUP */), 0);
	pthread_join(th, NULL);
	CHECK(p.result == 2 && now_ms() - t0 < 2000, "forced wakeup: %d record(s) after %.0f ms",
	      p.result, now_ms() - t0);
	bpfrt_ring_buffer__free(p.rb);
	bpfrt_map__put(m);
}

/* A consumer in another process, woken through the shared futex. */
static void test_other_process(struct bpfrt_runtime *rt)
{
	char dir[128];
	snprintf(dir, sizeof(dir), "/dev/shm/bpfrt-test-rb-%d", (int)getpid());
	setenv("BPFRT_PIN_DIR", dir, 1);
	struct bpfrt_map *m = bpfrt_map__create(rt, BPFRT_MAP_TYPE_RINGBUF, "events", 0, 0, 4096, NULL);
	CHECK_EQ(bpfrt_map__pin(m, "events"), 0);
	enum { N = 5000 };
	pid_t pid = fork();
	if (pid == 0) {
		struct bpfrt_runtime *crt = quiet_runtime();
		struct bpfrt_map *cm = bpfrt_map__open_pinned(crt, "events");
		struct sink cs = { 0 };
		struct bpfrt_ring_buffer *crb = cm ? bpfrt_ring_buffer__new(cm, sample, &cs) : NULL;
		if (!crb)
			_exit(10);
		while (cs.n < N)
			if (bpfrt_ring_buffer__poll(crb, 10000) <= 0)
				_exit(11);
		_exit(cs.bad || cs.last_seq != N ? 12 : 0);
	}
	struct producer p = { m, N, 100 };
	produce(&p);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "consumer process: status 0x%x", st);
	CHECK_EQ(ringbuf_query(m, 0), 0); /* it consumed everything */
	bpfrt_map__unpin(m, NULL);
	bpfrt_map__put(m);
	rmdir(dir);
}

int main(void)
{
	struct bpfrt_runtime *rt = quiet_runtime();
	test_basics(rt);
	test_full_and_wrap(rt);
	test_poll(rt);
	test_wakeup_flags(rt);
	test_other_process(rt);
	bpfrt_runtime__free(rt);
	return finish("test_map_ringbuf");
}
