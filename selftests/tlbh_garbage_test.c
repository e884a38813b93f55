// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_garbage_test.c - kselftest feeding every space command garbage:
 * reserved words, unknown flags and enum values, unaligned, empty,
 * wrapping and out-of-range ranges, wild embedded pointers, counts over
 * their limit, wrong argument sizes, and wrong states (no space, a
 * forked child, an unmapped space), each with its documented errno.
 * mmap() of the device is checked the same way.  After all of it the
 * space still works and the pool is back to zero.
 *
 * Cases are rows of a table: a command, its argument as raw words (with
 * tokens for values known only at run time) and the expected errno.
 *
 * Exits 4 (skip) when /dev/tlbh is absent, i.e. tlbh.ko is not loaded.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "tlbh_lib.h"
#include "kselftest_harness.h"

#define SPACE_SIZE	(8UL << 20)
#define DATA		(4UL << 20)
#define PMD_BYTES	(2UL << 20)

/* Tokens replaced at run time. */
#define T_DATA		0xd0d0d0d000000001ULL	/* data_size */
#define T_WILD		0xd0d0d0d000000002ULL	/* unmapped user pointer */
#define T_KERN		0xd0d0d0d000000003ULL	/* kernel address */
#define T_GOOD		0xd0d0d0d000000004ULL	/* a valid 64-entry buffer */
#define T_HUGE		0xd0d0d0d000000005ULL	/* ~0 - 4095 */

/* Words of the largest argument a case fills (struct tlbh_rule_info). */
#define GC_WORDS	24

struct gcase {
	const char *name;
	unsigned long cmd;
	uint64_t w[GC_WORDS];
	int err;
};

#define PG	TLBH_PG

