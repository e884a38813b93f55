// SPDX-License-Identifier: GPL-2.0
/*
 * engine_property.c - random operation sequences against a reference TLB
 *
 * For every policy, random interleavings of user accesses, speculative
 * walks, madvise, munmap (whole or split around a concurrent
 * unmap_mapping_range), mmap, mprotect, mremap, clear_refs and a
 * reclaimer (rmap walk, unmap, batch flush) run through the op drivers
 * and the engine on the model page table.
 *
 * The reference model (ref_tlb.c) is independent of the engine: per CPU
 * it keeps the translations filled by accesses while mapped (and, for
 * lazy CPUs, paging-structure entries filled by speculative walks) and
 * drops them only when a flush the backend receives reaches that CPU
 * and covers them, the way x86 INVLPG and full flushes do.  It checks:
 *
 *  - reuse: no page is freed (or, under LUF, reused) and no page table
 *    is freed while some CPU may still reach it;
 *  - completion: when madvise, munmap, mremap or unmap_mapping_range
 *    returns, no CPU translates the range; when mprotect(PROT_READ) or
 *    clear_refs returns, no CPU holds a writable entry the PTE denies;
 *  - hugetlb: a fault never finds the pool empty while the zapped huge
 *    page is still waiting in a gather.
 *
 * Fixed policies must never break these; every buggy one must.  One TAP
 * line per policy; the seeds are printed.
 *
 *   engine_property [-s SEED] [-n OPS] [-p POLICY] [-v]
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

	tlbh_cpus_t mm_cpus, lazy;
	unsigned int this_cpu;
	struct ref_tlb tlb;
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

static tlbh_cpus_t active(struct world *w)
{
	return w->mm_cpus & ~w->lazy;
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
/* Reference TLB (ref_tlb.c) as the backend sees it                    */

static void ref_flush(void *priv, const struct tlbh_flush *f)
{
	struct world *w = priv;

	if (trace)
		printf("#       flush %s %#lx-%#lx/%u cpus %#llx%s\n", f->reason,
		       f->start, f->end, f->stride_shift,
		       (unsigned long long)f->cpus, f->freed_tables ? " tables" : "");
	ref_tlb_flush(&w->tlb, f);
}

/* Which active CPU still translates to @pfn, -1 if none. */
static int cached(struct world *w, unsigned long pfn, unsigned long *where)
{
	return ref_tlb_find_pfn(&w->tlb, active(w), pfn, where);
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

	if (ref_tlb_find_table(&w->tlb, w->mm_cpus, table, &where) >= 0)
		violation(w, "table %#lx freed while a CPU caches it for %#lx",
			  table, where);
	if (table < NPFN)
		w->frame[table] = F_FREE;
	tlbh_model_pt_release(&w->pt, table);
}

static void ref_sync(void *priv)
{
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
	return ((struct world *)priv)->mm_cpus;
}

