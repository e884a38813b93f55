// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_stress_test.c - kselftest: many threads issue random commands on
 * one space (valid ones, half-valid ones and pure garbage, under random
 * policies, buggy ones included) while reader threads read the space
 * through their own TLBs.  Passes when nothing crashes or hangs, the
 * space still answers, and the pool is back to zero once it is closed.
 * Run it under KASAN, lockdep and kmemleak to make it mean something.
 *
 * TLBH_STRESS_SECONDS sets the duration (default 10, at most 240);
 * TLBH_STRESS_THREADS the command threads (default 8).
 *
 * Exits 4 (skip) when /dev/tlbh is absent, i.e. tlbh.ko is not loaded.
 */
#include <stdlib.h>
#include <time.h>

#include "tlbh_lib.h"
#include "kselftest_harness.h"

#define SPACE_SIZE	(8UL << 20)
#define DATA		(4UL << 20)
#define DATA_PAGES	(DATA / TLBH_PG)
#define MAX_THREADS	32

struct stress {
	int fd;
	char *base;
	long ncpu;
	int nr_policies;
	atomic_int stop;
	atomic_long ops;
	atomic_long errors;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t rnd_off(uint64_t *s)
{
	return (rnd(s) % DATA_PAGES) * TLBH_PG;
}

static uint64_t rnd_len(uint64_t *s, uint64_t off)
{
	uint64_t len = (1 + rnd(s) % 64) * TLBH_PG;

	return off + len > DATA ? DATA - off : len;
}

/* A random valid range of the data half, flags 0 or 1 when @flag. */
static struct tlbh_range *rnd_range(uint64_t *s, struct tlbh_range *r,
				    bool flag)
{
	r->offset = rnd_off(s);
	r->length = rnd_len(s, r->offset);
	r->flags = flag ? rnd(s) & 1 : 0;
	return r;
}

/* One random command: mostly well-formed, sometimes garbage. */
static int one_op(struct stress *st, uint64_t *s)
{
	static const unsigned long any_cmd[] = {
		TLBH_IOC_SPACE_INFO, TLBH_IOC_SET_POLICY, TLBH_IOC_SET_VMAS,
		TLBH_IOC_POPULATE, TLBH_IOC_REMAP, TLBH_IOC_FLUSH,
		TLBH_IOC_ZAP, TLBH_IOC_ZAP_BATCH, TLBH_IOC_UNMAP,
		TLBH_IOC_RECLAIM, TLBH_IOC_RECLAIM_FLUSH, TLBH_IOC_MREMAP,
		TLBH_IOC_MPROTECT, TLBH_IOC_SNAPSHOT, TLBH_IOC_PROBE,
		TLBH_IOC_COUNTERS, TLBH_IOC_CPU_COUNTERS, TLBH_IOC_POOL,
		TLBH_IOC_DRAIN,
	};
	uint64_t w[32];
	struct tlbh_range r = { 0 };
	struct tlbh_range batch[8];
	struct tlbh_snap_entry snap[64];
	unsigned int i, k = rnd(s) % 16;

	memset(w, 0, sizeof(w));
	switch (k) {
	case 0: case 1: case 2:
		return tlbh_ioctl(st->fd, TLBH_IOC_POPULATE, rnd_range(s, &r, true));
	case 3:
		return tlbh_ioctl(st->fd, TLBH_IOC_REMAP, rnd_range(s, &r, true));
	case 4:
		rnd_range(s, &r, false);
		if (rnd(s) & 1)
			return tlbh_ioctl(st->fd, TLBH_IOC_ZAP, &r);
		return tlbh_ioctl(st->fd, TLBH_IOC_UNMAP, &r);
	case 5: {
		struct tlbh_range_batch b = { .nr = 1 + rnd(s) % 8,
					      .ranges = (uintptr_t)batch };

		memset(batch, 0, sizeof(batch));
		for (i = 0; i < b.nr; i++) {
			batch[i].offset = rnd_off(s);
			batch[i].length = rnd_len(s, batch[i].offset);
		}
		return tlbh_ioctl(st->fd, TLBH_IOC_ZAP_BATCH, &b);
	}
	case 6: {
		struct tlbh_reclaim_arg ra = { .offset = rnd_off(s),
					       .flags = rnd(s) & 1 };

		if (rnd(s) % 4 == 0)
			return tlbh_ioctl(st->fd, TLBH_IOC_RECLAIM_FLUSH, &r);
		return tlbh_ioctl(st->fd, TLBH_IOC_RECLAIM, &ra);
	}
	case 7: {
		struct tlbh_mremap m = { 0 };

		if (rnd(s) & 1) {
			m.old_offset = (rnd(s) % 2) << 21;
			m.new_offset = m.old_offset ^ (2UL << 20);
			m.length = 2UL << 20;
			m.flags = TLBH_MREMAP_PMD;
		} else {
			m.old_offset = rnd_off(s);
			m.new_offset = rnd_off(s);
			m.length = TLBH_PG;
		}
		return tlbh_ioctl(st->fd, TLBH_IOC_MREMAP, &m);
	}
	case 8:
		return tlbh_ioctl(st->fd, TLBH_IOC_MPROTECT, rnd_range(s, &r, true));
	case 9: {
		struct tlbh_snapshot sn = { .offset = rnd_off(s) & ~0x3fffUL,
					    .npages = 1 + rnd(s) % 64,
					    .entries = (uintptr_t)snap };

		if (sn.offset + sn.npages * TLBH_PG > DATA)
			sn.npages = (DATA - sn.offset) / TLBH_PG;
		return tlbh_ioctl(st->fd, TLBH_IOC_SNAPSHOT, &sn);
	}
	case 10: {
		struct tlbh_probe p = { .offset = rnd_off(s),
					.cpu = rnd(s) % st->ncpu };

		return tlbh_ioctl(st->fd, TLBH_IOC_PROBE, &p);
	}
	case 11:
		rnd_range(s, &r, false);
		if (rnd(s) % 8 == 0) {
			r.offset = r.length = 0;
			r.flags = TLBH_FLUSH_MM;
		}
		return tlbh_ioctl(st->fd, TLBH_IOC_FLUSH, &r);
	case 12: {
		struct tlbh_policy_arg pa = {
			.policy = 1 + rnd(s) % st->nr_policies };

		return tlbh_ioctl(st->fd, TLBH_IOC_SET_POLICY, &pa);
	}
	case 13:
		if (rnd(s) % 8)
			return tlbh_ioctl(st->fd, TLBH_IOC_COUNTERS, w);
		return tlbh_ioctl(st->fd, TLBH_IOC_DRAIN, &r);
	default:
		/* Garbage: random words, sometimes a random pointer. */
		for (i = 0; i < 32; i++)
			w[i] = rnd(s) % 3 ? rnd(s) % (2 * DATA) : rnd(s);
		if (rnd(s) & 1)
			w[1] = (uintptr_t)snap;
		return tlbh_ioctl(st->fd, any_cmd[rnd(s) % 19], w);
	}
}

static void *worker(void *arg)
{
	struct stress *st = arg;
	uint64_t s = (uintptr_t)&s ^ (uint64_t)time(NULL) ^ 0x9e3779b97f4a7c15ULL;

	while (!atomic_load(&st->stop)) {
		int ret = one_op(st, &s);

		if (ret == -ENOTTY || ret == -EPERM)
			atomic_fetch_add(&st->errors, 1);
		atomic_fetch_add(&st->ops, 1);
	}
	return NULL;
}

static int env_int(const char *name, int def, int max)
{
	const char *v = getenv(name);
	int n = v ? atoi(v) : def;

	return n < 1 ? def : n > max ? max : n;
}

FIXTURE(stress)
{
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, random_commands, 300)
{
	int secs = env_int("TLBH_STRESS_SECONDS", 10, 240);
	int nthr = env_int("TLBH_STRESS_THREADS", 8, MAX_THREADS);
	struct tlbh_space_info si = { 0 };
	pthread_t w[MAX_THREADS];
	struct tlbh_readers rd;
	struct stress *st = calloc(1, sizeof(*st));
	struct tlbh_range r = { 0 };
	int i;

	ASSERT_NE(st, NULL);
	st->fd = tlbh_open_space(SPACE_SIZE, &st->base);
	ASSERT_GE(st->fd, 0) TH_LOG("space: %s", strerror(-st->fd));
	ASSERT_EQ(tlbh_ioctl(st->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	st->nr_policies = si.nr_policies;
	st->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	for (i = 0; i < nthr; i++)
		ASSERT_EQ(pthread_create(&w[i], NULL, worker, st), 0);
	/* Pinned readers on every CPU (up to 8) reading the data at random. */
	ASSERT_EQ(tlbh_readers_start(&rd, 0, st->ncpu < TLBH_MAX_READERS ?
				     st->ncpu : TLBH_MAX_READERS, st->base, DATA), 0);
	sleep(secs);
	atomic_store(&st->stop, 1);
	for (i = 0; i < nthr; i++)
		pthread_join(w[i], NULL);
	tlbh_readers_stop(&rd);
	TH_LOG("%d threads, %d s: %ld commands", nthr, secs,
	       atomic_load(&st->ops));
	EXPECT_EQ(atomic_load(&st->errors), 0);
	/* Still answering, then empty once closed. */
	EXPECT_EQ(tlbh_ioctl(st->fd, TLBH_IOC_DRAIN, &r), 0);
	EXPECT_EQ(tlbh_ioctl(st->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(munmap(st->base, SPACE_SIZE), 0);
	close(st->fd);
	st->fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(st->fd, 0);
	EXPECT_EQ(tlbh_pool_pages(st->fd), 0);
	close(st->fd);
	free(st);
}

TLBH_TEST_HARNESS_MAIN
