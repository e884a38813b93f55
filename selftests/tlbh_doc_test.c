// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_doc_test.c - kselftest: what Documentation/abi.rst says the
 * module does, point by point, where the text once said otherwise.
 *
 *   tlb_gen      which commands bump the mm's flush generation, counted
 *                by TLBH_CNT_TLB_GEN (a batched RECLAIM does, without a
 *                flush; RECLAIM_FLUSH and the luf-vma-flag flush do not;
 *                a skipped flush does not; DRAIN bumps it uncounted; the
 *                first PTE change after a batch flushes the mm again)
 *   out          the out word of UNMAP, ZAP, FLUSH, MPROTECT, CLEAR_REFS,
 *                RECLAIM_FLUSH
 *   generation   TLBH_ID_GEN counts the pages a space was given, not the
 *                pages one page number was given
 *   partial      UNMAP of part of a harness VMA leaves the VMA; a held
 *                partial UNMAP hides the whole VMA
 *   reclaim      -ENOENT and -EBUSY of RECLAIM, the batch of 64 pages
 *   luf          what the owed LUF flush is and who pays it
 *   skipped      why FLUSH_SKIPPED rises with every table-freeing munmap
 *                under upstream-current
 *   pmd move     MREMAP with TLBH_MREMAP_PMD counts a parked table
 *
 * The deferred reclaim flush needs another CPU in the mm: a spinner
 * thread keeps one there (skipped on a single CPU).  Exits 4 (skip)
 * when /dev/tlbh is absent.
 */
#include <stdlib.h>

#include "tlbh_lib.h"
#include "kselftest_harness.h"

#define SPACE_SIZE	(8UL << 20)	/* 4 MiB data: two slots */
#define PMD_BYTES	(2UL << 20)
#define X		(5 * TLBH_PG)
#define RECLAIM_BATCH_PAGES	64	/* src/tlbh_op.h TLBH_RECLAIM_IOC_PAGES */

FIXTURE(doc)
{
	int fd;
	char *base;
	struct tlbh_readers spin;
	bool spinning;
	uint64_t c[TLBH_CNT_SLOTS];
};

FIXTURE_SETUP(doc)
{
	self->fd = tlbh_open_space(SPACE_SIZE, &self->base);
	ASSERT_GE(self->fd, 0) TH_LOG("space: %s", strerror(-self->fd));
	self->spinning = false;
	tlbh_catch_sigbus();
}

FIXTURE_TEARDOWN(doc)
{
	if (self->spinning)
		tlbh_readers_stop(&self->spin);
	munmap(self->base, SPACE_SIZE);
	close(self->fd);
}

/* Counters since the last call (reset on read). */
static void delta(struct __test_metadata *_metadata,
		  FIXTURE_DATA(doc) *self)
{
	struct tlbh_counters cnt = { .flags = TLBH_COUNTERS_RESET };

	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_COUNTERS, &cnt), 0);
	memcpy(self->c, cnt.c, sizeof(self->c));
}

#define FLUSHES(self) ((self)->c[TLBH_CNT_FLUSH_RANGE] + (self)->c[TLBH_CNT_FLUSH_ALL])

static int policy(int fd, const char *name)
{
	struct tlbh_policy_arg pa;

	return tlbh_set_policy(fd, name, &pa);
}

/*
 * This thread on CPU 0, a spinner on CPU 1: another CPU has the mm, so
 * reclaim may defer.  False (the test skipped) on a single CPU.
 */
static bool other_cpu(struct __test_metadata *_metadata,
		      FIXTURE_DATA(doc) *self)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return false, "needs 2 CPUs for a deferred reclaim flush");
	EXPECT_EQ(tlbh_pin(0), 0);
	EXPECT_EQ(tlbh_readers_start(&self->spin, 1, 1, NULL, 0), 0);
	self->spinning = true;
	return true;
}

static int reclaim(int fd, uint64_t off, uint64_t flags, uint64_t *out)
{
	struct tlbh_reclaim_arg ra = { .offset = off, .flags = flags };
	int ret = tlbh_ioctl(fd, TLBH_IOC_RECLAIM, &ra);

	if (out)
		*out = ra.out;
	return ret;
}

