// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_engine_cases.c - model page table, recording backend, executor
 * and the case table of the engine (see tlbh_engine_cases.h)
 *
 * Built into the KUnit module and, unchanged, into the userspace
 * runner in kunit/host.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "tlbh_engine_cases.h"
#include "tlbh_policy.h"

const char * const tlbh_cond_names[TLBH_COND_NR] = {
	[TLBH_COND_NOTHING_CLEARED]	= "nothing-cleared",
	[TLBH_COND_FULLMM]		= "fullmm",
	[TLBH_COND_MERGE_VMAS]		= "merge-vmas",
	[TLBH_COND_VMA_PFN]		= "vma-pfn",
	[TLBH_COND_STRIDE]		= "stride",
	[TLBH_COND_CEILING]		= "ceiling",
	[TLBH_COND_DISPATCH]		= "dispatch",
	[TLBH_COND_LAZY]		= "lazy",
	[TLBH_COND_TABLE_INVALIDATE]	= "table-invalidate",
	[TLBH_COND_NESTED]		= "nested",
	[TLBH_COND_RECLAIM_BATCH]	= "reclaim-batch",
	[TLBH_COND_MREMAP]		= "mremap",
	[TLBH_COND_PAGE_SIZE]		= "page-size",
	[TLBH_COND_BATCHING]		= "batching",
	[TLBH_COND_TABLE_FREE]		= "table-free",
	[TLBH_COND_DELAYED_RMAP]	= "delayed-rmap",
	[TLBH_COND_LUF]			= "luf",
	[TLBH_COND_HUGETLB]		= "hugetlb",
	[TLBH_COND_SOFT_DIRTY]		= "soft-dirty",
	[TLBH_COND_BROADCAST]		= "broadcast",
};

/* ------------------------------------------------------------------ */
/* Model page table                                                     */

static int pmd_slot(unsigned long addr)
{
	if (addr < TLBH_MODEL_BASE || addr >= TLBH_MODEL_END)
		return -1;
	return (addr - TLBH_MODEL_BASE) >> TLBH_PMD_SHIFT;
}

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
	int slot = pmd_slot(addr);

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
	int slot = pmd_slot(addr);
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
	int slot = pmd_slot(addr);

	return slot < 0 ? 0 : pt->pmd[slot];
}

