// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_report.c - the scenario report of `make run`: every scenario
 * file (selftests/scenarios/, or $TLBH_SCENARIO_DIR) under every rule
 * set it expects something of, then the batching table (one
 * TLBH_IOC_ZAP per range vs TLBH_IOC_ZAP_BATCH), printed as a table and
 * written as JSON and TSV.
 *
 *   tlbh_report [-n ITERS | -N ITERS] [-B] [-F] [-U] [-Z] [-s] [-j FILE.json]
 *               [-t FILE.tsv] [NAME | FILE.scn]...
 *   tlbh_report -C DIR [-n ITERS]
 *
 * -n caps the iterations of every variant (default: the files' counts,
 * halved for FIXED variants to keep the report short under emulation);
 * -N runs exactly ITERS iterations of every variant, BUGGY ones too
 * (a stale rate is measured over them).  -B runs the BUGGY variants
 * only, -s leaves the batching sweep out, -F uses the runner's fast
 * mode, -U runs the readers' windows unprotected, -Z makes the readers
 * sleep in their windows instead of spinning (sc_opts).  After the
 * scenario table comes the table of the BUGGY stale variants' misses:
 * iterations that showed nothing, by cause (tlbh_scenario.h).
 * Exits 0 when every variant met its expectation, 1 otherwise, 4 when
 * /dev/tlbh is absent.  Not a kselftest (no _test suffix): the scenario
 * kselftest is tlbh_scenario_test.
 *
 * -C is the real-MMU half of the rule coverage matrix: DIR is what `make
 * coverage` wrote on the host (matrix.tsv, and a scenario file per rule
 * whose removal the explorer caught).  For each rule dropped alone it
 * runs every hand-written scenario under that rule set (3 iterations
 * each; one that shows its outcome under the policy itself is not
 * credited) and the explorer's file (its own count), and prints the matrix
 * with both halves.  Exits 1 when a file of the explorer does not show
 * on the real MMU what the model predicted.
 */
#include <limits.h>
#include <stdlib.h>

#include "tlbh_lib.h"
#include "tlbh_scenario.h"

#define MAX_RESULTS	128

static const unsigned int batch_sizes[] = {
	0, 1, 2, 4, 16, 64, 128, 512, 1024,
};
#define NR_BATCHES	(sizeof(batch_sizes) / sizeof(batch_sizes[0]))
#define BATCH_RANGES	1024

static const char *outcome_name(const struct sc_result *r)
{
	switch (r->sc->outcome) {
	case SC_OUT_STALE:
		return "stale";
	case SC_OUT_VIOLATION:
		return "violation";
	default:
		return "count";
	}
}

static const char *verdict(const struct sc_result *r)
{
	if (r->skip)
		return "SKIP";
	if (r->error)
		return "ERROR";
	return sc_passed(r) ? "ok" : "FAIL";
}

static void print_table(const struct sc_result *res, unsigned int n)
{
	unsigned int i;

	printf("%-17s %-36s %-5s %-9s %11s %8s %9s %7s %6s %6s %5s %-5s\n",
	       "scenario", "policy", "exp", "outcome", "K of N", "med.it",
	       "med.ms", "flushes", "ipis", "pages", "viol", "");
	for (i = 0; i < n; i++) {
		const struct sc_result *r = &res[i];
		char kn[32];

		snprintf(kn, sizeof(kn), "%u/%u", sc_events(r), r->iters);
		printf("%-17s %-36s %-5s %-9s %11s ", r->sc->name,
		       r->var->policy,
		       r->var->expect == SC_BUGGY ? "buggy" : "fixed",
		       outcome_name(r), r->skip ? "-" : kn);
		if (sc_events(r))
			printf("%8.1f %9.2f ", r->median_iters, r->median_ms);
		else
			printf("%8s %9s ", "-", "-");
		printf("%7llu %6llu %6llu %5llu %-5s\n",
		       (unsigned long long)r->flushes,
		       (unsigned long long)r->ipis,
		       (unsigned long long)r->pages,
		       (unsigned long long)r->violations, verdict(r));
	}
}

