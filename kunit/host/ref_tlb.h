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
 * The property test (engine_property.c) and the explorer (explore.c,
 * through space_model.c) both judge the engine against this one model.
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

#endif /* _TLBH_REF_TLB_H */
