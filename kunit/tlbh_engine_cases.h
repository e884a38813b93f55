/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_engine_cases.h - the engine's case table and its executor
 *
 * A case is data: a policy, an emulated architecture, the CPUs that
 * have the mm loaded, up to four VMAs, and a list of operations (engine
 * primitives or mm-level drivers) run against a model page table.  The
 * expectation lists the flushes the engine must send (how many, how many
 * full, the details of one of them), the pages and tables it frees, the
 * order of flushes and frees, and the violations it must report.
 *
 * One executor, tlbh_case_run(), runs a case with a recording backend
 * and returns a mismatch message.  The KUnit suite and the userspace
 * runner both call it on the same table.
 *
 * The model page table and the recording backend are exported here too:
 * the property test reuses the model page table.
 */
#ifndef _TLBH_ENGINE_CASES_H
#define _TLBH_ENGINE_CASES_H

#include "tlbh_engine.h"
#include "tlbh_op.h"

/* ------------------------------------------------------------------ */
/* Model page table: 8 PMD slots from TLBH_MODEL_BASE                   */

#define TLBH_MODEL_BASE		0x40000000UL
#define TLBH_MODEL_PMDS		8
#define TLBH_MODEL_TABLES	16
#define TLBH_MODEL_PTRS		512
#define TLBH_MODEL_END		(TLBH_MODEL_BASE + TLBH_MODEL_PMDS * TLBH_PMD_SIZE)

struct tlbh_model_table {
	unsigned long pfn;
	bool used;
	tlbh_pte_t pte[TLBH_MODEL_PTRS];
};

/**
 * struct tlbh_model_pt - page tables of the tests
 * @pmd: PMD entries of the window
 * @tables: PTE table pages, live until the backend frees them
 * @locks: held locks, one bit per enum tlbh_lock
 * @alloc_pfn: page allocator for new PTE tables
 * @on_clear: observer: a present PTE or PMD leaf was cleared
 * @on_unhook: observer: a PTE table was unhooked from its PMD
 * @on_unlink: observer: a VMA was unlinked
 * @obs: observer data
 */
struct tlbh_model_pt {
	tlbh_pte_t pmd[TLBH_MODEL_PMDS];
	struct tlbh_model_table tables[TLBH_MODEL_TABLES];
	unsigned int locks;
	unsigned long (*alloc_pfn)(void *obs);
	void (*on_clear)(void *obs, unsigned long addr, unsigned long size,
			 tlbh_pte_t old);
	void (*on_unhook)(void *obs, unsigned long addr, unsigned long table);
	void (*on_unlink)(void *obs, struct tlbh_vma *vma);
	void *obs;
};

extern const struct tlbh_pt_ops tlbh_model_pt_ops;

/* PMD slot of @addr in the model window, -1 outside it. */
static inline int tlbh_model_pmd_slot(unsigned long addr)
{
	if (addr < TLBH_MODEL_BASE || addr >= TLBH_MODEL_END)
		return -1;
	return (addr - TLBH_MODEL_BASE) >> TLBH_PMD_SHIFT;
}

void tlbh_model_pt_init(struct tlbh_model_pt *pt);
void tlbh_model_pt_release(struct tlbh_model_pt *pt, unsigned long table);
struct tlbh_model_table *tlbh_model_pt_table(struct tlbh_model_pt *pt,
					     unsigned long table);

/* ------------------------------------------------------------------ */
/* The table                                                            */

/* The flush-skip and narrowing conditions the rows are grouped by. */
enum tlbh_cond {
	TLBH_COND_NOTHING_CLEARED,	/* tlbonly early return */
	TLBH_COND_FULLMM,		/* fullmm skips per-VMA hooks */
	TLBH_COND_MERGE_VMAS,		/* no per-VMA flush */
	TLBH_COND_VMA_PFN,		/* PFNMAP forced flush */
	TLBH_COND_STRIDE,		/* stride from the cleared level */
	TLBH_COND_CEILING,		/* range -> full flush */
	TLBH_COND_DISPATCH,		/* no other CPU: local or nothing */
	TLBH_COND_LAZY,			/* lazy CPUs skipped unless tables */
	TLBH_COND_TABLE_INVALIDATE,	/* tlb_table_invalidate optional */
	TLBH_COND_NESTED,		/* nested gathers -> full flush */
	TLBH_COND_RECLAIM_BATCH,	/* deferred reclaim flush */
	TLBH_COND_MREMAP,		/* mremap flush under the PTL */
	TLBH_COND_PAGE_SIZE,		/* page-size change flushes */
	TLBH_COND_BATCHING,		/* page batch full or not allocated */
	TLBH_COND_TABLE_FREE,		/* table batch, fallback, ordering */
	TLBH_COND_DELAYED_RMAP,		/* rmap removal after the flush */
	TLBH_COND_LUF,			/* lazy unmap flush */
	TLBH_COND_HUGETLB,		/* hugetlb zap ordering */
	TLBH_COND_SOFT_DIRTY,		/* clear_refs flush */
	TLBH_COND_BROADCAST,		/* INVLPGB with a global ASID */
	TLBH_COND_NR,
};

extern const char * const tlbh_cond_names[TLBH_COND_NR];

