// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_op.c - the mm operations that drive the engine (see tlbh_op.h)
 *
 * Each driver follows the structure of the kernel function named in its
 * comment, keeping the places where flushes are issued, skipped or
 * ordered against frees, and consults the policy where history changed
 * them.  Page tables are reached only through struct tlbh_pt_ops.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>

#include "tlbh_op.h"
#include "tlbh_policy.h"

#define PAGE_BYTES	TLBH_PAGE_SIZE
#define PMD_BYTES	TLBH_PMD_SIZE

static unsigned long pmd_end(unsigned long addr, unsigned long end)
{
	unsigned long next = (addr & ~(PMD_BYTES - 1)) + PMD_BYTES;

	return min(next, end);
}

static unsigned int pte_index(unsigned long addr)
{
	return (addr >> TLBH_PAGE_SHIFT) & ((1U << (TLBH_PMD_SHIFT - TLBH_PAGE_SHIFT)) - 1);
}

static int take_lock(struct tlbh_vm *vm, enum tlbh_lock lock,
		     unsigned long addr)
{
	return vm->pt_ops->lock ? vm->pt_ops->lock(vm->pt, lock, addr) : 0;
}

static void drop_lock(struct tlbh_vm *vm, enum tlbh_lock lock,
		      unsigned long addr)
{
	if (vm->pt_ops->unlock)
		vm->pt_ops->unlock(vm->pt, lock, addr);
}

/* ------------------------------------------------------------------ */
/* Zapping (zap_pte_range, zap_huge_pmd, __unmap_hugepage_range)       */

/*
 * One PTE table'vm worth, under its PTL.  pte_none entries record
 * nothing.  A dirty file page with delayed rmap forces a flush before
 * the PTL is dropped; a full batch forces a flush and a restart.
 */
static void zap_pte_range(struct tlbh_vm *vm, struct tlbh_gather *tlb,
			  unsigned long addr, unsigned long end, bool reclaim_pt)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	struct tlbh_mm *mm = vm->engine;
	unsigned long start = addr;
	bool force_flush, force_break;
	tlbh_pte_t pte, pmd;
	bool delay;

	tlbh_change_page_size(tlb, PAGE_BYTES);
again:
	force_flush = false;
	force_break = false;
	tlbh_flush_batched_pending(mm);
	for (; addr < end; addr += PAGE_BYTES) {
		if (!pt->read_pte(vm->pt, addr))
			continue;
		pte = pt->get_and_clear_pte(vm->pt, addr);
		tlbh_track_clear(tlb, addr, PAGE_BYTES, TLBH_LEVEL_PTE);
		if (pte & TLBH_PTE_SPECIAL)
			continue;
		/*
		 * Dirty file page: flushed before the PTL drops, so that
		 * page_mkclean cannot miss a writable entry; with delayed
		 * rmap its rmap also outlives the flush.
		 */
		delay = (pte & TLBH_PTE_FILE) && (pte & TLBH_PTE_DIRTY);
		if (delay && tlbh_rule(mm, TLBH_RULE_DIRTY_FILE_FLUSH))
			force_flush = true;
		if (tlbh_remove_page(tlb, tlbh_pte_pfn(pte), PAGE_BYTES, delay)) {
			force_flush = true;
			force_break = true;
			addr += PAGE_BYTES;
			break;
		}
	}
	if (force_flush) {
		if (force_break &&
		    !tlbh_rule(mm, TLBH_RULE_BATCH_RANGE_CLEARED)) {
			/* v3.6: flush the part still to do, not the part done */
			tlb->start = addr;
			tlb->end = end;
		}
		tlbh_flush_tlbonly(tlb);
		tlbh_flush_rmaps(tlb);
	}
	/* PTL dropped here. */
	if (force_flush)
		tlbh_flush_mmu(tlb);
	if (force_break && addr < end)
		goto again;
	/*
	 * PT_RECLAIM: a madvise zap that covered the whole PTE table frees
	 * it, now empty, through the gather.  Not a table whose lock a held
	 * rmap walker holds: the kernel's zap would wait for that walker,
	 * which clears its entry in this very table; tlbh keeps the table.
	 */
	if (reclaim_pt && tlbh_rule(mm, TLBH_RULE_PT_RECLAIM) &&
	    !(start & (PMD_BYTES - 1)) && end - start == PMD_BYTES) {
		pmd = pt->read_pmd(vm->pt, start);
		if ((pmd & TLBH_PTE_TABLE) &&
		    !(vm->walker && vm->walker->walk_table == tlbh_pte_pfn(pmd))) {
			pt->write_pmd(vm->pt, start, 0);
			tlbh_free_table(tlb, TLBH_LEVEL_PTE, tlbh_pte_pfn(pmd),
					start);
		}
	}
}

/* A PMD-level leaf (hugetlb page or THP), only when fully covered. */
static void zap_huge_pmd(struct tlbh_vm *vm, struct tlbh_gather *tlb,
			 unsigned long addr, unsigned long end)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	tlbh_pte_t pmd;

	if ((addr & (PMD_BYTES - 1)) || end - addr < PMD_BYTES)
		return;
	tlbh_change_page_size(tlb, PMD_BYTES);
	pmd = pt->read_pmd(vm->pt, addr);
	pt->write_pmd(vm->pt, addr, 0);
	tlbh_track_clear(tlb, addr, PMD_BYTES, TLBH_LEVEL_PMD);
	if (!(pmd & TLBH_PTE_SPECIAL) &&
	    tlbh_remove_page(tlb, tlbh_pte_pfn(pmd), PMD_BYTES, false))
		tlbh_flush_mmu(tlb);
}

