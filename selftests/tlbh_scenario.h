/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_scenario.h - race reproductions as data.
 *
 * A scenario is a small text file (selftests/scenarios/NAME.scn, the
 * format is in Documentation/scenarios.rst) read at run time: roles (A,
 * B, C, ...: one worker thread pinned to one online CPU each, or all on
 * one CPU for the single-CPU forms), the space and its harness VMAs, a
 * list of steps, and per policy or rule set the outcome it must show.
 * A step names a role and an action: prime a TLB entry by reading a
 * page, run one space command, or check what the role's CPU reads
 * against what the page tables map now.  A step flagged may-block
 * stands for a kernel path that would sleep on a lock: when it gets
 * -EBUSY it is retried after every later step until it goes through.
 *
 * tlbh_scenario_file.c parses and writes the format and finds the
 * scenario directory; it needs no device, so the host tools (the
 * explorer, the scenario model check) use it too.  tlbh_scenario.c is
 * the runner on the real MMU: it hands the steps out one at a time and
 * waits for each, so the interleaving is exactly the file's; every
 * iteration runs on a fresh space (open, mmap, rule set, VMAs).  Used by
 * tlbh_scenario_test (kselftest) and tlbh_report (make run).
 */
#ifndef _TLBH_SCENARIO_H
#define _TLBH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/tlbh.h>

#define SC_MAX_ROLES	4
#define SC_MAX_STEPS	32
#define SC_MAX_VARIANTS	8	/* expect lines per scenario */
#define SC_MAX_MODS	8	/* +rule / -rule words per rule set */
#define SC_MAX_PAGES	8	/* pages one READ/CHECK covers */
#define SC_NAME_MAX	64
#define SC_TEXT_MAX	1024
#define SC_ERR_MAX	1024
#define SC_DEFAULT_SPACE	(4ULL << 20)
#define SC_PAGE		4096ULL

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
	SC_ZAP_BATCH,		/* nr ranges of len bytes, stride (to) apart */
	SC_UNMAP,
	SC_RECLAIM,
	SC_RESUME,
	SC_RECLAIM_FLUSH,
	SC_MREMAP,		/* off -> to */
	SC_MPROTECT,
	SC_CLEAR_REFS,
	SC_DRAIN,
	SC_INJECT,		/* the next nr batch-page allocations fail */
	SC_NR_ACTIONS,
};

struct sc_step {
	uint8_t role;
	uint8_t action;
	bool may_block;		/* -EBUSY: blocked on a lock, retry later */
	uint64_t off;		/* byte offset in the data area */
	uint64_t len;		/* bytes (READ/CHECK: 0 means one page) */
	uint64_t flags;		/* the command's flags */
	uint64_t to;		/* MREMAP destination; ZAP_BATCH stride */
	uint32_t nr;		/* ZAP_BATCH ranges */
	unsigned int line;	/* in the file, for messages */
};

enum sc_expect { SC_FIXED, SC_BUGGY };

/* What a scenario observes. */
enum sc_outcome {
	SC_OUT_STALE,		/* stale CHECKs (reads or writes) */
	SC_OUT_VIOLATION,	/* engine violations (TLBH_CNT_VIOLATIONS) */
	SC_OUT_COUNT,		/* nothing must go wrong; flushes are the point */
};

/*
 * A rule set: a named policy, then rules added (+name) or dropped
 * (-name), by their names in tlbh_rules[] (lower case, '_').  Names are
 * looked up where the scenario runs: through TLBH_IOC_POLICY_INFO and
 * TLBH_IOC_RULE_INFO on the real MMU, in the compiled-in tables on the
 * host.  A name that is not found fails the run; it never skips.
 */
struct sc_ruleset {
	char policy[SC_NAME_MAX];
	unsigned int nr_mods;
	struct sc_rule_mod {
		bool add;
		char rule[SC_NAME_MAX];
	} mod[SC_MAX_MODS];
};

/* One expect line: a rule set and what it must show. */
struct sc_variant {
	struct sc_ruleset rs;
	char policy[SC_TEXT_MAX / 4];	/* the rule set as text */
	enum sc_expect expect;
	unsigned int line;
};

