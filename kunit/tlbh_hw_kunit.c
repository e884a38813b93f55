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
 * Skips when tlbh.ko's device is absent or the loader had no mm.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
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

/* One reader per CPU: phase n asks for a read, val[n] is its result. */
struct tlbh_hw_reader {
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long addr;
	atomic_t phase;
	atomic_t done;
	u64 val[4];
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
		if (ph != seen && ph < (int)ARRAY_SIZE(r->val)) {
			if (copy_from_user(&v, (const void __user *)r->addr,
					   sizeof(v)))
				v = 0;
			r->val[ph] = v;
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

static u64 tlbh_hw_mapped(struct tlbh_file *tf)
{
	struct tlbh_probe p = { .offset = 0, .cpu = raw_smp_processor_id() };

	if (tlbh_ioctl_dispatch(tf, TLBH_IOC_PROBE, &p))
		return 0;
	return p.mapped;
}

static void tlbh_hw_stale_then_fresh(struct kunit *test)
{
	struct tlbh_range r = { .offset = 0, .length = PAGE_SIZE };
	struct tlbh_pool pool_before = {}, pool_after = {};
	unsigned int n = min_t(unsigned int, nr_cpu_ids, TLBH_HW_CPUS);
	unsigned int i, cpus = 0, stale = 0, fresh = 0;
	struct tlbh_hw_reader *rd;
	unsigned long res, base;
	struct tlbh_file *tf;
	struct file *filp;
	u64 old_id, new_id;

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
	old_id = tlbh_hw_mapped(tf);
	KUNIT_EXPECT_NE(test, old_id, 0);

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

	tlbh_hw_step(rd, n, 1);			/* prime every CPU */
	KUNIT_EXPECT_TRUE(test, tlbh_hw_wait(rd, n, 1));
	memset(&r, 0, sizeof(r));
	r.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, tlbh_ioctl_dispatch(tf, TLBH_IOC_REMAP, &r), 0);
	KUNIT_EXPECT_EQ(test, r.out, 1);
	new_id = tlbh_hw_mapped(tf);
	KUNIT_EXPECT_NE(test, new_id, old_id);
	tlbh_hw_step(rd, n, 2);			/* PTE changed, no flush */
	KUNIT_EXPECT_TRUE(test, tlbh_hw_wait(rd, n, 2));
	memset(&r, 0, sizeof(r));
	r.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, tlbh_ioctl_dispatch(tf, TLBH_IOC_FLUSH, &r), 0);
	tlbh_hw_step(rd, n, 3);			/* after the engine's flush */
	KUNIT_EXPECT_TRUE(test, tlbh_hw_wait(rd, n, 3));

	for (i = 0; i < n; i++) {
		if (!rd[i].task)
			continue;
		kthread_stop(rd[i].task);
		put_task_struct(rd[i].task);
		KUNIT_EXPECT_EQ_MSG(test, rd[i].val[1], old_id, "cpu %u primed", i);
		KUNIT_EXPECT_EQ_MSG(test, rd[i].val[2], old_id, "cpu %u stale", i);
		KUNIT_EXPECT_EQ_MSG(test, rd[i].val[3], new_id, "cpu %u fresh", i);
		stale += rd[i].val[2] == old_id;
		fresh += rd[i].val[3] == new_id;
	}
	kunit_info(test, "%u CPUs: stale on %u, fresh after flush on %u\n",
		   cpus, stale, fresh);
	KUNIT_EXPECT_GE(test, cpus, 1U);
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