/*
 * unmap_single_vma: tlb_start_vma, the page-table walk, tlb_end_vma.
 * @reclaim_pt: a madvise zap, which may free emptied PTE tables.
 */
static void zap_vma(struct tlbh_vm *vm, struct tlbh_gather *tlb,
		    struct tlbh_vma *vma, unsigned long start,
		    unsigned long end, bool reclaim_pt)
{
	unsigned long addr, next;
	tlbh_pte_t pmd;

	start = max(start, vma->start);
	end = min(end, vma->end);
	if (start >= end)
		return;
	tlbh_start_vma(tlb, vma);
	for (addr = start; addr < end; addr = next) {
		next = pmd_end(addr, end);
		pmd = vm->pt_ops->read_pmd(vm->pt, addr);
		if (!pmd)
			continue;
		if (pmd & TLBH_PTE_HUGE)
			zap_huge_pmd(vm, tlb, addr, next);
		else
			zap_pte_range(vm, tlb, addr, next, reclaim_pt);
	}
	tlbh_end_vma(tlb, vma);
}

/**
 * tlbh_vmas_hugetlb - does any of the VMAs map hugetlb pages
 * @vmas: VMAs
 * @nr: number of VMAs
 *
 * Return: true if one of them needs the hugetlb VMA lock to be zapped.
 */
bool tlbh_vmas_hugetlb(const struct tlbh_vma *vmas, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (vmas[i].flags & TLBH_VM_HUGETLB)
			return true;
	return false;
}

/**
 * tlbh_op_zap_begin - zap a range, leave the gather open
 * @op: operation state
 * @vm: address space
 * @vmas: VMAs covering the range
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 *
 * zap_page_range_single / madvise(MADV_DONTNEED).  For hugetlb VMAs the
 * hugetlb VMA lock is taken first (hugetlb_zap_begin); whether it is
 * dropped before or after the flush is the policy'vm choice.
 *
 * Return: 0, or -EAGAIN if the hugetlb VMA lock is held elsewhere.
 */
int tlbh_op_zap_begin(struct tlbh_op *op, struct tlbh_vm *vm,
		      struct tlbh_vma *vmas, unsigned int nr,
		      unsigned long start, unsigned long end)
{
	struct tlbh_mm *mm = vm->engine;

	op->vm = vm;
	op->vmas = vmas;
	op->nr_vmas = nr;
	op->hugetlb_locked = false;
	op->zapped = 0;
	if (tlbh_vmas_hugetlb(vmas, nr)) {
		if (take_lock(vm, TLBH_LOCK_HUGETLB_VMA, start))
			return -EAGAIN;
		op->hugetlb_locked = true;
	}
	tlbh_gather(&op->tlb, mm, false);
	tlbh_op_zap_more(op, vmas, nr, start, end);

	if (op->hugetlb_locked &&
	    !tlbh_rule(mm, TLBH_RULE_HUGETLB_FLUSH_FIRST)) {
		/* hugetlb_zap_end before the flush and free */
		if (op->tlb.local.nr)
			tlbh_report(mm, TLBH_VIOL_HUGETLB_ORDER, start,
				    "hugetlb VMA lock dropped with pages unfreed");
		drop_lock(vm, TLBH_LOCK_HUGETLB_VMA, start);
		op->hugetlb_locked = false;
	}
	return 0;
}

/**
 * tlbh_op_zap_more - zap one more range into an open zap
 * @op: operation state from tlbh_op_zap_begin()
 * @vmas: VMAs covering the range, none of them hugetlb
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 *
 * process_madvise(MADV_DONTNEED).  Since 7.2 (madv_gather_per_call)
 * every range and VMA of the call shares the gather, so its range
 * tracking merges them and one flush at tlbh_op_zap_end() covers them
 * all; before, every VMA of every range had a gather of its own, which
 * is finished before the next VMA is zapped.  Hugetlb VMAs need their own
 * gather and VMA lock; the caller zaps them separately.  A zap of a
 * PFNMAP VMA is a driver's (unmap_mapping_range), the others madvise's,
 * which may free PTE tables they emptied (pt_reclaim).
 */
void tlbh_op_zap_more(struct tlbh_op *op, struct tlbh_vma *vmas,
		      unsigned int nr, unsigned long start, unsigned long end)
{
	struct tlbh_mm *mm = op->vm->engine;
	bool per_call = tlbh_rule(mm, TLBH_RULE_MADV_GATHER_PER_CALL);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (max(start, vmas[i].start) >= min(end, vmas[i].end))
			continue;
		if (!per_call && op->zapped) {
			tlbh_finish(&op->tlb);
			tlbh_gather(&op->tlb, mm, false);
		}
		zap_vma(op->vm, &op->tlb, &vmas[i], start, end,
			!(vmas[i].flags & TLBH_VM_PFNMAP));
		op->zapped++;
	}
}

/**
 * tlbh_op_zap_end - finish a zap: flush, free, drop the hugetlb lock
 * @op: operation state from tlbh_op_zap_begin()
 */
void tlbh_op_zap_end(struct tlbh_op *op)
{
	tlbh_finish(&op->tlb);
	if (op->hugetlb_locked) {
		drop_lock(op->vm, TLBH_LOCK_HUGETLB_VMA, 0);
		op->hugetlb_locked = false;
	}
}

