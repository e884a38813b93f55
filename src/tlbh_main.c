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
#include "tlbh_space.h"

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
	struct tlbh_file *tf = file->private_data;

	if (tf->space)
		tlbh_space_put(tf->space);
	kfree(tf);
	return 0;
}

static int tlbh_mmap(struct file *file, struct vm_area_struct *vma)
{
	return tlbh_space_mmap(file->private_data, vma);
}

static const struct file_operations tlbh_fops = {
	.owner		= THIS_MODULE,
	.open		= tlbh_open,
	.release	= tlbh_release,
	.mmap		= tlbh_mmap,
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
	/* Every space holds the file, so none can be left at unload. */
	if (tlbh_pool_pages() || tlbh_nr_spaces())
		pr_err("tlbh: %ld pool pages, %u spaces left at unload\n",
		       tlbh_pool_pages(), tlbh_nr_spaces());
}

module_init(tlbh_init);
module_exit(tlbh_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tlbh developers");
MODULE_DESCRIPTION("Test harness for the TLB gather/flush machinery (mmu_gather)");
MODULE_VERSION(TLBH_MODULE_VERSION);
