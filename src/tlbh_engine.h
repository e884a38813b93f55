/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_engine.h - the tlbh gather/flush engine: state and API
 *
 * The engine is a reimplementation of the kernel's mmu_gather machinery
 * (asm-generic/tlb.h, mm/mmu_gather.c) together with the x86 flush
 * decision (arch/x86/mm/tlb.c) and the reclaim deferred-flush batch
 * (mm/rmap.c).  It does not touch hardware.  It records what an unmap
 * operation cleared and freed, *decides* which TLB invalidations are
 * needed, in which order, and for which CPUs, and hands every decision to
 * a backend through struct tlbh_backend_ops.  The hardware backend
 * performs real invalidations; the test backends record them.
 *
 * Life of a gather
 * ----------------
 *
 *   tlbh_gather(&tlb, mm, fullmm)
 *     tlbh_start_vma(&tlb, vma)           per VMA, skipped when fullmm
 *       tlbh_track_clear(&tlb, addr, size, level)    per cleared entry
 *       tlbh_remove_page(&tlb, pfn, size, delay_rmap) per page to free;
 *                                         true means "flush now"
 *     tlbh_end_vma(&tlb, vma)             per-VMA flush unless MERGE_VMAS
 *     tlbh_free_vmas(&tlb)                once, before VMAs are unlinked
 *     tlbh_unlink_vma(&tlb, vma)          per VMA, just before unlinking it
 *     tlbh_free_table(&tlb, level, table, addr)     per freed table
 *   tlbh_finish(&tlb)                     final flush, then frees
 *
 * The flush itself (tlbh_flush_tlbonly) is skipped when nothing was
 * marked cleared and no table was freed.  Otherwise the gathered range
 * is turned into an x86 style request: the stride comes from the lowest
 * cleared level, a range longer than arch.flush_ceiling strides becomes
 * a full flush, and the targets are the CPUs that have the mm loaded,
 * minus lazy-TLB CPUs unless page tables were freed.  When no other CPU
 * has the mm and it is not loaded here, nothing is sent at all.
 *
 * Pages are freed only after the flush that covers them (tables first,
 * then pages); tables additionally wait for lockless walkers
 * (backend sync_table_free, standing for RCU or an IPI).
 *
 * Policies
 * --------
 *
 * Every address space carries a policy (tlbh_policy.h): a set of rule
 * bits selecting the upstream behaviour of a given release or one
 * historical or proposed variant.  Variants documented as buggy break
 * the safety invariant on purpose; the engine then *reports* the
 * violation (backend ops->violation and mm->stats.violations) instead of
 * silently corrupting state.
 *
 * Safety invariant (audited by the engine itself)
 * -----------------------------------------------
 *
 * No page and no page-table page is handed back before a flush that
 * covers every TLB entry that could still reach it.  The engine keeps an
 * audit range, widened on every clear independently of the policy; a
 * flush that does not cover it, or a free while it is still pending, is
 * reported.
 *
 * Everything here is plain C on top of <linux/types.h> and
 * <linux/atomic.h>, so the same file builds in the module, in KUnit and
 * in the userspace test build (kunit/host).
 */
#ifndef _TLBH_ENGINE_H
#define _TLBH_ENGINE_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/types.h>

#include "tlbh_policy.h"

/* x86-64, 4-level paging; the engine does not depend on the host MMU. */
#define TLBH_PAGE_SHIFT		12
#define TLBH_PMD_SHIFT		21
#define TLBH_PUD_SHIFT		30
#define TLBH_P4D_SHIFT		39
#define TLBH_PAGE_SIZE		BIT(TLBH_PAGE_SHIFT)
#define TLBH_PMD_SIZE		BIT(TLBH_PMD_SHIFT)
#define TLBH_FLUSH_ALL		(~0UL)
/* Highest user address; the reset value of a gather's range start. */
#define TLBH_TASK_SIZE		((1UL << 47) - TLBH_PAGE_SIZE)

