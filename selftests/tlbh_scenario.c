// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_scenario.c - the one runner of the scenario files on the real
 * MMU (see tlbh_scenario.h): pinned worker threads, one per role,
 * execute the step the main thread posts; the main thread posts one
 * step, waits for it, evaluates CHECKs against TLBH_IOC_SNAPSHOT, and
 * retries blocked steps after every later step.  Each iteration gets a
 * fresh space under the variant's rule set, whose names are looked up
 * through the module (TLBH_IOC_POLICY_INFO, TLBH_IOC_RULE_INFO).  A worker whose CPU holds a primed entry
 * (after READ or WRITE, until its CHECK) spins there with sched_yield, so
 * the CPU keeps the mm loaded and its TLB entries; otherwise it, and the
 * main thread, sleep on a futex: under emulation on a small host, idle
 * virtual CPUs that spin would slow every handoff.  Also the batching sweep
 * (TLBH_IOC_ZAP vs TLBH_IOC_ZAP_BATCH) and the litmus-style output.
 */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

#include "tlbh_lib.h"
#include "tlbh_scenario.h"

#define SC_WRITE_WORD		64	/* word written by WRITE/CHECK_WRITE */

struct sc_ctx;

struct sc_worker {
	pthread_t thread;
	int cpu;
	struct sc_ctx *ctx;
	atomic_uint post;	/* bumped by the main thread per step */
	atomic_uint done;	/* set to post when the step is done */
	bool spin;		/* holds a primed entry: keep the CPU busy */
	const struct sc_step *step;
	int ret;
	uint64_t got[SC_MAX_PAGES];
	bool wrote[SC_MAX_PAGES];
	struct tlbh_range *batch;	/* ZAP_BATCH argument */
};

struct sc_ctx {
	int fd;
	char *base;
	uint64_t size;
	atomic_int stop;
	unsigned int nr_workers;
	bool one_cpu;
	struct sc_worker w[SC_MAX_ROLES];
};

static double sc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned int sc_npages(const struct sc_step *st)
{
	unsigned int n = st->len ? st->len / TLBH_PG : 1;

	return n > SC_MAX_PAGES ? SC_MAX_PAGES : n;
}

/* Run one step on the calling (worker) thread. */
static int sc_exec(struct sc_worker *w, const struct sc_step *st)
{
	struct sc_ctx *c = w->ctx;
	const char *p = c->base + st->off;
	unsigned int i, n = sc_npages(st);

	switch (st->action) {
	case SC_READ:
	case SC_CHECK:
		for (i = 0; i < n; i++)
			w->got[i] = tlbh_read(p + i * TLBH_PG);
		return 0;
	case SC_WRITE:
	case SC_CHECK_WRITE:
		for (i = 0; i < n; i++)
			w->wrote[i] = !tlbh_write((uint64_t *)(p + i * TLBH_PG) +
						  SC_WRITE_WORD, i + 1);
		return 0;
	case SC_POPULATE:
		return tlbh_range_cmd(c->fd, TLBH_IOC_POPULATE, st->off, st->len, st->flags, NULL);
	case SC_REMAP:
		return tlbh_range_cmd(c->fd, TLBH_IOC_REMAP, st->off, st->len, st->flags, NULL);
	case SC_FLUSH:
		return tlbh_range_cmd(c->fd, TLBH_IOC_FLUSH, st->off, st->len, st->flags, NULL);
	case SC_ZAP:
		return tlbh_range_cmd(c->fd, TLBH_IOC_ZAP, st->off, st->len, st->flags, NULL);
	case SC_UNMAP:
		return tlbh_range_cmd(c->fd, TLBH_IOC_UNMAP, st->off, st->len, st->flags, NULL);
	case SC_MPROTECT:
		return tlbh_range_cmd(c->fd, TLBH_IOC_MPROTECT, st->off, st->len, st->flags, NULL);
	case SC_RESUME:
		return tlbh_range_cmd(c->fd, TLBH_IOC_RESUME, 0, 0, 0, NULL);
	case SC_RECLAIM_FLUSH:
		return tlbh_range_cmd(c->fd, TLBH_IOC_RECLAIM_FLUSH, 0, 0, 0, NULL);
	case SC_CLEAR_REFS:
		return tlbh_range_cmd(c->fd, TLBH_IOC_CLEAR_REFS, 0, 0, 0, NULL);
	case SC_DRAIN:
		return tlbh_range_cmd(c->fd, TLBH_IOC_DRAIN, 0, 0, 0, NULL);
	case SC_INJECT: {
		struct tlbh_inject in = { .batch_fail = st->nr };

		return tlbh_ioctl(c->fd, TLBH_IOC_INJECT, &in);
	}
	case SC_RECLAIM: {
		struct tlbh_reclaim_arg ra = { .offset = st->off,
					       .flags = st->flags };

		return tlbh_ioctl(c->fd, TLBH_IOC_RECLAIM, &ra);
	}
	case SC_MREMAP: {
		struct tlbh_mremap m = { .old_offset = st->off,
					 .new_offset = st->to,
					 .length = st->len, .flags = st->flags };

		return tlbh_ioctl(c->fd, TLBH_IOC_MREMAP, &m);
	}
	case SC_ZAP_BATCH: {
		struct tlbh_range_batch b = { .nr = st->nr,
					      .ranges = (uintptr_t)w->batch };

		if (!w->batch || st->nr > TLBH_MAX_BATCH)
			return -E2BIG;
		memset(w->batch, 0, st->nr * sizeof(*w->batch));
		for (i = 0; i < st->nr; i++) {
			w->batch[i].offset = st->off + i * st->to;
			w->batch[i].length = st->len;
		}
		return tlbh_ioctl(c->fd, TLBH_IOC_ZAP_BATCH, &b);
	}
	}
	return -EINVAL;
}

