// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_probe_test.c - what the kernel probe (TLBH_IOC_PROBE) can see,
 * measured against user threads on the same CPUs.
 *
 * The probe reads a page in kernel mode from a work item that adopted
 * the space's mm.  Whether it sees the entries user threads filled, and
 * whether its own switch into the mm flushes the CPU first, depends on
 * the CPU: QEMU TCG keeps its soft TLB per privilege level, and on
 * hardware with page-table isolation kernel and user mode use different
 * PCIDs.  The study below fills an entry (priming) and checks it after a
 * PTE change without a flush, with each of the four prime/check pairs
 * (user or probe) and two kinds of change: REMAP (no flush, the mm's
 * tlb_gen untouched) and a batched RECLAIM (no flush, tlb_gen bumped as
 * the reclaim batch does).  It prints the stale counts per pair; the
 * verdicts are only those a stale read can prove: nothing is stale after
 * the engine's flush, and the user/user control sees stale entries (else
 * nothing was measured).  A fresh probe proves nothing.
 *
 * Exits 4 (skip) when /dev/tlbh is absent, i.e. tlbh.ko is not loaded.
 */
#include <stdlib.h>

#include "tlbh_lib.h"
#include "kselftest_harness.h"

#define SPACE_SIZE	(4UL << 20)
#define TRIALS		16

FIXTURE(probe)
{
	int fd;
	char *base;
	int n;
};

FIXTURE_SETUP(probe)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	self->fd = tlbh_open_space(SPACE_SIZE, &self->base);
	ASSERT_GE(self->fd, 0) TH_LOG("space: %s", strerror(-self->fd));
	self->n = ncpu < TLBH_MAX_READERS ? ncpu : TLBH_MAX_READERS;
	tlbh_catch_sigbus();
}

FIXTURE_TEARDOWN(probe)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int probe(int fd, uint64_t off, int cpu, struct tlbh_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->offset = off;
	p->cpu = cpu;
	return tlbh_ioctl(fd, TLBH_IOC_PROBE, p);
}

/* The probe's bookkeeping, which needs no TLB claim: mapped, absent. */
TEST_F(probe, reports_the_page_tables)
{
	struct tlbh_probe p;
	uint64_t id;
	int cpu;

	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, 2 * TLBH_PG, 0, NULL), 0);
	id = tlbh_mapped_id(self->fd, 0);
	ASSERT_NE(id, 0);
	EXPECT_EQ(tlbh_read(self->base), id);
	for (cpu = 0; cpu < self->n; cpu++) {
		ASSERT_EQ(probe(self->fd, 0, cpu, &p), 0);
		EXPECT_EQ(p.mapped, id);
		EXPECT_EQ(p.read, id);
		EXPECT_EQ(p.result, TLBH_PROBE_FRESH);
	}
	/* ZAP flushes: the page is gone for every reader. */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_ZAP, TLBH_PG, TLBH_PG, 0, NULL), 0);
	for (cpu = 0; cpu < self->n; cpu++) {
		ASSERT_EQ(probe(self->fd, TLBH_PG, cpu, &p), 0);
		EXPECT_EQ(p.mapped, 0);
		EXPECT_EQ(p.read, 0);
		EXPECT_EQ(p.result, TLBH_PROBE_ABSENT);
	}
}

enum { BY_USER, BY_PROBE };
enum { CHANGE_REMAP, CHANGE_RECLAIM, NR_CHANGES };

static const char *const change_name[NR_CHANGES] = {
	[CHANGE_REMAP] = "remap (tlb_gen kept)",
	[CHANGE_RECLAIM] = "batched reclaim (tlb_gen bumped)",
};

struct cell {
	int prime, check;
	int stale, after;	/* stale reads before, after the flush */
	int seen;		/* observations */
};

static int change(int fd, int kind)
{
	struct tlbh_reclaim_arg a = { .offset = 0, .flags = TLBH_RECLAIM_BATCH };

	if (kind == CHANGE_REMAP)
		return tlbh_range_cmd(fd, TLBH_IOC_REMAP, 0, TLBH_PG, 0, NULL);
	return tlbh_ioctl(fd, TLBH_IOC_RECLAIM, &a);
}

