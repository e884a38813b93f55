// SPDX-License-Identifier: GPL-2.0
/*
 * scenario_model.c - every scenario file, run in the space model
 *
 * Parses each file of selftests/scenarios/ (or the files named) with the
 * selftests' own parser, looks every rule set up in the compiled-in
 * tables (a mistyped name fails here, before any VM boots), and runs
 * the steps once per expect line in the space model (space_model.c)
 * with the runner's semantics.  The model must agree with the file: a
 * buggy rule set shows the outcome (stale CHECKs, or engine violations
 * for the violation scenarios), a fixed one shows no stale CHECK, no
 * engine violation and breaks none of the model's checks.  One TAP line
 * per expect line and per malformed file.  The model is deterministic,
 * so one run stands for all iterations.
 *
 *   scenario_model [-d DIR] [-v] [NAME | FILE.scn]...
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "space_model.h"

static bool verbose;

/* Run @sc under @v; returns true when the model agrees with the file. */
static bool run_variant(const struct scenario *sc, const struct sc_variant *v,
			unsigned int n)
{
	unsigned int events, i;
	struct sm_setup s;
	char err[SC_ERR_MAX];
	struct sm *w;
	bool ok;

	if (sm_setup_of(sc, &v->rs, SM_CHK_ALL, &s, err, sizeof(err))) {
		printf("not ok %u - %s %s\n#   %s:%u: %s\n", n, sc->name,
		       v->policy, sc->path, v->line, err);
		return false;
	}
	w = sm_new(&s);
	if (!w) {
		printf("not ok %u - %s %s\n#   the model cannot hold this space\n",
		       n, sc->name, v->policy);
		return false;
	}
	if (sm_run(w, sc)) {
		printf("not ok %u - %s %s\n#   %s: %s\n", n, sc->name, v->policy,
		       sc->path, w->msg);
		sm_free(w);
		return false;
	}
	events = sc->outcome == SC_OUT_STALE ? w->stale_checks :
		 sc->outcome == SC_OUT_VIOLATION ? w->engine_reports :
		 w->stale_checks + w->engine_reports;
	if (v->expect == SC_BUGGY)
		ok = events > 0;
	else
		ok = !w->stale_checks && !w->engine_reports && !w->nr_viol;
	printf("%sok %u - %s %s (%s)\n", ok ? "" : "not ", n, sc->name, v->policy,
	       v->expect == SC_BUGGY ? "buggy" : "fixed");
	printf("#   model: stale %u of %u checks, engine violations %llu, flushes %llu, broken checks %u%s\n",
	       w->stale_checks, w->checks_done,
	       (unsigned long long)w->engine_reports,
	       (unsigned long long)w->flushes, w->nr_viol,
	       w->blocked ? ", a step blocked" : "");
	for (i = 0; i < w->nr_viol && i < SM_VIOLATIONS && (verbose || !ok); i++)
		printf("#   step %u: %s: %s\n", w->viol[i].step + 1,
		       sm_check_name(w->viol[i].check), w->viol[i].what);
	sm_free(w);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned int i, v, n = 0, plan, pass = 0, fail = 0;
	const char *dir_opt = NULL;
	char dir[PATH_MAX];
	struct sc_set set;
	int opt;

	while ((opt = getopt(argc, argv, "d:v")) != -1) {
		switch (opt) {
		case 'd':
			dir_opt = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-d DIR] [-v] [NAME | FILE.scn]...\n",
				argv[0]);
			return 2;
		}
	}
	if (dir_opt)
		snprintf(dir, sizeof(dir), "%s", dir_opt);
	else if (sc_dir("../../selftests/scenarios", dir, sizeof(dir)))
		return 2;
	if (sc_load_set(dir, argv + optind, argc - optind, &set)) {
		printf("Bail out! cannot read %s\n", dir);
		return 1;
	}
	plan = set.nr_bad;
	for (i = 0; i < set.nr; i++)
		plan += set.sc[i].nr_variants;
	printf("TAP version 13\n# %u scenarios from %s, run in the space model\n1..%u\n",
	       set.nr, optind < argc ? "the command line" : dir, plan);
	for (i = 0; i < set.nr_bad; i++) {
		printf("not ok %u - malformed scenario file\n#   %s\n", ++n, set.bad[i]);
		fail++;
	}
	for (i = 0; i < set.nr; i++) {
		for (v = 0; v < set.sc[i].nr_variants; v++) {
			if (run_variant(&set.sc[i], &set.sc[i].variants[v], ++n))
				pass++;
			else
				fail++;
		}
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n", pass,
	       fail);
	sc_set_free(&set);
	return fail ? 1 : 0;
}