/**
 * tlbh_op_zap - zap a range (both halves)
 * @vm: address space
 * @vmas: VMAs covering the range
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 *
 * Return: 0, or -EAGAIN if the hugetlb VMA lock is held elsewhere.
 */
int tlbh_op_zap(struct tlbh_vm *vm, struct tlbh_vma *vmas, unsigned int nr,
		unsigned long start, unsigned long end)
{
	struct tlbh_op op;
	int ret;

	ret = tlbh_op_zap_begin(&op, vm, vmas, nr, start, end);
	if (!ret)
		tlbh_op_zap_end(&op);
	return ret;
}

/* ------------------------------------------------------------------ */
/* munmap and exit (unmap_region, free_pgtables, exit_mmap)             */

/*
 * free_pgd_range(): free the page tables of [addr, end) that nothing else
 * can need.  A PTE table goes when no VMA left below @floor or at and
 * above @ceiling touches its 2 MiB, a PMD table when none touches its
 * 1 GiB, a PUD table when none touches its 512 GiB (4-level paging; the
 * upper levels only where the page tables can free them, pt_ops
 * upper_table).  @ceiling 0 is the top of the address space.  The
 * comparisons are the kernel's, wrapping included: end - 1 > ceiling - 1
 * is "end is above ceiling, or there is no ceiling".
 */
#define PUD_BYTES	BIT(TLBH_PUD_SHIFT)
#define P4D_BYTES	BIT(TLBH_P4D_SHIFT)

static bool table_freeable(unsigned long start, unsigned long end,
			   unsigned long floor, unsigned long ceiling,
			   unsigned long size)
{
	start &= ~(size - 1);
	if (start < floor)
		return false;
	if (ceiling) {
		ceiling &= ~(size - 1);
		if (!ceiling)
			return false;
	}
	return !(end - 1 > ceiling - 1);
}

static void free_upper(struct tlbh_vm *vm, struct tlbh_gather *tlb,
		       enum tlbh_level level, unsigned long addr)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	unsigned long table;

	if (!pt->upper_table)
		return;
	table = pt->upper_table(vm->pt, level, addr);
	if (!table)
		return;
	pt->unhook_upper(vm->pt, level, addr);
	tlbh_free_table(tlb, level, table, addr);
}

/* free_pmd_range(): the PTE tables of one 1 GiB, then maybe its PMD table. */
static void free_pmd_range(struct tlbh_vm *vm, struct tlbh_gather *tlb,
			   unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr;
	tlbh_pte_t pmd;

	for (; addr < end; addr = pmd_end(addr, end)) {
		pmd = vm->pt_ops->read_pmd(vm->pt, addr);
		if (!(pmd & TLBH_PTE_TABLE))
			continue;
		vm->pt_ops->write_pmd(vm->pt, addr, 0);
		tlbh_free_table(tlb, TLBH_LEVEL_PTE, tlbh_pte_pfn(pmd), addr);
	}
	if (table_freeable(start, end, floor, ceiling, PUD_BYTES))
		free_upper(vm, tlb, TLBH_LEVEL_PMD, start & ~(PUD_BYTES - 1));
}

/* free_pud_range(): the 1 GiB regions of one 512 GiB, then its PUD table. */
static void free_pud_range(struct tlbh_vm *vm, struct tlbh_gather *tlb,
			   unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr, next;

	for (; addr < end; addr = next) {
		next = min((addr & ~(PUD_BYTES - 1)) + PUD_BYTES, end);
		free_pmd_range(vm, tlb, addr, next, floor, ceiling);
	}
	if (table_freeable(start, end, floor, ceiling, P4D_BYTES))
		free_upper(vm, tlb, TLBH_LEVEL_PUD, start & ~(P4D_BYTES - 1));
}