/* x86 tlb_single_page_flush_ceiling default. */
#define TLBH_DEFAULT_FLUSH_CEILING	33

/* CPU sets: one bit per CPU, up to 64 CPUs. */
typedef u64 tlbh_cpus_t;
#define TLBH_MAX_CPUS		64
#define TLBH_CPU(n)		((tlbh_cpus_t)1 << (n))

/* Page-table level of a cleared entry or of a freed table. */
enum tlbh_level {
	TLBH_LEVEL_PTE,
	TLBH_LEVEL_PMD,
	TLBH_LEVEL_PUD,
	TLBH_LEVEL_P4D,
};

/* VMA flags the engine looks at. */
#define TLBH_VM_EXEC		0x1UL
#define TLBH_VM_HUGETLB		0x2UL
#define TLBH_VM_PFNMAP		0x4UL
#define TLBH_VM_MIXEDMAP	0x8UL

/**
 * struct tlbh_vma - what the engine needs to know about a VMA
 * @start: first address
 * @end: one past the last address
 * @flags: TLBH_VM_* flags
 * @luf_deferred: LUF skipped a flush for a page of this VMA (only used by
 *	the per-VMA-flag LUF policy)
 */
struct tlbh_vma {
	unsigned long start;
	unsigned long end;
	unsigned long flags;
	bool luf_deferred;
};

/**
 * struct tlbh_flush - one flush request, as decided by the engine
 * @start: first address (0 for a full flush)
 * @end: end address (TLBH_FLUSH_ALL for a full flush)
 * @stride_shift: invalidation stride (page, PMD, PUD or P4D shift)
 * @freed_tables: page tables were freed: paging-structure caches too
 * @full: flush the whole address space instead of a range
 * @broadcast: one INVLPGB broadcast reaches every CPU (@cpus is all);
 *	no IPI is sent for it
 * @cpus: CPUs that must carry out the flush
 * @reason: short tag for traces and diagnostics
 */
struct tlbh_flush {
	unsigned long start;
	unsigned long end;
	unsigned int stride_shift;
	bool freed_tables;
	bool full;
	bool broadcast;
	tlbh_cpus_t cpus;
	const char *reason;
};

/* Every CPU: the target set of a broadcast flush. */
#define TLBH_ALL_CPUS		(~(tlbh_cpus_t)0)

/* Kinds of violation the engine reports under buggy policies (the list). */
enum tlbh_violation {
#define TLBH_VIOLATION(id, ...)	TLBH_VIOL_##id,
#include "tlbh_violations.h"
#undef TLBH_VIOLATION
	TLBH_VIOL_NR,
};

/**
 * struct tlbh_backend_ops - carries out the engine's decisions
 * @flush_range: invalidate @f->start..@f->end with @f->stride_shift on
 *	@f->cpus (and paging-structure caches if @f->freed_tables)
 * @flush_all: invalidate the whole address space on @f->cpus
 * @free_page: hand a gathered page back (after its flush)
 * @remove_rmap: drop the reverse map of a page whose rmap removal was
 *	delayed until after the flush (optional)
 * @free_table: hand a page-table page back (after flush and sync)
 * @sync_table_free: wait for lockless page-table walkers (RCU or IPI)
 * @alloc_batch: get one TLBH_PAGE_SIZE page of batch storage, may fail
 * @free_batch: release batch storage
 * @mm_cpus: CPUs that have the mm in their mm_cpumask
 * @lazy_cpus: CPUs of @mm_cpus that are in lazy TLB mode
 * @loaded_cpus: CPUs of @mm_cpus that run the mm (lazily or not); a CPU
 *	that left it stays in mm_cpumask on kernels that trim the mask lazily
 *	(optional: without it every CPU of @mm_cpus runs the mm)
 * @trim_cpumask: the once-a-second trim of mm_cpumask is due for this
 *	flush (should_trim_cpumask), so CPUs that left the mm get it too
 *	(optional)
 * @global_asid: with arch.invlpgb, whether to give the mm a global ASID
 *	now, after a flush that had to IPI other CPUs (consider_global_asid:
 *	sampled, and only for an mm active on more than three CPUs)
 *	(optional)
 * @this_cpu: the CPU the engine runs on
 * @violation: the engine found its safety invariant broken (optional)
 * @flush_skip: the engine sent no flush, @why tells why; called where
 *	flush_skipped and flush_no_target are counted (optional)
 * @new_generation: bump the mm's flush generation (inc_mm_tlb_gen)
 *	before targets are chosen, so that a CPU which leaves lazy mode
 *	after the choice sees the new generation and flushes (optional)
 * @gather_event: a gather started (@start true, @fullmm as given) or
 *	finished, for tracing (optional)
 *
 * @free_page takes a flag telling whether LUF deferred the flush for the
 * page, so that the allocator can flush before reusing it.
 */
