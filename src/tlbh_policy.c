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
		.doc = "The rules of upstream-7.2.",
		.rules = R_7_2,
	},
	{
		.name = "upstream-7.2",
		.source = "v7.2",
		.doc =
			"PFNMAP flush once in tlb_free_vmas, sticky vma_pfn; gathers per madvise call; RCU table batch; PT_RECLAIM; lazily trimmed mm_cpumask.",
		.rules = R_7_2,
	},
	{
		.name = "upstream-6.12",
		.source = "v6.12",
		.doc =
			"PFNMAP flush in tlb_end_vma; delayed rmap; gathers per VMA; tables in the page batch.",
		.rules = TLBH_RULES_UPSTREAM_6_12,
	},
	{
		.name = "upstream-6.1",
		.source = "v6.1",
		.doc =
			"As 6.12 without delayed rmap and the batch pair reserve; the hugetlb VMA lock is dropped before the flush (2820b0f09be9 came in v6.7).",
		.rules = R_6_1,
		.known = KNOWN_6_1,
	},
	{
		.name = "pfnmap-no-flush",
		.source =
			"before b67fbebd4cf9 (v6.0): upstream-6.1 without pfnmap_end_vma",
		.doc =
			"Nothing flushes PFNMAP entries before munmap unlinks the VMA.",
		.rules = R_6_1 & ~TLBH_RULE_PFNMAP_END_VMA,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "pfnmap-end-vma",
		.source =
			"upstream-7.2 with the 6.x PFNMAP flush of b67fbebd4cf9",
		.doc =
			"PFNMAP entries flushed in tlb_end_vma of every PFNMAP VMA.",
		.rules = ((R_7_2 & ~(TLBH_RULE_PFNMAP_FREE_VMAS |
				     TLBH_RULE_VMA_PFN_STICKY)) |
			  TLBH_RULE_PFNMAP_END_VMA),
	},
	{
		.name = "pfnmap-free-pgtables-loop",
		.source =
			"LKML Jan 2025, the PFNMAP flush moved into free_pgtables: the per-VMA form proposed in review of v2",
		.doc =
			"PFNMAP flush per PFNMAP VMA inside the free_pgtables loop.",
		.rules = ((R_7_2 & ~TLBH_RULE_PFNMAP_FREE_VMAS) |
			  TLBH_RULE_PFNMAP_PER_VMA),
	},
	{
		.name = "pfnmap-free-vmas-nonsticky",
		.source =
			"LKML Jan 2025, review of the same series: upstream-7.2 without vma_pfn_sticky",
		.doc =
			"Flush in tlb_free_vmas, but a later VMA resets vma_pfn.",
		.rules = R_7_2 & ~TLBH_RULE_VMA_PFN_STICKY,
		.is_buggy = true,
	},
	{
		.name = "luf-naive",
		.source =
			"LUF, PATCH v10, LKML May 2024 (not merged as of 7.2), hole described by Dave Hansen: upstream-7.2 plus luf",
		.doc =
			"Reclaim frees clean read-only pages unflushed; munmap skips the flush.",
		.rules = R_7_2 | TLBH_RULE_LUF,
		.is_buggy = true,
	},
	{
		.name = "luf-vma-flag",
		.source =
			"the reply in the same thread: \"a new flag in vma or something\" (later LUF versions used other means): upstream-7.2 plus luf and luf_vma_flag",
		.doc =
			"As luf-naive, but a gather over a LUF-marked VMA pays the flush.",
		.rules = R_7_2 | TLBH_RULE_LUF | TLBH_RULE_LUF_VMA_FLAG,
	},
	{
		.name = "hugetlb-flush-after-zap-end",
		.source =
			"LKML Apr 2025, batched zap RFC, against 2820b0f09be9: upstream-7.2 without hugetlb_flush_first (6.1's order)",
		.doc =
			"The hugetlb VMA lock is dropped before the zap flushes and frees.",
		.rules = R_7_2 & ~TLBH_RULE_HUGETLB_FLUSH_FIRST,
		.is_buggy = true,
	},
	{
		.name = "mremap-pmd-no-rmap-lock",
		.source =
			"2c91bd4a4e2e / c49dd3401802 (v5.11), LKML May 2021, fixed by 97113eb39fa7: upstream-6.1 without mremap_rmap_lock",
		.doc =
			"PMD moves skip the rmap locks; a running rmap walk flushes stale.",
		.rules = R_6_1 & ~TLBH_RULE_MREMAP_RMAP_LOCK,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "table-free-no-flush",
		.source =
			"before d86564a2f085 (2018), which added the flush before the RCU table free: upstream-7.2 without table_invalidate",
		.doc =
			"A batch of page tables is freed without a TLB flush first.",
		.rules = R_7_2 & ~TLBH_RULE_TABLE_INVALIDATE,
		.is_buggy = true,
	},
	{
		.name = "nested-no-flush",
		.source =
			"before 99baac21e458 (v4.15): upstream-6.1 without nested_flush",
		.doc =
			"A gather that cleared nothing skips its flush even when nested.",
		.rules = R_6_1 & ~TLBH_RULE_NESTED_FLUSH,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "batch-range-lost",
		.source =
			"597e1c35 (v3.6), fixed by e6c495a96ce0: upstream-6.1 without batch_range_cleared",
		.doc =
			"Batch exhaustion flushes the part not yet zapped, not the part done.",
		.rules = R_6_1 & ~TLBH_RULE_BATCH_RANGE_CLEARED,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "soft-dirty-no-flush",
		.source =
			"0758cd830494 (v5.10), before the 2021 clear_refs fix: upstream-6.1 without soft_dirty_flush",
		.doc =
			"clear_refs write-protects inside a gather that records nothing.",
		.rules = R_6_1 & ~TLBH_RULE_SOFT_DIRTY_FLUSH,
		.known = KNOWN_6_1,
		.is_buggy = true,
	},
	{
		.name = "reclaim-no-batched-pending",
		.source =
			"before 3ea277194daa (v4.12): upstream-6.1 without batched_pending",
		.doc = "PTE changers ignore a deferred reclaim flush.",
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
