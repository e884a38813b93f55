// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_fail_test.c - kselftest: a command that fails changes nothing.
 *
 * Each case makes one command fail in a way that, before the ABI
 * contract was one prologue, let it act first: an argument that cannot
 * be written back (the result would be lost), the pool limit reached
 * halfway through a range, a later range of a batch that must wait for
 * a lock.  After the failure the space must look exactly as before:
 * the same snapshot, nothing held, nothing drained, the same pool.
 *
 * Exits 4 (skip) when /dev/tlbh is absent, i.e. tlbh.ko is not loaded.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tlbh_lib.h"
#include "kselftest_harness.h"

#define SPACE_SIZE	(8UL << 20)
#define SLOT		(2UL << 20)
#define NPG		16
#define POOL_PARAM	"/sys/module/tlbh/parameters/max_pool_pages"

static int range(int fd, unsigned long cmd, uint64_t off, uint64_t len,
		 uint64_t flags)
{
	struct tlbh_range r = { .offset = off, .length = len, .flags = flags };

	return tlbh_ioctl(fd, cmd, &r);
}

/* The identities of the first NPG pages of each of the first slots. */
static void snap(int fd, uint64_t *ids)
{
	struct tlbh_snap_entry e[NPG];
	struct tlbh_snapshot s = { .npages = NPG, .entries = (uintptr_t)e };
	unsigned int slot, i;

	for (slot = 0; slot < 2; slot++) {
		s.offset = slot * SLOT;
		memset(e, 0, sizeof(e));
		if (tlbh_ioctl(fd, TLBH_IOC_SNAPSHOT, &s))
			memset(e, 0xff, sizeof(e));
		for (i = 0; i < NPG; i++)
			ids[slot * NPG + i] = e[i].identity;
	}
}

static unsigned long read_param(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int write_param(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%lu\n", v) < 0 ? -1 : 0;
	return fclose(f) ? -1 : ret;
}

FIXTURE(fail)
{
	int fd;
	char *base;
	/* One read-only page holding an argument: writes to it fault. */
	void *ro;
	uint64_t before[2 * NPG];
	uint64_t after[2 * NPG];
};

FIXTURE_SETUP(fail)
{
	self->fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(self->fd, 0);
	self->base = tlbh_map_space(self->fd, SPACE_SIZE);
	ASSERT_NE(self->base, MAP_FAILED);
	/* Some pages mapped in slot 0, slot 1 empty. */
	ASSERT_EQ(range(self->fd, TLBH_IOC_POPULATE, 0, 4 * TLBH_PG, 0), 0);
	self->ro = mmap(NULL, TLBH_PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->ro, MAP_FAILED);
	snap(self->fd, self->before);
}

FIXTURE_TEARDOWN(fail)
{
	munmap(self->ro, TLBH_PG);
	munmap(self->base, SPACE_SIZE);
	close(self->fd);
}

/* Put a range argument in the read-only page and run @cmd on it. */
static int range_ro(FIXTURE_DATA(fail) *self, unsigned long cmd,
		    uint64_t off, uint64_t len, uint64_t flags)
{
	struct tlbh_range *r = self->ro;

	memset(r, 0, sizeof(*r));
	r->offset = off;
	r->length = len;
	r->flags = flags;
	if (mprotect(self->ro, TLBH_PG, PROT_READ))
		return -1000;
	return tlbh_ioctl(self->fd, cmd, r);
}

TEST_F(fail, populate_with_unwritable_argument_maps_nothing)
{
	EXPECT_EQ(range_ro(self, TLBH_IOC_POPULATE, SLOT, NPG * TLBH_PG, 0),
		  -EFAULT);
	snap(self->fd, self->after);
	EXPECT_EQ(memcmp(self->before, self->after, sizeof(self->before)), 0)
		TH_LOG("POPULATE failed with -EFAULT but mapped pages");
}

TEST_F(fail, held_zap_with_unwritable_argument_holds_nothing)
{
	EXPECT_EQ(range_ro(self, TLBH_IOC_ZAP, 0, 4 * TLBH_PG, TLBH_HOLD),
		  -EFAULT);
	snap(self->fd, self->after);
	EXPECT_EQ(memcmp(self->before, self->after, sizeof(self->before)), 0)
		TH_LOG("ZAP|HOLD failed with -EFAULT but zapped");
	/* Nothing is held: RESUME has nothing to finish. */
	EXPECT_EQ(range(self->fd, TLBH_IOC_RESUME, 0, 0, 0), -EBUSY);
}

TEST_F(fail, drain_with_unwritable_argument_drains_nothing)
{
	struct tlbh_space_info si;

	/* Two quarantined pages: replaced behind the TLB's back. */
	ASSERT_EQ(range(self->fd, TLBH_IOC_REMAP, 0, 2 * TLBH_PG, 0), 0);
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	ASSERT_EQ(si.quarantined, 2);
	EXPECT_EQ(range_ro(self, TLBH_IOC_DRAIN, 0, 0, 0), -EFAULT);
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SPACE_INFO, &si), 0);
	EXPECT_EQ(si.quarantined, 2) TH_LOG("DRAIN failed but released pages");
}