struct tlbh_backend_ops {
	void (*flush_range)(void *priv, const struct tlbh_flush *f);
	void (*flush_all)(void *priv, const struct tlbh_flush *f);
	void (*free_page)(void *priv, unsigned long pfn, bool luf);
	void (*remove_rmap)(void *priv, unsigned long pfn);
	void (*free_table)(void *priv, unsigned long table_pfn);
	void (*sync_table_free)(void *priv);
	void *(*alloc_batch)(void *priv);
	void (*free_batch)(void *priv, void *batch);
	tlbh_cpus_t (*mm_cpus)(void *priv);
	tlbh_cpus_t (*lazy_cpus)(void *priv);
	tlbh_cpus_t (*loaded_cpus)(void *priv);
	bool (*trim_cpumask)(void *priv);
	bool (*global_asid)(void *priv);
	unsigned int (*this_cpu)(void *priv);
	void (*violation)(void *priv, enum tlbh_violation kind,
			  unsigned long addr, const char *what);
	void (*flush_skip)(void *priv, const char *why);
	void (*new_generation)(void *priv);
	void (*gather_event)(void *priv, bool start, bool fullmm);
};

/**
 * struct tlbh_arch - architecture properties the engine emulates
 * @flush_ceiling: strides above which a range flush becomes a full one
 * @merge_vmas: CONFIG_MMU_GATHER_MERGE_VMAS: no per-VMA flush
 * @table_invalidate: tlb_needs_table_invalidate(): flush the TLB before
 *	freeing a table batch (false on sparc, powerpc hash)
 * @page_size_tracking: CONFIG_MMU_GATHER_PAGE_SIZE
 * @need_flush_all: the arch asks for full flushes (x86-PAE style)
 * @invlpgb: the CPUs can broadcast invalidations (AMD INVLPGB, 7.2): an
 *	mm active on more than three CPUs may get a global ASID, and then
 *	its flushes are broadcasts instead of IPIs
 */
struct tlbh_arch {
	unsigned int flush_ceiling;
	bool merge_vmas;
	bool table_invalidate;
	bool page_size_tracking;
	bool need_flush_all;
	bool invlpgb;
};

/**
 * struct tlbh_stats - counters of one address space
 */
struct tlbh_stats {
	u64 gathers;
	u64 flush_range;
	u64 flush_all;
	u64 flush_skipped;		/* nothing cleared: early return */
	u64 flush_no_target;		/* mm loaded nowhere: nothing sent */
	u64 pages_freed;
	u64 tables_freed;
	u64 batch_alloc_failed;
	u64 violations;
	u64 violation_kinds[TLBH_VIOL_NR];
};

