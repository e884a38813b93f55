/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pt.h - a general model page table for the oracle's replay
 *
 * Sparse, four levels (x86-64 4-level paging: a PGD whose entries point to
 * PUD tables, PMD tables and PTE tables), any user address.  Entries use
 * the engine's tlbh_pte_t encoding; an entry that points to a lower table
 * is TLBH_PTE_TABLE | table pfn, a PMD-level leaf is TLBH_PTE_HUGE.
 *
 * The engine reaches it through struct tlbh_pt_ops (oracle_pt_ops); the
 * helpers below work at any level, so that a driver freeing PMD and PUD
 * tables (free_pgtables' floor/ceiling) can be written against the same
 * model: oracle_pt_read_entry/oracle_pt_write_entry on level 1 (PMD entry),
 * 2 (PUD entry) or 3 (PGD entry), oracle_pt_table_empty() to decide.
 *
 * Every unhooked table (an entry that pointed to a table overwritten) is
 * reported through @on_unhook with the level of the table: 0 a PTE table,
 * 1 a PMD table, 2 a PUD table.  Tables stay allocated until
 * oracle_pt_release_table() (the engine's free_table backend op).
 */
#ifndef _ORACLE_PT_H
#define _ORACLE_PT_H

#include "tlbh_op.h"

#define ORACLE_PT_ENTRIES	512
#define ORACLE_PT_LEVELS	4	/* PTE, PMD, PUD tables and the PGD */

struct oracle_table {
	unsigned long pfn;
	int level;		/* 0 PTE table ... 3 PGD */
	bool hooked;
	unsigned long base;	/* first address it maps, while hooked */
	tlbh_pte_t e[ORACLE_PT_ENTRIES];
};

struct oracle_pt {
	struct oracle_table *pgd;
	struct oracle_table **tables;	/* by pfn - ORACLE_TABLE_PFN0 */
	unsigned long nr_tables, cap_tables;
	unsigned long next_page_pfn;
	unsigned long live_tables[ORACLE_PT_LEVELS];
	void (*on_unhook)(void *obs, int level, unsigned long addr,
			  unsigned long table_pfn);
	void *obs;
};

#define ORACLE_TABLE_PFN0	0x10000000UL
#define ORACLE_PAGE_PFN0	0x1000UL

extern const struct tlbh_pt_ops oracle_pt_ops;

void oracle_pt_init(struct oracle_pt *pt);
void oracle_pt_destroy(struct oracle_pt *pt);
unsigned long oracle_pt_new_page(struct oracle_pt *pt);

/* Entry of level @level (0 PTE, 1 PMD, 2 PUD, 3 PGD) mapping @addr. */
tlbh_pte_t oracle_pt_read_entry(struct oracle_pt *pt, int level,
				unsigned long addr);
/*
 * Write it, allocating the tables above as needed (-ENOMEM never, -EINVAL
 * when a leaf above is in the way).  Overwriting a table pointer reports
 * the unhook.
 */
int oracle_pt_write_entry(struct oracle_pt *pt, int level, unsigned long addr,
			  tlbh_pte_t entry);
struct oracle_table *oracle_pt_table(struct oracle_pt *pt, unsigned long pfn);
bool oracle_pt_table_empty(struct oracle_pt *pt, unsigned long pfn);
void oracle_pt_release_table(struct oracle_pt *pt, unsigned long pfn);

/* Tables reachable from the PGD, per level (0 PTE, 1 PMD, 2 PUD). */
void oracle_pt_count_hooked(struct oracle_pt *pt, unsigned long *count);

#endif /* _ORACLE_PT_H */
