// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_case_run.c - how a case row is run: a recording backend that logs
 * every engine call and checks flush-before-free ordering, and the
 * executor that sets a row up, runs its operations and compares what
 * was recorded with what the row expects (see tlbh_engine_cases.h)
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
		r->pt.pmd[tlbh_model_pmd_slot(op->a)] =
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
