// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_space_test.c - kselftest for tlbh spaces through the real MMU:
 * identities read from user space match the page tables, unmapped pages
 * raise SIGBUS, a PTE changed without a flush is read stale by threads
 * pinned to every CPU until the engine's flush makes it fresh, engine
 * operations move and park page tables, held operations (TLBH_HOLD)
 * keep their window open until RESUME and take the kernel's locks,
 * ZAP_BATCH shares one flush, and the pool returns to zero after exit
 * and kill -9 (with an operation left held).
 *
 * Exits 4 (skip) when /dev/tlbh is absent, i.e. tlbh.ko is not loaded.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "tlbh_lib.h"
#include "kselftest_harness.h"

#define SPACE_SIZE	(8UL << 20)	/* 4 MiB data, 4 MiB park */
#define PMD_BYTES	(2UL << 20)

FIXTURE(space)
{
	int fd;
	char *base;
	struct tlbh_space_info info;
};

FIXTURE_SETUP(space)
{
	self->fd = tlbh_open_space(SPACE_SIZE, &self->base);
	ASSERT_GE(self->fd, 0) TH_LOG("space: %s", strerror(-self->fd));
	memset(&self->info, 0, sizeof(self->info));
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &self->info), 0);
	ASSERT_EQ(self->info.base, (uintptr_t)self->base);
	tlbh_catch_sigbus();
}

FIXTURE_TEARDOWN(space)
{
	munmap(self->base, SPACE_SIZE);
	close(self->fd);
}

TEST_F(space, populate_identities)
{
	struct tlbh_snap_entry e[16];
	struct tlbh_snapshot s = { .offset = 0, .npages = 16,
				   .entries = (uintptr_t)e };
	uint64_t n = 0, id;
	int i;

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, &n), 0);
	EXPECT_EQ(n, 16);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SNAPSHOT, &s), 0);
	for (i = 0; i < 16; i++) {
		id = tlbh_read(self->base + i * TLBH_PG);
		EXPECT_EQ(id, e[i].identity);
		EXPECT_EQ(TLBH_ID_SPACE(id), self->info.space_id);
		EXPECT_EQ(TLBH_ID_PAGE(id), i);
		EXPECT_NE(TLBH_ID_GEN(id), 0);
		EXPECT_EQ(((const uint64_t *)(self->base + i * TLBH_PG))[1], ~id);
		EXPECT_TRUE(e[i].flags & TLBH_SNAP_PRESENT);
		EXPECT_EQ(TLBH_SNAP_LEVEL(e[i].flags), 1);
	}
	/* Populating again maps nothing new. */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, &n), 0);
	EXPECT_EQ(n, 0);
}

TEST_F(space, unmapped_page_sigbus)
{
	EXPECT_EQ(tlbh_read(self->base + 5 * TLBH_PG), 0);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 5 * TLBH_PG), 0);
}

/*
 * One round: prime every reader's TLB, change the PTE without a flush,
 * read again (stale expected), flush through the engine, read again
 * (fresh required).  Returns the identity the page tables hold after the
 * change; the readers' observations are left in @r->got.
 */
static uint64_t stale_fresh_round(struct __test_metadata *_metadata,
				  FIXTURE_DATA(space) *self,
				  struct tlbh_readers *r, int n)
{
	uint64_t out;

	EXPECT_EQ(tlbh_readers_start(r, 0, n, self->base, 0), 0);
	tlbh_readers_step(r, 1);	/* prime every CPU's TLB */
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_REMAP, 0, TLBH_PG, 0, &out), 0);
	EXPECT_EQ(out, 1);
	tlbh_readers_step(r, 2);	/* PTE changed, no flush: stale */
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_FLUSH, 0, TLBH_PG, 0, NULL), 0);
	tlbh_readers_step(r, 3);	/* after the engine's flush: fresh */
	tlbh_readers_stop(r);
	return tlbh_mapped_id(self->fd, 0);
}

