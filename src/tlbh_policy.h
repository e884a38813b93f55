/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_policy.h - named flush policies: upstream behaviour and variants
 *
 * A policy is a set of rule bits.  The engine (tlbh_engine.c) and the
 * operation drivers (tlbh_op.c) consult the bits at the places where
 * the kernel's behaviour changed over time.  Upstream policies carry all
 * the safety rules; each variant clears or adds the one rule its source
 * changed, so two policies differ exactly where history did.
 */
#ifndef _TLBH_POLICY_H
#define _TLBH_POLICY_H

#include <linux/bits.h>
#include <linux/types.h>

#include <uapi/linux/tlbh.h>

/*
 * The rule bits are ABI (TLBH_RULE_* in <uapi/linux/tlbh.h>); their names
 * and one-line docs are tlbh_rules[], indexed by bit number.
 */

/* Rules every upstream release we model has. */
#define TLBH_RULES_SAFE_BASE						\
	(TLBH_RULE_NESTED_FLUSH | TLBH_RULE_BATCHED_PENDING |		\
	 TLBH_RULE_SOFT_DIRTY_FLUSH | TLBH_RULE_MREMAP_RMAP_LOCK |	\
	 TLBH_RULE_TABLE_INVALIDATE | TLBH_RULE_BATCH_RANGE_CLEARED |	\
	 TLBH_RULE_DIRTY_FILE_FLUSH)

/* The releases, as the kernel oracle (make diff) measures them. */
#define TLBH_RULES_UPSTREAM_6_1						\
	(TLBH_RULES_SAFE_BASE | TLBH_RULE_PFNMAP_END_VMA |		\
	 TLBH_RULE_PAGEOUT_AGES_YOUNG)

#define TLBH_RULES_UPSTREAM_6_12					\
	((TLBH_RULES_UPSTREAM_6_1 & ~TLBH_RULE_PAGEOUT_AGES_YOUNG) |	\
	 TLBH_RULE_DELAYED_RMAP | TLBH_RULE_BATCH_PAIR_RESERVE |	\
	 TLBH_RULE_HUGETLB_FLUSH_FIRST | TLBH_RULE_RECLAIM_FREE_BATCH)

#define TLBH_RULES_UPSTREAM_7_2						\
	((TLBH_RULES_UPSTREAM_6_12 & ~TLBH_RULE_PFNMAP_END_VMA) |	\
	 TLBH_RULE_PFNMAP_FREE_VMAS | TLBH_RULE_VMA_PFN_STICKY |	\
	 TLBH_RULE_TABLE_RCU_BATCH | TLBH_RULE_MADV_GATHER_PER_CALL |	\
	 TLBH_RULE_PT_RECLAIM | TLBH_RULE_LAZY_CPUMASK |		\
	 TLBH_RULE_RECLAIM_FLUSH_RANGE)

/**
 * struct tlbh_policy - one selectable behaviour
 * @name: short name used by the ioctl layer and in test names
 * @source: commit or thread the rule comes from
 * @doc: what the policy does and, for a buggy one, how its hazard
 *	happens (Documentation/engine.rst prints it)
 * @rules: TLBH_RULE_* bits in force
 * @is_buggy: the policy breaks the safety invariant on purpose
 * @known: violations (bits of enum tlbh_violation) a policy is known to
 *	show because the release it is built on has that bug; the tests
 *	expect them of it, and of a fixed policy nothing else
 */
struct tlbh_policy {
	const char *name;
	const char *source;
	const char *doc;
	u64 rules;
	bool is_buggy;
	u32 known;
};

/**
 * struct tlbh_rule - what one rule bit means
 * @name: short name (lower case, '_'), used by rule sets in tests
 * @doc: one line: what the engine does when the rule is in force
 */
struct tlbh_rule {
	const char *name;
	const char *doc;
};

extern const struct tlbh_policy tlbh_policies[];
extern const unsigned int tlbh_nr_policies;
extern const struct tlbh_rule tlbh_rules[];
extern const unsigned int tlbh_nr_rules;
/* Every bit that names a rule. */
#define TLBH_RULES_KNOWN	GENMASK_ULL(tlbh_nr_rules - 1, 0)

const struct tlbh_policy *tlbh_policy_find(const char *name);
const struct tlbh_policy *tlbh_policy_default(void);

#endif /* _TLBH_POLICY_H */