/* Which commands bump tlb_gen, and which flush. */
TEST_F(doc, tlb_gen)
{
	uint64_t out;

	if (!other_cpu(_metadata, self))
		return;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	/* batched reclaim, another CPU in the mm: deferred, bumped, no flush */
	ASSERT_EQ(reclaim(self->fd, X, TLBH_RECLAIM_BATCH, &out), 0);
	delta(_metadata, self);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 1);
	EXPECT_EQ(FLUSHES(self), 0);
	/* the batch flush: one full flush, no bump (the deferral did it) */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, &out), 0);
	delta(_metadata, self);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 0);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_ALL], 1);
	/* nothing left to flush */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, &out), 0);
	delta(_metadata, self);
	EXPECT_EQ(out, 0);
	EXPECT_EQ(FLUSHES(self), 0);
	/* every engine flush decision bumps it first */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_FLUSH, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 1);
	EXPECT_EQ(FLUSHES(self), 1);
	/*
	 * The first PTE change after a deferred batch still flushes the mm
	 * once (flush_tlb_batched_pending: RECLAIM_FLUSH does not tell it);
	 * its own gather cleared nothing and skips.
	 */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 1);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_ALL], 1);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_SKIPPED], 1);
	/* a zap that clears nothing skips its flush, and bumps nothing */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 0);
	EXPECT_EQ(FLUSHES(self), 0);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_SKIPPED], 1);
	/* REMAP: no flush, no bump; with TLBH_REMAP_FLUSH both */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, X, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_REMAP, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 0);
	EXPECT_EQ(FLUSHES(self), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_REMAP, X, TLBH_PG,
				 TLBH_REMAP_FLUSH, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 1);
	EXPECT_EQ(FLUSHES(self), 1);
	/* a drain flushes every CPU outside the engine: neither is counted */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_DRAIN, 0, 0, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 0);
	EXPECT_EQ(FLUSHES(self), 0);
	EXPECT_EQ(self->c[TLBH_CNT_DRAINS], 1);
}

/* The out word of the commands abi.rst once left open. */
TEST_F(doc, out)
{
	uint64_t out;

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 4 * TLBH_PG,
				 TLBH_MAP_WRITE, &out), 0);
	EXPECT_EQ(out, 4);
	out = ~0ULL;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_MPROTECT, 0, 4 * TLBH_PG, 0, &out), 0);
	EXPECT_EQ(out, 0);	/* not the 4 PTEs it changed */
	out = ~0ULL;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_FLUSH, 0, 4 * TLBH_PG, 0, &out), 0);
	EXPECT_EQ(out, 0);
	out = ~0ULL;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_CLEAR_REFS, 0, 0, 0, &out), 0);
	EXPECT_EQ(out, 0);
	out = ~0ULL;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 0, TLBH_PG, 0, &out), 0);
	EXPECT_EQ(out, 0);	/* not the page it zapped */
	EXPECT_EQ(tlbh_mapped_id(self->fd, 0), 0);
	out = ~0ULL;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, TLBH_PG, TLBH_PG, 0, &out), 0);
	EXPECT_EQ(out, 0);	/* not the page it unmapped */
	EXPECT_EQ(tlbh_mapped_id(self->fd, TLBH_PG), 0);
	/* with TLBH_HOLD: 1 when held; RESUME: 1 */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 2 * TLBH_PG, TLBH_PG,
				 TLBH_HOLD, &out), 0);
	EXPECT_EQ(out, 1);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, &out), 0);
	EXPECT_EQ(out, 1);
	/* RECLAIM_FLUSH: the pages its batch held (none here) */
	out = ~0ULL;
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, &out), 0);
	EXPECT_EQ(out, 0);
}

/* TLBH_ID_GEN counts the space's pages, whatever their page number. */
TEST_F(doc, generation_per_space)
{
	uint64_t a, b;

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 7 * TLBH_PG, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_REMAP, 0, TLBH_PG, 0, NULL), 0);
	a = TLBH_ID_GEN(tlbh_mapped_id(self->fd, 0));
	b = TLBH_ID_GEN(tlbh_mapped_id(self->fd, 7 * TLBH_PG));
	EXPECT_EQ(b, 2);
	/* page 0's second page is the space's third: generation 3, not 2 */
	EXPECT_EQ(a, 3);
	TH_LOG("page 0: generation %llu after its second page; page 7: %llu",
	       (unsigned long long)a, (unsigned long long)b);
}