/*
 * A stale read needs the entry to survive in the CPU's TLB from the
 * priming read to the read after the change; a context switch to
 * another mm on a CPU without PCID drops it.  So rounds are repeated
 * (at most STALE_ROUNDS) until every CPU has shown a stale read once,
 * while the read after the engine's flush must be fresh in every round.
 */
#define STALE_ROUNDS	32

TEST_F(space, stale_then_fresh_on_every_cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool seen_stale[TLBH_MAX_READERS] = { false };
	uint64_t old_id, new_id;
	int i, n, round, stale, misses = 0;

	if (ncpu < 3)
		SKIP(return, "needs 3 CPUs, have %ld", ncpu);
	n = ncpu < TLBH_MAX_READERS ? ncpu : TLBH_MAX_READERS;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	for (round = 1, stale = 0; round <= STALE_ROUNDS && stale < n; round++) {
		struct tlbh_readers *r = calloc(1, sizeof(*r));

		ASSERT_NE(r, NULL);
		old_id = tlbh_mapped_id(self->fd, 0);
		new_id = stale_fresh_round(_metadata, self, r, n);
		ASSERT_NE(new_id, old_id);
		for (i = 0; i < n; i++) {
			TH_LOG("round %d cpu %d: primed %s, after remap %s%s, after flush %s; %s",
			       round, r->rd[i].cpu, r->got[i][1] == old_id ? "old" : "?",
			       r->got[i][2] == old_id ? "STALE" : "fresh: missed, ",
			       r->got[i][2] == old_id ? "" : tlbh_reader_why(r, i, 1, 2),
			       r->got[i][3] == new_id ? "fresh" : "STALE",
			       tlbh_readers_protection(r));
			misses += r->got[i][2] != old_id;
			EXPECT_EQ(r->got[i][1], old_id);
			EXPECT_EQ(r->got[i][3], new_id);
			if (r->got[i][2] == old_id && !seen_stale[i]) {
				seen_stale[i] = true;
				stale++;
			}
		}
		free(r);
	}
	TH_LOG("stale seen on %d of %d CPUs within %d rounds, %d reads missed",
	       stale, n, round - 1, misses);
	EXPECT_GE(stale, 3);
	EXPECT_EQ(stale, n);
}

TEST_F(space, zap_then_sigbus)
{
	uint64_t id;

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 4 * TLBH_PG, 0, NULL), 0);
	id = tlbh_read(self->base + TLBH_PG);
	ASSERT_NE(id, 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, TLBH_PG, 2 * TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(tlbh_read(self->base + TLBH_PG), 0);
	EXPECT_EQ(tlbh_mapped_id(self->fd, TLBH_PG), 0);
	EXPECT_NE(tlbh_mapped_id(self->fd, 0), 0);
	EXPECT_NE(tlbh_mapped_id(self->fd, 3 * TLBH_PG), 0);
}

TEST_F(space, unmap_parks_and_reuses_tables)
{
	struct tlbh_space_info si;
	struct tlbh_counters c = { 0 };

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 8 * TLBH_PG, 0, NULL), 0);
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(si.tables, 1);
	EXPECT_EQ(si.parked, 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, PMD_BYTES, 0, NULL), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(si.tables, 0);
	EXPECT_EQ(si.parked, 1);
	EXPECT_EQ(tlbh_read(self->base), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, PMD_BYTES, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(si.tables, 1);
	EXPECT_EQ(si.parked, 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_COUNTERS, &c), 0);
	EXPECT_EQ(c.c[TLBH_CNT_TABLES_PARKED], 1);
	EXPECT_EQ(c.c[TLBH_CNT_TABLES_REUSED], 1);
	EXPECT_NE(tlbh_read(self->base + PMD_BYTES), 0);
}

