// SPDX-License-Identifier: GPL-2.0
/*
 * space_model.c - a /dev/tlbh space on the host (see space_model.h)
 *
 * Each command below follows its body in src/tlbh_cmd.c and the helpers
 * of src/tlbh_pt.c and src/tlbh_pool.c it calls, step for step: which
 * VMAs a lookup finds while a held munmap has unlinked some, when a
 * parked table is reused and when that forces a drain, which pages are
 * quarantined and when the quarantine is drained, and the errno of
 * each refusal (src/tlbh_ioctl.c turns -EAGAIN into -EBUSY).  What the module does
 * to real page tables is done here to an array of PTE tables, and what
 * the hardware does on a flush is done to the reference TLB.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>

#include "space_model.h"

/*
 * The kernel-header shim's <linux/errno.h> has only what the engine
 * returns; the commands also answer these, with their Linux values.
 */
#ifndef EBUSY
#define EBUSY		16
#endif
#ifndef ENXIO
#define ENXIO		6
#endif

#define PG		TLBH_PAGE_SIZE
#define PMD		TLBH_PMD_SIZE
#define PTRS		512
#define TABLE_PFN	0x10000000UL	/* table frames; pool frames stay below */
#define MAX_POOL	65536		/* module parameter max_pool_pages */
#define BATCH_BYTES	TLBH_PAGE_SIZE

/* A PTE of the model tables: frame << 3 | dirty | writable | present. */
#define E_P		1U
#define E_W		2U
#define E_D		4U
#define E_SHIFT		3

/* Pool frames. */
#define P_OWNED		0x01		/* allocated, not released */
#define P_MAPPED	0x02		/* a PTE of the space maps it */
#define P_QUAR		0x04		/* quarantined: never mapped again */
#define P_HUGE		0x08		/* zapped from a hugetlb VMA, not freed */
#define P_VMA_SHIFT	4		/* ... and the index of that VMA */

static const char * const check_names[] = {
	"gone", "write-protected", "free", "table", "hugetlb",
};

const char *sm_check_name(unsigned int check)
{
	unsigned int i;

	for (i = 0; i < 5; i++)
		if (check == 1U << i)
			return check_names[i];
	return "?";
}

static void report(struct sm *w, unsigned int check, int cpu,
		   unsigned long va, bool writable, const char *fmt, ...)
{
	struct sm_violation *v;
	va_list ap;

	if (!(w->checks & check))
		return;
	if (w->nr_viol < SM_VIOLATIONS) {
		v = &w->viol[w->nr_viol];
		v->check = check;
		v->cpu = cpu;
		v->va = va >= w->base ? va - w->base : va;
		v->step = w->step;
		v->writable = writable;
		va_start(ap, fmt);
		vsnprintf(v->what, sizeof(v->what), fmt, ap);
		va_end(ap);
	}
	w->nr_viol++;
}

/* ------------------------------------------------------------------ */
/* Frames, tables, PTEs                                                 */

static bool data_addr(const struct sm *w, unsigned long addr)
{
	return addr >= w->base && addr < w->base + w->data_size;
}

static u16 *slot_of(struct sm *w, unsigned long addr)
{
	unsigned long off;

	if (addr < w->base || addr >= w->base + w->size)
		return NULL;
	off = addr - w->base;
	if (off < w->data_size)
		return &w->data_table[off >> TLBH_PMD_SHIFT];
	return &w->park_table[(off - w->data_size) >> TLBH_PMD_SHIFT];
}

static unsigned long park_addr(const struct sm *w, unsigned int i)
{
	return w->base + w->data_size + (unsigned long)i * PMD;
}

static u32 *table_ptes(struct sm *w, unsigned int t)
{
	return w->pte + (size_t)(t - 1) * PTRS;
}

static u32 *ptep(struct sm *w, unsigned long addr)
{
	u16 *slot = slot_of(w, addr);

	if (!slot || !*slot)
		return NULL;
	return &table_ptes(w, *slot)[(addr >> TLBH_PAGE_SHIFT) & (PTRS - 1)];
}

static bool owned(const struct sm *w, unsigned long pfn)
{
	return pfn && pfn < w->next_pfn && (w->pool[pfn] & P_OWNED);
}

static void quarantine(struct sm *w, unsigned long pfn)
{
	u8 *p = &w->pool[pfn];

	if (!owned(w, pfn) || (*p & P_QUAR))
		return;
	if (!(*p & P_MAPPED))
		w->nr_loose--;
	*p |= P_QUAR;
	w->nr_quarantined++;
}

static const struct tlbh_vma *vma_at(const struct sm *w, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < w->nr_vmas; i++)
		if (addr >= w->vmas[i].start && addr < w->vmas[i].end)
			return &w->vmas[i];
	return NULL;
}

/* Clear one PTE, as tlbh_pte_fn does with .clear (and .quarantine). */
static void pte_clear(struct sm *w, unsigned long addr, u32 *e, bool quar)
{
	unsigned long pfn = *e >> E_SHIFT;
	const struct tlbh_vma *v;

	if (!(*e & E_P))
		return;
	*e = 0;
	if (!owned(w, pfn))
		return;
	w->pool[pfn] &= ~P_MAPPED;
	if (!(w->pool[pfn] & P_QUAR))
		w->nr_loose++;
	if (quar)
		quarantine(w, pfn);
	if (!data_addr(w, addr))
		return;
	/* Whose clear is this: the held operation's, or another's? */
	if (w->held != SM_HELD_NONE && w->cur_action != SC_RESUME) {
		unsigned long i = (addr - w->base) >> TLBH_PAGE_SHIFT;

		w->hold_cleared[i / 64] |= 1ULL << (i % 64);
	}
	/* A hugetlb page a zap gathered: its VMA's pool lacks it until freed. */
	v = vma_at(w, addr);
	if (v && (v->flags & TLBH_VM_HUGETLB) && !(w->pool[pfn] & P_HUGE) &&
	    (w->cur_action == SC_ZAP || w->cur_action == SC_ZAP_BATCH)) {
		w->pool[pfn] |= P_HUGE | (v - w->vmas) << P_VMA_SHIFT;
		w->nr_huge_gathered[v - w->vmas]++;
	}
}

static void huge_freed(struct sm *w, unsigned long pfn)
{
	if (pfn >= w->next_pfn || !(w->pool[pfn] & P_HUGE))
		return;
	w->nr_huge_gathered[w->pool[pfn] >> P_VMA_SHIFT]--;
	w->pool[pfn] &= ~(P_HUGE | 7 << P_VMA_SHIFT);
}

static void pte_set(struct sm *w, u32 *e, unsigned long pfn, bool wr, bool dirty)
{
	*e = (u32)pfn << E_SHIFT | E_P | (wr ? E_W : 0) | (wr && dirty ? E_D : 0);
	if (!(w->pool[pfn] & P_QUAR))
		w->nr_loose--;
	w->pool[pfn] |= P_MAPPED;
	huge_freed(w, pfn);
}

static unsigned long pool_alloc(struct sm *w)
{
	unsigned long pfn;

	if (w->next_pfn >= w->max_pfn)
		return 0;
	pfn = w->next_pfn++;
	w->pool[pfn] = P_OWNED;
	w->nr_loose++;
	w->nr_pool++;
	return pfn;
}

/* Full flush on every CPU, release the quarantine (tlbh_pool_drain). */
static u64 drain(struct sm *w)
{
	u64 n = w->nr_quarantined;
	unsigned long pfn;
	unsigned int cpu;

	w->gen++;			/* tlbh_hw_flush_everywhere */
	for (cpu = 0; cpu < REF_CPUS; cpu++)
		ref_tlb_drop_cpu(&w->tlb, cpu);
	w->park_ok = ~0ULL;
	for (pfn = 1; pfn < w->next_pfn && w->nr_quarantined; pfn++) {
		if (w->pool[pfn] & P_QUAR) {
			w->pool[pfn] &= ~(P_QUAR | P_OWNED);
			w->nr_quarantined--;
			w->nr_pool--;
		}
	}
	return n;
}