static tlbh_cpus_t ref_lazy_cpus(void *priv)
{
	return ((struct world *)priv)->lazy;
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
	.this_cpu = ref_this_cpu,
	.violation = ref_report,
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
	const struct ref_leaf *l = ref_tlb_lookup(&w->tlb, cpu, addr);
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
	unsigned int cpu, p;

	for (cpu = 0; cpu < NCPU; cpu++) {
		if (!(active(w) & TLBH_CPU(cpu)))
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
	unsigned int cpu, i;
	const struct ref_leaf *l;

	for (cpu = 0; cpu < NCPU; cpu++) {
		if (!(active(w) & TLBH_CPU(cpu)))
			continue;
		for (i = 0; i < SLOTS * USED; i++) {
			l = ref_tlb_lookup(&w->tlb, cpu, va(i / USED, i % USED));
			if (l && l->pfn >= DEV_PFN && l->pfn < DEV_PFN + SLOTS * USED &&
			    stale(w, cpu, i, false) && owed(w, i, w->now))
				violation(w, "unmap_mapping_range done, %#lx live on CPU%lu",
					  va(i / USED, i % USED), cpu);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Steps                                                                */

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
	l = ref_tlb_lookup(&w->tlb, cpu, va(slot, page));
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
		ref_tlb_fill_walk(&w->tlb, cpu, va(slot, 0), tlbh_pte_pfn(pmd));
	ref_tlb_fill(&w->tlb, cpu, va(slot, page), tlbh_pte_pfn(pte),
		     pte & TLBH_PTE_WRITE, pte & TLBH_PTE_HUGE);
}

static void step_speculate(struct world *w)
{
	int cpu = random_cpu(w, w->lazy), slot = pick(w, SLOTS);
	tlbh_pte_t pmd = w->pt.pmd[slot];

	if (cpu >= 0 && (pmd & TLBH_PTE_TABLE))
		ref_tlb_fill_walk(&w->tlb, cpu, va(slot, 0), tlbh_pte_pfn(pmd));
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
	if (w->vtype[slot] == V_HUGE) {
		lo = 0;
		hi = USED;
	}
	start = va(slot, lo);
	end = w->vtype[slot] == V_HUGE ? va(slot + 1, 0) : va(slot, hi);
	w->this_cpu = random_cpu(w, active(w));
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
	w->this_cpu = random_cpu(w, active(w));
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
	w->this_cpu = random_cpu(w, active(w));
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
	w->this_cpu = random_cpu(w, active(w));
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

	w->this_cpu = pick(w, NCPU);
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
	w->this_cpu = pick(w, NCPU);
	tlbh_op_reclaim_walk(&w->rc, &w->space, &w->vma[slot],
			     va(slot, pick(w, USED)));
}

static void step_reclaim_unmap(struct world *w)
{
	if (!w->rc.walking)
		return;
	w->this_cpu = pick(w, NCPU);
	tlbh_op_reclaim_unmap(&w->rc, pick(w, 2));
}

static void step_reclaim_flush(struct world *w)
{
	w->this_cpu = pick(w, NCPU);
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
	w->this_cpu = random_cpu(w, active(w));
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
	w->this_cpu = random_cpu(w, active(w));
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
	w->this_cpu = random_cpu(w, active(w));
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
};

/* ------------------------------------------------------------------ */
/* Episodes                                                             */

static void world_init(struct world *w, const struct tlbh_policy *policy)
{
	unsigned int cpu, r;

	memset(w, 0, offsetof(struct world, rng));
	w->policy = policy;
	tlbh_mm_init(&w->mm, policy, NULL, &ref_ops, w);
	tlbh_model_pt_init(&w->pt);
	w->pt.alloc_pfn = alloc_table;
	w->pt.on_clear = on_clear;
	w->pt.on_unlink = on_unlink;
	w->pt.obs = w;
	w->space.engine = &w->mm;
	w->space.pt_ops = &tlbh_model_pt_ops;
	w->space.pt = &w->pt;
	/* CPU0 runs the mm; others are absent, running it, or lazy. */
	w->mm_cpus = TLBH_CPU(0);
	for (cpu = 1; cpu < NCPU; cpu++) {
		r = pick(w, 3);
		if (r)
			w->mm_cpus |= TLBH_CPU(cpu);
		if (r == 2)
			w->lazy |= TLBH_CPU(cpu);
	}
}

/* Close what is open so that every episode ends with all pages freed. */
static void world_drain(struct world *w)
{
	unsigned int ctx, s;

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
};

static void run_seed(const struct tlbh_policy *policy, u64 seed, u64 ops,
		     struct result *res)
{
	static struct world w;
	unsigned int total = 0, i, k;
	u64 done = 0, step;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		total += steps[i].weight;
	w.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	while (done < ops) {
		world_init(&w, policy);
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
		if (trace)
			printf("#   episode end, mm_cpus %#llx lazy %#llx\n",
			       (unsigned long long)w.mm_cpus,
			       (unsigned long long)w.lazy);
		if (!w.violated)
			continue;
		res->violating++;
		if (!res->first) {
			res->first = done;
			res->first_seed = seed;
			snprintf(res->first_what, sizeof(res->first_what),
				 "%s", w.what);
		}
		if (verbose)
			printf("#   %s seed %llu op %llu: %s\n", policy->name,
			       (unsigned long long)seed,
			       (unsigned long long)(res->ops + done), w.what);
	}
	res->ops += done;
}

int main(int argc, char **argv)
{
	u64 seeds[] = { 1, 2, 3, 0 };
	u64 ops = 100000;
	const char *only = NULL;
	unsigned int i, s, n = 0, pass = 0, fail = 0;
	int opt;

	seeds[3] = (u64)time(NULL) ^ ((u64)clock() << 20);
	while ((opt = getopt(argc, argv, "s:n:p:vtS")) != -1) {
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
			fprintf(stderr, "usage: %s [-s SEED [-S]] [-n OPS] [-p POLICY] [-v] [-t]\n",
				argv[0]);
			return 2;
		}
	}

	printf("TAP version 13\n");
	printf("# seeds 1 2 3 and random seed %llu (repeat: -s %llu)\n",
	       (unsigned long long)seeds[3], (unsigned long long)seeds[3]);
	printf("# %llu ops per seed and policy\n", (unsigned long long)ops);
	printf("1..%u\n", only ? 1 : tlbh_nr_policies);
	for (i = 0; i < tlbh_nr_policies; i++) {
		const struct tlbh_policy *p = &tlbh_policies[i];
		struct result res = { 0 };
		bool ok;

		if (only && strcmp(only, p->name))
			continue;
		for (s = seed_only ? 3 : 0; s < ARRAY_SIZE(seeds); s++)
			run_seed(p, seeds[s], ops, &res);
		/*
		 * Every policy must show the hazards its release is known to
		 * have; buggy ones must break something beyond them, the
		 * others nothing else.
		 */
		ok = (res.kinds & p->known) == p->known &&
		     (p->is_buggy ? res.violating > 0 : !res.unknown);
		n++;
		printf("%sok %u - property %s\n", ok ? "" : "not ", n, p->name);
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
		ok ? pass++ : fail++;
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail);
	return fail ? 1 : 0;
}