static void model_write_pmd(void *data, unsigned long addr, tlbh_pte_t pmd)
{
	struct tlbh_model_pt *pt = data;
	int slot = pmd_slot(addr);
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

/* ------------------------------------------------------------------ */
/* Recording backend                                                    */

#define REC_PAGE_PFN	0x100000UL	/* data pages */
#define REC_TABLE_PFN	0x200000UL	/* page-table pages */
#define REC_DEV_PFN	0x300000UL	/* PFNMAP frames */
#define REC_PAGES	16384
#define REC_FLUSHES	64
#define REC_SEQ		64

enum { ENTRY_NONE, ENTRY_LIVE, ENTRY_FLUSHED };

struct rec_table {
	unsigned long addr;
	bool live;
	bool synced;
};

/*
 * The recorder logs every backend call and checks ordering: an entry
 * cleared while some CPU could cache it is "live" until a flush covers
 * its address on every CPU that could hold it; freeing its page while
 * live breaks the order.  Tables are live until a flush with
 * freed_tables reaches every CPU of the mm, and must also be synced.
 */
struct recorder {
	struct tlbh_mm mm;
	struct tlbh_model_pt pt;
	struct tlbh_vm space;
	struct tlbh_vma vmas[TLBH_CASE_VMAS];
	unsigned int nr_vmas;		/* vmas[] in use */
	struct tlbh_op ctx0;		/* two open operations or gathers */
	struct tlbh_op ctx1;
	struct tlbh_reclaim reclaim;

	unsigned int this_cpu;
	tlbh_cpus_t mm_cpus;
	tlbh_cpus_t lazy_cpus;
	tlbh_cpus_t stale_cpus;		/* in mm_cpus, running another mm */
	int allocs_left;		/* -1: unlimited */
	unsigned long next_page, next_table, next_dev;

	unsigned int flushes, full, pages, tables;
	u32 violations;
	struct tlbh_flush flush[REC_FLUSHES];
	char seq[REC_SEQ];
	unsigned int seq_len;

	u8 entry_state[REC_PAGES];
	u8 entry_shift[REC_PAGES];
	unsigned long entry_addr[REC_PAGES];
	struct rec_table table[TLBH_MODEL_TABLES * 4];
	bool order_broken;
	char order_msg[96];
	bool gen_due;			/* generation bumped since last clear */
	bool gen_broken;		/* lazy CPUs read with no bump first */
};

static void rec_seq(struct recorder *r, char c)
{
	if (r->seq_len && r->seq[r->seq_len - 1] == c)
		return;
	if (r->seq_len < REC_SEQ - 1)
		r->seq[r->seq_len++] = c;
}

static void rec_break(struct recorder *r, const char *what, unsigned long x)
{
	if (r->order_broken)
		return;
	r->order_broken = true;
	scnprintf(r->order_msg, sizeof(r->order_msg), "%s %#lx", what, x);
}

static bool flush_covers(const struct tlbh_flush *f, unsigned long addr,
			 unsigned long size)
{
	return f->full || (f->start <= addr && addr + size <= f->end);
}

static void rec_flush(struct recorder *r, const struct tlbh_flush *f)
{
	tlbh_cpus_t leaf = r->mm_cpus & ~r->lazy_cpus & ~r->stale_cpus;
	unsigned int i;

	if (r->flushes < REC_FLUSHES)
		r->flush[r->flushes] = *f;
	r->flushes++;
	r->full += f->full;
	rec_seq(r, f->full ? 'A' : 'R');

	if ((f->cpus & leaf) == leaf) {
		for (i = 0; i < REC_PAGES; i++)
			if (r->entry_state[i] == ENTRY_LIVE &&
			    flush_covers(f, r->entry_addr[i],
					 1UL << r->entry_shift[i]))
				r->entry_state[i] = ENTRY_FLUSHED;
	}
	/*
	 * A flush with freed_tables reaches every CPU of the mm, lazy ones
	 * included, and waits for them: cached walks of the freed tables
	 * are gone, and a lockless walker (GUP-fast runs with interrupts
	 * off) that could still see them has finished, the sync 6.x relies
	 * on when tables ride the page batch.
	 */
	if (f->freed_tables && (f->cpus & r->mm_cpus) == r->mm_cpus) {
		for (i = 0; i < ARRAY_SIZE(r->table); i++) {
			if (r->table[i].live &&
			    flush_covers(f, r->table[i].addr, TLBH_PAGE_SIZE))
				r->table[i].live = false;
			r->table[i].synced = true;
		}
	}
}

static void rec_flush_range(void *priv, const struct tlbh_flush *f)
{
	rec_flush(priv, f);
}

static void rec_flush_all(void *priv, const struct tlbh_flush *f)
{
	rec_flush(priv, f);
}

static void rec_free_page(void *priv, unsigned long pfn, bool luf)
{
	struct recorder *r = priv;
	unsigned long i = pfn - REC_PAGE_PFN;

	r->pages++;
	rec_seq(r, luf ? 'L' : 'P');
	if (i >= REC_PAGES)
		return;
	if (!luf && r->entry_state[i] == ENTRY_LIVE)
		rec_break(r, "page freed before a flush covered", r->entry_addr[i]);
	r->entry_state[i] = ENTRY_NONE;
}

static void rec_remove_rmap(void *priv, unsigned long pfn)
{
	rec_seq(priv, 'M');
}

static void rec_free_table(void *priv, unsigned long table)
{
	struct recorder *r = priv;
	unsigned long i = table - REC_TABLE_PFN;

	r->tables++;
	rec_seq(r, 'T');
	if (i < ARRAY_SIZE(r->table)) {
		if (r->table[i].live && r->mm.arch.table_invalidate)
			rec_break(r, "table freed before a flush covered",
				  r->table[i].addr);
		if (!r->table[i].synced)
			rec_break(r, "table freed without sync at",
				  r->table[i].addr);
		r->table[i].live = false;
	}
	tlbh_model_pt_release(&r->pt, table);
}

static void rec_sync(void *priv)
{
	struct recorder *r = priv;
	unsigned int i;

	rec_seq(r, 'S');
	for (i = 0; i < ARRAY_SIZE(r->table); i++)
		r->table[i].synced = true;
}

static void *rec_alloc_batch(void *priv)
{
	struct recorder *r = priv;

	if (r->allocs_left == 0)
		return NULL;
	if (r->allocs_left > 0)
		r->allocs_left--;
	return kmalloc(TLBH_PAGE_SIZE, GFP_KERNEL);
}

static void rec_free_batch(void *priv, void *batch)
{
	kfree(batch);
}

static tlbh_cpus_t rec_mm_cpus(void *priv)
{
	return ((struct recorder *)priv)->mm_cpus;
}

/*
 * Leaving a lazy CPU out is safe only if the generation it compares
 * when it returns was bumped before it was read as lazy.
 */
static tlbh_cpus_t rec_lazy_cpus(void *priv)
{
	struct recorder *r = priv;

	if (!r->gen_due)
		r->gen_broken = true;
	return r->lazy_cpus;
}

/* As for lazy CPUs: leaving out a CPU that left the mm needs the bump. */
static tlbh_cpus_t rec_loaded_cpus(void *priv)
{
	struct recorder *r = priv;

	if (r->stale_cpus && !r->gen_due)
		r->gen_broken = true;
	return r->mm_cpus & ~r->stale_cpus;
}

/* consider_global_asid: the row's mm is active on enough CPUs. */
static bool rec_global_asid(void *priv)
{
	struct recorder *r = priv;

	return r->mm.arch.invlpgb;
}

static void rec_new_generation(void *priv)
{
	((struct recorder *)priv)->gen_due = true;
}

static unsigned int rec_this_cpu(void *priv)
{
	return ((struct recorder *)priv)->this_cpu;
}

static void rec_violation(void *priv, enum tlbh_violation kind,
			  unsigned long addr, const char *what)
{
	((struct recorder *)priv)->violations |= 1U << kind;
}

static const struct tlbh_backend_ops recorder_ops = {
	.flush_range = rec_flush_range,
	.flush_all = rec_flush_all,
	.free_page = rec_free_page,
	.remove_rmap = rec_remove_rmap,
	.free_table = rec_free_table,
	.sync_table_free = rec_sync,
	.alloc_batch = rec_alloc_batch,
	.free_batch = rec_free_batch,
	.mm_cpus = rec_mm_cpus,
	.lazy_cpus = rec_lazy_cpus,
	.loaded_cpus = rec_loaded_cpus,
	.global_asid = rec_global_asid,
	.this_cpu = rec_this_cpu,
	.violation = rec_violation,
	.new_generation = rec_new_generation,
};

/* A PTE or leaf was cleared: live if a CPU may cache it. */
static void rec_note_clear(struct recorder *r, unsigned long addr,
			   unsigned long size, unsigned long pfn)
{
	unsigned long i = pfn - REC_PAGE_PFN;

	r->gen_due = false;
	if (i >= REC_PAGES)
		return;
	r->entry_addr[i] = addr;
	r->entry_shift[i] = size == TLBH_PMD_SIZE ? TLBH_PMD_SHIFT :
						    TLBH_PAGE_SHIFT;
	r->entry_state[i] = (r->mm_cpus & ~r->lazy_cpus & ~r->stale_cpus) ?
			    ENTRY_LIVE : ENTRY_NONE;
}

static void rec_on_clear(void *obs, unsigned long addr, unsigned long size,
			 tlbh_pte_t old)
{
	rec_note_clear(obs, addr, size, tlbh_pte_pfn(old));
}

static void rec_on_unhook(void *obs, unsigned long addr, unsigned long table)
{
	struct recorder *r = obs;
	unsigned long i = table - REC_TABLE_PFN;

	if (i >= ARRAY_SIZE(r->table))
		return;
	r->table[i].addr = addr;
	r->table[i].live = r->mm_cpus != 0;
	r->table[i].synced = false;
}

static unsigned long rec_alloc_table(void *obs)
{
	return ((struct recorder *)obs)->next_table++;
}

/* ------------------------------------------------------------------ */
/* Executor                                                             */

/* The row's VMAs selected by @mask (consecutive bits). */
static struct tlbh_vma *pick_vmas(struct recorder *r, u8 mask,
				  unsigned int *nr)
{
	unsigned int first = 0, i;

	while (mask && !(mask & (1U << first)))
		first++;
	for (*nr = 0, i = first; i < TLBH_CASE_VMAS; i++)
		*nr += !!(mask & (1U << i));
	return &r->vmas[first];
}

static void map_range(struct recorder *r, const struct tlbh_case_op *op)
{
	unsigned long addr, pfn;
	tlbh_pte_t pte;

	for (addr = op->a; addr < op->b; addr += TLBH_PAGE_SIZE) {
		pfn = (op->n & TLBH_PTE_SPECIAL) ? r->next_dev++ :
						   r->next_page++;
		pte = tlbh_mk_pte(pfn, op->n);
		WARN_ON_ONCE(tlbh_model_pt_ops.write_pte(&r->pt, addr, pte));
	}
}

static void gather_pages(struct recorder *r, struct tlbh_gather *tlb,
			 const struct tlbh_case_op *op)
{
	unsigned long addr, pfn;
	unsigned int i;

	for (i = 0; i < op->n; i++) {
		addr = op->a + i * TLBH_PAGE_SIZE;
		pfn = r->next_page++;
		rec_note_clear(r, addr, TLBH_PAGE_SIZE, pfn);
		tlbh_track_clear(tlb, addr, TLBH_PAGE_SIZE, TLBH_LEVEL_PTE);
		if (tlbh_remove_page(tlb, pfn, TLBH_PAGE_SIZE, false))
			tlbh_flush_mmu(tlb);
	}
}

static void run_op(struct recorder *r, const struct tlbh_case_op *op)
{
	struct tlbh_vm *s = &r->space;
	struct tlbh_op *ctx = op->ctx ? &r->ctx1 : &r->ctx0;
	struct tlbh_gather *tlb = &ctx->tlb;
	unsigned long floor, ceiling;
	struct tlbh_vma *vmas;
	unsigned int nr;
	tlbh_pte_t pmd;

	vmas = pick_vmas(r, op->vmas, &nr);
	switch (op->code) {
	case CO_MAP:
		map_range(r, op);
		break;
	case CO_MAP_HUGE:
		r->pt.pmd[pmd_slot(op->a)] =
			tlbh_mk_pte(r->next_page++, TLBH_PTE_HUGE | op->n);
		break;
	case CO_CPUS:
		r->this_cpu = op->a;
		r->mm_cpus = op->b;
		r->lazy_cpus = op->n;
		break;
	case CO_FAIL_ALLOC:
		r->allocs_left = op->n;
		break;
	case CO_GATHER:
		tlbh_gather(tlb, &r->mm, op->n);
		break;
	case CO_FINISH:
		tlbh_finish(tlb);
		break;
	case CO_START_VMA:
		tlbh_start_vma(tlb, vmas);
		break;
	case CO_END_VMA:
		tlbh_end_vma(tlb, vmas);
		break;
	case CO_FREE_VMAS:
		tlbh_free_vmas(tlb);
		break;
	case CO_UNLINK_VMA:
		tlbh_unlink_vma(tlb, vmas);
		break;
	case CO_CLEAR:
		tlbh_track_clear(tlb, op->a, op->b - op->a, op->n);
		break;
	case CO_PAGES:
		gather_pages(r, tlb, op);
		break;
	case CO_FREE_TABLE:
		pmd = tlbh_model_pt_ops.read_pmd(&r->pt, op->a);
		tlbh_model_pt_ops.write_pmd(&r->pt, op->a, 0);
		tlbh_free_table(tlb, TLBH_LEVEL_PTE, tlbh_pte_pfn(pmd), op->a);
		break;
	case CO_TLBONLY:
		tlbh_flush_tlbonly(tlb);
		break;
	case CO_FLUSH_MMU:
		tlbh_flush_mmu(tlb);
		break;
	case CO_PAGE_SIZE:
		tlbh_change_page_size(tlb, 1U << op->n);
		break;
	case CO_ZAP:
		tlbh_op_zap(s, vmas, nr, op->a, op->b);
		break;
	case CO_ZAP_BEGIN:
		tlbh_op_zap_begin(ctx, s, vmas, nr, op->a, op->b);
		break;
	case CO_ZAP_END:
		tlbh_op_zap_end(ctx);
		break;
	case CO_MUNMAP:
	case CO_MUNMAP_BEGIN:
		/* The row's other VMAs stay; the model's edges bound the rest. */
		tlbh_op_unmap_bounds(r->vmas, r->nr_vmas, vmas - r->vmas, nr,
				     op->a, op->b, TLBH_MODEL_BASE,
				     TLBH_MODEL_END, &floor, &ceiling);
		if (op->code == CO_MUNMAP)
			tlbh_op_munmap(s, vmas, nr, op->a, op->b, floor,
				       ceiling);
		else
			tlbh_op_munmap_begin(ctx, s, vmas, nr, op->a, op->b,
					     floor, ceiling);
		break;
	case CO_MUNMAP_END:
		tlbh_op_munmap_end(ctx);
		break;
	case CO_EXIT:
		tlbh_op_exit(s, vmas, nr);
		break;
	case CO_MADV_FREE:
		tlbh_op_madv_free(s, vmas, nr, op->a, op->b);
		break;
	case CO_PAGEOUT:
		tlbh_op_pageout(s, &r->reclaim, vmas, nr, op->a, op->b);
		break;
	case CO_RECLAIM:
		tlbh_op_reclaim(&r->reclaim, s, vmas, op->a, op->n);
		break;
	case CO_RECLAIM_WALK:
		tlbh_op_reclaim_walk(&r->reclaim, s, vmas, op->a);
		break;
	case CO_RECLAIM_UNMAP:
		tlbh_op_reclaim_unmap(&r->reclaim, op->n);
		break;
	case CO_RECLAIM_FLUSH:
		tlbh_op_reclaim_flush(&r->reclaim);
		break;
	case CO_MPROTECT:
		tlbh_op_mprotect(s, vmas, nr, op->a, op->b, op->n);
		break;
	case CO_CLEAR_REFS:
		tlbh_op_clear_refs(s, vmas, nr);
		break;
	case CO_MOVE_PTES:
		tlbh_op_move_ptes(s, vmas, op->a, op->b,
				  op->n * TLBH_PAGE_SIZE);
		break;
	case CO_MOVE_PMD:
		tlbh_op_move_pmd(s, vmas, op->a, op->b);
		break;
	case CO_LUF_REUSE:
		tlbh_luf_flush(&r->mm, "reuse");
		break;
	}
}

static void setup(struct recorder *r, const struct tlbh_case *c,
		  const struct tlbh_policy *policy)
{
	struct tlbh_arch arch;

	tlbh_arch_x86(&arch);
	if (c->arch & TLBH_CA_NO_MERGE_VMAS)
		arch.merge_vmas = false;
	if (c->arch & TLBH_CA_NO_TABLE_INVALIDATE)
		arch.table_invalidate = false;
	if (c->arch & TLBH_CA_PAGE_SIZE)
		arch.page_size_tracking = true;
	if (c->arch & TLBH_CA_NEED_FLUSH_ALL)
		arch.need_flush_all = true;
	if (c->arch & TLBH_CA_INVLPGB)
		arch.invlpgb = true;
	if (c->ceiling)
		arch.flush_ceiling = c->ceiling;

	tlbh_mm_init(&r->mm, policy, &arch, &recorder_ops, r);
	tlbh_model_pt_init(&r->pt);
	r->pt.alloc_pfn = rec_alloc_table;
	r->pt.on_clear = rec_on_clear;
	r->pt.on_unhook = rec_on_unhook;
	r->pt.obs = r;
	r->space.engine = &r->mm;
	r->space.pt_ops = &tlbh_model_pt_ops;
	r->space.pt = &r->pt;
	memcpy(r->vmas, c->vmas, sizeof(r->vmas));
	for (r->nr_vmas = 0; r->nr_vmas < TLBH_CASE_VMAS &&
	     r->vmas[r->nr_vmas].end; r->nr_vmas++)
		;
	r->this_cpu = c->this_cpu;
	r->mm_cpus = c->mm_cpus;
	r->lazy_cpus = c->lazy_cpus;
	r->stale_cpus = c->stale_cpus;
	r->allocs_left = -1;
	r->next_page = REC_PAGE_PFN;
	r->next_table = REC_TABLE_PFN;
	r->next_dev = REC_DEV_PFN;
}

#define MISMATCH(fmt, ...) \
	(used += scnprintf(msg + used, len - used, fmt "; ", ##__VA_ARGS__))

static size_t compare_flush(const struct recorder *r,
			    const struct tlbh_case_flush *want,
			    char *msg, size_t len)
{
	const struct tlbh_flush *got;
	unsigned int nth = want->nth ? want->nth : r->flushes;
	size_t used = 0;

	if (!want->check)
		return 0;
	if (!nth || nth > r->flushes || nth > REC_FLUSHES) {
		MISMATCH("flush #%u: not sent", nth);
		return used;
	}
	got = &r->flush[nth - 1];
	if (got->full != want->full)
		MISMATCH("flush #%u: full %d, want %d", nth, got->full,
			 want->full);
	if (!want->full && (got->start != want->start ||
			    got->end != want->end ||
			    got->stride_shift != want->stride))
		MISMATCH("flush #%u: %#lx-%#lx/%u, want %#lx-%#lx/%u", nth,
			 got->start, got->end, got->stride_shift,
			 want->start, want->end, want->stride);
	if (got->freed_tables != want->freed_tables)
		MISMATCH("flush #%u: freed_tables %d, want %d", nth,
			 got->freed_tables, want->freed_tables);
	if (got->cpus != want->cpus)
		MISMATCH("flush #%u: cpus %#llx, want %#llx", nth,
			 (unsigned long long)got->cpus,
			 (unsigned long long)want->cpus);
	return used;
}

static size_t compare(const struct recorder *r, const struct tlbh_case *c,
		      char *msg, size_t len)
{
	const struct tlbh_case_expect *e = &c->expect;
	size_t used = 0;

	if (r->flushes != e->flushes)
		MISMATCH("flushes %u, want %u", r->flushes, e->flushes);
	if (r->full != e->full)
		MISMATCH("full flushes %u, want %u", r->full, e->full);
	if (r->pages != e->pages)
		MISMATCH("pages freed %u, want %u", r->pages, e->pages);
	if (r->tables != e->tables)
		MISMATCH("tables freed %u, want %u", r->tables, e->tables);
	if (r->violations != e->violations)
		MISMATCH("violations %#x, want %#x", r->violations,
			 e->violations);
	if (r->order_broken != e->order_broken)
		MISMATCH("order broken %d (%s), want %d", r->order_broken,
			 r->order_msg, e->order_broken);
	if (r->gen_broken)
		MISMATCH("lazy CPUs read before the generation was bumped");
	if (e->seq && strcmp(r->seq, e->seq))
		MISMATCH("sequence \"%s\", want \"%s\"", r->seq, e->seq);
	used += compare_flush(r, &e->f, msg + used, len - used);
	return used;
}

/**
 * tlbh_case_run - run one row and compare with its expectation
 * @c: the row
 * @msg: buffer for the mismatch description
 * @len: size of @msg
 *
 * Return: true if the row passed; otherwise @msg says why.
 */
bool tlbh_case_run(const struct tlbh_case *c, char *msg, size_t len)
{
	const struct tlbh_policy *policy;
	struct recorder *r;
	unsigned int i;
	size_t used;

	msg[0] = '\0';
	if (!c->name) {
		scnprintf(msg, len, "row without a name");
		return false;
	}
	policy = tlbh_policy_find(c->policy);
	if (!policy) {
		scnprintf(msg, len, "unknown policy %s", c->policy);
		return false;
	}
	r = vzalloc(sizeof(*r));
	if (!r) {
		scnprintf(msg, len, "out of memory");
		return false;
	}
	setup(r, c, policy);
	for (i = 0; i < TLBH_CASE_OPS && c->ops[i].code != CO_END; i++)
		run_op(r, &c->ops[i]);
	used = compare(r, c, msg, len);
	vfree(r);
	return used == 0;
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

/*
 * Addresses are in the model window: PG(n) is page n, PMD(n) the start
 * of PMD slot n.  Every row starts on x86-64 (MERGE_VMAS, ceiling 33,
 * table invalidation) unless .arch says otherwise.
 */
#define PG(n)		(TLBH_MODEL_BASE + (unsigned long)(n) * TLBH_PAGE_SIZE)
#define PMD(n)		(TLBH_MODEL_BASE + (unsigned long)(n) * TLBH_PMD_SIZE)
#define RW		TLBH_PTE_WRITE
#define RO		0
#define DEV		(TLBH_PTE_WRITE | TLBH_PTE_SPECIAL)
#define DIRTY_FILE	(TLBH_PTE_WRITE | TLBH_PTE_DIRTY | TLBH_PTE_FILE)
#define SOFT_DIRTY	TLBH_PTE_SOFT_DIRTY
#define CUR		"upstream-current"
#define V612		"upstream-6.12"
#define V61		"upstream-6.1"

#define ANON(s, e)	{ .start = (s), .end = (e) }
#define PFNMAP(s, e)	{ .start = (s), .end = (e), .flags = TLBH_VM_PFNMAP }
#define HUGETLB(s, e)	{ .start = (s), .end = (e), .flags = TLBH_VM_HUGETLB }

#define ROW(nm, cnd, pol) \
	.name = (nm), .cond = TLBH_COND_##cnd, .policy = (pol)
#define ON(this, mm, lazy) \
	.this_cpu = (this), .mm_cpus = (mm), .lazy_cpus = (lazy)
#define TWO_CPUS	ON(0, 0x3, 0)
#define FOUR_CPUS	ON(0, 0xf, 0)
#define ALL		TLBH_ALL_CPUS

#define MAP(x, y, bits)	{ .code = CO_MAP, .a = (x), .b = (y), .n = (bits) }
#define MAP_HUGE(x)	{ .code = CO_MAP_HUGE, .a = (x) }
#define FAIL_ALLOC(k)	{ .code = CO_FAIL_ALLOC, .n = (k) }
#define GATHER(c)	{ .code = CO_GATHER, .ctx = (c) }
#define GATHER_FULLMM(c) { .code = CO_GATHER, .ctx = (c), .n = 1 }
#define FINISH(c)	{ .code = CO_FINISH, .ctx = (c) }
#define CLEAR(c, x, y, lvl) \
	{ .code = CO_CLEAR, .ctx = (c), .a = (x), .b = (y), .n = TLBH_LEVEL_##lvl }
#define PAGES(c, x, k)	{ .code = CO_PAGES, .ctx = (c), .a = (x), .n = (k) }
#define FREE_TABLE(c, x) { .code = CO_FREE_TABLE, .ctx = (c), .a = (x) }
#define TLBONLY(c)	{ .code = CO_TLBONLY, .ctx = (c) }
#define PAGE_SHIFT_TO(c, k) { .code = CO_PAGE_SIZE, .ctx = (c), .n = (k) }
#define ZAP(m, x, y)	{ .code = CO_ZAP, .vmas = (m), .a = (x), .b = (y) }
#define ZAP_BEGIN(c, m, x, y) \
	{ .code = CO_ZAP_BEGIN, .ctx = (c), .vmas = (m), .a = (x), .b = (y) }
#define ZAP_END(c)	{ .code = CO_ZAP_END, .ctx = (c) }
#define MUNMAP(m, x, y)	{ .code = CO_MUNMAP, .vmas = (m), .a = (x), .b = (y) }
#define EXIT(m)		{ .code = CO_EXIT, .vmas = (m) }
#define RECLAIM(v, x, batch) \
	{ .code = CO_RECLAIM, .vmas = 1 << (v), .a = (x), .n = (batch) }
#define RECLAIM_WALK(v, x) { .code = CO_RECLAIM_WALK, .vmas = 1 << (v), .a = (x) }
#define RECLAIM_UNMAP(batch) { .code = CO_RECLAIM_UNMAP, .n = (batch) }
#define RECLAIM_FLUSH	{ .code = CO_RECLAIM_FLUSH }
#define MPROTECT(v, x, y, w) \
	{ .code = CO_MPROTECT, .vmas = 1 << (v), .a = (x), .b = (y), .n = (w) }
#define CLEAR_REFS(m)	{ .code = CO_CLEAR_REFS, .vmas = (m) }
#define MOVE_PTES(v, x, y, k) \
	{ .code = CO_MOVE_PTES, .vmas = 1 << (v), .a = (x), .b = (y), .n = (k) }
#define MOVE_PMD(v, x, y) { .code = CO_MOVE_PMD, .vmas = 1 << (v), .a = (x), .b = (y) }
#define LUF_REUSE	{ .code = CO_LUF_REUSE }
#define MADV_FREE(m, x, y) { .code = CO_MADV_FREE, .vmas = (m), .a = (x), .b = (y) }
#define PAGEOUT(m, x, y) { .code = CO_PAGEOUT, .vmas = (m), .a = (x), .b = (y) }
#define YOUNG		TLBH_PTE_YOUNG

/* flushes, of which full, pages freed, tables freed, event sequence */
#define EXPECT(fl, fu, pg, tb, sq, ...) .expect = { \
	.flushes = (fl), .full = (fu), .pages = (pg), .tables = (tb), \
	.seq = (sq), ##__VA_ARGS__ }
#define VIOL(kind)	.violations = 1U << TLBH_VIOL_##kind
#define BROKEN		.order_broken = true
#define RANGE(nth_, s, e, shift, freed, cpus_) .f = { .check = true, \
	.nth = (nth_), .start = (s), .end = (e), .stride = (shift), \
	.freed_tables = (freed), .cpus = (cpus_) }
#define FULL(nth_, freed, cpus_) .f = { .check = true, .nth = (nth_), \
	.full = true, .freed_tables = (freed), .cpus = (cpus_) }
#define LAST		0

const struct tlbh_case tlbh_engine_cases[] = {
/* 1. tlb_flush_mmu_tlbonly returns early when nothing was recorded */
{ ROW("empty_gather_sends_nothing", NOTHING_CLEARED, CUR), TWO_CPUS,
	.ops = { GATHER(0), FINISH(0) },
	EXPECT(0, 0, 0, 0, "") },
{ ROW("zap_of_empty_range_sends_nothing", NOTHING_CLEARED, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { ZAP(1, PG(0), PG(16)) },
	EXPECT(0, 0, 0, 0, "") },
{ ROW("pte_none_runs_do_not_widen_range", NOTHING_CLEARED, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(2), PG(4), RW), MAP(PG(6), PG(7), RW),
		 ZAP(1, PG(0), PG(16)) },
	EXPECT(1, 0, 3, 0, "RP", RANGE(LAST, PG(2), PG(7), 12, false, 0x3)) },
{ ROW("second_tlbonly_is_skipped", NOTHING_CLEARED, CUR), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, PG(0), PG(1), PTE), TLBONLY(0), TLBONLY(0),
		 FINISH(0) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PG(0), PG(1), 12, false, 0x3)) },
{ ROW("freed_table_alone_defeats_early_return", NOTHING_CLEARED, CUR),
	TWO_CPUS,
	.ops = { MAP(PG(0), PG(1), RW), GATHER(0), FREE_TABLE(0, PMD(0)),
		 FINISH(0) },
	EXPECT(1, 0, 0, 1, "RST",
	       RANGE(LAST, PMD(0), PMD(0) + TLBH_PAGE_SIZE, 21, true, 0x3)) },

/* 3. fullmm: no per-VMA hooks, one full flush */
{ ROW("exit_sends_one_full_flush", FULLMM, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)), ANON(PMD(1), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PMD(1), PMD(1) + 2 * TLBH_PAGE_SIZE, RW),
		 EXIT(0x3) },
	EXPECT(1, 1, 4, 2, "ASTP", FULL(LAST, true, 0x3)) },
{ ROW("exit_skips_pfnmap_end_vma_flush", FULLMM, V61), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(16), PG(18), RW), EXIT(0x3) },
	EXPECT(1, 1, 2, 1, "APT", FULL(LAST, true, 0x3)) },
{ ROW("fullmm_ignores_tracked_range", FULLMM, CUR), TWO_CPUS,
	.ops = { GATHER_FULLMM(0), CLEAR(0, PG(0), PG(1), PTE), FINISH(0) },
	EXPECT(1, 1, 0, 0, "A", FULL(LAST, false, 0x3)) },
{ ROW("munmap_is_not_fullmm_and_flushes_range", FULLMM, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },

/* 3. MMU_GATHER_MERGE_VMAS: no flush at VMA boundaries */
{ ROW("merged_vmas_share_one_flush", MERGE_VMAS, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PG(8), PG(10), RW),
		 ZAP(0x3, PG(0), PG(16)) },
	EXPECT(1, 0, 4, 0, "RP", RANGE(LAST, PG(0), PG(10), 12, false, 0x3)) },
{ ROW("unmerged_vmas_flush_each", MERGE_VMAS, CUR), TWO_CPUS,
	.arch = TLBH_CA_NO_MERGE_VMAS,
	.vmas = { ANON(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PG(8), PG(10), RW),
		 ZAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 4, 0, "RP", RANGE(1, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("unmerged_munmap_flushes_vmas_then_tables", MERGE_VMAS, CUR), TWO_CPUS,
	.arch = TLBH_CA_NO_MERGE_VMAS,
	.vmas = { ANON(PMD(0), PMD(1)), ANON(PMD(1), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PMD(1), PMD(1) + 2 * TLBH_PAGE_SIZE, RW),
		 MUNMAP(0x3, PMD(0), PMD(2)) },
	EXPECT(3, 0, 4, 2, "RSTP",
	       RANGE(LAST, PMD(0), PMD(1) + TLBH_PAGE_SIZE, 21, true, 0x3)) },
{ ROW("merged_munmap_range_grows_past_ceiling", MERGE_VMAS, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)), ANON(PMD(1), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PMD(1), PMD(1) + 2 * TLBH_PAGE_SIZE, RW),
		 MUNMAP(0x3, PMD(0), PMD(2)) },
	EXPECT(1, 1, 4, 2, "ASTP", FULL(LAST, true, 0x3)) },

