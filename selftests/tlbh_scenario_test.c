// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_scenario_test.c - kselftest: every race scenario file under
 * every rule set its expect lines name.
 *
 * The scenarios are read at run time from selftests/scenarios/ next to
 * this binary ($TLBH_SCENARIO_DIR overrides it), so a new scenario is
 * one new file.  The plan is counted from the files: one test per
 * expect line, one per file that does not parse (it fails, with its
 * line number), and two self-checks that a policy or rule name the
 * module does not know is rejected.  A BUGGY rule set must show the
 * race (a stale CHECK, or for the violation scenarios an engine
 * violation) within the file's bounded number of iterations; a FIXED
 * one must show neither over many (TLBH_SCENARIO_ITERS=N overrides that
 * number).  TLBH_SCENARIO_POLICY="rule set" runs every variant under
 * that rule set with the variant's own expectation, to show that each
 * test fails when its guard breaks.
 *
 *   tlbh_scenario_test [NAME | FILE.scn]...
 *
 * Skips (exit 4) when /dev/tlbh is absent; a variant skips when fewer
 * CPUs than roles are online or the module lacks TLBH_FEAT_HOLD for a
 * scenario that holds an operation.  A mistyped policy or rule name
 * fails.
 *
 * One more test checks the miss accounting itself: with readers that
 * sleep in their windows instead of spinning (sc_opts.sleepy_readers),
 * every iteration of luf-munmap under luf-naive must miss, each miss
 * must be put down to the reader having slept, with a tlb_gen bump in
 * its window (LUF bumps it without flushing, and the reader's CPU,
 * back from lazy TLB mode, flushes everything).
 */
#include <limits.h>
#include <stdlib.h>

#include "tlbh_lib.h"
#include "tlbh_scenario.h"
#include "kselftest.h"

/* Rule sets the module must refuse to resolve. */
static const char * const bad_rulesets[] = {
	"upstream-current -no_such_rule",
	"no-such-policy",
};

static void check_rejected(int fd, const char *text)
{
	uint64_t policy, add, drop;
	struct sc_ruleset rs;
	char err[SC_ERR_MAX];

	if (sc_ruleset_parse(text, &rs, err, sizeof(err))) {
		ksft_test_result_fail("rule set '%s' does not parse: %s\n", text, err);
		return;
	}
	if (!sc_resolve_on(fd, &rs, &policy, &add, &drop, err, sizeof(err))) {
		ksft_test_result_fail("rule set '%s' resolved to policy %llu +%#llx -%#llx\n",
				      text, (unsigned long long)policy,
				      (unsigned long long)add,
				      (unsigned long long)drop);
		return;
	}
	ksft_print_msg("'%s': %s\n", text, err);
	ksft_test_result_pass("unknown name rejected: %s\n", text);
}

static void run_variant(const struct scenario *sc, const struct sc_variant *var)
{
	struct sc_result r;

	sc_run(sc, var, 0, &r);
	sc_print(stdout, &r);
	if (sc->note[0])
		ksft_print_msg("%s: %s\n", sc->name, sc->note);
	sc_result_free(&r);
	if (r.skip) {
		ksft_test_result_skip("%s %s: %s\n", sc->name, var->policy, r.msg);
		return;
	}
	if (r.error) {
		ksft_print_msg("%s\n", r.msg);
		ksft_test_result_fail("%s %s\n", sc->name, var->policy);
		return;
	}
	if (var->expect == SC_BUGGY && !sc_events(&r))
		ksft_print_msg("%s under %s: no %s in %u iterations\n", sc->name,
			       r.policy, sc->outcome == SC_OUT_VIOLATION ?
			       "violation" : "stale read", r.iters);
	if (var->expect == SC_FIXED && (r.stale_checks || r.violations))
		ksft_print_msg("%s under %s: %u stale of %u checks, %llu violations\n",
			       sc->name, r.policy, r.stale_checks, r.checks,
			       (unsigned long long)r.violations);
	ksft_test_result(sc_passed(&r), "%s %s\n", sc->name, var->policy);
}