TEST_F(space, mremap_pte_and_pmd)
{
	struct tlbh_mremap m = { .old_offset = 0, .new_offset = 16 * TLBH_PG,
				 .length = TLBH_PG };
	uint64_t id;

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	id = tlbh_read(self->base);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_MREMAP, &m), 0);
	EXPECT_EQ(tlbh_read(self->base), 0);
	EXPECT_EQ(tlbh_read(self->base + 16 * TLBH_PG), id);
	/* Same destination again: it is in use now. */
	m.old_offset = 32 * TLBH_PG;
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_MREMAP, &m), -EBUSY);

	memset(&m, 0, sizeof(m));
	m.old_offset = 0;
	m.new_offset = PMD_BYTES;
	m.length = PMD_BYTES;
	m.flags = TLBH_MREMAP_PMD;
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_MREMAP, &m), 0);
	EXPECT_EQ(tlbh_read(self->base + 16 * TLBH_PG), 0);
	EXPECT_EQ(tlbh_read(self->base + PMD_BYTES + 16 * TLBH_PG), id);
	EXPECT_EQ(tlbh_mapped_id(self->fd, PMD_BYTES + 16 * TLBH_PG), id);
	/* No table left at the source. */
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_MREMAP, &m), -EBUSY);
}

TEST_F(space, reclaim_batch_then_flush)
{
	struct tlbh_reclaim_arg ra = { .offset = 0, .flags = TLBH_RECLAIM_BATCH };
	uint64_t n;

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 2 * TLBH_PG, 0, NULL), 0);
	ASSERT_NE(tlbh_read(self->base), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_RECLAIM, &ra), 0);
	EXPECT_EQ(ra.out, 1);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 0), 0);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_RECLAIM, &ra), -ENOENT);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, &n), 0);
	EXPECT_EQ(tlbh_read(self->base), 0);
	ra.offset = TLBH_PG;
	ra.flags = 0;
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_RECLAIM, &ra), 0);
	EXPECT_EQ(tlbh_read(self->base + TLBH_PG), 0);
}

TEST_F(space, mprotect_write)
{
	struct tlbh_snap_entry e = { 0 };
	struct tlbh_snapshot s = { .offset = 0, .npages = 1,
				   .entries = (uintptr_t)&e };

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_MPROTECT, 0, TLBH_PG,
			    TLBH_PROT_WRITE, NULL), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SNAPSHOT, &s), 0);
	EXPECT_TRUE(e.flags & TLBH_SNAP_WRITE);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_MPROTECT, 0, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SNAPSHOT, &s), 0);
	EXPECT_FALSE(e.flags & TLBH_SNAP_WRITE);
}

static uint64_t flushes(int fd)
{
	struct tlbh_counters c = { .flags = TLBH_COUNTERS_RESET };

	if (tlbh_ioctl(fd, TLBH_IOC_COUNTERS, &c))
		return ~0ULL;
	return c.c[TLBH_CNT_FLUSH_RANGE] + c.c[TLBH_CNT_FLUSH_ALL];
}

/* A held zap: cleared, unflushed until RESUME; everything else waits. */
TEST_F(space, hold_and_resume)
{
	struct tlbh_reclaim_arg ra = { .offset = 3 * TLBH_PG, .flags = TLBH_HOLD };
	struct tlbh_policy_arg pa = { .policy = 1 };
	uint64_t out = 0;

	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL), -EBUSY);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 4 * TLBH_PG, 0, NULL), 0);
	flushes(self->fd);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 0, 2 * TLBH_PG, TLBH_HOLD, &out), 0);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 0), 0);
	EXPECT_EQ(flushes(self->fd), 0);
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 2 * TLBH_PG, TLBH_PG, TLBH_HOLD, NULL), -EBUSY);
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 2 * TLBH_PG, TLBH_PG, TLBH_HOLD, NULL), -EBUSY);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_RECLAIM, &ra), -EBUSY);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SET_POLICY, &pa), -EBUSY);
	/* Not held: other commands run inside the window. */
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 2 * TLBH_PG, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 2 * TLBH_PG), 0);
	flushes(self->fd);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, &out), 0);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(flushes(self->fd), 1);
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL), -EBUSY);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SET_POLICY, &pa), 0);
}

