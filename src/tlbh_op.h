/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_op.h - mm-level operations driving the engine like the kernel
 *
 * The drivers here walk page tables and call the engine in the order
 * the kernel'vm mm code does: zap_pte_range (madvise, munmap, exit),
 * free_pgtables, try_to_unmap_one with the deferred reclaim batch or
 * LUF, change_protection, clear_refs soft-dirty, move_ptes and
 * move_normal_pmd, and the hugetlb zap with its VMA lock.
 *
 * They reach page tables only through struct tlbh_pt_ops, so the same
 * driver code runs on the private page tables the MMU walks (hardware
 * path) and on the model page table of the tests.  Entries use the
 * tlbh_pte_t encoding below; a hardware backend converts.
 *
 * Operations that the tests need to interleave with others are split
 * in two: *_begin leaves the gather open in a struct tlbh_op, *_end
 * finishes it.  The plain names run both halves.
 */
#ifndef _TLBH_OPS_H
#define _TLBH_OPS_H

#include "tlbh_engine.h"

typedef u64 tlbh_pte_t;

#define TLBH_PTE_PRESENT	0x001ULL
#define TLBH_PTE_WRITE		0x002ULL
#define TLBH_PTE_DIRTY		0x004ULL
#define TLBH_PTE_SOFT_DIRTY	0x008ULL
#define TLBH_PTE_FILE		0x010ULL	/* page-cache page */
#define TLBH_PTE_SPECIAL	0x020ULL	/* PFN mapping, no page */
#define TLBH_PTE_HUGE		0x040ULL	/* PMD-level leaf */
#define TLBH_PTE_TABLE		0x080ULL	/* PMD entry -> PTE table */
#define TLBH_PTE_YOUNG		0x100ULL	/* accessed */
/*
 * Software: the page's folio is lazyfree (MADV_FREE cleared its swap
 * backing); reclaim discards it while clean and, once written again,
 * maps it back and keeps it.  Never in a hardware PTE (tlbh_pt.c).
 */
#define TLBH_PTE_LAZYFREE	0x200ULL
#define TLBH_PTE_PFN_SHIFT	12

static inline unsigned long tlbh_pte_pfn(tlbh_pte_t pte)
{
	return pte >> TLBH_PTE_PFN_SHIFT;
}

static inline tlbh_pte_t tlbh_mk_pte(unsigned long pfn, tlbh_pte_t bits)
{
	return (tlbh_pte_t)pfn << TLBH_PTE_PFN_SHIFT | bits | TLBH_PTE_PRESENT;
}

/* Locks a driver may have to wait for. */
enum tlbh_lock {
	TLBH_LOCK_RMAP,		/* i_mmap / anon_vma lock of a mapping */
	TLBH_LOCK_HUGETLB_VMA,	/* hugetlb VMA lock */
};

/**
 * struct tlbh_pt_ops - page-table access for the drivers
 * @read_pte: PTE mapping @addr (0 when none or no PTE table)
 * @write_pte: install a PTE, allocating the PTE table if needed
 * @get_and_clear_pte: clear the PTE mapping @addr, return the old one
 * @clear_pte_in_table: clear entry @index of PTE table @table_pfn, the
 *	way an rmap walker holding a pointer into the table does
 * @read_pmd: PMD entry covering @addr (table, huge leaf, or 0)
 * @write_pmd: write the PMD entry covering @addr
 * @upper_table: pfn of the page table of @level that maps @addr
 *	(TLBH_LEVEL_PMD: the PMD table, TLBH_LEVEL_PUD: the PUD table), 0
 *	when there is none (optional: without it free_pgtables frees PTE
 *	tables only)
 * @unhook_upper: clear the entry that points to that table
 * @unlink_vma: the VMA disappears from rmap and mapping trees
 * @lock: take a lock; -EAGAIN if another thread holds it (optional)
 * @unlock: release it (optional)
 */
struct tlbh_pt_ops {
	tlbh_pte_t (*read_pte)(void *pt, unsigned long addr);
	int (*write_pte)(void *pt, unsigned long addr, tlbh_pte_t pte);
	tlbh_pte_t (*get_and_clear_pte)(void *pt, unsigned long addr);
	tlbh_pte_t (*clear_pte_in_table)(void *pt, unsigned long table_pfn,
					 unsigned int index);
	tlbh_pte_t (*read_pmd)(void *pt, unsigned long addr);
	void (*write_pmd)(void *pt, unsigned long addr, tlbh_pte_t pmd);
	unsigned long (*upper_table)(void *pt, enum tlbh_level level,
				     unsigned long addr);
	void (*unhook_upper)(void *pt, enum tlbh_level level,
			     unsigned long addr);
	void (*unlink_vma)(void *pt, struct tlbh_vma *vma);
	int (*lock)(void *pt, enum tlbh_lock lock, unsigned long addr);
	void (*unlock)(void *pt, enum tlbh_lock lock, unsigned long addr);
};

struct tlbh_reclaim;

/**
 * struct tlbh_vm - what an operation sees of an address space: the
 * engine state and the page tables
 * @engine: engine state
 * @pt_ops: page-table access
 * @pt: page-table data
 * @walker: a held rmap walk (tlbh_op_reclaim_walk()), NULL when none; it
 *	holds the lock of the PTE table it found, so that table is not freed
 */
struct tlbh_vm {
	struct tlbh_mm *engine;
	const struct tlbh_pt_ops *pt_ops;
	void *pt;
	struct tlbh_reclaim *walker;
};