static void free_pgd_range(struct tlbh_vm *vm, struct tlbh_gather *tlb,
			   unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	unsigned long next;

	addr &= ~(PMD_BYTES - 1);
	if (addr < floor) {
		addr += PMD_BYTES;
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= ~(PMD_BYTES - 1);
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= PMD_BYTES;
	if (addr > end - 1)
		return;
	for (; addr < end; addr = next) {
		next = min((addr & ~(P4D_BYTES - 1)) + P4D_BYTES, end);
		free_pud_range(vm, tlb, addr, next, floor, ceiling);
	}
}

/*
 * free_pgtables(): tlb_free_vmas, then per group of removed VMAs (a VMA
 * and those that start within 2 MiB of its end; hugetlb VMAs alone):
 * unlink them, free the page tables of the group up to the next group.
 * The removed VMAs are the parts of @vmas inside [start, end).
 */
static void free_pgtables(struct tlbh_vm *vm, struct tlbh_gather *tlb,
			  struct tlbh_vma *vmas, unsigned int nr,
			  unsigned long start, unsigned long end,
			  unsigned long floor, unsigned long ceiling)
{
	unsigned int i, j;
	unsigned long lo, hi;

	/* pfnmap_first_vma: only the first VMA's flags are looked at. */
	if (!tlbh_rule(vm->engine, TLBH_RULE_PFNMAP_FIRST_VMA) ||
	    (nr && (vmas[0].flags & (TLBH_VM_PFNMAP | TLBH_VM_MIXEDMAP))))
		tlbh_free_vmas(tlb);
	for (i = 0; i < nr; i = j) {
		lo = max(start, vmas[i].start);
		hi = min(end, vmas[i].end);
		for (j = i + 1; j < nr && !(vmas[i].flags & TLBH_VM_HUGETLB) &&
		     !(vmas[j].flags & TLBH_VM_HUGETLB) &&
		     max(start, vmas[j].start) <= hi + PMD_BYTES; j++)
			hi = min(end, vmas[j].end);
		for (; i < j; i++) {
			tlbh_unlink_vma(tlb, &vmas[i]);
			if (vm->pt_ops->unlink_vma)
				vm->pt_ops->unlink_vma(vm->pt, &vmas[i]);
		}
		free_pgd_range(vm, tlb, lo, hi, floor,
			       j < nr ? max(start, vmas[j].start) : ceiling);
	}
}

/**
 * tlbh_op_unmap_bounds - floor and ceiling of a munmap over harness VMAs
 * @vmas: all VMAs of the address space, sorted
 * @nr: number of @vmas
 * @first: index of the first VMA the munmap meets
 * @n: number of VMAs it meets
 * @start: first address of the munmap
 * @end: its end
 * @low: floor when no VMA stays below (the lowest address tables may be
 *	freed from)
 * @high: ceiling when no VMA stays above (0: the top)
 * @floor: out: end of what stays below (@start when the first VMA is
 *	split)
 * @ceiling: out: start of what stays above (@end when the last is split)
 */
void tlbh_op_unmap_bounds(const struct tlbh_vma *vmas, unsigned int nr,
			  unsigned int first, unsigned int n,
			  unsigned long start, unsigned long end,
			  unsigned long low, unsigned long high,
			  unsigned long *floor, unsigned long *ceiling)
{
	if (vmas[first].start < start)
		*floor = start;
	else
		*floor = first ? vmas[first - 1].end : low;
	if (vmas[first + n - 1].end > end)
		*ceiling = end;
	else
		*ceiling = first + n < nr ? vmas[first + n].start : high;
}

/**
 * tlbh_op_munmap_begin - unmap VMAs, leave the final flush pending
 * @op: operation state
 * @vm: address space
 * @vmas: the VMAs being removed (already detached by the caller)
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 * @floor: end of the VMA that stays below the range (@start when the
 *	first VMA is split there), 0 when none
 * @ceiling: start of the VMA that stays above the range (@end when the
 *	last VMA is split there), 0 (the top) when none
 *
 * Everything up to tlb_finish_mmu: zap, tlb_free_vmas, unlink, free
 * page tables.  Another thread that looks the VMAs up after this call
 * no longer finds them.
 */
void tlbh_op_munmap_begin(struct tlbh_op *op, struct tlbh_vm *vm,
			  struct tlbh_vma *vmas, unsigned int nr,
			  unsigned long start, unsigned long end,
			  unsigned long floor, unsigned long ceiling)
{
	unsigned int i;

	op->vm = vm;
	op->vmas = vmas;
	op->nr_vmas = nr;
	op->hugetlb_locked = false;
	tlbh_gather(&op->tlb, vm->engine, false);
	for (i = 0; i < nr; i++)
		zap_vma(vm, &op->tlb, &vmas[i], start, end, false);
	free_pgtables(vm, &op->tlb, vmas, nr, start, end, floor, ceiling);
}

/**
 * tlbh_op_munmap_end - the final flush and frees of a munmap
 * @op: operation state from tlbh_op_munmap_begin()
 */
void tlbh_op_munmap_end(struct tlbh_op *op)
{
	tlbh_finish(&op->tlb);
}

/**
 * tlbh_op_munmap - unmap VMAs (both halves)
 * @vm: address space
 * @vmas: the VMAs being removed
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 * @floor: as for tlbh_op_munmap_begin()
 * @ceiling: as for tlbh_op_munmap_begin()
 */
void tlbh_op_munmap(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		    unsigned int nr, unsigned long start, unsigned long end,
		    unsigned long floor, unsigned long ceiling)
{
	struct tlbh_op op;

	tlbh_op_munmap_begin(&op, vm, vmas, nr, start, end, floor, ceiling);
	tlbh_op_munmap_end(&op);
}

/**
 * tlbh_op_exit - tear the address space down (exit_mmap)
 * @vm: address space
 * @vmas: all VMAs
 * @nr: number of VMAs
 */
void tlbh_op_exit(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		  unsigned int nr)
{
	struct tlbh_gather tlb;
	unsigned int i;

	tlbh_gather(&tlb, vm->engine, true);
	for (i = 0; i < nr; i++)
		zap_vma(vm, &tlb, &vmas[i], vmas[i].start, vmas[i].end, false);
	free_pgtables(vm, &tlb, vmas, nr, 0, TLBH_FLUSH_ALL, 0, 0);
	tlbh_finish(&tlb);
}

/* ------------------------------------------------------------------ */
/* Reclaim (try_to_unmap_one, shrink_folio_list)                        */

/**
 * tlbh_op_reclaim_walk - rmap walk to the PTE of a page
 * @r: reclaimer
 * @vm: address space
 * @vma: VMA mapping the page
 * @addr: address of the page in @vma
 *
 * Takes the rmap lock and remembers the PTE table; the lock is held
 * until tlbh_op_reclaim_unmap().
 *
 * Return: 0; -EAGAIN if the rmap lock is busy; -ENOENT if nothing is
 * mapped there or the mapping has no page (PFN, hugetlb).
 */
int tlbh_op_reclaim_walk(struct tlbh_reclaim *r, struct tlbh_vm *vm,
			 struct tlbh_vma *vma, unsigned long addr)
{
	tlbh_pte_t pmd, pte;

	if (vma->flags & (TLBH_VM_PFNMAP | TLBH_VM_MIXEDMAP | TLBH_VM_HUGETLB))
		return -ENOENT;
	pmd = vm->pt_ops->read_pmd(vm->pt, addr);
	pte = vm->pt_ops->read_pte(vm->pt, addr);
	if (!(pmd & TLBH_PTE_TABLE) || !pte || (pte & TLBH_PTE_SPECIAL))
		return -ENOENT;
	if (take_lock(vm, TLBH_LOCK_RMAP, addr))
		return -EAGAIN;
	r->vm = vm;
	r->walk_addr = addr;
	r->walk_table = tlbh_pte_pfn(pmd);
	r->walk_vma = vma;
	r->walking = true;
	vm->walker = r;
	return 0;
}

static void reclaim_hold(struct tlbh_reclaim *r, unsigned long pfn)
{
	struct tlbh_mm *mm = r->vm->engine;

	if (r->nr == TLBH_RECLAIM_MAX_PAGES)
		tlbh_op_reclaim_flush(r);
	if (WARN_ON_ONCE(r->nr == TLBH_RECLAIM_MAX_PAGES)) {
		mm->ops->free_page(mm->priv, pfn, false);
		return;
	}
	r->pfns[r->nr++] = pfn;
}

/**
 * tlbh_op_reclaim_unmap - clear the PTE the walk found
 * @r: reclaimer after tlbh_op_reclaim_walk()
 * @batch_flush: TTU_BATCH_FLUSH: defer the flush when allowed
 *
 * The entry is cleared through the table the walk found, and the flush
 * names the address the walk found: if the table moved meanwhile, both
 * are stale (mremap without rmap locks).  Deferred pages wait for
 * tlbh_op_reclaim_flush(); under LUF, clean read-only pages are freed at
 * once and the flush is owed to their reuse.
 *
 * Return: 0, -ENOENT if the entry went away, or -EBUSY for a lazyfree
 * page written since (mapped back, kept).
 */
int tlbh_op_reclaim_unmap(struct tlbh_reclaim *r, bool batch_flush)
{
	struct tlbh_vm *vm = r->vm;
	struct tlbh_mm *mm = vm->engine;
	unsigned long addr = r->walk_addr;
	tlbh_pte_t pte;
	int ret = 0;

	if (!r->walking)
		return -ENOENT;
	pte = vm->pt_ops->clear_pte_in_table(vm->pt, r->walk_table,
					    pte_index(addr));
	if (!pte) {
		ret = -ENOENT;
	} else if (tlbh_rule(mm, TLBH_RULE_LUF) &&
		   !(pte & (TLBH_PTE_WRITE | TLBH_PTE_DIRTY))) {
		tlbh_luf_defer(mm, r->walk_vma);
		mm->ops->free_page(mm->priv, tlbh_pte_pfn(pte), true);
	} else {
		/*
		 * A lazyfree page written since MADV_FREE: try_to_unmap_one
		 * clears the entry (and defers or sends its flush) as for any
		 * page, then finds the folio redirtied, maps it back swap-
		 * backed again and fails: the page stays, nothing is freed.
		 */
		bool keep = (pte & TLBH_PTE_LAZYFREE) && (pte & TLBH_PTE_DIRTY);

		if (tlbh_should_defer_flush(mm, batch_flush)) {
			tlbh_reclaim_defer(mm, &r->batch, pte & TLBH_PTE_DIRTY);
			if (!keep)
				reclaim_hold(r, tlbh_pte_pfn(pte));
		} else {
			/*
			 * Not deferred: 6.x ptep_clear_flush, a flush_tlb_page
			 * at the walked address; 7.2 flush_tlb_range, lazy CPUs
			 * included.
			 */
			tlbh_flush_tlb_range(mm, addr, addr + PAGE_BYTES,
					     TLBH_PAGE_SHIFT,
					     tlbh_rule(mm, TLBH_RULE_RECLAIM_FLUSH_RANGE),
					     "clear-flush");
			if (!keep)
				mm->ops->free_page(mm->priv, tlbh_pte_pfn(pte), false);
		}
		if (keep) {
			vm->pt_ops->write_pte(vm->pt, addr, pte & ~TLBH_PTE_LAZYFREE);
			ret = -EBUSY;
		}
	}
	r->walking = false;
	vm->walker = NULL;
	drop_lock(vm, TLBH_LOCK_RMAP, addr);
	return ret;
}

/**
 * tlbh_op_reclaim - walk and unmap one page
 * @r: reclaimer
 * @vm: address space
 * @vma: VMA mapping the page
 * @addr: address of the page
 * @batch_flush: TTU_BATCH_FLUSH
 *
 * Return: as tlbh_op_reclaim_walk() and tlbh_op_reclaim_unmap().
 */
int tlbh_op_reclaim(struct tlbh_reclaim *r, struct tlbh_vm *vm,
		    struct tlbh_vma *vma, unsigned long addr, bool batch_flush)
{
	int ret = tlbh_op_reclaim_walk(r, vm, vma, addr);

	return ret ? ret : tlbh_op_reclaim_unmap(r, batch_flush);
}

/**
 * tlbh_op_reclaim_flush - try_to_unmap_flush, then free the held pages
 * @r: reclaimer
 */
void tlbh_op_reclaim_flush(struct tlbh_reclaim *r)
{
	struct tlbh_mm *mm;
	unsigned int i;

	if (!r->vm)
		return;
	mm = r->vm->engine;
	tlbh_reclaim_flush(mm, &r->batch);
	for (i = 0; i < r->nr; i++)
		mm->ops->free_page(mm->priv, r->pfns[i], false);
	r->nr = 0;
}

/* ------------------------------------------------------------------ */
/* MADV_FREE and MADV_PAGEOUT (madvise_free_pte_range, madvise_cold_or_  */
/* pageout_pte_range)                                                   */

/*
 * MADV_FREE: per PTE table (after the deferred reclaim flush), every
 * present anonymous page that is young or dirty is made old and clean,
 * and its entry recorded for the flush; pages already old and clean add
 * nothing.  Every one becomes lazyfree (TLBH_PTE_LAZYFREE), which
 * reclaim reads.  Nothing is freed.  The gathers are madvise's (one per call
 * from 7.2, one per VMA before).
 */
static void madv_free_vma(struct tlbh_vm *vm, struct tlbh_gather *tlb,
			  struct tlbh_vma *vma, unsigned long start,
			  unsigned long end)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	unsigned long addr, next;
	tlbh_pte_t pte;

	tlbh_start_vma(tlb, vma);
	for (addr = start; addr < end; addr = next) {
		next = pmd_end(addr, end);
		if (!(pt->read_pmd(vm->pt, addr) & TLBH_PTE_TABLE))
			continue;
		tlbh_flush_batched_pending(vm->engine);
		for (; addr < next; addr += PAGE_BYTES) {
			pte = pt->read_pte(vm->pt, addr);
			if (!pte || (pte & (TLBH_PTE_SPECIAL | TLBH_PTE_FILE)))
				continue;
			/* folio_mark_lazyfree(), whatever the entry's bits */
			if (!(pte & (TLBH_PTE_YOUNG | TLBH_PTE_DIRTY))) {
				if (!(pte & TLBH_PTE_LAZYFREE))
					pt->write_pte(vm->pt, addr,
						      pte | TLBH_PTE_LAZYFREE);
				continue;
			}
			pt->get_and_clear_pte(vm->pt, addr);
			pt->write_pte(vm->pt, addr,
				      (pte & ~(TLBH_PTE_YOUNG | TLBH_PTE_DIRTY)) |
				      TLBH_PTE_LAZYFREE);
			tlbh_track_clear(tlb, addr, PAGE_BYTES, TLBH_LEVEL_PTE);
		}
	}
	tlbh_end_vma(tlb, vma);
}

