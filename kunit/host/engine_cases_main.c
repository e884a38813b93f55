// SPDX-License-Identifier: GPL-2.0
/*
 * engine_cases_main.c - userspace runner of the engine case table
 *
 * Runs every row of tlbh_engine_cases[] through the same executor the
 * KUnit suite uses and prints TAP 13: one line per row, diagnostics for
 * failures, the row count per condition and per policy, and a totals
 * line.  Exits non-zero if any row fails.
 *
 *   engine_cases [-l] [-r NAME]    -l lists rows, -r runs one row
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlbh_engine_cases.h"
#include "tlbh_policy.h"

static void print_counts(void)
{
	unsigned int per_cond[TLBH_COND_NR] = { 0 };
	unsigned int i, j, n;

	for (i = 0; i < tlbh_nr_engine_cases; i++)
		per_cond[tlbh_engine_cases[i].cond]++;
	for (i = 0; i < TLBH_COND_NR; i++)
		printf("# rows for condition %-18s %u\n", tlbh_cond_names[i],
		       per_cond[i]);
	for (i = 0; i < tlbh_nr_policies; i++) {
		for (n = 0, j = 0; j < tlbh_nr_engine_cases; j++)
			n += !strcmp(tlbh_engine_cases[j].policy,
				     tlbh_policies[i].name);
		printf("# rows for policy %-28s %u%s\n", tlbh_policies[i].name,
		       n, tlbh_policies[i].is_buggy ? " (buggy)" : "");
	}
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	char msg[TLBH_CASE_MSG_LEN];
	unsigned int i, pass = 0, fail = 0, n = 0;

	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < tlbh_nr_engine_cases; i++)
			printf("%s\n", tlbh_engine_cases[i].name);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "-r"))
		only = argv[2];

	printf("TAP version 13\n");
	if (!only)
		printf("1..%u\n", tlbh_nr_engine_cases);
	for (i = 0; i < tlbh_nr_engine_cases; i++) {
		const struct tlbh_case *c = &tlbh_engine_cases[i];

		if (only && strcmp(only, c->name))
			continue;
		n++;
		if (tlbh_case_run(c, msg, sizeof(msg))) {
			printf("ok %u - %s\n", n, c->name);
			pass++;
		} else {
			printf("not ok %u - %s\n", n, c->name);
			printf("# [%s, %s] %s\n", tlbh_cond_names[c->cond],
			       c->policy, msg);
			fail++;
		}
	}
	if (only)
		printf("1..%u\n", n);
	if (!only)
		print_counts();
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail);
	return fail ? 1 : 0;
}