static void sc_futex_wait(atomic_uint *p, unsigned int val)
{
	syscall(SYS_futex, p, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void sc_futex_wake(atomic_uint *p)
{
	syscall(SYS_futex, p, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *sc_worker_fn(void *arg)
{
	struct sc_worker *w = arg;
	unsigned int seen = 0, s;
	uint8_t a;

	tlbh_pin(w->cpu);
	while (!atomic_load(&w->ctx->stop)) {
		s = atomic_load_explicit(&w->post, memory_order_acquire);
		if (s == seen) {
			if (w->spin)
				sched_yield();
			else
				sc_futex_wait(&w->post, seen);
			continue;
		}
		if (atomic_load(&w->ctx->stop))
			break;
		a = w->step->action;
		w->ret = sc_exec(w, w->step);
		if (a == SC_READ || a == SC_WRITE)
			w->spin = true;
		else if (a == SC_CHECK || a == SC_CHECK_WRITE)
			w->spin = false;
		seen = s;
		atomic_store_explicit(&w->done, s, memory_order_release);
		sc_futex_wake(&w->done);
	}
	return NULL;
}

/* Post @st to its role's worker and wait until it is done. */
static int sc_do(struct sc_ctx *c, const struct sc_step *st)
{
	struct sc_worker *w = &c->w[c->one_cpu ? 0 : st->role];
	unsigned int s = atomic_load(&w->post) + 1;

	w->step = st;
	atomic_store_explicit(&w->post, s, memory_order_release);
	sc_futex_wake(&w->post);
	while (atomic_load_explicit(&w->done, memory_order_acquire) != s)
		sc_futex_wait(&w->done, s - 1);
	return w->ret;
}

static int sc_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n;
}

int sc_nr_cpus(void)
{
	int cpus[CPU_SETSIZE];

	return sc_cpus(cpus, CPU_SETSIZE);
}

uint64_t sc_features(void)
{
	struct tlbh_version v = { 0 };
	int fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (tlbh_ioctl(fd, TLBH_IOC_VERSION, &v))
		v.features = 0;
	close(fd);
	return v.features;
}

/*
 * Start @nr workers: role i on the i-th allowed CPU (all on the first
 * with @one_cpu), spinning from the start with @spin; the main thread
 * goes to the next CPU when there is one.
 */
static int sc_start(struct sc_ctx *c, unsigned int nr, bool one_cpu,
		    bool spin, cpu_set_t *saved)
{
	int cpus[SC_MAX_ROLES + 1];
	int n = sc_cpus(cpus, SC_MAX_ROLES + 1);
	unsigned int i;
	cpu_set_t set;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->one_cpu = one_cpu;
	c->nr_workers = one_cpu ? 1 : nr;
	if (n < (int)c->nr_workers)
		return -1;
	sched_getaffinity(0, sizeof(*saved), saved);
	CPU_ZERO(&set);
	CPU_SET(one_cpu ? cpus[0] : cpus[n > (int)nr ? (int)nr : n - 1], &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (i = 0; i < c->nr_workers; i++) {
		struct sc_worker *w = &c->w[i];

		w->ctx = c;
		w->cpu = cpus[i];
		w->spin = spin;
		w->batch = calloc(TLBH_MAX_BATCH, sizeof(*w->batch));
		if (pthread_create(&w->thread, NULL, sc_worker_fn, w)) {
			c->nr_workers = i;
			return -1;
		}
	}
	return 0;
}

static void sc_stop(struct sc_ctx *c, cpu_set_t *saved)
{
	unsigned int i;

	atomic_store(&c->stop, 1);
	for (i = 0; i < c->nr_workers; i++) {
		atomic_fetch_add(&c->w[i].post, 1);
		sc_futex_wake(&c->w[i].post);
	}
	for (i = 0; i < c->nr_workers; i++) {
		pthread_join(c->w[i].thread, NULL);
		free(c->w[i].batch);
	}
	sched_setaffinity(0, sizeof(*saved), saved);
}

/* The rule set of one run, resolved: what TLBH_IOC_SET_POLICY takes. */
struct sc_rules {
	uint64_t policy, add, drop;
};

/* A fresh space under @rules (policy 0: the default) with @vmas. */
static int sc_space_open(struct sc_ctx *c, uint64_t size,
			 const struct sc_rules *rules, unsigned int nr_vmas,
			 const struct tlbh_vma_desc *vmas, char *msg, size_t len)
{
	struct tlbh_policy_arg pa = { .policy = rules ? rules->policy : 0,
				      .add = rules ? rules->add : 0,
				      .drop = rules ? rules->drop : 0 };
	struct tlbh_set_vmas sv = { .nr = nr_vmas, .vmas = (uintptr_t)vmas };
	struct tlbh_counters cnt = { .flags = TLBH_COUNTERS_RESET };
	int ret;

	c->size = size;
	c->fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		snprintf(msg, len, "open %s: %s", TLBH_PATH, strerror(errno));
		return -1;
	}
	c->base = tlbh_map_space(c->fd, size);
	if (c->base == MAP_FAILED) {
		snprintf(msg, len, "mmap of %llu bytes: %s",
			 (unsigned long long)size, strerror(errno));
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	ret = pa.policy ? tlbh_ioctl(c->fd, TLBH_IOC_SET_POLICY, &pa) : 0;
	if (!ret && nr_vmas)
		ret = tlbh_ioctl(c->fd, TLBH_IOC_SET_VMAS, &sv);
	if (!ret)
		ret = tlbh_ioctl(c->fd, TLBH_IOC_COUNTERS, &cnt);
	if (ret)
		snprintf(msg, len, "space setup: %s", strerror(-ret));
	return ret ? -1 : 0;
}

static void sc_space_close(struct sc_ctx *c)
{
	if (c->fd < 0)
		return;
	munmap(c->base, c->size);
	close(c->fd);
	c->fd = -1;
}

static int sc_counters(struct sc_ctx *c, uint64_t *v)
{
	struct tlbh_counters cnt = { .flags = TLBH_COUNTERS_RESET };
	int ret = tlbh_ioctl(c->fd, TLBH_IOC_COUNTERS, &cnt);

	memcpy(v, cnt.c, TLBH_CNT_NR * sizeof(*v));
	return ret;
}

/* Evaluate a CHECK step just executed: the number of stale pages. */
static int sc_check(struct sc_ctx *c, const struct sc_step *st,
		    unsigned int *checked)
{
	struct sc_worker *w = &c->w[c->one_cpu ? 0 : st->role];
	struct tlbh_snap_entry e[SC_MAX_PAGES];
	unsigned int i, n = sc_npages(st), stale = 0;
	struct tlbh_snapshot s = { .offset = st->off, .npages = n,
				   .entries = (uintptr_t)e };

	memset(e, 0, sizeof(e));
	if (tlbh_ioctl(c->fd, TLBH_IOC_SNAPSHOT, &s))
		return -1;
	for (i = 0; i < n; i++) {
		if (st->action == SC_CHECK)
			stale += w->got[i] != e[i].identity;
		else
			stale += w->wrote[i] && !(e[i].flags & TLBH_SNAP_WRITE);
	}
	*checked += n;
	return stale;
}

static int sc_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double sc_median(double *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), sc_cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *sc_step_name(const struct sc_step *st)
{
	return sc_action_name(st->action);
}

/* One iteration on a fresh space; returns 0 or -1 with r->msg set. */
static int sc_iteration(struct sc_ctx *c, const struct scenario *sc,
			const struct sc_rules *rules, unsigned int it,
			struct sc_result *r, unsigned int *stale, uint64_t *cnt)
{
	const struct sc_step *blocked[SC_MAX_STEPS];
	unsigned int nb = 0, j, k;
	int ret;

	if (sc_space_open(c, sc->space_size ? sc->space_size :
			  SC_DEFAULT_SPACE, rules, sc->nr_vmas, sc->vmas,
			  r->msg, sizeof(r->msg)))
		return -1;
	*stale = 0;
	for (j = 0; j < sc->nr_steps; j++) {
		const struct sc_step *st = &sc->steps[j];

		ret = sc_do(c, st);
		if (ret == -EBUSY && st->may_block) {
			blocked[nb++] = st;
			r->blocked++;
			continue;
		}
		if (ret) {
			snprintf(r->msg, sizeof(r->msg),
				 "%s:%u: iteration %u step %u (%s by %c): %s",
				 sc->path, st->line, it, j + 1, sc_step_name(st),
				 'A' + st->role, strerror(-ret));
			goto fail;
		}
		if (st->action == SC_CHECK || st->action == SC_CHECK_WRITE) {
			ret = sc_check(c, st, &r->checks);
			if (ret < 0) {
				snprintf(r->msg, sizeof(r->msg),
					 "iteration %u: snapshot failed", it);
				goto fail;
			}
			*stale += ret;
		}
		/* The lock holders may have let go: retry blocked steps. */
		for (k = 0; k < nb; ) {
			ret = sc_do(c, blocked[k]);
			if (ret == -EBUSY) {
				k++;
				continue;
			}
			if (ret) {
				snprintf(r->msg, sizeof(r->msg),
					 "%s:%u: iteration %u: blocked %s by %c: %s",
					 sc->path, blocked[k]->line, it,
					 sc_step_name(blocked[k]),
					 'A' + blocked[k]->role, strerror(-ret));
				goto fail;
			}
			blocked[k] = blocked[--nb];
		}
	}
	if (nb) {
		snprintf(r->msg, sizeof(r->msg),
			 "%s:%u: iteration %u: %s by %c still blocked at the end",
			 sc->path, blocked[0]->line, it,
			 sc_step_name(blocked[0]), 'A' + blocked[0]->role);
		goto fail;
	}
	if (sc_counters(c, cnt)) {
		snprintf(r->msg, sizeof(r->msg), "iteration %u: counters", it);
		goto fail;
	}
	sc_space_close(c);
	return 0;
fail:
	sc_space_close(c);
	return -1;
}

static unsigned int sc_env_iters(void)
{
	const char *s = getenv("TLBH_SCENARIO_ITERS");

	return s ? (unsigned int)strtoul(s, NULL, 0) : 0;
}

/* Names through the module: the one list is tlbh_rules[] in the module. */
static uint64_t sc_fd_policy(void *priv, const char *name)
{
	struct tlbh_policy_info pi;
	int fd = *(int *)priv;
	uint64_t i;

	for (i = 1; i < 256; i++) {
		memset(&pi, 0, sizeof(pi));
		pi.policy = i;
		if (tlbh_ioctl(fd, TLBH_IOC_POLICY_INFO, &pi))
			return 0;
		if (!strncmp((const char *)pi.name, name, sizeof(pi.name)))
			return i;
	}
	return 0;
}

static int sc_fd_rule(void *priv, const char *name)
{
	struct tlbh_rule_info ri;
	int fd = *(int *)priv, bit;

	for (bit = 0; bit < 64; bit++) {
		memset(&ri, 0, sizeof(ri));
		ri.bit = bit;
		if (tlbh_ioctl(fd, TLBH_IOC_RULE_INFO, &ri))
			return -1;
		if (!strncmp((const char *)ri.name, name, sizeof(ri.name)))
			return bit;
	}
	return -1;
}

int sc_resolve_on(int fd, const struct sc_ruleset *rs, uint64_t *policy,
		  uint64_t *add, uint64_t *drop, char *err, size_t errlen)
{
	struct sc_names n = { .policy = sc_fd_policy, .rule = sc_fd_rule,
			      .priv = &fd };

	return sc_ruleset_resolve(rs, &n, policy, add, drop, err, errlen);
}

int sc_run(const struct scenario *sc, const struct sc_variant *var,
	   unsigned int iters, struct sc_result *r)
{
	uint64_t features, cnt[TLBH_CNT_NR];
	const char *forced = getenv("TLBH_SCENARIO_POLICY");
	struct sc_ruleset forced_rs;
	const struct sc_ruleset *rs = &var->rs;
	struct sc_rules rules;
	char err[SC_ERR_MAX / 2];
	double t0, *gap_it, *gap_ms, last_ms = 0;
	unsigned int it, stale, nev = 0, last_it = 0;
	struct sc_ctx c;
	cpu_set_t saved;
	bool event;
	int fd, ret = 0;

	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->var = var;
	snprintf(r->policy, sizeof(r->policy), "%s", var->policy);
	if (forced && *forced) {
		if (sc_ruleset_parse(forced, &forced_rs, err, sizeof(err))) {
			r->error = 1;
			snprintf(r->msg, sizeof(r->msg), "TLBH_SCENARIO_POLICY: %s", err);
			return -1;
		}
		rs = &forced_rs;
		sc_ruleset_format(rs, r->policy, sizeof(r->policy));
	}
	if (!iters && var->expect == SC_FIXED)
		iters = sc_env_iters();
	if (!iters)
		iters = var->expect == SC_BUGGY ? sc->buggy_iters :
						  sc->fixed_iters;
	fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r->skip = 1;
		snprintf(r->msg, sizeof(r->msg), "%s: %s", TLBH_PATH,
			 strerror(errno));
		return -1;
	}
	ret = sc_resolve_on(fd, rs, &rules.policy, &rules.add, &rules.drop,
			    err, sizeof(err));
	close(fd);
	if (ret) {
		/* A mistyped name is the file's error: fail, never skip. */
		r->error = 1;
		snprintf(r->msg, sizeof(r->msg), "%s:%u: %s", sc->path,
			 var->line, err);
		return -1;
	}
	features = sc_features();
	if (sc->needs_hold && !(features & TLBH_FEAT_HOLD)) {
		r->skip = 1;
		snprintf(r->msg, sizeof(r->msg),
			 "the module lacks TLBH_FEAT_HOLD");
		return -1;
	}
	if (!sc->one_cpu && sc_nr_cpus() < (int)sc->nr_roles) {
		r->skip = 1;
		snprintf(r->msg, sizeof(r->msg), "needs %u CPUs, have %d",
			 sc->nr_roles, sc_nr_cpus());
		return -1;
	}
	gap_it = calloc(iters + 1, sizeof(double));
	gap_ms = calloc(iters + 1, sizeof(double));
	if (!gap_it || !gap_ms || sc_start(&c, sc->nr_roles, sc->one_cpu,
					   false, &saved)) {
		r->error = 1;
		snprintf(r->msg, sizeof(r->msg), "cannot start the workers");
		free(gap_it);
		free(gap_ms);
		return -1;
	}
	tlbh_catch_sigbus();
	t0 = sc_now_ms();
	for (it = 1; it <= iters; it++) {
		if (sc_iteration(&c, sc, &rules, it, r, &stale, cnt)) {
			r->error = 1;
			ret = -1;
			break;
		}
		r->iters = it;
		r->stale_checks += stale;
		r->stale_iters += !!stale;
		r->viol_iters += !!cnt[TLBH_CNT_VIOLATIONS];
		r->flushes += cnt[TLBH_CNT_FLUSH_RANGE] + cnt[TLBH_CNT_FLUSH_ALL];
		r->ipis += cnt[TLBH_CNT_IPIS];
		r->pages += cnt[TLBH_CNT_PAGES_INVALIDATED];
		r->violations += cnt[TLBH_CNT_VIOLATIONS];
		switch (sc->outcome) {
		case SC_OUT_STALE:
			event = stale;
			break;
		case SC_OUT_VIOLATION:
			event = cnt[TLBH_CNT_VIOLATIONS];
			break;
		default:
			event = stale || cnt[TLBH_CNT_VIOLATIONS];
		}
		if (event) {
			double now = sc_now_ms() - t0;

			if (!nev) {
				r->first_iter = it;
				r->first_ms = now;
			}
			gap_it[nev] = it - last_it;
			gap_ms[nev] = now - last_ms;
			nev++;
			last_it = it;
			last_ms = now;
		}
	}
	r->ms = sc_now_ms() - t0;
	r->median_iters = sc_median(gap_it, nev);
	r->median_ms = sc_median(gap_ms, nev);
	sc_stop(&c, &saved);
	free(gap_it);
	free(gap_ms);
	return ret;
}

unsigned int sc_events(const struct sc_result *r)
{
	switch (r->sc->outcome) {
	case SC_OUT_STALE:
		return r->stale_iters;
	case SC_OUT_VIOLATION:
		return r->viol_iters;
	default:
		return r->stale_iters + r->viol_iters;
	}
}

bool sc_passed(const struct sc_result *r)
{
	if (r->skip || r->error || !r->iters)
		return false;
	if (r->var->expect == SC_BUGGY)
		return sc_events(r) > 0;
	return !r->stale_checks && !r->violations;
}

void sc_print(FILE *f, const struct sc_result *r)
{
	const char *what = r->sc->outcome == SC_OUT_VIOLATION ? "violations" :
			   "stale";

	fprintf(f, "# scenario %s policy %s (%s", r->sc->name, r->policy,
		r->var->expect == SC_BUGGY ? "buggy" : "fixed");
	if (strcmp(r->policy, r->var->policy))
		fprintf(f, " as %s, forced by TLBH_SCENARIO_POLICY",
			r->var->policy);
	fprintf(f, "): ");
	if (r->skip) {
		fprintf(f, "skipped: %s\n", r->msg);
		return;
	}
	fprintf(f, "%s %u of %u", what, sc_events(r), r->iters);
	if (r->sc->outcome == SC_OUT_COUNT)
		fprintf(f, " (violations %u)", r->viol_iters);
	if (sc_events(r))
		fprintf(f, ", first at iteration %u (%.1f ms), median %.1f iterations (%.1f ms) between",
			r->first_iter, r->first_ms, r->median_iters,
			r->median_ms);
	fprintf(f, ", flushes %llu, ipis %llu, pages %llu, violations %llu",
		(unsigned long long)r->flushes, (unsigned long long)r->ipis,
		(unsigned long long)r->pages,
		(unsigned long long)r->violations);
	if (r->sc->outcome == SC_OUT_COUNT && r->iters)
		fprintf(f, ", %.1f flushes per iteration",
			(double)r->flushes / r->iters);
	if (r->blocked)
		fprintf(f, ", blocked %u", r->blocked);
	fprintf(f, ", %u checks, %.1f s%s%s\n", r->checks, r->ms / 1e3,
		r->error ? ", ERROR: " : "", r->error ? r->msg : "");
	fflush(f);
}

/* ------------------------------------------------------------------ */
/* Batching: one ZAP per range vs TLBH_IOC_ZAP_BATCH                    */

#define SC_BATCH_SPACE	(16ULL << 20)	/* 8 MiB data: 2048 pages */

int sc_batching(const unsigned int *batches, unsigned int nr_batches,
		unsigned int nr_ranges, struct sc_batch_row *rows,
		char *msg, size_t msglen)
{
	struct tlbh_range *rg = calloc(TLBH_MAX_BATCH, sizeof(*rg));
	uint64_t cnt[TLBH_CNT_NR], stride = 2 * TLBH_PG;
	unsigned int i, b, done, n;
	struct sc_ctx c;
	cpu_set_t saved;
	double t;
	int ret = 0, nw = sc_nr_cpus() - 1;

	if (!rg)
		return -1;
	if (nr_ranges * stride > SC_BATCH_SPACE / 2)
		nr_ranges = SC_BATCH_SPACE / 2 / stride;
	nw = nw < 1 ? 1 : nw > 3 ? 3 : nw;
	if (sc_start(&c, nw, false, true, &saved)) {
		snprintf(msg, msglen, "cannot start the workers");
		free(rg);
		return -1;
	}
	if (sc_space_open(&c, SC_BATCH_SPACE, NULL, 0, NULL, msg, msglen)) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < nr_batches && !ret; i++) {
		struct sc_batch_row *row = &rows[i];

		b = batches[i];
		memset(row, 0, sizeof(*row));
		row->batch = b;
		row->ranges = nr_ranges;
		if (tlbh_range_cmd(c.fd, TLBH_IOC_POPULATE, 0, c.size / 2, 0, NULL) ||
		    tlbh_range_cmd(c.fd, TLBH_IOC_DRAIN, 0, 0, 0, NULL) ||
		    sc_counters(&c, cnt)) {
			snprintf(msg, msglen, "populate/drain: %s", strerror(errno));
			ret = -1;
			break;
		}
		t = sc_now_ms();
		for (done = 0; done < nr_ranges && !ret; done += n) {
			n = b ? b : 1;
			if (n > nr_ranges - done)
				n = nr_ranges - done;
			if (!b) {
				ret = tlbh_range_cmd(c.fd, TLBH_IOC_ZAP, done * stride,
					       TLBH_PG, 0, NULL);
			} else {
				struct tlbh_range_batch rb = {
					.nr = n, .ranges = (uintptr_t)rg };
				unsigned int k;

				memset(rg, 0, n * sizeof(*rg));
				for (k = 0; k < n; k++) {
					rg[k].offset = (done + k) * stride;
					rg[k].length = TLBH_PG;
				}
				ret = tlbh_ioctl(c.fd, TLBH_IOC_ZAP_BATCH, &rb);
			}
			row->calls++;
		}
		row->ms = sc_now_ms() - t;
		if (ret || sc_counters(&c, cnt)) {
			snprintf(msg, msglen, "batch %u: %s", b,
				 strerror(ret ? -ret : errno));
			ret = -1;
			break;
		}
		row->flushes = cnt[TLBH_CNT_FLUSH_RANGE] + cnt[TLBH_CNT_FLUSH_ALL];
		row->ipis = cnt[TLBH_CNT_IPIS];
		row->pages = cnt[TLBH_CNT_PAGES_INVALIDATED];
	}
	sc_space_close(&c);
out:
	sc_stop(&c, &saved);
	free(rg);
	return ret ? -1 : (int)i;
}