static void maybe_drain(struct sm *w)
{
	if (w->nr_quarantined > SM_MAX_QUARANTINE)
		drain(w);
}

/* tlbh_pt_ensure_table: reuse a parked table first. */
static int ensure_table(struct sm *w, unsigned long addr)
{
	u16 *slot = slot_of(w, addr);
	int pick = -1, any = -1;
	unsigned int i, t;
	u32 *e;

	if (!slot)
		return -EINVAL;
	if (*slot)
		return 0;
	for (i = 0; i < w->slots; i++) {
		if (!w->park_table[i])
			continue;
		if (any < 0)
			any = i;
		if (w->park_ok & (1ULL << i)) {
			pick = i;
			break;
		}
	}
	if (any >= 0 && pick < 0) {
		drain(w);
		pick = any;
	}
	if (pick >= 0) {
		e = table_ptes(w, w->park_table[pick]);
		for (i = 0; i < PTRS; i++)
			pte_clear(w, park_addr(w, pick) + i * PG, &e[i], true);
		w->park_ok &= ~(1ULL << pick);
		*slot = w->park_table[pick];
		w->park_table[pick] = 0;
		return 0;
	}
	if (w->nr_tables == w->max_tables)
		return -ENOMEM;
	t = ++w->nr_tables;
	memset(table_ptes(w, t), 0, PTRS * sizeof(u32));
	*slot = t;
	return 0;
}

/* tlbh_pt_identity: what SNAPSHOT says of @addr. */
static unsigned long identity_at(struct sm *w, unsigned long addr, u64 *flags)
{
	u32 *e = data_addr(w, addr) ? ptep(w, addr) : NULL;
	unsigned long pfn;

	if (flags)
		*flags = e ? TLBH_SNAP_TABLE : 0;
	if (!e || !(*e & E_P))
		return 0;
	pfn = *e >> E_SHIFT;
	if (!owned(w, pfn))
		return 0;
	if (flags)
		*flags |= TLBH_SNAP_PRESENT | (1ULL << 8) |
			  ((*e & E_W) ? TLBH_SNAP_WRITE : 0);
	return pfn;
}

/* ------------------------------------------------------------------ */
/* struct tlbh_pt_ops on the model (tlbh_hw_pt_ops)                     */

static tlbh_pte_t to_model(struct sm *w, unsigned long addr, u32 e)
{
	const struct tlbh_vma *v;
	tlbh_pte_t pte;

	if (!(e & E_P))
		return 0;
	pte = tlbh_mk_pte(e >> E_SHIFT, 0);
	if (e & E_W)
		pte |= TLBH_PTE_WRITE;
	if (e & E_D)
		pte |= TLBH_PTE_DIRTY;
	v = vma_at(w, addr);
	if (v && (v->flags & TLBH_VM_PFNMAP))
		pte |= TLBH_PTE_SPECIAL;
	return pte;
}

static tlbh_pte_t pt_read_pte(void *pt, unsigned long addr)
{
	struct sm *w = pt;
	u32 *e = data_addr(w, addr) ? ptep(w, addr) : NULL;

	return e ? to_model(w, addr, *e) : 0;
}

static int pt_write_pte(void *pt, unsigned long addr, tlbh_pte_t v)
{
	struct sm *w = pt;
	unsigned long pfn = tlbh_pte_pfn(v);
	int ret;
	u32 *e;

	if (!data_addr(w, addr))
		return -EINVAL;
	if ((v & TLBH_PTE_PRESENT) &&
	    (!owned(w, pfn) || (w->pool[pfn] & P_QUAR))) {
		tlbh_report(&w->emm, TLBH_VIOL_FREE_BEFORE_FLUSH, addr,
			    "write of a page the pool does not map");
		return -EINVAL;
	}
	ret = ensure_table(w, addr);
	if (ret)
		return ret;
	e = ptep(w, addr);
	pte_clear(w, addr, e, false);
	if (v & TLBH_PTE_PRESENT)
		pte_set(w, e, pfn, v & TLBH_PTE_WRITE, v & TLBH_PTE_DIRTY);
	return 0;
}

static tlbh_pte_t pt_get_and_clear_pte(void *pt, unsigned long addr)
{
	struct sm *w = pt;
	u32 *e = data_addr(w, addr) ? ptep(w, addr) : NULL, old;

	if (!e || !(*e & E_P))
		return 0;
	old = *e;
	pte_clear(w, addr, e, false);
	return to_model(w, addr, old);
}

static tlbh_pte_t pt_clear_pte_in_table(void *pt, unsigned long pfn,
					unsigned int index)
{
	struct sm *w = pt;
	unsigned long addr;
	u16 *slot;

	for (addr = w->base; addr < w->base + w->size; addr += PMD) {
		slot = slot_of(w, addr);
		if (!*slot || TABLE_PFN + *slot != pfn)
			continue;
		addr += (unsigned long)index << TLBH_PAGE_SHIFT;
		if (!data_addr(w, addr)) {
			u32 *e = ptep(w, addr), old = *e;

			if (!(old & E_P))
				return 0;
			pte_clear(w, addr, e, false);
			return to_model(w, addr, old);
		}
		return pt_get_and_clear_pte(pt, addr);
	}
	return 0;
}

static tlbh_pte_t pt_read_pmd(void *pt, unsigned long addr)
{
	struct sm *w = pt;
	u16 *slot = data_addr(w, addr) ? slot_of(w, addr) : NULL;

	return slot && *slot ? tlbh_mk_pte(TABLE_PFN + *slot, TLBH_PTE_TABLE) : 0;
}

/* Clearing a PMD parks its table; writing a table pfn fetches it back. */
static void pt_write_pmd(void *pt, unsigned long addr, tlbh_pte_t v)
{
	struct sm *w = pt;
	u16 *slot;
	unsigned int i;

	if (!data_addr(w, addr))
		return;
	slot = slot_of(w, addr);
	for (i = 0; i < w->slots; i++) {
		if (!v) {
			if (!*slot)
				return;
			if (w->park_table[i])
				continue;
			w->park_ok &= ~(1ULL << i);
			w->park_table[i] = *slot;
			*slot = 0;
			return;
		}
		if (w->park_table[i] && TABLE_PFN + w->park_table[i] == tlbh_pte_pfn(v)) {
			if (!*slot) {
				*slot = w->park_table[i];
				w->park_table[i] = 0;
			}
			return;
		}
	}
	if (v)
		tlbh_report(&w->emm, TLBH_VIOL_TABLE_NO_FLUSH, addr,
			    "PMD write of a table that is not parked");
}

/* The VMA goes away: the "driver" releases pages no PTE maps. */
static void pt_unlink_vma(void *pt, struct tlbh_vma *vma)
{
	struct sm *w = pt;
	unsigned long pfn;

	for (pfn = 1; pfn < w->next_pfn && w->nr_loose; pfn++)
		if ((w->pool[pfn] & (P_OWNED | P_MAPPED | P_QUAR)) == P_OWNED)
			quarantine(w, pfn);
}