static const struct gcase cases[] = {
	/* struct tlbh_range commands: offset, length, flags, out, reserved[4] */
	{ "populate reserved0", TLBH_IOC_POPULATE, { 0, PG, 0, 0, 1 }, -EINVAL },
	{ "populate reserved3", TLBH_IOC_POPULATE, { 0, PG, 0, 0, 0, 0, 0, 1 }, -EINVAL },
	{ "populate bad flag", TLBH_IOC_POPULATE, { 0, PG, 2 }, -EINVAL },
	{ "populate unaligned off", TLBH_IOC_POPULATE, { 1, PG }, -EINVAL },
	{ "populate unaligned len", TLBH_IOC_POPULATE, { 0, PG + 1 }, -EINVAL },
	{ "populate zero len", TLBH_IOC_POPULATE, { 0, 0 }, -EINVAL },
	{ "populate past data", TLBH_IOC_POPULATE, { T_DATA, PG }, -EINVAL },
	{ "populate straddles end", TLBH_IOC_POPULATE, { DATA - PG, 2 * PG }, -EINVAL },
	{ "populate wraps", TLBH_IOC_POPULATE, { PG, T_HUGE }, -EINVAL },
	{ "populate huge off", TLBH_IOC_POPULATE, { T_HUGE, PG }, -EINVAL },
	{ "remap bad flag", TLBH_IOC_REMAP, { 0, PG, 4 }, -EINVAL },
	{ "remap wraps", TLBH_IOC_REMAP, { T_HUGE, 2 * PG }, -EINVAL },
	{ "flush bad flag", TLBH_IOC_FLUSH, { 0, PG, 2 }, -EINVAL },
	{ "flush mm with range", TLBH_IOC_FLUSH, { 0, PG, TLBH_FLUSH_MM }, -EINVAL },
	{ "flush zero len", TLBH_IOC_FLUSH, { 0, 0 }, -EINVAL },
	{ "flush reserved", TLBH_IOC_FLUSH, { 0, PG, 0, 0, 0, 1 }, -EINVAL },
	{ "zap flag", TLBH_IOC_ZAP, { 0, PG, 1 }, -EINVAL },
	{ "zap past data", TLBH_IOC_ZAP, { 0, T_DATA + PG }, -EINVAL },
	{ "unmap flag", TLBH_IOC_UNMAP, { 0, PG, 1 }, -EINVAL },
	{ "unmap unaligned", TLBH_IOC_UNMAP, { 17, PG }, -EINVAL },
	{ "mprotect flag", TLBH_IOC_MPROTECT, { 0, PG, 2 }, -EINVAL },
	{ "mprotect reserved", TLBH_IOC_MPROTECT, { 0, PG, 0, 0, 0, 0, 1 }, -EINVAL },
	{ "reclaim_flush range", TLBH_IOC_RECLAIM_FLUSH, { 0, PG }, -EINVAL },
	{ "reclaim_flush flag", TLBH_IOC_RECLAIM_FLUSH, { 0, 0, 1 }, -EINVAL },
	{ "resume range", TLBH_IOC_RESUME, { 0, PG }, -EINVAL },
	{ "resume flag", TLBH_IOC_RESUME, { 0, 0, TLBH_HOLD }, -EINVAL },
	{ "resume nothing held", TLBH_IOC_RESUME, { 0, 0 }, -EBUSY },
	{ "zap hold bad flag", TLBH_IOC_ZAP, { 0, PG, TLBH_HOLD | 1 }, -EINVAL },
	{ "drain range", TLBH_IOC_DRAIN, { PG, 0 }, -EINVAL },
	{ "drain reserved", TLBH_IOC_DRAIN, { 0, 0, 0, 0, 1 }, -EINVAL },
	/* tlbh_range_batch: nr, ranges, out, reserved */
	{ "batch zero", TLBH_IOC_ZAP_BATCH, { 0, T_GOOD }, -EINVAL },
	{ "batch too many", TLBH_IOC_ZAP_BATCH, { TLBH_MAX_BATCH + 1, T_GOOD }, -E2BIG },
	{ "batch huge nr", TLBH_IOC_ZAP_BATCH, { ~0ULL, T_GOOD }, -E2BIG },
	{ "batch null", TLBH_IOC_ZAP_BATCH, { 1, 0 }, -EFAULT },
	{ "batch wild", TLBH_IOC_ZAP_BATCH, { 1, T_WILD }, -EFAULT },
	{ "batch kernel ptr", TLBH_IOC_ZAP_BATCH, { 1, T_KERN }, -EFAULT },
	{ "batch reserved", TLBH_IOC_ZAP_BATCH, { 1, T_GOOD, 0, 1 }, -EINVAL },
	/* tlbh_reclaim_arg: offset, flags, out, reserved */
	{ "reclaim flag", TLBH_IOC_RECLAIM, { 0, 2 }, -EINVAL },
	{ "reclaim reserved", TLBH_IOC_RECLAIM, { 0, 0, 0, 1 }, -EINVAL },
	{ "reclaim unaligned", TLBH_IOC_RECLAIM, { 8 }, -EINVAL },
	{ "reclaim past data", TLBH_IOC_RECLAIM, { T_DATA }, -EINVAL },
	{ "reclaim not present", TLBH_IOC_RECLAIM, { 100 * PG }, -ENOENT },
	/* tlbh_mremap: old, new, length, flags, reserved[4] */
	{ "mremap flag", TLBH_IOC_MREMAP, { 0, PG, PG, 2 }, -EINVAL },
	{ "mremap same", TLBH_IOC_MREMAP, { 0, 0, PG }, -EINVAL },
	{ "mremap crosses pmd", TLBH_IOC_MREMAP, { PMD_BYTES - PG, 0x10000, 2 * PG }, -EINVAL },
	{ "mremap pmd unaligned", TLBH_IOC_MREMAP, { PG, PMD_BYTES, PMD_BYTES, TLBH_MREMAP_PMD }, -EINVAL },
	{ "mremap pmd short", TLBH_IOC_MREMAP, { 0, PMD_BYTES, PG, TLBH_MREMAP_PMD }, -EINVAL },
	{ "mremap pmd no table", TLBH_IOC_MREMAP, { PMD_BYTES, 0, PMD_BYTES, TLBH_MREMAP_PMD }, -EBUSY },
	{ "mremap reserved", TLBH_IOC_MREMAP, { 0, PG, PG, 0, 0, 0, 0, 1 }, -EINVAL },
	{ "mremap past data", TLBH_IOC_MREMAP, { 0, T_DATA, PG }, -EINVAL },
	/* tlbh_snapshot: offset, npages, entries, reserved */
	{ "snapshot zero", TLBH_IOC_SNAPSHOT, { 0, 0, T_GOOD }, -EINVAL },
	{ "snapshot too many", TLBH_IOC_SNAPSHOT, { 0, TLBH_MAX_SNAPSHOT + 1, T_GOOD }, -E2BIG },
	{ "snapshot huge", TLBH_IOC_SNAPSHOT, { 0, ~0ULL, T_GOOD }, -E2BIG },
	{ "snapshot past data", TLBH_IOC_SNAPSHOT, { DATA - PG, 2, T_GOOD }, -EINVAL },
	{ "snapshot null", TLBH_IOC_SNAPSHOT, { 0, 1, 0 }, -EFAULT },
	{ "snapshot wild", TLBH_IOC_SNAPSHOT, { 0, 1, T_WILD }, -EFAULT },
	{ "snapshot kernel", TLBH_IOC_SNAPSHOT, { 0, 1, T_KERN }, -EFAULT },
	{ "snapshot reserved", TLBH_IOC_SNAPSHOT, { 0, 1, T_GOOD, 1 }, -EINVAL },
	/* tlbh_probe: offset, cpu, read, mapped, result, reserved[3] */
	{ "probe bad cpu", TLBH_IOC_PROBE, { 0, 4096 }, -EINVAL },
	{ "probe huge cpu", TLBH_IOC_PROBE, { 0, ~0ULL }, -EINVAL },
	{ "probe unaligned", TLBH_IOC_PROBE, { 8, 0 }, -EINVAL },
	{ "probe past data", TLBH_IOC_PROBE, { T_DATA, 0 }, -EINVAL },
	{ "probe reserved", TLBH_IOC_PROBE, { 0, 0, 0, 0, 0, 1 }, -EINVAL },
	/* tlbh_set_vmas: nr, vmas, reserved[2] */
	{ "vmas zero", TLBH_IOC_SET_VMAS, { 0, T_GOOD }, -EINVAL },
	{ "vmas too many", TLBH_IOC_SET_VMAS, { TLBH_MAX_VMAS + 1, T_GOOD }, -E2BIG },
	{ "vmas wild", TLBH_IOC_SET_VMAS, { 1, T_WILD }, -EFAULT },
	{ "vmas reserved", TLBH_IOC_SET_VMAS, { 1, T_GOOD, 1 }, -EINVAL },
	/* tlbh_policy_arg: policy, add, drop, is_buggy, rules, reserved[3] */
	{ "policy zero", TLBH_IOC_SET_POLICY, { 0 }, -EINVAL },
	{ "policy huge", TLBH_IOC_SET_POLICY, { 1000 }, -EINVAL },
	{ "policy add unknown rule", TLBH_IOC_SET_POLICY, { 1, 1ULL << 63 }, -EINVAL },
	{ "policy drop unknown rule", TLBH_IOC_SET_POLICY, { 1, 0, 1ULL << 63 }, -EINVAL },
	{ "policy reserved", TLBH_IOC_SET_POLICY, { 1, 0, 0, 0, 0, 1 }, -EINVAL },
	/* clear_refs: offset, length, flags must be 0 */
	{ "clear_refs range", TLBH_IOC_CLEAR_REFS, { 0, PG }, -EINVAL },
	{ "clear_refs flag", TLBH_IOC_CLEAR_REFS, { 0, 0, 1 }, -EINVAL },
	/* tlbh_policy_info: policy, is_buggy, rules, nr_policies, name[6], reserved[2] */
	{ "policy info zero", TLBH_IOC_POLICY_INFO, { 0 }, -EINVAL },
	{ "policy info huge", TLBH_IOC_POLICY_INFO, { ~0ULL }, -EINVAL },
	{ "policy info reserved", TLBH_IOC_POLICY_INFO, { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, -EINVAL },
	/* tlbh_rule_info: bit, name[4], doc[16], reserved[3] */
	{ "rule info bit 64", TLBH_IOC_RULE_INFO, { 64 }, -EINVAL },
	{ "rule info no such rule", TLBH_IOC_RULE_INFO, { 63 }, -ENOENT },
	{ "rule info reserved", TLBH_IOC_RULE_INFO, { 0, [21] = 1 }, -EINVAL },
	/* counters */
	{ "counters flag", TLBH_IOC_COUNTERS, { 2 }, -EINVAL },
	{ "cpu counters cpu", TLBH_IOC_CPU_COUNTERS, { 64 }, -EINVAL },
	{ "cpu counters reserved", TLBH_IOC_CPU_COUNTERS, { 0, 0, 0, 0, 0, 0, 0, 1 }, -EINVAL },
	/* wrong sizes and directions of real commands */
	{ "populate short", _IOWR(TLBH_IOC_MAGIC, 0x04, __u64), { 0 }, -ENOTTY },
	{ "populate long", _IOWR(TLBH_IOC_MAGIC, 0x04, struct tlbh_snapshot[3]), { 0 }, -ENOTTY },
	{ "populate write only", _IOW(TLBH_IOC_MAGIC, 0x04, struct tlbh_range), { 0 }, -ENOTTY },
	{ "probe read only", _IOR(TLBH_IOC_MAGIC, 0x0f, struct tlbh_probe), { 0 }, -ENOTTY },
	{ "unknown nr", _IOWR(TLBH_IOC_MAGIC, 0x7e, struct tlbh_range), { 0 }, -ENOTTY },
};

/* Commands that need a space, with a valid argument: -ENXIO without. */
static const struct gcase needs_space[] = {
	{ "populate", TLBH_IOC_POPULATE, { 0, PG } },
	{ "remap", TLBH_IOC_REMAP, { 0, PG } },
	{ "flush", TLBH_IOC_FLUSH, { 0, PG } },
	{ "zap", TLBH_IOC_ZAP, { 0, PG } },
	{ "unmap", TLBH_IOC_UNMAP, { 0, PG } },
	{ "mprotect", TLBH_IOC_MPROTECT, { 0, PG } },
	{ "reclaim", TLBH_IOC_RECLAIM, { 0 } },
	{ "reclaim flush", TLBH_IOC_RECLAIM_FLUSH, { 0 } },
	{ "drain", TLBH_IOC_DRAIN, { 0 } },
	{ "clear_refs", TLBH_IOC_CLEAR_REFS, { 0 } },
	{ "snapshot", TLBH_IOC_SNAPSHOT, { 0, 1, T_GOOD } },
	{ "probe", TLBH_IOC_PROBE, { 0, 0 } },
	{ "info", TLBH_IOC_SPACE_INFO, { 0 } },
	{ "policy", TLBH_IOC_SET_POLICY, { 1 } },
	{ "counters", TLBH_IOC_COUNTERS, { 0 } },
	{ "cpu counters", TLBH_IOC_CPU_COUNTERS, { 0 } },
	{ "mremap", TLBH_IOC_MREMAP, { 0, PG, PG } },
};

static uint64_t good_buf[64 * 8];

static void fill(uint64_t *arg, const struct gcase *c)
{
	int i;

	memset(arg, 0, GC_WORDS * sizeof(*arg));
	for (i = 0; i < GC_WORDS; i++) {
		switch (c->w[i]) {
		case T_DATA:
			arg[i] = DATA;
			break;
		case T_WILD:
			arg[i] = 0x10000;	/* below mmap_min_addr */
			break;
		case T_KERN:
			arg[i] = 0xffff888000000000ULL;
			break;
		case T_GOOD:
			memset(good_buf, 0, sizeof(good_buf));
			good_buf[0] = 0;
			good_buf[1] = PG;	/* first range / vma: 0..PG */
			arg[i] = (uintptr_t)good_buf;
			break;
		case T_HUGE:
			arg[i] = ~0ULL - 4095;
			break;
		default:
			arg[i] = c->w[i];
		}
	}
}

static int run_case(int fd, const struct gcase *c)
{
	uint64_t arg[GC_WORDS + 64];

	fill(arg, c);
	return tlbh_ioctl(fd, c->cmd, arg);
}

FIXTURE(garbage)
{
	int fd;
	char *base;
};

FIXTURE_SETUP(garbage)
{
	struct tlbh_range r = { .offset = 0, .length = PG };

	self->fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(self->fd, 0);
	self->base = tlbh_map_space(self->fd, SPACE_SIZE);
	ASSERT_NE(self->base, MAP_FAILED);
	/* One table in slot 0 so that "no table" cases hit the state check. */
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_POPULATE, &r), 0);
}

