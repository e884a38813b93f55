// SPDX-License-Identifier: GPL-2.0
/*
 * engine_property.c - random operation sequences against a reference TLB
 *
 * For every policy and every kind of CPU (x86 with PCID, without it as
 * under TCG, and with INVLPGB), random interleavings of user accesses,
 * speculative walks, context switches, GUP-fast walkers, madvise, munmap
 * (whole or split around a concurrent unmap_mapping_range), mmap,
 * mprotect, mremap, clear_refs and a reclaimer (rmap walk, unmap, batch
 * flush) run through the op drivers and the engine on the model page
 * table.
 *
 * The reference model (ref_tlb.c) is independent of the engine: per CPU
 * it keeps the translations filled by accesses while mapped (and the
 * paging-structure entries filled by walks, speculative ones of lazy
 * CPUs included) and drops them only when a flush the backend receives
 * reaches that CPU and covers them, the way x86 INVLPG, INVLPGB and full
 * flushes do.  Around the TLBs it keeps the CPUs (struct ref_x86): which
 * mm each has loaded, the generations, mm_cpumask as the release keeps
 * it (6.x: a CPU leaves it when it switches away; 7.2: when a flush
 * finds it in another mm), the global ASID, and the walkers.  The
 * backend answers the engine from that state (mm_cpus, lazy_cpus,
 * loaded_cpus, the once-a-"second" trim_cpumask, global_asid as
 * consider_global_asid would), and between its last answer and what the
 * engine does next, CPUs other than the engine's own may switch.
 * Tables are freed after sync_table_free, an RCU grace period, which
 * waits for the walkers; an IPI waits for a walker's CPU to enable
 * interrupts again; a broadcast waits for nobody.  It checks:
 *
 *  - reuse: no page is freed (or, under LUF, reused) and no page table
 *    is freed while some CPU may still reach it (a CPU that does not run
 *    the mm reaches what it caches if it would come back to the mm
 *    without a flush), nor while a walker holds it;
 *  - completion: when madvise, munmap, mremap or unmap_mapping_range
 *    returns, no CPU translates the range; when mprotect(PROT_READ) or
 *    clear_refs returns, no CPU holds a writable entry the PTE denies;
 *  - hugetlb: a fault never finds the pool empty while the zapped huge
 *    page is still waiting in a gather.
 *
 * Fixed policies must never break these; every buggy one must.  One TAP
 * line per policy and kind of CPU; the seeds are printed.
 *
 *   engine_property [-s SEED [-S]] [-n OPS] [-p POLICY] [-a ARCH] [-v] [-t]
 *		     [-M WRONG]
 *
 * -a picks x86, x86-nopcid or x86-invlpgb; -v adds what the model saw
 * happen; -M runs a deliberately wrong model (ipi-no-wait,
 * switch-back-no-flush, wrong-cpu-catches-up), to show which checks
 * depend on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/kernel.h>

#include "ref_tlb.h"
#include "tlbh_engine_cases.h"
#include "tlbh_policy.h"

#define NCPU		REF_CPUS
#define SLOTS		TLBH_MODEL_PMDS
#define USED		16		/* pages used per PMD slot */
#define NPFN		1024		/* frames for pages and tables */
#define DEV_PFN		0x10000UL	/* PFNMAP frames */
#define HUGE_PFN	0x20000UL	/* the one hugetlb page */
#define EPISODE		300

#define TRIM_STEPS	32		/* steps per "second": mm_cpumask trim */
#define GLOBAL_SAMPLE	4		/* consider_global_asid looks 1 in N */

/*
 * The CPUs: x86 with PCID (our entries stay in the TLB while another mm
 * runs), without it (as under TCG: a switch drops them), and with
 * INVLPGB (which needs PCID): global ASIDs and broadcast flushes.
 */
struct variant {
	const char *name;
	bool pcid;
	bool invlpgb;
};

static const struct variant variants[] = {
	{ "x86", true, false },
	{ "x86-nopcid", false, false },
	{ "x86-invlpgb", true, true },
};

/* Deliberately wrong models (-M), to show what the checks depend on. */
#define WRONG_IPI_NO_WAIT	0x1
#define WRONG_SWITCH_NO_FLUSH	0x2
#define WRONG_CPU_CATCHES_UP	0x4
static unsigned int wrong_model;

enum vtype { V_NONE, V_ANON, V_FILE, V_PFN, V_HUGE };
enum frame { F_FREE, F_USED, F_LUF, F_TABLE };
enum huge { H_FREE, H_MAPPED, H_GATHERED };

struct world {
	const struct tlbh_policy *policy;
	struct tlbh_mm mm;
	struct tlbh_model_pt pt;
	struct tlbh_vm space;
	struct tlbh_vma vma[SLOTS];
	u8 vtype[SLOTS];
	bool vwritable[SLOTS];
	bool detached[SLOTS];
	bool linked[SLOTS];

	const struct variant *arch;
	unsigned int this_cpu;
	struct ref_x86 x;		/* the CPUs and their TLBs */
	bool race;			/* CPUs switch before the next event */
	u64 next_trim;			/* step of the next mm_cpumask trim */
	bool had_global;		/* the mm got a global ASID */
	unsigned long reclaimed;	/* the page reclaim unmapped last */
	u8 frame[NPFN];
	enum huge huge;

	struct tlbh_op zap[2];
	bool zap_open[2];
	unsigned int zap_slot[2], zap_lo[2], zap_hi[2];
	struct tlbh_op unmap;
	bool unmap_open;
	unsigned int unmap_first, unmap_nr;
	struct tlbh_reclaim rc;
	unsigned int readers;

	u64 now;			/* step number */
	u64 cur_op;			/* operation the step belongs to */
	u64 zap_id[2], unmap_id;
	u64 cleared_at[SLOTS * USED];	/* when a PTE was last cleared */
	u64 cleared_by[SLOTS * USED];	/* ... and by which operation */

	bool violated;
	char what[200];
	u64 engine_reports;
	u32 report_kinds;	/* engine reports, by enum tlbh_violation */
	u32 violated_kind;	/* what the reference model saw, NONE: a TLB check */
	u32 known_seen;		/* known hazards it saw, by enum tlbh_violation */
	u64 rng;		/* survives world_init() */
};

static bool verbose;
static bool trace;
static bool seed_only;

