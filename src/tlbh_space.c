// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_space.c - spaces, the page pool, page-table access and the x86
 * hardware backend of the engine (Documentation/spaces.rst).
 *
 * A space is an mmap of /dev/tlbh.  Its PTEs are written here, under the
 * PTE lock, as special PFN entries pointing at stamped pool pages; its
 * PTE tables are allocated by the kernel and only moved between PMD
 * slots of the space (data area, park area), never freed here.  The
 * engine reaches the page tables through tlbh_hw_pt_ops and carries out
 * its flush decisions through tlbh_hw_backend_ops, which invalidates
 * real TLBs by IPI.  Pages the engine frees and pages replaced behind a
 * TLB's back are quarantined until a full flush on every CPU.
 */
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmu_context.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <asm/invpcid.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "tlbh.h"
#include "tlbh_space.h"

#define CREATE_TRACE_POINTS
#include "tlbh_trace.h"

unsigned int tlbh_max_pages = 16384;
module_param_named(max_pages, tlbh_max_pages, uint, 0644);
MODULE_PARM_DESC(max_pages, "Data pages per space at most (mmap: -E2BIG)");

unsigned int tlbh_max_spaces = 64;
module_param_named(max_spaces, tlbh_max_spaces, uint, 0644);
MODULE_PARM_DESC(max_spaces, "Spaces alive at most (mmap: -E2BIG)");

unsigned long tlbh_max_pool_pages = 65536;
module_param_named(max_pool_pages, tlbh_max_pool_pages, ulong, 0644);
MODULE_PARM_DESC(max_pool_pages, "Pool pages of all spaces at most (-ENOMEM)");

unsigned int tlbh_max_quarantine = 4096;
module_param_named(max_quarantine, tlbh_max_quarantine, uint, 0644);
MODULE_PARM_DESC(max_quarantine, "Quarantined pages of a space before a drain");

static atomic_long_t tlbh_pool = ATOMIC_LONG_INIT(0);
static atomic_t tlbh_spaces = ATOMIC_INIT(0);
static atomic_t tlbh_space_ids = ATOMIC_INIT(0);

static int tlbh_pool_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&tlbh_pool));
}

static const struct kernel_param_ops tlbh_pool_param_ops = {
	.get = tlbh_pool_get,
};
module_param_cb(pool_pages, &tlbh_pool_param_ops, NULL, 0444);
MODULE_PARM_DESC(pool_pages, "Harness pages not yet returned (read only)");

long tlbh_pool_pages(void)
{
	return atomic_long_read(&tlbh_pool);
}

unsigned int tlbh_nr_spaces(void)
{
	return atomic_read(&tlbh_spaces);
}

/* ------------------------------------------------------------------ */
/* Full flushes and the hardware flush of the engine                   */

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
 * tlbh_space_flush_everywhere - no CPU may reach a page of the space
 * @sp: the space
 *
 * Bumps the mm's flush generation, so a CPU that switches into the mm
 * later (from another PCID slot, or out of lazy mode) flushes it, then
 * flushes the user entries of whatever each online CPU runs now.  After
 * it, no CPU can reach a pool page through an entry created before the
 * call: the pages are mapped only by this space's page tables.
 */
void tlbh_space_flush_everywhere(struct tlbh_dspace *sp)
{
	atomic64_inc_return(&sp->mm->context.tlb_gen);
	on_each_cpu(tlbh_flush_local_one, NULL, 1);
}