FIXTURE_TEARDOWN(garbage)
{
	munmap(self->base, SPACE_SIZE);
	close(self->fd);
}

TEST_F(garbage, table)
{
	struct tlbh_snap_entry e[4];
	struct tlbh_snapshot s = { .offset = 0, .npages = 4,
				   .entries = (uintptr_t)e };
	int got, bad = 0;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = run_case(self->fd, &cases[i]);
		if (got != cases[i].err) {
			ksft_print_msg("case \"%s\": got %d, want %d\n",
				       cases[i].name, got, cases[i].err);
			bad++;
		}
	}
	EXPECT_EQ(bad, 0);
	/* The space survived it all. */
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_SNAPSHOT, &s), 0);
	EXPECT_NE(e[0].identity, 0);
	EXPECT_EQ(e[1].identity, 0);
	EXPECT_NE(tlbh_read(self->base), 0);
}

TEST_F(garbage, wild_argument_pointer)
{
	size_t i;

	for (i = 0; i < sizeof(needs_space) / sizeof(needs_space[0]); i++) {
		EXPECT_EQ(tlbh_ioctl(self->fd, needs_space[i].cmd, NULL), -EFAULT)
			TH_LOG("command %zu", i);
		EXPECT_EQ(tlbh_ioctl(self->fd, needs_space[i].cmd,
				     (void *)0xffff888000000000ULL), -EFAULT)
			TH_LOG("command %zu", i);
	}
}

