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

#include "tlbh_policy.h"

#define CURRENT_WITHOUT(rule)	(TLBH_RULES_UPSTREAM_CURRENT & ~(rule))

#define RULE(bit, nm, dc) \
	[const_ilog2(TLBH_RULE_##bit)] = { .name = nm, .doc = dc }

const struct tlbh_rule tlbh_rules[] = {
	RULE(PFNMAP_END_VMA, "pfnmap_end_vma",
	     "tlb_end_vma flushes a gather that met a PFNMAP/MIXEDMAP VMA (b67fbebd4cf9)"),
	RULE(PFNMAP_FREE_VMAS, "pfnmap_free_vmas",
	     "tlb_free_vmas flushes pending PFNMAP entries once, before free_pgtables unlinks"),
	RULE(PFNMAP_PER_VMA, "pfnmap_per_vma",
	     "the free_pgtables loop flushes before unlinking each PFNMAP VMA"),
	RULE(VMA_PFN_STICKY, "vma_pfn_sticky",
	     "vma_pfn stays set until the next gather instead of following the VMA"),
	RULE(DELAYED_RMAP, "delayed_rmap",
	     "dirty file pages keep their rmap until after the flush (5df397dec7c4)"),
	RULE(NESTED_FLUSH, "nested_flush",
	     "a gather finishing while another is pending flushes everything (99baac21e458)"),
	RULE(BATCHED_PENDING, "batched_pending",
	     "PTE changers pay a deferred reclaim flush under the PTL (3ea277194daa)"),
	RULE(SOFT_DIRTY_FLUSH, "soft_dirty_flush",
	     "clear_refs soft-dirty flushes the mm after write-protecting"),
	RULE(MREMAP_RMAP_LOCK, "mremap_rmap_lock",
	     "mremap PMD moves take the rmap locks (97113eb39fa7)"),
	RULE(HUGETLB_FLUSH_FIRST, "hugetlb_flush_first",
	     "a hugetlb zap flushes and frees before dropping the hugetlb VMA lock"),
	RULE(TABLE_FREE_GATHERED, "table_free_gathered",
	     "freed page tables wait in the gather for the flush and the walker sync"),
	RULE(BATCH_RANGE_CLEARED, "batch_range_cleared",
	     "a full page batch flushes the part already zapped (e6c495a96ce0)"),
	RULE(LUF, "luf",
	     "reclaim frees clean read-only pages unflushed; the flush is paid before reuse"),
	RULE(LUF_VMA_FLAG, "luf_vma_flag",
	     "LUF marks the VMA; a gather over a marked VMA pays the owed flush"),
};

const unsigned int tlbh_nr_rules = ARRAY_SIZE(tlbh_rules);

const struct tlbh_policy tlbh_policies[] = {
	{
		.name = "upstream-current",
		.source = "v6.12 and later, linux-next",
		.doc = "PFNMAP flush once in tlb_free_vmas; vma_pfn sticky; delayed rmap.",
		.rules = TLBH_RULES_UPSTREAM_CURRENT,
	},
	{
		.name = "upstream-6.1",
		.source = "v6.1",
		.doc = "PFNMAP flush in tlb_end_vma; vma_pfn per VMA; rmap removed at once.",
		.rules = TLBH_RULES_UPSTREAM_6_1,
	},
	{
		.name = "pfnmap-no-flush",
		.source = "before b67fbebd4cf9 (2022)",
		.doc = "Nothing flushes PFNMAP entries before munmap unlinks the VMA.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_PFNMAP_FREE_VMAS),
		.is_buggy = true,
	},
	{
		.name = "pfnmap-end-vma",
		.source = "b67fbebd4cf9 (2022), as in v6.1",
		.doc = "PFNMAP entries flushed in tlb_end_vma of every PFNMAP VMA.",
		.rules = (CURRENT_WITHOUT(TLBH_RULE_PFNMAP_FREE_VMAS |
					  TLBH_RULE_VMA_PFN_STICKY) |
			  TLBH_RULE_PFNMAP_END_VMA),
	},
	{
		.name = "pfnmap-free-pgtables-loop",
		.source = "LKML Jan 2025, PFNMAP flush moved into free_pgtables(), v2",
		.doc = "PFNMAP flush per PFNMAP VMA inside the free_pgtables loop.",
		.rules = (CURRENT_WITHOUT(TLBH_RULE_PFNMAP_FREE_VMAS) |
			  TLBH_RULE_PFNMAP_PER_VMA),
	},
	{
		.name = "pfnmap-free-vmas-nonsticky",
		.source = "LKML Jan 2025, review of the same series",
		.doc = "Flush in tlb_free_vmas, but a later VMA resets vma_pfn.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_VMA_PFN_STICKY),
		.is_buggy = true,
	},
	{
		.name = "luf-naive",
		.source = "LUF RFC v10, LKML May 2024 (hole described by Dave Hansen)",
		.doc = "Reclaim frees clean read-only pages unflushed; munmap skips the flush.",
		.rules = TLBH_RULES_UPSTREAM_CURRENT | TLBH_RULE_LUF,
		.is_buggy = true,
	},
	{
		.name = "luf-vma-flag",
		.source = "LUF RFC v10, LKML May 2024 (fix proposed by Byungchul Park)",
		.doc = "As luf-naive, but a gather over a LUF-marked VMA pays the flush.",
		.rules = (TLBH_RULES_UPSTREAM_CURRENT | TLBH_RULE_LUF |
			  TLBH_RULE_LUF_VMA_FLAG),
	},
	{
		.name = "hugetlb-flush-after-zap-end",
		.source = "LKML Apr 2025, batched zap RFC, against 2820b0f09be9",
		.doc = "The hugetlb VMA lock is dropped before the zap flushes and frees.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_HUGETLB_FLUSH_FIRST),
		.is_buggy = true,
	},
	{
		.name = "mremap-pmd-no-rmap-lock",
		.source = "2c91bd4a4e2e / c49dd3401802, LKML May 2021; fixed by 97113eb39fa7",
		.doc = "PMD moves skip the rmap locks; a running rmap walk flushes stale.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_MREMAP_RMAP_LOCK),
		.is_buggy = true,
	},
	{
		.name = "table-free-no-flush",
		.source = "before d86564a2f085 (2018)",
		.doc = "Page tables are freed as soon as they are unhooked.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_TABLE_FREE_GATHERED),
		.is_buggy = true,
	},
	{
		.name = "nested-no-flush",
		.source = "before 99baac21e458 (2017)",
		.doc = "A gather that cleared nothing skips its flush even when nested.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_NESTED_FLUSH),
		.is_buggy = true,
	},
	{
		.name = "batch-range-lost",
		.source = "597e1c35 (v3.6), fixed by e6c495a96ce0",
		.doc = "Batch exhaustion flushes the part not yet zapped, not the part done.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_BATCH_RANGE_CLEARED),
		.is_buggy = true,
	},
	{
		.name = "soft-dirty-no-flush",
		.source = "0758cd830494 (2020), before the 2021 clear_refs fix",
		.doc = "clear_refs write-protects inside a gather that records nothing.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_SOFT_DIRTY_FLUSH),
		.is_buggy = true,
	},
	{
		.name = "reclaim-no-batched-pending",
		.source = "before 3ea277194daa (2017)",
		.doc = "PTE changers ignore a deferred reclaim flush.",
		.rules = CURRENT_WITHOUT(TLBH_RULE_BATCHED_PENDING),
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
