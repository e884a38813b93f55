// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_hw_kunit.c - KUnit suite running the hardware path on the CPUs
 * of the machine: map a space, prime its TLB entry on every CPU, change
 * the PTE without a flush, see the stale value on each CPU, let the
 * engine flush, and see the fresh value on each CPU.
 *
 * A space needs a user address space: the suite borrows the mm of the
 * process that loads the module (suite_init runs in its context) and
 * maps /dev/tlbh into it with vm_mmap().  One kernel thread per online
 * CPU adopts that mm and stays on its CPU, so the mm stays loaded there
 * and the TLB entries survive, like the pinned user threads of the
 * selftests; each thread reads the page when told to.  The commands go
 * through tlbh_ioctl_dispatch(), the same path as the ioctls.
 *
 * A reader that is switched out for a task of another mm loses its TLB
 * entries on a CPU without PCID (QEMU's TCG), so a round may show a CPU
 * fresh before the flush; rounds repeat until every CPU has shown its
 * stale entry once, and a read after the engine's flush must be fresh in
 * every round.  The identities come from SNAPSHOT, which reads the page
 * tables only (the kernel probe would switch a CPU into the mm).
 *
 * Skips when tlbh.ko's device is absent or the loader had no mm.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/tlbh.h>

#include "tlbh.h"

#define TLBH_HW_SPACE	(4UL << 20)
#define TLBH_HW_CPUS	64

static struct mm_struct *tlbh_hw_mm;

/* Rounds tried until every CPU has shown its stale entry once. */
#define TLBH_HW_ROUNDS	8

/*
 * One reader per CPU.  Phase n > 0 asks for a read, whose result goes to
 * val[n % 3] (1: primed, 2: after the PTE change, 0: after the flush),
 * with the reader's context switches so far in switches[n % 3].
 */
struct tlbh_hw_reader {
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long addr;
	atomic_t phase;
	atomic_t done;
	u64 val[3];
	unsigned long switches[3];
};

static int tlbh_hw_reader_fn(void *data)
{
	struct tlbh_hw_reader *r = data;
	int seen = 0, ph;
	u64 v;

	kthread_use_mm(r->mm);
	atomic_set_release(&r->done, 0);
	while (!kthread_should_stop()) {
		ph = atomic_read_acquire(&r->phase);
		if (ph != seen) {
			if (copy_from_user(&v, (const void __user *)r->addr,
					   sizeof(v)))
				v = 0;
			r->val[ph % 3] = v;
			r->switches[ph % 3] = current->nvcsw + current->nivcsw;
			seen = ph;
			atomic_set_release(&r->done, ph);
		}
		cpu_relax();
		cond_resched();
	}
	kthread_unuse_mm(r->mm);
	return 0;
}

static bool tlbh_hw_wait(struct tlbh_hw_reader *r, unsigned int n, int ph)
{
	unsigned long deadline = jiffies + 30 * HZ;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!r[i].task)
			continue;
		while (atomic_read_acquire(&r[i].done) != ph) {
			if (time_after(jiffies, deadline))
				return false;
			usleep_range(100, 200);
		}
	}
	return true;
}

static void tlbh_hw_step(struct tlbh_hw_reader *r, unsigned int n, int ph)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		atomic_set_release(&r[i].phase, ph);
}

/*
 * What the page tables map at the first page now, through a user buffer
 * @ubuf of the borrowed mm.  SNAPSHOT reads the page tables only; a probe
 * would switch a CPU into the mm and change the very TLB state measured.
 */
static u64 tlbh_hw_mapped(struct tlbh_file *tf, unsigned long ubuf)
{
	struct tlbh_snapshot s = { .npages = 1, .entries = ubuf };
	struct tlbh_snap_entry e;

	if (tlbh_ioctl_dispatch(tf, TLBH_IOC_SNAPSHOT, &s) ||
	    copy_from_user(&e, (const void __user *)ubuf, sizeof(e)))
		return 0;
	return e.identity;
}

