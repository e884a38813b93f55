/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_policy.h - named flush policies: upstream behaviour and variants
 *
 * A policy is a set of rule bits.  The engine (tlbh_engine.c) and the
 * operation drivers (tlbh_ops.c) consult the bits at the places where
 * the kernel's behaviour changed over time.  Upstream policies carry all
 * the safety rules; each variant clears or adds the one rule its source
 * changed, so two policies differ exactly where history did.
 */
#ifndef _TLBH_POLICY_H
#define _TLBH_POLICY_H

#include <linux/bits.h>
#include <linux/types.h>

/* Force-flush pending PFNMAP entries in tlb_end_vma (b67fbebd4cf9, 6.1). */
#define TLBH_RULE_PFNMAP_END_VMA	BIT(0)
/* ... once, in tlb_free_vmas before free_pgtables unlinks (2025). */
#define TLBH_RULE_PFNMAP_FREE_VMAS	BIT(1)
/* ... per PFNMAP VMA inside the free_pgtables loop (2025 patch v2). */
#define TLBH_RULE_PFNMAP_PER_VMA	BIT(2)
/* vma_pfn is sticky until the next gather (review of the 2025 patch). */
#define TLBH_RULE_VMA_PFN_STICKY	BIT(3)
/* Remove the rmap of dirty file pages after the flush (5df397dec7c4). */
#define TLBH_RULE_DELAYED_RMAP		BIT(4)
/* Nested gathers force a full flush at finish (99baac21e458). */
#define TLBH_RULE_NESTED_FLUSH		BIT(5)
/* Flush a deferred reclaim batch under the PTL (3ea277194daa). */
#define TLBH_RULE_BATCHED_PENDING	BIT(6)
/* clear_refs soft-dirty flushes the mm itself (2021 fix of 0758cd830494). */
#define TLBH_RULE_SOFT_DIRTY_FLUSH	BIT(7)
/* mremap PMD/PUD moves take the rmap locks (97113eb39fa7). */
#define TLBH_RULE_MREMAP_RMAP_LOCK	BIT(8)
/* Flush and free before hugetlb_zap_end drops the VMA lock (2820b0f09be9). */
#define TLBH_RULE_HUGETLB_FLUSH_FIRST	BIT(9)
/* Page tables go through the gather: flush, sync, then free (d86564a2f085). */
#define TLBH_RULE_TABLE_FREE_GATHERED	BIT(10)
/* Batch exhaustion flushes the part already cleared (e6c495a96ce0). */
#define TLBH_RULE_BATCH_RANGE_CLEARED	BIT(11)
/* LUF: reclaim frees read-only pages and flushes before their reuse. */
#define TLBH_RULE_LUF			BIT(12)
/* LUF marks the VMA; a gather over a marked VMA flushes (proposed fix). */
#define TLBH_RULE_LUF_VMA_FLAG		BIT(13)

/* Rules shared by every upstream release we model. */
#define TLBH_RULES_SAFE_BASE						\
	(TLBH_RULE_NESTED_FLUSH | TLBH_RULE_BATCHED_PENDING |		\
	 TLBH_RULE_SOFT_DIRTY_FLUSH | TLBH_RULE_MREMAP_RMAP_LOCK |	\
	 TLBH_RULE_HUGETLB_FLUSH_FIRST | TLBH_RULE_TABLE_FREE_GATHERED |	\
	 TLBH_RULE_BATCH_RANGE_CLEARED)

#define TLBH_RULES_UPSTREAM_6_1						\
	(TLBH_RULES_SAFE_BASE | TLBH_RULE_PFNMAP_END_VMA)

#define TLBH_RULES_UPSTREAM_CURRENT					\
	(TLBH_RULES_SAFE_BASE | TLBH_RULE_PFNMAP_FREE_VMAS |		\
	 TLBH_RULE_VMA_PFN_STICKY | TLBH_RULE_DELAYED_RMAP)

/**
 * struct tlbh_policy - one selectable behaviour
 * @name: short name used by the ioctl layer and in test names
 * @source: commit or thread the rule comes from
 * @doc: the rule the policy changes, in one or two sentences
 * @rules: TLBH_RULE_* bits in force
 * @is_buggy: the policy breaks the safety invariant on purpose
 */
struct tlbh_policy {
	const char *name;
	const char *source;
	const char *doc;
	unsigned long rules;
	bool is_buggy;
};

extern const struct tlbh_policy tlbh_policies[];
extern const unsigned int tlbh_nr_policies;

const struct tlbh_policy *tlbh_policy_find(const char *name);
const struct tlbh_policy *tlbh_policy_default(void);

#endif /* _TLBH_POLICY_H */