/* 4. vma_pfn: PFNMAP entries flushed before the VMA is unlinked */
{ ROW("pfnmap_flushed_in_free_vmas", VMA_PFN, CUR), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), RW),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 2, 1, "RSTP", RANGE(1, PG(0), PG(10), 12, false, 0x3)) },
{ ROW("pfnmap_flushed_in_end_vma_v6_1", VMA_PFN, V61), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), RW),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 2, 1, "RPT", RANGE(1, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("pfnmap_end_vma_policy", VMA_PFN, "pfnmap-end-vma"), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), RW),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 2, 1, "RSTP", RANGE(1, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("pfnmap_unlinked_unflushed", VMA_PFN, "pfnmap-no-flush"), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), RW),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(1, 0, 2, 1, "RPT", VIOL(PFNMAP_UNLINK),
	       RANGE(LAST, PG(0), PG(10), 12, true, 0x3)) },
{ ROW("pfnmap_no_flush_is_safe_without_merge", VMA_PFN, "pfnmap-no-flush"),
	TWO_CPUS, .arch = TLBH_CA_NO_MERGE_VMAS,
	.vmas = { PFNMAP(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), RW),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(3, 0, 2, 1, "RPT", RANGE(1, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("pfnmap_hidden_by_later_vma", VMA_PFN, "pfnmap-free-vmas-nonsticky"),
	TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), RW),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(1, 0, 2, 1, "RSTP", VIOL(PFNMAP_UNLINK)) },
{ ROW("pfnmap_last_vma_still_seen", VMA_PFN, "pfnmap-free-vmas-nonsticky"),
	TWO_CPUS,
	.vmas = { ANON(PG(0), PG(8)), PFNMAP(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PG(8), PG(10), DEV),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 2, 1, "RSTP", RANGE(1, PG(0), PG(10), 12, false, 0x3)) },
{ ROW("pfnmap_flushed_in_free_pgtables_loop", VMA_PFN,
		"pfnmap-free-pgtables-loop"), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), RW),
		 MUNMAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 2, 1, "RSTP", RANGE(1, PG(0), PG(10), 12, false, 0x3)) },
{ ROW("pfnmap_madvise_flushes_per_vma_v6_1", VMA_PFN, V61), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), PFNMAP(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), DEV),
		 ZAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 0, 0, "R") },
{ ROW("pfnmap_madvise_flushes_once", VMA_PFN, CUR), TWO_CPUS,
	.vmas = { PFNMAP(PG(0), PG(8)), PFNMAP(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(2), DEV), MAP(PG(8), PG(10), DEV),
		 ZAP(0x3, PG(0), PG(16)) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PG(0), PG(10), 12, false, 0x3)) },