/**
 * tlbh_op_madv_free - madvise(MADV_FREE)
 * @vm: address space
 * @vmas: the VMAs the range meets
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 */
void tlbh_op_madv_free(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		       unsigned int nr, unsigned long start, unsigned long end)
{
	bool per_call = tlbh_rule(vm->engine, TLBH_RULE_MADV_GATHER_PER_CALL);
	struct tlbh_gather tlb;
	unsigned int i, done = 0;

	tlbh_gather(&tlb, vm->engine, false);
	for (i = 0; i < nr; i++) {
		unsigned long lo = max(start, vmas[i].start);
		unsigned long hi = min(end, vmas[i].end);

		if (lo >= hi || (vmas[i].flags & (TLBH_VM_PFNMAP |
						  TLBH_VM_HUGETLB)))
			continue;
		if (!per_call && done++) {
			tlbh_finish(&tlb);
			tlbh_gather(&tlb, vm->engine, false);
		}
		madv_free_vma(vm, &tlb, &vmas[i], lo, hi);
	}
	tlbh_finish(&tlb);
}

/* shrink_folio_list()'s folio_batch of folios to free (PAGEVEC_SIZE) */
#define TLBH_RECLAIM_FREE_BATCH	31

/*
 * MADV_PAGEOUT, one VMA in its own gather (in every release): per PTE
 * table, after the deferred reclaim flush, young entries are made old
 * and recorded for the gather's flush (pageout_ages_young, 6.1; from
 * 6.12 only MADV_COLD ages them and the gather stays empty), and the
 * table's pages are reclaimed once its PTL is dropped: try_to_unmap
 * with TTU_BATCH_FLUSH, the batch flushed before a dirty page is
 * written out, and at the end before the pages are freed; from 6.12
 * (reclaim_free_batch) also whenever the batch of folios to free fills
 * (shrink_folio_list frees through a folio_batch of 31; 6.1 keeps a
 * list).  The next PTE table then finds the reclaim flush owed
 * (flush_tlb_batched_pending).
 */
