/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ref_tlb.h - the reference model of per-CPU TLBs
 *
 * An oracle that knows nothing of the engine: per CPU, the leaf
 * translations that accesses filled while a page was mapped, and the
 * paging-structure entries (a PMD pointing to a PTE table) that walks
 * filled.  Only a flush the backend receives removes them, and only on
 * the CPUs the flush targets, only where it covers them, the way x86
 * INVLPG and full flushes do: each stride address of a ranged flush
 * drops the translation of that page and any huge translation around
 * it, and, as INVLPG does, every paging-structure entry of the CPU; a
 * full flush drops everything.
 *
 * struct ref_x86 (below) puts these TLBs on CPUs that switch mm, with
 * PCID, generations, lazy TLB mode, mm_cpumask, INVLPGB and lockless
 * walkers; flushes then go through it.
 *
 * The property test (engine_property.c, with struct ref_x86) and the
 * explorer (explore.c, through space_model.c, with the TLBs alone) both
 * judge the engine against this one model.
 */
#ifndef _TLBH_REF_TLB_H
#define _TLBH_REF_TLB_H

#include "tlbh_engine.h"

/* CPUs the model keeps translations for. */
#define REF_CPUS	4
/* Translations per CPU; filling a full CPU evicts its oldest one. */
#define REF_LEAVES	128
/* Paging-structure entries per CPU. */
#define REF_WALKS	8

/**
 * struct ref_leaf - one cached translation
 * @va: address of the page the access went to
 * @pfn: frame it translated to
 * @writable: the entry allows writes
 * @huge: it came from a PMD-level leaf: invalidating any address of
 *	that PMD drops it
 */
struct ref_leaf {
	unsigned long va;
	u32 pfn;
	u8 writable;
	u8 huge;
};

/**
 * struct ref_walk - one cached paging-structure entry
 * @va: PMD-aligned address the entry maps
 * @table: PTE table frame it points to
 */
struct ref_walk {
	unsigned long va;
	unsigned long table;
};

struct ref_cpu {
	unsigned int nr_leaves;
	unsigned int nr_walks;
	struct ref_leaf leaf[REF_LEAVES];
	struct ref_walk walk[REF_WALKS];
};

struct ref_tlb {
	struct ref_cpu cpu[REF_CPUS];
};

void ref_tlb_init(struct ref_tlb *t);

/* The translation @cpu caches for the page at @va, or NULL. */
const struct ref_leaf *ref_tlb_lookup(const struct ref_tlb *t,
				      unsigned int cpu, unsigned long va);
/* An access through a present entry: @cpu now caches it. */
void ref_tlb_fill(struct ref_tlb *t, unsigned int cpu, unsigned long va,
		  unsigned long pfn, bool writable, bool huge);
/* A walk through the PMD of @va: @cpu caches its pointer to @table. */
void ref_tlb_fill_walk(struct ref_tlb *t, unsigned int cpu,
		       unsigned long va, unsigned long table);
/* Forget one translation (the hardware may always do so). */
void ref_tlb_drop(struct ref_tlb *t, unsigned int cpu, unsigned long va);
/* Forget everything @cpu caches. */
void ref_tlb_drop_cpu(struct ref_tlb *t, unsigned int cpu);
/* A flush the backend received: apply it to the CPUs it targets. */
void ref_tlb_flush(struct ref_tlb *t, const struct tlbh_flush *f);

/*
 * The first CPU of @cpus that still translates some page to @pfn, with
 * the lowest such address in @va; -1 if none.
 */
int ref_tlb_find_pfn(const struct ref_tlb *t, tlbh_cpus_t cpus,
		     unsigned long pfn, unsigned long *va);
/*
 * The first CPU of @cpus that caches a pointer to PTE table @table,
 * with the lowest address it caches it for in @va; -1 if none.
 */
int ref_tlb_find_table(const struct ref_tlb *t, tlbh_cpus_t cpus,
		       unsigned long table, unsigned long *va);

/* ------------------------------------------------------------------ */
/* The CPUs around the TLBs                                             */