/* 5. stride from the lowest cleared level */
{ ROW("stride_page_for_ptes", STRIDE, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("stride_pmd_for_huge_leaf", STRIDE, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP_HUGE(PMD(1)), ZAP(1, PMD(1), PMD(2)) },
	EXPECT(1, 0, 1, 0, "RP", RANGE(LAST, PMD(1), PMD(2), 21, false, 0x3)) },
{ ROW("stride_page_wins_over_pmd", STRIDE, V612), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(1), RW), MAP_HUGE(PMD(1)), ZAP(1, PMD(0), PMD(2)) },
	EXPECT(1, 1, 2, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("dontneed_of_whole_table_reclaims_it", STRIDE, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(1), RW), MAP_HUGE(PMD(1)), ZAP(1, PMD(0), PMD(2)) },
	EXPECT(1, 1, 2, 1, "ASTP", FULL(LAST, true, 0x3)) },
{ ROW("stride_pmd_for_table_only", STRIDE, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), ZAP(1, PG(0), PG(1)),
		 MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(2, 0, 1, 1, "RPRST",
	       RANGE(LAST, PMD(0), PMD(0) + TLBH_PAGE_SIZE, 21, true, 0x3)) },
{ ROW("stride_pud", STRIDE, CUR), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, 1UL << 30, 2UL << 30, PUD), FINISH(0) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, 1UL << 30, 2UL << 30, 30, false, 0x3)) },
{ ROW("stride_p4d", STRIDE, CUR), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, 1UL << 39, 2UL << 39, P4D), FINISH(0) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, 1UL << 39, 2UL << 39, 39, false, 0x3)) },