struct scenario {
	char name[SC_NAME_MAX];
	char path[SC_TEXT_MAX / 4];	/* the file it came from */
	char doc[SC_TEXT_MAX];		/* one line: the timeline */
	char note[SC_TEXT_MAX];		/* printed after the litmus lines */
	enum sc_outcome outcome;
	unsigned int nr_roles;		/* roles the steps may use */
	bool one_cpu;			/* every role on the same CPU */
	bool needs_hold;		/* uses TLBH_HOLD / RESUME */
	uint64_t space_size;		/* bytes mapped */
	unsigned int nr_vmas;		/* 0: the default single VMA */
	struct tlbh_vma_desc vmas[TLBH_MAX_VMAS];
	unsigned int nr_steps;
	struct sc_step steps[SC_MAX_STEPS];
	unsigned int nr_variants;
	struct sc_variant variants[SC_MAX_VARIANTS];
	unsigned int buggy_iters;	/* bound for BUGGY variants */
	unsigned int fixed_iters;	/* iterations of FIXED variants */
};

/* ------------------------------------------------------------------ */
/* The file format (tlbh_scenario_file.c)                              */

/*
 * Parse @text, the contents of the file @path (used in messages only).
 * Returns 0, or -1 with "path:line: what is wrong" in @err.
 */
int sc_parse(const char *path, const char *text, struct scenario *sc,
	     char *err, size_t errlen);
/* Read and parse the file @path. */
int sc_load(const char *path, struct scenario *sc, char *err, size_t errlen);
/* Write @sc in the file format; lines of @comment go first, as comments. */
int sc_write(FILE *f, const struct scenario *sc, const char *comment);

/* "policy [+rule|-rule]...": 0, or -1 with @err set. */
int sc_ruleset_parse(const char *text, struct sc_ruleset *rs, char *err,
		     size_t errlen);
void sc_ruleset_format(const struct sc_ruleset *rs, char *buf, size_t len);

/* Where names are looked up (the module's ioctls, or the host tables). */
struct sc_names {
	/* 1-based index of the named policy, 0 if there is none */
	uint64_t (*policy)(void *priv, const char *name);
	/* bit number of the rule, -1 if there is none */
	int (*rule)(void *priv, const char *name);
	void *priv;
};

/*
 * Resolve @rs: the policy index and the TLBH_RULE_* bits to add and to
 * drop, as TLBH_IOC_SET_POLICY takes them.  Returns 0, or -1 with the
 * unknown name in @err.
 */
int sc_ruleset_resolve(const struct sc_ruleset *rs, const struct sc_names *n,
		       uint64_t *policy, uint64_t *add, uint64_t *drop,
		       char *err, size_t errlen);

const char *sc_action_name(unsigned int action);
const char *sc_outcome_name(enum sc_outcome outcome);

/*
 * The scenario directory: $TLBH_SCENARIO_DIR if set, else @rel taken
 * from the directory of the running binary (found through
 * /proc/self/exe), so that any checkout works from any working
 * directory: "scenarios" for the selftests.
 */
int sc_dir(const char *rel, char *buf, size_t len);

/* Every NAME.scn of a directory, sorted by name. */
struct sc_set {
	unsigned int nr;
	struct scenario *sc;
	unsigned int nr_bad;
	char (*bad)[SC_ERR_MAX];	/* one message per malformed file */
};

/*
 * Load @dir, or, when @nr_args is not zero, the given files (a path) or
 * scenarios of @dir (a name).  Malformed files and unknown names end up
 * in @set->bad.  Returns -1 (errno set) only when @dir cannot be read.
 */
int sc_load_set(const char *dir, char *const *args, unsigned int nr_args,
		struct sc_set *set);
void sc_set_free(struct sc_set *set);

/* ------------------------------------------------------------------ */
/* The runner on the real MMU (tlbh_scenario.c)                        */

