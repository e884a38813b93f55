// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_engine.c - the gather/flush engine (see tlbh_engine.h)
 *
 * Gather state machine, x86 flush decision, reclaim deferred-flush batch
 * and LUF.  Pure logic: every effect goes through the backend ops, so the
 * same file is built into the module, the KUnit suite and the userspace
 * test runner.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "tlbh_engine.h"
#include "tlbh_policy.h"

static const char * const violation_names[] = {
#define TLBH_VIOLATION(id, name) \
	[TLBH_VIOL_##id] = name,
#include "tlbh_violations.h"
#undef TLBH_VIOLATION
};

/**
 * tlbh_violation_name - printable name of a violation kind
 * @kind: violation kind
 *
 * Return: a static string.
 */
const char *tlbh_violation_name(enum tlbh_violation kind)
{
	BUILD_BUG_ON(ARRAY_SIZE(violation_names) != TLBH_VIOL_NR);
	if (kind >= TLBH_VIOL_NR)
		return "unknown";
	return violation_names[kind];
}

/**
 * tlbh_arch_x86 - fill in the x86-64 properties
 * @arch: properties to fill in
 */
void tlbh_arch_x86(struct tlbh_arch *arch)
{
	memset(arch, 0, sizeof(*arch));
	arch->flush_ceiling = TLBH_DEFAULT_FLUSH_CEILING;
	arch->merge_vmas = true;
	arch->table_invalidate = true;
}

/**
 * tlbh_mm_init - set up an address space for the engine
 * @mm: address space
 * @policy: rules to follow, NULL for the default policy
 * @arch: emulated architecture, NULL for x86
 * @ops: backend
 * @priv: backend data, passed to every op
 */
void tlbh_mm_init(struct tlbh_mm *mm, const struct tlbh_policy *policy,
		  const struct tlbh_arch *arch,
		  const struct tlbh_backend_ops *ops, void *priv)
{
	memset(mm, 0, sizeof(*mm));
	mm->policy = policy ? policy : tlbh_policy_default();
	if (arch)
		mm->arch = *arch;
	else
		tlbh_arch_x86(&mm->arch);
	mm->ops = ops;
	mm->priv = priv;
	atomic_set(&mm->flush_pending, 0);
	atomic_set(&mm->batched_pending, 0);
	atomic_set(&mm->batched_flushed, 0);
}

/**
 * tlbh_report - report a broken safety invariant
 * @mm: address space
 * @kind: what went wrong
 * @addr: address involved (0 if none)
 * @what: short description
 *
 * Under a fixed policy a report is a bug in the engine or its callers;
 * under a buggy policy it is the reproduced race.
 */
void tlbh_report(struct tlbh_mm *mm, enum tlbh_violation kind,
		 unsigned long addr, const char *what)
{
	mm->stats.violations++;
	if (kind < TLBH_VIOL_NR)
		mm->stats.violation_kinds[kind]++;
	if (mm->ops->violation)
		mm->ops->violation(mm->priv, kind, addr, what);
}

/* ------------------------------------------------------------------ */
/* Range tracking and the invariant audit                              */

static void reset_range(struct tlbh_gather *tlb)
{
	if (tlb->fullmm) {
		tlb->start = TLBH_FLUSH_ALL;
		tlb->end = TLBH_FLUSH_ALL;
	} else {
		tlb->start = TLBH_TASK_SIZE;
		tlb->end = 0;
	}
	tlb->freed_tables = 0;
	tlb->cleared_ptes = 0;
	tlb->cleared_pmds = 0;
	tlb->cleared_puds = 0;
	tlb->cleared_p4ds = 0;
	/* vma_exec, vma_huge and vma_pfn describe the VMA, not the range. */
}

static void reset_audit(struct tlbh_gather *tlb)
{
	tlb->audit_start = TLBH_FLUSH_ALL;
	tlb->audit_end = 0;
}

static bool audit_pending(const struct tlbh_gather *tlb)
{
	return tlb->audit_end != 0;
}

static bool audit_overlaps(const struct tlbh_gather *tlb,
			   unsigned long start, unsigned long end)
{
	return audit_pending(tlb) && tlb->audit_start < end &&
	       start < tlb->audit_end;
}

/* ------------------------------------------------------------------ */
/* The x86 flush decision (flush_tlb_mm_range, flush_tlb_multi)        */

static void send_flush(struct tlbh_mm *mm, struct tlbh_flush *f)
{
	if (f->full) {
		mm->stats.flush_all++;
		mm->ops->flush_all(mm->priv, f);
	} else {
		mm->stats.flush_range++;
		mm->ops->flush_range(mm->priv, f);
	}
}

/*
 * The generation goes up before any CPU is picked or left out, as
 * inc_mm_tlb_gen() comes first in flush_tlb_mm_range(): a lazy CPU left
 * out then flushes when it switches back and compares generations.
 */
static void new_generation(struct tlbh_mm *mm)
{
	if (mm->ops->new_generation)
		mm->ops->new_generation(mm->priv);
}

static tlbh_cpus_t loaded_cpus(struct tlbh_mm *mm, tlbh_cpus_t cpus)
{
	/* Before 7.2 a CPU leaves mm_cpumask when it switches away. */
	if (!tlbh_rule(mm, TLBH_RULE_LAZY_CPUMASK) || !mm->ops->loaded_cpus)
		return cpus;
	return mm->ops->loaded_cpus(mm->priv);
}

/*
 * Pick the CPUs the way flush_tlb_mm_range() and native_flush_tlb_multi()
 * do.  If another CPU is in mm_cpumask, every CPU of it when page tables
 * were freed (lazy CPUs could still walk them speculatively), else the
 * ones should_flush_tlb() accepts: not lazy, and running the mm (or the
 * once-a-second trim of stale CPUs is due).  Else this CPU, if it runs
 * the mm; else nobody, and then nothing is sent.
 */
static bool pick_targets(struct tlbh_mm *mm, struct tlbh_flush *f)
{
	tlbh_cpus_t cpus = mm->ops->mm_cpus(mm->priv);
	tlbh_cpus_t self = TLBH_CPU(mm->ops->this_cpu(mm->priv));

	if (cpus & ~self) {
		/* should_trim_cpumask() is asked whenever others have the mm. */
		bool trim = tlbh_rule(mm, TLBH_RULE_LAZY_CPUMASK) &&
			    mm->ops->trim_cpumask &&
			    mm->ops->trim_cpumask(mm->priv);

		f->cpus = cpus;
		if (!f->freed_tables) {
			f->cpus &= ~mm->ops->lazy_cpus(mm->priv);
			if (!trim)
				f->cpus &= loaded_cpus(mm, cpus);
		}
		return true;
	}
	if (loaded_cpus(mm, cpus) & self) {
		f->cpus = self;
		return true;
	}
	mm->stats.flush_no_target++;
	if (mm->ops->flush_skip)
		mm->ops->flush_skip(mm->priv, "no-target");
	return false;
}

/*
 * broadcast_tlb_flush(): an mm with a global ASID is flushed by INVLPGB on
 * every CPU at once, lazy or not, ranged within the ceiling, whole
 * otherwise; while CPUs may still run it on per-CPU ASIDs they get the
 * flush by IPI too (finish_asid_transition), after which the transition
 * is over.
 */
static void broadcast_flush(struct tlbh_mm *mm, struct tlbh_flush *f)
{
	struct tlbh_flush ipi = *f;

	f->broadcast = true;
	f->cpus = TLBH_ALL_CPUS;
	send_flush(mm, f);
	if (!mm->asid_transition)
		return;
	ipi.freed_tables = true;	/* every CPU of the mask, as on_each_cpu_mask */
	if (pick_targets(mm, &ipi))
		send_flush(mm, &ipi);
	mm->asid_transition = false;
}

/**
 * tlbh_flush_tlb_range - flush a range the x86 way (flush_tlb_mm_range)
 * @mm: address space
 * @start: first address
 * @end: end address, or TLBH_FLUSH_ALL
 * @stride_shift: invalidation stride
 * @freed_tables: page tables were freed
 * @reason: tag for the backend
 *
 * A range of more than arch.flush_ceiling strides becomes a full flush.
 */
void tlbh_flush_tlb_range(struct tlbh_mm *mm, unsigned long start,
			  unsigned long end, unsigned int stride_shift,
			  bool freed_tables, const char *reason)
{
	struct tlbh_flush f = {
		.start = start,
		.end = end,
		.stride_shift = stride_shift,
		.freed_tables = freed_tables,
		.reason = reason,
	};

	new_generation(mm);
	if (end == TLBH_FLUSH_ALL ||
	    ((end - start) >> stride_shift) > mm->arch.flush_ceiling) {
		f.start = 0;
		f.end = TLBH_FLUSH_ALL;
		f.full = true;
	}
	if (mm->global_asid) {
		broadcast_flush(mm, &f);
		return;
	}
	if (!pick_targets(mm, &f))
		return;
	send_flush(mm, &f);
	/* consider_global_asid(), after a flush that had to IPI others */
	if (mm->arch.invlpgb && (f.cpus & ~TLBH_CPU(mm->ops->this_cpu(mm->priv))) &&
	    mm->ops->global_asid && mm->ops->global_asid(mm->priv)) {
		mm->global_asid = true;
		mm->asid_transition = true;
	}
}

/**
 * tlbh_flush_tlb_mm - flush the whole address space (flush_tlb_mm)
 * @mm: address space
 * @reason: tag for the backend
 *
 * x86 passes freed_tables for it (as for flush_tlb_range), so lazy CPUs
 * get it too; only flush_tlb_page() leaves them out.
 */
void tlbh_flush_tlb_mm(struct tlbh_mm *mm, const char *reason)
{
	tlbh_flush_tlb_range(mm, 0, TLBH_FLUSH_ALL, TLBH_PAGE_SHIFT, true,
			     reason);
}

/* ------------------------------------------------------------------ */
/* LUF                                                                  */

/**
 * tlbh_luf_defer - LUF skipped the flush of a read-only page
 * @mm: address space
 * @vma: VMA of the page; marked so that a gather over it can pay
 */
void tlbh_luf_defer(struct tlbh_mm *mm, struct tlbh_vma *vma)
{
	new_generation(mm);
	mm->luf_pending = true;
	mm->luf_cpus |= mm->ops->mm_cpus(mm->priv);
	if (vma)
		vma->luf_deferred = true;
}

/**
 * tlbh_luf_flush - pay the flushes LUF owes (before a page is reused)
 * @mm: address space
 * @reason: tag for the backend
 */
void tlbh_luf_flush(struct tlbh_mm *mm, const char *reason)
{
	struct tlbh_flush f = {
		.end = TLBH_FLUSH_ALL,
		.stride_shift = TLBH_PAGE_SHIFT,
		.full = true,
		.reason = reason,
	};

	if (!mm->luf_pending)
		return;
	if (mm->arch.invlpgb) {
		/*
		 * The batch flush (arch_tlbbatch_flush) is
		 * invlpgb_flush_all_nonglobals(): a CPU on the mm's global
		 * ASID ignores a flush IPI.
		 */
		f.broadcast = true;
		f.cpus = TLBH_ALL_CPUS;
	} else {
		f.cpus = mm->luf_cpus & ~mm->ops->lazy_cpus(mm->priv);
	}
	mm->luf_pending = false;
	mm->luf_cpus = 0;
	send_flush(mm, &f);
}

/* ------------------------------------------------------------------ */
/* Flushing a gather                                                    */

/**
 * tlbh_flush_tlbonly - flush what the gather recorded, free nothing
 * @tlb: gather
 *
 * Returns early when nothing was cleared and no table was freed.  The
 * request follows x86 tlb_flush(): a full-mm gather (or need_flush_all)
 * flushes everything, with freed_tables passed on.
 */
void tlbh_flush_tlbonly(struct tlbh_gather *tlb)
{
	struct tlbh_mm *mm = tlb->mm;
	unsigned long start = 0, end = TLBH_FLUSH_ALL;

	if (tlb->luf_flush) {
		tlb->luf_flush = 0;
		tlbh_luf_flush(mm, "luf-vma-flag");
	}
	if (!tlbh_needs_flush(tlb)) {
		mm->stats.flush_skipped++;
		if (mm->ops->flush_skip)
			mm->ops->flush_skip(mm->priv, "nothing-cleared");
		return;
	}
	if (!tlb->fullmm && !tlb->need_flush_all) {
		start = tlb->start;
		end = tlb->end;
	}
	if (audit_pending(tlb) && end != TLBH_FLUSH_ALL &&
	    (start > tlb->audit_start || end < tlb->audit_end))
		tlbh_report(mm, TLBH_VIOL_FLUSH_MISSES_RANGE, tlb->audit_start,
			    "flushed range does not cover the cleared range");
	tlbh_flush_tlb_range(mm, start, end, tlbh_unmap_shift(tlb),
			     tlb->freed_tables, "gather");
	reset_range(tlb);
	reset_audit(tlb);
}

static void check_free(struct tlbh_gather *tlb, const char *what)
{
	if (audit_pending(tlb))
		tlbh_report(tlb->mm, TLBH_VIOL_FREE_BEFORE_FLUSH,
			    tlb->audit_start, what);
}

static void flush_rmap_batch(struct tlbh_mm *mm, struct tlbh_page_batch *batch)
{
	unsigned int i;

	for (i = 0; i < batch->nr; i++) {
		if (!(batch->entries[i] & TLBH_ENTRY_DELAY_RMAP))
			continue;
		batch->entries[i] &= ~TLBH_ENTRY_DELAY_RMAP;
		if (mm->ops->remove_rmap)
			mm->ops->remove_rmap(mm->priv, batch->entries[i] >>
					     TLBH_ENTRY_SHIFT);
	}
}

/**
 * tlbh_flush_rmaps - remove the delayed rmaps (tlb_flush_rmaps)
 * @tlb: gather
 *
 * Called after the flush that covers the delayed pages, which next_batch()
 * keeps in the bundle and the first batch page.
 */
void tlbh_flush_rmaps(struct tlbh_gather *tlb)
{
	if (!tlb->delayed_rmap)
		return;
	check_free(tlb, "rmap removed before the flush");
	flush_rmap_batch(tlb->mm, &tlb->local);
	if (tlb->active != &tlb->local)
		flush_rmap_batch(tlb->mm, tlb->active);
	tlb->delayed_rmap = 0;
}

static void free_table_now(struct tlbh_mm *mm, unsigned long table_pfn)
{
	mm->ops->free_table(mm->priv, table_pfn);
	mm->stats.tables_freed++;
}

static void free_gathered_pages(struct tlbh_gather *tlb)
{
	struct tlbh_mm *mm = tlb->mm;
	struct tlbh_page_batch *batch;
	unsigned int i;

	if (!tlb->local.nr)
		return;
	tlbh_flush_rmaps(tlb);
	check_free(tlb, "page freed before the flush");
	for (batch = &tlb->local; batch && batch->nr; batch = batch->next) {
		for (i = 0; i < batch->nr; i++) {
			unsigned long e = batch->entries[i];

			if (e & TLBH_ENTRY_TABLE) {
				free_table_now(mm, e >> TLBH_ENTRY_SHIFT);
				continue;
			}
			mm->ops->free_page(mm->priv, e >> TLBH_ENTRY_SHIFT,
					   false);
			mm->stats.pages_freed++;
		}
		batch->nr = 0;
	}
	tlb->active = &tlb->local;
}

/*
 * tlb_table_invalidate: hardware walkers may cache what we free, so the
 * TLB is flushed before a table batch goes (on arches that need it, and
 * under the rule: before d86564a2f085 nothing flushed here).
 */
static void table_invalidate(struct tlbh_gather *tlb)
{
	if (tlb->mm->arch.table_invalidate &&
	    tlbh_rule(tlb->mm, TLBH_RULE_TABLE_INVALIDATE))
		tlbh_flush_tlbonly(tlb);
}

static void check_table_free(struct tlbh_gather *tlb)
{
	if (tlb->mm->arch.table_invalidate && audit_pending(tlb))
		tlbh_report(tlb->mm, TLBH_VIOL_TABLE_NO_FLUSH, tlb->audit_start,
			    "page table freed before the flush");
}

static void free_tables(struct tlbh_gather *tlb)
{
	struct tlbh_mm *mm = tlb->mm;
	struct tlbh_table_batch *tables = tlb->tables;
	unsigned long i;

	if (!tables)
		return;
	table_invalidate(tlb);
	check_table_free(tlb);
	mm->ops->sync_table_free(mm->priv);
	for (i = 0; i < tables->nr; i++)
		free_table_now(mm, tables->tables[i]);
	mm->ops->free_batch(mm->priv, tables);
	tlb->tables = NULL;
}

/**
 * tlbh_flush_mmu - flush, then free tables and pages (tlb_flush_mmu)
 * @tlb: gather
 */
void tlbh_flush_mmu(struct tlbh_gather *tlb)
{
	tlbh_flush_tlbonly(tlb);
	free_tables(tlb);
	free_gathered_pages(tlb);
}

/* ------------------------------------------------------------------ */
/* Page batching                                                        */

static bool next_batch(struct tlbh_gather *tlb)
{
	struct tlbh_mm *mm = tlb->mm;
	struct tlbh_page_batch *batch = tlb->active;

	/* Keep delayed-rmap pages in the bundle: flush before spilling. */
	if (tlb->delayed_rmap && batch != &tlb->local)
		return false;
	if (batch->next) {
		tlb->active = batch->next;
		return true;
	}
	if (tlb->batch_count == TLBH_GATHER_BATCH_COUNT)
		return false;
	batch = mm->ops->alloc_batch(mm->priv);
	if (!batch) {
		mm->stats.batch_alloc_failed++;
		return false;
	}
	tlb->batch_count++;
	batch->next = NULL;
	batch->nr = 0;
	batch->max = TLBH_GATHER_BATCH;
	tlb->active->next = batch;
	tlb->active = batch;
	return true;
}

/*
 * Add one entry to the active batch page and move on when it is full:
 * at max entries, or one early with the pair reserve (6.12 on), which
 * keeps room for the two entries a multi-page folio takes.
 *
 * Return: true when no further batch page can be had: flush now.
 */
static bool queue_entry(struct tlbh_gather *tlb, unsigned long entry)
{
	struct tlbh_page_batch *batch = tlb->active;
	unsigned int full = batch->max;

	if (tlbh_rule(tlb->mm, TLBH_RULE_BATCH_PAIR_RESERVE))
		full--;
	batch->entries[batch->nr++] = entry;
	return batch->nr >= full && !next_batch(tlb);
}

/**
 * tlbh_remove_page - queue a page to be freed after the flush
 * @tlb: gather
 * @pfn: page frame
 * @page_size: size of the mapping the page came from
 * @delay_rmap: remove the rmap only after the flush
 *
 * Without the delayed-rmap rule (v6.1) the rmap is removed at once.
 *
 * Return: true when the batch is full and the caller must flush before
 * queueing more (__tlb_remove_page_size).
 */
bool tlbh_remove_page(struct tlbh_gather *tlb, unsigned long pfn,
		      unsigned int page_size, bool delay_rmap)
{
	struct tlbh_mm *mm = tlb->mm;

	WARN_ON_ONCE(!tlb->end && !tlb->fullmm);
	if (delay_rmap && !tlbh_rule(mm, TLBH_RULE_DELAYED_RMAP)) {
		if (mm->ops->remove_rmap)
			mm->ops->remove_rmap(mm->priv, pfn);
		delay_rmap = false;
	}
	if (delay_rmap)
		tlb->delayed_rmap = 1;
	return queue_entry(tlb, pfn << TLBH_ENTRY_SHIFT |
			   (delay_rmap ? TLBH_ENTRY_DELAY_RMAP : 0));
}

/**
 * tlbh_change_page_size - note the size of the pages being gathered
 * @tlb: gather
 * @page_size: new page size
 *
 * With page-size tracking, a change flushes first, unless everything is
 * flushed at the end anyway.
 */
void tlbh_change_page_size(struct tlbh_gather *tlb, unsigned int page_size)
{
	if (!tlb->mm->arch.page_size_tracking)
		return;
	if (tlb->page_size && tlb->page_size != page_size &&
	    !tlb->fullmm && !tlb->need_flush_all)
		tlbh_flush_mmu(tlb);
	tlb->page_size = page_size;
}

/* ------------------------------------------------------------------ */
/* Table freeing                                                        */

/**
 * tlbh_remove_table - queue a page-table page (tlb_remove_table)
 * @tlb: gather
 * @table_pfn: the table page
 *
 * When no batch page can be had, invalidate now, wait for lockless
 * walkers, and free this one table at once.
 */
void tlbh_remove_table(struct tlbh_gather *tlb, unsigned long table_pfn)
{
	struct tlbh_mm *mm = tlb->mm;

	if (!tlb->tables) {
		tlb->tables = mm->ops->alloc_batch(mm->priv);
		if (!tlb->tables) {
			mm->stats.batch_alloc_failed++;
			table_invalidate(tlb);
			check_table_free(tlb);
			mm->ops->sync_table_free(mm->priv);
			free_table_now(mm, table_pfn);
			return;
		}
		tlb->tables->nr = 0;
	}
	tlb->tables->tables[tlb->tables->nr++] = table_pfn;
	if (tlb->tables->nr == TLBH_TABLE_BATCH)
		free_tables(tlb);
}

/**
 * tlbh_free_table - a page table was unhooked (p?d_free_tlb)
 * @tlb: gather
 * @level: level of the freed table (TLBH_LEVEL_PTE: a PTE table)
 * @table_pfn: the table page
 * @addr: an address the table mapped
 *
 * The entry pointing to the table, one level up, counts as cleared.  With
 * the RCU table batch (7.2) the table waits in its own batch, freed after
 * the flush and a grace period; else (6.x on native x86) it joins the page
 * batch and is freed with the pages after the flush, the IPI to every CPU
 * of the mm (freed_tables) holding lockless walkers off.  A full page
 * batch flushes and frees at once, as tlb_remove_page() does.
 */
void tlbh_free_table(struct tlbh_gather *tlb, enum tlbh_level level,
		     unsigned long table_pfn, unsigned long addr)
{
	struct tlbh_mm *mm = tlb->mm;

	if (level == TLBH_LEVEL_P4D)
		tlbh_adjust_range(tlb, addr, TLBH_PAGE_SIZE);
	else
		tlbh_track_clear(tlb, addr, TLBH_PAGE_SIZE, level + 1);
	tlb->freed_tables = 1;
	if (mm->arch.need_flush_all && level != TLBH_LEVEL_PTE)
		tlb->need_flush_all = 1;

	/*
	 * A broadcast flush interrupts nobody, so it cannot hold GUP-fast
	 * off: with INVLPGB tables always wait for an RCU grace period, as
	 * x86 made MMU_GATHER_RCU_TABLE_FREE unconditional before it used
	 * INVLPGB.
	 */
	if (tlbh_rule(mm, TLBH_RULE_TABLE_RCU_BATCH) || mm->arch.invlpgb) {
		tlbh_remove_table(tlb, table_pfn);
		return;
	}
	if (queue_entry(tlb, table_pfn << TLBH_ENTRY_SHIFT | TLBH_ENTRY_TABLE))
		tlbh_flush_mmu(tlb);
}

/* ------------------------------------------------------------------ */
/* VMAs                                                                 */

static void update_vma_flags(struct tlbh_gather *tlb,
			     const struct tlbh_vma *vma)
{
	bool pfn = vma->flags & (TLBH_VM_PFNMAP | TLBH_VM_MIXEDMAP);

	tlb->vma_huge = !!(vma->flags & TLBH_VM_HUGETLB);
	tlb->vma_exec = !!(vma->flags & TLBH_VM_EXEC);
	if (tlbh_rule(tlb->mm, TLBH_RULE_VMA_PFN_STICKY))
		tlb->vma_pfn |= pfn;
	else
		tlb->vma_pfn = pfn;
}

/**
 * tlbh_start_vma - begin zapping a VMA (tlb_start_vma)
 * @tlb: gather
 * @vma: the VMA
 *
 * Nothing to do for a full-mm gather.  Under the LUF VMA-flag rule a
 * VMA marked by LUF makes this gather pay the owed flush.
 */
void tlbh_start_vma(struct tlbh_gather *tlb, const struct tlbh_vma *vma)
{
	if (tlb->fullmm)
		return;
	update_vma_flags(tlb, vma);
	if (vma->luf_deferred) {
		if (tlbh_rule(tlb->mm, TLBH_RULE_LUF_VMA_FLAG))
			tlb->luf_flush = 1;
		else
			tlb->luf_missed = 1;
	}
}

/**
 * tlbh_end_vma - done zapping a VMA (tlb_end_vma)
 * @tlb: gather
 * @vma: the VMA
 *
 * Flush at every VMA boundary unless the arch merges VMAs; with the
 * v6.1 rule, PFNMAP VMAs are flushed even then.
 */
void tlbh_end_vma(struct tlbh_gather *tlb, const struct tlbh_vma *vma)
{
	if (tlb->fullmm)
		return;
	if (!tlb->mm->arch.merge_vmas ||
	    (tlbh_rule(tlb->mm, TLBH_RULE_PFNMAP_END_VMA) && tlb->vma_pfn))
		tlbh_flush_tlbonly(tlb);
}

/**
 * tlbh_free_vmas - VMAs are about to be unlinked (tlb_free_vmas)
 * @tlb: gather
 *
 * Called once before the free_pgtables loop: flush pending PFNMAP
 * entries, since nothing else will find them once the VMAs are gone.
 */
void tlbh_free_vmas(struct tlbh_gather *tlb)
{
	if (tlb->fullmm)
		return;
	if (tlbh_rule(tlb->mm, TLBH_RULE_PFNMAP_FREE_VMAS) && tlb->vma_pfn)
		tlbh_flush_tlbonly(tlb);
}

/**
 * tlbh_unlink_vma - one VMA is about to be unlinked (free_pgtables loop)
 * @tlb: gather
 * @vma: the VMA
 *
 * Under the per-VMA rule, a PFNMAP VMA with pending PFN entries is
 * flushed here.  Then the invariant: a PFNMAP VMA must not be unlinked
 * while entries inside it are unflushed.
 */
void tlbh_unlink_vma(struct tlbh_gather *tlb, const struct tlbh_vma *vma)
{
	bool pfn = vma->flags & (TLBH_VM_PFNMAP | TLBH_VM_MIXEDMAP);

	if (tlb->fullmm || !pfn)
		return;
	if (tlbh_rule(tlb->mm, TLBH_RULE_PFNMAP_PER_VMA) && tlb->vma_pfn)
		tlbh_flush_tlbonly(tlb);
	if (audit_overlaps(tlb, vma->start, vma->end))
		tlbh_report(tlb->mm, TLBH_VIOL_PFNMAP_UNLINK, vma->start,
			    "PFNMAP VMA unlinked before its entries were flushed");
}

/* ------------------------------------------------------------------ */
/* Gather lifecycle and nesting                                         */

/**
 * tlbh_gather - start a gather (tlb_gather_mmu, tlb_gather_mmu_fullmm)
 * @tlb: gather to initialise
 * @mm: address space
 * @fullmm: the whole address space goes away (exit, execve)
 */
void tlbh_gather(struct tlbh_gather *tlb, struct tlbh_mm *mm, bool fullmm)
{
	memset(tlb, 0, sizeof(*tlb));
	tlb->mm = mm;
	tlb->fullmm = fullmm;
	tlb->local.max = TLBH_GATHER_BUNDLE;
	tlb->active = &tlb->local;
	reset_range(tlb);
	reset_audit(tlb);
	tlbh_inc_flush_pending(mm);
	mm->stats.gathers++;
	if (mm->ops->gather_event)
		mm->ops->gather_event(mm->priv, true, fullmm);
}

/**
 * tlbh_finish - end a gather: flush, free, release (tlb_finish_mmu)
 * @tlb: gather
 *
 * If another gather ran concurrently, its flush may still be pending
 * for entries this one found already cleared: flush everything, with
 * freed_tables so that no level hint is trusted.
 */
void tlbh_finish(struct tlbh_gather *tlb)
{
	struct tlbh_mm *mm = tlb->mm;
	struct tlbh_page_batch *batch, *next;

	if (tlbh_flush_nested(mm)) {
		if (tlbh_rule(mm, TLBH_RULE_NESTED_FLUSH)) {
			tlb->fullmm = 1;
			reset_range(tlb);
			tlb->freed_tables = 1;
		} else if (!tlbh_needs_flush(tlb)) {
			tlbh_report(mm, TLBH_VIOL_NESTED_SKIP, 0,
				    "concurrent gather in flight, flush skipped");
		}
	}
	tlbh_flush_mmu(tlb);
	if (tlb->luf_missed && mm->luf_pending)
		tlbh_report(mm, TLBH_VIOL_LUF_HOLE, 0,
			    "unmapped a VMA whose LUF flush is still owed");
	for (batch = tlb->local.next; batch; batch = next) {
		next = batch->next;
		mm->ops->free_batch(mm->priv, batch);
	}
	tlb->local.next = NULL;
	tlbh_dec_flush_pending(mm);
	if (mm->ops->gather_event)
		mm->ops->gather_event(mm->priv, false, tlb->fullmm);
}

/**
 * tlbh_abandon - drop an open gather without flushing or freeing
 * @tlb: gather
 *
 * Only for an address space that goes away as a whole while one of its
 * operations is held open: the owner then flushes every CPU and takes
 * every page back itself.  Releases the batch storage and the count of
 * pending flushes; the page and table numbers in the batches are
 * forgotten.
 */
void tlbh_abandon(struct tlbh_gather *tlb)
{
	struct tlbh_mm *mm = tlb->mm;
	struct tlbh_page_batch *batch, *next;

	for (batch = tlb->local.next; batch; batch = next) {
		next = batch->next;
		mm->ops->free_batch(mm->priv, batch);
	}
	tlb->local.next = NULL;
	if (tlb->tables) {
		mm->ops->free_batch(mm->priv, tlb->tables);
		tlb->tables = NULL;
	}
	tlbh_dec_flush_pending(mm);
}

/* ------------------------------------------------------------------ */
/* Reclaim: the deferred-flush batch                                    */

/**
 * tlbh_should_defer_flush - may reclaim batch this flush
 * @mm: address space
 * @batch_flush: the caller passed TTU_BATCH_FLUSH
 *
 * Return: true if batching was asked for and another CPU has the mm.
 */
bool tlbh_should_defer_flush(struct tlbh_mm *mm, bool batch_flush)
{
	tlbh_cpus_t self = TLBH_CPU(mm->ops->this_cpu(mm->priv));

	return batch_flush && (mm->ops->mm_cpus(mm->priv) & ~self);
}

/**
 * tlbh_reclaim_defer - a PTE was cleared, its flush deferred
 * @mm: address space
 * @b: the reclaimer's batch
 * @writable: the entry was dirty: flush before writeback
 *
 * Callers skip this for an entry that was not accessible.
 */
void tlbh_reclaim_defer(struct tlbh_mm *mm, struct tlbh_reclaim_batch *b,
			bool writable)
{
	new_generation(mm);
	b->cpus |= mm->ops->mm_cpus(mm->priv);
	b->flush_required = true;
	atomic_inc(&mm->batched_pending);
	if (writable)
		b->writable = true;
}

/**
 * tlbh_reclaim_flush - flush a reclaim batch (try_to_unmap_flush)
 * @mm: address space used to reach the backend
 * @b: the batch
 *
 * x86 always flushes everything here, on the CPUs gathered in the batch.
 */
void tlbh_reclaim_flush(struct tlbh_mm *mm, struct tlbh_reclaim_batch *b)
{
	struct tlbh_flush f = {
		.end = TLBH_FLUSH_ALL,
		.stride_shift = TLBH_PAGE_SHIFT,
		.full = true,
		.reason = "reclaim-batch",
	};
	tlbh_cpus_t self = TLBH_CPU(mm->ops->this_cpu(mm->priv));

	if (!b->flush_required)
		return;
	if (mm->arch.invlpgb) {
		/* invlpgb_flush_all_nonglobals(): every CPU, every ASID */
		f.broadcast = true;
		f.cpus = TLBH_ALL_CPUS;
	} else if (b->cpus & ~self) {
		f.cpus = b->cpus & ~mm->ops->lazy_cpus(mm->priv);
	} else {
		f.cpus = b->cpus & self;
	}
	b->cpus = 0;
	b->flush_required = false;
	b->writable = false;
	if (f.cpus)
		send_flush(mm, &f);
}

/**
 * tlbh_flush_batched_pending - pay a deferred reclaim flush, under PTL
 * @mm: address space
 *
 * Called before changing PTEs (zap, mprotect, mremap) so that a PTE seen
 * empty is not still cached by a CPU from a reclaim batch.
 */
void tlbh_flush_batched_pending(struct tlbh_mm *mm)
{
	int pending = atomic_read(&mm->batched_pending);

	if (pending == atomic_read(&mm->batched_flushed))
		return;
	if (!tlbh_rule(mm, TLBH_RULE_BATCHED_PENDING)) {
		tlbh_report(mm, TLBH_VIOL_BATCHED_PENDING, 0,
			    "PTEs changed while a reclaim flush is deferred");
		return;
	}
	tlbh_flush_tlb_mm(mm, "batched-pending");
	atomic_set(&mm->batched_flushed, pending);
}
