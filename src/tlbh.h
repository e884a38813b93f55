/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh.h - declarations shared by the files of tlbh.ko.
 *
 * tlbh_main.c owns the module and the /dev/tlbh character device,
 * tlbh_ioctl.c owns the command table and the copy-in/validate/copy-out
 * discipline every command goes through.
 */
#ifndef _TLBH_H
#define _TLBH_H

#include <linux/types.h>

struct tlbh_space;

/*
 * Per-open state of /dev/tlbh.  @space is set once, by the first mmap,
 * and holds a reference until the file is released.
 */
struct tlbh_file {
	u64 opened_at_ns;
	struct tlbh_space *space;
};

/**
 * struct tlbh_ioctl_desc - one command of the ABI
 * @cmd:  the full ioctl number, including direction and size
 * @name: the command's name, for diagnostics and tests
 * @fn:   the handler; @arg is a kernel copy of the user structure with
 *        its output words already zeroed; a non-zero return value is
 *        passed to user space and nothing is copied back
 */
struct tlbh_ioctl_desc {
	unsigned int cmd;
	const char *name;
	long (*fn)(struct tlbh_file *tf, void *arg);
};

/* Largest argument structure a command may take, in bytes. */
#define TLBH_IOC_MAX_SIZE	512

extern const struct tlbh_ioctl_desc tlbh_ioctls[];
extern const unsigned int tlbh_ioctl_count;

long tlbh_ioctl_dispatch(struct tlbh_file *tf, unsigned int cmd, void *arg);
long tlbh_unlocked_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg);

#endif /* _TLBH_H */