static void print_misses(const struct sc_result *res, unsigned int n)
{
	unsigned int i, m;

	printf("%-17s %-36s %9s %6s", "scenario", "policy", "K of N", "missed");
	for (m = 0; m < SC_MISS_NR; m++)
		printf(" %9.9s", sc_miss_name(m));
	printf(" %8s %8s %8s\n", "tlb_gen", "windows", "switched");
	for (i = 0; i < n; i++) {
		const struct sc_result *r = &res[i];
		char kn[32];

		if (r->var->expect != SC_BUGGY || r->sc->outcome != SC_OUT_STALE ||
		    r->skip)
			continue;
		snprintf(kn, sizeof(kn), "%u/%u", sc_events(r), r->iters);
		printf("%-17s %-36s %9s %6u", r->sc->name, r->var->policy, kn,
		       r->misses);
		for (m = 0; m < SC_MISS_NR; m++)
			printf(" %9u", r->miss[m]);
		printf(" %8u %8u %8u\n", r->miss_gen, r->windows,
		       r->win_switched);
	}
}

static void print_batches(const struct sc_batch_row *rows, unsigned int n)
{
	unsigned int i;

	printf("%-14s %7s %6s %8s %7s %9s %9s\n", "zap", "ranges", "calls",
	       "flushes", "ipis", "pages", "ms");
	for (i = 0; i < n; i++) {
		char name[32];

		if (rows[i].batch)
			snprintf(name, sizeof(name), "batch %u", rows[i].batch);
		else
			snprintf(name, sizeof(name), "one per call");
		printf("%-14s %7u %6llu %8llu %7llu %9llu %9.1f\n", name,
		       rows[i].ranges, (unsigned long long)rows[i].calls,
		       (unsigned long long)rows[i].flushes,
		       (unsigned long long)rows[i].ipis,
		       (unsigned long long)rows[i].pages, rows[i].ms);
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_json(const char *path, const struct sc_result *res,
		       unsigned int n, const struct sc_batch_row *rows,
		       int nrows)
{
	FILE *f = fopen(path, "w");
	unsigned int i, m;

	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "{\n  \"scenarios\": [\n");
	for (i = 0; i < n; i++) {
		const struct sc_result *r = &res[i];

		fprintf(f, "    {\"scenario\": ");
		json_str(f, r->sc->name);
		fprintf(f, ", \"policy\": ");
		json_str(f, r->var->policy);
		fprintf(f, ", \"expected\": \"%s\", \"outcome\": \"%s\", \"verdict\": \"%s\", ",
			r->var->expect == SC_BUGGY ? "buggy" : "fixed",
			outcome_name(r), verdict(r));
		fprintf(f, "\"events\": %u, \"iterations\": %u, \"checks\": %u, \"stale_checks\": %u, ",
			sc_events(r), r->iters, r->checks, r->stale_checks);
		fprintf(f, "\"first_iteration\": %u, \"first_ms\": %.3f, \"median_iterations\": %.1f, \"median_ms\": %.3f, ",
			r->first_iter, r->first_ms, r->median_iters,
			r->median_ms);
		fprintf(f, "\"flushes\": %llu, \"ipis\": %llu, \"pages_invalidated\": %llu, \"violations\": %llu, \"blocked\": %u, \"ms\": %.1f, \"message\": ",
			(unsigned long long)r->flushes,
			(unsigned long long)r->ipis,
			(unsigned long long)r->pages,
			(unsigned long long)r->violations, r->blocked, r->ms);
		json_str(f, r->skip || r->error ? r->msg : "");
		fprintf(f, ", \"windows\": %u, \"windows_switched\": %u, \"windows_migrated\": %u, \"misses\": %u, \"miss\": {",
			r->windows, r->win_switched, r->win_migrated, r->misses);
		for (m = 0; m < SC_MISS_NR; m++) {
			fprintf(f, "%s", m ? ", " : "");
			json_str(f, sc_miss_name(m));
			fprintf(f, ": %u", r->miss[m]);
		}
		fprintf(f, "}, \"misses_tlb_gen\": %u, \"protection\": ", r->miss_gen);
		json_str(f, r->protection);
		fprintf(f, ", \"fast\": %s, \"reused\": %u, \"fresh\": %u, \"gaps_ms\": [",
			r->fast ? "true" : "false", r->reused, r->fresh);
		for (m = 0; m < r->nr_gaps; m++)
			fprintf(f, "%s%.3f", m ? ", " : "", r->gaps_ms[m]);
		fprintf(f, "]}%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "  ],\n  \"batching\": [\n");
	for (i = 0; nrows > 0 && i < (unsigned int)nrows; i++)
		fprintf(f, "    {\"batch\": %u, \"ranges\": %u, \"calls\": %llu, \"flushes\": %llu, \"ipis\": %llu, \"pages_invalidated\": %llu, \"ms\": %.1f}%s\n",
			rows[i].batch, rows[i].ranges,
			(unsigned long long)rows[i].calls,
			(unsigned long long)rows[i].flushes,
			(unsigned long long)rows[i].ipis,
			(unsigned long long)rows[i].pages, rows[i].ms,
			i + 1 < (unsigned int)nrows ? "," : "");
	fprintf(f, "  ]\n}\n");
	fclose(f);
}

static void write_tsv(const char *path, const struct sc_result *res,
		      unsigned int n, const struct sc_batch_row *rows,
		      int nrows)
{
	FILE *f = fopen(path, "w");
	unsigned int i, m;

	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "scenario\tpolicy\texpected\toutcome\tverdict\tevents\titerations\tfirst_iteration\tfirst_ms\tmedian_iterations\tmedian_ms\tflushes\tipis\tpages_invalidated\tviolations\tblocked\twindows\twindows_switched\tmisses");
	for (m = 0; m < SC_MISS_NR; m++)
		fprintf(f, "\tmiss_%s", sc_miss_name(m));
	fprintf(f, "\tmisses_tlb_gen\n");
	for (i = 0; i < n; i++) {
		const struct sc_result *r = &res[i];

		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%u\t%u\t%u\t%.3f\t%.1f\t%.3f\t%llu\t%llu\t%llu\t%llu\t%u\t%u\t%u\t%u",
			r->sc->name, r->var->policy,
			r->var->expect == SC_BUGGY ? "buggy" : "fixed",
			outcome_name(r), verdict(r), sc_events(r), r->iters,
			r->first_iter, r->first_ms, r->median_iters,
			r->median_ms, (unsigned long long)r->flushes,
			(unsigned long long)r->ipis,
			(unsigned long long)r->pages,
			(unsigned long long)r->violations, r->blocked,
			r->windows, r->win_switched, r->misses);
		for (m = 0; m < SC_MISS_NR; m++)
			fprintf(f, "\t%u", r->miss[m]);
		fprintf(f, "\t%u\n", r->miss_gen);
	}
	fprintf(f, "\nbatch\tranges\tcalls\tflushes\tipis\tpages_invalidated\tms\n");
	for (i = 0; nrows > 0 && i < (unsigned int)nrows; i++)
		fprintf(f, "%u\t%u\t%llu\t%llu\t%llu\t%llu\t%.1f\n",
			rows[i].batch, rows[i].ranges,
			(unsigned long long)rows[i].calls,
			(unsigned long long)rows[i].flushes,
			(unsigned long long)rows[i].ipis,
			(unsigned long long)rows[i].pages, rows[i].ms);
	fclose(f);
}

