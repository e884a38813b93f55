// SPDX-License-Identifier: GPL-2.0
/*
 * explore.c - "Could you give a scenario?": find the stale-TLB race of a
 * rule set, shrink it, write it as a scenario file.
 *
 * A program is a sequence of scenario steps (space commands and user
 * reads and writes, each on a role's CPU) run in the space model
 * (space_model.c): the module's engine and op drivers, the space
 * commands, and the reference TLB model as the judge of what the kernel
 * promises.  The explorer searches programs on up to three CPUs (a
 * reader and the threads doing the commands, the main thread's CPU in
 * the mm as the runner has it) over a few harness layouts, for one that
 * breaks a promise:
 *
 *  1. bounded exhaustive search, by iterative deepening on the length,
 *     over every layout; states reached twice (canonical hash) and
 *     steps that change nothing are not expanded again;
 *  2. then random programs, until the budget is spent;
 *  3. what it finds is shrunk (delta debugging over the steps, windows
 *     of one to three steps, reads moved earlier, needless holds
 *     dropped, simpler arguments) to a program no step of which can go;
 *  4. and written as a scenario file the real runner executes: roles
 *     named as a person would, a CHECK on the CPU that keeps the stale
 *     entry, may-block where a step can wait for a lock, and the
 *     outcome the model predicts under the rule set and under the
 *     reference policy it is a change of.
 *
 * Kernel locking is respected: no munmap, mprotect, mremap, clear_refs
 * while a madvise or munmap is held (they need the mmap lock for
 * writing), no munmap or PTE mremap while a held reclaim owns the rmap
 * lock, no fault (POPULATE) while a munmap is held or into a hugetlb VMA
 * whose lock is taken.
 *
 *   explore -p POLICY [-a RULE,..] [-d RULE,..] [-b SECONDS]
 *           [-o FILE | -O OUTDIR] [-D DIR] [-c CHECKS] [-E] [-s SEED]
 *           [-L LEN] [-q]
 *   explore -C [-b SECONDS] [-D DIR] [-O OUTDIR]      the coverage matrix
 *
 * The scenario goes to FILE, or to OUTDIR/explore-RULESET.scn, and to
 * standard output; -D is the directory of the hand-written scenarios
 * (default: selftests/scenarios of this tree).  -b is the budget in CPU
 * seconds (default 10); -c selects the model's checks (gone, wp, free,
 * table, hugetlb; stale for the first three; all; none); -E also accepts
 * the engine's own violation reports as counterexamples; -L bounds the
 * exhaustive length (default 6; 0: random programs only).  Exit status:
 * 0 when a counterexample was found (or, for -C, the matrix was
 * written), 3 when none was, 2 for a bad argument or rule name.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/kernel.h>

#include "space_model.h"

#define MAX_LEN		24		/* steps of a program */
#define MAX_VOCAB	96
#define PG		SC_PAGE
#define SLOT		(2ULL << 20)
#define X		(5 * PG)	/* the page of interest in a VMA */
#define R_READER	0		/* role of the reader in the search */
#define R_OP		1		/* role of the commands in the search */

/*
 * The harness layouts searched: the space size and VMAs, one flag at a
 * time, then pairs of VMAs in one PTE table, then two slots (page-table
 * moves), then the largest space the module allows (gather batches run
 * out).  Data, not code: a new layout is a new row.
 */
struct layout {
	const char *name;
	uint64_t space;
	unsigned int nr_vmas;
	struct tlbh_vma_desc vmas[2];
};

#define VMA1(f)		1, { { 0, SLOT, f } }
#define VMA2(f, g)	2, { { 0, 16 * PG, f }, { 16 * PG, 16 * PG, g } }

static const struct layout layouts[] = {
	{ "anon", 4ULL << 20, 0 },
	{ "pfnmap", 4ULL << 20, VMA1(TLBH_VMA_PFNMAP) },
	{ "mixedmap", 4ULL << 20, VMA1(TLBH_VMA_MIXEDMAP) },
	{ "huge", 4ULL << 20, VMA1(TLBH_VMA_HUGE) },
	{ "exec", 4ULL << 20, VMA1(TLBH_VMA_EXEC) },
	{ "pfnmap+anon", 4ULL << 20, VMA2(TLBH_VMA_PFNMAP, 0) },
	{ "anon+pfnmap", 4ULL << 20, VMA2(0, TLBH_VMA_PFNMAP) },
	{ "mixedmap+anon", 4ULL << 20, VMA2(TLBH_VMA_MIXEDMAP, 0) },
	{ "anon+mixedmap", 4ULL << 20, VMA2(0, TLBH_VMA_MIXEDMAP) },
	{ "anon-2slot", 8ULL << 20, 0 },
	{ "largest", 128ULL << 20, 0 },
};
#define NR_LAYOUTS	ARRAY_SIZE(layouts)

/* Holds during which a step is not allowed: kernel locking. */
#define H(x)		(1U << SM_HELD_##x)
#define W_LOCK		(H(ZAP) | H(UNMAP))	/* needs the mmap lock for writing */

enum arg { A_NONE, A_PAGE, A_RANGE, A_BATCH, A_MOVE_PMD, A_MOVE_PTE };

/* The step templates; each becomes one move per page or range. */
static const struct tmpl {
	uint8_t action;
	uint8_t arg;
	uint64_t flags;
	bool reader;			/* a user access of the reader */
	uint8_t excl;			/* H(...) */
	bool may_block;			/* waits for a lock instead of failing */
	uint8_t weight;			/* in random programs */
} tmpls[] = {
	{ SC_READ, A_PAGE, 0, true, 0, false, 12 },
	{ SC_WRITE, A_PAGE, 0, true, 0, false, 5 },
	{ SC_POPULATE, A_RANGE, 0, false, H(UNMAP), false, 8 },
	{ SC_POPULATE, A_RANGE, TLBH_MAP_WRITE, false, H(UNMAP), false, 4 },
	{ SC_ZAP, A_RANGE, 0, false, 0, true, 6 },
	{ SC_ZAP, A_RANGE, TLBH_HOLD, false, 0, true, 5 },
	{ SC_ZAP_BATCH, A_BATCH, 0, false, 0, true, 2 },
	{ SC_UNMAP, A_RANGE, 0, false, W_LOCK | H(RECLAIM), false, 4 },
	{ SC_UNMAP, A_RANGE, TLBH_HOLD, false, W_LOCK | H(RECLAIM), false, 4 },
	{ SC_RESUME, A_NONE, 0, false, 0, false, 6 },
	{ SC_RECLAIM, A_PAGE, 0, false, 0, false, 3 },
	{ SC_RECLAIM, A_PAGE, TLBH_RECLAIM_BATCH, false, 0, false, 4 },
	{ SC_RECLAIM, A_PAGE, TLBH_HOLD, false, 0, false, 4 },
	{ SC_RECLAIM, A_PAGE, TLBH_HOLD | TLBH_RECLAIM_BATCH, false, 0, false, 2 },
	{ SC_RECLAIM_FLUSH, A_NONE, 0, false, 0, false, 3 },
	{ SC_MREMAP, A_MOVE_PMD, TLBH_MREMAP_PMD, false, W_LOCK, true, 4 },
	{ SC_MREMAP, A_MOVE_PTE, 0, false, W_LOCK | H(RECLAIM), false, 3 },
	{ SC_MPROTECT, A_RANGE, 0, false, W_LOCK, false, 4 },
	{ SC_MPROTECT, A_RANGE, TLBH_PROT_WRITE, false, W_LOCK, false, 2 },
	{ SC_CLEAR_REFS, A_NONE, 0, false, W_LOCK, false, 3 },
	{ SC_REMAP, A_RANGE, TLBH_REMAP_FLUSH, false, W_LOCK | H(RECLAIM), false, 2 },
	{ SC_DRAIN, A_NONE, 0, false, 0, false, 1 },
	{ SC_INJECT, A_NONE, 0, false, 0, false, 1 },
};