#define SELF_CHECK_SCENARIO	"luf-munmap"
#define SELF_CHECK_POLICY	"luf-naive"
#define SELF_CHECK_ITERS	10

static void check_miss_accounting(const char *dir)
{
	struct sc_opts saved, o;
	struct scenario sc;
	struct sc_result r;
	char path[PATH_MAX], err[SC_ERR_MAX];
	const struct sc_variant *var = NULL;
	unsigned int v;
	bool ok;

	if (snprintf(path, sizeof(path), "%s/%s.scn", dir,
		     SELF_CHECK_SCENARIO) >= (int)sizeof(path))
		path[0] = 0;
	if (sc_load(path, &sc, err, sizeof(err))) {
		ksft_test_result_fail("miss accounting: %s\n", err);
		return;
	}
	for (v = 0; v < sc.nr_variants; v++)
		if (!strcmp(sc.variants[v].policy, SELF_CHECK_POLICY))
			var = &sc.variants[v];
	if (!var) {
		ksft_test_result_fail("miss accounting: %s has no expect line for %s\n",
				      path, SELF_CHECK_POLICY);
		return;
	}
	sc_get_opts(&saved);
	o = saved;
	o.sleepy_readers = true;
	sc_set_opts(&o);
	sc_run(&sc, var, SELF_CHECK_ITERS, &r);
	sc_set_opts(&saved);
	sc_print(stdout, &r);
	sc_result_free(&r);
	ok = !r.skip && !r.error && r.iters == SELF_CHECK_ITERS &&
	     r.misses == r.iters && r.miss[SC_MISS_VOL] == r.misses &&
	     r.miss_gen == r.misses;
	if (!ok)
		ksft_print_msg("readers sleeping in their windows: %u iterations, %u missed, %u put down to a sleep, %u with a tlb_gen bump (all %u expected)%s%s\n",
			       r.iters, r.misses, r.miss[SC_MISS_VOL], r.miss_gen,
			       SELF_CHECK_ITERS, r.skip || r.error ? ": " : "",
			       r.skip || r.error ? r.msg : "");
	if (r.skip)
		ksft_test_result_skip("miss accounting: %s\n", r.msg);
	else
		ksft_test_result(ok, "miss accounting names a reader that slept in its window\n");
}

int main(int argc, char **argv)
{
	unsigned int i, v, plan;
	char dir[PATH_MAX];
	struct sc_set set;
	int fd;

	ksft_print_header();
	if (access(TLBH_PATH, F_OK))
		ksft_exit_skip("%s is absent: load tlbh.ko first\n", TLBH_PATH);
	if (sc_dir("scenarios", dir, sizeof(dir)) ||
	    sc_load_set(dir, argv + 1, argc - 1, &set))
		ksft_exit_fail_msg("cannot read the scenario directory %s\n", dir);
	plan = set.nr_bad + ARRAY_SIZE(bad_rulesets) + 1;
	for (i = 0; i < set.nr; i++)
		plan += set.sc[i].nr_variants;
	ksft_print_msg("%u scenarios from %s\n", set.nr, argc > 1 ? "the command line" : dir);
	ksft_set_plan(plan);

	for (i = 0; i < set.nr_bad; i++)
		ksft_test_result_fail("%s\n", set.bad[i]);
	fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	for (i = 0; i < ARRAY_SIZE(bad_rulesets); i++)
		check_rejected(fd, bad_rulesets[i]);
	if (fd >= 0)
		close(fd);
	check_miss_accounting(dir);
	for (i = 0; i < set.nr; i++)
		for (v = 0; v < set.sc[i].nr_variants; v++)
			run_variant(&set.sc[i], &set.sc[i].variants[v]);
	sc_set_free(&set);
	ksft_finished();
}