/* 6. x86 ceiling: more than 33 strides become a full flush */
{ ROW("ceiling_33_pages_stay_ranged", CEILING, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(33), RW), ZAP(1, PG(0), PG(33)) },
	EXPECT(1, 0, 33, 0, "RP", RANGE(LAST, PG(0), PG(33), 12, false, 0x3)) },
{ ROW("ceiling_34_pages_become_full", CEILING, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(34), RW), ZAP(1, PG(0), PG(34)) },
	EXPECT(1, 1, 34, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("ceiling_tuned_to_one", CEILING, CUR), TWO_CPUS, .ceiling = 1,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 1, 2, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("ceiling_counts_pmd_strides", CEILING, CUR), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, PMD(0), PMD(8), PMD), FINISH(0) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PMD(0), PMD(8), 21, false, 0x3)) },
{ ROW("ceiling_34_pmd_strides_become_full", CEILING, CUR), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, PMD(0), PMD(34), PMD), FINISH(0) },
	EXPECT(1, 1, 0, 0, "A", FULL(LAST, false, 0x3)) },
{ ROW("ceiling_applies_to_mprotect", CEILING, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(40), RW), MPROTECT(0, PG(0), PG(40), 0) },
	EXPECT(1, 1, 0, 0, "A", FULL(LAST, false, 0x3)) },

/* 7. dispatch: other CPUs, this CPU only, or nobody */
{ ROW("dispatch_local_only", DISPATCH, CUR), ON(0, 0x1, 0),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x1)) },
{ ROW("dispatch_remote_only", DISPATCH, CUR), ON(0, 0x6, 0),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x6)) },
{ ROW("dispatch_self_and_remote", DISPATCH, CUR), ON(1, 0x3, 0),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("dispatch_loaded_nowhere_sends_nothing", DISPATCH, CUR), ON(0, 0, 0),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(0, 0, 2, 0, "P") },
{ ROW("dispatch_loaded_nowhere_still_syncs_tables", DISPATCH, CUR),
	ON(0, 0, 0),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(0, 0, 2, 1, "STP") },

/* 8. lazy-TLB CPUs skipped unless page tables were freed */
{ ROW("lazy_cpu_skipped_for_leaf_flush", LAZY, CUR), ON(0, 0x7, 0x4),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("lazy_cpu_included_when_tables_freed", LAZY, CUR), ON(0, 0x7, 0x4),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(2), 12, true, 0x7)) },
{ ROW("lazy_remote_leaves_only_self", LAZY, CUR), ON(0, 0x3, 0x2),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x1)) },
{ ROW("lazy_only_cpu_gets_empty_flush", LAZY, CUR), ON(0, 0x2, 0x2),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0)) },
{ ROW("lazy_cpu_skipped_by_reclaim_batch", LAZY, CUR), ON(0, 0x7, 0x4),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 1), RECLAIM_FLUSH },
	EXPECT(1, 1, 1, 0, "AP", FULL(LAST, false, 0x3)) },

/* 9. tlb_table_invalidate is optional per arch */
{ ROW("table_alloc_failure_invalidates_first", TABLE_INVALIDATE, CUR),
	TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), FAIL_ALLOC(0), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },
{ ROW("table_alloc_failure_without_invalidate", TABLE_INVALIDATE, CUR),
	TWO_CPUS, .arch = TLBH_CA_NO_TABLE_INVALIDATE,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), FAIL_ALLOC(0), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "STRP", RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },
{ ROW("table_batch_without_invalidate_same_flushes", TABLE_INVALIDATE, CUR),
	TWO_CPUS, .arch = TLBH_CA_NO_TABLE_INVALIDATE,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },
{ ROW("table_alloc_failure_flushes_per_table", TABLE_INVALIDATE, CUR),
	TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PMD(1), PMD(1) + TLBH_PAGE_SIZE, RW),
		 FAIL_ALLOC(0), MUNMAP(1, PMD(0), PMD(2)) },
	EXPECT(2, 1, 3, 2, "ASTRSTP",
	       RANGE(LAST, PMD(1), PMD(1) + TLBH_PAGE_SIZE, 21, true, 0x3)) },

