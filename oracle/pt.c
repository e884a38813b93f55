// SPDX-License-Identifier: GPL-2.0
/*
 * pt.c - the oracle's general model page table (see pt.h)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pt.h"

static unsigned int idx(int level, unsigned long addr)
{
	return (addr >> (TLBH_PAGE_SHIFT + 9 * level)) & (ORACLE_PT_ENTRIES - 1);
}

static struct oracle_table *new_table(struct oracle_pt *pt, int level)
{
	struct oracle_table *t = calloc(1, sizeof(*t));

	if (pt->nr_tables == pt->cap_tables) {
		pt->cap_tables = pt->cap_tables ? 2 * pt->cap_tables : 1024;
		pt->tables = realloc(pt->tables,
				     pt->cap_tables * sizeof(*pt->tables));
	}
	t->pfn = ORACLE_TABLE_PFN0 + pt->nr_tables;
	t->level = level;
	t->hooked = true;
	pt->tables[pt->nr_tables++] = t;
	pt->live_tables[level]++;
	return t;
}

void oracle_pt_init(struct oracle_pt *pt)
{
	memset(pt, 0, sizeof(*pt));
	pt->next_page_pfn = ORACLE_PAGE_PFN0;
	pt->pgd = new_table(pt, 3);
}

void oracle_pt_destroy(struct oracle_pt *pt)
{
	unsigned long i;

	for (i = 0; i < pt->nr_tables; i++)
		free(pt->tables[i]);
	free(pt->tables);
	memset(pt, 0, sizeof(*pt));
}

unsigned long oracle_pt_new_page(struct oracle_pt *pt)
{
	return pt->next_page_pfn++;
}

struct oracle_table *oracle_pt_table(struct oracle_pt *pt, unsigned long pfn)
{
	if (pfn < ORACLE_TABLE_PFN0 || pfn - ORACLE_TABLE_PFN0 >= pt->nr_tables)
		return NULL;
	return pt->tables[pfn - ORACLE_TABLE_PFN0];
}

/* The table of level @level covering @addr, or NULL. */
static struct oracle_table *walk(struct oracle_pt *pt, int level,
				 unsigned long addr, bool alloc)
{
	struct oracle_table *t = pt->pgd;
	int l;

	for (l = 3; l > level; l--) {
		tlbh_pte_t *e = &t->e[idx(l, addr)];

		if (!*e) {
			if (!alloc)
				return NULL;
			struct oracle_table *n = new_table(pt, l - 1);

			n->base = addr & ~((1UL << (TLBH_PAGE_SHIFT + 9 * l)) - 1);
			*e = tlbh_mk_pte(n->pfn, TLBH_PTE_TABLE);
		} else if (!(*e & TLBH_PTE_TABLE)) {
			return NULL;	/* a leaf above */
		}
		t = oracle_pt_table(pt, tlbh_pte_pfn(*e));
		if (!t)
			return NULL;
	}
	return t;
}

tlbh_pte_t oracle_pt_read_entry(struct oracle_pt *pt, int level,
				unsigned long addr)
{
	struct oracle_table *t = walk(pt, level, addr, false);

	return t ? t->e[idx(level, addr)] : 0;
}

int oracle_pt_write_entry(struct oracle_pt *pt, int level, unsigned long addr,
			  tlbh_pte_t entry)
{
	struct oracle_table *t = walk(pt, level, addr, entry != 0);
	tlbh_pte_t old;

	if (!t)
		return entry ? -EINVAL : 0;
	old = t->e[idx(level, addr)];
	t->e[idx(level, addr)] = entry;
	if (level > 0 && (entry & TLBH_PTE_TABLE) && old != entry) {
		struct oracle_table *child = oracle_pt_table(pt, tlbh_pte_pfn(entry));

		/* A table hooked again (mremap moves a whole PTE table). */
		if (child && !child->hooked) {
			child->hooked = true;
			pt->live_tables[child->level]++;
		}
		if (child)
			child->base = addr & ~((1UL << (TLBH_PAGE_SHIFT + 9 * level)) - 1);
	}
	if (level > 0 && (old & TLBH_PTE_TABLE) && old != entry) {
		struct oracle_table *child = oracle_pt_table(pt, tlbh_pte_pfn(old));
		unsigned long base = addr & ~((1UL << (TLBH_PAGE_SHIFT + 9 * level)) - 1);

		if (child) {
			child->hooked = false;
			pt->live_tables[child->level]--;
		}
		if (pt->on_unhook)
			pt->on_unhook(pt->obs, level - 1, base, tlbh_pte_pfn(old));
	}
	return 0;
}

