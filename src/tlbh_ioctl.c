// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_ioctl.c - the ABI contract of /dev/tlbh, in one place.
 *
 * Each command is one row of tlbh_ioctls[]: its number (direction and
 * size included), whether it needs the space of its file and with which
 * lock, and where the output and reserved words of its argument start.
 * tlbh_ioctl_dispatch() is the one path every command takes, in this
 * order (the errno of each step is in <uapi/linux/tlbh.h>):
 *
 *   look the number up, exactly                       -ENOTTY
 *   CAP_SYS_ADMIN                                     -EPERM
 *   reserved words are zero, no unknown flag          -EINVAL
 *   zero the output words
 *   the file has a space, if the command needs one    -ENXIO
 *   check: validate the inputs, copy embedded arrays  -EINVAL, -E2BIG, -EFAULT
 *   enter the space (mutex, mmap lock, VMA lock)      -ENXIO
 *   run                                               the command's own
 *   leave, then done: embedded outputs, frees
 *
 * and a run that ends in -EAGAIN (a lock the kernel would sleep on)
 * returns -EBUSY.  tlbh_unlocked_ioctl() adds the user copies around it:
 * before dispatching it writes the caller's own bytes back to make sure
 * the result can be copied out, so that a command never acts and then
 * fails with -EFAULT; it copies the argument out only on success.
 */
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/tlbh.h>

#include "tlbh.h"
#include "tlbh_space.h"

#define W(type, field)	(offsetof(type, field) / sizeof(__u64))
#define WORDS(type)	(sizeof(type) / sizeof(__u64))

/*
 * The parts of a row: the command and how it reaches its space; where
 * the outputs and the reserved words of its argument start; which word
 * holds its flags and which flags it takes.
 */
#define CMD(ioc, sp_)	.cmd = TLBH_IOC_##ioc, .name = #ioc, .space = TLBH_##sp_
#define ARG(type, first_out, first_reserved)				\
	.out = W(type, first_out), .reserved = W(type, first_reserved)
#define FLAGS(type, field, ok)	.flags_at = W(type, field) + 1, .flags = (ok)
/* struct tlbh_range: offset, length, flags, out, then reserved words. */
#define RANGE_ARG(ok)							\
	.out = W(struct tlbh_range, out),				\
	.reserved = W(struct tlbh_range, reserved),			\
	FLAGS(struct tlbh_range, flags, ok)

const struct tlbh_ioctl_desc tlbh_ioctls[] = {
	{ CMD(VERSION, NO_SPACE),
	  ARG(struct tlbh_version, abi_version, reserved),
	  .run = tlbh_cmd_version },
	{ CMD(SPACE_INFO, SPACE_READ),
	  ARG(struct tlbh_space_info, base, reserved),
	  .run = tlbh_cmd_space_info },
	{ CMD(SET_POLICY, SPACE_READ),
	  ARG(struct tlbh_policy_arg, is_buggy, reserved),
	  .check = tlbh_check_set_policy, .run = tlbh_cmd_set_policy },
	{ CMD(SET_VMAS, SPACE_WRITE),
	  ARG(struct tlbh_set_vmas, reserved, reserved),
	  .check = tlbh_check_set_vmas, .run = tlbh_cmd_set_vmas,
	  .done = tlbh_done_free },
	{ CMD(POPULATE, SPACE_WRITE), RANGE_ARG(TLBH_MAP_WRITE),
	  .check = tlbh_check_range, .run = tlbh_cmd_populate },
	{ CMD(REMAP, SPACE_WRITE), RANGE_ARG(TLBH_REMAP_FLUSH),
	  .check = tlbh_check_range, .run = tlbh_cmd_remap },
	{ CMD(FLUSH, SPACE_WRITE), RANGE_ARG(TLBH_FLUSH_MM),
	  .check = tlbh_check_flush, .run = tlbh_cmd_flush },
	{ CMD(ZAP, SPACE_WRITE), RANGE_ARG(TLBH_HOLD),
	  .check = tlbh_check_range, .run = tlbh_cmd_zap },
	{ CMD(ZAP_BATCH, SPACE_WRITE),
	  ARG(struct tlbh_range_batch, out, reserved),
	  .check = tlbh_check_zap_batch, .run = tlbh_cmd_zap_batch,
	  .done = tlbh_done_free },
	{ CMD(UNMAP, SPACE_WRITE), RANGE_ARG(TLBH_HOLD),
	  .check = tlbh_check_range, .run = tlbh_cmd_unmap },
	{ CMD(RECLAIM, SPACE_WRITE),
	  ARG(struct tlbh_reclaim_arg, out, reserved),
	  FLAGS(struct tlbh_reclaim_arg, flags, TLBH_RECLAIM_BATCH | TLBH_HOLD),
	  .check = tlbh_check_reclaim, .run = tlbh_cmd_reclaim },
	{ CMD(RECLAIM_FLUSH, SPACE_WRITE), RANGE_ARG(0),
	  .check = tlbh_check_whole, .run = tlbh_cmd_reclaim_flush },
	{ CMD(MREMAP, SPACE_WRITE),
	  ARG(struct tlbh_mremap, reserved, reserved),
	  FLAGS(struct tlbh_mremap, flags, TLBH_MREMAP_PMD),
	  .check = tlbh_check_mremap, .run = tlbh_cmd_mremap },
	{ CMD(MPROTECT, SPACE_WRITE), RANGE_ARG(TLBH_PROT_WRITE),
	  .check = tlbh_check_range, .run = tlbh_cmd_mprotect },
	{ CMD(SNAPSHOT, SPACE_READ),
	  ARG(struct tlbh_snapshot, reserved, reserved),
	  .check = tlbh_check_snapshot, .run = tlbh_cmd_snapshot,
	  .done = tlbh_done_snapshot },
	{ CMD(PROBE, SPACE_READ),
	  ARG(struct tlbh_probe, read, reserved),
	  .check = tlbh_check_probe, .run = tlbh_cmd_probe },
	{ CMD(COUNTERS, SPACE_READ),
	  .out = W(struct tlbh_counters, c),
	  .reserved = WORDS(struct tlbh_counters),
	  FLAGS(struct tlbh_counters, flags, TLBH_COUNTERS_RESET),
	  .run = tlbh_cmd_counters },
	{ CMD(CPU_COUNTERS, SPACE_READ),
	  ARG(struct tlbh_cpu_counters, handled, reserved),
	  .check = tlbh_check_cpu_counters, .run = tlbh_cmd_cpu_counters },
	{ CMD(POOL, NO_SPACE),
	  ARG(struct tlbh_pool, pool_pages, reserved),
	  .run = tlbh_cmd_pool },
	{ CMD(DRAIN, SPACE_WRITE), RANGE_ARG(0),
	  .check = tlbh_check_whole, .run = tlbh_cmd_drain },
	{ CMD(CLEAR_REFS, SPACE_WRITE), RANGE_ARG(0),
	  .check = tlbh_check_whole, .run = tlbh_cmd_clear_refs },
	{ CMD(POLICY_INFO, NO_SPACE),
	  ARG(struct tlbh_policy_info, is_buggy, reserved),
	  .run = tlbh_cmd_policy_info },
	{ CMD(RESUME, SPACE_WRITE), RANGE_ARG(0),
	  .check = tlbh_check_whole, .run = tlbh_cmd_resume },
	{ CMD(RULE_INFO, NO_SPACE),
	  ARG(struct tlbh_rule_info, name, reserved),
	  .run = tlbh_cmd_rule_info },
	{ CMD(INJECT, SPACE_READ),
	  ARG(struct tlbh_inject, reserved, reserved),
	  .check = tlbh_check_inject, .run = tlbh_cmd_inject },
};
EXPORT_SYMBOL_NS_GPL(tlbh_ioctls, TLBH_NS);