/* 10. nested gathers: full flush with freed_tables at finish */
{ ROW("nested_finish_forces_full_flush", NESTED, CUR), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, PG(0), PG(4), PTE), GATHER(1), FINISH(1),
		 FINISH(0) },
	EXPECT(2, 1, 0, 0, "AR", FULL(1, true, 0x3)) },
{ ROW("nested_finish_skipped", NESTED, "nested-no-flush"), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, PG(0), PG(4), PTE), GATHER(1), FINISH(1),
		 FINISH(0) },
	EXPECT(1, 0, 0, 0, "R", VIOL(NESTED_SKIP)) },
{ ROW("nested_madvise_second_flushes_all", NESTED, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(4), RW), ZAP_BEGIN(0, 1, PG(0), PG(4)),
		 ZAP(1, PG(0), PG(4)), ZAP_END(0) },
	EXPECT(2, 1, 4, 0, "ARP", FULL(1, true, 0x3)) },
{ ROW("nested_madvise_second_returns_early", NESTED, "nested-no-flush"),
	TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(4), RW), ZAP_BEGIN(0, 1, PG(0), PG(4)),
		 ZAP(1, PG(0), PG(4)), ZAP_END(0) },
	EXPECT(1, 0, 4, 0, "RP", VIOL(NESTED_SKIP)) },
{ ROW("nested_full_flush_reaches_lazy_cpus", NESTED, CUR), ON(0, 0x7, 0x4),
	.ops = { GATHER(0), CLEAR(0, PG(0), PG(4), PTE), GATHER(1), FINISH(1),
		 FINISH(0) },
	EXPECT(2, 1, 0, 0, "AR", FULL(1, true, 0x7)) },
{ ROW("sequential_gathers_not_nested", NESTED, CUR), TWO_CPUS,
	.ops = { GATHER(0), CLEAR(0, PG(0), PG(4), PTE), FINISH(0), GATHER(1),
		 FINISH(1) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PG(0), PG(4), 12, false, 0x3)) },

/* 11. reclaim: deferred batch, paid under the PTL by others */
{ ROW("reclaim_flush_deferred_to_batch", RECLAIM_BATCH, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 1), RECLAIM_FLUSH },
	EXPECT(1, 1, 1, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("reclaim_no_remote_cpu_flushes_page", RECLAIM_BATCH, V612),
	ON(0, 0x1, 0),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 1), RECLAIM_FLUSH },
	EXPECT(1, 0, 1, 0, "RP", RANGE(LAST, PG(0), PG(1), 12, false, 0x1)) },
{ ROW("reclaim_without_batch_flag_flushes_page", RECLAIM_BATCH, V612),
	TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 0), RECLAIM_FLUSH },
	EXPECT(1, 0, 1, 0, "RP", RANGE(LAST, PG(0), PG(1), 12, false, 0x3)) },
{ ROW("reclaim_flush_range_reaches_lazy_cpus", RECLAIM_BATCH, CUR),
	ON(0, 0x3, 0x2),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 0), RECLAIM_FLUSH },
	EXPECT(1, 0, 1, 0, "RP", RANGE(LAST, PG(0), PG(1), 12, true, 0x3)) },
{ ROW("reclaim_flush_page_skips_lazy_cpus", RECLAIM_BATCH, V612),
	ON(0, 0x3, 0x2),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 0), RECLAIM_FLUSH },
	EXPECT(1, 0, 1, 0, "RP", RANGE(LAST, PG(0), PG(1), 12, false, 0x1)) },
{ ROW("reclaim_batch_empty_sends_nothing", RECLAIM_BATCH, CUR), TWO_CPUS,
	.ops = { RECLAIM_FLUSH },
	EXPECT(0, 0, 0, 0, "") },
{ ROW("batched_pending_paid_by_mprotect", RECLAIM_BATCH, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), RECLAIM(0, PG(0), 1),
		 MPROTECT(0, PG(0), PG(2), 0), RECLAIM_FLUSH },
	EXPECT(3, 2, 1, 0, "ARAP", FULL(1, true, 0x3)) },
{ ROW("batched_pending_ignored_by_mprotect", RECLAIM_BATCH,
		"reclaim-no-batched-pending"), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), RECLAIM(0, PG(0), 1),
		 MPROTECT(0, PG(0), PG(2), 0), RECLAIM_FLUSH },
	EXPECT(2, 1, 1, 0, "RAP", VIOL(BATCHED_PENDING),
	       RANGE(1, PG(1), PG(2), 12, false, 0x3)) },
{ ROW("batched_pending_paid_once", RECLAIM_BATCH, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(4), RW), RECLAIM(0, PG(0), 1),
		 MPROTECT(0, PG(1), PG(2), 0), MPROTECT(0, PG(2), PG(3), 0),
		 RECLAIM_FLUSH },
	EXPECT(4, 2, 1, 0, "ARAP", RANGE(3, PG(2), PG(3), 12, false, 0x3)) },
{ ROW("batched_pending_paid_by_zap", RECLAIM_BATCH, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), RECLAIM(0, PG(0), 1),
		 ZAP(1, PG(0), PG(2)), RECLAIM_FLUSH },
	EXPECT(3, 2, 2, 0, "ARPAP", RANGE(2, PG(1), PG(2), 12, false, 0x3)) },
{ ROW("reclaim_from_cpu_outside_mm", RECLAIM_BATCH, CUR), ON(2, 0x3, 0),
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 1), RECLAIM_FLUSH },
	EXPECT(1, 1, 1, 0, "AP", FULL(LAST, false, 0x3)) },

/* 12. mremap: flush before the PTLs drop; PMD moves vs rmap walks */
{ ROW("mremap_ptes_flush_old_range", MREMAP, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MOVE_PTES(0, PG(0), PMD(1), 2) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },
{ ROW("mremap_ptes_none_sends_nothing", MREMAP, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(8), PG(9), RW), MOVE_PTES(0, PG(0), PMD(1), 2) },
	EXPECT(0, 0, 0, 0, "") },
{ ROW("mremap_pmd_flushes_old_pmd", MREMAP, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(3)) },
	.ops = { MAP(PG(0), PG(2), RW), MOVE_PMD(0, PMD(0), PMD(2)) },
	EXPECT(1, 1, 0, 0, "A", FULL(LAST, true, 0x3)) },
{ ROW("mremap_pmd_waits_for_rmap_walk", MREMAP, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(3)) },
	.ops = { MAP(PG(0), PG(2), RW), RECLAIM_WALK(0, PG(0)),
		 MOVE_PMD(0, PMD(0), PMD(2)), RECLAIM_UNMAP(0) },
	EXPECT(1, 0, 1, 0, "RP", RANGE(LAST, PG(0), PG(1), 12, true, 0x3)) },
{ ROW("mremap_pmd_races_rmap_walk", MREMAP, "mremap-pmd-no-rmap-lock"),
	TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(3)) },
	.ops = { MAP(PG(0), PG(2), RW), RECLAIM_WALK(0, PG(0)),
		 MOVE_PMD(0, PMD(0), PMD(2)), RECLAIM_UNMAP(0) },
	EXPECT(2, 1, 1, 0, "ARP", VIOL(MREMAP_RMAP), BROKEN,
	       RANGE(LAST, PG(0), PG(1), 12, false, 0x3)) },
{ ROW("mremap_pays_batched_pending", MREMAP, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), RECLAIM(0, PG(0), 1),
		 MOVE_PTES(0, PG(1), PMD(1), 1), RECLAIM_FLUSH },
	EXPECT(3, 2, 1, 0, "ARAP", RANGE(2, PG(1), PG(2), 12, true, 0x3)) },

