// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_hw.c - the x86 hardware backend of the engine.
 *
 * The engine decides which invalidations a space needs; this file
 * carries them out on the CPUs of the machine the way arch/x86/mm/tlb.c
 * does: bump the mm's flush generation first (inc_mm_tlb_gen), then run
 * a handler by IPI on the engine's target CPUs that invalidates page by
 * page (INVLPG, and INVPCID for the user PCID under PTI) or reloads CR3
 * for a full flush, only on CPUs that still have the space's mm loaded.
 * It also answers the engine's questions about CPUs (mm_cpumask, lazy
 * TLB mode, CPUs that left the mm, the mask trim) and wires the engine's
 * frees to the pool and the park area.
 * Where this is stronger or weaker than the kernel is in
 * Documentation/spaces.rst.
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include <asm/invpcid.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "tlbh_space.h"

#define CREATE_TRACE_POINTS
#include "tlbh_trace.h"

/* The user PCID of the current CPU with PTI and PCID, else 0. */
static unsigned long tlbh_user_pcid(void)
{
#ifdef CONFIG_PAGE_TABLE_ISOLATION
	if (boot_cpu_has(X86_FEATURE_PTI) &&
	    (native_read_cr4() & X86_CR4_PCIDE))
		return (__native_read_cr3() & CR3_PCID_MASK) |
		       (1UL << X86_CR3_PTI_PCID_USER_BIT);
#endif
	return 0;
}

/**
 * tlbh_hw_supported - can this CPU flush the way the backend does
 *
 * The user PCID of PTI can only be flushed from kernel mode with
 * INVPCID; the kernel defers it to the return to user space through
 * per-CPU state a module cannot reach.  Without INVPCID, on a CPU with
 * PTI and PCID, the backend would be weaker than the kernel: refuse.
 *
 * Return: true when the hardware backend can run here.
 */
bool tlbh_hw_supported(void)
{
#ifdef CONFIG_PAGE_TABLE_ISOLATION
	if (boot_cpu_has(X86_FEATURE_PTI) && boot_cpu_has(X86_FEATURE_PCID) &&
	    !boot_cpu_has(X86_FEATURE_INVPCID))
		return false;
#endif
	return true;
}

/*
 * What the kernel's flush_tlb_local() does: reload CR3, which drops every
 * non-global entry of the current PCID (all of them without PCID), and
 * with PTI also the entries of the user PCID.  Global (kernel) entries
 * stay, as they do for the kernel.
 */
static void tlbh_flush_local(void)
{
	unsigned long user_pcid = tlbh_user_pcid();

	native_write_cr3(__native_read_cr3());
	if (user_pcid)
		invpcid_flush_single_context(user_pcid);
}

static void tlbh_flush_local_one(void *info)
{
	tlbh_flush_local();
}

/**
 * tlbh_hw_flush_everywhere - no CPU may reach a page of the space
 * @sp: the space
 *
 * Bumps the mm's flush generation, so a CPU that switches into the mm
 * later (from another PCID slot, or out of lazy mode) flushes it, then
 * flushes the user entries of whatever each online CPU runs now.  After
 * it, no CPU can reach a pool page through an entry created before the
 * call: the pages are mapped only by this space's page tables.
 */
void tlbh_hw_flush_everywhere(struct tlbh_space *sp)
{
	atomic64_inc_return(&sp->mm->context.tlb_gen);
	on_each_cpu(tlbh_flush_local_one, NULL, 1);
}

struct tlbh_hw_req {
	struct tlbh_space *sp;
	unsigned long start;
	unsigned long end;
	unsigned int shift;
	bool full;
};

static inline void tlbh_invlpg(unsigned long addr)
{
	asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
}

static void tlbh_hw_flush_one(void *info)
{
	struct tlbh_hw_req *req = info;
	struct tlbh_space *sp = req->sp;
	unsigned int cpu = smp_processor_id();
	struct tlbh_cpu_stat *st = cpu < TLBH_MAX_CPUS ? &sp->cpu[cpu] : NULL;
	unsigned long addr, user_pcid, n = 0;

	if (current->active_mm != sp->mm) {
		atomic64_inc(&sp->cnt[TLBH_CNT_SKIP_NOT_LOADED]);
		trace_tlbh_flush_skip(sp->id, "not-loaded", cpu);
		if (st)
			WRITE_ONCE(st->skipped, st->skipped + 1);
		return;
	}
	if (st)
		WRITE_ONCE(st->handled, st->handled + 1);
	if (req->full) {
		tlbh_flush_local();
		if (st)
			WRITE_ONCE(st->full, st->full + 1);
		return;
	}
	user_pcid = tlbh_user_pcid();
	for (addr = req->start; addr < req->end; addr += 1UL << req->shift) {
		tlbh_invlpg(addr);
		if (user_pcid)
			invpcid_flush_one(user_pcid, addr);
		n++;
		if (addr + (1UL << req->shift) < addr)
			break;
	}
	atomic64_add(n, &sp->cnt[TLBH_CNT_PAGES_INVALIDATED]);
	if (st)
		WRITE_ONCE(st->pages, st->pages + n);
}