struct move {
	struct sc_step st;
	uint8_t excl;
	uint8_t weight;
};

/* One layout under the rule set: its model, vocabulary, initial state. */
struct world {
	const struct layout *lay;
	struct sm *w;
	void *snap0;
	unsigned int nr_moves;
	struct move moves[MAX_VOCAB];
	unsigned int total_weight;
	bool huge;			/* has a hugetlb VMA */
};

struct prog {
	unsigned int layout;
	unsigned int n;
	struct sc_step st[MAX_LEN];
};

/* How well a counterexample can be watched on the real MMU. */
enum rank {
	RANK_NONE,
	RANK_MODEL,		/* only the model sees it */
	RANK_ENGINE,		/* the engine's violation counter shows it */
	RANK_STALE,		/* a CHECK reads it stale */
};

static const char * const rank_names[] = {
	"none", "model only (not observable on the real MMU)",
	"engine violation", "stale CHECK",
};

struct found {
	struct prog p;			/* up to the violating step */
	struct sm_violation v;
	enum rank rank;
	unsigned int len_found;		/* before shrinking */
	double at;			/* CPU seconds to the find */
	u64 interleavings, programs;	/* explored to the find */
	const char *phase;
	struct scenario sc;		/* the file to write */
	unsigned int stale_r, engine_r;	/* model under the rule set */
	bool ref_fixed;			/* model: clean under the reference */
};

struct stats {
	u64 interleavings;		/* step sequences executed */
	u64 programs;			/* distinct per-role projections */
	u64 states;			/* distinct states expanded */
	u64 random_programs;
	u64 shrink_runs;
	unsigned int exhaustive_len;	/* lengths searched completely */
	bool exhaustive_done;
};