/* 13. page-size change forces a flush (MMU_GATHER_PAGE_SIZE) */
{ ROW("page_size_change_flushes", PAGE_SIZE, V612), TWO_CPUS,
	.arch = TLBH_CA_PAGE_SIZE,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP_HUGE(PMD(1)), ZAP(1, PMD(0), PMD(2)) },
	EXPECT(2, 0, 3, 0, "RPRP", RANGE(1, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("page_size_untracked_on_x86", PAGE_SIZE, V612), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP_HUGE(PMD(1)), ZAP(1, PMD(0), PMD(2)) },
	EXPECT(1, 1, 3, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("page_size_unchanged_no_flush", PAGE_SIZE, CUR), TWO_CPUS,
	.arch = TLBH_CA_PAGE_SIZE,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(2), RW), MAP(PMD(1), PMD(1) + TLBH_PAGE_SIZE, RW),
		 ZAP(1, PG(0), PG(8)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("page_size_change_ignored_for_fullmm", PAGE_SIZE, CUR), TWO_CPUS,
	.arch = TLBH_CA_PAGE_SIZE,
	.ops = { GATHER_FULLMM(0), PAGE_SHIFT_TO(0, 12), PAGES(0, PG(0), 2),
		 PAGE_SHIFT_TO(0, 21), FINISH(0) },
	EXPECT(1, 1, 2, 0, "AP", FULL(LAST, false, 0x3)) },

/* page batching: bundle, batch pages, limits, allocation failure */
{ ROW("bundle_spills_into_batch_page", BATCHING, CUR), TWO_CPUS,
	.ops = { GATHER(0), PAGES(0, PG(0), 9), FINISH(0) },
	EXPECT(1, 0, 9, 0, "RP", RANGE(LAST, PG(0), PG(9), 12, false, 0x3)) },
{ ROW("batch_allocation_failure_flushes", BATCHING, V61), TWO_CPUS,
	.ops = { FAIL_ALLOC(0), GATHER(0), PAGES(0, PG(0), 10), FINISH(0) },
	EXPECT(2, 0, 10, 0, "RPRP", RANGE(1, PG(0), PG(8), 12, false, 0x3)) },
{ ROW("bundle_keeps_a_pair_free", BATCHING, CUR), TWO_CPUS,
	.ops = { FAIL_ALLOC(0), GATHER(0), PAGES(0, PG(0), 10), FINISH(0) },
	EXPECT(2, 0, 10, 0, "RPRP", RANGE(1, PG(0), PG(7), 12, false, 0x3)) },
{ ROW("batch_count_limit_flushes", BATCHING, V61), TWO_CPUS,
	.ops = { GATHER(0), PAGES(0, PG(0), 9698), FINISH(0) },
	EXPECT(1, 1, 9698, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("batch_count_limit_then_more", BATCHING, V61), TWO_CPUS,
	.ops = { GATHER(0), PAGES(0, PG(0), 9699), FINISH(0) },
	EXPECT(2, 1, 9699, 0, "APRP",
	       RANGE(LAST, PG(9698), PG(9699), 12, false, 0x3)) },
{ ROW("batch_count_limit_with_pair_reserve", BATCHING, V612), TWO_CPUS,
	.ops = { GATHER(0), PAGES(0, PG(0), 9678), FINISH(0) },
	EXPECT(1, 1, 9678, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("batch_count_limit_with_pair_reserve_then_more", BATCHING, CUR),
	TWO_CPUS,
	.ops = { GATHER(0), PAGES(0, PG(0), 9679), FINISH(0) },
	EXPECT(2, 1, 9679, 0, "APRP",
	       RANGE(LAST, PG(9678), PG(9679), 12, false, 0x3)) },
{ ROW("zap_batch_exhaustion_flushes_cleared_part", BATCHING, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(12), RW), FAIL_ALLOC(0), ZAP(1, PG(0), PG(12)) },
	EXPECT(2, 0, 12, 0, "RPRP", RANGE(1, PG(0), PG(7), 12, false, 0x3)) },
{ ROW("zap_batch_exhaustion_flushes_rest", BATCHING, "batch-range-lost"),
	TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(12), RW), FAIL_ALLOC(0), ZAP(1, PG(0), PG(12)) },
	EXPECT(2, 0, 12, 0, "RPRP", VIOL(FLUSH_MISSES_RANGE), BROKEN,
	       RANGE(1, PG(8), PG(12), 12, false, 0x3)) },

/* table freeing: after the flush and the walker sync */
{ ROW("tables_freed_after_flush_and_sync", TABLE_FREE, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(3)) },
	.ops = { MAP(PG(0), PG(1), RW), MAP(PMD(1), PMD(1) + TLBH_PAGE_SIZE, RW),
		 MAP(PMD(2), PMD(2) + TLBH_PAGE_SIZE, RW), MUNMAP(1, PMD(0), PMD(3)) },
	EXPECT(1, 1, 3, 3, "ASTP", FULL(LAST, true, 0x3)) },
/*
 * Without a table batch page (the !*batch slow path of tlb_remove_table)
 * one table is invalidated and freed at once; before d86564a2f085 it was
 * freed without the invalidation.
 */
{ ROW("tables_freed_before_flush", TABLE_FREE, "table-free-no-flush"),
	TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), FAIL_ALLOC(0), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "STRP", VIOL(TABLE_NO_FLUSH), BROKEN,
	       RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },
{ ROW("table_batch_failure_flushes_first", TABLE_FREE, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), FAIL_ALLOC(0), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },
{ ROW("tables_ride_the_page_batch_on_6_x", TABLE_FREE, V612), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "RPT", RANGE(LAST, PG(0), PG(2), 12, true, 0x3)) },
/* free_pgtables: a VMA left in the same 2 MiB keeps the PTE table */
{ ROW("partial_pmd_keeps_its_table", TABLE_FREE, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PG(0), PG(16)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("isolated_small_vma_frees_its_table", TABLE_FREE, CUR), TWO_CPUS,
	.vmas = { ANON(PG(4), PG(16)) },
	.ops = { MAP(PG(4), PG(6), RW), MUNMAP(1, PG(4), PG(16)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(6), 12, true, 0x3)) },
{ ROW("munmap_split_keeps_the_table", TABLE_FREE, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(4), PG(6), RW), MUNMAP(1, PG(4), PG(8)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(4), PG(6), 12, false, 0x3)) },
{ ROW("empty_table_freed_with_pmd_stride", TABLE_FREE, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), ZAP(1, PG(0), PG(1)),
		 MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(2, 0, 1, 1, "RPRST",
	       RANGE(LAST, PMD(0), PMD(0) + TLBH_PAGE_SIZE, 21, true, 0x3)) },

/* delayed rmap: dirty file pages keep their rmap until the flush */
{ ROW("delayed_rmap_removed_after_flush", DELAYED_RMAP, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), DIRTY_FILE), ZAP(1, PG(0), PG(1)) },
	EXPECT(1, 0, 1, 0, "RMP", RANGE(LAST, PG(0), PG(1), 12, false, 0x3)) },
{ ROW("rmap_removed_at_once_v6_1", DELAYED_RMAP, V61), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), DIRTY_FILE), ZAP(1, PG(0), PG(1)) },
	EXPECT(1, 0, 1, 0, "MRP", RANGE(LAST, PG(0), PG(1), 12, false, 0x3)) },
{ ROW("delayed_rmap_forces_flush_per_table", DELAYED_RMAP, V612), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(1), DIRTY_FILE),
		 MAP(PMD(1), PMD(1) + TLBH_PAGE_SIZE, DIRTY_FILE),
		 ZAP(1, PMD(0), PMD(2)) },
	EXPECT(2, 0, 2, 0, "RMPRMP",
	       RANGE(LAST, PMD(1), PMD(1) + TLBH_PAGE_SIZE, 12, false, 0x3)) },
{ ROW("delayed_rmap_flush_then_pt_reclaim", DELAYED_RMAP, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(1), DIRTY_FILE),
		 MAP(PMD(1), PMD(1) + TLBH_PAGE_SIZE, DIRTY_FILE),
		 ZAP(1, PMD(0), PMD(2)) },
	EXPECT(3, 1, 2, 2, "RMPAMSTPRST",
	       RANGE(LAST, PMD(1), PMD(1) + TLBH_PAGE_SIZE, 21, true, 0x3)) },
/* 6.1 has no delayed rmap, but still flushes a dirty file page under the PTL */
{ ROW("dirty_file_flush_without_delayed_rmap", DELAYED_RMAP, V61), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(2)) },
	.ops = { MAP(PG(0), PG(1), DIRTY_FILE),
		 MAP(PMD(1), PMD(1) + TLBH_PAGE_SIZE, DIRTY_FILE),
		 ZAP(1, PMD(0), PMD(2)) },
	EXPECT(2, 0, 2, 0, "MRPMRP",
	       RANGE(LAST, PMD(1), PMD(1) + TLBH_PAGE_SIZE, 12, false, 0x3)) },

/* LUF: lazy unmap flush of clean read-only pages */
{ ROW("luf_munmap_returns_with_flush_owed", LUF, "luf-naive"), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(1), RO), RECLAIM(0, PG(0), 1),
		 MUNMAP(1, PG(0), PG(16)) },
	EXPECT(0, 0, 1, 0, "L", VIOL(LUF_HOLE)) },
{ ROW("luf_vma_flag_makes_munmap_pay", LUF, "luf-vma-flag"), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(1), RO), RECLAIM(0, PG(0), 1),
		 MUNMAP(1, PG(0), PG(16)) },
	EXPECT(1, 1, 1, 0, "LA", FULL(LAST, false, 0x3)) },
{ ROW("luf_reuse_pays_owed_flush", LUF, "luf-naive"), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(1), RO), RECLAIM(0, PG(0), 1), LUF_REUSE },
	EXPECT(1, 1, 1, 0, "LA", FULL(LAST, false, 0x3)) },
{ ROW("luf_leaves_writable_pages_to_batch", LUF, "luf-vma-flag"), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 1), RECLAIM_FLUSH },
	EXPECT(1, 1, 1, 0, "AP", FULL(LAST, false, 0x3)) },
{ ROW("upstream_munmap_pays_reclaim_batch", LUF, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(1), RO), RECLAIM(0, PG(0), 1),
		 MUNMAP(1, PG(0), PG(16)), RECLAIM_FLUSH },
	EXPECT(2, 2, 1, 0, "AP", FULL(1, true, 0x3)) },

