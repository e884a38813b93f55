// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_scenario_test.c - kselftest: every race of the scenario table
 * (tlbh_scenarios.c) under every policy the table lists for it.
 *
 * One fixture per scenario, one variant per policy; the variant names a
 * policy of the scenario's table entry, and one shared body runs it
 * through the runner (tlbh_scenario.c) and prints its litmus line.  A
 * BUGGY policy must show the race (a stale CHECK, or for the violation
 * scenarios an engine violation) within the table's bounded number of
 * iterations; a FIXED one must show neither over many iterations
 * (TLBH_SCENARIO_ITERS=N overrides that number).  TLBH_SCENARIO_POLICY=
 * name runs every variant under that policy with the variant's own
 * expectation, to show that each test fails when its guard breaks.
 *
 * Skips (exit 4) when /dev/tlbh is absent; a variant skips when fewer
 * CPUs than roles are online, its policy is unknown, or the module
 * lacks TLBH_FEAT_HOLD for a scenario that holds an operation.
 */
#include "tlbh_lib.h"
#include "tlbh_scenario.h"
#include "kselftest_harness.h"

static const struct sc_variant *find_variant(const struct scenario *sc,
					     const char *policy)
{
	unsigned int i;

	for (i = 0; i < SC_MAX_VARIANTS && sc->variants[i].policy; i++)
		if (!strcmp(sc->variants[i].policy, policy))
			return &sc->variants[i];
	return NULL;
}

static void run_variant(struct __test_metadata *_metadata,
			const char *name, const char *policy)
{
	const struct scenario *sc = sc_find(name);
	const struct sc_variant *var;
	struct sc_result r;

	ASSERT_NE(sc, NULL) TH_LOG("no scenario %s in the table", name);
	var = find_variant(sc, policy);
	ASSERT_NE(var, NULL) TH_LOG("%s: no policy %s in the table", name, policy);
	sc_run(sc, var, 0, &r);
	sc_print(stdout, &r);
	if (r.skip)
		SKIP(return, "%s", r.msg);
	ASSERT_EQ(r.error, 0) TH_LOG("%s", r.msg);
	if (var->expect == SC_BUGGY) {
		EXPECT_GT(sc_events(&r), 0)
			TH_LOG("%s under %s: no %s in %u iterations", name, r.policy,
			       sc->outcome == SC_OUT_VIOLATION ? "violation" :
			       "stale read", r.iters);
	} else {
		EXPECT_EQ(r.stale_checks, 0)
			TH_LOG("%s under %s: %u stale of %u checks", name,
			       r.policy, r.stale_checks, r.checks);
		EXPECT_EQ(r.violations, 0)
			TH_LOG("%s under %s: %llu violations", name, r.policy,
			       (unsigned long long)r.violations);
	}
	if (sc->note)
		printf("# %s: %s\n", name, sc->note);
}

/* A fixture per scenario; its variants name policies of the table. */
#define SCENARIO(fix, name)						\
	FIXTURE(fix) { int unused; };					\
	FIXTURE_VARIANT(fix) { const char *policy; };			\
	FIXTURE_SETUP(fix) { }						\
	FIXTURE_TEARDOWN(fix) { }					\
	TEST_F_TIMEOUT(fix, race, 300)					\
	{								\
		run_variant(_metadata, name, variant->policy);		\
	}

#define POLICY(fix, id, pol)						\
	FIXTURE_VARIANT_ADD(fix, id) { .policy = pol }

SCENARIO(luf_munmap, "luf-munmap");
POLICY(luf_munmap, upstream_current, "upstream-current");
POLICY(luf_munmap, luf_naive, "luf-naive");
POLICY(luf_munmap, luf_vma_flag, "luf-vma-flag");

SCENARIO(luf_munmap_1cpu, "luf-munmap-1cpu");
POLICY(luf_munmap_1cpu, upstream_current, "upstream-current");
POLICY(luf_munmap_1cpu, luf_naive, "luf-naive");
POLICY(luf_munmap_1cpu, luf_vma_flag, "luf-vma-flag");

SCENARIO(pfnmap_munmap, "pfnmap-munmap");
POLICY(pfnmap_munmap, pfnmap_no_flush, "pfnmap-no-flush");
POLICY(pfnmap_munmap, pfnmap_end_vma, "pfnmap-end-vma");
POLICY(pfnmap_munmap, pfnmap_free_pgtables_loop, "pfnmap-free-pgtables-loop");
POLICY(pfnmap_munmap, upstream_current, "upstream-current");

SCENARIO(pfnmap_dontneed, "pfnmap-dontneed");
POLICY(pfnmap_dontneed, pfnmap_end_vma, "pfnmap-end-vma");
POLICY(pfnmap_dontneed, pfnmap_free_pgtables_loop, "pfnmap-free-pgtables-loop");
POLICY(pfnmap_dontneed, upstream_current, "upstream-current");

SCENARIO(hugetlb_order, "hugetlb-order");
POLICY(hugetlb_order, hugetlb_flush_after_zap_end, "hugetlb-flush-after-zap-end");
POLICY(hugetlb_order, upstream_current, "upstream-current");

SCENARIO(mremap_pmd, "mremap-pmd");
POLICY(mremap_pmd, mremap_pmd_no_rmap_lock, "mremap-pmd-no-rmap-lock");
POLICY(mremap_pmd, upstream_current, "upstream-current");

SCENARIO(table_free, "table-free");
POLICY(table_free, table_free_no_flush, "table-free-no-flush");
POLICY(table_free, upstream_current, "upstream-current");

SCENARIO(nested_madv, "nested-madv");
POLICY(nested_madv, nested_no_flush, "nested-no-flush");
POLICY(nested_madv, upstream_current, "upstream-current");

SCENARIO(mprotect_batched, "mprotect-batched");
POLICY(mprotect_batched, reclaim_no_batched_pending, "reclaim-no-batched-pending");
POLICY(mprotect_batched, upstream_current, "upstream-current");

SCENARIO(batch_range_lost, "batch-range-lost");
POLICY(batch_range_lost, batch_range_lost, "batch-range-lost");
POLICY(batch_range_lost, upstream_current, "upstream-current");

SCENARIO(soft_dirty, "soft-dirty");
POLICY(soft_dirty, soft_dirty_no_flush, "soft-dirty-no-flush");
POLICY(soft_dirty, upstream_current, "upstream-current");

int main(int argc, char **argv)
{
	if (access(TLBH_PATH, F_OK)) {
		ksft_print_header();
		ksft_exit_skip("%s is absent: load tlbh.ko first\n", TLBH_PATH);
	}
	return test_harness_run(argc, argv);
}
