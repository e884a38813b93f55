// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_pt.c - the page tables of a space, which the MMU really walks.
 *
 * PTEs are written here, under the PTE lock, as special PFN entries
 * pointing at pool pages.  PTE tables are allocated by the kernel and
 * only ever moved between PMD slots of the space: the lower half of the
 * space holds data, the upper half parks tables the engine "freed",
 * until a flush covers them and they may be reused.  The kernel frees
 * every table the normal way at munmap or exit.  tlbh_hw_pt_ops gives
 * the operation drivers (tlbh_op.c) their view of these tables in the
 * engine's PTE encoding.
 */
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/spinlock.h>

#include "tlbh_space.h"

static pmd_t *tlbh_pmd(struct tlbh_space *sp, unsigned long addr)
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

static unsigned long tlbh_table_pfn(struct tlbh_space *sp,
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

bool tlbh_pt_has_table(struct tlbh_space *sp, unsigned long addr)
{
	return tlbh_table_pfn(sp, addr) != 0;
}

static unsigned long tlbh_park_addr(struct tlbh_space *sp, unsigned int i)
{
	return sp->base + sp->data_size + ((unsigned long)i << PMD_SHIFT);
}

static unsigned int tlbh_park_slots(struct tlbh_space *sp)
{
	return sp->data_size >> PMD_SHIFT;
}

unsigned long tlbh_pt_count_tables(struct tlbh_space *sp, bool park)
{
	unsigned long addr, n = 0;
	unsigned long start = park ? sp->base + sp->data_size : sp->base;

	for (addr = start; addr < start + sp->data_size; addr += PMD_SIZE)
		n += tlbh_pt_has_table(sp, addr);
	return n;
}

/* Move the PTE table of slot @from to the empty slot @to. */
static void tlbh_move_table(struct tlbh_space *sp, unsigned long from,
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

/**
 * tlbh_park_release - the engine has flushed and released a parked table
 * @sp: the space
 * @table_pfn: the table
 *
 * The park slot holding it may be reused (tlbh_pt_ensure_table).
 */
void tlbh_park_release(struct tlbh_space *sp, unsigned long table_pfn)
{
	unsigned int i, slots = tlbh_park_slots(sp);

	for (i = 0; i < slots; i++)
		if (tlbh_table_pfn(sp, tlbh_park_addr(sp, i)) == table_pfn)
			set_bit(i, sp->park_ok);
}

struct tlbh_pte_ctx {
	struct tlbh_space *sp;
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
int tlbh_pt_ensure_table(struct tlbh_space *sp, unsigned long addr)
{
	unsigned int i, slots = tlbh_park_slots(sp);
	struct tlbh_pte_ctx c = { .sp = sp, .clear = true, .quarantine = true };
	unsigned long park;
	int pick = -1, any = -1;

	addr &= PMD_MASK;
	if (tlbh_pt_has_table(sp, addr))
		return 0;
	for (i = 0; i < slots; i++) {
		if (!tlbh_pt_has_table(sp, tlbh_park_addr(sp, i)))
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
		tlbh_pool_drain(sp);
		pick = any;
	}
	if (pick >= 0) {
		park = tlbh_park_addr(sp, pick);
		/* Clear what the table still maps before it is reused. */
		apply_to_page_range(sp->mm, park, PMD_SIZE, tlbh_pte_fn, &c);
		clear_bit(pick, sp->park_ok);
		tlbh_move_table(sp, park, addr);
		atomic64_inc(&sp->cnt[TLBH_CNT_TABLES_REUSED]);
		return tlbh_pt_has_table(sp, addr) ? 0 : -ENOMEM;
	}
	/* Nothing parked: the kernel allocates a table (and upper levels). */
	c.clear = false;
	return apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
}

/* Identity mapped at @addr now, 0 if none; @flags gets TLBH_SNAP_*. */
u64 tlbh_pt_identity(struct tlbh_space *sp, unsigned long addr,
		     u64 *flags)
{
	struct tlbh_pte_ctx c = { .sp = sp };
	struct tlbh_pool_page *pp;
	u64 f = 0;

	if (tlbh_pt_has_table(sp, addr)) {
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

/*
 * Fresh pool pages for @n addresses from @addr where @want says so, all
 * or none: on failure the ones already allocated go back unmapped.
 */
static struct tlbh_pool_page **tlbh_pt_alloc_pages(struct tlbh_space *sp,
						   unsigned long addr,
						   unsigned long n,
						   const unsigned long *want)
{
	struct tlbh_pool_page **pages;
	unsigned long i;

	pages = kvcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!test_bit(i, want))
			continue;
		pages[i] = tlbh_pool_alloc(sp, addr + i * PAGE_SIZE);
		if (!pages[i])
			goto undo;
	}
	return pages;
undo:
	while (i--)
		if (pages[i])
			tlbh_pool_unalloc(sp, pages[i]);
	kvfree(pages);
	return NULL;
}

/*
 * Map a fresh page at every empty page of the range.  All or nothing:
 * the PTE tables are made first, then every page is allocated, and only
 * then are PTEs written, which cannot fail.  A PTE table made for a
 * command that then fails stays (empty).
 */
int tlbh_pt_populate(struct tlbh_space *sp, unsigned long addr,
		     unsigned long len, bool writable, u64 *mapped)
{
	unsigned long i, n = len >> PAGE_SHIFT, *want;
	struct tlbh_pool_page **pages;
	int ret = 0;

	want = bitmap_zalloc(n, GFP_KERNEL);
	if (!want)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ret = tlbh_pt_ensure_table(sp, addr + i * PAGE_SIZE);
		if (ret)
			goto out;
		if (!tlbh_pt_identity(sp, addr + i * PAGE_SIZE, NULL))
			set_bit(i, want);
	}
	pages = tlbh_pt_alloc_pages(sp, addr, n, want);
	if (!pages) {
		ret = -ENOMEM;
		goto out;
	}
	for_each_set_bit(i, want, n) {
		struct tlbh_pte_ctx c = {
			.sp = sp, .set = true,
			.new = tlbh_mk_hw_pte(pages[i], writable),
		};

		/* The table exists: this allocates nothing. */
		apply_to_page_range(sp->mm, addr + i * PAGE_SIZE, PAGE_SIZE,
				    tlbh_pte_fn, &c);
		(*mapped)++;
	}
	kvfree(pages);
out:
	bitmap_free(want);
	return ret;
}

/*
 * Replace every present page by a fresh one, with no flush at all, all
 * or nothing: the new pages are allocated before any PTE changes.
 */
int tlbh_pt_remap(struct tlbh_space *sp, unsigned long addr,
		  unsigned long len, u64 *replaced)
{
	unsigned long i, n = len >> PAGE_SHIFT, *want;
	struct tlbh_pool_page **pages, *old;
	u64 flags;
	int ret = 0;

	want = bitmap_zalloc(n, GFP_KERNEL);
	if (!want)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (tlbh_pt_identity(sp, addr + i * PAGE_SIZE, NULL))
			set_bit(i, want);
	pages = tlbh_pt_alloc_pages(sp, addr, n, want);
	if (!pages) {
		ret = -ENOMEM;
		goto out;
	}
	for_each_set_bit(i, want, n) {
		struct tlbh_pte_ctx c = { .sp = sp, .clear = true, .set = true };
		unsigned long a = addr + i * PAGE_SIZE;

		tlbh_pt_identity(sp, a, &flags);
		c.new = tlbh_mk_hw_pte(pages[i], flags & TLBH_SNAP_WRITE);
		apply_to_page_range(sp->mm, a, PAGE_SIZE, tlbh_pte_fn, &c);
		old = c.count ? tlbh_pool_page(sp, pte_pfn(c.old)) : NULL;
		if (old && !old->maps)
			tlbh_quarantine(sp, old);
		(*replaced)++;
	}
	kvfree(pages);
out:
	bitmap_free(want);
	return ret;
}

/* ------------------------------------------------------------------ */
/* struct tlbh_pt_ops on the real page tables                          */

static bool tlbh_addr_special(struct tlbh_space *sp, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < sp->nr_vmas; i++)
		if (addr >= sp->vmas[i].start && addr < sp->vmas[i].end)
			return sp->vmas[i].flags & TLBH_VM_PFNMAP;
	return false;
}

static tlbh_pte_t tlbh_to_model(struct tlbh_space *sp, unsigned long addr,
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

static bool tlbh_addr_ok(struct tlbh_space *sp, unsigned long addr)
{
	return addr >= sp->base && addr < sp->base + sp->data_size;
}

static tlbh_pte_t tlbh_pt_read_pte(void *pt, unsigned long addr)
{
	struct tlbh_space *sp = pt;
	struct tlbh_pte_ctx c = { .sp = sp };

	if (!tlbh_addr_ok(sp, addr) || !tlbh_pt_has_table(sp, addr))
		return 0;
	apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
	return c.seen ? tlbh_to_model(sp, addr, c.old) : 0;
}

static int tlbh_pt_write_pte(void *pt, unsigned long addr, tlbh_pte_t v)
{
	struct tlbh_space *sp = pt;
	struct tlbh_pte_ctx c = { .sp = sp, .clear = true };
	struct tlbh_pool_page *pp = NULL;
	int ret;

	if (!tlbh_addr_ok(sp, addr))
		return -EINVAL;
	if (v & TLBH_PTE_PRESENT) {
		pp = tlbh_pool_page(sp, tlbh_pte_pfn(v));
		if (!pp || pp->quarantined) {
			tlbh_report(&sp->engine, TLBH_VIOL_FREE_BEFORE_FLUSH, addr,
				    "write of a page the pool does not map");
			return -EINVAL;
		}
		c.set = true;
		c.new = tlbh_mk_hw_pte(pp, v & TLBH_PTE_WRITE);
		if (!(v & TLBH_PTE_DIRTY))
			c.new = pte_mkclean(c.new);
	}
	ret = tlbh_pt_ensure_table(sp, addr);
	if (ret)
		return ret;
	return apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
}

static tlbh_pte_t tlbh_pt_get_and_clear_pte(void *pt, unsigned long addr)
{
	struct tlbh_space *sp = pt;
	struct tlbh_pte_ctx c = { .sp = sp, .clear = true };

	if (!tlbh_addr_ok(sp, addr) || !tlbh_pt_has_table(sp, addr))
		return 0;
	apply_to_page_range(sp->mm, addr, PAGE_SIZE, tlbh_pte_fn, &c);
	return c.count ? tlbh_to_model(sp, addr, c.old) : 0;
}

static tlbh_pte_t tlbh_pt_clear_pte_in_table(void *pt, unsigned long pfn,
					     unsigned int index)
{
	struct tlbh_space *sp = pt;
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
	struct tlbh_space *sp = pt;
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
	struct tlbh_space *sp = pt;
	unsigned int i, slots = tlbh_park_slots(sp);
	unsigned long park;

	if (!tlbh_addr_ok(sp, addr))
		return;
	addr &= PMD_MASK;
	for (i = 0; i < slots; i++) {
		park = tlbh_park_addr(sp, i);
		if (!v) {
			if (!tlbh_pt_has_table(sp, addr))
				return;
			if (tlbh_pt_has_table(sp, park))
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
		tlbh_report(&sp->engine, TLBH_VIOL_TABLE_NO_FLUSH, addr,
			    "PMD write of a table that is not parked");
}

/* The VMA goes away: the "driver" releases pages no PTE maps. */
static void tlbh_pt_unlink_vma(void *pt, struct tlbh_vma *vma)
{
	struct tlbh_space *sp = pt;
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
	struct tlbh_space *sp = pt;

	return test_and_set_bit(lock, &sp->locks) ? -EAGAIN : 0;
}

static void tlbh_pt_unlock(void *pt, enum tlbh_lock lock, unsigned long addr)
{
	struct tlbh_space *sp = pt;

	clear_bit(lock, &sp->locks);
}

const struct tlbh_pt_ops tlbh_hw_pt_ops = {
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
