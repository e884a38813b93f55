// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_abi_test.c - kselftest for the /dev/tlbh device and its command
 * discipline: the node exists with mode 0600, only root opens it,
 * VERSION answers with this header's ABI, and malformed commands or
 * pointers fail with the documented errno.
 *
 * Exits 4 (skip) when /dev/tlbh is absent, i.e. tlbh.ko is not loaded.
 */
#include <grp.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "tlbh_lib.h"
#include "kselftest_harness.h"

FIXTURE(tlbh)
{
	int fd;
};

FIXTURE_SETUP(tlbh)
{
	self->fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(self->fd, 0) TH_LOG("open %s: %s", TLBH_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(tlbh)
{
	close(self->fd);
}

TEST_F(tlbh, node_mode)
{
	struct stat st;

	ASSERT_EQ(fstat(self->fd, &st), 0);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0600);
}

TEST_F(tlbh, version)
{
	struct tlbh_version v;

	memset(&v, 0xff, sizeof(v));
	ASSERT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_VERSION, &v), 0);
	EXPECT_EQ(v.abi_version, TLBH_ABI_VERSION);
	EXPECT_EQ(v.features & ~TLBH_FEAT_ALL, 0);
	EXPECT_EQ(v.reserved[0], 0);
	EXPECT_EQ(v.reserved[1], 0);
}

TEST_F(tlbh, version_bad_pointer)
{
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_VERSION, NULL), -EFAULT);
	EXPECT_EQ(tlbh_ioctl(self->fd, TLBH_IOC_VERSION, (void *)-4096L), -EFAULT);
}

/* Wrong magic, number, size or direction: ENOTTY, argument untouched. */
static const unsigned long bad_cmds[] = {
	_IOR('T', 0x00, struct tlbh_version),
	_IOR(TLBH_IOC_MAGIC, 0x7f, struct tlbh_version),
	_IOR(TLBH_IOC_MAGIC, 0x00, __u64),
	_IOW(TLBH_IOC_MAGIC, 0x00, struct tlbh_version),
	_IOWR(TLBH_IOC_MAGIC, 0x00, struct tlbh_version),
	_IO(TLBH_IOC_MAGIC, 0x00),
	0,
};

TEST_F(tlbh, unknown_ioctl)
{
	struct tlbh_version v;
	size_t i;

	for (i = 0; i < sizeof(bad_cmds) / sizeof(bad_cmds[0]); i++) {
		memset(&v, 0x5a, sizeof(v));
		EXPECT_EQ(tlbh_ioctl(self->fd, bad_cmds[i], &v), -ENOTTY)
			TH_LOG("cmd %#lx", bad_cmds[i]);
		EXPECT_EQ(v.abi_version, 0x5a5a5a5a5a5a5a5aULL);
	}
}

/* An unprivileged user cannot open the device. */
TEST(non_root_open_refused)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		fd = open(TLBH_PATH, O_RDWR);
		_exit(fd < 0 && (errno == EACCES || errno == EPERM) ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TLBH_TEST_HARNESS_MAIN