/*
 * struct ref_x86 puts struct ref_tlb on CPUs that switch mm, the way x86
 * does it, for one mm (ours; every other mm is "another"):
 *
 *  - per CPU, what is loaded: a task of ours (it accesses and walks), a
 *    kernel thread borrowing ours (lazy TLB mode: no access, but the
 *    hardware may walk our tables speculatively), or another mm; the
 *    per-CPU lazy flag (is_lazy), whichever mm it is lazy in;
 *  - mm_cpumask as the release keeps it: 6.x clears a CPU when it
 *    switches away, 7.2 (@lazy_cpumask) only when a flush for the mm
 *    reaches it while another mm is loaded ("wrong CPU"), and then
 *    without flushing;
 *  - PCID: a CPU switching away keeps our entries under our ASID, and
 *    switching back compares the generation of that ASID slot with the
 *    mm's (choose_new_asid, the lazy return of switch_mm_irqs_off) and
 *    flushes everything if behind.  Without PCID (as under TCG) a switch
 *    away drops everything and a switch back always flushes;
 *  - flushes as flush_tlb_func executes them: a CPU that runs another mm
 *    ignores one, a lazy CPU switches to init_mm instead (its generation
 *    stays behind), a CPU already at the mm's generation does nothing, a
 *    ranged request is carried out ranged only when the CPU is exactly
 *    one generation behind, else in full; the CPU is then up to date;
 *  - INVLPGB: once the mm has a global ASID, CPUs take it when they next
 *    switch in or get a flush IPI (the entries under their old ASID are
 *    then never used again), need no flush to switch in, ignore flush
 *    IPIs, and are kept up to date by broadcasts, which reach every CPU
 *    whatever it runs, but only entries under the global ASID;
 *  - lockless walkers (GUP-fast): interrupts off on a CPU that runs our
 *    mm, a PTE table pointer held from start to end.  An IPI is taken
 *    only once the walker has ended (the sender waits); an RCU grace
 *    period waits for every walker; a broadcast waits for nobody.
 *
 * Reachability, as the checks need it: a CPU running ours uses its leaf
 * entries; one that does not uses them again without a flush only if it
 * would come back without one (same generation, or the global ASID);
 * paging-structure entries are also reached by speculative walks of a
 * lazy CPU.
 *
 * The space model (space_model.c) uses struct ref_tlb alone.
 */
enum ref_load {
	REF_RUN,	/* a task of our mm runs */
	REF_LAZY,	/* a kernel thread borrows our mm */
	REF_OTHER,	/* another mm, or init_mm, is loaded */
};

/**
 * struct ref_x86_cpu - one CPU as switch_mm and flush_tlb_func see it
 * @load: enum ref_load
 * @lazy: cpu_tlbstate_shared.is_lazy (with REF_OTHER: lazy in another mm)
 * @in_mask: set in our mm_cpumask
 * @global: its entries for our mm are under the mm's global ASID
 * @walking: a GUP-fast walker runs here, interrupts off
 * @gen: tlb_gen of our ASID slot: what the CPU's TLB is up to date with
 * @walk_va: address the walker walks
 * @walk_table: PTE table the walker holds a pointer to
 */
struct ref_x86_cpu {
	u8 load;
	bool lazy;
	bool in_mask;
	bool global;
	bool walking;
	u64 gen;
	unsigned long walk_va;
	unsigned long walk_table;
};

/**
 * struct ref_x86 - the TLBs and the CPUs
 * @tlb: what each CPU caches for our mm
 * @cpu: per-CPU state
 * @gen: the mm's tlb_gen
 * @pcid: CPUs keep our entries while another mm runs
 * @lazy_cpumask: 7.2's mm_cpumask maintenance
 * @global_asid: the mm has a global ASID (INVLPGB)
 * @ipi_no_wait: a deliberately wrong model, for showing that the tests
 *	depend on it: IPIs reach a CPU with interrupts off at once
 * @switch_back_no_flush: ... switching back in never flushes
 * @wrong_cpu_catches_up: ... a CPU that ignores a flush because another
 *	mm is loaded counts as up to date
 * @stats: what happened, for coverage reports
 */