static int undo(int fd, int kind)
{
	if (kind == CHANGE_REMAP)
		return tlbh_range_cmd(fd, TLBH_IOC_FLUSH, 0, TLBH_PG, 0, NULL);
	return tlbh_range_cmd(fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, NULL);
}

/*
 * Read page 0 on every CPU: by the pinned user readers (@phase) or by
 * the probe.  Count the reads of @old.
 */
static int observe(struct __test_metadata *_metadata, int fd,
		   struct tlbh_readers *r, int by, int phase, uint64_t old)
{
	struct tlbh_probe p;
	int i, stale = 0;

	if (by == BY_USER)
		tlbh_readers_step(r, phase);
	for (i = 0; i < r->n; i++) {
		if (by == BY_USER) {
			stale += r->got[i][phase] == old;
			continue;
		}
		EXPECT_EQ(probe(fd, 0, r->rd[i].cpu, &p), 0);
		/* Reading @old while it is not mapped is what STALE means. */
		stale += p.read == old;
	}
	return stale;
}

/*
 * One trial of @c: prime page 0 on every CPU, change its PTE without a
 * flush, check, flush as the change requires, check again.  The readers
 * keep every CPU in the mm between their reads (an idle CPU may leave it
 * and lose its entries); the phases they do not read in are skipped.
 */
static void trial(struct __test_metadata *_metadata, FIXTURE_DATA(probe) *self,
		  struct cell *c, int kind)
{
	struct tlbh_readers *r = calloc(1, sizeof(*r));
	int phase = 1, err;
	uint64_t old;

	ASSERT_NE(r, NULL);
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_POPULATE, 0, TLBH_PG, 0, NULL), 0);
	old = tlbh_mapped_id(self->fd, 0);
	ASSERT_NE(old, 0);
	/* A probe needs its kernel worker to run on the readers' CPUs. */
	if (c->prime == BY_USER && c->check == BY_USER)
		err = tlbh_readers_start(r, 0, self->n, self->base, 0);
	else
		err = tlbh_readers_start_beside_probe(r, 0, self->n, self->base);
	ASSERT_EQ(err, 0);
	/*
	 * The check after the last trial's flush filled entries for this
	 * page (by user or by probe): drop them on every CPU, which runs
	 * the mm now, so that only this trial's priming can have filled
	 * what its check finds.
	 */
	ASSERT_EQ(tlbh_range_cmd(self->fd, TLBH_IOC_FLUSH, 0, TLBH_PG, 0, NULL), 0);
	if (observe(_metadata, self->fd, r, c->prime, phase, old) != r->n)
		TH_LOG("priming read something else than the page mapped");
	if (c->prime == BY_USER)
		phase++;
	EXPECT_EQ(change(self->fd, kind), 0);
	c->stale += observe(_metadata, self->fd, r, c->check, phase, old);
	if (c->check == BY_USER)
		phase++;
	EXPECT_EQ(undo(self->fd, kind), 0);
	c->after += observe(_metadata, self->fd, r, c->check, phase, old);
	c->seen += r->n;
	tlbh_readers_stop(r);
	free(r);
}

/* Eight cells of probes on every CPU: well beyond the default 30 s. */
TEST_F_TIMEOUT(probe, study, 600)
{
	static const char *const who[] = { "user", "probe" };
	struct cell cells[NR_CHANGES][4];
	int kind, i, t;

	for (kind = 0; kind < NR_CHANGES; kind++) {
		for (i = 0; i < 4; i++) {
			struct cell *c = &cells[kind][i];

			memset(c, 0, sizeof(*c));
			c->prime = i / 2;
			c->check = i % 2;
			for (t = 0; t < TRIALS; t++)
				trial(_metadata, self, c, kind);
			TH_LOG("%-34s primed by %-5s checked by %-5s: stale %3d of %3d, after the flush %d",
			       change_name[kind], who[c->prime], who[c->check],
			       c->stale, c->seen, c->after);
			/* A stale read after the flush is proof of a bug. */
			EXPECT_EQ(c->after, 0);
		}
		/* The control: without stale user reads nothing was measured. */
		EXPECT_GT(cells[kind][0].stale, 0);
	}
}

TLBH_TEST_HARNESS_MAIN