static u64 rnd(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static unsigned int pick(struct world *w, unsigned int n)
{
	return n ? rnd(w) % n : 0;
}

static unsigned long va(unsigned int slot, unsigned int page)
{
	return TLBH_MODEL_BASE + slot * TLBH_PMD_SIZE + page * TLBH_PAGE_SIZE;
}

/* CPUs free to run a step: not inside a walker, interrupts off. */
static tlbh_cpus_t idle(struct world *w)
{
	return (TLBH_CPU(NCPU) - 1) & ~ref_x86_walking(&w->x);
}

/* ... and running a task of the mm. */
static tlbh_cpus_t active(struct world *w)
{
	return ref_x86_load(&w->x, REF_RUN) & idle(w);
}

/*
 * The reference model saw a rule broken.  @kind names the hazard when it
 * is not a TLB coherency one; TLBH_VIOL_NONE for the TLB checks.  A
 * hazard the policy is known to have (struct tlbh_policy @known: its
 * release has that bug) is only noted, and the episode goes on, so that
 * it cannot hide the hazard a variant built on that release adds.
 */
static void hazard(struct world *w, enum tlbh_violation kind, const char *fmt,
		   unsigned long a, unsigned long b)
{
	if (kind != TLBH_VIOL_NONE && (w->policy->known & (1U << kind))) {
		w->known_seen |= 1U << kind;
		return;
	}
	if (w->violated)
		return;
	w->violated = true;
	w->violated_kind = kind;
	snprintf(w->what, sizeof(w->what), fmt, a, b);
}

static void violation(struct world *w, const char *fmt, unsigned long a,
		      unsigned long b)
{
	hazard(w, TLBH_VIOL_NONE, fmt, a, b);
}

/* ------------------------------------------------------------------ */
/* CPUs switching mm                                                    */

static int random_cpu(struct world *w, tlbh_cpus_t set)
{
	unsigned int cpu, n = __builtin_popcountll(set), k;

	if (!n)
		return -1;
	k = pick(w, n);
	for (cpu = 0; cpu < NCPU; cpu++)
		if ((set & TLBH_CPU(cpu)) && !k--)
			return cpu;
	return -1;
}

/*
 * The scheduler on @cpu: a task of the mm (half the time), a kernel
 * thread that borrows it (from a task of the mm only), or a task of
 * another mm, or a kernel thread borrowing that.
 */
static void switch_random(struct world *w, unsigned int cpu)
{
	unsigned int r = pick(w, 8);
	enum ref_load to = r < 4 ? REF_RUN : r < 6 ? REF_LAZY : REF_OTHER;

	static const char * const names[] = { "run", "lazy", "other" };
	bool flushed;

	if (to == REF_LAZY && w->x.cpu[cpu].load != REF_RUN)
		to = REF_OTHER;
	flushed = ref_x86_switch(&w->x, cpu, to, r == 7);
	if (trace)
		printf("#       CPU%u -> %s%s%s, gen %llu/%llu, mm_cpus %#llx\n", cpu,
		       names[to], to == REF_OTHER && r == 7 ? " lazy" : "",
		       flushed ? " flushed" : "",
		       (unsigned long long)w->x.cpu[cpu].gen,
		       (unsigned long long)w->x.gen,
		       (unsigned long long)ref_x86_mask(&w->x));
}

/* A CPU for a system call of the mm: one that runs it, else one is
 * scheduled in. */
static unsigned int task_cpu(struct world *w)
{
	int cpu = random_cpu(w, active(w));

	if (cpu < 0) {
		cpu = random_cpu(w, idle(w));
		ref_x86_switch(&w->x, cpu, REF_RUN, false);
	}
	return cpu;
}

/* Any CPU not inside a walker (reclaim, a driver). */
static unsigned int any_cpu(struct world *w)
{
	return random_cpu(w, idle(w));
}

/*
 * Between the engine's last look at the CPUs (mm_cpus, lazy_cpus,
 * loaded_cpus, trim_cpumask) and what it does next (bump the
 * generation, send, free), other CPUs may leave or enter lazy mode or
 * switch mm: the flush then reaches them in their new state.  A query
 * arms this, the next event runs it.  The engine's CPU stays (it runs
 * with preemption off).
 */
static void arm_race(struct world *w)
{
	if (!w->race && !pick(w, 3))
		w->race = true;
}

static void run_race(struct world *w)
{
	unsigned int n;
	int cpu;

	if (!w->race)
		return;
	w->race = false;
	if (trace)
		printf("#       race\n");
	for (n = 1 + pick(w, 2); n; n--) {
		cpu = random_cpu(w, idle(w) & ~TLBH_CPU(w->this_cpu));
		if (cpu >= 0)
			switch_random(w, cpu);
	}
}

/* ------------------------------------------------------------------ */
/* Reference TLB (ref_tlb.c) as the backend sees it                    */

/* arch_tlbbatch_flush has no mm: the reclaim batch, and LUF's flushes. */
static bool mm_less(const struct tlbh_flush *f)
{
	return f->reason && (!strcmp(f->reason, "reclaim-batch") ||
			     !strcmp(f->reason, "reuse") ||
			     !strcmp(f->reason, "luf-vma-flag"));
}

static void ref_flush(void *priv, const struct tlbh_flush *f)
{
	struct world *w = priv;

	run_race(w);
	if (trace)
		printf("#       flush %s %#lx-%#lx/%u cpus %#llx%s%s\n", f->reason,
		       f->start, f->end, f->stride_shift,
		       (unsigned long long)f->cpus, f->freed_tables ? " tables" : "",
		       f->broadcast ? " broadcast" : "");
	ref_x86_flush(&w->x, f, w->this_cpu, mm_less(f));
	arm_race(w);
}

/* Which CPU may still use a translation to @pfn, -1 if none. */
static int cached(struct world *w, unsigned long pfn, unsigned long *where)
{
	return ref_tlb_find_pfn(&w->x.tlb, ref_x86_leaf_reach(&w->x), pfn,
				where);
}

static void check_unreachable(struct world *w, unsigned long pfn,
			      const char *what)
{
	unsigned long where;
	int cpu = cached(w, pfn, &where);

	if (cpu >= 0)
		violation(w, what, pfn, where);
}

static void ref_free_page(void *priv, unsigned long pfn, bool luf)
{
	struct world *w = priv;

	run_race(w);
	if (pfn == HUGE_PFN) {
		check_unreachable(w, pfn, "huge page %#lx freed while a CPU translates %#lx");
		w->huge = H_FREE;
		return;
	}
	if (pfn >= NPFN)
		return;
	if (!luf)
		check_unreachable(w, pfn, "page %#lx freed while a CPU translates %#lx");
	w->frame[pfn] = luf ? F_LUF : F_FREE;
}

static void ref_free_table(void *priv, unsigned long table)
{
	struct world *w = priv;
	unsigned long where;

	run_race(w);
	if (ref_tlb_find_table(&w->x.tlb, ref_x86_walk_reach(&w->x), table,
			       &where) >= 0)
		violation(w, "table %#lx freed while a CPU caches it for %#lx",
			  table, where);
	if (ref_x86_walker_of(&w->x, table, &where) >= 0)
		violation(w, "table %#lx freed while a GUP-fast walker holds it for %#lx",
			  table, where);
	if (table < NPFN)
		w->frame[table] = F_FREE;
	tlbh_model_pt_release(&w->pt, table);
}

/* The RCU grace period before a table batch is freed. */
static void ref_sync(void *priv)
{
	struct world *w = priv;

	run_race(w);
	ref_x86_rcu_sync(&w->x);
}

static void *ref_alloc_batch(void *priv)
{
	struct world *w = priv;

	return pick(w, 4) ? malloc(TLBH_PAGE_SIZE) : NULL;
}

static void ref_free_batch(void *priv, void *batch)
{
	free(batch);
}

static tlbh_cpus_t ref_mm_cpus(void *priv)
{
	struct world *w = priv;

	arm_race(w);
	return ref_x86_mask(&w->x);
}

static tlbh_cpus_t ref_lazy_cpus(void *priv)
{
	struct world *w = priv;

	arm_race(w);
	return ref_x86_lazy(&w->x);
}

static tlbh_cpus_t ref_loaded_cpus(void *priv)
{
	struct world *w = priv;

	arm_race(w);
	return ref_x86_mask(&w->x) & ~ref_x86_load(&w->x, REF_OTHER);
}

/* should_trim_cpumask: once a "second" (TRIM_STEPS steps) */
static bool ref_trim_cpumask(void *priv)
{
	struct world *w = priv;

	arm_race(w);
	if (w->now < w->next_trim)
		return false;
	w->next_trim = w->now + TRIM_STEPS;
	return true;
}

/*
 * consider_global_asid: sampled, and only for an mm active (loaded, not
 * lazy) on more than three CPUs.
 */
static bool ref_global_asid(void *priv)
{
	struct world *w = priv;
	tlbh_cpus_t on = ref_x86_mask(&w->x) & ref_x86_load(&w->x, REF_RUN) &
			 ~ref_x86_lazy(&w->x);

	arm_race(w);
	if (pick(w, GLOBAL_SAMPLE) || __builtin_popcountll(on) <= 3)
		return false;
	ref_x86_use_global_asid(&w->x);
	w->had_global = true;
	if (trace)
		printf("#       global ASID\n");
	return true;
}

static void ref_new_generation(void *priv)
{
	struct world *w = priv;

	run_race(w);
	ref_x86_new_gen(&w->x);
}

static void ref_flush_skip(void *priv, const char *why)
{
	run_race(priv);
}

static unsigned int ref_this_cpu(void *priv)
{
	return ((struct world *)priv)->this_cpu;
}

static void ref_report(void *priv, enum tlbh_violation kind,
		       unsigned long addr, const char *what)
{
	struct world *w = priv;

	w->engine_reports++;
	w->report_kinds |= 1U << kind;
}

static const struct tlbh_backend_ops ref_ops = {
	.flush_range = ref_flush,
	.flush_all = ref_flush,
	.free_page = ref_free_page,
	.free_table = ref_free_table,
	.sync_table_free = ref_sync,
	.alloc_batch = ref_alloc_batch,
	.free_batch = ref_free_batch,
	.mm_cpus = ref_mm_cpus,
	.lazy_cpus = ref_lazy_cpus,
	.loaded_cpus = ref_loaded_cpus,
	.trim_cpumask = ref_trim_cpumask,
	.global_asid = ref_global_asid,
	.this_cpu = ref_this_cpu,
	.violation = ref_report,
	.flush_skip = ref_flush_skip,
	.new_generation = ref_new_generation,
};

/* The allocator: LUF pays its owed flush before a frame is reused. */
static unsigned long alloc_frame(struct world *w, enum frame use)
{
	unsigned int i, start = pick(w, NPFN - 1);
	unsigned long pfn;

	for (i = 0; i < NPFN - 1; i++) {
		pfn = 1 + (start + i) % (NPFN - 1);
		if (w->frame[pfn] == F_FREE || w->frame[pfn] == F_LUF)
			break;
	}
	if (w->frame[pfn] == F_LUF) {
		tlbh_luf_flush(&w->mm, "reuse");
		check_unreachable(w, pfn, "page %#lx reused while a CPU translates %#lx");
	}
	w->frame[pfn] = use;
	return pfn;
}

static unsigned long alloc_table(void *obs)
{
	return alloc_frame(obs, F_TABLE);
}

static void on_clear(void *obs, unsigned long addr, unsigned long size,
		     tlbh_pte_t old)
{
	struct world *w = obs;
	unsigned long off = addr - TLBH_MODEL_BASE;
	unsigned int slot = off >> TLBH_PMD_SHIFT;
	unsigned int page = (off >> TLBH_PAGE_SHIFT) & (TLBH_MODEL_PTRS - 1);
	unsigned int i;

	if (tlbh_pte_pfn(old) == HUGE_PFN)
		w->huge = H_GATHERED;
	for (i = 0; i < USED; i++) {
		if (size == TLBH_PAGE_SIZE && i != page)
			continue;
		w->cleared_at[slot * USED + i] = w->now;
		w->cleared_by[slot * USED + i] = w->cur_op;
	}
}

static void on_unlink(void *obs, struct tlbh_vma *vma)
{
	struct world *w = obs;

	w->linked[(vma->start - TLBH_MODEL_BASE) >> TLBH_PMD_SHIFT] = false;
}

/* ------------------------------------------------------------------ */
/* Completion checks                                                    */

/* The translation @cpu caches for page @i is no longer what the PTE says. */
static bool stale(struct world *w, unsigned int cpu, unsigned int i,
		  bool writable_only)
{
	unsigned long addr = va(i / USED, i % USED);
	const struct ref_leaf *l = ref_tlb_lookup(&w->x.tlb, cpu, addr);
	tlbh_pte_t pmd = tlbh_model_pt_ops.read_pmd(&w->pt, addr);
	tlbh_pte_t pte = (pmd & TLBH_PTE_HUGE) ? pmd :
			 tlbh_model_pt_ops.read_pte(&w->pt, addr);

	if (!l || (writable_only && !l->writable))
		return false;
	if (!pte || tlbh_pte_pfn(pte) != l->pfn)
		return true;
	return l->writable && !(pte & TLBH_PTE_WRITE);
}

/*
 * Entries an operation must have flushed when it returns: stale ones,
 * except those another operation made stale after this one started
 * (a reclaimer or a second madvise running alongside).
 */
static bool owed(struct world *w, unsigned int i, u64 op)
{
	return w->cleared_by[i] == op || w->cleared_at[i] <= op;
}

static void check_range(struct world *w, unsigned int slot, unsigned int lo,
			unsigned int hi, bool writable_only, u64 op,
			const char *what)
{
	tlbh_cpus_t reach = ref_x86_leaf_reach(&w->x);
	unsigned int cpu, p;

	for (cpu = 0; cpu < NCPU; cpu++) {
		if (!(reach & TLBH_CPU(cpu)))
			continue;
		for (p = lo; p < hi; p++)
			if (stale(w, cpu, slot * USED + p, writable_only) &&
			    owed(w, slot * USED + p, op))
				violation(w, what, va(slot, p), cpu);
	}
}

static void check_gone(struct world *w, unsigned int slot, unsigned int lo,
		       unsigned int hi, u64 op, const char *what)
{
	check_range(w, slot, lo, hi, false, op, what);
}

static void check_write_protected(struct world *w, unsigned int slot,
				  unsigned int lo, unsigned int hi,
				  const char *what)
{
	check_range(w, slot, lo, hi, true, w->now, what);
}

static void check_device_revoked(struct world *w)
{
	tlbh_cpus_t reach = ref_x86_leaf_reach(&w->x);
	unsigned int cpu, i;
	const struct ref_leaf *l;

	for (cpu = 0; cpu < NCPU; cpu++) {
		if (!(reach & TLBH_CPU(cpu)))
			continue;
		for (i = 0; i < SLOTS * USED; i++) {
			l = ref_tlb_lookup(&w->x.tlb, cpu, va(i / USED, i % USED));
			if (l && l->pfn >= DEV_PFN && l->pfn < DEV_PFN + SLOTS * USED &&
			    stale(w, cpu, i, false) && owed(w, i, w->now))
				violation(w, "unmap_mapping_range done, %#lx live on CPU%lu",
					  va(i / USED, i % USED), cpu);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Steps                                                                */

static int random_slot(struct world *w, u32 types, bool attached)
{
	unsigned int s, start = pick(w, SLOTS);

	for (s = 0; s < SLOTS; s++) {
		unsigned int slot = (start + s) % SLOTS;

		if ((types & (1U << w->vtype[slot])) &&
		    (!attached || !w->detached[slot]))
			return slot;
	}
	return -1;
}

#define ANY_VMA	((1U << V_ANON) | (1U << V_FILE) | (1U << V_PFN) | (1U << V_HUGE))
#define PAGED	((1U << V_ANON) | (1U << V_FILE))

static bool handle_fault(struct world *w, unsigned int slot,
			 unsigned int page, bool write)
{
	unsigned long addr = va(slot, page);
	tlbh_pte_t pte = tlbh_model_pt_ops.read_pte(&w->pt, addr);

	if (w->unmap_open || w->detached[slot])
		return false;		/* mmap_lock held for writing */
	switch (w->vtype[slot]) {
	case V_HUGE:
		if (w->pt.locks & (1U << TLBH_LOCK_HUGETLB_VMA))
			return false;
		if (tlbh_model_pt_ops.read_pmd(&w->pt, addr))
			return true;
		if (w->huge == H_GATHERED) {
			hazard(w, TLBH_VIOL_HUGETLB_ORDER,
			       "hugetlb fault at %#lx: pool empty, %#lx still gathered",
			       addr, HUGE_PFN);
			return false;
		}
		w->pt.pmd[slot] = tlbh_mk_pte(HUGE_PFN, TLBH_PTE_HUGE | TLBH_PTE_WRITE);
		w->huge = H_MAPPED;
		return true;
	case V_PFN:
		if (!pte)
			tlbh_model_pt_ops.write_pte(&w->pt, addr,
				tlbh_mk_pte(DEV_PFN + slot * USED + page,
					    TLBH_PTE_WRITE | TLBH_PTE_SPECIAL));
		return true;
	case V_ANON:
	case V_FILE:
		if (write && !w->vwritable[slot])
			return false;
		if (!pte) {
			tlbh_pte_t bits = w->vtype[slot] == V_FILE ? TLBH_PTE_FILE : 0;

			if (w->vtype[slot] == V_ANON || write)
				bits |= w->vwritable[slot] ? TLBH_PTE_WRITE : 0;
			if (write)
				bits |= TLBH_PTE_DIRTY | TLBH_PTE_SOFT_DIRTY;
			tlbh_model_pt_ops.write_pte(&w->pt, addr,
				tlbh_mk_pte(alloc_frame(w, F_USED), bits));
		} else if (write) {
			tlbh_model_pt_ops.write_pte(&w->pt, addr, pte |
				TLBH_PTE_WRITE | TLBH_PTE_DIRTY | TLBH_PTE_SOFT_DIRTY);
		}
		return true;
	}
	return false;
}

static void step_access(struct world *w)
{
	int cpu = random_cpu(w, active(w)), slot = random_slot(w, ANY_VMA, false);
	unsigned int page = pick(w, USED);
	bool write = pick(w, 2);
	const struct ref_leaf *l;
	tlbh_pte_t pmd, pte;
	unsigned long pfn;

	if (cpu < 0 || slot < 0)
		return;
	l = ref_tlb_lookup(&w->x.tlb, cpu, va(slot, page));
	if (l && (!write || l->writable)) {
		pfn = l->pfn;
		if (pfn < NPFN && w->frame[pfn] == F_FREE)
			violation(w, "access through stale entry %#lx to freed page %#lx",
				  va(slot, page), pfn);
		return;
	}
	for (;;) {
		pmd = tlbh_model_pt_ops.read_pmd(&w->pt, va(slot, page));
		pte = (pmd & TLBH_PTE_HUGE) ? pmd :
		      tlbh_model_pt_ops.read_pte(&w->pt, va(slot, page));
		if (pte && (!write || (pte & TLBH_PTE_WRITE)))
			break;
		if (!handle_fault(w, slot, page, write))
			return;
	}
	if (pmd & TLBH_PTE_TABLE)
		ref_tlb_fill_walk(&w->x.tlb, cpu, va(slot, 0), tlbh_pte_pfn(pmd));
	ref_tlb_fill(&w->x.tlb, cpu, va(slot, page), tlbh_pte_pfn(pte),
		     pte & TLBH_PTE_WRITE, pte & TLBH_PTE_HUGE);
}

/* The hardware of a lazy CPU walks our tables speculatively. */
static void step_speculate(struct world *w)
{
	int cpu = random_cpu(w, ref_x86_load(&w->x, REF_LAZY)), slot = pick(w, SLOTS);
	tlbh_pte_t pmd = w->pt.pmd[slot];

	if (cpu >= 0 && (pmd & TLBH_PTE_TABLE))
		ref_tlb_fill_walk(&w->x.tlb, cpu, va(slot, 0), tlbh_pte_pfn(pmd));
}

/* The scheduler switches one CPU. */
static void step_switch(struct world *w)
{
	int cpu = random_cpu(w, idle(w));

	if (cpu >= 0)
		switch_random(w, cpu);
}

/*
 * GUP-fast starts on a CPU that runs the mm: interrupts off, it reads
 * the PMD without a lock and holds the PTE table it points to until it
 * ends, steps later.  One CPU at least stays out of walkers.
 */
static void step_gup_begin(struct world *w)
{
	int cpu = random_cpu(w, active(w)), slot = pick(w, SLOTS);
	tlbh_pte_t pmd = w->pt.pmd[slot];

	if (cpu < 0 || __builtin_popcountll(ref_x86_walking(&w->x)) >= NCPU - 1 ||
	    !(pmd & TLBH_PTE_TABLE))
		return;
	ref_x86_walk_begin(&w->x, cpu, va(slot, pick(w, USED)), tlbh_pte_pfn(pmd));
	if (trace)
		printf("#       CPU%d walks table %#lx\n", cpu,
		       (unsigned long)tlbh_pte_pfn(pmd));
}

static void step_gup_end(struct world *w)
{
	int cpu = random_cpu(w, ref_x86_walking(&w->x));

	if (cpu >= 0)
		ref_x86_walk_end(&w->x, cpu);
}

static void pick_range(struct world *w, unsigned int *lo, unsigned int *hi)
{
	*lo = pick(w, USED);
	*hi = *lo + 1 + pick(w, USED - *lo);
}

static void step_madvise(struct world *w, bool split)
{
	int slot = random_slot(w, ANY_VMA, true), ctx;
	unsigned int lo, hi;
	unsigned long start, end;

	if (slot < 0 || w->unmap_open)
		return;
	ctx = !w->zap_open[0] ? 0 : !w->zap_open[1] ? 1 : -1;
	if (split && ctx < 0)
		return;
	pick_range(w, &lo, &hi);
	if (w->reclaimed && !pick(w, 2)) {
		/*
		 * Often the page reclaim took last, mostly alone, else with
		 * its neighbours: its PTE is already clear, its flush may be
		 * owed.  Alone matters: a flush of present neighbours reaches
		 * a CPU two generations behind as a full flush, which hides
		 * the owed one, as on x86.
		 */
		unsigned int s = (w->reclaimed - TLBH_MODEL_BASE) >> TLBH_PMD_SHIFT;
		unsigned int page = (w->reclaimed >> TLBH_PAGE_SHIFT) & (TLBH_MODEL_PTRS - 1);

		if ((PAGED & (1U << w->vtype[s])) && !w->detached[s] && page < USED) {
			slot = s;
			lo = page;
			hi = page + 1;
			if (!pick(w, 3)) {
				lo -= pick(w, page + 1);
				hi += pick(w, USED - page);
			}
		}
		w->reclaimed = 0;
	}
	if (w->vtype[slot] == V_HUGE) {
		lo = 0;
		hi = USED;
	}
	start = va(slot, lo);
	end = w->vtype[slot] == V_HUGE ? va(slot + 1, 0) : va(slot, hi);
	w->this_cpu = task_cpu(w);
	if (!split) {
		if (tlbh_op_zap(&w->space, &w->vma[slot], 1, start, end))
			return;
		check_gone(w, slot, lo, hi, w->now,
			   "madvise returned, %#lx still translated on CPU%lu");
		return;
	}
	if (tlbh_op_zap_begin(&w->zap[ctx], &w->space, &w->vma[slot], 1,
			      start, end))
		return;
	w->zap_open[ctx] = true;
	w->zap_id[ctx] = w->now;
	w->zap_slot[ctx] = slot;
	w->zap_lo[ctx] = lo;
	w->zap_hi[ctx] = hi;
	w->readers++;
}

static void step_zap_end(struct world *w)
{
	int ctx = w->zap_open[0] ? 0 : w->zap_open[1] ? 1 : -1;

	if (ctx < 0)
		return;
	w->this_cpu = task_cpu(w);
	w->cur_op = w->zap_id[ctx];
	tlbh_op_zap_end(&w->zap[ctx]);
	w->zap_open[ctx] = false;
	w->readers--;
	check_gone(w, w->zap_slot[ctx], w->zap_lo[ctx], w->zap_hi[ctx],
		   w->zap_id[ctx], "madvise returned, %#lx still translated on CPU%lu");
}

static bool munmap_allowed(struct world *w, unsigned int *first,
			   unsigned int *nr)
{
	int slot = random_slot(w, ANY_VMA, true);

	if (slot < 0 || w->readers || w->unmap_open || w->rc.walking)
		return false;
	*first = slot;
	*nr = 1;
	if (slot + 1 < SLOTS && w->vtype[slot + 1] != V_NONE && pick(w, 2))
		*nr = 2;
	return true;
}

static void forget_vmas(struct world *w, unsigned int first, unsigned int nr)
{
	unsigned int s;

	for (s = first; s < first + nr; s++) {
		memset(&w->vma[s], 0, sizeof(w->vma[s]));
		w->vtype[s] = V_NONE;
		w->detached[s] = false;
		w->linked[s] = false;
	}
}

static void step_munmap(struct world *w, bool split)
{
	unsigned int first, nr, s;

	if (!munmap_allowed(w, &first, &nr))
		return;
	w->this_cpu = task_cpu(w);
	for (s = first; s < first + nr; s++)
		w->detached[s] = true;
	tlbh_op_munmap_begin(&w->unmap, &w->space, &w->vma[first], nr,
			     va(first, 0), va(first + nr, 0), va(first, 0),
			     va(first + nr, 0));
	w->unmap_open = true;
	w->unmap_id = w->now;
	w->unmap_first = first;
	w->unmap_nr = nr;
	if (split)
		return;
	tlbh_op_munmap_end(&w->unmap);
	w->unmap_open = false;
	for (s = first; s < first + nr; s++)
		check_gone(w, s, 0, USED, w->now,
			   "munmap returned, %#lx still translated on CPU%lu");
	forget_vmas(w, first, nr);
}

static void step_munmap_end(struct world *w)
{
	unsigned int s;

	if (!w->unmap_open)
		return;
	w->this_cpu = task_cpu(w);
	w->cur_op = w->unmap_id;
	tlbh_op_munmap_end(&w->unmap);
	w->unmap_open = false;
	for (s = w->unmap_first; s < w->unmap_first + w->unmap_nr; s++)
		check_gone(w, s, 0, USED, w->unmap_id,
			   "munmap returned, %#lx still translated on CPU%lu");
	forget_vmas(w, w->unmap_first, w->unmap_nr);
}

/* A driver revokes its device memory: zap every linked PFNMAP VMA. */
static void step_unmap_mapping_range(struct world *w)
{
	unsigned int s;

	w->this_cpu = any_cpu(w);
	for (s = 0; s < SLOTS; s++)
		if (w->vtype[s] == V_PFN && w->linked[s])
			tlbh_op_zap(&w->space, &w->vma[s], 1, va(s, 0),
				    va(s + 1, 0));
	check_device_revoked(w);
}

static void step_mmap(struct world *w)
{
	int slot = random_slot(w, 1U << V_NONE, false);
	unsigned int r = pick(w, 20), s;
	bool have_huge = false;

	if (slot < 0 || w->readers || w->unmap_open || w->pt.pmd[slot])
		return;
	for (s = 0; s < SLOTS; s++)
		have_huge |= w->vtype[s] == V_HUGE;
	memset(&w->vma[slot], 0, sizeof(w->vma[slot]));
	w->vma[slot].start = va(slot, 0);
	w->vma[slot].end = va(slot + 1, 0);
	w->vtype[slot] = r < 8 ? V_ANON : r < 14 ? V_FILE : r < 17 ? V_PFN : V_HUGE;
	if (w->vtype[slot] == V_HUGE && have_huge)
		w->vtype[slot] = V_ANON;
	if (w->vtype[slot] == V_PFN)
		w->vma[slot].flags = TLBH_VM_PFNMAP;
	if (w->vtype[slot] == V_HUGE)
		w->vma[slot].flags = TLBH_VM_HUGETLB;
	w->vwritable[slot] = true;
	w->detached[slot] = false;
	w->linked[slot] = true;
}

static void step_reclaim_walk(struct world *w)
{
	int slot = random_slot(w, PAGED, false);

	if (slot < 0 || w->rc.walking || !w->linked[slot])
		return;
	w->this_cpu = any_cpu(w);
	tlbh_op_reclaim_walk(&w->rc, &w->space, &w->vma[slot],
			     va(slot, pick(w, USED)));
}

static void step_reclaim_unmap(struct world *w)
{
	if (!w->rc.walking)
		return;
	w->this_cpu = any_cpu(w);
	w->reclaimed = w->rc.walk_addr;
	tlbh_op_reclaim_unmap(&w->rc, pick(w, 2));
}

static void step_reclaim_flush(struct world *w)
{
	w->this_cpu = any_cpu(w);
	tlbh_op_reclaim_flush(&w->rc);
}

static void step_mprotect(struct world *w)
{
	int slot = random_slot(w, PAGED, true);
	bool writable = pick(w, 2);
	unsigned int lo, hi;

	if (slot < 0 || w->readers || w->unmap_open)
		return;
	pick_range(w, &lo, &hi);
	w->this_cpu = task_cpu(w);
	if (!writable)
		w->vwritable[slot] = false;
	tlbh_op_mprotect(&w->space, &w->vma[slot], 1, va(slot, lo),
			 va(slot, hi), writable);
	if (writable)
		w->vwritable[slot] = true;
	else
		check_write_protected(w, slot, lo, hi,
				      "mprotect returned, %#lx still writable on CPU%lu");
}

static void step_clear_refs(struct world *w)
{
	unsigned int s;

	if (w->unmap_open)
		return;
	w->this_cpu = task_cpu(w);
	tlbh_op_clear_refs(&w->space, w->vma, SLOTS);
	for (s = 0; s < SLOTS; s++)
		check_write_protected(w, s, 0, USED,
				      "clear_refs returned, %#lx still writable on CPU%lu");
}

static void step_mremap(struct world *w)
{
	int from = random_slot(w, PAGED, true);
	int to = random_slot(w, 1U << V_NONE, false);
	unsigned int p;

	if (from < 0 || to < 0 || w->readers || w->unmap_open ||
	    w->pt.pmd[to] || !(w->pt.pmd[from] & TLBH_PTE_TABLE))
		return;
	w->this_cpu = task_cpu(w);
	if (pick(w, 2)) {
		if (tlbh_op_move_pmd(&w->space, &w->vma[from], va(from, 0),
				     va(to, 0)))
			return;
	} else {
		if (w->rc.walking)
			return;		/* the old tables go: rmap locks */
		for (p = 0; p < USED; p += 8)
			tlbh_op_move_ptes(&w->space, &w->vma[from], va(from, p),
					  va(to, p), 8 * TLBH_PAGE_SIZE);
		tlbh_op_munmap(&w->space, &w->vma[from], 1, va(from, 0),
			       va(from + 1, 0), va(from, 0), va(from + 1, 0));
	}
	check_gone(w, from, 0, USED, w->now,
		   "mremap returned, %#lx still translated on CPU%lu");
	w->vma[to] = w->vma[from];
	w->vma[to].start = va(to, 0);
	w->vma[to].end = va(to + 1, 0);
	w->vtype[to] = w->vtype[from];
	w->vwritable[to] = w->vwritable[from];
	w->linked[to] = true;
	forget_vmas(w, from, 1);
}

struct step_kind {
	void (*fn)(struct world *w);
	unsigned int weight;
	const char *name;
};

static void step_madvise_atomic(struct world *w) { step_madvise(w, false); }
static void step_madvise_begin(struct world *w) { step_madvise(w, true); }
static void step_munmap_atomic(struct world *w) { step_munmap(w, false); }
static void step_munmap_begin(struct world *w) { step_munmap(w, true); }

static const struct step_kind steps[] = {
	{ step_access, 40, "access" },
	{ step_speculate, 4, "speculate" },
	{ step_madvise_atomic, 6, "madvise_atomic" },
	{ step_madvise_begin, 4, "madvise_begin" },
	{ step_zap_end, 4, "zap_end" },
	{ step_munmap_atomic, 3, "munmap_atomic" },
	{ step_munmap_begin, 3, "munmap_begin" },
	{ step_munmap_end, 3, "munmap_end" },
	{ step_unmap_mapping_range, 3, "unmap_mapping_range" },
	{ step_mmap, 6, "mmap" },
	{ step_reclaim_walk, 5, "reclaim_walk" },
	{ step_reclaim_unmap, 5, "reclaim_unmap" },
	{ step_reclaim_flush, 3, "reclaim_flush" },
	{ step_mprotect, 3, "mprotect" },
	{ step_clear_refs, 2, "clear_refs" },
	{ step_mremap, 3, "mremap" },
	{ step_switch, 8, "switch" },
	{ step_gup_begin, 3, "gup_begin" },
	{ step_gup_end, 3, "gup_end" },
};

/* ------------------------------------------------------------------ */
/* Episodes                                                             */

static void world_init(struct world *w, const struct tlbh_policy *policy,
		       const struct variant *v)
{
	struct tlbh_arch arch;
	unsigned int cpu, r;

	memset(w, 0, offsetof(struct world, rng));
	w->policy = policy;
	w->arch = v;
	tlbh_arch_x86(&arch);
	arch.invlpgb = v->invlpgb;
	tlbh_mm_init(&w->mm, policy, &arch, &ref_ops, w);
	tlbh_model_pt_init(&w->pt);
	w->pt.alloc_pfn = alloc_table;
	w->pt.on_clear = on_clear;
	w->pt.on_unlink = on_unlink;
	w->pt.obs = w;
	w->space.engine = &w->mm;
	w->space.pt_ops = &tlbh_model_pt_ops;
	w->space.pt = &w->pt;
	ref_x86_init(&w->x, v->pcid, tlbh_rule(&w->mm, TLBH_RULE_LAZY_CPUMASK));
	w->x.ipi_no_wait = wrong_model & WRONG_IPI_NO_WAIT;
	w->x.switch_back_no_flush = wrong_model & WRONG_SWITCH_NO_FLUSH;
	w->x.wrong_cpu_catches_up = wrong_model & WRONG_CPU_CATCHES_UP;
	/*
	 * CPU0 runs the mm; the others run it, are lazy in it, or run
	 * another mm (lazily or not), and on 7.2 may still be in
	 * mm_cpumask from an earlier visit.
	 */
	ref_x86_place(&w->x, 0, REF_RUN, false, true);
	for (cpu = 1; cpu < NCPU; cpu++) {
		r = pick(w, 3);
		ref_x86_place(&w->x, cpu, r == 0 ? REF_OTHER : r == 1 ? REF_RUN :
			      REF_LAZY, pick(w, 2), pick(w, 2));
	}
	w->next_trim = pick(w, TRIM_STEPS);
}

/* Close what is open so that every episode ends with all pages freed. */
static void world_drain(struct world *w)
{
	unsigned int ctx, s;

	w->this_cpu = task_cpu(w);
	for (ctx = 0; ctx < 2; ctx++)
		if (w->zap_open[ctx])
			tlbh_op_zap_end(&w->zap[ctx]);
	if (w->unmap_open)
		tlbh_op_munmap_end(&w->unmap);
	if (w->rc.walking)
		tlbh_op_reclaim_unmap(&w->rc, false);
	tlbh_op_reclaim_flush(&w->rc);
	for (s = 0; s < SLOTS; s++)
		if (w->vtype[s] != V_NONE && !w->detached[s])
			tlbh_op_munmap(&w->space, &w->vma[s], 1, va(s, 0),
				       va(s + 1, 0), va(s, 0), va(s + 1, 0));
}

struct result {
	u64 ops;
	u64 episodes;
	u64 violating;
	u64 first;		/* ops before the first violation, 0: none */
	u64 first_seed;
	char first_what[200];
	u64 engine_reports;
	u32 kinds;		/* hazards seen: model and engine reports */
	bool unknown;		/* ... one the policy is not known to have */
	u64 global_episodes;	/* episodes in which the mm got a global ASID */
	u64 tlb_violating;	/* violating episodes that broke a TLB check */
	typeof(((struct ref_x86 *)0)->stats) model;
};

/* The model's counters are all u64: add them up field by field. */
static void add_stats(struct result *res, const struct ref_x86 *x)
{
	u64 *to = (u64 *)&res->model;
	const u64 *from = (const u64 *)&x->stats;
	unsigned int i;

	for (i = 0; i < sizeof(x->stats) / sizeof(u64); i++)
		to[i] += from[i];
}

static void run_seed(const struct tlbh_policy *policy, const struct variant *v,
		     u64 seed, u64 ops, struct result *res)
{
	static struct world w;
	unsigned int total = 0, i, k;
	u64 done = 0, step;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		total += steps[i].weight;
	w.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	while (done < ops) {
		world_init(&w, policy, v);
		for (step = 0; step < EPISODE && done < ops && !w.violated; step++) {
			k = pick(&w, total);
			for (i = 0; k >= steps[i].weight; i++)
				k -= steps[i].weight;
			if (trace)
				printf("#     op %llu: %s\n",
				       (unsigned long long)done, steps[i].name);
			w.now++;
			w.cur_op = w.now;
			steps[i].fn(&w);
			done++;
		}
		world_drain(&w);
		res->episodes++;
		res->engine_reports += w.engine_reports;
		res->kinds |= w.report_kinds | w.known_seen;
		res->unknown |= (w.report_kinds & ~policy->known) || w.violated;
		res->global_episodes += w.had_global;
		add_stats(res, &w.x);
		if (trace)
			printf("#   episode end, mm_cpus %#llx lazy %#llx running %#llx gen %llu\n",
			       (unsigned long long)ref_x86_mask(&w.x),
			       (unsigned long long)ref_x86_lazy(&w.x),
			       (unsigned long long)ref_x86_load(&w.x, REF_RUN),
			       (unsigned long long)w.x.gen);
		if (!w.violated)
			continue;
		res->violating++;
		res->tlb_violating += w.violated_kind == TLBH_VIOL_NONE;
		if (!res->first) {
			res->first = done;
			res->first_seed = seed;
			snprintf(res->first_what, sizeof(res->first_what),
				 "%s", w.what);
		}
		if (verbose)
			printf("#   %s %s seed %llu op %llu: %s\n", policy->name,
			       v->name, (unsigned long long)seed,
			       (unsigned long long)(res->ops + done), w.what);
	}
	res->ops += done;
}

static void print_model(const struct result *res)
{
	printf("#   %llu violating episodes broke a TLB check\n",
	       (unsigned long long)res->tlb_violating);
	printf("#   model: %llu switches (%llu flushed), %llu flushes ignored by another mm (%llu left mm_cpumask), "
	       "%llu lazy to init_mm, %llu up to date, %llu ranged done in full, "
	       "%llu walkers waited for by an IPI, %llu by RCU, global ASID in %llu episodes (%llu CPUs took it)\n",
	       (unsigned long long)res->model.switches,
	       (unsigned long long)res->model.switch_flushes,
	       (unsigned long long)res->model.wrong_cpu,
	       (unsigned long long)res->model.mask_trimmed,
	       (unsigned long long)res->model.lazy_to_init,
	       (unsigned long long)res->model.gen_skips,
	       (unsigned long long)res->model.promoted,
	       (unsigned long long)res->model.ipi_waits,
	       (unsigned long long)res->model.rcu_waits,
	       (unsigned long long)res->global_episodes,
	       (unsigned long long)res->model.to_global);
}

static const struct {
	const char *name;
	unsigned int bit;
} wrong_models[] = {
	{ "ipi-no-wait", WRONG_IPI_NO_WAIT },
	{ "switch-back-no-flush", WRONG_SWITCH_NO_FLUSH },
	{ "wrong-cpu-catches-up", WRONG_CPU_CATCHES_UP },
};

int main(int argc, char **argv)
{
	u64 seeds[] = { 1, 2, 3, 0 };
	u64 ops = 100000;
	const char *only = NULL, *only_arch = NULL;
	unsigned int i, a, s, n = 0, pass = 0, fail = 0, plan = 0;
	int opt;

	seeds[3] = (u64)time(NULL) ^ ((u64)clock() << 20);
	while ((opt = getopt(argc, argv, "s:n:p:a:M:vtS")) != -1) {
		switch (opt) {
		case 's':
			seeds[3] = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			ops = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			only = optarg;
			break;
		case 'a':
			only_arch = optarg;
			break;
		case 'M':
			for (i = 0; i < ARRAY_SIZE(wrong_models); i++)
				if (!strcmp(optarg, wrong_models[i].name))
					break;
			if (i == ARRAY_SIZE(wrong_models)) {
				fprintf(stderr, "%s: no wrong model %s\n", argv[0], optarg);
				return 2;
			}
			wrong_model |= wrong_models[i].bit;
			break;
		case 'v':
			verbose = true;
			break;
		case 't':
			trace = true;
			break;
		case 'S':
			seed_only = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED [-S]] [-n OPS] [-p POLICY] [-a ARCH] [-M WRONG] [-v] [-t]\n",
				argv[0]);
			return 2;
		}
	}

	for (i = 0; i < tlbh_nr_policies; i++)
		for (a = 0; a < ARRAY_SIZE(variants); a++)
			plan += (!only || !strcmp(only, tlbh_policies[i].name)) &&
				(!only_arch || !strcmp(only_arch, variants[a].name));
	if (!plan) {
		fprintf(stderr, "%s: no such policy or arch\n", argv[0]);
		return 2;
	}
	printf("TAP version 13\n");
	printf("# seeds 1 2 3 and random seed %llu (repeat: -s %llu)\n",
	       (unsigned long long)seeds[3], (unsigned long long)seeds[3]);
	printf("# %llu ops per seed, policy and arch\n", (unsigned long long)ops);
	if (wrong_model)
		printf("# a deliberately wrong model: %#x\n", wrong_model);
	printf("1..%u\n", plan);
	for (i = 0; i < tlbh_nr_policies; i++) {
		const struct tlbh_policy *p = &tlbh_policies[i];

		if (only && strcmp(only, p->name))
			continue;
		for (a = 0; a < ARRAY_SIZE(variants); a++) {
			const struct variant *v = &variants[a];
			struct result res = { 0 };
			bool ok;

			if (only_arch && strcmp(only_arch, v->name))
				continue;
			for (s = seed_only ? 3 : 0; s < ARRAY_SIZE(seeds); s++)
				run_seed(p, v, seeds[s], ops, &res);
			/*
			 * Every policy must show the hazards its release is
			 * known to have; buggy ones must break something
			 * beyond them, the others nothing else.
			 */
			ok = (res.kinds & p->known) == p->known &&
			     (p->is_buggy ? res.violating > 0 : !res.unknown);
			n++;
			printf("%sok %u - property %s %s\n", ok ? "" : "not ", n,
			       p->name, v->name);
			printf("#   %s: %llu ops, %llu episodes, %llu violating, %llu engine reports\n",
			       p->is_buggy ? "buggy" : p->known ? "fixed, known hazards" :
			       "fixed",
			       (unsigned long long)res.ops,
			       (unsigned long long)res.episodes,
			       (unsigned long long)res.violating,
			       (unsigned long long)res.engine_reports);
			if (res.first)
				printf("#   first violation after %llu ops (seed %llu): %s\n",
				       (unsigned long long)res.first,
				       (unsigned long long)res.first_seed,
				       res.first_what);
			if (verbose)
				print_model(&res);
			ok ? pass++ : fail++;
		}
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail);
	return fail ? 1 : 0;
}