TEST(no_space)
{
	int fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	size_t i;

	ASSERT_GE(fd, 0);
	for (i = 0; i < sizeof(needs_space) / sizeof(needs_space[0]); i++)
		EXPECT_EQ(run_case(fd, &needs_space[i]), -ENXIO)
			TH_LOG("command %zu", i);
	close(fd);
}

TEST_F(garbage, forked_child_and_unmapped)
{
	int status;
	size_t i;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int bad = 0;

		for (i = 0; i < sizeof(needs_space) / sizeof(needs_space[0]); i++)
			bad += run_case(self->fd, &needs_space[i]) != -ENXIO;
		_exit(bad);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);

	ASSERT_EQ(munmap(self->base, SPACE_SIZE), 0);
	for (i = 0; i < sizeof(needs_space) / sizeof(needs_space[0]); i++)
		EXPECT_EQ(run_case(self->fd, &needs_space[i]), -ENXIO)
			TH_LOG("command %zu", i);
	/* One space per file, even after munmap. */
	EXPECT_EQ(tlbh_map_space(self->fd, SPACE_SIZE), MAP_FAILED);
	EXPECT_EQ(errno, EBUSY);
	self->base = tlbh_map_space(self->fd, SPACE_SIZE);	/* fails again */
}

/* mmap() of the device: alignment, size, protection, sharing, splits. */
TEST(mmap_rules)
{
	int fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	char *p, *q;

	ASSERT_GE(fd, 0);
	p = mmap(NULL, SPACE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(p, MAP_FAILED);
	p = mmap(NULL, PMD_BYTES + PG, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);
	p = mmap(NULL, SPACE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EACCES);
	p = mmap(NULL, SPACE_SIZE, PROT_READ, MAP_SHARED, fd, 4096);
	EXPECT_EQ(p, MAP_FAILED);
	q = tlbh_map_space(fd, SPACE_SIZE);
	ASSERT_NE(q, MAP_FAILED);
	/* No partial munmap, no mprotect to writable, no mremap move. */
	EXPECT_EQ(munmap(q + PMD_BYTES, PMD_BYTES), -1);
	EXPECT_EQ(mprotect(q, SPACE_SIZE, PROT_READ | PROT_WRITE), -1);
	EXPECT_EQ(mremap(q, SPACE_SIZE, SPACE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			 q + 4 * SPACE_SIZE), MAP_FAILED);
	EXPECT_EQ(munmap(q, SPACE_SIZE), 0);
	close(fd);
	fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	/* An unaligned placement is refused. */
	p = mmap(q + PG, SPACE_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(tlbh_pool_pages(fd), 0);
	close(fd);
}

int main(int argc, char **argv)
{
	if (access(TLBH_PATH, F_OK)) {
		ksft_print_header();
		ksft_exit_skip("%s is absent: load tlbh.ko first\n", TLBH_PATH);
	}
	return test_harness_run(argc, argv);
}