/* hugetlb: flush and free before the hugetlb VMA lock drops */
{ ROW("hugetlb_freed_before_unlock", HUGETLB, CUR), TWO_CPUS,
	.vmas = { HUGETLB(PMD(1), PMD(2)) },
	.ops = { MAP_HUGE(PMD(1)), ZAP(1, PMD(1), PMD(2)) },
	EXPECT(1, 0, 1, 0, "RP", RANGE(LAST, PMD(1), PMD(2), 21, false, 0x3)) },
{ ROW("hugetlb_unlocked_before_free", HUGETLB, "hugetlb-flush-after-zap-end"),
	TWO_CPUS,
	.vmas = { HUGETLB(PMD(1), PMD(2)) },
	.ops = { MAP_HUGE(PMD(1)), ZAP(1, PMD(1), PMD(2)) },
	EXPECT(1, 0, 1, 0, "RP", VIOL(HUGETLB_ORDER),
	       RANGE(LAST, PMD(1), PMD(2), 21, false, 0x3)) },

/* clear_refs soft-dirty: write protection needs its own flush */
{ ROW("clear_refs_flushes_mm", SOFT_DIRTY, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW | SOFT_DIRTY), CLEAR_REFS(1) },
	EXPECT(1, 1, 0, 0, "A", FULL(LAST, true, 0x3)) },
{ ROW("clear_refs_gather_returns_early", SOFT_DIRTY, "soft-dirty-no-flush"),
	TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW | SOFT_DIRTY), CLEAR_REFS(1) },
	EXPECT(0, 0, 0, 0, "", VIOL(SOFT_DIRTY)) },
{ ROW("clear_refs_read_only_still_flushes", SOFT_DIRTY, CUR), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RO | SOFT_DIRTY), CLEAR_REFS(1) },
	EXPECT(1, 1, 0, 0, "A", FULL(LAST, true, 0x3)) },
{ ROW("clear_refs_read_only_harmless_without_flush", SOFT_DIRTY,
		"soft-dirty-no-flush"), TWO_CPUS,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RO | SOFT_DIRTY), CLEAR_REFS(1) },
	EXPECT(0, 0, 0, 0, "") },
/* MADV_FREE: what was young or dirty is flushed, nothing is freed */
{ ROW("madv_free_flushes_young_or_dirty", NOTHING_CLEARED, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(8), RW | YOUNG | TLBH_PTE_DIRTY),
		 MADV_FREE(1, PG(0), PG(16)) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PG(0), PG(8), 12, false, 0x3)) },
{ ROW("madv_free_of_old_clean_pages_flushes_nothing", NOTHING_CLEARED, CUR),
	TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(8), RW | YOUNG), MADV_FREE(1, PG(0), PG(16)),
		 MADV_FREE(1, PG(0), PG(16)) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PG(0), PG(8), 12, false, 0x3)) },
{ ROW("madv_free_gathers_per_vma_on_6_x", MERGE_VMAS, V612), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(16), RW | YOUNG), MADV_FREE(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 0, 0, "R", RANGE(LAST, PG(8), PG(16), 12, false, 0x3)) },
{ ROW("madv_free_gathers_per_call_on_7_2", MERGE_VMAS, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(16), RW | YOUNG), MADV_FREE(0x3, PG(0), PG(16)) },
	EXPECT(1, 0, 0, 0, "R", RANGE(LAST, PG(0), PG(16), 12, false, 0x3)) },
{ ROW("dontneed_gathers_per_vma_on_6_x", MERGE_VMAS, V612), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(16), RW), ZAP(0x3, PG(0), PG(16)) },
	EXPECT(2, 0, 16, 0, "RPRP", RANGE(LAST, PG(8), PG(16), 12, false, 0x3)) },
{ ROW("dontneed_gathers_per_call_on_7_2", MERGE_VMAS, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(8)), ANON(PG(8), PG(16)) },
	.ops = { MAP(PG(0), PG(16), RW), ZAP(0x3, PG(0), PG(16)) },
	EXPECT(1, 0, 16, 0, "RP", RANGE(LAST, PG(0), PG(16), 12, false, 0x3)) },

/* MADV_PAGEOUT: age in the gather, reclaim per PTE table */
{ ROW("pageout_defers_the_flush_to_the_batch", RECLAIM_BATCH, CUR), TWO_CPUS,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(2), RW | YOUNG), PAGEOUT(1, PG(0), PG(16)) },
	EXPECT(2, 1, 2, 0, "APR", RANGE(LAST, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("pageout_alone_flushes_each_page", RECLAIM_BATCH, V612), ON(0, 0x1, 0),
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(2), RW | YOUNG), PAGEOUT(1, PG(0), PG(16)) },
	EXPECT(3, 0, 2, 0, "RPRPR", RANGE(1, PG(0), PG(1), 12, false, 0x1)) },

/* target selection: CPUs that left the mm stay in a lazily trimmed mask */
{ ROW("flush_skips_cpus_that_left_the_mm", LAZY, CUR), ON(0, 0x7, 0),
	.stale_cpus = 0x4,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(1, 0, 2, 0, "RP", RANGE(LAST, PG(0), PG(2), 12, false, 0x3)) },
{ ROW("freed_tables_reach_cpus_that_left_the_mm", LAZY, CUR), ON(0, 0x7, 0),
	.stale_cpus = 0x4,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PG(0), PG(16)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(2), 12, true, 0x7)) },
{ ROW("local_flush_only_when_running_the_mm", DISPATCH, CUR), ON(0, 0x1, 0),
	.stale_cpus = 0x1,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(2), RW), ZAP(1, PG(0), PG(2)) },
	EXPECT(0, 0, 2, 0, "P") },

/* INVLPGB: an mm active on more than three CPUs gets a global ASID */
{ ROW("invlpgb_broadcast_after_global_asid", BROADCAST, CUR), FOUR_CPUS,
	.arch = TLBH_CA_INVLPGB,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(3), RW), ZAP(1, PG(0), PG(1)),
		 ZAP(1, PG(1), PG(2)) },
	EXPECT(3, 0, 2, 0, "RPRP", RANGE(2, PG(1), PG(2), 12, false, ALL)) },
{ ROW("invlpgb_transition_ipis_once", BROADCAST, CUR), FOUR_CPUS,
	.arch = TLBH_CA_INVLPGB,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(3), RW), ZAP(1, PG(0), PG(1)),
		 ZAP(1, PG(1), PG(2)), ZAP(1, PG(2), PG(3)) },
	EXPECT(4, 0, 3, 0, "RPRPRP", RANGE(LAST, PG(2), PG(3), 12, false, ALL)) },
{ ROW("invlpgb_broadcast_reaches_lazy_cpus", BROADCAST, CUR), ON(0, 0xf, 0x8),
	.arch = TLBH_CA_INVLPGB,
	.vmas = { ANON(PG(0), PG(16)), ANON(PG(16), PG(32)) },
	.ops = { MAP(PG(0), PG(3), RW), ZAP(1, PG(0), PG(1)),
		 ZAP(1, PG(1), PG(2)), ZAP(1, PG(2), PG(3)) },
	EXPECT(4, 0, 3, 0, "RPRPRP", RANGE(1, PG(0), PG(1), 12, false, 0x7)) },
/*
 * A broadcast interrupts nobody, so it cannot hold GUP-fast off: with
 * INVLPGB, tables wait for RCU even under the 6.x rules (x86 made RCU
 * table freeing unconditional before it used INVLPGB).
 */
{ ROW("invlpgb_tables_always_wait_for_rcu", BROADCAST, V612), FOUR_CPUS,
	.arch = TLBH_CA_INVLPGB,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(2), RW), MUNMAP(1, PMD(0), PMD(1)) },
	EXPECT(1, 0, 2, 1, "RSTP", RANGE(LAST, PG(0), PG(2), 12, true, 0xf)) },
/* LUF's owed flush is a broadcast too: a global-ASID CPU ignores IPIs. */
{ ROW("invlpgb_luf_flush_broadcasts", BROADCAST, "luf-naive"), FOUR_CPUS,
	.arch = TLBH_CA_INVLPGB,
	.vmas = { ANON(PG(0), PG(16)) },
	.ops = { MAP(PG(0), PG(1), RO), RECLAIM(0, PG(0), 1), LUF_REUSE },
	EXPECT(1, 1, 1, 0, "LA", FULL(LAST, false, ALL)) },
{ ROW("invlpgb_reclaim_batch_flushes_all_nonglobals", BROADCAST, CUR),
	FOUR_CPUS, .arch = TLBH_CA_INVLPGB,
	.vmas = { ANON(PMD(0), PMD(1)) },
	.ops = { MAP(PG(0), PG(1), RW), RECLAIM(0, PG(0), 1), RECLAIM_FLUSH },
	EXPECT(1, 1, 1, 0, "AP", FULL(LAST, false, ALL)) },
};

const unsigned int tlbh_nr_engine_cases = ARRAY_SIZE(tlbh_engine_cases);
