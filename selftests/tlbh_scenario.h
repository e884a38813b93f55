/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_scenario.h - race reproductions as data.
 *
 * A scenario is a table of steps.  Each step names a role (A, B, C, ...:
 * one worker thread pinned to one online CPU each, or all on one CPU for
 * the single-CPU forms) and an action: prime a TLB entry by reading a
 * page, run one space command, or check what the role's CPU reads
 * against what the page tables map now.  The runner (tlbh_scenario.c)
 * hands the steps out one at a time and waits for each, so the
 * interleaving is exactly the table's.  A step flagged may_block stands
 * for a kernel path that would sleep on a lock: when it gets -EBUSY it
 * is retried after every later step until it goes through.
 *
 * Every iteration runs on a fresh space (open, mmap, policy, VMAs), so
 * no state leaks from one iteration to the next; its counters are read
 * before the space is closed.  The scenario table (tlbh_scenarios.c)
 * lists, per scenario, the policies to run it under and what each must
 * show: BUGGY ones a stale read (or an engine violation) within a
 * bounded number of iterations, FIXED ones none over many.
 *
 * Used by tlbh_scenario_test (kselftest) and tlbh_report (make run).
 */
#ifndef _TLBH_SCENARIO_H
#define _TLBH_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/tlbh.h>

#define SC_MAX_ROLES	4
#define SC_MAX_STEPS	32
#define SC_MAX_VARIANTS	4
#define SC_MAX_PAGES	8	/* pages one READ/CHECK covers */

enum sc_action {
	SC_END = 0,
	SC_READ,		/* prime: read the first word of each page */
	SC_WRITE,		/* prime a writable entry: write word 64 */
	SC_CHECK,		/* read; stale if it differs from the mapping */
	SC_CHECK_WRITE,		/* write; stale if it went through a read-only PTE */
	SC_POPULATE,
	SC_REMAP,
	SC_FLUSH,
	SC_ZAP,
	SC_ZAP_BATCH,		/* nr ranges of len bytes, stride apart */
	SC_UNMAP,
	SC_RECLAIM,
	SC_RESUME,
	SC_RECLAIM_FLUSH,
	SC_MREMAP,		/* off -> to */
	SC_MPROTECT,
	SC_CLEAR_REFS,
	SC_DRAIN,
};

/* Roles. */
enum { SC_A, SC_B, SC_C, SC_D };

struct sc_step {
	uint8_t role;
	uint8_t action;
	bool may_block;		/* -EBUSY: blocked on a lock, retry later */
	uint64_t off;		/* byte offset in the data area */
	uint64_t len;		/* bytes (READ/CHECK: 0 means one page) */
	uint64_t flags;		/* the command's flags */
	uint64_t to;		/* MREMAP destination; ZAP_BATCH stride */
	uint32_t nr;		/* ZAP_BATCH ranges */
};

enum sc_expect { SC_FIXED, SC_BUGGY };

/* What a scenario observes. */
enum sc_outcome {
	SC_OUT_STALE,		/* stale CHECKs (reads or writes) */
	SC_OUT_VIOLATION,	/* engine violations (TLBH_CNT_VIOLATIONS) */
	SC_OUT_COUNT,		/* nothing must go wrong; flushes are the point */
};

struct sc_variant {
	const char *policy;
	enum sc_expect expect;
};

struct scenario {
	const char *name;
	const char *doc;	/* one line: the timeline */
	const char *note;	/* printed after the litmus lines, or NULL */
	enum sc_outcome outcome;
	unsigned int nr_roles;	/* roles the steps use */
	bool one_cpu;		/* every role on the same CPU */
	bool needs_hold;	/* uses TLBH_HOLD / RESUME */
	uint64_t space_size;	/* bytes mapped; 0: 4 MiB */
	unsigned int nr_vmas;	/* 0: the default single VMA */
	struct tlbh_vma_desc vmas[TLBH_MAX_VMAS];
	struct sc_step steps[SC_MAX_STEPS];
	struct sc_variant variants[SC_MAX_VARIANTS];
	unsigned int buggy_iters;	/* bound for BUGGY variants */
	unsigned int fixed_iters;	/* iterations of FIXED variants */
};

extern const struct scenario tlbh_scenarios[];
extern const unsigned int tlbh_nr_scenarios;

const struct scenario *sc_find(const char *name);

/* Result of one scenario under one policy. */
struct sc_result {
	const struct scenario *sc;
	const struct sc_variant *var;
	const char *policy;		/* run under (TLBH_SCENARIO_POLICY) */
	int skip;			/* not run: reason in msg */
	int error;			/* harness error: reason in msg */
	char msg[256];
	unsigned int iters;
	unsigned int checks;		/* CHECK steps executed (pages) */
	unsigned int stale_iters;	/* iterations with a stale CHECK */
	unsigned int stale_checks;
	unsigned int viol_iters;	/* iterations with a violation */
	unsigned int blocked;		/* steps that got -EBUSY and waited */
	unsigned int first_iter;	/* iteration of the first event, 1-based */
	double first_ms;		/* ... and time since the run started */
	double median_iters;		/* gaps between events */
	double median_ms;
	double ms;			/* wall time of the run */
	uint64_t flushes, ipis, pages, violations;
};

/* Counts of the observed event for the variant's outcome. */
unsigned int sc_events(const struct sc_result *r);
/* The expectation holds (BUGGY: events > 0; FIXED: none). */
bool sc_passed(const struct sc_result *r);

/*
 * Run @sc under @var for @iters iterations (0: the table's count for the
 * variant's expectation; the environment variable TLBH_SCENARIO_ITERS
 * overrides the count of FIXED variants).  TLBH_SCENARIO_POLICY=name
 * runs every variant under that policy instead, keeping its expectation:
 * the way to show a test fails when what it guards breaks.  Returns 0, or -1 with
 * r->skip or r->error set and r->msg saying why.
 */
int sc_run(const struct scenario *sc, const struct sc_variant *var,
	   unsigned int iters, struct sc_result *r);

/* Litmus line, "# scenario ... policy ...: stale K of N, ...". */
void sc_print(FILE *f, const struct sc_result *r);

/* One row of the batching table. */
struct sc_batch_row {
	unsigned int batch;	/* ranges per call; 0: one TLBH_IOC_ZAP each */
	unsigned int ranges;
	uint64_t calls, flushes, ipis, pages;
	double ms;
};

/*
 * Zap @nr_ranges one-page ranges, spread over the data area, with each
 * batch size of @batches (0 = plain ZAP calls), re-populating between
 * rows.  Workers spin on up to three CPUs so flushes need IPIs.
 * Returns the number of rows filled, or -1 with @msg set.
 */
int sc_batching(const unsigned int *batches, unsigned int nr_batches,
		unsigned int nr_ranges, struct sc_batch_row *rows,
		char *msg, size_t msglen);

/* Online CPUs this process may run on. */
int sc_nr_cpus(void);
/* Module features (TLBH_IOC_VERSION), 0 if /dev/tlbh cannot be opened. */
uint64_t sc_features(void);

#endif /* _TLBH_SCENARIO_H */
