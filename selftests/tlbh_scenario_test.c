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
	plan = set.nr_bad + ARRAY_SIZE(bad_rulesets);
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
	for (i = 0; i < set.nr; i++)
		for (v = 0; v < set.sc[i].nr_variants; v++)
			run_variant(&set.sc[i], &set.sc[i].variants[v]);
	sc_set_free(&set);
	ksft_finished();
}