/* A held munmap has unlinked its VMAs: a zap finds none, opens no gather. */
TEST_F(space, held_unmap_hides_its_vmas)
{
	struct tlbh_reclaim_arg ra = { .offset = 0 };
	struct tlbh_counters c = { .flags = TLBH_COUNTERS_RESET };

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, TLBH_PG, TLBH_HOLD, NULL), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_COUNTERS, &c), 0);
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 0, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_RECLAIM, &ra), -ENOENT);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_COUNTERS, &c), 0);
	EXPECT_EQ(c.c[TLBH_CNT_GATHERS], 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL), 0);
	EXPECT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 0, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_COUNTERS, &c), 0);
	EXPECT_EQ(c.c[TLBH_CNT_GATHERS], 1);
}

/* A walker holding the rmap lock makes an upstream PMD move wait. */
TEST_F(space, held_reclaim_blocks_pmd_move)
{
	struct tlbh_reclaim_arg ra = { .offset = 0, .flags = TLBH_HOLD };
	struct tlbh_mremap m = { .old_offset = 0, .new_offset = PMD_BYTES,
				 .length = PMD_BYTES, .flags = TLBH_MREMAP_PMD };

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_RECLAIM, &ra), 0);
	EXPECT_EQ(ra.out, 1);
	EXPECT_NE(tlbh_mapped_id(self->fd, 0), 0);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_MREMAP, &m), -EBUSY);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL), 0);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 0), 0);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_MREMAP, &m), 0);
}

/* process_madvise-style: one gather and one flush for the whole batch. */
TEST_F(space, zap_batch_shares_one_flush)
{
	struct tlbh_range r[16];
	struct tlbh_range_batch b = { .nr = 16, .ranges = (uintptr_t)r };
	int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 16; i++) {
		r[i].offset = i * TLBH_PG;
		r[i].length = TLBH_PG;
	}
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, NULL), 0);
	flushes(self->fd);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_ZAP_BATCH, &b), 0);
	EXPECT_EQ(b.out, 16);
	EXPECT_EQ(flushes(self->fd), 1);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 15 * TLBH_PG), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, NULL), 0);
	flushes(self->fd);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, i * TLBH_PG, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(flushes(self->fd), 16);
}

/* A child maps and churns a space; the pool is empty once it is gone. */
static void churn(int rounds)
{
	int fd = open(TLBH_PATH, O_RDWR);
	char *base;
	int i;

	if (fd < 0)
		_exit(2);
	base = tlbh_map_space(fd, SPACE_SIZE);
	if (base == MAP_FAILED)
		_exit(3);
	for (i = 0; rounds < 0 || i < rounds; i++) {
		tlbh_range_cmd(fd, TLBH_IOC_POPULATE, 0, 64 * TLBH_PG, 0, NULL);
		tlbh_range_cmd(fd, TLBH_IOC_REMAP, 0, 64 * TLBH_PG, 0, NULL);
		tlbh_range_cmd(fd, TLBH_IOC_UNMAP, 0, PMD_BYTES, 0, NULL);
		/* Left held: exit or kill must abandon it cleanly. */
		tlbh_range_cmd(fd, TLBH_IOC_POPULATE, 0, 64 * TLBH_PG, 0, NULL);
		tlbh_range_cmd(fd, TLBH_IOC_ZAP, 0, 64 * TLBH_PG, TLBH_HOLD, NULL);
	}
	_exit(0);
}

FIXTURE(pool)
{
	int fd;
};

FIXTURE_VARIANT(pool)
{
	int rounds;		/* -1: until killed */
	int kill_after_ms;
};

FIXTURE_VARIANT_ADD(pool, exit) { .rounds = 3, .kill_after_ms = 0 };
FIXTURE_VARIANT_ADD(pool, kill9) { .rounds = -1, .kill_after_ms = 300 };

FIXTURE_SETUP(pool)
{
	self->fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(tlbh_pool_pages(self->fd), 0);
}

FIXTURE_TEARDOWN(pool)
{
	close(self->fd);
}

TEST_F(pool, back_to_zero)
{
	struct timespec ts = { 0, variant->kill_after_ms * 1000000L };
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		churn(variant->rounds);
	if (variant->kill_after_ms) {
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (!variant->kill_after_ms)
		ASSERT_EQ(status, 0);
	EXPECT_EQ(tlbh_pool_pages(self->fd), 0);
}

TLBH_TEST_HARNESS_MAIN
