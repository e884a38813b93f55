/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_space.h - a space and the files that serve it.
 *
 * A space (Documentation/spaces.rst) is an mmap of /dev/tlbh whose page
 * tables the harness builds and whose flushes the engine decides:
 *   tlbh_space.c  life cycle: mmap, VMA callbacks, enter/leave, release
 *   tlbh_pool.c   the stamped pages it maps, their quarantine, drains
 *   tlbh_pt.c     its page tables, the park area, the pt_ops of the
 *                 operation drivers on real tables
 *   tlbh_hw.c     the x86 backend: IPIs, INVLPG/INVPCID, CR3 reload,
 *                 tlb_gen, lazy CPUs
 *   tlbh_probe.c  the kernel probe
 *   tlbh_cmd.c    the commands that act on a space
 */
#ifndef _TLBH_SPACE_H
#define _TLBH_SPACE_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <uapi/linux/tlbh.h>

#include "tlbh_engine.h"
#include "tlbh_op.h"
#include "tlbh_policy.h"

struct file;
struct mm_struct;
struct vm_area_struct;
struct tlbh_file;

/* Per-CPU counters of a space, written only by that CPU. */
struct tlbh_cpu_stat {
	u64 handled;
	u64 pages;
	u64 full;
	u64 skipped;
	u64 probes;
	u64 stale;
};

/* What a space holds open between commands (TLBH_HOLD). */
enum tlbh_held {
	TLBH_HELD_NONE,
	TLBH_HELD_ZAP,		/* @held_op: zap before tlb_finish_mmu */
	TLBH_HELD_UNMAP,	/* @held_op: munmap before tlb_finish_mmu */
	TLBH_HELD_RECLAIM,	/* @reclaim: walked, rmap lock held */
};

/**
 * struct tlbh_space - one space (an mmap of /dev/tlbh)
 * @ref: one reference for the open file, one per VMA
 * @lock: serialises every command on the space
 * @mm: the address space that mapped it (mmgrab'd)
 * @base: user address of the mapping
 * @size: bytes mapped
 * @data_size: bytes of the data area (lower half)
 * @id: identity field of the space
 * @next_gen: next generation to stamp
 * @policy_base: the named policy SET_POLICY chose
 * @policy: the rule set in force: @policy_base with rules added/dropped
 * @engine: engine state
 * @vm: what the operations see: @engine and the page tables of @mm
 * @reclaim: the reclaimer of TLBH_IOC_RECLAIM
 * @vmas: harness VMAs (absolute addresses)
 * @nr_vmas: number of @vmas
 * @pool: struct tlbh_pool_page of every pool page, by pfn
 * @pages: pool pages owned and not quarantined
 * @quarantine: pages waiting for a full flush on every CPU
 * @nr_pages: pages on both lists
 * @nr_quarantined: pages on @quarantine
 * @park_ok: park slots whose table the engine has released
 * @locks: TLBH_LOCK_* bits held by operations of the engine
 * @held: the operation TLBH_HOLD left open, if any
 * @held_batch: the held RECLAIM was asked to batch its flush
 * @held_op: the gather of a held ZAP or UNMAP
 * @inject_batch_fail: batch-page allocations still to fail (TLBH_IOC_INJECT)
 * @next_trim: jiffies of the engine's next mm_cpumask trim (7.2's
 *	once-a-second should_trim_cpumask, kept per space: the mm's own is
 *	the kernel's)
 * @targets: scratch CPU mask for IPIs
 * @cnt: TLBH_CNT_* counters
 * @cpu: per-CPU counters, first TLBH_MAX_CPUS CPUs
 */