/* UNMAP of part of a VMA leaves the VMA; a held one hides all of it. */
TEST_F(doc, partial_unmap)
{
	struct tlbh_vma_desc v = { .offset = 0, .length = 16 * TLBH_PG };
	struct tlbh_set_vmas sv = { .nr = 1, .vmas = (uintptr_t)&v };
	struct tlbh_space_info si = { 0 };
	uint64_t out;

	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SET_VMAS, &sv), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, 8 * TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 0), 0);
	EXPECT_NE(tlbh_mapped_id(self->fd, 8 * TLBH_PG), 0);
	/* the table maps pages the range does not cover: it stays */
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(si.tables, 1);
	EXPECT_EQ(si.parked, 0);
	/* the VMA is still there: a ZAP finds it, so does RECLAIM */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 0, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 0), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(reclaim(self->fd, 0, 0, &out), 0);
	EXPECT_EQ(out, 1);
	/* held, part of the VMA: the other part is not found either */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, 4 * TLBH_PG,
				 TLBH_HOLD, &out), 0);
	EXPECT_EQ(out, 1);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 8 * TLBH_PG, TLBH_PG, 0, NULL), 0);
	EXPECT_NE(tlbh_mapped_id(self->fd, 8 * TLBH_PG), 0);	/* not zapped */
	EXPECT_EQ(reclaim(self->fd, 9 * TLBH_PG, 0, NULL), -ENOENT);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 8 * TLBH_PG, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(tlbh_mapped_id(self->fd, 8 * TLBH_PG), 0);
}

/* RECLAIM: -ENOENT, -EBUSY, and a batch of 64 deferred pages. */
TEST_F(doc, reclaim_errors)
{
	struct tlbh_vma_desc v[2] = {
		{ .offset = 0, .length = PMD_BYTES },
		{ .offset = PMD_BYTES, .length = 16 * TLBH_PG,
		  .flags = TLBH_VMA_PFNMAP },
	};
	struct tlbh_set_vmas sv = { .nr = 2, .vmas = (uintptr_t)v };
	uint64_t out;
	int i;

	if (!other_cpu(_metadata, self))
		return;
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SET_VMAS, &sv), 0);
	/* nothing mapped: -ENOENT, not -EBUSY */
	EXPECT_EQ(reclaim(self->fd, X, 0, NULL), -ENOENT);
	/* no harness VMA: -ENOENT */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, PMD_BYTES + 32 * TLBH_PG,
				 TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(reclaim(self->fd, PMD_BYTES + 32 * TLBH_PG, 0, NULL), -ENOENT);
	/* a PFNMAP page has no page to reclaim: -ENOENT */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, PMD_BYTES, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(reclaim(self->fd, PMD_BYTES, 0, NULL), -ENOENT);
	/* 64 deferred pages fill the batch; then any RECLAIM is -EBUSY */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0,
				 (RECLAIM_BATCH_PAGES + 2) * TLBH_PG, 0, NULL), 0);
	for (i = 0; i < RECLAIM_BATCH_PAGES; i++)
		ASSERT_EQ(reclaim(self->fd, i * TLBH_PG, TLBH_RECLAIM_BATCH, NULL), 0);
	EXPECT_EQ(reclaim(self->fd, i * TLBH_PG, TLBH_RECLAIM_BATCH, NULL), -EBUSY);
	EXPECT_EQ(reclaim(self->fd, i * TLBH_PG, 0, NULL), -EBUSY);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, &out), 0);
	EXPECT_EQ(out, RECLAIM_BATCH_PAGES);
	EXPECT_EQ(reclaim(self->fd, i * TLBH_PG, TLBH_RECLAIM_BATCH, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, NULL), 0);
	/* a held RECLAIM blocks another; a held ZAP does not */
	ASSERT_EQ(reclaim(self->fd, (i + 1) * TLBH_PG, TLBH_HOLD, &out), 0);
	EXPECT_EQ(out, 1);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, X, TLBH_PG, 0, NULL), 0);
	EXPECT_EQ(reclaim(self->fd, X, 0, NULL), -EBUSY);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 10 * TLBH_PG, TLBH_PG,
				 TLBH_HOLD, &out), 0);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(reclaim(self->fd, X, 0, NULL), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL), 0);
}

/*
 * LUF: a clean read-only page is freed with its flush owed.  The page
 * is not reused (it waits in the quarantine for a drain like any other);
 * under luf-vma-flag the next gather over the VMA pays the owed flush,
 * one full flush with no bump of its own; under luf-naive nothing pays
 * it and such a gather is the engine's luf-hole.
 */