static int pt_lock(void *pt, enum tlbh_lock lock, unsigned long addr)
{
	struct sm *w = pt;
	const struct tlbh_vma *v = vma_at(w, addr);

	if (w->locks & (1UL << lock))
		return -EAGAIN;
	w->locks |= 1UL << lock;
	if (lock == TLBH_LOCK_HUGETLB_VMA && v &&
	    w->nr_huge_gathered[v - w->vmas])
		report(w, SM_CHK_HUGETLB, -1, addr, false,
		       "hugetlb VMA lock taken while %u page(s) a zap took from the VMA wait unfreed: a fault would find its pool empty",
		       w->nr_huge_gathered[v - w->vmas]);
	return 0;
}

static void pt_unlock(void *pt, enum tlbh_lock lock, unsigned long addr)
{
	struct sm *w = pt;

	w->locks &= ~(1UL << lock);
}

static const struct tlbh_pt_ops sm_pt_ops = {
	.read_pte = pt_read_pte,
	.write_pte = pt_write_pte,
	.get_and_clear_pte = pt_get_and_clear_pte,
	.clear_pte_in_table = pt_clear_pte_in_table,
	.read_pmd = pt_read_pmd,
	.write_pmd = pt_write_pmd,
	.unlink_vma = pt_unlink_vma,
	.lock = pt_lock,
	.unlock = pt_unlock,
};

/* ------------------------------------------------------------------ */
/* struct tlbh_backend_ops: the CPUs are the reference TLB              */

static unsigned int worker_of(const struct sm *w, unsigned int role)
{
	return w->one_cpu ? 0 : role;
}

static unsigned int cpu_of(const struct sm *w, unsigned int role)
{
	return w->one_cpu ? 0 : role;
}

static tlbh_cpus_t mm_cpus(const struct sm *w)
{
	return (TLBH_CPU(w->ncpus) - 1);
}

/* CPUs whose cached entries are still used: spinning, or lazy ones that
 * will not flush when they come back (no new generation since). */
static tlbh_cpus_t reach_cpus(const struct sm *w)
{
	unsigned int i, n = w->one_cpu ? 1 : w->nr_roles;
	tlbh_cpus_t cpus = 0;

	for (i = 0; i < n; i++)
		if ((w->spinning & (1U << i)) ||
		    w->synced_gen[cpu_of(w, i)] == w->gen)
			cpus |= TLBH_CPU(cpu_of(w, i));
	return cpus;
}

static void be_flush(void *priv, const struct tlbh_flush *f)
{
	struct sm *w = priv;

	w->flushes++;
	ref_tlb_flush(&w->tlb, f);
}

static void be_free_page(void *priv, unsigned long pfn, bool luf)
{
	struct sm *w = priv;
	unsigned long va;
	int cpu;

	huge_freed(w, pfn);
	if (!luf) {
		cpu = ref_tlb_find_pfn(&w->tlb, reach_cpus(w), pfn, &va);
		if (cpu >= 0)
			report(w, SM_CHK_FREE, cpu, va, false,
			       "page %#lx freed while CPU%d translates %#lx to it",
			       pfn, cpu, va - w->base);
	}
	if (owned(w, pfn) && !(w->pool[pfn] & P_MAPPED))
		quarantine(w, pfn);
}

static void be_free_table(void *priv, unsigned long table)
{
	struct sm *w = priv;
	unsigned long va;
	unsigned int i;
	int cpu;

	cpu = ref_tlb_find_table(&w->tlb, mm_cpus(w), table, &va);
	if (cpu >= 0)
		report(w, SM_CHK_TABLE, cpu, va, false,
		       "PTE table %#lx freed while CPU%d caches the PMD entry pointing to it (offset %#lx)",
		       table, cpu, va - w->base);
	for (i = 0; i < w->slots; i++)
		if (w->park_table[i] && TABLE_PFN + w->park_table[i] == table)
			w->park_ok |= 1ULL << i;
}

static void be_sync(void *priv)
{
}

static void *be_alloc_batch(void *priv)
{
	struct sm *w = priv;
	unsigned int i;

	if (w->inject_batch_fail) {
		w->inject_batch_fail--;
		return NULL;
	}
	for (i = 0; i < w->max_batches; i++) {
		if (!(w->batch_used & (1ULL << i))) {
			w->batch_used |= 1ULL << i;
			return w->batch + (size_t)i * BATCH_BYTES;
		}
	}
	return NULL;
}

static void be_free_batch(void *priv, void *batch)
{
	struct sm *w = priv;
	size_t i;

	if (!batch)
		return;
	i = ((u8 *)batch - w->batch) / BATCH_BYTES;
	w->batch_used &= ~(1ULL << i);
}

static tlbh_cpus_t be_mm_cpus(void *priv)
{
	return mm_cpus(priv);
}

static tlbh_cpus_t be_lazy_cpus(void *priv)
{
	struct sm *w = priv;
	tlbh_cpus_t busy = TLBH_CPU(w->this_cpu);
	unsigned int i;

	for (i = 0; i < w->nr_roles && !w->one_cpu; i++)
		if (w->spinning & (1U << i))
			busy |= TLBH_CPU(cpu_of(w, i));
	return mm_cpus(w) & ~busy;
}

static unsigned int be_this_cpu(void *priv)
{
	return ((struct sm *)priv)->this_cpu;
}

static void be_violation(void *priv, enum tlbh_violation kind,
			 unsigned long addr, const char *what)
{
	struct sm *w = priv;

	w->engine_reports++;
	w->report_kinds |= 1U << kind;
}

static void be_new_generation(void *priv)
{
	((struct sm *)priv)->gen++;
}

static const struct tlbh_backend_ops sm_backend_ops = {
	.flush_range = be_flush,
	.flush_all = be_flush,
	.free_page = be_free_page,
	.free_table = be_free_table,
	.sync_table_free = be_sync,
	.alloc_batch = be_alloc_batch,
	.free_batch = be_free_batch,
	.mm_cpus = be_mm_cpus,
	.lazy_cpus = be_lazy_cpus,
	.this_cpu = be_this_cpu,
	.violation = be_violation,
	.new_generation = be_new_generation,
};

/* ------------------------------------------------------------------ */
/* Contracts: what a command promises once it returns                   */

static bool vma_unlinked(const struct sm *w, const struct tlbh_vma *v)
{
	const struct tlbh_op *op = &w->held_op;

	return w->held == SM_HELD_UNMAP && v >= op->vmas &&
	       v < op->vmas + op->nr_vmas;
}

/* tlbh_vmas_in: a lookup stops at the first VMA a held munmap unlinked. */
static unsigned int vmas_in(struct sm *w, unsigned long start,
			    unsigned long end, struct tlbh_vma **first)
{
	unsigned int i, n = 0;

	*first = NULL;
	for (i = 0; i < w->nr_vmas; i++) {
		if (w->vmas[i].end <= start || w->vmas[i].start >= end)
			continue;
		if (vma_unlinked(w, &w->vmas[i])) {
			if (n)
				break;
			continue;
		}
		if (!*first)
			*first = &w->vmas[i];
		n++;
	}
	return n;
}

static void contract_add(struct sm_contract *c, unsigned long start,
			 unsigned long end, const struct tlbh_vma *v)
{
	if (start < v->start)
		start = v->start;
	if (end > v->end)
		end = v->end;
	if (start < end && c->nr < ARRAY_SIZE(c->r)) {
		c->r[c->nr].start = start;
		c->r[c->nr].end = end;
		c->nr++;
	}
}

/*
 * madvise and munmap promise the VMAs they found; unmap_mapping_range,
 * a zap of device memory, promises every PFNMAP or MIXEDMAP VMA of the
 * range, found or unlinked already.
 */
