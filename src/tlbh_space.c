// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_space.c - the life of a space (Documentation/spaces.rst).
 *
 * A space is an mmap of /dev/tlbh: one per open file, MAP_SHARED and
 * read-only, whose page tables the harness builds (tlbh_pt.c) from pool
 * pages (tlbh_pool.c) and whose flushes the engine decides and the
 * hardware backend carries out (tlbh_hw.c).  This file creates a space
 * at mmap, keeps its VMA from being split, moved or faulted, lets a
 * command enter it (space mutex, mmap lock, VMA write lock), and tears
 * it down when the file and the VMA are gone, after a flush that leaves
 * no CPU able to reach its pages.
 */
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "tlbh.h"
#include "tlbh_space.h"

unsigned int tlbh_max_pages = 16384;
module_param_named(max_pages, tlbh_max_pages, uint, 0644);
MODULE_PARM_DESC(max_pages, "Data pages per space at most (mmap: -E2BIG)");

unsigned int tlbh_max_spaces = 64;
module_param_named(max_spaces, tlbh_max_spaces, uint, 0644);
MODULE_PARM_DESC(max_spaces, "Spaces alive at most (mmap: -E2BIG)");

static atomic_t tlbh_spaces = ATOMIC_INIT(0);
static atomic_t tlbh_space_ids = ATOMIC_INIT(0);

unsigned int tlbh_nr_spaces(void)
{
	return atomic_read(&tlbh_spaces);
}

static void tlbh_space_release(struct kref *ref)
{
	struct tlbh_space *sp = container_of(ref, struct tlbh_space, ref);

	if (sp->held == TLBH_HELD_ZAP || sp->held == TLBH_HELD_UNMAP)
		tlbh_abandon(&sp->held_op.tlb);
	sp->held = TLBH_HELD_NONE;
	/*
	 * The VMA is gone (its PTEs zapped and tables freed by the kernel),
	 * so one full flush everywhere makes every page unreachable.
	 */
	tlbh_hw_flush_everywhere(sp);
	tlbh_pool_release(sp, &sp->quarantine);
	tlbh_pool_release(sp, &sp->pages);
	if (sp->nr_pages)
		pr_err("tlbh: space %llu lost %lu pages\n", sp->id,
		       sp->nr_pages);
	xa_destroy(&sp->pool);
	mmdrop(sp->mm);
	bitmap_free(sp->park_ok);
	free_cpumask_var(sp->targets);
	mutex_destroy(&sp->lock);
	kfree(sp);
	atomic_dec(&tlbh_spaces);
}

void tlbh_space_put(struct tlbh_space *sp)
{
	kref_put(&sp->ref, tlbh_space_release);
}

static vm_fault_t tlbh_vm_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static int tlbh_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int tlbh_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static void tlbh_vm_open(struct vm_area_struct *vma)
{
	struct tlbh_space *sp = vma->vm_private_data;

	kref_get(&sp->ref);
}

/* Called with the mmap lock held: only drops the VMA's reference. */
static void tlbh_vm_close(struct vm_area_struct *vma)
{
	tlbh_space_put(vma->vm_private_data);
}

static const struct vm_operations_struct tlbh_vm_ops = {
	.open = tlbh_vm_open,
	.close = tlbh_vm_close,
	.fault = tlbh_vm_fault,
	.may_split = tlbh_vm_may_split,
	.mremap = tlbh_vm_mremap,
};