TEST_F(doc, luf)
{
	struct tlbh_space_info si = { 0 };
	uint64_t out;

	if (!other_cpu(_metadata, self))
		return;
	ASSERT_EQ(policy(self->fd, "luf-vma-flag"), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	ASSERT_EQ(reclaim(self->fd, X, TLBH_RECLAIM_BATCH, &out), 0);
	delta(_metadata, self);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 1);
	EXPECT_EQ(FLUSHES(self), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(si.quarantined, 1);	/* freed at once, into the quarantine */
	/* not in the reclaim batch */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, &out), 0);
	delta(_metadata, self);
	EXPECT_EQ(out, 0);
	EXPECT_EQ(FLUSHES(self), 0);
	/* a new page at X: no flush */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(FLUSHES(self), 0);
	/* a gather over the VMA pays it, even one that clears nothing */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 9 * TLBH_PG, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_ALL], 1);
	EXPECT_EQ(self->c[TLBH_CNT_TLB_GEN], 0);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_SKIPPED], 1);	/* its own flush */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 9 * TLBH_PG, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(FLUSHES(self), 0);	/* paid once */

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, PMD_BYTES, 0, NULL), 0);
	ASSERT_EQ(policy(self->fd, "luf-naive"), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, X, TLBH_PG, 0, NULL), 0);
	ASSERT_EQ(reclaim(self->fd, X, TLBH_RECLAIM_BATCH, NULL), 0);
	delta(_metadata, self);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, 9 * TLBH_PG, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(FLUSHES(self), 0);
	EXPECT_EQ(self->c[TLBH_CNT_VIOLATIONS], 1);	/* luf-hole */
}

/*
 * A munmap that frees a table under upstream-current flushes once and
 * skips once: freeing the table batch asks for a flush again
 * (tlb_table_invalidate), with nothing left to flush.
 */
TEST_F(doc, skipped_after_table_free)
{
	struct tlbh_inject inj = { 0 };

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, PMD_BYTES, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(FLUSHES(self), 1);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_SKIPPED], 1);
	EXPECT_EQ(self->c[TLBH_CNT_TABLES_FREED], 1);
	EXPECT_EQ(self->c[TLBH_CNT_TABLES_PARKED], 1);
	/* a munmap that frees no table does not skip */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, 16 * TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(FLUSHES(self), 1);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_SKIPPED], 0);
	EXPECT_EQ(self->c[TLBH_CNT_TABLES_FREED], 0);
	/*
	 * Without table_invalidate nothing asks for the second flush: the
	 * table batch goes after the gather's flush all the same, but a
	 * table freed on the slow path (no batch page) goes before it.
	 */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, PMD_BYTES, 0, NULL), 0);
	ASSERT_EQ(policy(self->fd, "table-free-no-flush"), 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, PMD_BYTES, 0, NULL), 0);
	delta(_metadata, self);
	EXPECT_EQ(FLUSHES(self), 1);
	EXPECT_EQ(self->c[TLBH_CNT_FLUSH_SKIPPED], 0);
	EXPECT_EQ(self->c[TLBH_CNT_VIOLATIONS], 0);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 16 * TLBH_PG, 0, NULL), 0);
	inj.batch_fail = 8;
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_INJECT, &inj), 0);
	delta(_metadata, self);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_UNMAP, 0, PMD_BYTES, 0, NULL), 0);
	delta(_metadata, self);
	inj.batch_fail = 0;
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_INJECT, &inj), 0);
	EXPECT_EQ(self->c[TLBH_CNT_VIOLATIONS], 1);	/* table-no-flush */
}

/* A PMD move passes the table through the park: TABLES_PARKED counts it. */
TEST_F(doc, pmd_move_parks)
{
	struct tlbh_mremap m = { .old_offset = 0, .new_offset = PMD_BYTES,
				 .length = PMD_BYTES, .flags = TLBH_MREMAP_PMD };
	struct tlbh_space_info si = { 0 };

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, X, TLBH_PG, 0, NULL), 0);
	delta(_metadata, self);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_MREMAP, &m), 0);
	delta(_metadata, self);
	EXPECT_EQ(self->c[TLBH_CNT_TABLES_PARKED], 1);
	EXPECT_EQ(self->c[TLBH_CNT_TABLES_REUSED], 0);
	EXPECT_EQ(self->c[TLBH_CNT_TABLES_FREED], 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(si.tables, 1);
	EXPECT_EQ(si.parked, 0);
	EXPECT_NE(tlbh_mapped_id(self->fd, PMD_BYTES + X), 0);
}

TLBH_TEST_HARNESS_MAIN
