// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_abi_kunit.c - KUnit suite for the /dev/tlbh command table.
 *
 * Drives tlbh_ioctl_dispatch() on kernel buffers: the VERSION command
 * reports this module's ABI, every row of the command table has a size
 * the ABI rules allow, and malformed command numbers are refused with
 * -ENOTTY before any handler runs.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include <uapi/linux/tlbh.h>

#include "tlbh.h"

static void tlbh_abi_version(struct kunit *test)
{
	struct tlbh_version v;

	memset(&v, 0xa5, sizeof(v));
	KUNIT_ASSERT_EQ(test, tlbh_ioctl_dispatch(NULL, TLBH_IOC_VERSION, &v), 0);
	KUNIT_EXPECT_EQ(test, v.abi_version, (u64)TLBH_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, v.features & ~TLBH_FEAT_ALL, 0ULL);
	KUNIT_EXPECT_EQ(test, v.reserved[0], 0ULL);
	KUNIT_EXPECT_EQ(test, v.reserved[1], 0ULL);
}

/* Every structure is whole __u64 words and fits the dispatch buffer. */
static void tlbh_abi_table_sizes(struct kunit *test)
{
	unsigned int i, j;

	KUNIT_ASSERT_GT(test, tlbh_ioctl_count, 0U);
	for (i = 0; i < tlbh_ioctl_count; i++) {
		unsigned int cmd = tlbh_ioctls[i].cmd;

		KUNIT_EXPECT_EQ_MSG(test, _IOC_TYPE(cmd), TLBH_IOC_MAGIC,
				    "%s", tlbh_ioctls[i].name);
		KUNIT_EXPECT_EQ_MSG(test, _IOC_SIZE(cmd) % sizeof(u64), 0U,
				    "%s", tlbh_ioctls[i].name);
		KUNIT_EXPECT_LE_MSG(test, _IOC_SIZE(cmd), TLBH_IOC_MAX_SIZE,
				    "%s", tlbh_ioctls[i].name);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE_MSG(test, _IOC_NR(tlbh_ioctls[j].cmd),
					    _IOC_NR(cmd), "%s and %s share a number",
					    tlbh_ioctls[j].name, tlbh_ioctls[i].name);
	}
}

/* Wrong magic, number, size or direction: refused, buffer untouched. */
static const unsigned int tlbh_abi_bad_cmds[] = {
	_IOR('T', 0x00, struct tlbh_version),
	_IOR(TLBH_IOC_MAGIC, 0x7f, struct tlbh_version),
	_IOR(TLBH_IOC_MAGIC, 0x00, __u64),
	_IOW(TLBH_IOC_MAGIC, 0x00, struct tlbh_version),
	_IOWR(TLBH_IOC_MAGIC, 0x00, struct tlbh_version),
	_IO(TLBH_IOC_MAGIC, 0x00),
};

static void tlbh_abi_unknown_cmds(struct kunit *test)
{
	struct tlbh_version v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tlbh_abi_bad_cmds); i++) {
		memset(&v, 0x5a, sizeof(v));
		KUNIT_EXPECT_EQ_MSG(test,
				    tlbh_ioctl_dispatch(NULL, tlbh_abi_bad_cmds[i], &v),
				    (long)-ENOTTY, "cmd %#x", tlbh_abi_bad_cmds[i]);
		KUNIT_EXPECT_EQ(test, v.abi_version, 0x5a5a5a5a5a5a5a5aULL);
	}
}

static struct kunit_case tlbh_abi_cases[] = {
	KUNIT_CASE(tlbh_abi_version),
	KUNIT_CASE(tlbh_abi_table_sizes),
	KUNIT_CASE(tlbh_abi_unknown_cmds),
	{}
};

static struct kunit_suite tlbh_abi_suite = {
	.name = "tlbh_abi",
	.test_cases = tlbh_abi_cases,
};

kunit_test_suite(tlbh_abi_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for tlbh");
MODULE_IMPORT_NS(TLBH_NS);