/*
 * Carry out one engine decision: run the handler on the engine's target
 * CPUs.  The engine bumped the mm's tlb_gen first (tlbh_be_new_generation),
 * so CPUs that switch back into the mm later flush it themselves.
 */
static void tlbh_hw_flush(struct tlbh_space *sp, const struct tlbh_flush *f,
			  bool full)
{
	struct tlbh_hw_req req = {
		.sp = sp,
		.start = f->start,
		.end = f->end,
		.shift = f->stride_shift ? f->stride_shift : PAGE_SHIFT,
		.full = full,
	};
	unsigned int cpu, self, ipis;

	/*
	 * Never invalidate page by page outside the space.  An empty range
	 * is not outside: it invalidates nothing, as flush_tlb_mm_range()
	 * does with start == end (a buggy policy's lost range shows).
	 */
	if (!full && (req.start < sp->base || req.end > sp->base + sp->size ||
		      req.start > req.end ||
		      (req.end - req.start) >> req.shift > sp->size >> PAGE_SHIFT)) {
		req.full = true;
		atomic64_inc(&sp->cnt[TLBH_CNT_FULL_FALLBACK]);
	}
	atomic64_inc(&sp->cnt[req.full ? TLBH_CNT_FLUSH_ALL :
			      TLBH_CNT_FLUSH_RANGE]);
	cpumask_clear(sp->targets);
	for (cpu = 0; cpu < TLBH_MAX_CPUS && cpu < nr_cpu_ids; cpu++) {
		if (!(f->cpus & TLBH_CPU(cpu)))
			continue;
		if (!cpu_online(cpu)) {
			atomic64_inc(&sp->cnt[TLBH_CNT_SKIP_OFFLINE]);
			trace_tlbh_flush_skip(sp->id, "offline", cpu);
			continue;
		}
		cpumask_set_cpu(cpu, sp->targets);
	}
	/* Stay on this CPU until the IPIs are out: "ipis" is what is sent. */
	self = get_cpu();
	ipis = cpumask_weight(sp->targets) - cpumask_test_cpu(self, sp->targets);
	atomic64_add(ipis, &sp->cnt[TLBH_CNT_IPIS]);
	trace_tlbh_flush(sp->id, req.full, req.start, req.end, req.shift,
			 f->freed_tables, f->reason,
			 cpumask_weight(sp->targets));
	trace_tlbh_ipi(sp->id, cpumask_weight(sp->targets), ipis);
	on_each_cpu_cond_mask(NULL, tlbh_hw_flush_one, &req, true, sp->targets);
	put_cpu();
}

/* ------------------------------------------------------------------ */
/* struct tlbh_backend_ops on the hardware                             */

static void tlbh_be_flush_range(void *priv, const struct tlbh_flush *f)
{
	tlbh_hw_flush(priv, f, false);
}

static void tlbh_be_flush_all(void *priv, const struct tlbh_flush *f)
{
	tlbh_hw_flush(priv, f, true);
}

static void tlbh_be_free_page(void *priv, unsigned long pfn, bool luf)
{
	tlbh_pool_free(priv, pfn);
}

static void tlbh_be_free_table(void *priv, unsigned long table_pfn)
{
	tlbh_park_release(priv, table_pfn);
}

static void tlbh_be_sync_table_free(void *priv)
{
	/* Tables are never freed here; the kernel frees them at munmap. */
}

static void *tlbh_be_alloc_batch(void *priv)
{
	struct tlbh_space *sp = priv;

	if (sp->inject_batch_fail) {
		sp->inject_batch_fail--;
		return NULL;
	}
	return kmalloc(TLBH_PAGE_SIZE, GFP_NOWAIT | __GFP_NOWARN);
}

static void tlbh_be_free_batch(void *priv, void *batch)
{
	kfree(batch);
}