/**
 * struct tlbh_mm - one address space as the engine sees it
 * @policy: rules in force
 * @arch: emulated architecture
 * @ops: backend
 * @priv: backend data
 * @flush_pending: gathers in flight (inc_tlb_flush_pending)
 * @batched_pending: reclaim flushes deferred (tlb_flush_batched, pending)
 * @batched_flushed: ... and flushed by flush_tlb_batched_pending
 * @luf_pending: LUF skipped flushes that are owed before page reuse
 * @luf_cpus: CPUs that may hold the entries LUF skipped
 * @global_asid: the mm has a global ASID (arch.invlpgb): flushes broadcast
 * @asid_transition: ... and some CPU may still run it on a per-CPU ASID,
 *	so flushes still IPI mm_cpumask as well (finish_asid_transition)
 * @stats: counters
 */
struct tlbh_mm {
	const struct tlbh_policy *policy;
	struct tlbh_arch arch;
	const struct tlbh_backend_ops *ops;
	void *priv;
	atomic_t flush_pending;
	atomic_t batched_pending;
	atomic_t batched_flushed;
	bool luf_pending;
	tlbh_cpus_t luf_cpus;
	bool global_asid;
	bool asid_transition;
	struct tlbh_stats stats;
};

/* Pages kept in the gather itself before batch pages are allocated. */
#define TLBH_GATHER_BUNDLE	8

/**
 * struct tlbh_page_batch - a batch of gathered pages
 * @next: next batch
 * @nr: entries used
 * @max: capacity
 * @entries: pfn << 2 | TLBH_ENTRY_TABLE | TLBH_ENTRY_DELAY_RMAP
 */
struct tlbh_page_batch {
	struct tlbh_page_batch *next;
	unsigned int nr;
	unsigned int max;
	unsigned long entries[];
};

/*
 * A page batch entry: a page (or, without the RCU table batch, a page
 * table) and whether its rmap removal waits for the flush.
 */
#define TLBH_ENTRY_DELAY_RMAP	0x1UL
#define TLBH_ENTRY_TABLE	0x2UL
#define TLBH_ENTRY_SHIFT	2

/* Entries of a batch page, and the limit on batch pages per gather. */
#define TLBH_GATHER_BATCH \
	((TLBH_PAGE_SIZE - sizeof(struct tlbh_page_batch)) / sizeof(unsigned long))
#define TLBH_GATHER_BATCH_COUNT	(10000UL / TLBH_GATHER_BATCH)

/**
 * struct tlbh_table_batch - page-table pages waiting for flush and sync
 * @nr: entries used
 * @tables: table pfns
 */
struct tlbh_table_batch {
	unsigned long nr;
	unsigned long tables[];
};

#define TLBH_TABLE_BATCH \
	((TLBH_PAGE_SIZE - sizeof(struct tlbh_table_batch)) / sizeof(unsigned long))

/**
 * struct tlbh_gather - the state of one gather (struct mmu_gather)
 *
 * Field meanings follow the kernel: @start/@end is the range to flush,
 * reset to (TASK_SIZE, 0), or to (~0, ~0) for a full-mm gather; the
 * cleared_* bits say which levels had entries cleared and give the
 * stride; @vma_* describe the VMAs since the last flush.  @audit_start
 * and @audit_end track what was really cleared since the last flush,
 * whatever a policy does to @start/@end, for the invariant check.
 */
struct tlbh_gather {
	struct tlbh_mm *mm;
	unsigned long start;
	unsigned long end;

	unsigned int fullmm : 1;
	unsigned int need_flush_all : 1;
	unsigned int freed_tables : 1;
	unsigned int delayed_rmap : 1;
	unsigned int cleared_ptes : 1;
	unsigned int cleared_pmds : 1;
	unsigned int cleared_puds : 1;
	unsigned int cleared_p4ds : 1;
	unsigned int vma_exec : 1;
	unsigned int vma_huge : 1;
	unsigned int vma_pfn : 1;
	unsigned int luf_flush : 1;
	unsigned int luf_missed : 1;

	unsigned int page_size;
	unsigned int batch_count;
	struct tlbh_page_batch *active;
	struct tlbh_page_batch local;
	unsigned long local_entries[TLBH_GATHER_BUNDLE];
	struct tlbh_table_batch *tables;