/*
 * One round on every reader: prime, change the PTE behind the TLB's back
 * (REMAP without a flush), read, let the engine flush, read.  @stale
 * collects the CPUs whose read after the change was the old page; every
 * read after the flush must be the new one.  Returns false when a step
 * failed (reported already).
 */
static bool tlbh_hw_round(struct kunit *test, struct tlbh_file *tf,
			  struct tlbh_hw_reader *rd, unsigned int n,
			  unsigned int round, unsigned long ubuf,
			  unsigned long *stale, unsigned int *fresh_bad)
{
	struct tlbh_range r = { .length = PAGE_SIZE };
	int ph = 3 * round;
	unsigned int i;
	u64 old_id, new_id;

	old_id = tlbh_hw_mapped(tf, ubuf);
	tlbh_hw_step(rd, n, ph + 1);		/* prime every CPU */
	if (!tlbh_hw_wait(rd, n, ph + 1))
		return false;
	KUNIT_EXPECT_EQ(test, tlbh_ioctl_dispatch(tf, TLBH_IOC_REMAP, &r), 0);
	KUNIT_EXPECT_EQ(test, r.out, 1);
	new_id = tlbh_hw_mapped(tf, ubuf);
	KUNIT_EXPECT_NE(test, new_id, old_id);
	tlbh_hw_step(rd, n, ph + 2);		/* PTE changed, no flush */
	if (!tlbh_hw_wait(rd, n, ph + 2))
		return false;
	memset(&r, 0, sizeof(r));
	r.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, tlbh_ioctl_dispatch(tf, TLBH_IOC_FLUSH, &r), 0);
	tlbh_hw_step(rd, n, ph + 3);		/* after the engine's flush */
	if (!tlbh_hw_wait(rd, n, ph + 3))
		return false;
	for (i = 0; i < n; i++) {
		if (!rd[i].task)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, rd[i].val[1], old_id,
				    "cpu %u primed, round %u", i, round);
		if (rd[i].val[2] == old_id)
			__set_bit(i, stale);
		else
			kunit_info(test, "round %u: cpu %u read the new page before any flush (%lu context switches meanwhile)\n",
				   round, i, rd[i].switches[2] - rd[i].switches[1]);
		if (rd[i].val[0] != new_id) {
			KUNIT_FAIL(test, "cpu %u stale after the engine's flush, round %u",
				   i, round);
			(*fresh_bad)++;
		}
	}
	return true;
}