static void contract_zap(struct sm *w, struct sm_contract *c,
			 unsigned long start, unsigned long end, bool devices)
{
	struct tlbh_vma *first;
	unsigned int n = vmas_in(w, start, end, &first), i;

	c->check = SM_CHK_GONE;
	for (i = 0; i < n; i++)
		contract_add(c, start, end, &first[i]);
	if (!devices)
		return;
	for (i = 0; i < w->nr_vmas; i++)
		if ((w->vmas[i].flags & (TLBH_VM_PFNMAP | TLBH_VM_MIXEDMAP)) &&
		    vma_unlinked(w, &w->vmas[i]))
			contract_add(c, start, end, &w->vmas[i]);
}

/* mprotect and clear_refs promise the VMAs still linked. */
static void contract_wp(struct sm *w, struct sm_contract *c,
			unsigned long start, unsigned long end, unsigned long skip)
{
	unsigned int i;

	c->check = SM_CHK_WP;
	for (i = 0; i < w->nr_vmas; i++)
		if (!vma_unlinked(w, &w->vmas[i]) && !(w->vmas[i].flags & skip))
			contract_add(c, start, end, &w->vmas[i]);
}

static void contract_range(struct sm_contract *c, unsigned long start,
			   unsigned long end)
{
	c->check = SM_CHK_GONE;
	c->nr = 1;
	c->r[0].start = start;
	c->r[0].end = end;
}

static void contract_of(struct sm *w, const struct sc_step *st,
			struct sm_contract *c)
{
	unsigned long start = w->base + st->off, end = start + st->len;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	switch (st->action) {
	case SC_ZAP:
		contract_zap(w, c, start, end, true);
		break;
	case SC_ZAP_BATCH:
		for (i = 0; i < st->nr; i++)
			contract_zap(w, c, start + i * st->to,
				     start + i * st->to + st->len, true);
		break;
	case SC_UNMAP:
		contract_zap(w, c, start, end, false);
		break;
	case SC_MPROTECT:
		if (!(st->flags & TLBH_PROT_WRITE))
			contract_wp(w, c, start, end, 0);
		break;
	case SC_CLEAR_REFS:
		contract_wp(w, c, w->base, w->base + w->data_size,
			    TLBH_VM_PFNMAP | TLBH_VM_HUGETLB);
		break;
	case SC_MREMAP:
		/*
		 * The command is mremap's page-table move; the syscall then
		 * unmaps the old range, which answers for the rest.  The move
		 * answers for the pages it moved.
		 */
		contract_range(c, start, start + st->len);
		c->moved = (long)st->to - (long)st->off;
		break;
	case SC_REMAP:
		if (st->flags & TLBH_REMAP_FLUSH)
			contract_range(c, start, end);
		break;
	}
}

static bool in_contract(const struct sm_contract *c, unsigned long va)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (va >= c->r[i].start && va < c->r[i].end)
			return true;
	return false;
}

/*
 * The command returned: every CPU that still uses its entries must not
 * translate a page of the contract to what the PTE no longer maps
 * (GONE), or write where the PTE does not allow it (WP).  A held
 * operation finishing is not answerable for pages another command
 * cleared while it was held (@exempt).
 */
static void check_contract(struct sm *w, const struct sm_contract *c,
			   bool exempt)
{
	tlbh_cpus_t cpus = reach_cpus(w);
	const struct ref_leaf *l;
	unsigned int cpu, i;
	unsigned long page;
	u32 *e, pte;
	bool bad;

	if (!c->check)
		return;
	for (cpu = 0; cpu < REF_CPUS; cpu++) {
		if (!(cpus & TLBH_CPU(cpu)))
			continue;
		for (i = 0; i < w->tlb.cpu[cpu].nr_leaves; i++) {
			l = &w->tlb.cpu[cpu].leaf[i];
			if (!in_contract(c, l->va))
				continue;
			e = data_addr(w, l->va) ? ptep(w, l->va) : NULL;
			pte = e ? *e : 0;
			if (c->moved) {
				u32 *to = ptep(w, l->va + c->moved);

				if (!to || !(*to & E_P) || *to >> E_SHIFT != l->pfn)
					continue;	/* not a page it moved */
			}
			if (c->check == SM_CHK_GONE)
				bad = !(pte & E_P) || pte >> E_SHIFT != l->pfn;
			else
				bad = l->writable && (!(pte & E_P) || !(pte & E_W) ||
						      pte >> E_SHIFT != l->pfn);
			page = (l->va - w->base) >> TLBH_PAGE_SHIFT;
			if (!bad || (exempt && (w->hold_cleared[page / 64] &
						(1ULL << (page % 64)))))
				continue;
			report(w, c->check, cpu, l->va, l->writable,
			       c->check == SM_CHK_GONE ?
			       "%s returned, CPU%u still translates %#lx" :
			       "%s returned, CPU%u may still write %#lx",
			       sc_action_name(w->cur_action), cpu, l->va - w->base);
		}
	}
}

/* ------------------------------------------------------------------ */
/* The commands (tlbh_space_ioctl.c)                                    */

static bool range_ok(const struct sm *w, u64 off, u64 len)
{
	return len && !(off % PG) && !(len % PG) && off < w->data_size &&
	       len <= w->data_size - off;
}

/* A fault in a hugetlb VMA takes its lock to get a page from its pool. */
static void hugetlb_fault(struct sm *w, unsigned long addr)
{
	const struct tlbh_vma *v = vma_at(w, addr);

	if (v && (v->flags & TLBH_VM_HUGETLB) &&
	    w->nr_huge_gathered[v - w->vmas] &&
	    !(w->locks & (1UL << TLBH_LOCK_HUGETLB_VMA)))
		report(w, SM_CHK_HUGETLB, -1, addr, false,
		       "hugetlb fault while %u page(s) a zap took from the VMA wait unfreed: its pool looks empty",
		       w->nr_huge_gathered[v - w->vmas]);
}

/*
 * tlbh_pt_populate: tables first, then every page allocated, then the
 * PTEs written; all or nothing.
 */
static int do_populate(struct sm *w, unsigned long addr, unsigned long len,
		       bool writable)
{
	unsigned long end = addr + len, a, pfn, want = 0;
	int ret;

	for (a = addr; a < end; a += PG) {
		ret = ensure_table(w, a);
		if (ret)
			return ret;
		want += !identity_at(w, a, NULL);
	}
	if (w->nr_pool + want > MAX_POOL || w->next_pfn + want > w->max_pfn)
		return -ENOMEM;
	for (a = addr; a < end; a += PG) {
		if (identity_at(w, a, NULL))
			continue;
		hugetlb_fault(w, a);
		pfn = pool_alloc(w);
		pte_set(w, ptep(w, a), pfn, writable, writable);
	}
	return 0;
}

/* tlbh_pt_remap, then the flush and the drain of tlbh_cmd_remap. */
static int do_remap(struct sm *w, unsigned long addr, unsigned long len,
		    bool flush)
{
	unsigned long start = addr, end = addr + len, pfn, old, want = 0;
	u64 flags;
	u32 *e;

	for (; addr < end; addr += PG)
		want += !!identity_at(w, addr, NULL);
	if (w->nr_pool + want > MAX_POOL || w->next_pfn + want > w->max_pfn)
		return -ENOMEM;
	for (addr = start; addr < end; addr += PG) {
		if (!identity_at(w, addr, &flags))
			continue;
		pfn = pool_alloc(w);
		e = ptep(w, addr);
		old = *e >> E_SHIFT;
		pte_clear(w, addr, e, false);
		pte_set(w, e, pfn, flags & TLBH_SNAP_WRITE, true);
		if (owned(w, old) && !(w->pool[old] & P_MAPPED))
			quarantine(w, old);
	}
	if (flush)
		tlbh_flush_tlb_range(&w->emm, start, end, TLBH_PAGE_SHIFT, false,
				     "remap");
	maybe_drain(w);
	return 0;
}

