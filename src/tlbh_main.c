// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_main.c - module entry points and the /dev/tlbh character device.
 *
 * tlbh is a test harness for the kernel's TLB gather/flush machinery
 * (mmu_gather).  This file only registers the misc device (mode 0600)
 * and manages per-open state; every command lives in the table of
 * tlbh_ioctl.c.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include <uapi/linux/tlbh.h>

#include "tlbh.h"

#define TLBH_MODULE_VERSION	"0.1"

static int tlbh_open(struct inode *inode, struct file *file)
{
	struct tlbh_file *tf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	tf = kzalloc(sizeof(*tf), GFP_KERNEL);
	if (!tf)
		return -ENOMEM;
	tf->opened_at_ns = ktime_get_ns();
	file->private_data = tf;
	return 0;
}

static int tlbh_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations tlbh_fops = {
	.owner		= THIS_MODULE,
	.open		= tlbh_open,
	.release	= tlbh_release,
	.unlocked_ioctl	= tlbh_unlocked_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice tlbh_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= TLBH_DEVICE_NAME,
	.fops	= &tlbh_fops,
	.mode	= 0600,
};

static int __init tlbh_init(void)
{
	return misc_register(&tlbh_misc);
}

static void __exit tlbh_exit(void)
{
	misc_deregister(&tlbh_misc);
}

module_init(tlbh_init);
module_exit(tlbh_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tlbh developers");
MODULE_DESCRIPTION("Test harness for the TLB gather/flush machinery (mmu_gather)");
MODULE_VERSION(TLBH_MODULE_VERSION);