struct tlbh_hw_req {
	struct tlbh_dspace *sp;
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
	struct tlbh_dspace *sp = req->sp;
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
static void tlbh_hw_flush(struct tlbh_dspace *sp, const struct tlbh_flush *f,
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

	if (!full && (req.start < sp->base || req.end > sp->base + sp->size ||
		      req.start >= req.end ||
		      (req.end - req.start) >> req.shift > sp->size >> PAGE_SHIFT)) {
		/* Never invalidate page by page outside the space. */
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
/* The pool                                                            */

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

static struct tlbh_pool_page *tlbh_pool_alloc(struct tlbh_dspace *sp,
					      unsigned long addr)
{
	struct tlbh_pool_page *pp;
	u64 *stamp;

	if (atomic_long_inc_return(&tlbh_pool) > tlbh_max_pool_pages)
		goto limit;
	pp = kzalloc(sizeof(*pp), GFP_KERNEL);
	if (!pp)
		goto limit;
	pp->page = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!pp->page)
		goto nopage;
	if (xa_err(xa_store(&sp->pool, page_to_pfn(pp->page), pp, GFP_KERNEL)))
		goto noslot;
	sp->next_gen = (sp->next_gen + 1) & 0xffffff;
	if (!sp->next_gen)
		sp->next_gen = 1;
	stamp = page_address(pp->page);
	stamp[0] = sp->id << 48 |
		   (u64)(((addr - sp->base) >> PAGE_SHIFT) & 0xffffff) << 24 |
		   sp->next_gen;
	stamp[1] = ~stamp[0];
	list_add_tail(&pp->link, &sp->pages);
	sp->nr_pages++;
	return pp;
noslot:
	__free_page(pp->page);
nopage:
	kfree(pp);
limit:
	atomic_long_dec(&tlbh_pool);
	return NULL;
}

static struct tlbh_pool_page *tlbh_pool_page(struct tlbh_dspace *sp,
					     unsigned long pfn)
{
	return xa_load(&sp->pool, pfn);
}

/* Never mapped again; released after the next full flush everywhere. */
static void tlbh_quarantine(struct tlbh_dspace *sp, struct tlbh_pool_page *pp)
{
	if (pp->quarantined)
		return;
	pp->quarantined = true;
	list_move_tail(&pp->link, &sp->quarantine);
	sp->nr_quarantined++;
}

static void tlbh_pool_release(struct tlbh_dspace *sp, struct list_head *list)
{
	struct tlbh_pool_page *pp, *tmp;

	list_for_each_entry_safe(pp, tmp, list, link) {
		list_del(&pp->link);
		xa_erase(&sp->pool, page_to_pfn(pp->page));
		__free_page(pp->page);
		kfree(pp);
		sp->nr_pages--;
		atomic_long_dec(&tlbh_pool);
	}
}

/**
 * tlbh_space_drain - full flush on every CPU, then release the quarantine
 * @sp: space, locked
 *
 * Return: pages released.
 */
unsigned long tlbh_space_drain(struct tlbh_dspace *sp)
{
	unsigned long n = sp->nr_quarantined;

	tlbh_space_flush_everywhere(sp);
	bitmap_fill(sp->park_ok, sp->data_size >> PMD_SHIFT);
	tlbh_pool_release(sp, &sp->quarantine);
	sp->nr_quarantined = 0;
	atomic64_inc(&sp->cnt[TLBH_CNT_DRAINS]);
	return n;
}

/* ------------------------------------------------------------------ */
/* Page-table access                                                   */

static pmd_t *tlbh_pmd(struct tlbh_dspace *sp, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(sp->mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	return pmd_offset(pud, addr);
}

static unsigned long tlbh_table_pfn(struct tlbh_dspace *sp,
				    unsigned long addr)
{
	pmd_t *pmd = tlbh_pmd(sp, addr);
	pmd_t val;

	if (!pmd)
		return 0;
	val = READ_ONCE(*pmd);
	if (pmd_none(val) || !pmd_present(val) || pmd_leaf(val))
		return 0;
	return pmd_pfn(val);
}

bool tlbh_space_has_table(struct tlbh_dspace *sp, unsigned long addr)
{
	return tlbh_table_pfn(sp, addr) != 0;
}

static unsigned long tlbh_park_addr(struct tlbh_dspace *sp, unsigned int i)
{
	return sp->base + sp->data_size + ((unsigned long)i << PMD_SHIFT);
}

static unsigned int tlbh_park_slots(struct tlbh_dspace *sp)
{
	return sp->data_size >> PMD_SHIFT;
}

unsigned long tlbh_space_count_tables(struct tlbh_dspace *sp, bool park)
{
	unsigned long addr, n = 0;
	unsigned long start = park ? sp->base + sp->data_size : sp->base;

	for (addr = start; addr < start + sp->data_size; addr += PMD_SIZE)
		n += tlbh_space_has_table(sp, addr);
	return n;
}

/* Move the PTE table of slot @from to the empty slot @to. */
static void tlbh_move_table(struct tlbh_dspace *sp, unsigned long from,
			    unsigned long to)
{
	pmd_t *src = tlbh_pmd(sp, from), *dst = tlbh_pmd(sp, to);
	spinlock_t *ptl;	/* lock of the PMD table */
	pmd_t val;

	if (!src || !dst)
		return;
	/* One PMD table covers the whole space (it stays within 1 GiB). */
	ptl = pmd_lock(sp->mm, src);
	val = *src;
	if (!pmd_none(val) && pmd_none(*dst)) {
		pmd_clear(src);
		set_pmd(dst, val);
	}
	spin_unlock(ptl);
}

struct tlbh_pte_ctx {
	struct tlbh_dspace *sp;
	pte_t old;
	pte_t new;
	bool set;
	bool clear;
	bool quarantine;
	bool seen;
	unsigned long count;
};

/*
 * The one PTE accessor, run by apply_to_page_range() under the PTE lock,
 * the page-table walker every release exports (the existing-only walk
 * is not exported on 7.2).  Callers make sure the PTE table exists
 * first, so the walk allocates nothing; unlike the existing-only walk it
 * also calls back for empty entries, which this handles.
 */
static int tlbh_pte_fn(pte_t *ptep, unsigned long addr, void *data)
{
	struct tlbh_pte_ctx *c = data;
	pte_t old = ptep_get(ptep);

	c->seen = true;
	c->old = old;
	if (c->clear && !pte_none(old)) {
		struct tlbh_pool_page *pp;

		ptep_get_and_clear(c->sp->mm, addr, ptep);
		pp = pte_present(old) ? tlbh_pool_page(c->sp, pte_pfn(old)) :
					NULL;
		if (pp && pp->maps)
			pp->maps--;
		if (pp && !pp->maps && c->quarantine)
			tlbh_quarantine(c->sp, pp);
		c->count++;
	}
	if (c->set) {
		struct tlbh_pool_page *pp = tlbh_pool_page(c->sp,
							   pte_pfn(c->new));

		if (!pte_none(ptep_get(ptep)))
			return -EBUSY;
		set_pte_at(c->sp->mm, addr, ptep, c->new);
		if (pp)
			pp->maps++;
	}
	return 0;
}

static pte_t tlbh_mk_hw_pte(struct tlbh_pool_page *pp, bool writable)
{
	pgprot_t prot = vm_get_page_prot(VM_READ | VM_SHARED |
					  (writable ? VM_WRITE : 0));
	pte_t pte = pte_mkyoung(pfn_pte(page_to_pfn(pp->page), prot));

	/* A shared writable protection is already read-write. */
	if (writable)
		pte = pte_mkdirty(pte);
	return pte_mkspecial(pte);
}

/* Get a PTE table into the data slot of @addr: reuse a parked one first. */
int tlbh_space_ensure_table(struct tlbh_dspace *sp, unsigned long addr)
{
	unsigned int i, slots = tlbh_park_slots(sp);
	struct tlbh_pte_ctx c = { .sp = sp, .clear = true, .quarantine = true };
	unsigned long park;
	int pick = -1, any = -1;

	addr &= PMD_MASK;
	if (tlbh_space_has_table(sp, addr))
		return 0;
	for (i = 0; i < slots; i++) {
		if (!tlbh_space_has_table(sp, tlbh_park_addr(sp, i)))
			continue;
		if (any < 0)
			any = i;
		if (test_bit(i, sp->park_ok)) {
			pick = i;
			break;
		}
	}
	if (any >= 0 && pick < 0) {
		/* Nothing released yet: make every parked table safe. */
		tlbh_space_drain(sp);
		pick = any;
	}
	if (pick >= 0) {
		park = tlbh_park_addr(sp, pick);
		/* Clear what the table still maps before it is reused. */
		apply_to_page_range(sp->mm, park, PMD_SIZE, tlbh_pte_fn, &c);
		clear_bit(pick, sp->park_ok);
		tlbh_move_table(sp, park, addr);
		atomic64_inc(&sp->cnt[TLBH_CNT_TABLES_REUSED]);
		return tlbh_space_has_table(sp, addr) ? 0 : -ENOMEM;
	}
	/* Nothing parked: the kernel allocates a table (and upper levels). */
	c.clear = false;
	return apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
}

/* Identity mapped at @addr now, 0 if none; @flags gets TLBH_SNAP_*. */
u64 tlbh_space_identity_at(struct tlbh_dspace *sp, unsigned long addr,
			   u64 *flags)
{
	struct tlbh_pte_ctx c = { .sp = sp };
	struct tlbh_pool_page *pp;
	u64 f = 0;

	if (tlbh_space_has_table(sp, addr)) {
		f |= TLBH_SNAP_TABLE;
		apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
	}
	if (flags)
		*flags = f;
	if (!c.seen || !pte_present(c.old))
		return 0;
	pp = tlbh_pool_page(sp, pte_pfn(c.old));
	if (!pp)
		return 0;
	f |= TLBH_SNAP_PRESENT | (1ULL << 8);
	if (pte_write(c.old))
		f |= TLBH_SNAP_WRITE;
	if (flags)
		*flags = f;
	return *(u64 *)page_address(pp->page);
}

int tlbh_space_populate(struct tlbh_dspace *sp, unsigned long addr,
			unsigned long len, bool writable, u64 *mapped)
{
	unsigned long end = addr + len;
	struct tlbh_pool_page *pp;
	int ret;

	for (; addr < end; addr += PAGE_SIZE) {
		struct tlbh_pte_ctx c = { .sp = sp, .set = true };

		ret = tlbh_space_ensure_table(sp, addr);
		if (ret)
			return ret;
		if (tlbh_space_identity_at(sp, addr, NULL))
			continue;
		pp = tlbh_pool_alloc(sp, addr);
		if (!pp)
			return -ENOMEM;
		c.new = tlbh_mk_hw_pte(pp, writable);
		/* The table exists: this allocates nothing. */
		ret = apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
		if (ret || !c.seen) {
			tlbh_quarantine(sp, pp);
			return ret ? ret : -ENOMEM;
		}
		(*mapped)++;
	}
	return 0;
}

/* Replace every present page by a fresh one, with no flush at all. */
int tlbh_space_remap(struct tlbh_dspace *sp, unsigned long addr,
		     unsigned long len, u64 *replaced)
{
	unsigned long end = addr + len;
	struct tlbh_pool_page *old, *pp;
	u64 flags;
	int ret;

	for (; addr < end; addr += PAGE_SIZE) {
		struct tlbh_pte_ctx c = { .sp = sp, .clear = true, .set = true };

		if (!tlbh_space_identity_at(sp, addr, &flags))
			continue;
		pp = tlbh_pool_alloc(sp, addr);
		if (!pp)
			return -ENOMEM;
		c.new = tlbh_mk_hw_pte(pp, flags & TLBH_SNAP_WRITE);
		ret = apply_to_page_range(sp->mm, addr, PAGE_SIZE,
					  tlbh_pte_fn, &c);
		old = c.count ? tlbh_pool_page(sp, pte_pfn(c.old)) : NULL;
		if (old && !old->maps)
			tlbh_quarantine(sp, old);
		if (ret) {
			tlbh_quarantine(sp, pp);
			return ret;
		}
		(*replaced)++;
	}
	if (sp->nr_quarantined > tlbh_max_quarantine)
		tlbh_space_drain(sp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* struct tlbh_pt_ops on the real page tables                          */

static bool tlbh_addr_special(struct tlbh_dspace *sp, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < sp->nr_vmas; i++)
		if (addr >= sp->vmas[i].start && addr < sp->vmas[i].end)
			return sp->vmas[i].flags & TLBH_VM_PFNMAP;
	return false;
}

static tlbh_pte_t tlbh_to_model(struct tlbh_dspace *sp, unsigned long addr,
				pte_t pte)
{
	tlbh_pte_t v;

	if (!pte_present(pte))
		return 0;
	v = tlbh_mk_pte(pte_pfn(pte), 0);
	if (pte_write(pte))
		v |= TLBH_PTE_WRITE;
	if (pte_dirty(pte))
		v |= TLBH_PTE_DIRTY;
	if (tlbh_addr_special(sp, addr))
		v |= TLBH_PTE_SPECIAL;
	return v;
}

static bool tlbh_addr_ok(struct tlbh_dspace *sp, unsigned long addr)
{
	return addr >= sp->base && addr < sp->base + sp->data_size;
}

static tlbh_pte_t tlbh_pt_read_pte(void *pt, unsigned long addr)
{
	struct tlbh_dspace *sp = pt;
	struct tlbh_pte_ctx c = { .sp = sp };

	if (!tlbh_addr_ok(sp, addr) || !tlbh_space_has_table(sp, addr))
		return 0;
	apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
	return c.seen ? tlbh_to_model(sp, addr, c.old) : 0;
}

static int tlbh_pt_write_pte(void *pt, unsigned long addr, tlbh_pte_t v)
{
	struct tlbh_dspace *sp = pt;
	struct tlbh_pte_ctx c = { .sp = sp, .clear = true };
	struct tlbh_pool_page *pp = NULL;
	int ret;

	if (!tlbh_addr_ok(sp, addr))
		return -EINVAL;
	if (v & TLBH_PTE_PRESENT) {
		pp = tlbh_pool_page(sp, tlbh_pte_pfn(v));
		if (!pp || pp->quarantined) {
			tlbh_report(&sp->emm, TLBH_VIOL_FREE_BEFORE_FLUSH, addr,
				    "write of a page the pool does not map");
			return -EINVAL;
		}
		c.set = true;
		c.new = tlbh_mk_hw_pte(pp, v & TLBH_PTE_WRITE);
		if (!(v & TLBH_PTE_DIRTY))
			c.new = pte_mkclean(c.new);
	}
	ret = tlbh_space_ensure_table(sp, addr);
	if (ret)
		return ret;
	return apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
}

static tlbh_pte_t tlbh_pt_get_and_clear_pte(void *pt, unsigned long addr)
{
	struct tlbh_dspace *sp = pt;
	struct tlbh_pte_ctx c = { .sp = sp, .clear = true };

	if (!tlbh_addr_ok(sp, addr) || !tlbh_space_has_table(sp, addr))
		return 0;
	apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
	return c.count ? tlbh_to_model(sp, addr, c.old) : 0;
}

static tlbh_pte_t tlbh_pt_clear_pte_in_table(void *pt, unsigned long pfn,
					     unsigned int index)
{
	struct tlbh_dspace *sp = pt;
	unsigned long addr;

	for (addr = sp->base; addr < sp->base + sp->size; addr += PMD_SIZE) {
		if (tlbh_table_pfn(sp, addr) != pfn)
			continue;
		addr += (unsigned long)index << PAGE_SHIFT;
		if (!tlbh_addr_ok(sp, addr)) {
			struct tlbh_pte_ctx c = { .sp = sp, .clear = true };

			apply_to_page_range(sp->mm, addr, PAGE_SIZE,
					    tlbh_pte_fn, &c);
			return c.count ? tlbh_to_model(sp, addr, c.old) : 0;
		}
		return tlbh_pt_get_and_clear_pte(pt, addr);
	}
	return 0;
}

static tlbh_pte_t tlbh_pt_read_pmd(void *pt, unsigned long addr)
{
	struct tlbh_dspace *sp = pt;
	unsigned long pfn;

	if (!tlbh_addr_ok(sp, addr))
		return 0;
	pfn = tlbh_table_pfn(sp, addr);
	return pfn ? tlbh_mk_pte(pfn, TLBH_PTE_TABLE) : 0;
}

/*
 * Clearing a PMD parks its table in a free park slot; writing a table
 * pfn fetches that table from wherever it is parked.  Moves (mremap)
 * therefore go through the park area too.
 */
static void tlbh_pt_write_pmd(void *pt, unsigned long addr, tlbh_pte_t v)
{
	struct tlbh_dspace *sp = pt;
	unsigned int i, slots = tlbh_park_slots(sp);
	unsigned long park;

	if (!tlbh_addr_ok(sp, addr))
		return;
	addr &= PMD_MASK;
	for (i = 0; i < slots; i++) {
		park = tlbh_park_addr(sp, i);
		if (!v) {
			if (!tlbh_space_has_table(sp, addr))
				return;
			if (tlbh_space_has_table(sp, park))
				continue;
			clear_bit(i, sp->park_ok);
			tlbh_move_table(sp, addr, park);
			atomic64_inc(&sp->cnt[TLBH_CNT_TABLES_PARKED]);
			return;
		}
		if (tlbh_table_pfn(sp, park) == tlbh_pte_pfn(v)) {
			tlbh_move_table(sp, park, addr);
			return;
		}
	}
	if (v)
		tlbh_report(&sp->emm, TLBH_VIOL_TABLE_NO_FLUSH, addr,
			    "PMD write of a table that is not parked");
}

/* The VMA goes away: the "driver" releases pages no PTE maps. */
static void tlbh_pt_unlink_vma(void *pt, struct tlbh_vma *vma)
{
	struct tlbh_dspace *sp = pt;
	struct tlbh_pool_page *pp, *tmp;

	list_for_each_entry_safe(pp, tmp, &sp->pages, link)
		if (!pp->maps)
			tlbh_quarantine(sp, pp);
}

/*
 * The rmap and hugetlb VMA locks of the kernel become bits: commands run
 * one at a time under the space mutex, so a lock can only be found busy
 * when a held operation (TLBH_HOLD) owns it; the caller then gets -EBUSY
 * where the kernel would sleep.
 */
static int tlbh_pt_lock(void *pt, enum tlbh_lock lock, unsigned long addr)
{
	struct tlbh_dspace *sp = pt;

	return test_and_set_bit(lock, &sp->locks) ? -EAGAIN : 0;
}

static void tlbh_pt_unlock(void *pt, enum tlbh_lock lock, unsigned long addr)
{
	struct tlbh_dspace *sp = pt;

	clear_bit(lock, &sp->locks);
}

static const struct tlbh_pt_ops tlbh_hw_pt_ops = {
	.read_pte = tlbh_pt_read_pte,
	.write_pte = tlbh_pt_write_pte,
	.get_and_clear_pte = tlbh_pt_get_and_clear_pte,
	.clear_pte_in_table = tlbh_pt_clear_pte_in_table,
	.read_pmd = tlbh_pt_read_pmd,
	.write_pmd = tlbh_pt_write_pmd,
	.unlink_vma = tlbh_pt_unlink_vma,
	.lock = tlbh_pt_lock,
	.unlock = tlbh_pt_unlock,
};

/* ------------------------------------------------------------------ */
/* struct tlbh_backend_ops: the hardware backend                       */

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
	struct tlbh_dspace *sp = priv;
	struct tlbh_pool_page *pp = tlbh_pool_page(sp, pfn);

	/*
	 * A page held in a batch across commands (reclaim, TLBH_HOLD) may
	 * have been released meanwhile and come back mapped: never
	 * quarantine a page a PTE maps.
	 */
	if (pp && !pp->maps)
		tlbh_quarantine(sp, pp);
}

static void tlbh_be_free_table(void *priv, unsigned long table_pfn)
{
	struct tlbh_dspace *sp = priv;
	unsigned int i, slots = tlbh_park_slots(sp);

	for (i = 0; i < slots; i++)
		if (tlbh_table_pfn(sp, tlbh_park_addr(sp, i)) == table_pfn)
			set_bit(i, sp->park_ok);
}

static void tlbh_be_sync_table_free(void *priv)
{
	/* Tables are never freed here; the kernel frees them at munmap. */
}

static void *tlbh_be_alloc_batch(void *priv)
{
	return kmalloc(TLBH_PAGE_SIZE, GFP_NOWAIT | __GFP_NOWARN);
}

static void tlbh_be_free_batch(void *priv, void *batch)
{
	kfree(batch);
}

static tlbh_cpus_t tlbh_be_mm_cpus(void *priv)
{
	struct tlbh_dspace *sp = priv;
	tlbh_cpus_t cpus = 0;
	unsigned int cpu;

	for_each_cpu(cpu, mm_cpumask(sp->mm))
		if (cpu < TLBH_MAX_CPUS)
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

struct tlbh_lazy_query {
	struct mm_struct *mm;
	atomic64_t cpus;
};

static void tlbh_lazy_one(void *info)
{
	struct tlbh_lazy_query *q = info;
	unsigned int cpu = smp_processor_id();

	/* A kernel thread borrowing the mm: the CPU is in lazy TLB mode. */
	if (cpu < TLBH_MAX_CPUS && !current->mm && current->active_mm == q->mm)
		atomic64_or(TLBH_CPU(cpu), &q->cpus);
}

/*
 * The kernel's per-CPU lazy flag is hidden from modules, so the CPUs of
 * mm_cpumask are asked (one IPI round, as racy as the kernel's read).
 */
static tlbh_cpus_t tlbh_be_lazy_cpus(void *priv)
{
	struct tlbh_dspace *sp = priv;
	struct tlbh_lazy_query q = { .mm = sp->mm };

	atomic64_set(&q.cpus, 0);
	on_each_cpu_cond_mask(NULL, tlbh_lazy_one, &q, true,
			      mm_cpumask(sp->mm));
	return atomic64_read(&q.cpus);
}

static unsigned int tlbh_be_this_cpu(void *priv)
{
	return raw_smp_processor_id();
}

static void tlbh_be_violation(void *priv, enum tlbh_violation kind,
			      unsigned long addr, const char *what)
{
	struct tlbh_dspace *sp = priv;

	atomic64_inc(&sp->cnt[TLBH_CNT_VIOLATIONS]);
}

static void tlbh_be_flush_skip(void *priv, const char *why)
{
	struct tlbh_dspace *sp = priv;

	trace_tlbh_flush_skip(sp->id, why, -1);
}

/*
 * inc_mm_tlb_gen(): the full barrier of the returning increment orders
 * it before the lazy-CPU query that follows.  switch_mm_irqs_off()
 * compares this generation when a lazy CPU returns to the mm.
 */
static void tlbh_be_new_generation(void *priv)
{
	struct tlbh_dspace *sp = priv;

	atomic64_inc_return(&sp->mm->context.tlb_gen);
	atomic64_inc(&sp->cnt[TLBH_CNT_TLB_GEN]);
}

static void tlbh_be_gather_event(void *priv, bool start, bool fullmm)
{
	struct tlbh_dspace *sp = priv;

	trace_tlbh_gather(sp->id, start, fullmm);
}

static const struct tlbh_backend_ops tlbh_hw_backend_ops = {
	.flush_range = tlbh_be_flush_range,
	.flush_all = tlbh_be_flush_all,
	.free_page = tlbh_be_free_page,
	.free_table = tlbh_be_free_table,
	.sync_table_free = tlbh_be_sync_table_free,
	.alloc_batch = tlbh_be_alloc_batch,
	.free_batch = tlbh_be_free_batch,
	.mm_cpus = tlbh_be_mm_cpus,
	.lazy_cpus = tlbh_be_lazy_cpus,
	.this_cpu = tlbh_be_this_cpu,
	.violation = tlbh_be_violation,
	.flush_skip = tlbh_be_flush_skip,
	.new_generation = tlbh_be_new_generation,
	.gather_event = tlbh_be_gather_event,
};

/* ------------------------------------------------------------------ */
/* Probes                                                              */

struct tlbh_probe_work {
	struct work_struct work;
	struct mm_struct *mm;
	unsigned long addr;
	u64 val;
	int err;
};

static void tlbh_probe_fn(struct work_struct *work)
{
	struct tlbh_probe_work *pw =
		container_of(work, struct tlbh_probe_work, work);

	kthread_use_mm(pw->mm);
	if (copy_from_user(&pw->val, (const void __user *)pw->addr,
			   sizeof(pw->val)))
		pw->err = -EFAULT;
	kthread_unuse_mm(pw->mm);
}

/**
 * tlbh_space_probe_read - read the first word of a page on a given CPU
 * @sp: space (its mutex held, not the mmap lock: the read may fault)
 * @cpu: CPU to read on
 * @addr: user address of the page
 * @val: the word read
 *
 * A work item bound to @cpu adopts the space's mm, which switches that
 * CPU into it exactly as a returning user thread would, and reads.
 *
 * Return: 0, -EFAULT when the read faulted, -EINVAL for a bad CPU.
 */
int tlbh_space_probe_read(struct tlbh_dspace *sp, unsigned int cpu,
			  unsigned long addr, u64 *val)
{
	struct tlbh_probe_work pw = { .mm = sp->mm, .addr = addr };
	int ret = -EINVAL;

	if (!mmget_not_zero(sp->mm))
		return -ENXIO;
	cpus_read_lock();
	if (cpu < nr_cpu_ids && cpu_online(cpu)) {
		INIT_WORK_ONSTACK(&pw.work, tlbh_probe_fn);
		queue_work_on(cpu, system_highpri_wq, &pw.work);
		flush_work(&pw.work);
		destroy_work_on_stack(&pw.work);
		*val = pw.val;
		ret = pw.err;
	}
	cpus_read_unlock();
	mmput(sp->mm);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

static void tlbh_space_release(struct kref *ref)
{
	struct tlbh_dspace *sp = container_of(ref, struct tlbh_dspace, ref);

	if (sp->held == TLBH_HELD_ZAP || sp->held == TLBH_HELD_UNMAP)
		tlbh_abandon(&sp->held_op.tlb);
	sp->held = TLBH_HELD_NONE;
	/*
	 * The VMA is gone (its PTEs zapped and tables freed by the kernel),
	 * so one full flush everywhere makes every page unreachable.
	 */
	tlbh_space_flush_everywhere(sp);
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

void tlbh_space_put(struct tlbh_dspace *sp)
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
	struct tlbh_dspace *sp = vma->vm_private_data;

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
	struct tlbh_dspace *sp;

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
	sp->policy_base = tlbh_policy_default();
	sp->policy = *sp->policy_base;
	tlbh_mm_init(&sp->emm, &sp->policy, NULL, &tlbh_hw_backend_ops, sp);
	sp->espace.mm = &sp->emm;
	sp->espace.pt_ops = &tlbh_hw_pt_ops;
	sp->espace.pt = sp;
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

static struct vm_area_struct *tlbh_space_vma(struct tlbh_dspace *sp)
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
bool tlbh_space_mapped(struct tlbh_dspace *sp)
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
int tlbh_space_enter(struct tlbh_dspace *sp, bool write)
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

void tlbh_space_leave(struct tlbh_dspace *sp, bool write)
{
	if (write)
		mmap_write_unlock(sp->mm);
	else
		mmap_read_unlock(sp->mm);
	mutex_unlock(&sp->lock);
}