static int do_zap(struct sm *w, unsigned long start, unsigned long len,
		  bool hold)
{
	struct tlbh_vma *first;
	unsigned int n = vmas_in(w, start, start + len, &first);
	struct tlbh_op op;
	int ret;

	if (!n)
		return 0;
	if (hold) {
		ret = tlbh_op_zap_begin(&w->held_op, &w->espace, first, n,
					start, start + len);
		if (!ret)
			w->held = SM_HELD_ZAP;
	} else {
		ret = tlbh_op_zap_begin(&op, &w->espace, first, n, start,
					start + len);
		if (!ret)
			tlbh_op_zap_end(&op);
	}
	maybe_drain(w);
	return ret == -EAGAIN ? -EBUSY : ret;
}

/* tlbh_cmd_zap_batch: -EBUSY, with nothing zapped, on a taken hugetlb lock. */
static int do_zap_batch(struct sm *w, const struct sc_step *st)
{
	unsigned long start, end;
	struct tlbh_vma *first;
	struct tlbh_op op;
	unsigned int i, n;

	for (i = 0; i < st->nr; i++) {
		start = w->base + st->off + i * st->to;
		n = vmas_in(w, start, start + st->len, &first);
		if (n && tlbh_vmas_hugetlb(first, n) &&
		    (w->locks & (1UL << TLBH_LOCK_HUGETLB_VMA)))
			return -EBUSY;
	}
	tlbh_op_zap_begin(&op, &w->espace, NULL, 0, 0, 0);
	for (i = 0; i < st->nr; i++) {
		start = w->base + st->off + i * st->to;
		end = start + st->len;
		n = vmas_in(w, start, end, &first);
		if (n && tlbh_vmas_hugetlb(first, n)) {
			tlbh_op_zap_end(&op);
			do_zap(w, start, st->len, false);
			tlbh_op_zap_begin(&op, &w->espace, NULL, 0, 0, 0);
		} else if (n) {
			tlbh_op_zap_more(&op, first, n, start, end);
		}
	}
	tlbh_op_zap_end(&op);
	maybe_drain(w);
	return 0;
}

static int do_unmap(struct sm *w, unsigned long start, unsigned long len,
		    bool hold)
{
	struct tlbh_vma *first;
	unsigned int n = vmas_in(w, start, start + len, &first);
	unsigned long floor, ceiling;
	struct tlbh_op op;

	if (n)
		tlbh_op_unmap_bounds(w->vmas, w->nr_vmas, first - w->vmas, n,
				     start, start + len, w->base,
				     w->base + w->data_size, &floor, &ceiling);
	if (n && hold) {
		tlbh_op_munmap_begin(&w->held_op, &w->espace, first, n, start,
				     start + len, floor, ceiling);
		w->held = SM_HELD_UNMAP;
	} else if (n) {
		tlbh_op_munmap_begin(&op, &w->espace, first, n, start,
				     start + len, floor, ceiling);
		tlbh_op_munmap_end(&op);
	}
	maybe_drain(w);
	return 0;
}

static int do_reclaim(struct sm *w, unsigned long addr, u64 flags)
{
	struct tlbh_vma *vma;
	int ret;

	if (!vmas_in(w, addr, addr + PG, &vma) || !identity_at(w, addr, NULL))
		return -ENOENT;
	if (w->reclaim.nr >= TLBH_RECLAIM_IOC_PAGES ||
	    w->held == SM_HELD_RECLAIM ||
	    ((flags & TLBH_HOLD) && w->held))
		return -EBUSY;
	if (flags & TLBH_HOLD) {
		ret = tlbh_op_reclaim_walk(&w->reclaim, &w->espace, vma, addr);
		if (!ret) {
			w->held = SM_HELD_RECLAIM;
			w->held_batch = flags & TLBH_RECLAIM_BATCH;
		}
	} else {
		ret = tlbh_op_reclaim(&w->reclaim, &w->espace, vma, addr,
				      flags & TLBH_RECLAIM_BATCH);
	}
	if (ret)
		return ret == -EAGAIN ? -EBUSY : ret;
	maybe_drain(w);
	return 0;
}

static int do_resume(struct sm *w)
{
	switch (w->held) {
	case SM_HELD_ZAP:
		tlbh_op_zap_end(&w->held_op);
		break;
	case SM_HELD_UNMAP:
		tlbh_op_munmap_end(&w->held_op);
		break;
	case SM_HELD_RECLAIM:
		tlbh_op_reclaim_unmap(&w->reclaim, w->held_batch);
		break;
	default:
		return -EBUSY;
	}
	w->held = SM_HELD_NONE;
	maybe_drain(w);
	return 0;
}

static int do_mremap(struct sm *w, const struct sc_step *st)
{
	unsigned long from = w->base + st->off, to = w->base + st->to, off;
	bool pmd = st->flags & TLBH_MREMAP_PMD;
	struct tlbh_vma *vma;
	int ret;

	if (!range_ok(w, st->off, st->len) || !range_ok(w, st->to, st->len) ||
	    st->off == st->to)
		return -EINVAL;
	if (pmd && (st->len != PMD || (st->off | st->to) % PMD))
		return -EINVAL;
	if (!pmd && (st->off / PMD != (st->off + st->len - 1) / PMD ||
		     st->to / PMD != (st->to + st->len - 1) / PMD))
		return -EINVAL;
	if (!vmas_in(w, from, from + st->len, &vma))
		return -EBUSY;
	if (pmd) {
		if (!*slot_of(w, from) || *slot_of(w, to))
			return -EBUSY;
		return tlbh_op_move_pmd(&w->espace, vma, from, to) ? -EBUSY : 0;
	}
	for (off = 0; off < st->len; off += PG)
		if (identity_at(w, to + off, NULL))
			return -EBUSY;
	ret = ensure_table(w, to);
	if (!ret)
		tlbh_op_move_ptes(&w->espace, vma, from, to, st->len);
	return ret;
}

static void do_mprotect(struct sm *w, unsigned long start, unsigned long end,
			bool writable)
{
	struct tlbh_vma *first;
	unsigned int n = vmas_in(w, start, end, &first);

	if (n)
		tlbh_op_mprotect(&w->espace, first, n, start, end, writable);
}

/* A user access on @cpu: through the TLB, or a walk that fills it. */
static unsigned long user_access(struct sm *w, unsigned int cpu,
				 unsigned long addr, bool write, bool *ok)
{
	const struct ref_leaf *l = ref_tlb_lookup(&w->tlb, cpu, addr);
	u32 *e;

	*ok = true;
	if (l && (!write || l->writable))
		return l->pfn;
	e = data_addr(w, addr) ? ptep(w, addr) : NULL;
	if (!e || !(*e & E_P) || (write && !(*e & E_W))) {
		*ok = false;		/* SIGBUS: the VMA has no fault handler */
		return 0;
	}
	if (write)
		*e |= E_D;		/* the walk sets the dirty bit */
	ref_tlb_fill_walk(&w->tlb, cpu, addr, TABLE_PFN + *slot_of(w, addr));
	/* A clean writable PTE gives a read-only entry: a write walks again. */
	ref_tlb_fill(&w->tlb, cpu, addr, *e >> E_SHIFT,
		     (*e & E_W) && (*e & E_D), false);
	return *e >> E_SHIFT;
}