static void pageout_vma(struct tlbh_vm *vm, struct tlbh_reclaim *r,
			struct tlbh_vma *vma, unsigned long start,
			unsigned long end)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	bool age = tlbh_rule(vm->engine, TLBH_RULE_PAGEOUT_AGES_YOUNG);
	bool free_batch = tlbh_rule(vm->engine, TLBH_RULE_RECLAIM_FREE_BATCH);
	unsigned long addr, next, table_start;
	unsigned int freed;
	struct tlbh_gather tlb;
	tlbh_pte_t pte;

	tlbh_gather(&tlb, vm->engine, false);
	tlbh_start_vma(&tlb, vma);
	for (addr = start; addr < end; addr = next) {
		next = pmd_end(addr, end);
		if (!(pt->read_pmd(vm->pt, addr) & TLBH_PTE_TABLE))
			continue;
		tlbh_flush_batched_pending(vm->engine);
		table_start = addr;
		for (; age && addr < next; addr += PAGE_BYTES) {
			pte = pt->read_pte(vm->pt, addr);
			if (!pte || (pte & TLBH_PTE_SPECIAL) ||
			    !(pte & TLBH_PTE_YOUNG))
				continue;
			pt->get_and_clear_pte(vm->pt, addr);
			pt->write_pte(vm->pt, addr, pte & ~TLBH_PTE_YOUNG);
			tlbh_track_clear(&tlb, addr, PAGE_BYTES, TLBH_LEVEL_PTE);
		}
		/*
		 * PTL dropped: reclaim_pages() on what the walk isolated.  A
		 * folio goes to writeback dirty (an anonymous one is dirtied
		 * by add_to_swap), and shrink_folio_list first flushes the
		 * batch if it holds a dirty entry, so that no CPU writes to the
		 * page once I/O started: one batch flush per dirty page.  A
		 * lazyfree page is not written: discarded while clean, mapped
		 * back and kept once written again (its cleared entry still
		 * leaves the batch dirty for the next page written out).
		 */
		freed = 0;
		for (addr = table_start; addr < next; addr += PAGE_BYTES) {
			pte = pt->read_pte(vm->pt, addr);
			if (!pte || (pte & TLBH_PTE_SPECIAL) ||
			    tlbh_op_reclaim(r, vm, vma, addr, true))
				continue;
			/* A clean lazyfree page is discarded, not written. */
			if (!(pte & TLBH_PTE_LAZYFREE))
				tlbh_reclaim_flush_dirty(vm->engine, &r->batch);
			if (free_batch && ++freed == TLBH_RECLAIM_FREE_BATCH) {
				tlbh_op_reclaim_flush(r);
				freed = 0;
			}
		}
		tlbh_op_reclaim_flush(r);
	}
	tlbh_end_vma(&tlb, vma);
	tlbh_finish(&tlb);
}

