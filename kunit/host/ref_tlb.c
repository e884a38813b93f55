// SPDX-License-Identifier: GPL-2.0
/*
 * ref_tlb.c - the reference model of per-CPU TLBs (see ref_tlb.h)
 */
#include <string.h>

#include "ref_tlb.h"

#define PAGE_MASK_	(~(TLBH_PAGE_SIZE - 1))
#define PMD_MASK_	(~(TLBH_PMD_SIZE - 1))

void ref_tlb_init(struct ref_tlb *t)
{
	memset(t, 0, sizeof(*t));
}

static struct ref_leaf *find_leaf(const struct ref_tlb *t, unsigned int cpu,
				  unsigned long va)
{
	const struct ref_cpu *c;
	unsigned int i;

	if (cpu >= REF_CPUS)
		return NULL;
	c = &t->cpu[cpu];
	va &= PAGE_MASK_;
	for (i = 0; i < c->nr_leaves; i++)
		if (c->leaf[i].va == va)
			return (struct ref_leaf *)&c->leaf[i];
	return NULL;
}

const struct ref_leaf *ref_tlb_lookup(const struct ref_tlb *t,
				      unsigned int cpu, unsigned long va)
{
	return find_leaf(t, cpu, va);
}

static void remove_leaf(struct ref_cpu *c, unsigned int i)
{
	memmove(&c->leaf[i], &c->leaf[i + 1],
		(c->nr_leaves - i - 1) * sizeof(c->leaf[0]));
	c->nr_leaves--;
}

void ref_tlb_fill(struct ref_tlb *t, unsigned int cpu, unsigned long va,
		  unsigned long pfn, bool writable, bool huge)
{
	struct ref_leaf *l = find_leaf(t, cpu, va);
	struct ref_cpu *c;

	if (cpu >= REF_CPUS)
		return;
	c = &t->cpu[cpu];
	if (!l) {
		if (c->nr_leaves == REF_LEAVES)
			remove_leaf(c, 0);
		l = &c->leaf[c->nr_leaves++];
	}
	l->va = va & PAGE_MASK_;
	l->pfn = pfn;
	l->writable = writable;
	l->huge = huge;
}

void ref_tlb_fill_walk(struct ref_tlb *t, unsigned int cpu, unsigned long va,
		       unsigned long table)
{
	struct ref_cpu *c;
	unsigned int i;

	if (cpu >= REF_CPUS)
		return;
	c = &t->cpu[cpu];
	va &= PMD_MASK_;
	for (i = 0; i < c->nr_walks && c->walk[i].va != va; i++)
		;
	if (i == c->nr_walks) {
		if (c->nr_walks == REF_WALKS) {
			memmove(&c->walk[0], &c->walk[1],
				(REF_WALKS - 1) * sizeof(c->walk[0]));
			i = REF_WALKS - 1;
		} else {
			c->nr_walks++;
		}
	}
	c->walk[i].va = va;
	c->walk[i].table = table;
}

void ref_tlb_drop(struct ref_tlb *t, unsigned int cpu, unsigned long va)
{
	struct ref_leaf *l = find_leaf(t, cpu, va);

	if (l)
		remove_leaf(&t->cpu[cpu], l - t->cpu[cpu].leaf);
}

void ref_tlb_drop_cpu(struct ref_tlb *t, unsigned int cpu)
{
	if (cpu < REF_CPUS)
		memset(&t->cpu[cpu], 0, sizeof(t->cpu[cpu]));
}

/* Does some stride address of @f fall inside what @l translates? */
static bool covered(const struct tlbh_flush *f, const struct ref_leaf *l)
{
	unsigned long lo = l->huge ? l->va & PMD_MASK_ : l->va;
	unsigned long hi = lo + (l->huge ? TLBH_PMD_SIZE : TLBH_PAGE_SIZE);
	unsigned long stride = 1UL << f->stride_shift, a;

	if (lo < f->start)
		lo = f->start;
	if (hi > f->end)
		hi = f->end;
	if (lo >= hi)
		return false;
	a = f->start + (lo - f->start + stride - 1) / stride * stride;
	return a < hi;
}

void ref_tlb_flush(struct ref_tlb *t, const struct tlbh_flush *f)
{
	unsigned int cpu, i;

	for (cpu = 0; cpu < REF_CPUS; cpu++) {
		struct ref_cpu *c = &t->cpu[cpu];

		if (!(f->cpus & TLBH_CPU(cpu)))
			continue;
		/* INVLPG drops all paging-structure caches, too. */
		c->nr_walks = 0;
		if (f->full) {
			c->nr_leaves = 0;
			continue;
		}
		for (i = 0; i < c->nr_leaves; )
			if (covered(f, &c->leaf[i]))
				remove_leaf(c, i);
			else
				i++;
	}
}

int ref_tlb_find_pfn(const struct ref_tlb *t, tlbh_cpus_t cpus,
		     unsigned long pfn, unsigned long *va)
{
	unsigned int cpu, i;
	bool found;

	for (cpu = 0; cpu < REF_CPUS; cpu++) {
		const struct ref_cpu *c = &t->cpu[cpu];

		if (!(cpus & TLBH_CPU(cpu)))
			continue;
		found = false;
		for (i = 0; i < c->nr_leaves; i++) {
			if (c->leaf[i].pfn != pfn)
				continue;
			if (!found || c->leaf[i].va < *va)
				*va = c->leaf[i].va;
			found = true;
		}
		if (found)
			return cpu;
	}
	return -1;
}

int ref_tlb_find_table(const struct ref_tlb *t, tlbh_cpus_t cpus,
		       unsigned long table, unsigned long *va)
{
	unsigned int cpu, i;
	bool found;

	for (cpu = 0; cpu < REF_CPUS; cpu++) {
		const struct ref_cpu *c = &t->cpu[cpu];

		if (!(cpus & TLBH_CPU(cpu)))
			continue;
		found = false;
		for (i = 0; i < c->nr_walks; i++) {
			if (c->walk[i].table != table)
				continue;
			if (!found || c->walk[i].va < *va)
				*va = c->walk[i].va;
			found = true;
		}
		if (found)
			return cpu;
	}
	return -1;
}