static tlbh_cpus_t tlbh_be_mm_cpus(void *priv)
{
	struct tlbh_space *sp = priv;
	tlbh_cpus_t cpus = 0;
	unsigned int cpu;

	for_each_cpu(cpu, mm_cpumask(sp->mm))
		if (cpu < TLBH_MAX_CPUS)
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

struct tlbh_cpu_query {
	struct mm_struct *mm;
	bool lazy;		/* only the CPUs in lazy TLB mode */
	atomic64_t cpus;
};

static void tlbh_cpu_query_one(void *info)
{
	struct tlbh_cpu_query *q = info;
	unsigned int cpu = smp_processor_id();

	/* Lazy: a kernel thread borrows the mm; loaded: lazily or not. */
	if (cpu < TLBH_MAX_CPUS && current->active_mm == q->mm &&
	    (!q->lazy || !current->mm))
		atomic64_or(TLBH_CPU(cpu), &q->cpus);
}

/*
 * The kernel's per-CPU TLB state (cpu_tlbstate, cpu_tlbstate_shared) is
 * hidden from modules, so the CPUs of mm_cpumask are asked (one IPI
 * round, as racy as the kernel's own read of another CPU's state).
 */
static tlbh_cpus_t tlbh_cpu_query(struct tlbh_space *sp, bool lazy)
{
	struct tlbh_cpu_query q = { .mm = sp->mm, .lazy = lazy };

	atomic64_set(&q.cpus, 0);
	on_each_cpu_cond_mask(NULL, tlbh_cpu_query_one, &q, true,
			      mm_cpumask(sp->mm));
	return atomic64_read(&q.cpus);
}

static tlbh_cpus_t tlbh_be_lazy_cpus(void *priv)
{
	return tlbh_cpu_query(priv, true);
}

/* On 7.2 a CPU that switched to another mm stays in mm_cpumask. */
static tlbh_cpus_t tlbh_be_loaded_cpus(void *priv)
{
	return tlbh_cpu_query(priv, false);
}

/* should_trim_cpumask(): once a second, every CPU of the mask is asked. */
static bool tlbh_be_trim_cpumask(void *priv)
{
	struct tlbh_space *sp = priv;

	if (time_after(jiffies, READ_ONCE(sp->next_trim))) {
		WRITE_ONCE(sp->next_trim, jiffies + HZ);
		return true;
	}
	return false;
}

static unsigned int tlbh_be_this_cpu(void *priv)
{
	return raw_smp_processor_id();
}

static void tlbh_be_violation(void *priv, enum tlbh_violation kind,
			      unsigned long addr, const char *what)
{
	struct tlbh_space *sp = priv;

	atomic64_inc(&sp->cnt[TLBH_CNT_VIOLATIONS]);
}

static void tlbh_be_flush_skip(void *priv, const char *why)
{
	struct tlbh_space *sp = priv;

	trace_tlbh_flush_skip(sp->id, why, -1);
}

/*
 * inc_mm_tlb_gen(): the full barrier of the returning increment orders
 * it before the lazy-CPU query that follows.  switch_mm_irqs_off()
 * compares this generation when a lazy CPU returns to the mm.
 */
static void tlbh_be_new_generation(void *priv)
{
	struct tlbh_space *sp = priv;

	atomic64_inc_return(&sp->mm->context.tlb_gen);
	atomic64_inc(&sp->cnt[TLBH_CNT_TLB_GEN]);
}

static void tlbh_be_gather_event(void *priv, bool start, bool fullmm)
{
	struct tlbh_space *sp = priv;

	trace_tlbh_gather(sp->id, start, fullmm);
}

const struct tlbh_backend_ops tlbh_hw_backend_ops = {
	.flush_range = tlbh_be_flush_range,
	.flush_all = tlbh_be_flush_all,
	.free_page = tlbh_be_free_page,
	.free_table = tlbh_be_free_table,
	.sync_table_free = tlbh_be_sync_table_free,
	.alloc_batch = tlbh_be_alloc_batch,
	.free_batch = tlbh_be_free_batch,
	.mm_cpus = tlbh_be_mm_cpus,
	.lazy_cpus = tlbh_be_lazy_cpus,
	.loaded_cpus = tlbh_be_loaded_cpus,
	.trim_cpumask = tlbh_be_trim_cpumask,
	.this_cpu = tlbh_be_this_cpu,
	.violation = tlbh_be_violation,
	.flush_skip = tlbh_be_flush_skip,
	.new_generation = tlbh_be_new_generation,
	.gather_event = tlbh_be_gather_event,
};