/**
 * tlbh_op_pageout - madvise(MADV_PAGEOUT)
 * @vm: address space
 * @r: the reclaimer (the task's deferred-flush batch)
 * @vmas: the VMAs the range meets
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 */
void tlbh_op_pageout(struct tlbh_vm *vm, struct tlbh_reclaim *r,
		     struct tlbh_vma *vmas, unsigned int nr,
		     unsigned long start, unsigned long end)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		unsigned long lo = max(start, vmas[i].start);
		unsigned long hi = min(end, vmas[i].end);

		if (lo < hi && !(vmas[i].flags & (TLBH_VM_PFNMAP |
						  TLBH_VM_HUGETLB)))
			pageout_vma(vm, r, &vmas[i], lo, hi);
	}
}

/* ------------------------------------------------------------------ */
/* mprotect and clear_refs                                              */

/*
 * x86 pte_needs_flush(): a present entry whose change a CPU could still
 * see through a cached translation: another page, or write access taken
 * away or given (either direction flushes on x86).
 */
static bool pte_needs_flush(tlbh_pte_t old, tlbh_pte_t new)
{
	if (!(old & TLBH_PTE_PRESENT))
		return false;
	if (tlbh_pte_pfn(old) != tlbh_pte_pfn(new) || !(new & TLBH_PTE_PRESENT))
		return true;
	return (old ^ new) & TLBH_PTE_WRITE;
}

/**
 * tlbh_op_mprotect - change protection of a range (change_protection)
 * @vm: address space
 * @vmas: the VMAs the range meets
 * @nr: number of VMAs
 * @start: first address
 * @end: end address
 * @writable: new protection: read-write or read-only
 *
 * One gather for the whole call, as mprotect() has since 6.1.  Per PTE
 * table a deferred reclaim flush is paid first; every entry whose change
 * needs a flush (pte_needs_flush) widens the gather, and tlb_finish_mmu
 * flushes what was recorded: the span of the changed entries, nothing
 * when none changed.
 */
void tlbh_op_mprotect(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		      unsigned int nr, unsigned long start, unsigned long end,
		      bool writable)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	unsigned long addr, next, lo, hi;
	struct tlbh_gather tlb;
	tlbh_pte_t pte, new;
	unsigned int i;

	tlbh_gather(&tlb, vm->engine, false);
	for (i = 0; i < nr; i++) {
		lo = max(start, vmas[i].start);
		hi = min(end, vmas[i].end);
		if (lo >= hi)
			continue;
		tlbh_start_vma(&tlb, &vmas[i]);
		for (addr = lo; addr < hi; addr = next) {
			next = pmd_end(addr, hi);
			if (!(pt->read_pmd(vm->pt, addr) & TLBH_PTE_TABLE))
				continue;
			tlbh_flush_batched_pending(vm->engine);
			for (; addr < next; addr += PAGE_BYTES) {
				pte = pt->read_pte(vm->pt, addr);
				if (!pte)
					continue;
				new = writable ? pte | TLBH_PTE_WRITE :
						 pte & ~TLBH_PTE_WRITE;
				if (new == pte)
					continue;
				pt->get_and_clear_pte(vm->pt, addr);
				pt->write_pte(vm->pt, addr, new);
				if (pte_needs_flush(pte, new))
					tlbh_track_clear(&tlb, addr, PAGE_BYTES,
							 TLBH_LEVEL_PTE);
			}
		}
		tlbh_end_vma(&tlb, &vmas[i]);
	}
	tlbh_finish(&tlb);
}

/**
 * tlbh_op_clear_refs - clear soft-dirty bits (clear_refs_write type 4)
 * @vm: address space
 * @vmas: VMAs to walk
 * @nr: number of VMAs
 *
 * Write-protects every present PTE so that the next write is seen.
 * Upstream flushes the whole mm afterwards.  Under the 2020 code the
 * walk ran inside a gather that recorded nothing, so the gather'vm early
 * return skipped the flush.
 */