/*
 * How the runner runs, for every later sc_run() (the defaults, a zeroed
 * struct, are the kselftest's: the main thread hands each step out,
 * every iteration on a fresh space, reader windows protected).
 *
 * @fast: the fast mode of the soak: the worker that did a step hands
 *	the next one on itself (one hand-off per change of role instead
 *	of two per step, none at all for a one-CPU scenario), and the
 *	space is reused from one iteration to the next where that cannot
 *	change what the steps see (sc_reuse_ok() in tlbh_scenario.c);
 *	the order of the steps is the file's in both modes, by the same
 *	code.
 * @no_reuse: with @fast, still a fresh space per iteration.
 * @unprotected: the readers' windows run as before this protection
 *	existed (SCHED_OTHER, other tasks free to run on the role CPUs),
 *	to measure what the protection buys.
 * @sleepy_readers: a reader sleeps on its futex in its window instead
 *	of spinning, and sleeps 1 ms more right before its check, so
 *	its CPU goes idle (lazy TLB mode) and back: a context switch in
 *	every window, the self-check of the miss accounting.
 *
 * TLBH_SCENARIO_PROTECT=0 and TLBH_SCENARIO_FAST=1 in the environment
 * set @unprotected and @fast before the first sc_set_opts().
 */
struct sc_opts {
	bool fast;
	bool no_reuse;
	bool unprotected;
	bool sleepy_readers;
};
void sc_set_opts(const struct sc_opts *o);
void sc_get_opts(struct sc_opts *o);

/*
 * Why a BUGGY stale variant's iteration showed nothing although its
 * steps are the race: the first of these that held in a reader window
 * of that iteration (a window runs from a role's priming READ or WRITE
 * to its CHECK).
 */
enum sc_miss {
	SC_MISS_MIGRATED,	/* the reader ran on another CPU at its check */
	SC_MISS_INVOL,		/* it was preempted in its window */
	SC_MISS_VOL,		/* it slept in its window */
	SC_MISS_FLUSHED,	/* a flush handler acted on its CPU meanwhile */
	SC_MISS_NONE,		/* none of these: the entry went without a trace */
	SC_MISS_NR,
};
const char *sc_miss_name(enum sc_miss m);

/* Result of one scenario under one rule set. */
struct sc_result {
	const struct scenario *sc;
	const struct sc_variant *var;
	char policy[SC_TEXT_MAX / 4];	/* run under (TLBH_SCENARIO_POLICY) */
	int skip;			/* not run: reason in msg */
	int error;			/* harness error: reason in msg */
	char msg[SC_ERR_MAX];
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
	double *gaps_ms;		/* every gap (the first: first_ms), nr_gaps */
	unsigned int nr_gaps;
	double ms;			/* wall time of the run */
	uint64_t flushes, ipis, pages, violations;
	/* The readers' windows (every variant) */
	unsigned int windows;		/* windows closed by their CHECK */
	unsigned int win_switched;	/* ... in which the reader was switched out */
	unsigned int win_migrated;	/* ... after which it ran on another CPU */
	/* Iterations of a BUGGY stale variant that showed nothing */
	unsigned int misses;
	unsigned int miss[SC_MISS_NR];	/* by cause */
	unsigned int miss_gen;		/* ... with a tlb_gen bump in the window */
	/* How it ran */
	char protection[160];		/* what protected the windows, or why nothing */
	bool fast;
	unsigned int reused;		/* iterations on a space reused */
	unsigned int fresh;		/* iterations on a fresh space */
};

/* Release what sc_run() allocated in @r (the gaps). */
void sc_result_free(struct sc_result *r);

/* Counts of the observed event for the scenario's outcome. */
unsigned int sc_events(const struct sc_result *r);
/* The expectation holds (BUGGY: events > 0; FIXED: none). */
bool sc_passed(const struct sc_result *r);

/*
 * Run @sc under @var for @iters iterations (0: the file's count for the
 * variant's expectation; the environment variable TLBH_SCENARIO_ITERS
 * overrides the count of FIXED variants).  TLBH_SCENARIO_POLICY=rule set
 * runs every variant under that rule set instead, keeping its
 * expectation: the way to show a test fails when what it guards breaks.
 * Returns 0, or -1 with r->skip or r->error set and r->msg saying why;
 * a policy or rule name the module does not know is an error.
 */
int sc_run(const struct scenario *sc, const struct sc_variant *var,
	   unsigned int iters, struct sc_result *r);

/*
 * Resolve @rs through the module's TLBH_IOC_POLICY_INFO and
 * TLBH_IOC_RULE_INFO on the open device @fd.
 */
int sc_resolve_on(int fd, const struct sc_ruleset *rs, uint64_t *policy,
		  uint64_t *add, uint64_t *drop, char *err, size_t errlen);

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
