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

/*
 * Apply @f to what one CPU caches.  INVLPG drops every paging-structure
 * entry of the CPU; INVLPGB (@walks_in_range) only those of the PMDs a
 * stride address falls in.
 */
static void flush_cpu(struct ref_cpu *c, const struct tlbh_flush *f,
		      bool walks_in_range)
{
	unsigned int i;

	if (f->full) {
		c->nr_leaves = 0;
		c->nr_walks = 0;
		return;
	}
	if (!walks_in_range) {
		c->nr_walks = 0;
	} else {
		for (i = 0; i < c->nr_walks; ) {
			struct ref_leaf pmd = { .va = c->walk[i].va, .huge = 1 };

			if (covered(f, &pmd)) {
				memmove(&c->walk[i], &c->walk[i + 1],
					(c->nr_walks - i - 1) * sizeof(c->walk[0]));
				c->nr_walks--;
			} else {
				i++;
			}
		}
	}
	for (i = 0; i < c->nr_leaves; )
		if (covered(f, &c->leaf[i]))
			remove_leaf(c, i);
		else
			i++;
}

void ref_tlb_flush(struct ref_tlb *t, const struct tlbh_flush *f)
{
	unsigned int cpu;

	for (cpu = 0; cpu < REF_CPUS; cpu++)
		if (f->cpus & TLBH_CPU(cpu))
			flush_cpu(&t->cpu[cpu], f, false);
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

/* ------------------------------------------------------------------ */
/* The CPUs around the TLBs                                             */

void ref_x86_init(struct ref_x86 *x, bool pcid, bool lazy_cpumask)
{
	memset(x, 0, sizeof(*x));
	x->pcid = pcid;
	x->lazy_cpumask = lazy_cpumask;
	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++)
		x->cpu[cpu].load = REF_OTHER;
}

void ref_x86_place(struct ref_x86 *x, unsigned int cpu, enum ref_load load,
		   bool lazy, bool in_mask)
{
	struct ref_x86_cpu *c = &x->cpu[cpu];

	c->load = load;
	c->lazy = load == REF_LAZY || (load == REF_OTHER && lazy);
	c->in_mask = load != REF_OTHER || (x->lazy_cpumask && in_mask);
	c->gen = x->gen;
}

static void drop(struct ref_x86 *x, unsigned int cpu)
{
	ref_tlb_drop_cpu(&x->tlb, cpu);
}

/* Our mm is no longer loaded on @cpu (switch_mm_irqs_off to another). */
static void leave(struct ref_x86 *x, unsigned int cpu)
{
	struct ref_x86_cpu *c = &x->cpu[cpu];

	c->load = REF_OTHER;
	if (!x->lazy_cpumask)
		c->in_mask = false;
	/* Without PCID the CR3 write drops every non-global entry. */
	if (!x->pcid)
		drop(x, cpu);
}

/* The CPU takes the global ASID: what its old ASID holds is dead. */
static void take_global(struct ref_x86 *x, unsigned int cpu)
{
	drop(x, cpu);
	x->cpu[cpu].global = true;
	x->stats.to_global++;
}

bool ref_x86_switch(struct ref_x86 *x, unsigned int cpu, enum ref_load to,
		    bool lazy)
{
	struct ref_x86_cpu *c = &x->cpu[cpu];
	bool flush;

	if (cpu >= REF_CPUS || c->walking)
		return false;
	switch (to) {
	case REF_LAZY:
		/* enter_lazy_tlb: our mm stays loaded */
		if (c->load != REF_RUN)
			return false;
		c->load = REF_LAZY;
		c->lazy = true;
		x->stats.switches++;
		return false;
	case REF_OTHER:
		if (c->load != REF_OTHER) {
			leave(x, cpu);
			x->stats.switches++;
		}
		c->lazy = lazy;
		return false;
	case REF_RUN:
		break;
	}
	if (c->load == REF_RUN)
		return false;
	x->stats.switches++;
	/*
	 * From lazy: prev == next, the generation of the slot decides.
	 * From another mm: choose_new_asid, the same comparison with PCID,
	 * always a flush without.  A global ASID is always up to date.
	 */
	flush = c->gen != x->gen || (c->load == REF_OTHER && !x->pcid);
	c->load = REF_RUN;
	c->lazy = false;
	c->in_mask = true;
	if (x->global_asid) {
		if (!c->global)
			take_global(x, cpu);
		return false;
	}
	if (x->switch_back_no_flush || !flush)
		return false;
	drop(x, cpu);
	c->gen = x->gen;
	x->stats.switch_flushes++;
	return true;
}

void ref_x86_new_gen(struct ref_x86 *x)
{
	x->gen++;
}

void ref_x86_use_global_asid(struct ref_x86 *x)
{
	if (x->pcid)
		x->global_asid = true;
}