TEST_F(fail, populate_at_the_pool_limit_maps_nothing)
{
	unsigned long old = read_param(POOL_PARAM);
	uint64_t pool = tlbh_pool_pages(self->fd);

	ASSERT_NE(old, 0) TH_LOG("cannot read %s", POOL_PARAM);
	/* Room for half of the NPG pages asked for. */
	ASSERT_EQ(write_param(POOL_PARAM, pool + NPG / 2), 0);
	EXPECT_EQ(range(self->fd, TLBH_IOC_POPULATE, SLOT, NPG * TLBH_PG, 0),
		  -ENOMEM);
	ASSERT_EQ(write_param(POOL_PARAM, old), 0);
	snap(self->fd, self->after);
	EXPECT_EQ(memcmp(self->before, self->after, sizeof(self->before)), 0)
		TH_LOG("POPULATE failed with -ENOMEM but mapped pages");
	EXPECT_EQ(tlbh_pool_pages(self->fd), pool);
}

TEST_F(fail, remap_at_the_pool_limit_replaces_nothing)
{
	unsigned long old = read_param(POOL_PARAM);
	uint64_t pool = tlbh_pool_pages(self->fd);

	ASSERT_NE(old, 0) TH_LOG("cannot read %s", POOL_PARAM);
	ASSERT_EQ(write_param(POOL_PARAM, pool + 2), 0);
	EXPECT_EQ(range(self->fd, TLBH_IOC_REMAP, 0, 4 * TLBH_PG, 0), -ENOMEM);
	ASSERT_EQ(write_param(POOL_PARAM, old), 0);
	snap(self->fd, self->after);
	EXPECT_EQ(memcmp(self->before, self->after, sizeof(self->before)), 0)
		TH_LOG("REMAP failed with -ENOMEM but replaced pages");
}

TEST_F(fail, zap_batch_waiting_for_a_lock_zaps_nothing)
{
	struct tlbh_vma_desc v[2] = {
		{ .offset = 0, .length = SLOT },
		{ .offset = SLOT, .length = SLOT, .flags = TLBH_VMA_HUGE },
	};
	struct tlbh_set_vmas sv = { .nr = 2, .vmas = (uintptr_t)v };
	struct tlbh_range r[2] = {
		{ .offset = 0, .length = 4 * TLBH_PG },
		{ .offset = SLOT, .length = TLBH_PG },
	};
	struct tlbh_range_batch b = { .nr = 2, .ranges = (uintptr_t)r };

	/* Fresh VMAs need an empty space: start over. */
	ASSERT_EQ(range(self->fd, TLBH_IOC_UNMAP, 0, SLOT, 0), 0);
	ASSERT_EQ(range(self->fd, TLBH_IOC_DRAIN, 0, 0, 0), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SET_VMAS, &sv), 0);
	ASSERT_EQ(range(self->fd, TLBH_IOC_POPULATE, 0, 4 * TLBH_PG, 0), 0);
	ASSERT_EQ(range(self->fd, TLBH_IOC_POPULATE, SLOT, TLBH_PG, 0), 0);
	snap(self->fd, self->before);
	/* A held hugetlb zap owns the hugetlb VMA lock. */
	ASSERT_EQ(range(self->fd, TLBH_IOC_ZAP, SLOT + TLBH_PG, TLBH_PG,
			TLBH_HOLD), 0);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_ZAP_BATCH, &b), -EBUSY);
	snap(self->fd, self->after);
	EXPECT_EQ(memcmp(self->before, self->after, sizeof(self->before)), 0)
		TH_LOG("ZAP_BATCH failed with -EBUSY but zapped its first range");
	EXPECT_EQ(range(self->fd, TLBH_IOC_RESUME, 0, 0, 0), 0);
}

int main(int argc, char **argv)
{
	if (access(TLBH_PATH, F_OK))
		return KSFT_SKIP;
	return test_harness_run(argc, argv);
}
