// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_soak_test.c - kselftest: every FIXED variant of every scenario
 * file, soaked.
 *
 * Each variant first runs side by side in the runner's two modes
 * (tlbh_scenario.h, struct sc_opts), TLBH_SOAK_COMPARE iterations each
 * (default 100) in five alternating rounds: the classic one, where the main thread hands out every
 * step and every iteration gets a fresh space, and the fast one, where
 * the worker that did a step hands the next one on and the space is
 * reused where that is proven harmless.  Their iterations per second
 * are reported, and the fast mode must make the classic mode's flushes
 * per iteration exactly (the engine decides them from the steps alone,
 * so a difference means the fast mode changed what the steps see).
 * Then the soak: the fast mode until the variant has made at least
 * TLBH_SOAK_CHECKS checks (default 100000; a check is one page a CHECK
 * step read or wrote), in chunks of at most TLBH_SOAK_CHUNK iterations
 * (default 2000) with a progress line after each; none may be stale and
 * the engine may report no violation.  The soak table at the end has
 * per variant the checks, iterations, stale checks, violations, wall
 * time and the three rates.
 *
 *   tlbh_soak_test [-t FILE.tsv] [NAME | FILE.scn]...
 *
 * Two tests per FIXED variant.  Exits 4 (skip) without /dev/tlbh.  Not
 * among the kselftests make check runs (a soak takes minutes per
 * variant under emulation); make soak runs it in a test guest.
 */
#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "tlbh_lib.h"
#include "tlbh_scenario.h"
#include "kselftest.h"

#define MAX_SOAKED	64

struct soak {
	const struct scenario *sc;
	const struct sc_variant *var;
	unsigned int per_iter;		/* checks one iteration makes */
	/* the side-by-side runs */
	double classic_ips, fast_ips;
	double classic_fpi, fast_fpi;	/* flushes per iteration */
	/* the soak */
	unsigned long long iters, checks, stale, violations, flushes;
	unsigned long long reused, fresh, windows, switched;
	double ms;
	bool error;
	char msg[SC_ERR_MAX + 32];
};

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/* Pages the CHECK steps of one iteration read or write. */
static unsigned int checks_per_iter(const struct scenario *sc)
{
	unsigned int i, n = 0, p;

	for (i = 0; i < sc->nr_steps; i++) {
		const struct sc_step *st = &sc->steps[i];

		if (st->action != SC_CHECK && st->action != SC_CHECK_WRITE)
			continue;
		p = st->len ? st->len / TLBH_PG : 1;
		n += p > SC_MAX_PAGES ? SC_MAX_PAGES : p;
	}
	return n;
}

static void set_fast(bool fast)
{
	struct sc_opts o;

	sc_get_opts(&o);
	o.fast = fast;
	sc_set_opts(&o);
}

/* One run in one mode; false (with @s->msg) when it did not complete. */
static bool run_mode(struct soak *s, bool fast, unsigned int iters,
		     struct sc_result *r)
{
	set_fast(fast);
	sc_run(s->sc, s->var, iters, r);
	sc_print(stdout, r);
	sc_result_free(r);
	if (r->skip || r->error || r->iters != iters) {
		snprintf(s->msg, sizeof(s->msg), "%s mode: %s", fast ? "fast" : "classic",
			 r->msg[0] ? r->msg : "cut short");
		return false;
	}
	return true;
}

/* What the side-by-side runs of one mode add up to. */
struct sums {
	unsigned long long iters, flushes, stale, violations;
	double ms;
};

static void add(struct sums *t, const struct sc_result *r)
{
	t->iters += r->iters;
	t->flushes += r->flushes;
	t->stale += r->stale_checks;
	t->violations += r->violations;
	t->ms += r->ms;
}

/*
 * The two modes side by side: @iters iterations each, in COMPARE_ROUNDS
 * alternating rounds, so that both see the same load of the machine.
 */
#define COMPARE_ROUNDS	5

static void compare(struct soak *s, unsigned int iters)
{
	unsigned int round, n = (iters + COMPARE_ROUNDS - 1) / COMPARE_ROUNDS;
	struct sums c = { 0 }, f = { 0 };
	struct sc_result r;
	bool ok;

	for (round = 0; round < COMPARE_ROUNDS; round++) {
		if (!run_mode(s, false, n, &r))
			break;
		add(&c, &r);
		if (!run_mode(s, true, n, &r))
			break;
		add(&f, &r);
	}
	if (round < COMPARE_ROUNDS) {
		s->error = true;
		ksft_test_result_fail("%s %s: classic and fast side by side: %s\n",
				      s->sc->name, s->var->policy, s->msg);
		return;
	}
	s->classic_ips = c.iters / (c.ms / 1e3);
	s->fast_ips = f.iters / (f.ms / 1e3);
	s->classic_fpi = (double)c.flushes / c.iters;
	s->fast_fpi = (double)f.flushes / f.iters;
	ok = c.flushes == f.flushes && !c.stale && !f.stale && !c.violations &&
	     !f.violations;
	if (!ok)
		ksft_print_msg("%s %s: classic flushes %llu, stale %llu, violations %llu; fast flushes %llu, stale %llu, violations %llu\n",
			       s->sc->name, s->var->policy, c.flushes, c.stale,
			       c.violations, f.flushes, f.stale, f.violations);
	ksft_test_result(ok, "%s %s: fast mode makes the classic mode's %.2f flushes per iteration (%.1f vs %.1f iterations/s)\n",
			 s->sc->name, s->var->policy, s->classic_fpi,
			 s->classic_ips, s->fast_ips);
}