/**
 * struct tlbh_op - an operation whose gather is still open
 * @vm: address space
 * @tlb: the gather
 * @vmas: VMAs involved
 * @nr_vmas: number of VMAs
 * @hugetlb_locked: the hugetlb VMA lock is held (hugetlb zap)
 * @zapped: VMAs zapped in this operation so far
 */
struct tlbh_op {
	struct tlbh_vm *vm;
	struct tlbh_gather tlb;
	struct tlbh_vma *vmas;
	unsigned int nr_vmas;
	bool hugetlb_locked;
	unsigned int zapped;
};

bool tlbh_vmas_hugetlb(const struct tlbh_vma *vmas, unsigned int nr);

/* madvise(MADV_DONTNEED), unmap_mapping_range, hugetlb zap */
int tlbh_op_zap_begin(struct tlbh_op *op, struct tlbh_vm *vm,
		      struct tlbh_vma *vmas, unsigned int nr,
		      unsigned long start, unsigned long end);
void tlbh_op_zap_more(struct tlbh_op *op, struct tlbh_vma *vmas,
		      unsigned int nr, unsigned long start, unsigned long end);
void tlbh_op_zap_end(struct tlbh_op *op);
int tlbh_op_zap(struct tlbh_vm *vm, struct tlbh_vma *vmas, unsigned int nr,
		unsigned long start, unsigned long end);

/* munmap: zap, tlb_free_vmas, free_pgtables (unlink, free tables), finish */
void tlbh_op_unmap_bounds(const struct tlbh_vma *vmas, unsigned int nr,
			  unsigned int first, unsigned int n,
			  unsigned long start, unsigned long end,
			  unsigned long low, unsigned long high,
			  unsigned long *floor, unsigned long *ceiling);
void tlbh_op_munmap_begin(struct tlbh_op *op, struct tlbh_vm *vm,
			  struct tlbh_vma *vmas, unsigned int nr,
			  unsigned long start, unsigned long end,
			  unsigned long floor, unsigned long ceiling);
void tlbh_op_munmap_end(struct tlbh_op *op);
void tlbh_op_munmap(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		    unsigned int nr, unsigned long start, unsigned long end,
		    unsigned long floor, unsigned long ceiling);

/* exit_mmap: full-mm gather over every VMA */
void tlbh_op_exit(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		  unsigned int nr);

/*
 * Pages a reclaimer unmapped and may free only after the batch flush: a
 * PTE table's worth, since MADV_PAGEOUT reclaims what one table's walk
 * isolated and the kernel's list has no limit of its own (6.1 frees it
 * after one try_to_unmap_flush(); 6.12 and later flush every 31 folios,
 * reclaim_free_batch).  TLBH_IOC_RECLAIM stops earlier, at
 * TLBH_RECLAIM_IOC_PAGES (its -EBUSY in the uapi header).
 */
#define TLBH_RECLAIM_MAX_PAGES	512
#define TLBH_RECLAIM_IOC_PAGES	64

/**
 * struct tlbh_reclaim - a reclaimer (shrink_folio_list with try_to_unmap)
 * @vm: address space of the page being unmapped
 * @batch: deferred flush batch (current->tlb_ubc)
 * @walk_addr: address found by the rmap walk
 * @walk_table: PTE table the walk found the entry in
 * @walk_vma: VMA of the walk
 * @walking: a walk is in progress and holds the rmap lock
 * @pfns: pages waiting for the batch flush before being freed
 * @nr: number of @pfns
 */
struct tlbh_reclaim {
	struct tlbh_vm *vm;
	struct tlbh_reclaim_batch batch;
	unsigned long walk_addr;
	unsigned long walk_table;
	struct tlbh_vma *walk_vma;
	bool walking;
	unsigned long pfns[TLBH_RECLAIM_MAX_PAGES];
	unsigned int nr;
};

int tlbh_op_reclaim_walk(struct tlbh_reclaim *r, struct tlbh_vm *vm,
			 struct tlbh_vma *vma, unsigned long addr);
int tlbh_op_reclaim_unmap(struct tlbh_reclaim *r, bool batch_flush);
int tlbh_op_reclaim(struct tlbh_reclaim *r, struct tlbh_vm *vm,
		    struct tlbh_vma *vma, unsigned long addr, bool batch_flush);
void tlbh_op_reclaim_flush(struct tlbh_reclaim *r);

/* MADV_FREE: clean and age the pages, flush what was young or dirty */
void tlbh_op_madv_free(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		       unsigned int nr, unsigned long start, unsigned long end);

/* MADV_PAGEOUT: age young pages, reclaim each PTE table's pages */
void tlbh_op_pageout(struct tlbh_vm *vm, struct tlbh_reclaim *r,
		     struct tlbh_vma *vmas, unsigned int nr,
		     unsigned long start, unsigned long end);

/* mprotect: change_protection with flush_tlb_batched_pending */
void tlbh_op_mprotect(struct tlbh_vm *vm, struct tlbh_vma *vmas,
		      unsigned int nr, unsigned long start, unsigned long end,
		      bool writable);

/* clear_refs 4 (soft-dirty) over the given VMAs */
void tlbh_op_clear_refs(struct tlbh_vm *vm, struct tlbh_vma *vmas,
			unsigned int nr);

/* mremap: move_ptes, and move_normal_pmd (-EAGAIN: rmap lock busy) */
void tlbh_op_move_ptes(struct tlbh_vm *vm, struct tlbh_vma *vma,
		       unsigned long old_addr, unsigned long new_addr,
		       unsigned long len);
int tlbh_op_move_pmd(struct tlbh_vm *vm, struct tlbh_vma *vma,
		     unsigned long old_addr, unsigned long new_addr);

#endif /* _TLBH_OPS_H */