	unsigned long audit_start;
	unsigned long audit_end;
	unsigned long audit_tables;
};

/* Address space */
void tlbh_mm_init(struct tlbh_mm *mm, const struct tlbh_policy *policy,
		  const struct tlbh_arch *arch,
		  const struct tlbh_backend_ops *ops, void *priv);
void tlbh_arch_x86(struct tlbh_arch *arch);
void tlbh_report(struct tlbh_mm *mm, enum tlbh_violation kind,
		 unsigned long addr, const char *what);
const char *tlbh_violation_name(enum tlbh_violation kind);

/* Gather lifecycle */
void tlbh_gather(struct tlbh_gather *tlb, struct tlbh_mm *mm, bool fullmm);
void tlbh_finish(struct tlbh_gather *tlb);
void tlbh_abandon(struct tlbh_gather *tlb);
void tlbh_start_vma(struct tlbh_gather *tlb, const struct tlbh_vma *vma);
void tlbh_end_vma(struct tlbh_gather *tlb, const struct tlbh_vma *vma);
void tlbh_free_vmas(struct tlbh_gather *tlb);
void tlbh_unlink_vma(struct tlbh_gather *tlb, const struct tlbh_vma *vma);

/* Recording what was cleared and freed */
bool tlbh_remove_page(struct tlbh_gather *tlb, unsigned long pfn,
		      unsigned int page_size, bool delay_rmap);
void tlbh_change_page_size(struct tlbh_gather *tlb, unsigned int page_size);
void tlbh_free_table(struct tlbh_gather *tlb, enum tlbh_level level,
		     unsigned long table_pfn, unsigned long addr);
void tlbh_remove_table(struct tlbh_gather *tlb, unsigned long table_pfn);

/* Flushing */
void tlbh_flush_tlbonly(struct tlbh_gather *tlb);
void tlbh_flush_rmaps(struct tlbh_gather *tlb);
void tlbh_flush_mmu(struct tlbh_gather *tlb);

/* Direct flushes (flush_tlb_mm, flush_tlb_range, flush_tlb_page) */
void tlbh_flush_tlb_range(struct tlbh_mm *mm, unsigned long start,
			  unsigned long end, unsigned int stride_shift,
			  bool freed_tables, const char *reason);
void tlbh_flush_tlb_mm(struct tlbh_mm *mm, const char *reason);

/* Concurrent gathers (inc/dec_tlb_flush_pending, mm_tlb_flush_nested) */

/**
 * struct tlbh_reclaim_batch - deferred reclaim flush (tlbflush_unmap_batch)
 * @cpus: CPUs that must be flushed
 * @flush_required: a PTE was cleared and its flush deferred
 * @writable: ... and it was dirty, so the flush precedes writeback
 */
struct tlbh_reclaim_batch {
	tlbh_cpus_t cpus;
	bool flush_required;
	bool writable;
};

bool tlbh_should_defer_flush(struct tlbh_mm *mm, bool batch_flush);
void tlbh_reclaim_defer(struct tlbh_mm *mm, struct tlbh_reclaim_batch *b,
			bool writable);
void tlbh_reclaim_flush(struct tlbh_mm *mm, struct tlbh_reclaim_batch *b);
void tlbh_flush_batched_pending(struct tlbh_mm *mm);

/* LUF: lazy unmap flush of read-only pages, paid before page reuse */
void tlbh_luf_defer(struct tlbh_mm *mm, struct tlbh_vma *vma);
void tlbh_luf_flush(struct tlbh_mm *mm, const char *reason);

/* ------------------------------------------------------------------ */
/* Accessors, inline as in asm-generic/tlb.h                            */

/**
 * tlbh_rule - is a policy rule in force for this address space
 * @mm: address space
 * @rule: TLBH_RULE_* bit
 *
 * Return: true if the rule is part of the policy.
 */