static void soak(struct soak *s, unsigned long target, unsigned int chunk)
{
	unsigned long long need;
	struct sc_result r;
	unsigned int n;
	bool ok;

	if (!s->per_iter) {
		ksft_test_result_fail("%s %s soak: the scenario has no CHECK\n",
				      s->sc->name, s->var->policy);
		return;
	}
	need = (target + s->per_iter - 1) / s->per_iter;
	set_fast(true);
	while (s->iters < need) {
		n = need - s->iters < chunk ? need - s->iters : chunk;
		sc_run(s->sc, s->var, n, &r);
		sc_result_free(&r);
		s->iters += r.iters;
		s->checks += r.checks;
		s->stale += r.stale_checks;
		s->violations += r.violations;
		s->flushes += r.flushes;
		s->reused += r.reused;
		s->fresh += r.fresh;
		s->windows += r.windows;
		s->switched += r.win_switched;
		s->ms += r.ms;
		if (r.skip || r.error || r.iters != n) {
			s->error = true;
			snprintf(s->msg, sizeof(s->msg), "%s", r.msg[0] ? r.msg : "cut short");
			break;
		}
		ksft_print_msg("%s %s: %llu of %llu checks, %llu stale, %llu violations, %.0f s\n",
			       s->sc->name, s->var->policy, s->checks,
			       need * s->per_iter, s->stale, s->violations,
			       s->ms / 1e3);
	}
	ok = !s->error && s->checks >= target && !s->stale && !s->violations;
	if (s->error)
		ksft_print_msg("%s %s soak: %s\n", s->sc->name, s->var->policy, s->msg);
	ksft_test_result(ok, "%s %s soak: %llu checks, %llu stale, %llu violations in %.0f s\n",
			 s->sc->name, s->var->policy, s->checks, s->stale,
			 s->violations, s->ms / 1e3);
}

static void print_table(FILE *f, const struct soak *s, unsigned int n,
			bool tsv)
{
	unsigned int i;

	if (tsv)
		fprintf(f, "scenario\tpolicy\tchecks\titerations\tstale\tviolations\tflushes_per_iteration\tseconds\tclassic_ips\tfast_ips\tsoak_ips\treused\tfresh\twindows\tswitched\n");
	else
		fprintf(f, "# %-17s %-36s %7s %7s %5s %4s %6s %7s %8s %8s %8s\n",
			"scenario", "policy", "checks", "iters", "stale", "viol",
			"fl/it", "s", "old it/s", "new it/s", "soak it/s");
	for (i = 0; i < n; i++) {
		const struct soak *x = &s[i];
		double ips = x->ms > 0 ? x->iters / (x->ms / 1e3) : 0;

		fprintf(f, tsv ?
			"%s\t%s\t%llu\t%llu\t%llu\t%llu\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t%llu\t%llu\t%llu\t%llu\n" :
			"# %-17s %-36s %7llu %7llu %5llu %4llu %6.2f %7.1f %8.1f %8.1f %8.1f\n",
			x->sc->name, x->var->policy, x->checks, x->iters,
			x->stale, x->violations, x->classic_fpi, x->ms / 1e3,
			x->classic_ips, x->fast_ips, ips, x->reused, x->fresh,
			x->windows, x->switched);
	}
}

int main(int argc, char **argv)
{
	static struct soak s[MAX_SOAKED];
	unsigned long target = env_ul("TLBH_SOAK_CHECKS", 100000);
	unsigned int cmp = env_ul("TLBH_SOAK_COMPARE", 100);
	unsigned int chunk = env_ul("TLBH_SOAK_CHUNK", 2000);
	const char *tsv = NULL;
	unsigned int i, v, n = 0;
	char dir[PATH_MAX];
	struct sc_set set;
	int opt;
	FILE *f;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't') {
			fprintf(stderr, "usage: %s [-t FILE.tsv] [NAME | FILE.scn]...\n", argv[0]);
			return 2;
		}
		tsv = optarg;
	}
	ksft_print_header();
	if (access(TLBH_PATH, F_OK))
		ksft_exit_skip("%s is absent: load tlbh.ko first\n", TLBH_PATH);
	if (sc_dir("scenarios", dir, sizeof(dir)) ||
	    sc_load_set(dir, argv + optind, argc - optind, &set))
		ksft_exit_fail_msg("cannot read the scenario directory %s\n", dir);
	for (i = 0; i < set.nr; i++)
		for (v = 0; v < set.sc[i].nr_variants && n < MAX_SOAKED; v++)
			if (set.sc[i].variants[v].expect == SC_FIXED) {
				s[n].sc = &set.sc[i];
				s[n].var = &set.sc[i].variants[v];
				s[n].per_iter = checks_per_iter(&set.sc[i]);
				n++;
			}
	ksft_print_msg("%u fixed variants, %lu checks each, %u iterations side by side\n",
		       n, target, cmp);
	ksft_set_plan(set.nr_bad + 2 * n);
	for (i = 0; i < set.nr_bad; i++)
		ksft_test_result_fail("%s\n", set.bad[i]);
	for (i = 0; i < n; i++) {
		compare(&s[i], cmp);
		soak(&s[i], target, chunk);
	}
	ksft_print_msg("soak table (fl/it: flushes per iteration; old/new it/s: classic/fast side by side; soak it/s: the soak's own rate):\n");
	print_table(stdout, s, n, false);
	if (tsv) {
		f = fopen(tsv, "w");
		if (f) {
			print_table(f, s, n, true);
			fclose(f);
		} else {
			ksft_print_msg("%s: %s\n", tsv, strerror(errno));
		}
	}
	sc_set_free(&set);
	ksft_finished();
}