bool oracle_pt_table_empty(struct oracle_pt *pt, unsigned long pfn)
{
	struct oracle_table *t = oracle_pt_table(pt, pfn);
	unsigned int i;

	if (!t)
		return true;
	for (i = 0; i < ORACLE_PT_ENTRIES; i++)
		if (t->e[i])
			return false;
	return true;
}

void oracle_pt_release_table(struct oracle_pt *pt, unsigned long pfn)
{
	struct oracle_table *t = oracle_pt_table(pt, pfn);

	if (t)
		memset(t->e, 0, sizeof(t->e));
}

static void count(struct oracle_pt *pt, struct oracle_table *t,
		  unsigned long *n)
{
	unsigned int i;

	if (t->level < 3)
		n[t->level]++;
	if (!t->level)
		return;
	for (i = 0; i < ORACLE_PT_ENTRIES; i++)
		if (t->e[i] & TLBH_PTE_TABLE) {
			struct oracle_table *c = oracle_pt_table(pt, tlbh_pte_pfn(t->e[i]));

			if (c)
				count(pt, c, n);
		}
}

void oracle_pt_count_hooked(struct oracle_pt *pt, unsigned long *n)
{
	n[0] = n[1] = n[2] = 0;
	count(pt, pt->pgd, n);
}

/* ------------------------------------------------------------------ */
/* struct tlbh_pt_ops                                                   */

static tlbh_pte_t op_read_pte(void *data, unsigned long addr)
{
	struct oracle_pt *pt = data;

	if (oracle_pt_read_entry(pt, 1, addr) & TLBH_PTE_HUGE)
		return 0;
	return oracle_pt_read_entry(pt, 0, addr);
}

static int op_write_pte(void *data, unsigned long addr, tlbh_pte_t pte)
{
	struct oracle_pt *pt = data;

	if (oracle_pt_read_entry(pt, 1, addr) & TLBH_PTE_HUGE)
		return -EINVAL;
	return oracle_pt_write_entry(pt, 0, addr, pte);
}

static tlbh_pte_t op_get_and_clear_pte(void *data, unsigned long addr)
{
	tlbh_pte_t old = op_read_pte(data, addr);

	if (old)
		oracle_pt_write_entry(data, 0, addr, 0);
	return old;
}

static tlbh_pte_t op_clear_pte_in_table(void *data, unsigned long table,
					unsigned int index)
{
	struct oracle_table *t = oracle_pt_table(data, table);
	tlbh_pte_t old;

	if (!t || t->level != 0 || index >= ORACLE_PT_ENTRIES)
		return 0;
	old = t->e[index];
	t->e[index] = 0;
	return old;
}

static tlbh_pte_t op_read_pmd(void *data, unsigned long addr)
{
	return oracle_pt_read_entry(data, 1, addr);
}

static void op_write_pmd(void *data, unsigned long addr, tlbh_pte_t pmd)
{
	oracle_pt_write_entry(data, 1, addr, pmd);
}

/* The PMD table (PUD entry) or PUD table (PGD entry) mapping @addr. */
static unsigned long op_upper_table(void *data, enum tlbh_level level,
				    unsigned long addr)
{
	tlbh_pte_t e;

	if (level != TLBH_LEVEL_PMD && level != TLBH_LEVEL_PUD)
		return 0;
	e = oracle_pt_read_entry(data, level + 1, addr);
	return (e & TLBH_PTE_TABLE) ? tlbh_pte_pfn(e) : 0;
}

static void op_unhook_upper(void *data, enum tlbh_level level,
			    unsigned long addr)
{
	if (level == TLBH_LEVEL_PMD || level == TLBH_LEVEL_PUD)
		oracle_pt_write_entry(data, level + 1, addr, 0);
}

const struct tlbh_pt_ops oracle_pt_ops = {
	.read_pte = op_read_pte,
	.write_pte = op_write_pte,
	.get_and_clear_pte = op_get_and_clear_pte,
	.clear_pte_in_table = op_clear_pte_in_table,
	.read_pmd = op_read_pmd,
	.write_pmd = op_write_pmd,
	.upper_table = op_upper_table,
	.unhook_upper = op_unhook_upper,
};