/* READ, WRITE, CHECK, CHECK_WRITE; returns the stale pages of a CHECK. */
static unsigned int do_access(struct sm *w, const struct sc_step *st)
{
	unsigned int i, n = st->len ? st->len / PG : 1, stale = 0;
	bool write = st->action == SC_WRITE || st->action == SC_CHECK_WRITE;
	unsigned long addr, got;
	u64 flags;
	bool ok;

	if (n > SC_MAX_PAGES)
		n = SC_MAX_PAGES;
	for (i = 0; i < n; i++) {
		addr = w->base + st->off + i * PG;
		got = user_access(w, w->this_cpu, addr, write, &ok);
		if (st->action == SC_CHECK)
			stale += got != identity_at(w, addr, NULL);
		if (st->action == SC_CHECK_WRITE) {
			identity_at(w, addr, &flags);
			stale += ok && !(flags & TLBH_SNAP_WRITE);
		}
	}
	if (st->action == SC_CHECK || st->action == SC_CHECK_WRITE) {
		w->checks_done += n;
		w->stale_checks += stale;
	}
	return stale;
}

/* Run one command on the CPU of its role; returns 0 or -errno. */
static int do_command(struct sm *w, const struct sc_step *st)
{
	unsigned long start = w->base + st->off;
	bool hold = st->flags & TLBH_HOLD;
	struct sm_contract c;
	bool resume_op = false;
	int ret = 0;

	w->cur_action = st->action;
	contract_of(w, st, &c);
	switch (st->action) {
	case SC_READ:
	case SC_WRITE:
	case SC_CHECK:
	case SC_CHECK_WRITE:
		do_access(w, st);
		return 0;
	case SC_POPULATE:
		if (!range_ok(w, st->off, st->len))
			return -EINVAL;
		return do_populate(w, start, st->len, st->flags & TLBH_MAP_WRITE);
	case SC_REMAP:
		if (!range_ok(w, st->off, st->len))
			return -EINVAL;
		ret = do_remap(w, start, st->len, st->flags & TLBH_REMAP_FLUSH);
		break;
	case SC_FLUSH:
		if (st->flags & TLBH_FLUSH_MM)
			tlbh_flush_tlb_mm(&w->emm, "ioctl");
		else if (range_ok(w, st->off, st->len))
			tlbh_flush_tlb_range(&w->emm, start, start + st->len,
					     TLBH_PAGE_SHIFT, false, "ioctl");
		else
			return -EINVAL;
		return 0;
	case SC_ZAP:
		if (!range_ok(w, st->off, st->len))
			return -EINVAL;
		if (hold && w->held)
			return -EBUSY;
		ret = do_zap(w, start, st->len, hold);
		if (!ret && w->held == SM_HELD_ZAP && hold) {
			w->held_contract = c;
			return 0;
		}
		break;
	case SC_ZAP_BATCH:
		ret = do_zap_batch(w, st);
		break;
	case SC_UNMAP:
		if (!range_ok(w, st->off, st->len))
			return -EINVAL;
		if (hold && w->held)
			return -EBUSY;
		ret = do_unmap(w, start, st->len, hold);
		if (w->held == SM_HELD_UNMAP && hold) {
			w->held_contract = c;
			return 0;
		}
		break;
	case SC_RECLAIM:
		if (!range_ok(w, st->off, PG))
			return -EINVAL;
		return do_reclaim(w, start, st->flags);
	case SC_RECLAIM_FLUSH:
		tlbh_op_reclaim_flush(&w->reclaim);
		maybe_drain(w);
		return 0;
	case SC_RESUME:
		c = w->held_contract;
		resume_op = w->held == SM_HELD_ZAP || w->held == SM_HELD_UNMAP;
		ret = do_resume(w);
		if (ret)
			return ret;
		memset(&w->held_contract, 0, sizeof(w->held_contract));
		if (resume_op)
			check_contract(w, &c, true);
		memset(w->hold_cleared, 0,
		       (w->data_pages + 63) / 64 * sizeof(u64));
		return 0;
	case SC_MREMAP:
		ret = do_mremap(w, st);
		break;
	case SC_MPROTECT:
		if (!range_ok(w, st->off, st->len))
			return -EINVAL;
		do_mprotect(w, start, start + st->len,
			    st->flags & TLBH_PROT_WRITE);
		break;
	case SC_CLEAR_REFS:
		tlbh_op_clear_refs(&w->espace, w->vmas, w->nr_vmas);
		break;
	case SC_DRAIN:
		drain(w);
		return 0;
	case SC_INJECT:
		w->inject_batch_fail = st->nr;
		return 0;
	default:
		return -EINVAL;
	}
	if (!ret)
		check_contract(w, &c, false);
	return ret;
}

/* One step on its worker, as sc_do() posts it. */
static int run_on_worker(struct sm *w, const struct sc_step *st)
{
	unsigned int worker = worker_of(w, st->role), cpu = cpu_of(w, st->role);
	int ret;

	if (st->role >= w->nr_roles)
		return -EINVAL;
	/* A sleeping worker comes back from lazy TLB mode: a new
	 * generation since it last synced means a full flush. */
	if (!(w->spinning & (1U << worker)) && w->synced_gen[cpu] != w->gen) {
		ref_tlb_drop_cpu(&w->tlb, cpu);
		w->synced_gen[cpu] = w->gen;
	}
	w->this_cpu = cpu;
	ret = do_command(w, st);
	if (st->action == SC_READ || st->action == SC_WRITE)
		w->spinning |= 1U << worker;
	else if (st->action == SC_CHECK || st->action == SC_CHECK_WRITE)
		w->spinning &= ~(1U << worker);
	return ret;
}

static int fail(struct sm *w, int ret, const struct sc_step *st,
		unsigned int idx, const char *what)
{
	w->error = ret;
	snprintf(w->msg, sizeof(w->msg), "step %u (%s by %c, line %u)%s: %s",
		 idx + 1, sc_action_name(st->action), 'A' + st->role, st->line,
		 what, strerror(-ret));
	return ret;
}

int sm_step(struct sm *w, const struct sc_step *st, unsigned int idx)
{
	unsigned int k;
	int ret;

	w->step = idx;
	ret = run_on_worker(w, st);
	if (ret == -EBUSY && st->may_block) {
		if (w->nr_parked < SC_MAX_STEPS) {
			w->parked[w->nr_parked] = *st;
			w->parked_idx[w->nr_parked++] = idx;
		}
		w->blocked++;
		return 0;
	}
	if (ret)
		return fail(w, ret, st, idx, "");
	/* The lock holders may have let go: retry blocked steps. */
	for (k = 0; k < w->nr_parked; ) {
		w->step = w->parked_idx[k];
		ret = run_on_worker(w, &w->parked[k]);
		w->step = idx;
		if (ret == -EBUSY) {
			k++;
			continue;
		}
		if (ret)
			return fail(w, ret, &w->parked[k], w->parked_idx[k],
				    " (blocked)");
		w->parked[k] = w->parked[w->nr_parked - 1];
		w->parked_idx[k] = w->parked_idx[--w->nr_parked];
	}
	return 0;
}