const unsigned int tlbh_ioctl_count = ARRAY_SIZE(tlbh_ioctls);
EXPORT_SYMBOL_NS_GPL(tlbh_ioctl_count, TLBH_NS);

/* Sizes the ABI header and the module must agree on. */
static void __maybe_unused tlbh_abi_asserts(void)
{
	BUILD_BUG_ON(TLBH_CNT_NR > TLBH_CNT_SLOTS);
	BUILD_BUG_ON(sizeof(struct tlbh_counters) > TLBH_IOC_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct tlbh_rule_info) > TLBH_IOC_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct tlbh_range) != 8 * sizeof(__u64));
}

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

static int tlbh_run(const struct tlbh_ioctl_desc *d, struct tlbh_call *c)
{
	bool write = d->space == TLBH_SPACE_WRITE;
	int ret;

	if (d->space == TLBH_NO_SPACE)
		return d->run(c);
	ret = tlbh_space_enter(c->sp, write);
	if (ret)
		return ret;
	ret = d->run(c);
	tlbh_space_leave(c->sp, write);
	return ret;
}

/**
 * tlbh_ioctl_dispatch - run one command on a kernel copy of its argument
 * @tf:  the open file's state (NULL only for commands needing no space)
 * @cmd: the ioctl number
 * @arg: a buffer of _IOC_SIZE(@cmd) bytes holding the caller's input
 *
 * Return: the command's result, after the steps described at the top
 * of this file.
 */
long tlbh_ioctl_dispatch(struct tlbh_file *tf, unsigned int cmd, void *arg)
{
	const struct tlbh_ioctl_desc *d = tlbh_ioctl_lookup(cmd);
	struct tlbh_call c = { .desc = d, .tf = tf, .arg = arg };
	unsigned int words = _IOC_SIZE(cmd) / sizeof(__u64);
	__u64 *w = arg;
	unsigned int i;
	int ret;

	if (!d || _IOC_SIZE(cmd) > TLBH_IOC_MAX_SIZE)
		return -ENOTTY;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!(_IOC_DIR(cmd) & _IOC_WRITE))
		memset(arg, 0, _IOC_SIZE(cmd));
	for (i = d->reserved; i < words; i++)
		if (w[i])
			return -EINVAL;
	if (d->flags_at && (w[d->flags_at - 1] & ~d->flags))
		return -EINVAL;
	memset(w + d->out, 0, (d->reserved - d->out) * sizeof(__u64));
	if (d->space != TLBH_NO_SPACE) {
		c.sp = tf ? READ_ONCE(tf->space) : NULL;
		if (!c.sp)
			return -ENXIO;
	}
	ret = d->check ? d->check(&c) : 0;
	if (ret)
		return ret;
	ret = tlbh_run(d, &c);
	if (ret == -EAGAIN)
		ret = -EBUSY;
	if (d->done)
		ret = d->done(&c, ret);
	return ret;
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
	/*
	 * Read the argument even for output-only commands, and write the
	 * same bytes back: a command whose result could not be copied out
	 * fails here, before it acts.
	 */
	if (copy_from_user(buf, uarg, size))
		return -EFAULT;
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, buf, size))
		return -EFAULT;
	ret = tlbh_ioctl_dispatch(file->private_data, cmd, buf);
	if (ret)
		return ret;
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, buf, size))
		return -EFAULT;
	return 0;
}
