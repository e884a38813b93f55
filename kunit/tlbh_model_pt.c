// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_model_pt.c - the model page table of the engine's case rows and
 * of the host property test: PMD slots and PTE tables in plain memory,
 * behind struct tlbh_pt_ops (see tlbh_engine_cases.h)
 *
 * Built into the KUnit module and, unchanged, into the userspace
 * programs in kunit/host.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "tlbh_engine_cases.h"
#include "tlbh_policy.h"

static unsigned int pte_slot(unsigned long addr)
{
	return (addr >> TLBH_PAGE_SHIFT) & (TLBH_MODEL_PTRS - 1);
}

/**
 * tlbh_model_pt_table - find a live PTE table by its pfn
 * @pt: model page table
 * @table: table pfn
 *
 * Return: the table, or NULL once it has been released.
 */
struct tlbh_model_table *tlbh_model_pt_table(struct tlbh_model_pt *pt,
					     unsigned long table)
{
	unsigned int i;

	for (i = 0; i < TLBH_MODEL_TABLES; i++)
		if (pt->tables[i].used && pt->tables[i].pfn == table)
			return &pt->tables[i];
	return NULL;
}

static struct tlbh_model_table *table_at(struct tlbh_model_pt *pt,
					 unsigned long addr)
{
	int slot = tlbh_model_pmd_slot(addr);

	if (slot < 0 || !(pt->pmd[slot] & TLBH_PTE_TABLE))
		return NULL;
	return tlbh_model_pt_table(pt, tlbh_pte_pfn(pt->pmd[slot]));
}

static tlbh_pte_t model_read_pte(void *data, unsigned long addr)
{
	struct tlbh_model_table *t = table_at(data, addr);

	return t ? t->pte[pte_slot(addr)] : 0;
}

static int model_write_pte(void *data, unsigned long addr, tlbh_pte_t pte)
{
	struct tlbh_model_pt *pt = data;
	int slot = tlbh_model_pmd_slot(addr);
	unsigned int i;

	if (slot < 0 || (pt->pmd[slot] & TLBH_PTE_HUGE))
		return -EINVAL;
	if (!pt->pmd[slot]) {
		for (i = 0; i < TLBH_MODEL_TABLES && pt->tables[i].used; i++)
			;
		if (i == TLBH_MODEL_TABLES)
			return -ENOMEM;
		memset(&pt->tables[i], 0, sizeof(pt->tables[i]));
		pt->tables[i].used = true;
		pt->tables[i].pfn = pt->alloc_pfn(pt->obs);
		pt->pmd[slot] = tlbh_mk_pte(pt->tables[i].pfn, TLBH_PTE_TABLE);
	}
	table_at(pt, addr)->pte[pte_slot(addr)] = pte;
	return 0;
}

static tlbh_pte_t clear_entry(struct tlbh_model_pt *pt, tlbh_pte_t *entry,
			      unsigned long addr, unsigned long size)
{
	tlbh_pte_t old = *entry;

	*entry = 0;
	if ((old & TLBH_PTE_PRESENT) && pt->on_clear)
		pt->on_clear(pt->obs, addr, size, old);
	return old;
}

static tlbh_pte_t model_get_and_clear_pte(void *data, unsigned long addr)
{
	struct tlbh_model_table *t = table_at(data, addr);

	if (!t)
		return 0;
	return clear_entry(data, &t->pte[pte_slot(addr)], addr,
			   TLBH_PAGE_SIZE);
}

/* Where is the table mapped now?  0 when it is not hooked anywhere. */
static unsigned long table_addr(struct tlbh_model_pt *pt, unsigned long table)
{
	unsigned int i;

	for (i = 0; i < TLBH_MODEL_PMDS; i++)
		if ((pt->pmd[i] & TLBH_PTE_TABLE) &&
		    tlbh_pte_pfn(pt->pmd[i]) == table)
			return TLBH_MODEL_BASE + i * TLBH_PMD_SIZE;
	return 0;
}

static tlbh_pte_t model_clear_pte_in_table(void *data, unsigned long table,
					   unsigned int index)
{
	struct tlbh_model_pt *pt = data;
	struct tlbh_model_table *t = tlbh_model_pt_table(pt, table);
	unsigned long base = table_addr(pt, table);
	tlbh_pte_t old;

	if (!t)
		return 0;
	if (base)
		return clear_entry(pt, &t->pte[index],
				   base + index * TLBH_PAGE_SIZE,
				   TLBH_PAGE_SIZE);
	old = t->pte[index];
	t->pte[index] = 0;
	return old;
}

static tlbh_pte_t model_read_pmd(void *data, unsigned long addr)
{
	struct tlbh_model_pt *pt = data;
	int slot = tlbh_model_pmd_slot(addr);

	return slot < 0 ? 0 : pt->pmd[slot];
}

static void model_write_pmd(void *data, unsigned long addr, tlbh_pte_t pmd)
{
	struct tlbh_model_pt *pt = data;
	int slot = tlbh_model_pmd_slot(addr);
	tlbh_pte_t old;

	if (slot < 0)
		return;
	addr = TLBH_MODEL_BASE + slot * TLBH_PMD_SIZE;
	old = pt->pmd[slot];
	if (!pmd && (old & TLBH_PTE_HUGE)) {
		clear_entry(pt, &pt->pmd[slot], addr, TLBH_PMD_SIZE);
		return;
	}
	pt->pmd[slot] = pmd;
	if (!pmd && (old & TLBH_PTE_TABLE) && pt->on_unhook)
		pt->on_unhook(pt->obs, addr, tlbh_pte_pfn(old));
}

static void model_unlink_vma(void *data, struct tlbh_vma *vma)
{
	struct tlbh_model_pt *pt = data;

	if (pt->on_unlink)
		pt->on_unlink(pt->obs, vma);
}

static int model_lock(void *data, enum tlbh_lock lock, unsigned long addr)
{
	struct tlbh_model_pt *pt = data;

	if (pt->locks & (1U << lock))
		return -EAGAIN;
	pt->locks |= 1U << lock;
	return 0;
}

static void model_unlock(void *data, enum tlbh_lock lock, unsigned long addr)
{
	struct tlbh_model_pt *pt = data;

	pt->locks &= ~(1U << lock);
}

const struct tlbh_pt_ops tlbh_model_pt_ops = {
	.read_pte = model_read_pte,
	.write_pte = model_write_pte,
	.get_and_clear_pte = model_get_and_clear_pte,
	.clear_pte_in_table = model_clear_pte_in_table,
	.read_pmd = model_read_pmd,
	.write_pmd = model_write_pmd,
	.unlink_vma = model_unlink_vma,
	.lock = model_lock,
	.unlock = model_unlock,
};

/**
 * tlbh_model_pt_init - empty model page table
 * @pt: model page table; the caller sets alloc_pfn and the observers
 */
void tlbh_model_pt_init(struct tlbh_model_pt *pt)
{
	memset(pt, 0, sizeof(*pt));
}

/**
 * tlbh_model_pt_release - the backend freed a PTE table page
 * @pt: model page table
 * @table: table pfn
 */
void tlbh_model_pt_release(struct tlbh_model_pt *pt, unsigned long table)
{
	struct tlbh_model_table *t = tlbh_model_pt_table(pt, table);

	if (t)
		t->used = false;
}