static inline bool tlbh_rule(const struct tlbh_mm *mm, unsigned long rule)
{
	return mm->policy->rules & rule;
}

/**
 * tlbh_adjust_range - widen the range to flush (__tlb_adjust_range)
 * @tlb: gather
 * @addr: first address
 * @size: bytes
 */
static inline void tlbh_adjust_range(struct tlbh_gather *tlb, unsigned long addr,
				     unsigned long size)
{
	tlb->start = min(tlb->start, addr);
	tlb->end = max(tlb->end, addr + size);
	tlb->audit_start = min(tlb->audit_start, addr);
	tlb->audit_end = max(tlb->audit_end, addr + size);
}

/**
 * tlbh_track_clear - record a cleared entry (tlb_flush_p?d_range)
 * @tlb: gather
 * @addr: address mapped by the entry
 * @size: bytes mapped by the entry
 * @level: level of the entry
 */
static inline void tlbh_track_clear(struct tlbh_gather *tlb, unsigned long addr,
				    unsigned long size, enum tlbh_level level)
{
	tlbh_adjust_range(tlb, addr, size);
	switch (level) {
	case TLBH_LEVEL_PTE:
		tlb->cleared_ptes = 1;
		break;
	case TLBH_LEVEL_PMD:
		tlb->cleared_pmds = 1;
		break;
	case TLBH_LEVEL_PUD:
		tlb->cleared_puds = 1;
		break;
	case TLBH_LEVEL_P4D:
		tlb->cleared_p4ds = 1;
		break;
	}
}

/**
 * tlbh_unmap_shift - invalidation stride of the gathered range
 * @tlb: gather
 *
 * Return: the shift of the lowest level that had entries cleared.
 */
static inline unsigned int tlbh_unmap_shift(const struct tlbh_gather *tlb)
{
	if (tlb->cleared_ptes)
		return TLBH_PAGE_SHIFT;
	if (tlb->cleared_pmds)
		return TLBH_PMD_SHIFT;
	if (tlb->cleared_puds)
		return TLBH_PUD_SHIFT;
	if (tlb->cleared_p4ds)
		return TLBH_P4D_SHIFT;
	return TLBH_PAGE_SHIFT;
}

/**
 * tlbh_needs_flush - did the gather record anything that needs a flush
 * @tlb: gather
 *
 * Return: false when the early return of tlb_flush_mmu_tlbonly applies.
 */
static inline bool tlbh_needs_flush(const struct tlbh_gather *tlb)
{
	return tlb->freed_tables || tlb->cleared_ptes || tlb->cleared_pmds ||
	       tlb->cleared_puds || tlb->cleared_p4ds;
}

/**
 * tlbh_inc_flush_pending - a PTE-changing operation starts
 * @mm: address space
 */
static inline void tlbh_inc_flush_pending(struct tlbh_mm *mm)
{
	atomic_inc(&mm->flush_pending);
}

/**
 * tlbh_dec_flush_pending - ... and has flushed
 * @mm: address space
 */
static inline void tlbh_dec_flush_pending(struct tlbh_mm *mm)
{
	atomic_dec(&mm->flush_pending);
}

/**
 * tlbh_flush_nested - another gather is in flight (mm_tlb_flush_nested)
 * @mm: address space
 *
 * Return: true when more than one gather is pending.
 */
static inline bool tlbh_flush_nested(struct tlbh_mm *mm)
{
	return atomic_read(&mm->flush_pending) > 1;
}

/**
 * tlbh_reclaim_flush_dirty - flush only if a dirty entry was deferred
 * @mm: address space
 * @b: the batch
 */
static inline void tlbh_reclaim_flush_dirty(struct tlbh_mm *mm,
					    struct tlbh_reclaim_batch *b)
{
	if (b->writable)
		tlbh_reclaim_flush(mm, b);
}

#endif /* _TLBH_ENGINE_H */
