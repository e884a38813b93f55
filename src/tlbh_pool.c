// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_pool.c - the pages spaces map, and their quarantine.
 *
 * Every data page a space maps comes from here: a fresh zeroed page,
 * stamped in its first word with the space, its page number and a
 * generation, so that a read tells exactly which mapping it went
 * through.  The module keeps its own record of each page (how many PTEs
 * map it, whether it is quarantined) in the space's xarray, never in the
 * struct page.  A page no PTE maps any more, because the engine freed it
 * or a command replaced it behind the TLB's back, is quarantined: never
 * mapped again, and given back to the page allocator only after a full
 * flush on every CPU (a drain), so no stale TLB entry can reach a page
 * the harness does not own.
 */
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include "tlbh_space.h"

unsigned long tlbh_max_pool_pages = 65536;
module_param_named(max_pool_pages, tlbh_max_pool_pages, ulong, 0644);
MODULE_PARM_DESC(max_pool_pages, "Pool pages of all spaces at most (-ENOMEM)");

unsigned int tlbh_max_quarantine = 4096;
module_param_named(max_quarantine, tlbh_max_quarantine, uint, 0644);
MODULE_PARM_DESC(max_quarantine, "Quarantined pages of a space before a drain");

static atomic_long_t tlbh_pool = ATOMIC_LONG_INIT(0);

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

struct tlbh_pool_page *tlbh_pool_alloc(struct tlbh_space *sp,
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

struct tlbh_pool_page *tlbh_pool_page(struct tlbh_space *sp,
				      unsigned long pfn)
{
	return xa_load(&sp->pool, pfn);
}

/* Never mapped again; released after the next full flush everywhere. */
void tlbh_quarantine(struct tlbh_space *sp, struct tlbh_pool_page *pp)
{
	if (pp->quarantined)
		return;
	pp->quarantined = true;
	list_move_tail(&pp->link, &sp->quarantine);
	sp->nr_quarantined++;
}

void tlbh_pool_release(struct tlbh_space *sp, struct list_head *list)
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
 * tlbh_pool_free - the engine hands a gathered page back
 * @sp: the space
 * @pfn: the page
 *
 * A page held in a batch across commands (reclaim, TLBH_HOLD) may have
 * been released meanwhile and come back mapped: never quarantine a page
 * a PTE maps.
 */
void tlbh_pool_free(struct tlbh_space *sp, unsigned long pfn)
{
	struct tlbh_pool_page *pp = tlbh_pool_page(sp, pfn);

	if (pp && !pp->maps)
		tlbh_quarantine(sp, pp);
}

/**
 * tlbh_pool_unalloc - give back a page that was never mapped
 * @sp: the space
 * @pp: a page from tlbh_pool_alloc() that no PTE ever pointed to
 *
 * No TLB can hold an entry for it, so it goes back at once: a command
 * that cannot finish undoes its allocations this way.
 */
void tlbh_pool_unalloc(struct tlbh_space *sp, struct tlbh_pool_page *pp)
{
	LIST_HEAD(one);

	list_move(&pp->link, &one);
	tlbh_pool_release(sp, &one);
}

/**
 * tlbh_pool_drain - full flush on every CPU, then release the quarantine
 * @sp: space, locked
 *
 * Return: pages released.
 */
unsigned long tlbh_pool_drain(struct tlbh_space *sp)
{
	unsigned long n = sp->nr_quarantined;

	tlbh_hw_flush_everywhere(sp);
	bitmap_fill(sp->park_ok, sp->data_size >> PMD_SHIFT);
	tlbh_pool_release(sp, &sp->quarantine);
	sp->nr_quarantined = 0;
	atomic64_inc(&sp->cnt[TLBH_CNT_DRAINS]);
	return n;
}