/* The whole search under one rule set. */
struct search {
	char ruleset[SC_TEXT_MAX / 4];
	struct sc_ruleset rs;
	const struct tlbh_policy *base;
	uint64_t add, drop;
	struct sc_ruleset ref_rs;	/* the reference: what it changes */
	bool have_ref;
	unsigned int checks;
	bool known_off;			/* the base release's hugetlb hazard not searched */
	bool engine_oracle;
	double budget;
	unsigned int max_len;
	u64 seed;
	bool quiet;
	struct world worlds[NR_LAYOUTS];
	struct stats st;
	struct found best;
	bool have_best;
	double t0;
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double elapsed(const struct search *s)
{
	return cpu_now() - s->t0;
}

static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ------------------------------------------------------------------ */
/* Vocabulary                                                           */

static void add_move(struct world *wd, const struct tmpl *t, uint64_t off,
		     uint64_t len, uint64_t to, uint32_t nr)
{
	struct move *m;

	if (wd->nr_moves == MAX_VOCAB)
		return;
	m = &wd->moves[wd->nr_moves++];
	memset(m, 0, sizeof(*m));
	m->st.role = t->reader ? R_READER : R_OP;
	m->st.action = t->action;
	m->st.flags = t->flags;
	m->st.may_block = t->may_block;
	m->st.off = off;
	m->st.len = len;
	m->st.to = to;
	m->st.nr = nr;
	m->excl = t->excl;
	m->weight = t->weight;
	wd->total_weight += t->weight;
}

/* Pages and ranges of a layout: X in each VMA, each VMA, each slot, all. */
static void build_vocab(struct world *wd)
{
	const struct layout *l = wd->lay;
	uint64_t data = l->space / 2, pages[4], r_off[6], r_len[6];
	unsigned int np = 0, nr = 0, i, j, k;

	if (!l->nr_vmas) {
		pages[np++] = X;
		r_off[nr] = X, r_len[nr++] = PG;
		if (data > SLOT) {
			pages[np++] = SLOT + X;
			r_off[nr] = 0, r_len[nr++] = SLOT;
			r_off[nr] = SLOT + X, r_len[nr++] = PG;
		}
		r_off[nr] = 0, r_len[nr++] = data;
	} else {
		for (i = 0; i < l->nr_vmas; i++) {
			pages[np++] = l->vmas[i].offset + X;
			r_off[nr] = l->vmas[i].offset + X, r_len[nr++] = PG;
			r_off[nr] = l->vmas[i].offset;
			r_len[nr++] = l->vmas[i].length;
		}
		if (l->nr_vmas > 1) {
			r_off[nr] = 0;
			r_len[nr++] = l->vmas[l->nr_vmas - 1].offset +
				      l->vmas[l->nr_vmas - 1].length;
		}
	}
	for (k = 0; k < ARRAY_SIZE(tmpls); k++) {
		const struct tmpl *t = &tmpls[k];

		switch (t->arg) {
		case A_NONE:
			/* INJECT: fail every batch allocation of the next step */
			add_move(wd, t, 0, 0, 0,
				 t->action == SC_INJECT ? 8 : 0);
			break;
		case A_PAGE:
			for (i = 0; i < np; i++)
				add_move(wd, t, pages[i], t->reader ? 0 : PG, 0, 0);
			break;
		case A_RANGE:
			for (j = 0; j < nr; j++)
				add_move(wd, t, r_off[j], r_len[j], 0, 0);
			break;
		case A_BATCH:
			/* two one-page ranges: X and the next page of interest */
			add_move(wd, t, pages[0], PG,
				 np > 1 ? pages[1] - pages[0] : 2 * PG, 2);
			break;
		case A_MOVE_PMD:
			if (data > SLOT) {
				add_move(wd, t, 0, SLOT, SLOT, 0);
				add_move(wd, t, SLOT, SLOT, 0, 0);
			}
			break;
		case A_MOVE_PTE:
			if (data > SLOT) {
				add_move(wd, t, X, PG, SLOT + X, 0);
				add_move(wd, t, SLOT + X, PG, X, 0);
			}
			break;
		}
	}
}

/* Kernel locking, and the harness's refusals that are not errors. */
static bool allowed(const struct world *wd, const struct move *m)
{
	const struct sm *w = wd->w;
	const struct sc_step *st = &m->st;
	unsigned int i;

	if (m->excl & (1U << w->held))
		return false;
	/* one operation is held at a time: a second hold is refused, not a wait */
	if ((st->flags & TLBH_HOLD) && st->action != SC_POPULATE &&
	    w->held != SM_HELD_NONE)
		return false;
	switch (st->action) {
	case SC_POPULATE:
		/* a fault in a hugetlb VMA waits for its lock */
		if (w->locks & (1UL << TLBH_LOCK_HUGETLB_VMA))
			for (i = 0; i < w->nr_vmas; i++)
				if ((w->vmas[i].flags & TLBH_VM_HUGETLB) &&
				    w->vmas[i].start < w->base + st->off + st->len &&
				    w->vmas[i].end > w->base + st->off)
					return false;
		break;
	case SC_MREMAP:
		/* only a lock may make it wait: source table, empty target */
		if (st->flags & TLBH_MREMAP_PMD)
			return w->data_table[st->off / SLOT] &&
			       !w->data_table[st->to / SLOT];
		break;
	case SC_RESUME:
		return w->held != SM_HELD_NONE;
	case SC_RECLAIM_FLUSH:
		return w->reclaim.nr || w->reclaim.batch.flush_required;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Running programs                                                     */

static bool oracle(const struct search *s, const struct sm *w)
{
	return w->nr_viol || (s->engine_oracle && w->engine_reports);
}

/*
 * Run @p from the fresh space in its layout; true when it breaks a
 * promise.  Steps that the harness refuses, or that kernel locking
 * rules out, make the program invalid.
 */
/* The locking rule of a step, from the template of its action and flags. */
static uint8_t excl_of(const struct sc_step *st)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(tmpls); k++)
		if (tmpls[k].action == st->action && tmpls[k].flags == st->flags)
			return tmpls[k].excl;
	return 0;
}

static bool run_prog(struct search *s, struct prog *p, bool truncate)
{
	struct world *wd = &s->worlds[p->layout];
	struct move m;
	unsigned int i;

	sm_restore(wd->w, wd->snap0);
	s->st.shrink_runs++;
	for (i = 0; i < p->n; i++) {
		m.st = p->st[i];
		m.excl = excl_of(&p->st[i]);
		if (!allowed(wd, &m) || sm_step(wd->w, &p->st[i], i))
			return false;
		if (oracle(s, wd->w)) {
			if (truncate)
				p->n = i + 1;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* From a program to a scenario file                                    */

/* Does [off, off + len) meet a hugetlb VMA of the layout? */
static bool meets_huge(const struct layout *l, uint64_t off, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < l->nr_vmas; i++)
		if ((l->vmas[i].flags & TLBH_VMA_HUGE) &&
		    l->vmas[i].offset < off + len &&
		    l->vmas[i].offset + l->vmas[i].length > off)
			return true;
	return false;
}

static int build_world(struct search *s, struct world *wd,
		       const struct layout *l)
{
	struct sm_setup su = {
		.space_size = l->space, .nr_vmas = l->nr_vmas, .vmas = l->vmas,
		.nr_roles = 2, .policy = s->base, .add = s->add,
		.drop = s->drop, .checks = s->checks,
	};

	wd->lay = l;
	wd->w = sm_new(&su);
	if (!wd->w)
		return -1;
	wd->snap0 = malloc(sm_save_max(wd->w));
	if (!wd->snap0)
		return -1;
	sm_save(wd->w, wd->snap0);
	build_vocab(wd);
	wd->huge = meets_huge(l, 0, l->space / 2);
	return 0;
}

/*
 * The scenario of @f: its program, then a CHECK where the reader keeps
 * the entry the kernel promised to be gone.  The search runs every
 * command on one CPU (which CPU issues a command changes no flush
 * decision while the main thread's CPU is in the mm); here the steps
 * get the roles a person would give them: the reader (who also maps
 * its pages before it reads them), the reclaimer, the thread whose
 * operation is held, and the thread doing everything else.  The file
 * is run again in the model to predict it, so the naming is checked.
 */
static void to_scenario(struct search *s, const struct found *f,
			struct scenario *sc, bool closing)
{
	const struct layout *l = &layouts[f->p.layout];
	struct world *wd = &s->worlds[f->p.layout];
	enum { L_READER, L_RECLAIM, L_HOLDER, L_OTHER, L_NR };
	int label_role[L_NR] = { -1, -1, -1, -1 }, reads = -1;
	unsigned int i, next = 0, label, holder = L_HOLDER;
	struct sm *w = wd->w;
	enum sm_held before;
	uint64_t check_off;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "explore");
	sc->space_size = l->space;
	sc->nr_vmas = l->nr_vmas;
	memcpy(sc->vmas, l->vmas, sizeof(l->vmas[0]) * l->nr_vmas);
	for (i = 0; i < f->p.n; i++)
		if (f->p.st[i].role == R_READER && reads < 0)
			reads = i;
	if (reads >= 0)
		label_role[L_READER] = next++;
	/* Replay the program to see which step holds and which overtakes. */
	sm_restore(w, wd->snap0);
	for (i = 0; i < f->p.n; i++) {
		struct sc_step st = f->p.st[i];

		before = w->held;
		sm_step(w, &f->p.st[i], i);
		if (st.role == R_READER ||
		    (st.action == SC_POPULATE && reads >= 0 && (int)i < reads))
			label = L_READER;
		else if (st.action == SC_RESUME)
			label = holder;
		else if (st.action == SC_RECLAIM || st.action == SC_RECLAIM_FLUSH)
			label = L_RECLAIM;
		else if (before == SM_HELD_NONE && w->held != SM_HELD_NONE)
			label = L_HOLDER;
		else
			label = L_OTHER;
		if (before == SM_HELD_NONE && w->held != SM_HELD_NONE)
			holder = label;
		/* Only a lock makes a step wait: the rmap or hugetlb VMA lock. */
		st.may_block = before != SM_HELD_NONE &&
			       ((st.action == SC_MREMAP && (st.flags & TLBH_MREMAP_PMD)) ||
				((st.action == SC_ZAP || st.action == SC_ZAP_BATCH) &&
				 meets_huge(l, st.off, st.len + (st.nr ? (st.nr - 1) * st.to : 0))));
		if (label_role[label] < 0)
			label_role[label] = next++;
		st.role = label_role[label];
		sc->steps[sc->nr_steps++] = st;
	}
	/* The observation: where the reader still caches what is gone. */
	check_off = f->v.va & ~(PG - 1);
	if (f->v.check == SM_CHK_TABLE)
		for (i = 0; i < f->p.n; i++)
			if (f->p.st[i].role == R_READER &&
			    f->p.st[i].off / SLOT == check_off / SLOT)
				check_off = f->p.st[i].off;
	if (f->v.cpu == R_READER && reads >= 0) {
		struct sc_step *ck = &sc->steps[sc->nr_steps++];

		memset(ck, 0, sizeof(*ck));
		ck->role = label_role[L_READER];
		ck->action = f->v.check == SM_CHK_WP ? SC_CHECK_WRITE : SC_CHECK;
		ck->off = check_off;
	}
	if (closing && w->held != SM_HELD_NONE) {
		struct sc_step *r = &sc->steps[sc->nr_steps++];

		memset(r, 0, sizeof(*r));
		r->action = SC_RESUME;
		r->role = label_role[holder] >= 0 ? label_role[holder] : 0;
	}
	sc->nr_roles = next ? next : 1;
	/* stale CHECKs are timed for a rate; a violation shows every time */
	sc->buggy_iters = sc->fixed_iters = l->space > (8ULL << 20) ? 3 : 100;
}

/* Run @sc once in the model under @rs; fills the counts, 0 if it ran. */
static int model_run(struct search *s, const struct scenario *sc,
		     const struct sc_ruleset *rs, unsigned int *stale,
		     unsigned int *engine, unsigned int *viol)
{
	struct sm_setup su;
	char err[SC_ERR_MAX];
	struct sm *w;
	int ret;

	if (sm_setup_of(sc, rs, s->checks, &su, err, sizeof(err)))
		return -1;
	w = sm_new(&su);
	if (!w)
		return -1;
	ret = sm_run(w, sc);
	*stale = w->stale_checks;
	*engine = w->engine_reports;
	*viol = w->nr_viol;
	sm_free(w);
	return ret;
}

static void describe_step(char *buf, size_t len, const struct sc_step *st)
{
	static const char * const verbs[SC_NR_ACTIONS] = {
		[SC_READ] = "reads", [SC_WRITE] = "writes", [SC_CHECK] = "reads",
		[SC_CHECK_WRITE] = "writes", [SC_POPULATE] = "maps",
		[SC_REMAP] = "remaps", [SC_ZAP] = "zaps", [SC_ZAP_BATCH] = "zaps",
		[SC_UNMAP] = "munmaps", [SC_RECLAIM] = "reclaims",
		[SC_RESUME] = "resumes", [SC_RECLAIM_FLUSH] = "flushes reclaim",
		[SC_MREMAP] = "mremaps", [SC_MPROTECT] = "mprotects",
		[SC_CLEAR_REFS] = "clears soft-dirty", [SC_DRAIN] = "drains",
		[SC_INJECT] = "makes batch allocations fail",
		[SC_FLUSH] = "flushes",
	};
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%c %s", n ? "; " : "", 'A' + st->role,
		 verbs[st->action] ? verbs[st->action] : "?");
	n = strlen(buf);
	if (st->action == SC_RESUME || st->action == SC_RECLAIM_FLUSH ||
	    st->action == SC_CLEAR_REFS)
		return;
	if (st->len > PG && st->action != SC_READ && st->action != SC_CHECK)
		snprintf(buf + n, len - n, " %llu pages at %llup",
			 (unsigned long long)(st->len / PG),
			 (unsigned long long)(st->off / PG));
	else
		snprintf(buf + n, len - n, " %llup", (unsigned long long)(st->off / PG));
	n = strlen(buf);
	if (st->flags & TLBH_HOLD)
		snprintf(buf + n, len - n, " (held)");
	else if (st->action == SC_RECLAIM && (st->flags & TLBH_RECLAIM_BATCH))
		snprintf(buf + n, len - n, " (batched)");
	else if (st->action == SC_MREMAP && (st->flags & TLBH_MREMAP_PMD))
		snprintf(buf + n, len - n, " to %llup by PMD", (unsigned long long)(st->to / PG));
	else if (st->action == SC_CHECK || st->action == SC_CHECK_WRITE)
		snprintf(buf + n, len - n, " again");
}

/* Why the real MMU cannot show a find as a stale read. */
static const char *why_not_stale(unsigned int check)
{
	switch (check) {
	case SM_CHK_TABLE:
		return "QEMU TCG caches no paging-structure entries, so a freed table is never walked stale";
	case SM_CHK_HUGETLB:
		return "the harness has no hugetlb pool for a fault to find empty";
	default:
		return "the stale window closes inside one command (a later flush of that command covers it)";
	}
}

/* Build the file for @f, predict it in the model, rank it. */
static void finish(struct search *s, struct found *f)
{
	unsigned int stale, engine, viol, rs = 0, re = 0, rv = 0, i;
	struct scenario *sc = &f->sc;
	struct sc_variant *v;
	bool closing = false;
	char doc[SC_TEXT_MAX] = "";

	for (;;) {
		to_scenario(s, f, sc, closing);
		if (model_run(s, sc, &s->rs, &stale, &engine, &viol))
			stale = engine = 0;
		f->stale_r = stale;
		f->engine_r = engine;
		f->ref_fixed = false;
		if (!s->have_ref)
			break;
		if (!model_run(s, sc, &s->ref_rs, &rs, &re, &rv)) {
			f->ref_fixed = !rs && !re && !rv;
			break;
		}
		if (closing)
			break;
		closing = true;		/* the reference may need the hold let go */
	}
	f->rank = stale ? RANK_STALE : engine ? RANK_ENGINE : RANK_MODEL;
	/* A CHECK that reads stale under the reference too shows nothing. */
	if (f->rank == RANK_STALE && s->have_ref && !f->ref_fixed && rs)
		f->rank = engine ? RANK_ENGINE : RANK_MODEL;
	sc->outcome = f->rank == RANK_STALE ? SC_OUT_STALE : SC_OUT_VIOLATION;
	if (f->rank != RANK_STALE && sc->buggy_iters > 20)
		sc->buggy_iters = sc->fixed_iters = 20;
	for (i = 0; i < sc->nr_steps; i++)
		describe_step(doc, sizeof(doc), &sc->steps[i]);
	snprintf(sc->doc, sizeof(sc->doc), "%s", doc);
	snprintf(sc->note, sizeof(sc->note), "found by the explorer under %s: %s%s%s",
		 s->ruleset, f->v.what, f->rank == RANK_ENGINE ?
		 "; the outcome is the engine's violation: " : "",
		 f->rank != RANK_ENGINE ? "" : why_not_stale(f->v.check));
	v = &sc->variants[sc->nr_variants++];
	v->rs = s->rs;
	sc_ruleset_format(&s->rs, v->policy, sizeof(v->policy));
	v->expect = SC_BUGGY;
	if (s->have_ref && f->ref_fixed) {
		v = &sc->variants[sc->nr_variants++];
		v->rs = s->ref_rs;
		sc_ruleset_format(&s->ref_rs, v->policy, sizeof(v->policy));
		v->expect = SC_FIXED;
	}
}

static bool better(const struct found *a, const struct found *b)
{
	if (a->rank != b->rank)
		return a->rank > b->rank;
	return a->sc.nr_steps < b->sc.nr_steps;
}

/* ------------------------------------------------------------------ */
/* Shrinking                                                            */

static bool try_prog(struct search *s, struct prog *q, struct found *f,
		     unsigned int check)
{
	struct world *wd = &s->worlds[q->layout];

	if (!run_prog(s, q, true))
		return false;
	/* keep the kind of promise broken: the point of the counterexample */
	if (wd->w->nr_viol && wd->w->viol[0].check != check)
		return false;
	f->p = *q;
	if (wd->w->nr_viol)
		f->v = wd->w->viol[0];
	return true;
}

static void remove_steps(struct prog *q, const struct prog *p,
			 unsigned int from, unsigned int n)
{
	unsigned int i;

	q->layout = p->layout;
	q->n = 0;
	for (i = 0; i < p->n; i++)
		if (i < from || i >= from + n)
			q->st[q->n++] = p->st[i];
}

/* The simpler forms of one step, tried in order. */
static unsigned int simpler(const struct search *s, const struct prog *p,
			    unsigned int i, struct sc_step *out)
{
	const struct sc_step *st = &p->st[i];
	const struct world *wd = &s->worlds[p->layout];
	unsigned int n = 0, k;
	uint64_t f;

	/* fewer flags */
	for (f = st->flags; f; f &= f - 1) {
		out[n] = *st;
		out[n].flags &= ~(f & -f);
		if (st->action == SC_MREMAP && !(out[n].flags & TLBH_MREMAP_PMD))
			continue;
		n++;
	}
	/* a smaller range from the vocabulary, same start or containing X */
	for (k = 0; k < wd->nr_moves && n < 8; k++) {
		const struct sc_step *m = &wd->moves[k].st;

		if (m->action == st->action && m->flags == st->flags &&
		    m->len && m->len < st->len && m->off >= st->off &&
		    m->off + m->len <= st->off + st->len) {
			out[n] = *st;
			out[n].off = m->off;
			out[n].len = m->len;
			n++;
		}
	}
	return n;
}

static void shrink(struct search *s, struct found *f)
{
	unsigned int check = f->v.check, chunk, i, j, n;
	struct sc_step alt[16];
	struct prog q;
	bool changed;

	/* delta debugging over the steps */
	for (chunk = f->p.n / 2; chunk >= 1; ) {
		changed = false;
		for (i = 0; i + chunk <= f->p.n; ) {
			remove_steps(&q, &f->p, i, chunk);
			if (q.n && try_prog(s, &q, f, check)) {
				changed = true;
				continue;
			}
			i += chunk;
		}
		if (!changed)
			chunk /= 2;
		else if (chunk > f->p.n / 2)
			chunk = f->p.n / 2 ? f->p.n / 2 : 1;
	}
	/* then simpler arguments, to a fixed point */
	do {
		changed = false;
		/* reads as early as they can go: a hold may become needless */
		for (i = 1; i < f->p.n; i++) {
			if (f->p.st[i].role != R_READER ||
			    f->p.st[i - 1].role == R_READER)
				continue;
			q = f->p;
			q.st[i - 1] = f->p.st[i];
			q.st[i] = f->p.st[i - 1];
			if (try_prog(s, &q, f, check))
				changed = true;
		}
		/* an operation that need not be held: no HOLD, no RESUME */
		for (i = 0; i < f->p.n; i++) {
			if (!(f->p.st[i].flags & TLBH_HOLD))
				continue;
			for (j = i + 1; j < f->p.n && f->p.st[j].action != SC_RESUME; j++)
				;
			remove_steps(&q, &f->p, j < f->p.n ? j : f->p.n, 1);
			q.st[i].flags &= ~TLBH_HOLD;
			if (try_prog(s, &q, f, check)) {
				changed = true;
				break;
			}
		}
		for (i = 0; i < f->p.n; i++) {
			n = simpler(s, &f->p, i, alt);
			for (j = 0; j < n; j++) {
				q = f->p;
				q.st[i] = alt[j];
				if (try_prog(s, &q, f, check)) {
					changed = true;
					break;
				}
			}
		}
		for (n = 1; n <= 3; n++) {
			for (i = 0; i + n <= f->p.n; i++) {
				remove_steps(&q, &f->p, i, n);
				if (q.n && try_prog(s, &q, f, check))
					changed = true;
			}
		}
	} while (changed);
}

/* ------------------------------------------------------------------ */
/* Search                                                               */

static void consider(struct search *s, struct found *f, const char *phase)
{
	f->at = elapsed(s);
	f->interleavings = s->st.interleavings;
	f->programs = s->st.programs + s->st.random_programs;
	f->phase = phase;
	f->len_found = f->p.n;
	shrink(s, f);
	finish(s, f);
	if (!s->have_best || better(f, &s->best)) {
		s->best = *f;
		s->have_best = true;
	}
	if (!s->quiet)
		printf("# found by %s search after %.2f s: %u steps, %u after shrinking, %s: %s\n",
		       phase, f->at, f->len_found, f->p.n, rank_names[f->rank],
		       f->v.what);
}

/* A set of 64-bit keys with a value; lossy when full, which only
 * costs some pruning. */
struct seen {
	u64 *key;
	u8 *val;
	u64 mask;
};

static void seen_init(struct seen *t, unsigned int bits)
{
	t->mask = (1ULL << bits) - 1;
	t->key = calloc(t->mask + 1, sizeof(*t->key));
	t->val = calloc(t->mask + 1, sizeof(*t->val));
}

static void seen_free(struct seen *t)
{
	free(t->key);
	free(t->val);
}

/* Insert @k with @v; true if it was there with a value >= @v. */
static bool seen_test_set(struct seen *t, u64 k, u8 v)
{
	u64 i = k & t->mask, n;

	if (!t->key)
		return false;
	k |= 1;
	for (n = 0; n < 8; n++, i = (i + 1) & t->mask) {
		if (t->key[i] == k) {
			if (t->val[i] >= v)
				return true;
			t->val[i] = v;
			return false;
		}
		if (!t->key[i])
			break;
	}
	t->key[i] = k;
	t->val[i] = v;
	return false;
}

struct dfs {
	struct search *s;
	struct world *wd;
	unsigned int limit;
	void **snap;
	struct prog p;
	u64 proj[MAX_LEN + 1][2];	/* per-role hash of the prefix */
	struct seen states, programs;
	bool stop;
	bool found;
	double level_deadline;
};

static u64 step_key(const struct sc_step *st)
{
	return (st->action | (u64)st->flags << 8 | (u64)(st->off / PG) << 24 |
		(u64)(st->len / PG) << 44) ^ ((u64)st->to << 3 ^ st->nr);
}

/*
 * Can @m, as the last step, break a promise?  A read, a write, a drain,
 * a fault outside hugetlb VMAs or an mprotect that makes pages writable
 * completes no contract, frees nothing, takes and releases no lock, so
 * no parked step goes through after it either.
 */
static bool can_break(const struct world *wd, const struct move *m)
{
	switch (m->st.action) {
	case SC_READ:
	case SC_WRITE:
	case SC_DRAIN:		/* flushes everything, frees nothing the engine owns */
	case SC_INJECT:		/* only changes what later steps do */
		return false;
	case SC_POPULATE:
		return wd->huge;
	case SC_MPROTECT:
		return !(m->st.flags & TLBH_PROT_WRITE);
	}
	return true;
}

static void dfs(struct dfs *d, unsigned int depth)
{
	struct world *wd = d->wd;
	struct sm *w = wd->w;
	bool last = depth + 1 == d->limit, dirty = false;
	const struct ref_cpu *reader = &w->tlb.cpu[R_READER];
	unsigned int k;
	u64 h0, h;

	/*
	 * Every promise but the hugetlb one is about a translation the
	 * reader caches: with none cached, the last step breaks nothing.
	 */
	if (last && !reader->nr_leaves && !reader->nr_walks && !wd->huge &&
	    !d->s->engine_oracle)
		return;
	h0 = sm_hash(w);
	for (k = 0; k < wd->nr_moves && !d->stop; k++) {
		const struct move *m = &wd->moves[k];
		unsigned int r = m->st.role;

		if (dirty) {
			sm_restore(w, d->snap[depth]);
			dirty = false;
		}
		if (!allowed(wd, m) || (last && !d->s->engine_oracle &&
					!can_break(wd, m)))
			continue;
		d->s->st.interleavings++;
		d->proj[depth + 1][r] = d->proj[depth][r] * 0x100000001b3ULL ^ step_key(&m->st);
		d->proj[depth + 1][!r] = d->proj[depth][!r];
		if (!seen_test_set(&d->programs, d->proj[depth + 1][0] * 31 +
				   d->proj[depth + 1][1] + depth, 1))
			d->s->st.programs++;
		dirty = true;
		if (sm_step(w, &m->st, depth))
			continue;
		d->p.st[depth] = m->st;
		if (oracle(d->s, w)) {
			struct found f = { 0 };

			d->p.n = depth + 1;
			f.p = d->p;
			if (w->nr_viol)
				f.v = w->viol[0];
			else
				snprintf(f.v.what, sizeof(f.v.what),
					 "the engine reported a violation");
			f.v.cpu = w->nr_viol ? f.v.cpu : -1;
			consider(d->s, &f, "exhaustive");
			d->found = true;
			if (d->s->best.rank == RANK_STALE)
				d->stop = true;
			sm_restore(w, d->snap[depth]);
			dirty = false;
			continue;
		}
		if (depth + 1 >= d->limit)
			continue;
		h = sm_hash(w);
		if (h == h0)
			continue;	/* changed nothing */
		if (seen_test_set(&d->states, h ^ (u64)(d->wd - d->s->worlds) << 56,
				  d->limit - depth - 1))
			continue;
		d->s->st.states++;
		sm_save(w, d->snap[depth + 1]);
		dfs(d, depth + 1);
		if (elapsed(d->s) > d->level_deadline)
			d->stop = true;
		dirty = true;
	}
}

/* Iterative deepening over every layout; false when out of time. */
static void exhaustive(struct search *s, double deadline)
{
	struct dfs d = { .s = s };
	unsigned int len, l, i;

	d.snap = calloc(MAX_LEN + 1, sizeof(void *));
	seen_init(&d.states, 22);
	seen_init(&d.programs, 22);
	for (len = 1; len <= s->max_len && !d.stop; len++) {
		for (l = 0; l < NR_LAYOUTS && !d.stop; l++) {
			struct world *wd = &s->worlds[l];

			d.wd = wd;
			d.limit = len;
			d.p.layout = l;
			d.level_deadline = deadline;
			for (i = 0; i <= len; i++)
				if (!d.snap[i])
					d.snap[i] = malloc(sm_save_max(s->worlds[NR_LAYOUTS - 1].w));
			memset(d.proj, 0, sizeof(d.proj));
			sm_restore(wd->w, wd->snap0);
			sm_save(wd->w, d.snap[0]);
			dfs(&d, 0);
		}
		if (!d.stop)
			s->st.exhaustive_len = len;
		/* a level with a counterexample is the shortest there is */
		if (d.found)
			d.stop = true;
	}
	s->st.exhaustive_done = !d.found && s->st.exhaustive_len == s->max_len;
	for (i = 0; i <= MAX_LEN; i++)
		free(d.snap[i]);
	free(d.snap);
	seen_free(&d.states);
	seen_free(&d.programs);
}

static const struct move *pick_move(const struct world *wd)
{
	unsigned int k = rnd() % wd->total_weight, i;

	for (i = 0; i < wd->nr_moves; i++) {
		if (k < wd->moves[i].weight)
			return &wd->moves[i];
		k -= wd->moves[i].weight;
	}
	return &wd->moves[0];
}

static void random_search(struct search *s, double deadline)
{
	void *snap = malloc(sm_save_max(s->worlds[NR_LAYOUTS - 1].w));
	unsigned int l, i, tries, len;
	const struct move *m;
	struct world *wd;
	struct prog p;

	while (elapsed(s) < deadline) {
		l = rnd() % NR_LAYOUTS;
		/* the largest space costs a hundred times more per step */
		if (layouts[l].space > (8ULL << 20) && rnd() % 16)
			continue;
		wd = &s->worlds[l];
		sm_restore(wd->w, wd->snap0);
		p.layout = l;
		p.n = 0;
		len = 4 + rnd() % (MAX_LEN - 4);
		s->st.random_programs++;
		for (i = 0; i < len; i++) {
			sm_save(wd->w, snap);
			for (tries = 0; tries < 8; tries++) {
				m = pick_move(wd);
				if (!allowed(wd, m))
					continue;
				s->st.interleavings++;
				if (!sm_step(wd->w, &m->st, i))
					break;
				sm_restore(wd->w, snap);
			}
			if (tries == 8)
				break;
			p.st[p.n++] = m->st;
			if (oracle(s, wd->w)) {
				struct found f = { 0 };

				f.p = p;
				if (wd->w->nr_viol)
					f.v = wd->w->viol[0];
				else
					f.v.cpu = -1;
				consider(s, &f, "random");
				break;
			}
		}
		if (s->have_best && s->best.rank == RANK_STALE)
			break;
		/* a weaker find: keep looking a while for a visible one */
		if (s->have_best && elapsed(s) > s->best.at * 4 + 1)
			break;
	}
	free(snap);
}

/* ------------------------------------------------------------------ */
/* Rule sets, reporting, files                                          */

static int setup_search(struct search *s, const char *policy,
			const char *add, const char *drop)
{
	char text[SC_TEXT_MAX / 4], err[SC_ERR_MAX], list[256], *t, *save;
	unsigned int l, pass;
	size_t n;

	snprintf(text, sizeof(text), "%s", policy);
	for (pass = 0; pass < 2; pass++) {
		const char *names = pass ? drop : add;

		if (!names || !*names)
			continue;
		snprintf(list, sizeof(list), "%s", names);
		for (t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
			n = strlen(text);
			snprintf(text + n, sizeof(text) - n, " %c%s", pass ? '-' : '+', t);
		}
	}
	if (sc_ruleset_parse(text, &s->rs, err, sizeof(err)) ||
	    sm_resolve(&s->rs, &s->base, &s->add, &s->drop, err, sizeof(err))) {
		fprintf(stderr, "explore: %s\n", err);
		return -1;
	}
	sc_ruleset_format(&s->rs, s->ruleset, sizeof(s->ruleset));
	/* The reference: the named policy a rule set changes, or upstream. */
	memset(&s->ref_rs, 0, sizeof(s->ref_rs));
	s->have_ref = true;
	if (!s->base->is_buggy && s->rs.nr_mods)
		snprintf(s->ref_rs.policy, sizeof(s->ref_rs.policy), "%s", s->base->name);
	else if (s->base->is_buggy)
		snprintf(s->ref_rs.policy, sizeof(s->ref_rs.policy), "%s",
			 tlbh_policy_default()->name);
	else
		s->have_ref = false;
	/*
	 * A hazard of the release a change starts from (struct tlbh_policy
	 * @known: 6.1's hugetlb lock order) is not the change's finding.
	 */
	if (s->have_ref && (s->base->known & (1U << TLBH_VIOL_HUGETLB_ORDER)) &&
	    (s->checks & SM_CHK_HUGETLB)) {
		s->checks &= ~SM_CHK_HUGETLB;
		s->known_off = true;
	}
	for (l = 0; l < NR_LAYOUTS; l++)
		if (build_world(s, &s->worlds[l], &layouts[l]))
			return -1;
	return 0;
}

static void free_search(struct search *s)
{
	unsigned int l;

	for (l = 0; l < NR_LAYOUTS; l++) {
		sm_free(s->worlds[l].w);
		free(s->worlds[l].snap0);
	}
}

/* A file and scenario name for a rule set: "upstream-current-drop-luf". */
static void slug(char *out, size_t len, const struct sc_ruleset *rs)
{
	unsigned int i;
	size_t n;

	snprintf(out, len, "%.*s", (int)len - 1, rs->policy);
	for (i = 0; i < rs->nr_mods; i++) {
		n = strlen(out);
		snprintf(out + n, len - n, "-%s-%.*s", rs->mod[i].add ? "add" : "drop",
			 (int)(len - n), rs->mod[i].rule);
	}
}

static int search(struct search *s)
{
	double exhaustive_end = s->budget * 0.5;

	rng_state = s->seed * 0x9e3779b97f4a7c15ULL + 1;
	s->t0 = cpu_now();
	exhaustive(s, exhaustive_end);
	if (!s->have_best || s->best.rank != RANK_STALE)
		random_search(s, s->budget);
	return s->have_best ? 0 : 3;
}

static void write_scenario(struct search *s, const char *path)
{
	char comment[2 * SC_TEXT_MAX], name[SC_NAME_MAX - 8];
	struct found *f = &s->best;
	FILE *out;

	slug(name, sizeof(name), &s->rs);
	snprintf(f->sc.name, sizeof(f->sc.name), "explore-%s", name);
	snprintf(comment, sizeof(comment),
		 "Written by the explorer (kunit/host/explore.c) for the rule set\n"
		 "'%s', layout '%s'.  Found by the %s search after %.2f CPU\n"
		 "seconds, %u steps, %u after shrinking; model prediction: stale %u,\n"
		 "engine violations %u under the rule set%s.\n%s",
		 s->ruleset, layouts[f->p.layout].name, f->phase, f->at,
		 f->len_found, f->p.n, f->stale_r, f->engine_r,
		 s->have_ref ? (f->ref_fixed ? ", clean under the reference" :
				", not clean under the reference") : "",
		 f->rank == RANK_MODEL ?
		 "Only the model sees it: the real MMU cannot show it.\n" : "");
	out = path ? fopen(path, "w") : stdout;
	if (!out) {
		perror(path);
		return;
	}
	snprintf(f->sc.path, sizeof(f->sc.path), "%s", path ? path : "-");
	sc_write(out, &f->sc, comment);
	if (path)
		fclose(out);
}

static void print_report(const struct search *s)
{
	const struct found *f = &s->best;

	printf("rule set       %s (rules %#llx)\n", s->ruleset,
	       (unsigned long long)((s->base->rules | s->add) & ~s->drop));
	printf("reference      %s\n", s->have_ref ? s->ref_rs.policy : "(none: a named policy)");
	if (s->known_off)
		printf("not searched   hugetlb: a hazard %s is known to inherit from its release, not its own\n",
		       s->base->name);
	printf("searched       %llu interleavings, %llu programs, %llu states, %llu random programs; exhaustive search complete to length %u%s\n",
	       (unsigned long long)s->st.interleavings,
	       (unsigned long long)s->st.programs,
	       (unsigned long long)s->st.states,
	       (unsigned long long)s->st.random_programs, s->st.exhaustive_len,
	       s->st.exhaustive_done ? " (complete)" : "");
	printf("time           %.2f CPU seconds (budget %.0f), %llu programs run to shrink\n",
	       elapsed(s), s->budget, (unsigned long long)s->st.shrink_runs);
	if (!s->have_best) {
		printf("counterexample none\n");
		return;
	}
	printf("counterexample %s search, after %.2f s, %llu interleavings and %llu programs, layout %s: %u steps, %u after shrinking; scenario of %u steps\n",
	       f->phase, f->at, (unsigned long long)f->interleavings,
	       (unsigned long long)f->programs, layouts[f->p.layout].name,
	       f->len_found, f->p.n, f->sc.nr_steps);
	printf("broken         %s: %s\n", f->v.check ? sm_check_name(f->v.check) : "engine",
	       f->v.what);
	printf("observable     %s (model: stale %u, engine violations %u%s)\n",
	       rank_names[f->rank], f->stale_r, f->engine_r,
	       s->have_ref ? (f->ref_fixed ? "; clean under the reference" :
			      "; the reference is not clean") : "");
}

/* ------------------------------------------------------------------ */
/* Coverage: every rule of every upstream policy, dropped alone         */

static int coverage(const char *dir, const char *outdir, double budget,
		    unsigned int checks, u64 seed)
{
	char path[2 * PATH_MAX], tsv[2 * PATH_MAX], text[SC_TEXT_MAX / 4];
	char absdir[PATH_MAX], caught[512];
	unsigned int p, b, i, stale, engine, viol, nrows = 0, flagged = 0;
	FILE *out, *txt;
	struct sc_set set;

	if (sc_load_set(dir, NULL, 0, &set) || set.nr_bad) {
		fprintf(stderr, "explore: cannot load the scenarios of %s\n", dir);
		return 1;
	}
	mkdir(outdir, 0755);
	/* absolute paths in the matrix: a guest reads it from anywhere */
	if (!realpath(outdir, absdir)) {
		perror(outdir);
		return 1;
	}
	outdir = absdir;
	snprintf(tsv, sizeof(tsv), "%s/matrix.tsv", outdir);
	out = fopen(tsv, "w");
	snprintf(path, sizeof(path), "%s/matrix.txt", outdir);
	txt = fopen(path, "w");
	if (!out || !txt) {
		perror(outdir);
		return 1;
	}
	fprintf(out, "policy\trule\tfound\tcpu_s\tlength\tscenario_steps\tobservable\tbroken\tscenarios\tfile\n");
	fprintf(txt, "Rule coverage: each rule of each upstream policy dropped alone (budget %.0f CPU s each).\n",
		budget);
	fprintf(txt, "%-17s %-20s %-6s %7s %4s %-11s %-15s %s\n", "policy", "rule dropped",
		"found", "cpu s", "len", "observable", "broken", "hand-written scenarios that catch it");
	for (p = 0; p < tlbh_nr_policies; p++) {
		const struct tlbh_policy *pol = &tlbh_policies[p];

		if (pol->is_buggy || strncmp(pol->name, "upstream-", 9))
			continue;
		for (b = 0; b < tlbh_nr_rules; b++) {
			struct search *s;
			struct sc_ruleset rs, base_rs;
			char err[SC_ERR_MAX], file[2 * PATH_MAX] = "-", slugbuf[SC_NAME_MAX - 8];
			const char *obs;

			if (!(pol->rules & (1ULL << b)))
				continue;
			s = calloc(1, sizeof(*s));
			s->checks = checks;
			s->budget = budget;
			s->max_len = 6;
			s->seed = seed;
			s->quiet = true;
			if (setup_search(s, pol->name, NULL, tlbh_rules[b].name))
				return 1;
			search(s);
			/*
			 * Which hand-written scenario shows it, in the model:
			 * one that the policy itself passes (6.1's hugetlb
			 * order fails 6.1 with or without the rule).
			 */
			caught[0] = 0;
			snprintf(text, sizeof(text), "%s -%s", pol->name, tlbh_rules[b].name);
			sc_ruleset_parse(text, &rs, err, sizeof(err));
			sc_ruleset_parse(pol->name, &base_rs, err, sizeof(err));
			for (i = 0; i < set.nr; i++) {
				const struct scenario *sc = &set.sc[i];
				bool shows;

				if (sc->outcome == SC_OUT_COUNT ||
				    model_run(s, sc, &rs, &stale, &engine, &viol))
					continue;
				shows = sc->outcome == SC_OUT_STALE ? stale : engine;
				if (shows && !model_run(s, sc, &base_rs, &stale, &engine, &viol))
					shows = !(sc->outcome == SC_OUT_STALE ? stale : engine);
				if (shows) {
					size_t n = strlen(caught);

					snprintf(caught + n, sizeof(caught) - n, "%s%s",
						 n ? "," : "", sc->name);
				}
			}
			if (s->have_best) {
				slug(slugbuf, sizeof(slugbuf), &s->rs);
				snprintf(file, sizeof(file), "%s/explore-%s.scn", outdir, slugbuf);
				write_scenario(s, file);
			}
			obs = !s->have_best ? "-" : s->best.rank == RANK_STALE ? "stale" :
			      s->best.rank == RANK_ENGINE ? "violation" : "model-only";
			if (!s->have_best && !caught[0])
				flagged++;
			fprintf(out, "%s\t%s\t%s\t%.2f\t%u\t%u\t%s\t%s\t%s\t%s\n", pol->name,
				tlbh_rules[b].name, s->have_best ? "yes" : "no",
				s->have_best ? s->best.at : elapsed(s),
				s->have_best ? s->best.p.n : 0,
				s->have_best ? s->best.sc.nr_steps : 0, obs,
				s->have_best ? (s->best.v.check ? sm_check_name(s->best.v.check) : "engine") : "-",
				caught[0] ? caught : "-", s->have_best ? file : "-");
			fprintf(txt, "%-17s %-20s %-6s %7.2f %4s %-11s %-15s %s%s\n", pol->name,
				tlbh_rules[b].name, s->have_best ? "yes" : "no",
				s->have_best ? s->best.at : elapsed(s),
				s->have_best ? (snprintf(err, 8, "%u", s->best.p.n), err) : "-",
				obs, s->have_best ? (s->best.v.check ? sm_check_name(s->best.v.check) : "engine") : "-",
				caught[0] ? caught : "-",
				!s->have_best && !caught[0] ? "   <- nothing catches it" : "");
			fflush(txt);
			nrows++;
			free_search(s);
			free(s);
		}
	}
	fprintf(txt, "%u rules dropped, %u caught by nothing (the model lacks the hazard, or the rule is not needed under the model)\n",
		nrows, flagged);
	fclose(out);
	fclose(txt);
	sc_set_free(&set);
	snprintf(path, sizeof(path), "%s/matrix.txt", outdir);
	txt = fopen(path, "r");
	while (txt && fgets(text, sizeof(text), txt))
		fputs(text, stdout);
	if (txt)
		fclose(txt);
	return 0;
}

static unsigned int parse_checks(const char *s)
{
	static const struct { const char *name; unsigned int bits; } names[] = {
		{ "gone", SM_CHK_GONE }, { "wp", SM_CHK_WP }, { "free", SM_CHK_FREE },
		{ "table", SM_CHK_TABLE }, { "hugetlb", SM_CHK_HUGETLB },
		{ "stale", SM_CHK_STALE }, { "all", SM_CHK_ALL }, { "none", 0 },
	};
	char buf[128], *t, *save;
	unsigned int bits = 0, i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(names) && strcmp(names[i].name, t); i++)
			;
		if (i == ARRAY_SIZE(names)) {
			fprintf(stderr, "explore: unknown check %s\n", t);
			exit(2);
		}
		bits |= names[i].bits;
	}
	return bits;
}