void tlbh_op_clear_refs(struct tlbh_vm *vm, struct tlbh_vma *vmas,
			unsigned int nr)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	bool flush_mm = tlbh_rule(vm->engine, TLBH_RULE_SOFT_DIRTY_FLUSH);
	struct tlbh_gather tlb;
	unsigned long addr, changed = 0;
	unsigned int i;
	tlbh_pte_t pte;

	if (flush_mm)
		tlbh_inc_flush_pending(vm->engine);
	else
		tlbh_gather(&tlb, vm->engine, false);
	for (i = 0; i < nr; i++) {
		if (vmas[i].flags & (TLBH_VM_PFNMAP | TLBH_VM_HUGETLB))
			continue;
		for (addr = vmas[i].start; addr < vmas[i].end;
		     addr += PAGE_BYTES) {
			pte = pt->read_pte(vm->pt, addr);
			if (!pte || !(pte & (TLBH_PTE_WRITE | TLBH_PTE_SOFT_DIRTY)))
				continue;
			pt->get_and_clear_pte(vm->pt, addr);
			pt->write_pte(vm->pt, addr,
				    pte & ~(TLBH_PTE_WRITE | TLBH_PTE_SOFT_DIRTY));
			if (pte & TLBH_PTE_WRITE)
				changed++;
		}
	}
	if (flush_mm) {
		tlbh_flush_tlb_mm(vm->engine, "clear-refs");
		tlbh_dec_flush_pending(vm->engine);
		return;
	}
	if (changed && !tlbh_needs_flush(&tlb))
		tlbh_report(vm->engine, TLBH_VIOL_SOFT_DIRTY, 0,
			    "PTEs write-protected, gather recorded nothing");
	tlbh_finish(&tlb);
}

/* ------------------------------------------------------------------ */
/* mremap (move_ptes, move_normal_pmd)                                  */

/**
 * tlbh_op_move_ptes - move PTEs to a new address (move_ptes)
 * @vm: address space
 * @vma: the VMA (the caller moves it)
 * @old_addr: source address
 * @new_addr: destination address
 * @len: bytes, not crossing a PMD on either side
 *
 * Under both PTLs: pay a deferred reclaim flush, move the entries, and
 * flush the old range before the PTLs drop if any entry was present
 * (flush_tlb_range: lazy CPUs included); the page is moved, not freed,
 * so the PTL is its lifetime boundary.
 */
void tlbh_op_move_ptes(struct tlbh_vm *vm, struct tlbh_vma *vma,
		       unsigned long old_addr, unsigned long new_addr,
		       unsigned long len)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	bool force_flush = false;
	unsigned long off;
	tlbh_pte_t pte;

	tlbh_flush_batched_pending(vm->engine);
	for (off = 0; off < len; off += PAGE_BYTES) {
		if (!pt->read_pte(vm->pt, old_addr + off))
			continue;
		pte = pt->get_and_clear_pte(vm->pt, old_addr + off);
		force_flush = true;
		pt->write_pte(vm->pt, new_addr + off, pte);
	}
	if (force_flush)
		tlbh_flush_tlb_range(vm->engine, old_addr, old_addr + len,
				     TLBH_PAGE_SHIFT, true, "mremap-ptes");
}

/**
 * tlbh_op_move_pmd - move a whole PTE table (move_normal_pmd)
 * @vm: address space
 * @vma: the VMA (the caller moves it)
 * @old_addr: PMD-aligned source
 * @new_addr: PMD-aligned destination, with an empty PMD entry
 *
 * Upstream takes the rmap locks first, so no rmap walk can be between
 * finding an entry and clearing it while the table moves.  The move is
 * flushed for the old range under the PMD lock.
 *
 * Return: 0; -EAGAIN if the rmap lock is busy (upstream); -EINVAL if
 * there is no table to move or the destination is in use.
 */
int tlbh_op_move_pmd(struct tlbh_vm *vm, struct tlbh_vma *vma,
		     unsigned long old_addr, unsigned long new_addr)
{
	const struct tlbh_pt_ops *pt = vm->pt_ops;
	bool rmap_locks = tlbh_rule(vm->engine, TLBH_RULE_MREMAP_RMAP_LOCK);
	tlbh_pte_t pmd;

	pmd = pt->read_pmd(vm->pt, old_addr);
	if (!(pmd & TLBH_PTE_TABLE) || pt->read_pmd(vm->pt, new_addr))
		return -EINVAL;
	if (take_lock(vm, TLBH_LOCK_RMAP, old_addr)) {
		if (rmap_locks)
			return -EAGAIN;
		tlbh_report(vm->engine, TLBH_VIOL_MREMAP_RMAP, old_addr,
			    "PTE table moved under a running rmap walk");
	} else if (!rmap_locks) {
		drop_lock(vm, TLBH_LOCK_RMAP, old_addr);
	}
	pt->write_pmd(vm->pt, old_addr, 0);
	tlbh_flush_tlb_range(vm->engine, old_addr, old_addr + PMD_BYTES,
			     TLBH_PAGE_SHIFT, true, "mremap-pmd");
	pt->write_pmd(vm->pt, new_addr, pmd);
	if (rmap_locks)
		drop_lock(vm, TLBH_LOCK_RMAP, old_addr);
	return 0;
}
