// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_policy_test.c - kselftest: a policy decides, the real TLB shows
 * it.  Each variant selects a policy by name, runs one operation through
 * the engine on a space whose entry the test's CPU has cached, and
 * checks what the CPU can still do through that entry afterwards: with
 * an upstream policy the engine's flush removes it, with the historical
 * buggy one the stale entry survives and the engine counts a violation.
 *
 * clear_refs soft-dirty (clear_refs type 4): the write-protected page
 * must not stay writable through a cached entry; the 2020 code skipped
 * the flush because its gather recorded nothing.
 *
 * Exits 4 (skip) when /dev/tlbh is absent, i.e. tlbh.ko is not loaded.
 */
#include "tlbh_lib.h"
#include "kselftest_harness.h"

#define SPACE_SIZE	(4UL << 20)

FIXTURE(policy)
{
	int fd;
	char *base;
};

FIXTURE_VARIANT(policy)
{
	const char *policy;
	int stale_write;	/* a write through the cached entry succeeds */
};

FIXTURE_VARIANT_ADD(policy, upstream_current) {
	.policy = "upstream-current", .stale_write = 0 };
FIXTURE_VARIANT_ADD(policy, upstream_6_1) {
	.policy = "upstream-6.1", .stale_write = 0 };
FIXTURE_VARIANT_ADD(policy, soft_dirty_no_flush) {
	.policy = "soft-dirty-no-flush", .stale_write = 1 };

FIXTURE_SETUP(policy)
{
	struct tlbh_policy_arg pa;
	int ret;

	ASSERT_EQ(tlbh_pin(0), 0);
	self->fd = tlbh_open_space(SPACE_SIZE, &self->base);
	ASSERT_GE(self->fd, 0) TH_LOG("space: %s", strerror(-self->fd));
	/* The module's policy set is fixed: a name it lacks is a failure. */
	ret = tlbh_set_policy(self->fd, variant->policy, &pa);
	ASSERT_EQ(ret, 0) TH_LOG("policy \"%s\": %s", variant->policy,
				 tlbh_policy_strerror(ret));
	EXPECT_EQ(pa.is_buggy, variant->stale_write);
	tlbh_catch_sigbus();
}

FIXTURE_TEARDOWN(policy)
{
	munmap(self->base, SPACE_SIZE);
	close(self->fd);
}

TEST_F(policy, clear_refs_write_protect)
{
	struct tlbh_range r = { .offset = 0, .length = TLBH_PG,
				.flags = TLBH_MAP_WRITE };
	struct tlbh_snap_entry e = { 0 };
	struct tlbh_snapshot s = { .offset = 0, .npages = 1,
				   .entries = (uintptr_t)&e };
	struct tlbh_counters c = { .flags = TLBH_COUNTERS_RESET };
	uint64_t *word = (uint64_t *)(self->base + 512);

	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_POPULATE, &r), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_COUNTERS, &c), 0);
	/* Cache a writable, dirty entry on this CPU. */
	ASSERT_EQ(tlbh_write(word, 1), 0);
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_CLEAR_REFS, &r), 0);
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SNAPSHOT, &s), 0);
	EXPECT_FALSE(e.flags & TLBH_SNAP_WRITE);
	EXPECT_TRUE(e.flags & TLBH_SNAP_PRESENT);
	/* The page tables say read-only; what does the TLB say? */
	EXPECT_EQ(tlbh_write(word, 2) == 0, variant->stale_write);
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_COUNTERS, &c), 0);
	EXPECT_EQ(c.c[TLBH_CNT_VIOLATIONS] != 0, variant->stale_write);
	TH_LOG("%s: write after clear_refs %s, %llu violation(s)",
	       variant->policy, variant->stale_write ? "went through" : "faulted",
	       (unsigned long long)c.c[TLBH_CNT_VIOLATIONS]);
	/* A flush ends it either way. */
	memset(&r, 0, sizeof(r));
	r.flags = TLBH_FLUSH_MM;
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_FLUSH, &r), 0);
	EXPECT_EQ(tlbh_write(word, 3), -1);
}

TLBH_TEST_HARNESS_MAIN