struct tlbh_space {
	struct kref ref;
	struct mutex lock;	/* serialises commands */
	struct mm_struct *mm;
	unsigned long base;
	unsigned long size;
	unsigned long data_size;
	u64 id;
	u64 next_gen;
	const struct tlbh_policy *policy_base;
	struct tlbh_policy policy;
	struct tlbh_mm engine;
	struct tlbh_vm vm;
	struct tlbh_reclaim reclaim;
	struct tlbh_vma vmas[TLBH_MAX_VMAS];
	unsigned int nr_vmas;
	struct xarray pool;
	struct list_head pages;
	struct list_head quarantine;
	unsigned long nr_pages;
	unsigned long nr_quarantined;
	unsigned long *park_ok;
	unsigned long locks;
	enum tlbh_held held;
	bool held_batch;
	struct tlbh_op held_op;
	unsigned int inject_batch_fail;
	unsigned long next_trim;
	cpumask_var_t targets;
	atomic64_t cnt[TLBH_CNT_NR];
	struct tlbh_cpu_stat cpu[TLBH_MAX_CPUS];
};

/* tlbh_space.c */
extern unsigned int tlbh_max_pages;
extern unsigned int tlbh_max_spaces;
unsigned int tlbh_nr_spaces(void);
int tlbh_space_mmap(struct tlbh_file *tf, struct vm_area_struct *vma);
void tlbh_space_put(struct tlbh_space *sp);
/* Entering a space for a command: mutex, then mmap lock (read/write). */
int tlbh_space_enter(struct tlbh_space *sp, bool write);
bool tlbh_space_mapped(struct tlbh_space *sp);
void tlbh_space_leave(struct tlbh_space *sp, bool write);

/* tlbh_pool.c */
/*
 * A pool page and what the module knows of it, kept in the space's
 * xarray by pfn: the page's struct page is never used for the module's
 * own bookkeeping.
 */
struct tlbh_pool_page {
	struct list_head link;		/* sp->pages or sp->quarantine */
	struct page *page;
	unsigned int maps;		/* PTEs of the space mapping it */
	bool quarantined;		/* never mapped again */
};

extern unsigned long tlbh_max_pool_pages;
extern unsigned int tlbh_max_quarantine;
long tlbh_pool_pages(void);
struct tlbh_pool_page *tlbh_pool_alloc(struct tlbh_space *sp,
				       unsigned long addr);
struct tlbh_pool_page *tlbh_pool_page(struct tlbh_space *sp,
				      unsigned long pfn);
void tlbh_quarantine(struct tlbh_space *sp, struct tlbh_pool_page *pp);
void tlbh_pool_free(struct tlbh_space *sp, unsigned long pfn);
void tlbh_pool_unalloc(struct tlbh_space *sp, struct tlbh_pool_page *pp);
void tlbh_pool_release(struct tlbh_space *sp, struct list_head *list);
unsigned long tlbh_pool_drain(struct tlbh_space *sp);

/* tlbh_pt.c (callers hold the space, the mmap lock for writing) */
extern const struct tlbh_pt_ops tlbh_hw_pt_ops;
int tlbh_pt_populate(struct tlbh_space *sp, unsigned long addr,
		     unsigned long len, bool writable, u64 *mapped);
int tlbh_pt_remap(struct tlbh_space *sp, unsigned long addr,
		  unsigned long len, u64 *replaced);
int tlbh_pt_ensure_table(struct tlbh_space *sp, unsigned long addr);
u64 tlbh_pt_identity(struct tlbh_space *sp, unsigned long addr, u64 *flags);
bool tlbh_pt_has_table(struct tlbh_space *sp, unsigned long addr);
unsigned long tlbh_pt_count_tables(struct tlbh_space *sp, bool park);
void tlbh_park_release(struct tlbh_space *sp, unsigned long table_pfn);

/* tlbh_hw.c */
extern const struct tlbh_backend_ops tlbh_hw_backend_ops;
bool tlbh_hw_supported(void);
/* No CPU can reach the space's pages afterwards (drain, release). */
void tlbh_hw_flush_everywhere(struct tlbh_space *sp);

/* tlbh_probe.c: read @addr on @cpu through the space's mm (no locks held) */
int tlbh_probe_read(struct tlbh_space *sp, unsigned int cpu,
		    unsigned long addr, u64 *val);

#endif /* _TLBH_SPACE_H */
