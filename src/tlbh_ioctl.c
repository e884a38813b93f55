// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_ioctl.c - the /dev/tlbh command table and its calling discipline.
 *
 * Each command is one row of tlbh_ioctls[].  tlbh_unlocked_ioctl() looks
 * the command up by its number, insists that the caller's direction and
 * size match the row exactly (anything else is -ENOTTY), copies the
 * argument in, zeroes the padding the handler will fill, calls the
 * handler, and copies the argument out only when the handler succeeded.
 * tlbh_ioctl_dispatch() is the same path on a kernel buffer, so the KUnit
 * suite can drive every command without a user address space.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/tlbh.h>

#include "tlbh.h"
#include "tlbh_space.h"

static long tlbh_ioc_version(struct tlbh_file *tf, void *arg)
{
	struct tlbh_version *v = arg;

	v->abi_version = TLBH_ABI_VERSION;
	v->features = TLBH_FEAT_ALL;
	return 0;
}

const struct tlbh_ioctl_desc tlbh_ioctls[] = {
	{ TLBH_IOC_VERSION, "VERSION", tlbh_ioc_version },
	{ TLBH_IOC_SPACE_INFO, "SPACE_INFO", tlbh_ioc_space_info },
	{ TLBH_IOC_SET_POLICY, "SET_POLICY", tlbh_ioc_set_policy },
	{ TLBH_IOC_SET_VMAS, "SET_VMAS", tlbh_ioc_set_vmas },
	{ TLBH_IOC_POPULATE, "POPULATE", tlbh_ioc_populate },
	{ TLBH_IOC_REMAP, "REMAP", tlbh_ioc_remap },
	{ TLBH_IOC_FLUSH, "FLUSH", tlbh_ioc_flush },
	{ TLBH_IOC_ZAP, "ZAP", tlbh_ioc_zap },
	{ TLBH_IOC_ZAP_BATCH, "ZAP_BATCH", tlbh_ioc_zap_batch },
	{ TLBH_IOC_UNMAP, "UNMAP", tlbh_ioc_unmap },
	{ TLBH_IOC_RECLAIM, "RECLAIM", tlbh_ioc_reclaim },
	{ TLBH_IOC_RECLAIM_FLUSH, "RECLAIM_FLUSH", tlbh_ioc_reclaim_flush },
	{ TLBH_IOC_MREMAP, "MREMAP", tlbh_ioc_mremap },
	{ TLBH_IOC_MPROTECT, "MPROTECT", tlbh_ioc_mprotect },
	{ TLBH_IOC_SNAPSHOT, "SNAPSHOT", tlbh_ioc_snapshot },
	{ TLBH_IOC_PROBE, "PROBE", tlbh_ioc_probe },
	{ TLBH_IOC_COUNTERS, "COUNTERS", tlbh_ioc_counters },
	{ TLBH_IOC_CPU_COUNTERS, "CPU_COUNTERS", tlbh_ioc_cpu_counters },
	{ TLBH_IOC_POOL, "POOL", tlbh_ioc_pool },
	{ TLBH_IOC_DRAIN, "DRAIN", tlbh_ioc_drain },
	{ TLBH_IOC_CLEAR_REFS, "CLEAR_REFS", tlbh_ioc_clear_refs },
	{ TLBH_IOC_POLICY_INFO, "POLICY_INFO", tlbh_ioc_policy_info },
	{ TLBH_IOC_RESUME, "RESUME", tlbh_ioc_resume },
	{ TLBH_IOC_RULE_INFO, "RULE_INFO", tlbh_ioc_rule_info },
};
EXPORT_SYMBOL_NS_GPL(tlbh_ioctls, TLBH_NS);

const unsigned int tlbh_ioctl_count = ARRAY_SIZE(tlbh_ioctls);
EXPORT_SYMBOL_NS_GPL(tlbh_ioctl_count, TLBH_NS);

static const struct tlbh_ioctl_desc *tlbh_ioctl_lookup(unsigned int cmd)
{
	unsigned int i;

	if (_IOC_TYPE(cmd) != TLBH_IOC_MAGIC)
		return NULL;
	for (i = 0; i < tlbh_ioctl_count; i++)
		if (tlbh_ioctls[i].cmd == cmd)
			return &tlbh_ioctls[i];
	return NULL;
}

/**
 * tlbh_ioctl_dispatch - run one command on a kernel copy of its argument
 * @tf:  the open file's state
 * @cmd: the ioctl number
 * @arg: a buffer of _IOC_SIZE(@cmd) bytes holding the caller's input
 *
 * Return: the handler's result, or -ENOTTY for an unknown command.
 */
long tlbh_ioctl_dispatch(struct tlbh_file *tf, unsigned int cmd, void *arg)
{
	const struct tlbh_ioctl_desc *desc = tlbh_ioctl_lookup(cmd);

	if (!desc || _IOC_SIZE(cmd) > TLBH_IOC_MAX_SIZE)
		return -ENOTTY;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* Output-only commands start from a zeroed structure. */
	if (!(_IOC_DIR(cmd) & _IOC_WRITE))
		memset(arg, 0, _IOC_SIZE(cmd));
	return desc->fn(tf, arg);
}
EXPORT_SYMBOL_NS_GPL(tlbh_ioctl_dispatch, TLBH_NS);

long tlbh_unlocked_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u64 buf[TLBH_IOC_MAX_SIZE / sizeof(u64)];
	unsigned int size = _IOC_SIZE(cmd);
	long ret;

	if (!tlbh_ioctl_lookup(cmd) || size > sizeof(buf))
		return -ENOTTY;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(buf, uarg, size))
		return -EFAULT;
	ret = tlbh_ioctl_dispatch(file->private_data, cmd, buf);
	if (ret)
		return ret;
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, buf, size))
		return -EFAULT;
	return 0;
}