int sm_run(struct sm *w, const struct scenario *sc)
{
	unsigned int i;

	for (i = 0; i < sc->nr_steps; i++)
		if (sm_step(w, &sc->steps[i], i))
			return -1;
	if (w->nr_parked) {
		snprintf(w->msg, sizeof(w->msg), "step %u (%s by %c) still blocked at the end",
			 w->parked_idx[0] + 1, sc_action_name(w->parked[0].action),
			 'A' + w->parked[0].role);
		w->error = -EBUSY;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Life cycle, rule sets                                                */

static size_t align_up(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

struct sm *sm_new(const struct sm_setup *s)
{
	unsigned int slots = s->space_size / 2 / PMD ? s->space_size / 2 / PMD : 1;
	unsigned int pages = s->space_size / 2 / PG;
	size_t off_bits, off_pte, off_batch, off_pool, bytes;
	unsigned int max_tables = 2 * slots, max_batches = 48;
	unsigned int max_pfn = 32 * pages + 1024;
	struct sm *w;

	if (slots > SM_MAX_SLOTS || !s->nr_roles || s->nr_roles > SC_MAX_ROLES)
		return NULL;
	off_bits = align_up(sizeof(*w));
	off_pte = align_up(off_bits + (pages + 63) / 64 * sizeof(u64));
	off_batch = align_up(off_pte + (size_t)max_tables * PTRS * sizeof(u32));
	off_pool = align_up(off_batch + (size_t)max_batches * BATCH_BYTES);
	bytes = off_pool + max_pfn;
	w = aligned_alloc(64, align_up(bytes));
	if (!w)
		return NULL;
	memset(w, 0, bytes);
	w->bytes = bytes;
	w->hold_cleared = (u64 *)((char *)w + off_bits);
	w->pte = (u32 *)((char *)w + off_pte);
	w->batch = (u8 *)w + off_batch;
	w->pool = (u8 *)w + off_pool;
	w->max_tables = max_tables;
	w->max_batches = max_batches;
	w->max_pfn = max_pfn;
	w->base = SM_BASE;
	w->size = s->space_size;
	w->data_size = s->space_size / 2;
	w->slots = slots;
	w->data_pages = pages;
	w->nr_roles = s->nr_roles;
	w->one_cpu = s->one_cpu;
	w->ncpus = s->one_cpu ? 1 : s->nr_roles + 1;
	w->checks = s->checks;
	w->policy = *s->policy;
	w->policy.rules = (s->policy->rules | s->add) & ~s->drop;
	if (!s->nr_vmas) {
		w->nr_vmas = 1;
		w->vmas[0].start = w->base;
		w->vmas[0].end = w->base + w->data_size;
	} else {
		unsigned int i;

		w->nr_vmas = s->nr_vmas;
		for (i = 0; i < s->nr_vmas; i++) {
			const struct tlbh_vma_desc *d = &s->vmas[i];

			w->vmas[i].start = w->base + d->offset;
			w->vmas[i].end = w->vmas[i].start + d->length;
			w->vmas[i].flags =
				((d->flags & TLBH_VMA_EXEC) ? TLBH_VM_EXEC : 0) |
				((d->flags & TLBH_VMA_HUGE) ? TLBH_VM_HUGETLB : 0) |
				((d->flags & TLBH_VMA_PFNMAP) ? TLBH_VM_PFNMAP : 0) |
				((d->flags & TLBH_VMA_MIXEDMAP) ? TLBH_VM_MIXEDMAP : 0);
		}
	}
	sm_reset(w);
	return w;
}

void sm_reset(struct sm *w)
{
	unsigned int i;

	tlbh_mm_init(&w->emm, &w->policy, NULL, &sm_backend_ops, w);
	w->espace.engine = &w->emm;
	w->espace.pt_ops = &sm_pt_ops;
	w->espace.pt = w;
	memset(&w->reclaim, 0, sizeof(w->reclaim));
	for (i = 0; i < w->nr_vmas; i++)
		w->vmas[i].luf_deferred = false;
	w->held = SM_HELD_NONE;
	w->held_batch = false;
	memset(&w->held_op, 0, sizeof(w->held_op));
	memset(&w->held_contract, 0, sizeof(w->held_contract));
	w->locks = 0;
	memset(w->data_table, 0, sizeof(w->data_table));
	memset(w->park_table, 0, sizeof(w->park_table));
	w->park_ok = 0;
	w->nr_tables = 0;
	w->next_pfn = 1;
	w->nr_quarantined = 0;
	w->nr_loose = 0;
	memset(w->nr_huge_gathered, 0, sizeof(w->nr_huge_gathered));
	w->nr_pool = 0;
	w->batch_used = 0;
	ref_tlb_init(&w->tlb);
	w->spinning = 0;
	w->gen = 0;
	memset(w->synced_gen, 0, sizeof(w->synced_gen));
	w->this_cpu = 0;
	w->step = 0;
	w->cur_action = 0;
	w->nr_parked = 0;
	w->engine_reports = 0;
	w->report_kinds = 0;
	w->flushes = 0;
	w->nr_viol = 0;
	w->checks_done = 0;
	w->stale_checks = 0;
	w->blocked = 0;
	w->error = 0;
	w->msg[0] = 0;
	memset(w->hold_cleared, 0, (w->data_pages + 63) / 64 * sizeof(u64));
}

void sm_free(struct sm *w)
{
	free(w);
}

int sm_resolve(const struct sc_ruleset *rs, const struct tlbh_policy **base,
	       uint64_t *add, uint64_t *drop, char *err, size_t len);

static uint64_t host_policy(void *priv, const char *name)
{
	unsigned int i;

	for (i = 0; i < tlbh_nr_policies; i++)
		if (!strcmp(tlbh_policies[i].name, name))
			return i + 1;
	return 0;
}

static int host_rule(void *priv, const char *name)
{
	unsigned int i;

	for (i = 0; i < tlbh_nr_rules; i++)
		if (tlbh_rules[i].name && !strcmp(tlbh_rules[i].name, name))
			return i;
	return -1;
}

int sm_resolve(const struct sc_ruleset *rs, const struct tlbh_policy **base,
	       uint64_t *add, uint64_t *drop, char *err, size_t len)
{
	struct sc_names n = { .policy = host_policy, .rule = host_rule };
	uint64_t policy;

	if (sc_ruleset_resolve(rs, &n, &policy, add, drop, err, len))
		return -1;
	*base = &tlbh_policies[policy - 1];
	return 0;
}

int sm_setup_of(const struct scenario *sc, const struct sc_ruleset *rs,
		unsigned int checks, struct sm_setup *s, char *err, size_t len)
{
	memset(s, 0, sizeof(*s));
	if (sm_resolve(rs, &s->policy, &s->add, &s->drop, err, len))
		return -1;
	s->space_size = sc->space_size;
	s->nr_vmas = sc->nr_vmas;
	s->vmas = sc->vmas;
	s->nr_roles = sc->nr_roles;
	s->one_cpu = sc->one_cpu;
	s->checks = checks;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Saving, restoring and hashing states                                 */

static size_t head_bytes(const struct sm *w)
{
	return (size_t)((char *)w->pte - (char *)w);
}

size_t sm_save_max(const struct sm *w)
{
	return w->bytes + 64 * sizeof(u32);
}

size_t sm_save(const struct sm *w, void *buf)
{
	size_t n = head_bytes(w) + (size_t)w->nr_tables * PTRS * sizeof(u32);
	char *p = buf;
	unsigned int i;

	memcpy(p, w, n);
	p += n;
	for (i = 0; i < w->max_batches; i++) {
		if (!(w->batch_used & (1ULL << i)))
			continue;
		memcpy(p, w->batch + (size_t)i * BATCH_BYTES, BATCH_BYTES);
		p += BATCH_BYTES;
	}
	memcpy(p, w->pool, w->next_pfn);
	return p + w->next_pfn - (char *)buf;
}

void sm_restore(struct sm *w, const void *buf)
{
	const struct sm *s = buf;
	const char *p = buf;
	size_t n = head_bytes(w) + (size_t)s->nr_tables * PTRS * sizeof(u32);
	unsigned int i;

	memcpy(w, p, n);
	p += n;
	for (i = 0; i < w->max_batches; i++) {
		if (!(w->batch_used & (1ULL << i)))
			continue;
		memcpy(w->batch + (size_t)i * BATCH_BYTES, p, BATCH_BYTES);
		p += BATCH_BYTES;
	}
	memcpy(w->pool, p, w->next_pfn);
}

struct hasher {
	u64 h;
	struct sm *w;
	u32 *map_pfn;			/* pool frame -> canonical number */
	u32 *map_stamp;
	u32 stamp;
	u32 next;
};

static void mix(struct hasher *hs, u64 v)
{
	u64 z = hs->h ^ (v + 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	hs->h = z ^ (z >> 31);
}

/* Frames are numbered in the order the hash meets them. */
static u32 canon(struct hasher *hs, unsigned long pfn)
{
	if (pfn >= TABLE_PFN)
		return 0x80000000U | (u32)(pfn - TABLE_PFN);
	if (pfn >= hs->w->max_pfn)
		return 0xffffffffU;
	if (hs->map_stamp[pfn] != hs->stamp) {
		hs->map_stamp[pfn] = hs->stamp;
		hs->map_pfn[pfn] = ++hs->next;
		mix(hs, hs->w->pool[pfn]);
	}
	return hs->map_pfn[pfn];
}

static int cmp_leaf(const void *a, const void *b)
{
	const struct ref_leaf *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

static int cmp_walk(const void *a, const void *b)
{
	const struct ref_walk *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

static void hash_gather(struct hasher *hs, const struct tlbh_gather *tlb)
{
	const struct tlbh_page_batch *b;
	unsigned int i;

	mix(hs, tlb->start);
	mix(hs, tlb->end);
	mix(hs, tlb->fullmm | tlb->need_flush_all << 1 | tlb->freed_tables << 2 |
		tlb->delayed_rmap << 3 | tlb->cleared_ptes << 4 |
		tlb->cleared_pmds << 5 | tlb->cleared_puds << 6 |
		tlb->cleared_p4ds << 7 | tlb->vma_exec << 8 |
		tlb->vma_huge << 9 | tlb->vma_pfn << 10 |
		tlb->luf_flush << 11 | tlb->luf_missed << 12);
	mix(hs, tlb->page_size);
	mix(hs, tlb->batch_count);
	mix(hs, tlb->audit_start);
	mix(hs, tlb->audit_end);
	mix(hs, tlb->audit_tables);
	for (b = &tlb->local; b; b = b->next) {
		mix(hs, b->nr);
		for (i = 0; i < b->nr; i++)
			mix(hs, (u64)canon(hs, b->entries[i] >>
					     TLBH_ENTRY_SHIFT) << TLBH_ENTRY_SHIFT |
				(b->entries[i] & (TLBH_ENTRY_DELAY_RMAP |
						  TLBH_ENTRY_TABLE)));
	}
	if (tlb->tables) {
		mix(hs, tlb->tables->nr);
		for (i = 0; i < tlb->tables->nr; i++)
			mix(hs, tlb->tables->tables[i]);
	}
}

u64 sm_hash(struct sm *w)
{
	static u32 *map_pfn, *map_stamp, map_size, stamp;
	struct ref_leaf leaves[REF_LEAVES];
	struct ref_walk walks[REF_WALKS];
	struct hasher hs = { .h = 0x1234567, .w = w };
	unsigned int i, j, cpu;
	u32 *e;

	if (map_size < w->max_pfn) {
		free(map_pfn);
		free(map_stamp);
		map_pfn = calloc(w->max_pfn, sizeof(u32));
		map_stamp = calloc(w->max_pfn, sizeof(u32));
		map_size = map_pfn && map_stamp ? w->max_pfn : 0;
		stamp = 0;
	}
	if (!map_size)
		return 0;
	hs.map_pfn = map_pfn;
	hs.map_stamp = map_stamp;
	hs.stamp = ++stamp;

	mix(&hs, w->held | w->held_batch << 4 | w->locks << 8);
	mix(&hs, w->nr_parked);
	for (i = 0; i < w->nr_parked; i++) {
		const struct sc_step *st = &w->parked[i];

		mix(&hs, st->role | st->action << 8 | (u64)st->nr << 16);
		mix(&hs, st->off);
		mix(&hs, st->len);
		mix(&hs, st->flags);
		mix(&hs, st->to);
	}
	mix(&hs, w->spinning);
	for (cpu = 0; cpu < REF_CPUS; cpu++)
		mix(&hs, w->synced_gen[cpu] == w->gen);

	/* Tables are named by their number: they are never freed. */
	for (i = 0; i < w->slots; i++) {
		mix(&hs, w->data_table[i]);
		mix(&hs, w->park_table[i] | ((w->park_ok >> i) & 1) << 16);
	}
	for (i = 1; i <= w->nr_tables; i++) {
		e = table_ptes(w, i);
		for (j = 0; j < PTRS; j++)
			if (e[j] & E_P)
				mix(&hs, (u64)j << 40 | (u64)canon(&hs, e[j] >> E_SHIFT) << 8 |
					(e[j] & 7));
		mix(&hs, i);
	}
	for (cpu = 0; cpu < REF_CPUS; cpu++) {
		const struct ref_cpu *c = &w->tlb.cpu[cpu];

		memcpy(leaves, c->leaf, c->nr_leaves * sizeof(leaves[0]));
		qsort(leaves, c->nr_leaves, sizeof(leaves[0]), cmp_leaf);
		mix(&hs, c->nr_leaves);
		for (i = 0; i < c->nr_leaves; i++) {
			mix(&hs, leaves[i].va);
			mix(&hs, (u64)canon(&hs, leaves[i].pfn) << 2 |
				leaves[i].writable << 1 | leaves[i].huge);
		}
		memcpy(walks, c->walk, c->nr_walks * sizeof(walks[0]));
		qsort(walks, c->nr_walks, sizeof(walks[0]), cmp_walk);
		mix(&hs, c->nr_walks);
		for (i = 0; i < c->nr_walks; i++) {
			mix(&hs, walks[i].va);
			mix(&hs, walks[i].table);
		}
	}
	mix(&hs, atomic_read(&w->emm.flush_pending));
	mix(&hs, atomic_read(&w->emm.batched_pending) !=
		 atomic_read(&w->emm.batched_flushed));
	mix(&hs, w->emm.luf_pending | w->emm.luf_cpus << 1);
	for (i = 0; i < w->nr_vmas; i++)
		mix(&hs, w->vmas[i].luf_deferred);

	mix(&hs, w->reclaim.walking | (w->reclaim.vm ? 2 : 0));
	if (w->reclaim.walking) {
		mix(&hs, w->reclaim.walk_addr);
		mix(&hs, w->reclaim.walk_table);
		mix(&hs, w->reclaim.walk_vma - w->vmas);
	}
	mix(&hs, w->reclaim.batch.cpus | (u64)w->reclaim.batch.flush_required << 62 |
		 (u64)w->reclaim.batch.writable << 63);
	mix(&hs, w->reclaim.nr);
	for (i = 0; i < w->reclaim.nr; i++)
		mix(&hs, canon(&hs, w->reclaim.pfns[i]));

	if (w->held == SM_HELD_ZAP || w->held == SM_HELD_UNMAP) {
		mix(&hs, w->held_op.vmas - w->vmas);
		mix(&hs, w->held_op.nr_vmas | w->held_op.hugetlb_locked << 8);
		hash_gather(&hs, &w->held_op.tlb);
		mix(&hs, w->held_contract.check | (u64)w->held_contract.moved << 8);
		for (i = 0; i < w->held_contract.nr; i++) {
			mix(&hs, w->held_contract.r[i].start);
			mix(&hs, w->held_contract.r[i].end);
		}
		for (i = 0; i < (w->data_pages + 63) / 64; i++)
			if (w->hold_cleared[i])
				mix(&hs, (u64)i << 48 ^ w->hold_cleared[i]);
	}
	mix(&hs, w->nr_quarantined);
	mix(&hs, w->nr_loose);
	for (i = 0; i < w->nr_vmas; i++)
		mix(&hs, w->nr_huge_gathered[i]);
	mix(&hs, (w->engine_reports != 0) | (w->nr_viol != 0) << 1);
	return hs.h;
}
