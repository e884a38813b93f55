// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_policy.c - the table of named flush policies
 *
 * Each entry names its source and the single rule it changes relative
 * to upstream-current (or to upstream-6.1 where noted).  Documentation/
 * engine.rst describes the race each buggy policy reproduces.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "tlbh_engine.h"
#include "tlbh_policy.h"

#define RULE(bit, nm, dc) \
	[const_ilog2(TLBH_RULE_##bit)] = { .name = nm, .doc = dc }

const struct tlbh_rule tlbh_rules[] = {
	RULE(PFNMAP_END_VMA, "pfnmap_end_vma",
	     "tlb_end_vma flushes a gather that met a PFNMAP/MIXEDMAP VMA"),
	RULE(PFNMAP_FREE_VMAS, "pfnmap_free_vmas",
	     "tlb_free_vmas flushes pending PFNMAP entries once, before free_pgtables unlinks"),
	RULE(PFNMAP_PER_VMA, "pfnmap_per_vma",
	     "the free_pgtables loop flushes before unlinking each PFNMAP VMA"),
	RULE(VMA_PFN_STICKY, "vma_pfn_sticky",
	     "vma_pfn stays set until the next gather instead of following the VMA"),
	RULE(DELAYED_RMAP, "delayed_rmap",
	     "dirty file pages keep their rmap until after the flush"),
	RULE(NESTED_FLUSH, "nested_flush",
	     "a gather finishing while another is pending flushes everything"),
	RULE(BATCHED_PENDING, "batched_pending",
	     "PTE changers pay a deferred reclaim flush under the PTL"),
	RULE(SOFT_DIRTY_FLUSH, "soft_dirty_flush",
	     "clear_refs soft-dirty flushes the mm after write-protecting"),
	RULE(MREMAP_RMAP_LOCK, "mremap_rmap_lock",
	     "mremap PMD moves take the rmap locks"),
	RULE(HUGETLB_FLUSH_FIRST, "hugetlb_flush_first",
	     "a hugetlb zap flushes and frees before dropping the hugetlb VMA lock"),
	RULE(TABLE_INVALIDATE, "table_invalidate",
	     "the TLB is flushed before a batch of page tables is freed"),
	RULE(BATCH_RANGE_CLEARED, "batch_range_cleared",
	     "a full page batch flushes the part already zapped"),
	RULE(LUF, "luf",
	     "reclaim frees clean read-only pages unflushed; the flush is paid before reuse"),
	RULE(LUF_VMA_FLAG, "luf_vma_flag",
	     "LUF marks the VMA; a gather over a marked VMA pays the owed flush"),
	RULE(DIRTY_FILE_FLUSH, "dirty_file_flush",
	     "a zapped dirty file page forces a flush before the PTE lock drops"),
	RULE(BATCH_PAIR_RESERVE, "batch_pair_reserve",
	     "a page batch is full one entry early, so that a folio pair always fits"),
	RULE(TABLE_RCU_BATCH, "table_rcu_batch",
	     "page tables go to their own batch, freed after an RCU grace period"),
	RULE(MADV_GATHER_PER_CALL, "madv_gather_per_call",
	     "madvise and process_madvise zap every VMA and range in one gather"),
	RULE(PT_RECLAIM, "pt_reclaim",
	     "MADV_DONTNEED frees a PTE table it emptied entirely"),
	RULE(LAZY_CPUMASK, "lazy_cpumask",
	     "CPUs stay in mm_cpumask after switching away, until a flush reaches them"),
	RULE(RECLAIM_FLUSH_RANGE, "reclaim_flush_range",
	     "reclaim flushes an unmapped page with flush_tlb_range, lazy CPUs included"),
	RULE(PFNMAP_FIRST_VMA, "pfnmap_first_vma",
	     "the tlb_free_vmas flush only when the first VMA to unlink is PFNMAP"),
	RULE(PAGEOUT_AGES_YOUNG, "pageout_ages_young",
	     "MADV_PAGEOUT makes young entries old and flushes them, as MADV_COLD does"),
	RULE(RECLAIM_FREE_BATCH, "reclaim_free_batch",
	     "reclaim frees in batches of 31 folios, flushing the deferred batch as each fills"),
};

const unsigned int tlbh_nr_rules = ARRAY_SIZE(tlbh_rules);

/* The release a historical variant is "minus one rule" (or plus one) of. */
#define R_6_1	TLBH_RULES_UPSTREAM_6_1
#define R_7_2	TLBH_RULES_UPSTREAM_7_2

/*
 * What a policy built on 6.1 inherits: a hugetlb fault can find the pool
 * empty while the zapped page still waits in the gather (fixed by
 * 2820b0f09be9 in v6.7).
 */
#define KNOWN_6_1	BIT(TLBH_VIOL_HUGETLB_ORDER)

const struct tlbh_policy tlbh_policies[] = {
	{
		.name = "upstream-current",
		.source = "the newest release modelled: 7.2",
		.doc =
			"The newest release modelled, 7.2: the default policy, the rules of upstream-7.2.",
		.rules = R_7_2,
	},
	{
		.name = "upstream-7.2",
		.source = "v7.2",
		.doc =
			"PFNMAP entries are flushed once in tlb_free_vmas() before free_pgtables() unlinks the VMAs, with vma_pfn sticky until the next gather; dirty file pages keep their rmap until after the flush; one gather per madvise call; page tables in an RCU batch, and MADV_DONTNEED frees PTE tables it empties; CPUs that left the mm stay in mm_cpumask until a flush trims them; reclaim's own flush is ranged with freed_tables.",
		.rules = R_7_2,
	},
	{
		.name = "upstream-6.12",
		.source = "v6.12",
		.doc =
			"As 7.2 for delayed rmap, the batch pair reserve, the hugetlb order and MADV_PAGEOUT leaving young entries alone; as 6.1 for the rest: PFNMAP flush in tlb_end_vma(), one gather per VMA, tables in the page batch, mm_cpumask cleared at the switch.",
		.rules = TLBH_RULES_UPSTREAM_6_12,
	},
	{
		.name = "upstream-6.1",
		.source = "v6.1",
		.doc =
			"PFNMAP entries are flushed in tlb_end_vma() and vma_pfn follows the VMA; rmaps are removed at once (a dirty file page still forces its flush under the PTE lock); no pair reserve; MADV_PAGEOUT ages young entries and flushes them, as MADV_COLD does. The hugetlb VMA lock is dropped before the gather is flushed: the release really has the hugetlb-order hazard (fixed by 2820b0f09be9 in v6.7), and so does every variant built on 6.1.",
		.rules = R_6_1,
		.known = KNOWN_6_1,
	},
	{
		.name = "pfnmap-no-flush",
		.source =
			"before b67fbebd4cf9 (v6.0): upstream-6.1 without pfnmap_end_vma",
		.doc =
			"With MERGE_VMAS nothing flushes a PFNMAP VMA's entries before munmap unlinks it; a concurrent unmap_mapping_range() finds no VMA and returns while the entries are live.",
		.rules = R_6_1 & ~TLBH_RULE_PFNMAP_END_VMA,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "pfnmap-end-vma",
		.source =
			"upstream-7.2 with the 6.x PFNMAP flush of b67fbebd4cf9",
		.doc =
			"The 6.x rule on 7.2: the entries of each PFNMAP VMA are flushed in tlb_end_vma().",
		.rules = ((R_7_2 & ~(TLBH_RULE_PFNMAP_FREE_VMAS |
				     TLBH_RULE_VMA_PFN_STICKY)) |
			  TLBH_RULE_PFNMAP_END_VMA),
	},
	{
		.name = "pfnmap-free-pgtables-loop",
		.source =
			"LKML Jan 2025, the PFNMAP flush moved into free_pgtables: the per-VMA form proposed in review of v2",
		.doc =
			"The flush sits inside the free_pgtables() VMA loop, for each PFNMAP VMA about to be unlinked while PFN entries are pending.",
		.rules = ((R_7_2 & ~TLBH_RULE_PFNMAP_FREE_VMAS) |
			  TLBH_RULE_PFNMAP_PER_VMA),
	},
	{
		.name = "pfnmap-free-vmas-nonsticky",
		.source =
			"LKML Jan 2025, review of the same series: upstream-7.2 without vma_pfn_sticky",
		.doc =
			"The flush is in tlb_free_vmas(), but vma_pfn is overwritten by every tlb_start_vma(), so a normal VMA zapped after a PFNMAP one hides it and the PFNMAP VMA is unlinked unflushed.",
		.rules = R_7_2 & ~TLBH_RULE_VMA_PFN_STICKY,
		.is_buggy = true,
	},
	{
		.name = "pfnmap-free-pgtables-first-vma",
		.source =
			"LKML Jan 2025, review of the PFNMAP flush move into free_pgtables() (v2): the check first proposed before the VMA loop, then moved into it: upstream-7.2 plus pfnmap_first_vma",
		.doc =
			"free_pgtables() flushes pending PFN entries only when the first VMA it unlinks is PFNMAP; a munmap whose first VMA is a plain one unlinks a PFNMAP VMA after it unflushed, and a concurrent unmap_mapping_range() no longer finds it.",
		.rules = R_7_2 | TLBH_RULE_PFNMAP_FIRST_VMA,
		.is_buggy = true,
	},
	{
		.name = "luf-naive",
		.source =
			"LUF, PATCH v10, LKML May 2024 (not merged as of 7.2), hole described by Dave Hansen: upstream-7.2 plus luf",
		.doc =
			"Reclaim frees clean read-only pages without flushing and owes the flush to the page's reuse. munmap() then finds only empty PTEs, records nothing, skips its flush and returns while a CPU still translates the address; a new mapping there can read the old page (Dave Hansen's hole).",
		.rules = R_7_2 | TLBH_RULE_LUF,
		.is_buggy = true,
	},
	{
		.name = "luf-vma-flag",
		.source =
			"the reply in the same thread: \"a new flag in vma or something\" (later LUF versions used other means): upstream-7.2 plus luf and luf_vma_flag",
		.doc =
			"LUF marks the VMA when it defers a flush; a gather whose tlb_start_vma() meets the mark pays the owed flush, which closes the munmap hole.",
		.rules = R_7_2 | TLBH_RULE_LUF | TLBH_RULE_LUF_VMA_FLAG,
	},
	{
		.name = "hugetlb-flush-after-zap-end",
		.source =
			"LKML Apr 2025, batched zap RFC, against 2820b0f09be9: upstream-7.2 without hugetlb_flush_first (6.1's order)",
		.doc =
			"The hugetlb VMA lock is dropped before the gather is flushed and its pages freed, so a concurrent fault finds the hugetlb pool empty while the page still waits in the gather.",
		.rules = R_7_2 & ~TLBH_RULE_HUGETLB_FLUSH_FIRST,
		.is_buggy = true,
	},
	{
		.name = "mremap-pmd-no-rmap-lock",
		.source =
			"2c91bd4a4e2e / c49dd3401802 (v5.11), LKML May 2021, fixed by 97113eb39fa7: upstream-6.1 without mremap_rmap_lock",
		.doc =
			"A whole PTE table moves under the PMD lock only. A try_to_unmap() that already walked to the old address clears the entry in the moved table, flushes the old address and frees the page, while a third CPU translates the new one.",
		.rules = R_6_1 & ~TLBH_RULE_MREMAP_RMAP_LOCK,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "table-free-no-flush",
		.source =
			"before d86564a2f085 (2018), which added the flush before the RCU table free: upstream-7.2 without table_invalidate",
		.doc =
			"Page-table pages are freed as soon as they are unhooked, before the TLB and paging-structure caches are invalidated and before lockless walkers are synchronised.",
		.rules = R_7_2 & ~TLBH_RULE_TABLE_INVALIDATE,
		.is_buggy = true,
	},
	{
		.name = "nested-no-flush",
		.source =
			"before 99baac21e458 (v4.15): upstream-6.1 without nested_flush",
		.doc =
			"A gather that cleared nothing skips its flush even when another gather on the mm is in flight: the second of two concurrent MADV_DONTNEED returns before the first has flushed.",
		.rules = R_6_1 & ~TLBH_RULE_NESTED_FLUSH,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "batch-range-lost",
		.source =
			"597e1c35 (v3.6), fixed by e6c495a96ce0: upstream-6.1 without batch_range_cleared",
		.doc =
			"When the page batch runs out in the middle of zap_pte_range(), the flush covers the part still to zap instead of the part already cleared, and the cleared pages are freed while cached.",
		.rules = R_6_1 & ~TLBH_RULE_BATCH_RANGE_CLEARED,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "soft-dirty-no-flush",
		.source =
			"0758cd830494 (v5.10), before the 2021 clear_refs fix: upstream-6.1 without soft_dirty_flush",
		.doc =
			"clear_refs write-protects PTEs inside a gather that records nothing; the early return skips the flush and writable entries survive, so writes escape soft-dirty tracking.",
		.rules = R_6_1 & ~TLBH_RULE_SOFT_DIRTY_FLUSH,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "reclaim-no-batched-pending",
		.source =
			"before 3ea277194daa (v4.12): upstream-6.1 without batched_pending",
		.doc =
			"mprotect, munmap, madvise and mremap do not flush a reclaim batch that is still deferred, and return while a CPU holds an entry for a PTE they found empty.",
		.rules = R_6_1 & ~TLBH_RULE_BATCHED_PENDING,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
};

const unsigned int tlbh_nr_policies = ARRAY_SIZE(tlbh_policies);

/**
 * tlbh_policy_find - look a policy up by name
 * @name: policy name
 *
 * Return: the policy, or NULL if there is none of that name.
 */
const struct tlbh_policy *tlbh_policy_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < tlbh_nr_policies; i++)
		if (!strcmp(tlbh_policies[i].name, name))
			return &tlbh_policies[i];
	return NULL;
}

/**
 * tlbh_policy_default - the policy of a new address space
 *
 * Return: upstream-current.
 */
const struct tlbh_policy *tlbh_policy_default(void)
{
	return &tlbh_policies[0];
}