enum tlbh_case_opcode {
	CO_END,
	/* setup, not part of the expectation */
	CO_MAP,		/* map pages a..b with PTE bits n (fresh pfns) */
	CO_MAP_HUGE,	/* map a PMD leaf at a */
	CO_CPUS,	/* this CPU a, mm CPUs b, lazy CPUs n */
	CO_FAIL_ALLOC,	/* batch allocations fail after n more */
	/* engine primitives on gather ctx */
	CO_GATHER,	/* n: fullmm */
	CO_FINISH,
	CO_START_VMA,
	CO_END_VMA,
	CO_FREE_VMAS,
	CO_UNLINK_VMA,
	CO_CLEAR,	/* track_clear a..b at level n */
	CO_PAGES,	/* gather n pages, flush_mmu when full */
	CO_FREE_TABLE,	/* unhook the PTE table at a, tlbh_free_table */
	CO_TLBONLY,
	CO_FLUSH_MMU,
	CO_PAGE_SIZE,	/* tlbh_change_page_size(1 << n) */
	/* mm-level drivers; vmas is a bit mask of row VMAs */
	CO_ZAP,
	CO_ZAP_BEGIN,
	CO_ZAP_END,
	CO_MUNMAP,
	CO_MUNMAP_BEGIN,
	CO_MUNMAP_END,
	CO_EXIT,
	CO_RECLAIM,	/* walk + unmap a, n: batch flush */
	CO_RECLAIM_WALK,
	CO_RECLAIM_UNMAP,	/* n: batch flush */
	CO_RECLAIM_FLUSH,
	CO_MPROTECT,	/* a..b, n: writable */
	CO_CLEAR_REFS,
	CO_MOVE_PTES,	/* a -> b, n pages */
	CO_MOVE_PMD,	/* a -> b */
	CO_LUF_REUSE,	/* allocator reuses a page: pay LUF */
	CO_MADV_FREE,	/* a..b */
	CO_PAGEOUT,	/* a..b */
};

/**
 * struct tlbh_case_op - one step of a case
 * @code: enum tlbh_case_opcode
 * @ctx: which open operation (0 or 1) for split operations and gathers
 * @vmas: bit mask of the row's VMAs the step applies to
 * @n: count, flags or level, per opcode
 * @a: first address
 * @b: second address
 */
struct tlbh_case_op {
	u8 code;
	u8 ctx;
	u8 vmas;
	u16 n;
	unsigned long a;
	unsigned long b;
};

/* Arch variations, relative to x86-64. */
#define TLBH_CA_NO_MERGE_VMAS		0x1	/* per-VMA flush (arm64) */
#define TLBH_CA_NO_TABLE_INVALIDATE	0x2
#define TLBH_CA_PAGE_SIZE		0x4
#define TLBH_CA_NEED_FLUSH_ALL		0x8
#define TLBH_CA_INVLPGB			0x10	/* broadcast, global ASIDs */

/**
 * struct tlbh_case_flush - details expected of one flush
 * @check: compare the details
 * @nth: which flush, 1-based; 0 for the last one
 * @full: full flush
 * @start: range start (ranged flushes)
 * @end: range end (ranged flushes)
 * @stride: stride shift (ranged flushes)
 * @freed_tables: paging-structure caches included
 * @cpus: target CPUs
 */
struct tlbh_case_flush {
	bool check;
	u8 nth;
	bool full;
	unsigned long start;
	unsigned long end;
	u8 stride;
	bool freed_tables;
	tlbh_cpus_t cpus;
};

/**
 * struct tlbh_case_expect - what a case must produce
 * @flushes: flush requests sent to the backend
 * @full: of which full flushes
 * @pages: pages freed
 * @tables: page tables freed
 * @violations: bit mask (1 << enum tlbh_violation) of reported kinds
 * @order_broken: a page or table was freed before a covering flush
 * @seq: order of backend events, runs collapsed: R range flush, A full
 *	flush, P page freed, L page freed with LUF owing the flush, T table
 *	freed, S table-free sync, M delayed rmap removed; NULL: not checked
 * @f: details of one flush
 */
struct tlbh_case_expect {
	u8 flushes;
	u8 full;
	u16 pages;
	u16 tables;
	u32 violations;
	bool order_broken;
	const char *seq;
	struct tlbh_case_flush f;
};

#define TLBH_CASE_VMAS	4
#define TLBH_CASE_OPS	14

/**
 * struct tlbh_case - one row
 * @name: unique name, used as the test name
 * @cond: condition the row exercises
 * @policy: policy name
 * @arch: TLBH_CA_* variations
 * @ceiling: flush ceiling, 0 for the default
 * @this_cpu: CPU running the operations
 * @mm_cpus: CPUs with the mm loaded
 * @lazy_cpus: CPUs of @mm_cpus in lazy TLB mode
 * @vmas: VMAs of the address space
 * @ops: steps, ending at CO_END
 * @expect: expected outcome
 */
struct tlbh_case {
	const char *name;
	enum tlbh_cond cond;
	const char *policy;
	u32 arch;
	unsigned int ceiling;
	u8 this_cpu;
	tlbh_cpus_t mm_cpus;
	tlbh_cpus_t lazy_cpus;
	tlbh_cpus_t stale_cpus;	/* in mm_cpus, running another mm */
	struct tlbh_vma vmas[TLBH_CASE_VMAS];
	struct tlbh_case_op ops[TLBH_CASE_OPS];
	struct tlbh_case_expect expect;
};

/* The table, and its number of rows (counted by the compiler). */
extern const struct tlbh_case tlbh_engine_cases[];
extern const unsigned int tlbh_nr_engine_cases;

#define TLBH_CASE_MSG_LEN	512

bool tlbh_case_run(const struct tlbh_case *c, char *msg, size_t len);

#endif /* _TLBH_ENGINE_CASES_H */