/* ------------------------------------------------------------------ */
/* Rule coverage on the real MMU                                       */

#define COV_HANDWRITTEN_ITERS	3

/* Split a TSV line in place; returns the number of fields. */
static unsigned int tsv_split(char *line, char **f, unsigned int max)
{
	unsigned int n = 0;
	char *p = line;

	line[strcspn(line, "\n")] = 0;
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = 0;
	}
	return n;
}

/* Does @sc show its outcome under @text on this machine? */
static bool shows(const struct scenario *sc, const char *text,
		  unsigned int iters, struct sc_result *r)
{
	struct sc_variant v;
	char err[SC_ERR_MAX];

	memset(&v, 0, sizeof(v));
	if (sc_ruleset_parse(text, &v.rs, err, sizeof(err)))
		return false;
	snprintf(v.policy, sizeof(v.policy), "%s", text);
	v.expect = SC_BUGGY;
	sc_run(sc, &v, iters, r);
	sc_print(stdout, r);
	sc_result_free(r);
	return !r->skip && !r->error && sc_events(r);
}

/*
 * Does @sc show its outcome under the base policy @base itself?  Then
 * it is not credited with catching a rule dropped from @base: what it
 * shows is the base's own hazard (upstream-6.1's hugetlb order), as
 * the host half of the matrix does in the model.  Asked once per base.
 */
#define COV_MAX_BASES	8
#define COV_MAX_FILES	256

