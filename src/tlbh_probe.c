// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_probe.c - the kernel probe: read a page of a space on a chosen
 * CPU from a kernel work item that adopts the space's mm.
 *
 * What the probe can and cannot observe is in Documentation/spaces.rst
 * (Probes): it reads through the kernel-mode TLB entries of its CPU,
 * after a switch into the mm that may flush them, which is not what a
 * user thread sees; STALE proves a stale entry, FRESH proves nothing.
 */
#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "tlbh_space.h"

struct tlbh_probe_work {
	struct work_struct work;
	struct mm_struct *mm;
	unsigned long addr;
	u64 val;
	int err;
};

static void tlbh_probe_fn(struct work_struct *work)
{
	struct tlbh_probe_work *pw =
		container_of(work, struct tlbh_probe_work, work);

	kthread_use_mm(pw->mm);
	if (copy_from_user(&pw->val, (const void __user *)pw->addr,
			   sizeof(pw->val)))
		pw->err = -EFAULT;
	kthread_unuse_mm(pw->mm);
}

/**
 * tlbh_probe_read - read the first word of a page on a given CPU
 * @sp: space (its mutex held, not the mmap lock: the read may fault)
 * @cpu: CPU to read on
 * @addr: user address of the page
 * @val: the word read
 *
 * A work item bound to @cpu adopts the space's mm, which switches that
 * CPU into it exactly as a returning user thread would, and reads.
 *
 * Return: 0, -EFAULT when the read faulted, -EINVAL for a bad CPU.
 */
int tlbh_probe_read(struct tlbh_space *sp, unsigned int cpu,
		    unsigned long addr, u64 *val)
{
	struct tlbh_probe_work pw = { .mm = sp->mm, .addr = addr };
	int ret = -EINVAL;

	if (!mmget_not_zero(sp->mm))
		return -ENXIO;
	cpus_read_lock();
	if (cpu < nr_cpu_ids && cpu_online(cpu)) {
		INIT_WORK_ONSTACK(&pw.work, tlbh_probe_fn);
		queue_work_on(cpu, system_highpri_wq, &pw.work);
		flush_work(&pw.work);
		destroy_work_on_stack(&pw.work);
		*val = pw.val;
		ret = pw.err;
	}
	cpus_read_unlock();
	mmput(sp->mm);
	return ret;
}