int main(int argc, char **argv)
{
	const char *policy = NULL, *add = NULL, *drop = NULL, *out = NULL;
	const char *dir_opt = NULL, *outdir = NULL;
	char outpath[PATH_MAX], name[SC_NAME_MAX - 8];
	struct search *s = calloc(1, sizeof(*s));
	bool cov = false;
	char dir[PATH_MAX];
	int opt, ret;

	s->checks = SM_CHK_ALL;
	s->budget = 10;
	s->max_len = 6;
	s->seed = 1;
	while ((opt = getopt(argc, argv, "p:a:d:b:o:D:O:c:Es:L:qC")) != -1) {
		switch (opt) {
		case 'p':
			policy = optarg;
			break;
		case 'a':
			add = optarg;
			break;
		case 'd':
			drop = optarg;
			break;
		case 'b':
			s->budget = strtod(optarg, NULL);
			break;
		case 'o':
			out = optarg;
			break;
		case 'D':
			dir_opt = optarg;
			break;
		case 'O':
			outdir = optarg;
			break;
		case 'c':
			s->checks = parse_checks(optarg);
			break;
		case 'E':
			s->engine_oracle = true;
			break;
		case 's':
			s->seed = strtoull(optarg, NULL, 0);
			break;
		case 'L':
			s->max_len = strtoul(optarg, NULL, 0);
			if (s->max_len > MAX_LEN)
				s->max_len = MAX_LEN;
			break;
		case 'q':
			s->quiet = true;
			break;
		case 'C':
			cov = true;
			break;
		default:
			fprintf(stderr, "usage: %s -p POLICY [-a RULE,..] [-d RULE,..] [-b SECONDS] [-o FILE | -O DIR] [-c CHECKS] [-E] [-s SEED] [-L LEN] [-q]\n"
				"       %s -C [-b SECONDS] [-D DIR] [-O OUTDIR]\n",
				argv[0], argv[0]);
			return 2;
		}
	}
	if (dir_opt)
		snprintf(dir, sizeof(dir), "%s", dir_opt);
	else if (sc_dir("../../selftests/scenarios", dir, sizeof(dir)))
		return 2;
	if (cov)
		return coverage(dir, outdir ? outdir : "build/coverage", s->budget,
				s->checks, s->seed);
	if (!policy) {
		fprintf(stderr, "explore: -p POLICY is required (or -C)\n");
		return 2;
	}
	if (setup_search(s, policy, add, drop))
		return 2;
	ret = search(s);
	print_report(s);
	if (s->have_best && outdir && !out) {
		mkdir(outdir, 0755);
		slug(name, sizeof(name), &s->rs);
		snprintf(outpath, sizeof(outpath), "%s/explore-%s.scn", outdir, name);
		out = outpath;
	}
	if (s->have_best) {
		if (out)
			printf("written        %s\n\n", out);
		else
			printf("\n");
		write_scenario(s, out);
		if (out) {
			FILE *f = fopen(out, "r");
			char line[SC_TEXT_MAX];

			while (f && fgets(line, sizeof(line), f))
				fputs(line, stdout);
			if (f)
				fclose(f);
		}
	}
	free_search(s);
	free(s);
	return ret;
}