static bool base_shows(const char *base, const struct sc_set *set,
		       unsigned int i)
{
	static char names[COV_MAX_BASES][64];
	static signed char known[COV_MAX_BASES][COV_MAX_FILES];
	static unsigned int nr;
	const struct scenario *sc = &set->sc[i];
	struct sc_result r;
	unsigned int b, iters;

	iters = sc->buggy_iters < COV_HANDWRITTEN_ITERS ?
		sc->buggy_iters : COV_HANDWRITTEN_ITERS;
	for (b = 0; b < nr; b++)
		if (!strcmp(names[b], base))
			break;
	if (b == nr && nr < COV_MAX_BASES)
		snprintf(names[nr++], sizeof(names[0]), "%s", base);
	if (b == COV_MAX_BASES || i >= COV_MAX_FILES)	/* not cached */
		return shows(sc, base, iters, &r);
	if (!known[b][i])
		known[b][i] = shows(sc, base, iters, &r) ? 1 : -1;
	return known[b][i] > 0;
}

static int coverage(const char *covdir, const struct sc_set *set,
		    unsigned int cap)
{
	char path[PATH_MAX], line[2048], *f[12], text[256], caught[512];
	char replay[SC_ERR_MAX + 64];
	unsigned int n, i, rows = 0, differs = 0, iters;
	struct scenario gen;
	struct sc_result r;
	char err[SC_ERR_MAX];
	FILE *in;

	snprintf(path, sizeof(path), "%s/matrix.tsv", covdir);
	in = fopen(path, "r");
	if (!in) {
		printf("no %s: run make coverage on the host first\n", path);
		return 1;
	}
	printf("Rule coverage: each rule of each upstream policy dropped alone.  Host: the explorer's find in the model (CPU s, steps, how it is seen); real MMU: the hand-written scenarios that show it (%u iterations each) and the explorer's file replayed (K of N).\n",
	       COV_HANDWRITTEN_ITERS);
	printf("%-17s %-20s %-5s %6s %4s %-10s %-32s %-32s %s\n", "policy", "rule dropped",
	       "found", "cpu s", "len", "seen as", "hand-written (model)",
	       "hand-written (real MMU)", "replay K of N");
	while (fgets(line, sizeof(line), in)) {
		n = tsv_split(line, f, 12);
		if (n < 10 || !strcmp(f[0], "policy"))
			continue;
		snprintf(text, sizeof(text), "%s -%s", f[0], f[1]);
		caught[0] = 0;
		for (i = 0; i < set->nr; i++) {
			const struct scenario *sc = &set->sc[i];
			size_t len = strlen(caught);

			if (sc->outcome == SC_OUT_COUNT)
				continue;
			iters = sc->buggy_iters < COV_HANDWRITTEN_ITERS ?
				sc->buggy_iters : COV_HANDWRITTEN_ITERS;
			if (shows(sc, text, iters, &r) && !base_shows(f[0], set, i))
				snprintf(caught + len, sizeof(caught) - len, "%s%s",
					 len ? "," : "", sc->name);
		}
		snprintf(replay, sizeof(replay), "-");
		if (strcmp(f[9], "-") && !sc_load(f[9], &gen, err, sizeof(err))) {
			iters = gen.buggy_iters;
			if (cap && iters > cap)
				iters = cap;
			if (shows(&gen, gen.variants[0].policy, iters, &r)) {
				snprintf(replay, sizeof(replay), "%s %u/%u",
					 sc_outcome_name(gen.outcome), sc_events(&r),
					 r.iters);
			} else {
				snprintf(replay, sizeof(replay), "%s 0/%u DIFFERS from the model%s%s",
					 sc_outcome_name(gen.outcome), r.iters,
					 r.error ? ": " : "", r.error ? r.msg : "");
				differs++;
			}
		} else if (strcmp(f[9], "-")) {
			snprintf(replay, sizeof(replay), "%s", err);
			differs++;
		}
		/* the litmus lines of the runs came first, as '#' lines */
		printf("%-17s %-20s %-5s %6s %4s %-10s %-32s %-32s %s\n", f[0], f[1],
		       f[2], f[3], strcmp(f[2], "yes") ? "-" : f[4], f[6], f[8],
		       caught[0] ? caught : "-", replay);
		fflush(stdout);
		rows++;
	}
	fclose(in);
	printf("%u rules; %u explorer files differ on the real MMU from the model\n",
	       rows, differs);
	return differs ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct sc_result res[MAX_RESULTS];
	struct sc_batch_row rows[NR_BATCHES];
	const char *json = NULL, *tsv = NULL, *covdir = NULL;
	unsigned int cap = 0, exact = 0, n = 0, i, v, failed = 0, skipped = 0;
	bool buggy_only = false, batching = true;
	struct sc_opts o;
	char msg[256] = "", dir[PATH_MAX];
	struct sc_set set;
	int opt, nrows;

	sc_get_opts(&o);
	while ((opt = getopt(argc, argv, "n:N:j:t:C:BFUZs")) != -1) {
		switch (opt) {
		case 'N':
			exact = strtoul(optarg, NULL, 0);
			break;
		case 'B':
			buggy_only = true;
			break;
		case 'F':
			o.fast = true;
			break;
		case 'U':
			o.unprotected = true;
			break;
		case 'Z':
			o.sleepy_readers = true;
			break;
		case 's':
			batching = false;
			break;
		case 'C':
			covdir = optarg;
			break;
		case 'n':
			cap = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			json = optarg;
			break;
		case 't':
			tsv = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-n ITERS | -N ITERS] [-B] [-F] [-U] [-Z] [-s] [-j FILE.json] [-t FILE.tsv] [SCENARIO...]\n"
				"       %s -C DIR [-n ITERS]\n", argv[0], argv[0]);
			return 2;
		}
	}
	sc_set_opts(&o);
	if (access(TLBH_PATH, F_OK)) {
		printf("%s is absent: load tlbh.ko first\n", TLBH_PATH);
		return 4;
	}
	if (sc_dir("scenarios", dir, sizeof(dir)) ||
	    sc_load_set(dir, argv + optind, argc - optind, &set)) {
		printf("cannot read the scenario directory %s\n", dir);
		return 1;
	}
	for (i = 0; i < set.nr_bad; i++)
		printf("# malformed: %s\n", set.bad[i]);
	if (covdir)
		return coverage(covdir, &set, cap) || set.nr_bad;
	for (i = 0; i < set.nr; i++) {
		const struct scenario *sc = &set.sc[i];

		for (v = 0; v < sc->nr_variants && n < MAX_RESULTS; v++) {
			const struct sc_variant *var = &sc->variants[v];
			unsigned int iters = var->expect == SC_BUGGY ?
					     sc->buggy_iters :
					     (sc->fixed_iters + 1) / 2;

			if (cap && iters > cap)
				iters = cap;
			if (exact)
				iters = exact;
			if (buggy_only && var->expect != SC_BUGGY)
				continue;
			sc_run(sc, var, iters, &res[n]);
			sc_print(stdout, &res[n]);
			failed += !res[n].skip && !sc_passed(&res[n]);
			skipped += res[n].skip;
			n++;
		}
		if (sc->note[0])
			printf("# %s: %s\n", sc->name, sc->note);
	}
	nrows = batching ? sc_batching(batch_sizes, NR_BATCHES, BATCH_RANGES,
				       rows, msg, sizeof(msg)) : 0;
	printf("\nScenarios (K of N: iterations that showed the outcome; med.it/med.ms: median iterations and ms between two such iterations):\n");
	print_table(res, n);
	printf("\nMisses of the buggy stale variants (iterations that showed nothing, by the first cause seen in a reader's window: %s; tlb_gen: of them, with a tlb_gen bump in the window; windows: reader windows, switched: in which the reader was switched out):\n",
	       n ? res[0].protection : "-");
	print_misses(res, n);
	if (batching) {
		printf("\nBatching: %u one-page ranges zapped, one ZAP per range vs ZAP_BATCH:\n",
		       BATCH_RANGES);
		if (nrows < 0)
			printf("  failed: %s\n", msg);
		else
			print_batches(rows, nrows);
	}
	if (json)
		write_json(json, res, n, rows, nrows);
	if (tsv)
		write_tsv(tsv, res, n, rows, nrows);
	printf("\n%u of %u scenario variants met their expectation, %u failed, %u skipped",
	       n - failed - skipped, n, failed, skipped);
	if (set.nr_bad)
		printf("; %u malformed scenario files", set.nr_bad);
	printf("\n");
	return failed || set.nr_bad || nrows < 0 ? 1 : 0;
}