static void tlbh_vma_set_flags(struct vm_area_struct *vma)
{
	unsigned long set = VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP |
			    VM_DONTCOPY;
	unsigned long clear = VM_MAYWRITE | VM_MAYEXEC;

#ifdef TLBH_HAVE_VM_FLAGS_MOD	/* Kbuild: the kernel has vm_flags_mod() */
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/**
 * tlbh_space_mmap - create the space of an open file
 * @tf: the open file
 * @vma: the new VMA
 *
 * Return: 0; -EBUSY if the file has a space; -EINVAL for a bad size,
 * alignment, offset or a private mapping; -EACCES for PROT_WRITE or
 * PROT_EXEC; -E2BIG over max_pages or max_spaces; -ENOMEM.
 */
int tlbh_space_mmap(struct tlbh_file *tf, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct tlbh_space *sp;

	if (!tlbh_hw_supported())
		return -EOPNOTSUPP;
	if (READ_ONCE(tf->space))
		return -EBUSY;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EACCES;
	if (!(vma->vm_flags & VM_SHARED) || vma->vm_pgoff ||
	    (vma->vm_start & (TLBH_SPACE_ALIGN - 1)) ||
	    (size & (TLBH_SPACE_ALIGN - 1)) ||
	    (vma->vm_start & PUD_MASK) != ((vma->vm_end - 1) & PUD_MASK))
		return -EINVAL;
	if ((size / 2) >> PAGE_SHIFT > tlbh_max_pages)
		return -E2BIG;
	if (atomic_inc_return(&tlbh_spaces) > tlbh_max_spaces) {
		atomic_dec(&tlbh_spaces);
		return -E2BIG;
	}
	sp = kzalloc(sizeof(*sp), GFP_KERNEL);
	if (!sp)
		goto nomem;
	sp->park_ok = bitmap_zalloc(size >> (PMD_SHIFT + 1), GFP_KERNEL);
	if (!sp->park_ok || !zalloc_cpumask_var(&sp->targets, GFP_KERNEL)) {
		bitmap_free(sp->park_ok);
		kfree(sp);
		goto nomem;
	}
	kref_init(&sp->ref);
	mutex_init(&sp->lock);
	INIT_LIST_HEAD(&sp->pages);
	INIT_LIST_HEAD(&sp->quarantine);
	xa_init(&sp->pool);
	sp->mm = vma->vm_mm;
	mmgrab(sp->mm);
	sp->base = vma->vm_start;
	sp->size = size;
	sp->data_size = size / 2;
	sp->id = (atomic_inc_return(&tlbh_space_ids) & 0x7fff) + 1;
	sp->next_trim = jiffies + HZ;	/* as init_new_context() */
	sp->policy_base = tlbh_policy_default();
	sp->policy = *sp->policy_base;
	tlbh_mm_init(&sp->engine, &sp->policy, NULL, &tlbh_hw_backend_ops, sp);
	sp->vm.engine = &sp->engine;
	sp->vm.pt_ops = &tlbh_hw_pt_ops;
	sp->vm.pt = sp;
	sp->vmas[0].start = sp->base;
	sp->vmas[0].end = sp->base + sp->data_size;
	sp->nr_vmas = 1;

	if (cmpxchg(&tf->space, NULL, sp)) {
		mmdrop(sp->mm);
		bitmap_free(sp->park_ok);
		free_cpumask_var(sp->targets);
		kfree(sp);
		atomic_dec(&tlbh_spaces);
		return -EBUSY;
	}
	kref_get(&sp->ref);		/* the VMA's */
	tlbh_vma_set_flags(vma);
	vma->vm_ops = &tlbh_vm_ops;
	vma->vm_private_data = sp;
	return 0;
nomem:
	atomic_dec(&tlbh_spaces);
	return -ENOMEM;
}

static struct vm_area_struct *tlbh_space_vma(struct tlbh_space *sp)
{
	struct vm_area_struct *vma = find_vma(sp->mm, sp->base);

	if (vma && vma->vm_start == sp->base && vma->vm_private_data == sp &&
	    vma->vm_ops == &tlbh_vm_ops)
		return vma;
	return NULL;
}

/**
 * tlbh_space_mapped - the space's VMA is still there (mmap lock held)
 * @sp: the space
 *
 * Return: true if the VMA at @sp->base is this space's mapping.
 */
bool tlbh_space_mapped(struct tlbh_space *sp)
{
	return tlbh_space_vma(sp);
}

/**
 * tlbh_space_enter - lock a space for a command
 * @sp: the space
 * @write: take the mmap lock for writing (page-table changes)
 *
 * Return: 0 with the mutex and the mmap lock held; -ENXIO when the
 * caller is not in the space's mm or the mapping is gone.
 */
int tlbh_space_enter(struct tlbh_space *sp, bool write)
{
	struct vm_area_struct *vma;

	mutex_lock(&sp->lock);
	if (current->mm != sp->mm) {
		mutex_unlock(&sp->lock);
		return -ENXIO;
	}
	if (write)
		mmap_write_lock(sp->mm);
	else
		mmap_read_lock(sp->mm);
	vma = tlbh_space_vma(sp);
	if (!vma) {
		tlbh_space_leave(sp, write);
		return -ENXIO;
	}
#ifdef TLBH_HAVE_VMA_START_WRITE	/* Kbuild: per-VMA locks exist */
	/* Keep page faults under the per-VMA lock out while tables move. */
	if (write)
		vma_start_write(vma);
#endif
	return 0;
}

void tlbh_space_leave(struct tlbh_space *sp, bool write)
{
	if (write)
		mmap_write_unlock(sp->mm);
	else
		mmap_read_unlock(sp->mm);
	mutex_unlock(&sp->lock);
}