/* flush_tlb_func on @cpu */
static void flush_func(struct ref_x86 *x, const struct tlbh_flush *f,
		       unsigned int cpu, unsigned int self, bool mm_less)
{
	struct ref_x86_cpu *c = &x->cpu[cpu];

	if (cpu != self && c->walking) {
		/* The IPI is taken once interrupts are on: the sender waits. */
		if (!x->ipi_no_wait) {
			c->walking = false;
			x->stats.ipi_waits++;
		}
	}
	if (c->load == REF_OTHER) {
		/*
		 * Another mm is loaded: nothing of ours is flushed.  7.2 takes
		 * the CPU out of mm_cpumask ("wrong CPU"), 6.x only returns.
		 */
		x->stats.wrong_cpu++;
		if (!mm_less && x->lazy_cpumask && c->in_mask) {
			c->in_mask = false;
			x->stats.mask_trimmed++;
		}
		if (x->wrong_cpu_catches_up)
			c->gen = x->gen;
		return;
	}
	/* Transitioning to the global ASID: reload, then nothing to do. */
	if (x->global_asid && !c->global)
		take_global(x, cpu);
	if (c->global)
		return;
	if (c->load == REF_LAZY) {
		/* switch_mm_irqs_off(NULL, &init_mm): the generation stays */
		leave(x, cpu);
		c->lazy = false;
		x->stats.lazy_to_init++;
		return;
	}
	if (c->gen == x->gen) {
		x->stats.gen_skips++;
		return;
	}
	/* Partial only if exactly one generation behind (f->new_tlb_gen). */
	if (!f->full && !mm_less && c->gen + 1 == x->gen) {
		flush_cpu(&x->tlb.cpu[cpu], f, false);
	} else {
		if (!f->full)
			x->stats.promoted++;
		drop(x, cpu);
	}
	c->gen = x->gen;
}

void ref_x86_flush(struct ref_x86 *x, const struct tlbh_flush *f,
		   unsigned int self, bool mm_less)
{
	unsigned int cpu;

	if (f->broadcast) {
		/*
		 * INVLPGB reaches every CPU without an interrupt.  Of a flush
		 * for the mm only entries under its global ASID go; the
		 * reclaim batch flushes every ASID.
		 */
		for (cpu = 0; cpu < REF_CPUS; cpu++) {
			if (mm_less)
				drop(x, cpu);
			else if (x->cpu[cpu].global)
				flush_cpu(&x->tlb.cpu[cpu], f, true);
		}
		return;
	}
	for (cpu = 0; cpu < REF_CPUS; cpu++)
		if (f->cpus & TLBH_CPU(cpu))
			flush_func(x, f, cpu, self, mm_less);
}

tlbh_cpus_t ref_x86_mask(const struct ref_x86 *x)
{
	tlbh_cpus_t cpus = 0;

	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++)
		if (x->cpu[cpu].in_mask)
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

tlbh_cpus_t ref_x86_load(const struct ref_x86 *x, enum ref_load load)
{
	tlbh_cpus_t cpus = 0;

	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++)
		if (x->cpu[cpu].load == load)
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

tlbh_cpus_t ref_x86_lazy(const struct ref_x86 *x)
{
	tlbh_cpus_t cpus = 0;

	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++)
		if (x->cpu[cpu].lazy)
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

tlbh_cpus_t ref_x86_walking(const struct ref_x86 *x)
{
	tlbh_cpus_t cpus = 0;

	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++)
		if (x->cpu[cpu].walking)
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

/*
 * Would @cpu, which does not run our mm now, use what it caches for it
 * again before a flush?  With a global ASID only entries under it are
 * used again; else those of the ASID slot if it is up to date (and kept
 * at all: PCID).
 */
static bool resumes_unflushed(const struct ref_x86 *x, unsigned int cpu)
{
	const struct ref_x86_cpu *c = &x->cpu[cpu];

	if (x->global_asid)
		return c->global;
	if (c->load == REF_OTHER && !x->pcid)
		return false;
	return x->switch_back_no_flush || c->gen == x->gen;
}

tlbh_cpus_t ref_x86_leaf_reach(const struct ref_x86 *x)
{
	tlbh_cpus_t cpus = 0;

	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++)
		if (x->cpu[cpu].load == REF_RUN || resumes_unflushed(x, cpu))
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

tlbh_cpus_t ref_x86_walk_reach(const struct ref_x86 *x)
{
	tlbh_cpus_t cpus = 0;

	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++)
		if (x->cpu[cpu].load != REF_OTHER || resumes_unflushed(x, cpu))
			cpus |= TLBH_CPU(cpu);
	return cpus;
}

void ref_x86_walk_begin(struct ref_x86 *x, unsigned int cpu,
			unsigned long va, unsigned long table)
{
	struct ref_x86_cpu *c = &x->cpu[cpu];

	if (cpu >= REF_CPUS || c->load != REF_RUN || c->walking)
		return;
	c->walking = true;
	c->walk_va = va;
	c->walk_table = table;
}

void ref_x86_walk_end(struct ref_x86 *x, unsigned int cpu)
{
	if (cpu < REF_CPUS)
		x->cpu[cpu].walking = false;
}

int ref_x86_walker_of(const struct ref_x86 *x, unsigned long table,
		      unsigned long *va)
{
	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++) {
		if (x->cpu[cpu].walking && x->cpu[cpu].walk_table == table) {
			*va = x->cpu[cpu].walk_va;
			return cpu;
		}
	}
	return -1;
}

void ref_x86_rcu_sync(struct ref_x86 *x)
{
	for (unsigned int cpu = 0; cpu < REF_CPUS; cpu++) {
		if (x->cpu[cpu].walking) {
			x->cpu[cpu].walking = false;
			x->stats.rcu_waits++;
		}
	}
}