static void tlbh_hw_stale_then_fresh(struct kunit *test)
{
	struct tlbh_range r = { .offset = 0, .length = PAGE_SIZE };
	struct tlbh_pool pool_before = {}, pool_after = {};
	unsigned int n = min_t(unsigned int, nr_cpu_ids, TLBH_HW_CPUS);
	unsigned int i, cpus = 0, stale_cpus, fresh, fresh_bad = 0, round;
	DECLARE_BITMAP(stale, TLBH_HW_CPUS) = {};
	unsigned long res, base, ubuf;
	struct tlbh_hw_reader *rd;
	struct tlbh_file *tf;
	struct file *filp;

	if (!tlbh_hw_mm)
		kunit_skip(test, "the module loader had no mm");
	filp = filp_open("/dev/" TLBH_DEVICE_NAME, O_RDWR, 0);
	if (IS_ERR(filp))
		kunit_skip(test, "/dev/%s: %ld", TLBH_DEVICE_NAME, PTR_ERR(filp));
	rd = kunit_kcalloc(test, n, sizeof(*rd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rd);
	tf = filp->private_data;
	KUNIT_ASSERT_EQ(test, tlbh_ioctl_dispatch(tf, TLBH_IOC_POOL, &pool_before), 0);

	kthread_use_mm(tlbh_hw_mm);
	/* Reserve twice the size and map the space at an aligned address. */
	res = vm_mmap(NULL, 0, 2 * TLBH_HW_SPACE, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(res)) {
		KUNIT_FAIL(test, "reserve: %ld", (long)res);
		goto out_unuse;
	}
	base = ALIGN(res, TLBH_HW_SPACE);
	if (vm_mmap(filp, base, TLBH_HW_SPACE, PROT_READ,
		    MAP_SHARED | MAP_FIXED, 0) != base) {
		KUNIT_FAIL(test, "mmap of the device failed");
		goto out_unmap;
	}
	if (tlbh_ioctl_dispatch(tf, TLBH_IOC_POPULATE, &r)) {
		KUNIT_FAIL(test, "populate failed");
		goto out_unmap;
	}
	/* A user buffer of the borrowed mm for SNAPSHOT's output. */
	ubuf = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(ubuf)) {
		KUNIT_FAIL(test, "buffer: %ld", (long)ubuf);
		goto out_unmap;
	}
	KUNIT_EXPECT_NE(test, tlbh_hw_mapped(tf, ubuf), 0);

	for (i = 0; i < n; i++) {
		if (!cpu_online(i))
			continue;
		rd[i].mm = tlbh_hw_mm;
		rd[i].addr = base;
		atomic_set(&rd[i].done, -1);
		rd[i].task = kthread_create_on_cpu(tlbh_hw_reader_fn, &rd[i], i,
						   "tlbh_hw/%u");
		if (IS_ERR(rd[i].task)) {
			rd[i].task = NULL;
			continue;
		}
		get_task_struct(rd[i].task);
		wake_up_process(rd[i].task);
		cpus++;
	}
	KUNIT_EXPECT_TRUE(test, tlbh_hw_wait(rd, n, 0));

	for (round = 0; round < TLBH_HW_ROUNDS && bitmap_weight(stale, n) < cpus;
	     round++)
		if (!tlbh_hw_round(test, tf, rd, n, round, ubuf, stale,
				   &fresh_bad))
			break;
	for (i = 0; i < n; i++) {
		if (!rd[i].task)
			continue;
		kthread_stop(rd[i].task);
		put_task_struct(rd[i].task);
		KUNIT_EXPECT_TRUE_MSG(test, test_bit(i, stale),
				      "cpu %u never read its stale entry in %u rounds",
				      i, round);
	}
	stale_cpus = bitmap_weight(stale, n);
	fresh = fresh_bad ? 0 : cpus;
	kunit_info(test, "%u CPUs: stale on %u within %u rounds, fresh after every flush on %u\n",
		   cpus, stale_cpus, round, fresh);
	KUNIT_EXPECT_GE(test, cpus, 1U);
	vm_munmap(ubuf, PAGE_SIZE);
out_unmap:
	vm_munmap(res, 2 * TLBH_HW_SPACE);
out_unuse:
	kthread_unuse_mm(tlbh_hw_mm);
	__fput_sync(filp);

	/* The space is gone: its pages are back. */
	filp = filp_open("/dev/" TLBH_DEVICE_NAME, O_RDWR, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(filp));
	KUNIT_EXPECT_EQ(test, tlbh_ioctl_dispatch(filp->private_data,
						  TLBH_IOC_POOL, &pool_after), 0);
	KUNIT_EXPECT_EQ(test, pool_after.pool_pages, pool_before.pool_pages);
	__fput_sync(filp);
}

/* Runs in the context of the process loading the module. */
static int tlbh_hw_suite_init(struct kunit_suite *suite)
{
	if (current->mm && mmget_not_zero(current->mm))
		tlbh_hw_mm = current->mm;
	return 0;
}

static void tlbh_hw_suite_exit(struct kunit_suite *suite)
{
	if (tlbh_hw_mm)
		mmput(tlbh_hw_mm);
	tlbh_hw_mm = NULL;
}

static struct kunit_case tlbh_hw_cases[] = {
	KUNIT_CASE(tlbh_hw_stale_then_fresh),
	{}
};

static struct kunit_suite tlbh_hw_suite = {
	.name = "tlbh_hw",
	.suite_init = tlbh_hw_suite_init,
	.suite_exit = tlbh_hw_suite_exit,
	.test_cases = tlbh_hw_cases,
};

kunit_test_suite(tlbh_hw_suite);