struct ref_x86 {
	struct ref_tlb tlb;
	struct ref_x86_cpu cpu[REF_CPUS];
	u64 gen;
	bool pcid;
	bool lazy_cpumask;
	bool global_asid;
	bool ipi_no_wait;
	bool switch_back_no_flush;
	bool wrong_cpu_catches_up;
	struct {
		u64 switches;		/* context switches */
		u64 switch_flushes;	/* ... that flushed (generation behind) */
		u64 wrong_cpu;		/* flushes ignored: another mm loaded */
		u64 mask_trimmed;	/* ... that removed the CPU (7.2) */
		u64 lazy_to_init;	/* lazy CPUs that switched to init_mm */
		u64 gen_skips;		/* flushes a CPU already up to date skipped */
		u64 promoted;		/* ranged requests carried out in full */
		u64 to_global;		/* CPUs that took the global ASID */
		u64 ipi_waits;		/* IPIs that waited for a walker */
		u64 rcu_waits;		/* walkers an RCU grace period waited for */
	} stats;
};

void ref_x86_init(struct ref_x86 *x, bool pcid, bool lazy_cpumask);
/* Initial state of a CPU (before anything is cached). */
void ref_x86_place(struct ref_x86 *x, unsigned int cpu, enum ref_load load,
		   bool lazy, bool in_mask);
/*
 * Context switch of @cpu to @to (@lazy: with REF_OTHER, into a kernel
 * thread of that mm).  REF_LAZY only from REF_RUN.  Returns true when
 * the switch flushed the TLB.
 */
bool ref_x86_switch(struct ref_x86 *x, unsigned int cpu, enum ref_load to,
		    bool lazy);
/* inc_mm_tlb_gen() */
void ref_x86_new_gen(struct ref_x86 *x);
/* use_global_asid(): the mm gets a global ASID (needs PCID) */
void ref_x86_use_global_asid(struct ref_x86 *x);
/*
 * Carry out flush request @f sent from @self: on each CPU of @f->cpus as
 * flush_tlb_func does (an IPI for the others), or, for @f->broadcast,
 * by INVLPGB on every CPU.  @mm_less: the request has no mm
 * (arch_tlbbatch_flush): no generation to compare with, no "wrong CPU",
 * and a broadcast of it flushes every ASID.
 */
void ref_x86_flush(struct ref_x86 *x, const struct tlbh_flush *f,
		   unsigned int self, bool mm_less);

/* CPUs in our mm_cpumask */
tlbh_cpus_t ref_x86_mask(const struct ref_x86 *x);
/* CPUs whose @load is @load */
tlbh_cpus_t ref_x86_load(const struct ref_x86 *x, enum ref_load load);
/* CPUs whose lazy flag is set */
tlbh_cpus_t ref_x86_lazy(const struct ref_x86 *x);
/* CPUs with a walker in flight */
tlbh_cpus_t ref_x86_walking(const struct ref_x86 *x);
/* CPUs whose leaf entries may be used before the next flush reaches them */
tlbh_cpus_t ref_x86_leaf_reach(const struct ref_x86 *x);
/* ... whose paging-structure entries may (speculation included) */
tlbh_cpus_t ref_x86_walk_reach(const struct ref_x86 *x);

/* A GUP-fast walker starts on @cpu (running our mm), holding @table. */
void ref_x86_walk_begin(struct ref_x86 *x, unsigned int cpu,
			unsigned long va, unsigned long table);
/* ... and ends: interrupts on again. */
void ref_x86_walk_end(struct ref_x86 *x, unsigned int cpu);
/* The CPU whose walker holds @table (its address in @va), or -1. */
int ref_x86_walker_of(const struct ref_x86 *x, unsigned long table,
		      unsigned long *va);
/* An RCU grace period: every walker in flight ends first. */
void ref_x86_rcu_sync(struct ref_x86 *x);

#endif /* _TLBH_REF_TLB_H */
