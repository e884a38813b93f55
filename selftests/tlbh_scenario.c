// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_scenario.c - the one runner of the scenario files on the real
 * MMU (see tlbh_scenario.h).
 *
 * Pinned worker threads, one per role, execute the steps.  Which step
 * comes next is decided by one sequencer (sc_seq_next/sc_seq_done): the
 * file's steps in order, a step that got -EBUSY as may-block parked and
 * retried after every later step, CHECKs evaluated against
 * TLBH_IOC_SNAPSHOT.  Two modes drive it:
 *
 *   classic  the main thread asks the sequencer, posts the step to its
 *            worker and waits (two hand-offs per step);
 *   fast     the worker that did a step asks the sequencer itself and
 *            passes the next step on only when it belongs to another
 *            role (one hand-off per change of role), and the space is
 *            reused across iterations where that is proven not to
 *            change what the steps see (sc_reuse_ok, sc_space_clean).
 *
 * Each iteration runs on a space under the variant's rule set, whose
 * names are looked up through the module (TLBH_IOC_POLICY_INFO,
 * TLBH_IOC_RULE_INFO).
 *
 * Readers.  A worker whose CPU holds a primed entry (after READ or
 * WRITE, until its CHECK: its window) spins there with sched_yield, so
 * the CPU keeps the mm loaded and its TLB entries; otherwise it, and the
 * main thread, sleep on a futex: under emulation on a small host, idle
 * virtual CPUs that spin would slow every handoff.  Without PCID a
 * context switch to another mm flushes the TLB, and a return from lazy
 * TLB mode after a tlb_gen bump does too, so a reader switched out in
 * its window loses the entry it is there to show.  Unless the options
 * say otherwise the windows are protected: the reader runs SCHED_FIFO
 * from its priming read to its check, the main thread runs SCHED_FIFO
 * at the same priority for the run (in the one-CPU form the two share
 * the CPU by sched_yield), and the other tasks of the system are moved
 * off the role CPUs for the run (so is the unbound workqueue).  Each
 * window records the reader's context switches (getrusage
 * RUSAGE_THREAD) and CPUs at its read and its check; for a BUGGY
 * variant also the space's tlb_gen bumps and the flush handlers that
 * ran on the reader's CPU (TLBH_IOC_COUNTERS, TLBH_IOC_CPU_COUNTERS),
 * so that an iteration that misses the race says why.
 *
 * Also the batching sweep (TLBH_IOC_ZAP vs TLBH_IOC_ZAP_BATCH) and the
 * litmus-style output.
 */
#include <dirent.h>
#include <stdarg.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include "tlbh_lib.h"
#include "tlbh_scenario.h"

#define SC_WRITE_WORD		64	/* word written by WRITE/CHECK_WRITE */
/* Above the threaded interrupt handlers of PREEMPT_RT (50). */
#define SC_FIFO_PRIO		51
#define SC_MAX_MOVED		4096	/* tasks moved off the role CPUs */
#define SC_MAX_GAPS		65536	/* gaps between events kept for plots */
#define SC_WQ_CPUMASK		"/sys/devices/virtual/workqueue/cpumask"
#define SC_WD_CPUMASK		"/proc/sys/kernel/watchdog_cpumask"
#define SC_MAX_QUARANTINE	"/sys/module/tlbh/parameters/max_quarantine"

struct sc_ctx;

/* A reader's window: from its priming READ/WRITE to its CHECK. */
struct sc_win {
	bool open;
	bool opened;		/* by the step just done: mark it */
	bool fifo;		/* running SCHED_FIFO for it */
	int cpu;		/* at the priming read */
	long vcsw, ivcsw;	/* the thread's context switches then */
	uint64_t gen, handled;	/* space's generation bumps, flush handler runs */
	uint64_t gen_end, handled_end;
	/* what the window's CHECK found */
	bool closed;		/* by the step just done: account for it */
	bool vol, invol, migrated;
};

struct sc_worker {
	pthread_t thread;
	int cpu;
	struct sc_ctx *ctx;
	atomic_uint post;	/* bumped per step (classic), per token (fast) */
	atomic_uint done;	/* set to post when the step is done (classic) */
	bool spin;		/* holds a primed entry: keep the CPU busy */
	const struct sc_step *step;
	int ret;
	uint64_t got[SC_MAX_PAGES];
	bool wrote[SC_MAX_PAGES];
	struct tlbh_range *batch;	/* ZAP_BATCH argument */
	struct sc_win win;
};

/* The order of one iteration: the file's steps, retries after each. */
struct sc_seq {
	unsigned int j;		/* next step of the file */
	const struct sc_step *blocked[SC_MAX_STEPS];
	unsigned int nb, k;	/* parked steps; next one to retry */
	bool retrying;		/* a retry round is under way */
	bool cur_retry;		/* the step handed out is a retry */
	unsigned int stale;	/* stale pages checked */
	bool failed;		/* r->msg says why */
};

/* What the windows of one iteration saw. */
struct sc_itwin {
	unsigned int n;
	bool vol, invol, migrated, gen, flushed;
};

/* The rule set of one run, resolved: what TLBH_IOC_SET_POLICY takes. */
struct sc_rules {
	uint64_t policy, add, drop;
};

struct sc_ctx {
	int fd;
	char *base;
	uint64_t size;
	atomic_int stop;
	unsigned int nr_workers;
	bool one_cpu;
	bool protect;		/* windows under SCHED_FIFO */
	bool account;		/* windows mark tlb_gen and flushes (BUGGY) */
	bool sleepy;		/* readers sleep in their windows */
	int windows_open;	/* classic: windows open now */
	bool main_fifo;		/* classic: the main thread runs SCHED_FIFO */
	struct sc_worker w[SC_MAX_ROLES];
	/* the run */
	const struct scenario *sc;
	const struct sc_variant *var;
	const struct sc_rules *rules;
	struct sc_result *r;
	unsigned int iters, it;
	bool fast, reuse;
	uint64_t quarantine_bound;	/* pages one iteration may quarantine */
	uint64_t max_quarantine;
	struct sc_seq seq;
	struct sc_itwin itw;
	const struct sc_step *next;	/* fast: the step the token comes with */
	atomic_uint finished;		/* fast: the run is over */
	double t0, last_ms;
	unsigned int nev, last_it;
	double *gap_it;
	uint64_t cnt[TLBH_CNT_NR];
};

static struct sc_opts sc_opts;
static bool sc_opts_set;

static void sc_opts_init(void)
{
	const char *p = getenv("TLBH_SCENARIO_PROTECT");
	const char *f = getenv("TLBH_SCENARIO_FAST");

	if (sc_opts_set)
		return;
	sc_opts.unprotected = p && !strcmp(p, "0");
	sc_opts.fast = f && strcmp(f, "0") && *f;
	sc_opts_set = true;
}

void sc_set_opts(const struct sc_opts *o)
{
	sc_opts = *o;
	sc_opts_set = true;
}

void sc_get_opts(struct sc_opts *o)
{
	sc_opts_init();
	*o = sc_opts;
}

static const char * const sc_miss_names[] = {
	[SC_MISS_MIGRATED] = "migrated",
	[SC_MISS_INVOL] = "preempted",
	[SC_MISS_VOL] = "slept",
	[SC_MISS_FLUSHED] = "flush on its CPU",
	[SC_MISS_NONE] = "no trace",
};

const char *sc_miss_name(enum sc_miss m)
{
	return m < SC_MISS_NR ? sc_miss_names[m] : "?";
}

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

/* ------------------------------------------------------------------ */
/* Protection of the windows                                           */

/* The calling thread to SCHED_FIFO (@on) or back to SCHED_OTHER. */
static int sc_fifo(bool on)
{
	struct sched_param sp = { .sched_priority = on ? SC_FIFO_PRIO : 0 };

	return pthread_setschedparam(pthread_self(),
				     on ? SCHED_FIFO : SCHED_OTHER, &sp);
}

static void sc_switches(long *vcsw, long *ivcsw)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru)) {
		*vcsw = *ivcsw = 0;
		return;
	}
	*vcsw = ru.ru_nvcsw;
	*ivcsw = ru.ru_nivcsw;
}

/* Tasks moved off the role CPUs for a run, and their old affinity. */
struct sc_moved {
	unsigned int nr;
	pid_t tid[SC_MAX_MOVED];
	cpu_set_t *old;
	char wq_old[256];	/* the unbound workqueue cpumask, "" if kept */
	char wd_old[256];	/* the soft lockup watchdog's CPUs, "" if kept */
	bool thp_off;		/* PR_SET_THP_DISABLE set (for good) */
};

static struct sc_moved sc_moved;

static void sc_mask_hex(const cpu_set_t *set, char *buf, size_t len)
{
	unsigned long long m = 0;
	int i;

	for (i = 0; i < 64; i++)
		if (CPU_ISSET(i, set))
			m |= 1ULL << i;
	snprintf(buf, len, "%llx", m);
}

/* @set as a CPU list, "0-2,5". */
static void sc_mask_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t n = 0;
	int i, j;

	buf[0] = 0;
	for (i = 0; i < CPU_SETSIZE && n < len; i++) {
		if (!CPU_ISSET(i, set))
			continue;
		for (j = i; j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set); j++)
			;
		n += snprintf(buf + n, len - n, "%s%d", n ? "," : "", i);
		if (j > i && n < len)
			n += snprintf(buf + n, len - n, "-%d", j);
		i = j;
	}
}

static int sc_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int sc_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/*
 * Move every task of the system that may run on one of @roles, and is
 * not ours, to the other CPUs it may run on (or to @others when it may
 * run on role CPUs only).  Per-CPU kernel threads refuse (EINVAL) and
 * stay; under SCHED_FIFO they cannot preempt a reader anyway.
 */
static unsigned int sc_isolate(const cpu_set_t *roles, const cpu_set_t *others)
{
	struct sc_moved *m = &sc_moved;
	char path[300], buf[256];
	struct dirent *p, *t;
	DIR *proc, *tasks;
	pid_t self = getpid();
	cpu_set_t set, and;

	m->nr = 0;
	m->wq_old[0] = 0;
	if (!m->old)
		m->old = calloc(SC_MAX_MOVED, sizeof(*m->old));
	if (!m->old || !CPU_COUNT(others))
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((p = readdir(proc)) && m->nr < SC_MAX_MOVED) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9' ||
		    atoi(p->d_name) == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((t = readdir(tasks)) && m->nr < SC_MAX_MOVED) {
			pid_t tid = atoi(t->d_name);

			if (tid <= 0 || sched_getaffinity(tid, sizeof(set), &set))
				continue;
			CPU_AND(&and, &set, roles);
			if (!CPU_COUNT(&and))
				continue;
			m->old[m->nr] = set;
			CPU_XOR(&set, &set, &and);
			if (!CPU_COUNT(&set))
				set = *others;
			if (sched_setaffinity(tid, sizeof(set), &set))
				continue;
			m->tid[m->nr++] = tid;
		}
		closedir(tasks);
	}
	closedir(proc);
	if (!sc_read_file(SC_WQ_CPUMASK, m->wq_old, sizeof(m->wq_old))) {
		sc_mask_hex(others, buf, sizeof(buf));
		if (sc_write_file(SC_WQ_CPUMASK, buf))
			m->wq_old[0] = 0;
	}
	/* Its per-CPU stopper preempts any SCHED_FIFO task every 4 s. */
	if (!sc_read_file(SC_WD_CPUMASK, m->wd_old, sizeof(m->wd_old))) {
		sc_mask_list(others, buf, sizeof(buf));
		if (sc_write_file(SC_WD_CPUMASK, buf))
			m->wd_old[0] = 0;
	}
	return m->nr;
}

static void sc_unisolate(void)
{
	struct sc_moved *m = &sc_moved;
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		sched_setaffinity(m->tid[i], sizeof(m->old[i]), &m->old[i]);
	m->nr = 0;
	if (m->wq_old[0])
		sc_write_file(SC_WQ_CPUMASK, m->wq_old);
	m->wq_old[0] = 0;
	if (m->wd_old[0])
		sc_write_file(SC_WD_CPUMASK, m->wd_old);
	m->wd_old[0] = 0;
}

/*
 * CPUs the process ran on before the run stay in its mm_cpumask, lazy,
 * until something else runs there: an idle CPU never leaves an mm.  A
 * scenario's CPUs are its roles' and the main thread's; a stale one
 * makes reclaim defer where it would not (should_defer_flush asks
 * whether another CPU has the mm: the one-CPU form's whole point) and
 * adds IPIs.  So a helper process, forked once and holding nothing of
 * ours, visits every other CPU before the run: the switch to its mm
 * takes the CPU out of ours.
 */
static struct {
	pid_t pid;
	int cmd, ack;		/* pipes: CPU to visit, visited */
} sc_helper = { .pid = -1 };

static void sc_helper_main(int cmd, int ack)
{
	cpu_set_t set;
	int cpu;

	while (read(cmd, &cpu, sizeof(cpu)) == sizeof(cpu)) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
		/* running on @cpu now, in this mm */
		if (write(ack, &cpu, sizeof(cpu)) != sizeof(cpu))
			break;
	}
	_exit(0);
}

static int sc_helper_start(void)
{
	int cmd[2], ack[2], fd;

	if (sc_helper.pid > 0)
		return 0;
	if (pipe(cmd))
		return -1;
	if (pipe(ack)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	sc_helper.pid = fork();
	if (sc_helper.pid == 0) {
		/* no reference to a space or the device may stay with it */
		for (fd = 3; fd < 1024; fd++)
			if (fd != cmd[0] && fd != ack[1])
				close(fd);
		sc_helper_main(cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);
	if (sc_helper.pid < 0) {
		close(cmd[1]);
		close(ack[0]);
		return -1;
	}
	sc_helper.cmd = cmd[1];
	sc_helper.ack = ack[0];
	return 0;
}

/* Take every online CPU but those of @keep out of this mm's cpumask. */
static unsigned int sc_evict(const cpu_set_t *keep)
{
	unsigned int n = 0;
	int cpu, got;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (sc_helper_start())
		return 0;
	for (cpu = 0; cpu < ncpu && cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, keep))
			continue;
		if (write(sc_helper.cmd, &cpu, sizeof(cpu)) != sizeof(cpu) ||
		    read(sc_helper.ack, &got, sizeof(got)) != sizeof(got))
			break;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Steps                                                               */

/* The priming read of a window: protect it first, then remember. */
static void sc_win_prime(struct sc_worker *w)
{
	struct sc_ctx *c = w->ctx;

	if (w->win.open)
		return;
	w->win.fifo = c->protect && !sc_fifo(true);
}

static void sc_win_primed(struct sc_worker *w)
{
	struct sc_win *win = &w->win;

	if (win->open)
		return;
	sc_switches(&win->vcsw, &win->ivcsw);
	win->cpu = sched_getcpu();
	win->open = true;
	win->opened = true;
}

/* After the CHECK's reads: what happened to the reader since. */
static void sc_win_checked(struct sc_worker *w)
{
	struct sc_win *win = &w->win;
	long vcsw, ivcsw;

	if (!win->open)
		return;
	sc_switches(&vcsw, &ivcsw);
	win->vol = vcsw != win->vcsw;
	win->invol = ivcsw != win->ivcsw;
	win->migrated = sched_getcpu() != win->cpu;
	win->open = false;
	win->closed = true;
	if (win->fifo)
		sc_fifo(false);
	win->fifo = false;
}

/* Run one step on the calling (worker) thread. */
static int sc_exec(struct sc_worker *w, const struct sc_step *st)
{
	struct sc_ctx *c = w->ctx;
	const char *p = c->base + st->off;
	unsigned int i, n = sc_npages(st);

	/*
	 * A sleepy reader also sleeps right before its check: the futex
	 * wait alone is skipped when the check is posted before the
	 * worker got there (its virtual CPU held up by the host), and the
	 * window then has no switch.  Here every step before the check is
	 * done, the tlb_gen bump among them.
	 */
	if (c->sleepy && (st->action == SC_CHECK || st->action == SC_CHECK_WRITE))
		usleep(1000);
	switch (st->action) {
	case SC_READ:
	case SC_CHECK:
		if (st->action == SC_READ)
			sc_win_prime(w);
		for (i = 0; i < n; i++)
			w->got[i] = tlbh_read(p + i * TLBH_PG);
		if (st->action == SC_READ) {
			sc_win_primed(w);
			w->spin = true;
		} else {
			sc_win_checked(w);
			w->spin = false;
		}
		return 0;
	case SC_WRITE:
	case SC_CHECK_WRITE:
		if (st->action == SC_WRITE)
			sc_win_prime(w);
		for (i = 0; i < n; i++)
			w->wrote[i] = !tlbh_write((uint64_t *)(p + i * TLBH_PG) +
						  SC_WRITE_WORD, i + 1);
		if (st->action == SC_WRITE) {
			sc_win_primed(w);
			w->spin = true;
		} else {
			sc_win_checked(w);
			w->spin = false;
		}
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

static struct sc_worker *sc_worker_of(struct sc_ctx *c, const struct sc_step *st)
{
	return &c->w[c->one_cpu ? 0 : st->role];
}

static void sc_conduct(struct sc_ctx *c, struct sc_worker *me);

static void *sc_worker_fn(void *arg)
{
	struct sc_worker *w = arg;
	unsigned int seen = 0, s;

	tlbh_pin(w->cpu);
	sc_fifo(false);		/* not the creator's policy */
	while (!atomic_load(&w->ctx->stop)) {
		s = atomic_load_explicit(&w->post, memory_order_acquire);
		if (s == seen) {
			if (w->spin && !w->ctx->sleepy)
				sched_yield();
			else
				sc_futex_wait(&w->post, seen);
			continue;
		}
		seen = s;
		if (atomic_load(&w->ctx->stop))
			break;
		if (w->ctx->fast) {
			sc_conduct(w->ctx, w);
			continue;
		}
		w->ret = sc_exec(w, w->step);
		atomic_store_explicit(&w->done, s, memory_order_release);
		sc_futex_wake(&w->done);
	}
	if (w->win.fifo)
		sc_fifo(false);
	return NULL;
}

/* Classic: post @st to its role's worker and wait until it is done. */
static int sc_do(struct sc_ctx *c, const struct sc_step *st)
{
	struct sc_worker *w = sc_worker_of(c, st);
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
 * goes to the next CPU when there is one.  @roles gets the workers'
 * CPUs, @others the rest.
 */
static int sc_start(struct sc_ctx *c, unsigned int nr, bool one_cpu,
		    bool spin, cpu_set_t *saved, cpu_set_t *roles,
		    cpu_set_t *others)
{
	int cpus[CPU_SETSIZE];
	int n = sc_cpus(cpus, CPU_SETSIZE);
	unsigned int i;
	cpu_set_t set;
	int k;

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
	CPU_ZERO(roles);
	CPU_ZERO(others);
	for (k = 0; k < n; k++)
		CPU_SET(cpus[k], k < (int)c->nr_workers ? roles : others);
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

/* ------------------------------------------------------------------ */
/* Spaces                                                              */

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

/*
 * Can an iteration reuse the space the last one ran on, and see what it
 * would see on a fresh one?  The state a space keeps across commands
 * that the ABI cannot clear is the engine's: a reclaim batch's pending
 * generation (tlb_flush_batched: RECLAIM with BATCH), what LUF owes
 * (the luf rule), a held operation not resumed; and a parked table not
 * yet released while a new one is needed (a held UNMAP), which a fresh
 * space pays with a drain and a reused one would take from the tables
 * the last cleanup parked.  Anything else is cleared by sc_space_clean
 * and checked there.
 */
static bool sc_reuse_ok(const struct scenario *sc, uint64_t rules)
{
	unsigned int i, holds = 0, resumes = 0;

	if (rules & TLBH_RULE_LUF)
		return false;
	for (i = 0; i < sc->nr_steps; i++) {
		const struct sc_step *st = &sc->steps[i];

		if (st->action == SC_RECLAIM && (st->flags & TLBH_RECLAIM_BATCH))
			return false;
		if (st->action == SC_UNMAP && (st->flags & TLBH_HOLD))
			return false;
		if (st->action == SC_RESUME)
			resumes++;
		else if (st->flags & TLBH_HOLD)
			holds++;
	}
	return holds == resumes;
}

/* Pages one iteration may quarantine at most (everything it maps). */
static uint64_t sc_quarantine_bound(const struct scenario *sc)
{
	uint64_t pages = 0;
	unsigned int i;

	for (i = 0; i < sc->nr_steps; i++)
		if (sc->steps[i].action == SC_POPULATE ||
		    sc->steps[i].action == SC_REMAP)
			pages += sc->steps[i].len / TLBH_PG;
	return pages;
}

/*
 * Bring a space an iteration ran on back to what a fresh one shows the
 * next: every page unmapped (UNMAP over the data area, which also parks
 * the tables and, like the munmap of a fresh run, pays what the rule
 * set flushes), no CPU with an entry of it (under a BUGGY rule set,
 * which may not flush what it unmaps, an engine flush of the mm on top:
 * lazy CPUs catch up by tlb_gen as after a munmap), the quarantine
 * drained before it could fill up within the next iteration (a drain
 * forced in the middle of one would be a flush the fresh run does not
 * have), counters reset.  -1 when the space does not come back clean
 * (a page outside every harness VMA, which no command unmaps): the run
 * goes on with fresh spaces.
 */
static int sc_space_clean(struct sc_ctx *c)
{
	struct tlbh_space_info si;
	uint64_t cnt[TLBH_CNT_NR];

	if (tlbh_range_cmd(c->fd, TLBH_IOC_UNMAP, 0, c->size / 2, 0, NULL))
		return -1;
	/* A fixed rule set flushes what it unmaps; a buggy one may not. */
	if (c->var->expect == SC_BUGGY &&
	    tlbh_range_cmd(c->fd, TLBH_IOC_FLUSH, 0, 0, TLBH_FLUSH_MM, NULL))
		return -1;
	memset(&si, 0, sizeof(si));
	if (tlbh_ioctl(c->fd, TLBH_IOC_SPACE_INFO, &si) ||
	    si.pages != si.quarantined || si.tables)
		return -1;
	if (si.quarantined &&
	    si.quarantined + c->quarantine_bound >= c->max_quarantine &&
	    tlbh_range_cmd(c->fd, TLBH_IOC_DRAIN, 0, 0, 0, NULL))
		return -1;
	return sc_counters(c, cnt);
}

static uint64_t sc_max_quarantine(void)
{
	char buf[64];

	if (sc_read_file(SC_MAX_QUARANTINE, buf, sizeof(buf)))
		return 4096;	/* the module's default */
	return strtoull(buf, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* The sequencer                                                       */

/* Evaluate a CHECK step just executed: the number of stale pages. */
static int sc_check(struct sc_ctx *c, const struct sc_step *st,
		    unsigned int *checked)
{
	struct sc_worker *w = sc_worker_of(c, st);
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

/* tlb_gen bumps (the engine's and the drains') and flushes on @cpu. */
static void sc_marks(struct sc_ctx *c, int cpu, uint64_t *gen,
		     uint64_t *handled)
{
	struct tlbh_counters cnt = { 0 };
	struct tlbh_cpu_counters cc = { .cpu = cpu };

	*gen = *handled = 0;
	if (!tlbh_ioctl(c->fd, TLBH_IOC_COUNTERS, &cnt))
		*gen = cnt.c[TLBH_CNT_TLB_GEN] + cnt.c[TLBH_CNT_DRAINS];
	if (cpu >= 0 && !tlbh_ioctl(c->fd, TLBH_IOC_CPU_COUNTERS, &cc))
		*handled = cc.handled;
}

static const char *sc_step_name(const struct sc_step *st)
{
	return sc_action_name(st->action);
}

static bool sc_is_check(const struct sc_step *st)
{
	return st->action == SC_CHECK || st->action == SC_CHECK_WRITE;
}

static void sc_seq_fail(struct sc_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sc_seq_fail(struct sc_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->r->msg, sizeof(c->r->msg), fmt, ap);
	va_end(ap);
	c->seq.failed = true;
}

/*
 * Classic mode: the main thread, which posts the steps of a window,
 * runs SCHED_FIFO while one is open, so that nothing on its CPU delays
 * them (and in the one-CPU form so that the reader, spinning there at
 * the same priority, takes turns with it); only then, so that neither
 * CPU is busy with real-time work for long enough to be throttled.
 */
static void sc_main_fifo(struct sc_ctx *c, int delta)
{
	if (c->fast || !c->protect)
		return;
	c->windows_open += delta;
	if (c->windows_open > 0 && !c->main_fifo)
		c->main_fifo = !sc_fifo(true);
	else if (c->windows_open <= 0 && c->main_fifo)
		c->main_fifo = !!sc_fifo(false);
}

/* The next step to execute, NULL at the end of the iteration. */
static const struct sc_step *sc_seq_next(struct sc_ctx *c)
{
	struct sc_seq *q = &c->seq;
	const struct scenario *sc = c->sc;
	const struct sc_step *st;

	if (q->failed)
		return NULL;
	if (q->retrying) {
		if (q->k < q->nb) {
			q->cur_retry = true;
			return q->blocked[q->k];
		}
		q->retrying = false;
	}
	if (q->j < sc->nr_steps) {
		st = &sc->steps[q->j];
		q->cur_retry = false;
		/* before the worker spins at SCHED_FIFO, maybe on this CPU */
		if ((st->action == SC_READ || st->action == SC_WRITE) &&
		    !sc_worker_of(c, st)->win.open)
			sc_main_fifo(c, +1);
		if (sc_is_check(st) && c->account) {
			struct sc_worker *w = sc_worker_of(c, st);

			if (w->win.open)
				sc_marks(c, w->win.cpu, &w->win.gen_end,
					 &w->win.handled_end);
		}
		return st;
	}
	if (q->nb)
		sc_seq_fail(c, "%s:%u: iteration %u: %s by %c still blocked at the end",
			    sc->path, q->blocked[0]->line, c->it,
			    sc_step_name(q->blocked[0]), 'A' + q->blocked[0]->role);
	return NULL;
}

/* Close the window a CHECK just ended, into the iteration's record. */
static void sc_seq_window(struct sc_ctx *c, struct sc_worker *w)
{
	struct sc_win *win = &w->win;
	struct sc_itwin *iw = &c->itw;
	struct sc_result *r = c->r;

	if (!win->closed)
		return;
	win->closed = false;
	sc_main_fifo(c, -1);
	iw->n++;
	r->windows++;
	if (win->vol || win->invol)
		r->win_switched++;
	r->win_migrated += win->migrated;
	iw->vol |= win->vol;
	iw->invol |= win->invol;
	iw->migrated |= win->migrated;
	if (c->account) {
		iw->gen |= win->gen_end != win->gen;
		iw->flushed |= win->handled_end != win->handled;
	}
}

/* The step the sequencer handed out is done with @ret. */
static void sc_seq_done(struct sc_ctx *c, const struct sc_step *st, int ret)
{
	struct sc_seq *q = &c->seq;
	const struct scenario *sc = c->sc;
	struct sc_worker *w = sc_worker_of(c, st);
	int stale;

	if (q->cur_retry) {
		if (ret == -EBUSY) {
			q->k++;
			return;
		}
		if (ret) {
			sc_seq_fail(c, "%s:%u: iteration %u: blocked %s by %c: %s",
				    sc->path, st->line, c->it, sc_step_name(st),
				    'A' + st->role, strerror(-ret));
			return;
		}
		q->blocked[q->k] = q->blocked[--q->nb];
		return;
	}
	q->j++;
	if (ret == -EBUSY && st->may_block) {
		q->blocked[q->nb++] = st;
		c->r->blocked++;
		return;
	}
	if (ret) {
		sc_seq_fail(c, "%s:%u: iteration %u step %u (%s by %c): %s",
			    sc->path, st->line, c->it, q->j, sc_step_name(st),
			    'A' + st->role, strerror(-ret));
		return;
	}
	if (w->win.opened) {
		w->win.opened = false;
		if (c->account)
			sc_marks(c, w->win.cpu, &w->win.gen, &w->win.handled);
	}
	if (sc_is_check(st)) {
		stale = sc_check(c, st, &c->r->checks);
		if (stale < 0) {
			sc_seq_fail(c, "iteration %u: snapshot failed", c->it);
			return;
		}
		q->stale += stale;
		sc_seq_window(c, w);
	}
	/* The lock holders may have let go: retry the parked steps. */
	q->retrying = q->nb > 0;
	q->k = 0;
}

static int sc_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v[@n], sorting @v. */
static double sc_median(double *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), sc_cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of @v[@n], which stays in its order. */
static double sc_median_copy(const double *v, unsigned int n)
{
	double *tmp = n ? malloc(n * sizeof(*v)) : NULL, m;

	if (!tmp)
		return 0;
	memcpy(tmp, v, n * sizeof(*v));
	m = sc_median(tmp, n);
	free(tmp);
	return m;
}

/* ------------------------------------------------------------------ */
/* Iterations                                                          */

static int sc_iter_begin(struct sc_ctx *c)
{
	const struct scenario *sc = c->sc;
	struct sc_result *r = c->r;

	c->it++;
	memset(&c->seq, 0, sizeof(c->seq));
	memset(&c->itw, 0, sizeof(c->itw));
	if (c->fd >= 0 && c->reuse) {
		if (!sc_space_clean(c)) {
			r->reused++;
			return 0;
		}
		c->reuse = false;	/* not clean: fresh spaces from now */
	}
	sc_space_close(c);
	if (sc_space_open(c, sc->space_size ? sc->space_size :
			  SC_DEFAULT_SPACE, c->rules, sc->nr_vmas, sc->vmas,
			  r->msg, sizeof(r->msg)))
		return -1;
	r->fresh++;
	return 0;
}

/* Classify a BUGGY stale iteration that showed nothing. */
static void sc_iter_miss(struct sc_ctx *c)
{
	struct sc_itwin *iw = &c->itw;
	struct sc_result *r = c->r;
	enum sc_miss m;

	if (iw->migrated)
		m = SC_MISS_MIGRATED;
	else if (iw->invol)
		m = SC_MISS_INVOL;
	else if (iw->vol)
		m = SC_MISS_VOL;
	else if (iw->flushed)
		m = SC_MISS_FLUSHED;
	else
		m = SC_MISS_NONE;
	r->misses++;
	r->miss[m]++;
	r->miss_gen += iw->gen;
}

/* The iteration's steps are done: true when the run is over. */
static bool sc_iter_end(struct sc_ctx *c)
{
	const struct scenario *sc = c->sc;
	struct sc_result *r = c->r;
	uint64_t *cnt = c->cnt;
	unsigned int stale = c->seq.stale;
	bool event;

	if (c->seq.failed) {
		r->error = 1;
		return true;
	}
	if (sc_counters(c, cnt)) {
		snprintf(r->msg, sizeof(r->msg), "iteration %u: counters", c->it);
		r->error = 1;
		return true;
	}
	if (!c->reuse)
		sc_space_close(c);
	r->iters = c->it;
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
		if (!stale && c->var->expect == SC_BUGGY)
			sc_iter_miss(c);
		break;
	case SC_OUT_VIOLATION:
		event = cnt[TLBH_CNT_VIOLATIONS];
		break;
	default:
		event = stale || cnt[TLBH_CNT_VIOLATIONS];
	}
	if (event) {
		double now = sc_now_ms() - c->t0;

		if (!c->nev) {
			r->first_iter = c->it;
			r->first_ms = now;
		}
		if (c->nev < SC_MAX_GAPS) {
			c->gap_it[c->nev] = c->it - c->last_it;
			r->gaps_ms[c->nev] = now - c->last_ms;
			r->nr_gaps = c->nev + 1;
		}
		c->nev++;
		c->last_it = c->it;
		c->last_ms = now;
	}
	return c->it >= c->iters;
}

/* End the iteration and begin the next: false when the run is over. */
static bool sc_iter_next(struct sc_ctx *c)
{
	if (sc_iter_end(c))
		return false;
	if (sc_iter_begin(c)) {
		c->r->error = 1;
		return false;
	}
	return true;
}

/*
 * Fast mode: the token holder runs the sequencer until the next step
 * belongs to another worker, and hands it over; at the end of an
 * iteration it starts the next one, at the end of the run it wakes the
 * main thread.  @me is NULL for the main thread, which only starts.
 */
static void sc_conduct(struct sc_ctx *c, struct sc_worker *me)
{
	const struct sc_step *st;
	struct sc_worker *w;

	for (;;) {
		st = c->next;
		if (!st)
			st = sc_seq_next(c);
		if (!st) {
			if (!sc_iter_next(c)) {
				atomic_store_explicit(&c->finished, 1,
						      memory_order_release);
				sc_futex_wake(&c->finished);
				return;
			}
			continue;
		}
		w = sc_worker_of(c, st);
		if (w != me) {
			c->next = st;
			atomic_fetch_add_explicit(&w->post, 1,
						  memory_order_release);
			if (!w->spin || c->sleepy)
				sc_futex_wake(&w->post);
			return;
		}
		c->next = NULL;
		sc_seq_done(c, st, sc_exec(w, st));
	}
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

/* The rules in force under @rules: the named policy's, added, dropped. */
static uint64_t sc_rules_of(int fd, const struct sc_rules *rules)
{
	struct tlbh_policy_info pi = { .policy = rules->policy };

	if (tlbh_ioctl(fd, TLBH_IOC_POLICY_INFO, &pi))
		return ~0ULL;	/* unknown: assume the worst */
	return (pi.rules | rules->add) & ~rules->drop;
}

void sc_result_free(struct sc_result *r)
{
	free(r->gaps_ms);
	r->gaps_ms = NULL;
	r->nr_gaps = 0;
}

/* Protect the run's windows: @r->protection says what was done. */
static void sc_protect(struct sc_ctx *c, const cpu_set_t *roles,
		       const cpu_set_t *others, struct sc_result *r)
{
	unsigned int moved;
	int err;

	if (!c->protect) {
		snprintf(r->protection, sizeof(r->protection), "unprotected");
		return;
	}
	/* Can we?  The main thread takes it again while a window is open. */
	err = sc_fifo(true);
	if (err) {
		c->protect = false;
		snprintf(r->protection, sizeof(r->protection),
			 "unprotected: SCHED_FIFO refused (%s)", strerror(err));
		return;
	}
	sc_fifo(false);
	moved = sc_isolate(roles, others);
	/*
	 * No huge page in this mm: khugepaged would flush it from under the
	 * reader (a kernel flush_tlb_func that finds tlb_gen ahead flushes
	 * everything), and the emulator flushes a CPU's whole TLB for an
	 * INVLPG inside the span of the huge pages it has seen.
	 */
	sc_moved.thp_off = sc_moved.thp_off || !prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	snprintf(r->protection, sizeof(r->protection),
		 "SCHED_FIFO %d in the windows, %u tasks%s%s moved off the role CPUs%s%s",
		 SC_FIFO_PRIO, moved, sc_moved.wq_old[0] ? ", unbound workqueues" : "",
		 sc_moved.wd_old[0] ? ", watchdog" : "",
		 CPU_COUNT(others) ? "" : " (no CPU left for them)",
		 sc_moved.thp_off ? ", no THP" : "");
}

static void sc_unprotect(struct sc_ctx *c)
{
	if (!c->protect)
		return;
	if (c->main_fifo)
		sc_fifo(false);
	sc_unisolate();
}

int sc_run(const struct scenario *sc, const struct sc_variant *var,
	   unsigned int iters, struct sc_result *r)
{
	const char *forced = getenv("TLBH_SCENARIO_POLICY");
	struct sc_ruleset forced_rs;
	const struct sc_ruleset *rs = &var->rs;
	struct sc_rules rules;
	char err[SC_ERR_MAX / 2];
	cpu_set_t saved, roles, others;
	const struct sc_step *st;
	uint64_t features, in_force = ~0ULL;
	struct sc_ctx *c;
	int fd, ret = 0;

	sc_opts_init();
	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->var = var;
	r->fast = sc_opts.fast;
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
	if (!ret)
		in_force = sc_rules_of(fd, &rules);
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
	c = calloc(1, sizeof(*c));
	r->gaps_ms = calloc(iters < SC_MAX_GAPS ? iters + 1 : SC_MAX_GAPS,
			    sizeof(double));
	if (!c || !r->gaps_ms ||
	    sc_start(c, sc->nr_roles, sc->one_cpu, false, &saved, &roles,
		     &others)) {
		r->error = 1;
		snprintf(r->msg, sizeof(r->msg), "cannot start the workers");
		if (c && c->nr_workers)
			sc_stop(c, &saved);
		free(c);
		sc_result_free(r);
		return -1;
	}
	c->gap_it = calloc(iters < SC_MAX_GAPS ? iters + 1 : SC_MAX_GAPS,
			   sizeof(double));
	c->sc = sc;
	c->var = var;
	c->rules = &rules;
	c->r = r;
	c->iters = iters;
	c->protect = !sc_opts.unprotected;
	c->account = var->expect == SC_BUGGY && sc->outcome == SC_OUT_STALE;
	c->sleepy = sc_opts.sleepy_readers;
	c->fast = sc_opts.fast;
	c->reuse = c->fast && !sc_opts.no_reuse && sc_reuse_ok(sc, in_force);
	c->quarantine_bound = sc_quarantine_bound(sc);
	c->max_quarantine = sc_max_quarantine();
	sc_protect(c, &roles, &others, r);
	CPU_SET(sched_getcpu(), &roles);	/* the main thread's, pinned */
	sc_evict(&roles);
	tlbh_catch_sigbus();
	c->t0 = sc_now_ms();
	if (!c->gap_it) {
		r->error = 1;
		snprintf(r->msg, sizeof(r->msg), "out of memory");
	} else if (sc_iter_begin(c)) {
		r->error = 1;
	} else if (c->fast) {
		sc_conduct(c, NULL);
		while (!atomic_load_explicit(&c->finished, memory_order_acquire))
			sc_futex_wait(&c->finished, 0);
	} else {
		do {
			while ((st = sc_seq_next(c)))
				sc_seq_done(c, st, sc_do(c, st));
		} while (sc_iter_next(c));
	}
	r->ms = sc_now_ms() - c->t0;
	sc_space_close(c);
	sc_unprotect(c);
	r->median_iters = sc_median(c->gap_it, r->nr_gaps);
	r->median_ms = sc_median_copy(r->gaps_ms, r->nr_gaps);
	sc_stop(c, &saved);
	free(c->gap_it);
	free(c);
	return r->error ? -1 : 0;
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
	unsigned int m;

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
	fprintf(f, ", %u checks, %.1f s", r->checks, r->ms / 1e3);
	fprintf(f, "; windows %u, reader switched out in %u%s, migrated in %u",
		r->windows, r->win_switched,
		r->sc->one_cpu && !r->fast ?
			" (one CPU: the main thread's turns are switches too)" : "",
		r->win_migrated);
	if (r->misses) {
		fprintf(f, "; missed %u:", r->misses);
		for (m = 0; m < SC_MISS_NR; m++)
			if (r->miss[m])
				fprintf(f, " %s %u,", sc_miss_name(m), r->miss[m]);
		fprintf(f, " tlb_gen bumped in the window of %u", r->miss_gen);
	}
	fprintf(f, "; %s", r->protection);
	if (r->fast)
		fprintf(f, "; fast, space reused %u, fresh %u", r->reused,
			r->fresh);
	fprintf(f, "%s%s\n", r->error ? ", ERROR: " : "",
		r->error ? r->msg : "");
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
	cpu_set_t saved, roles, others;
	struct sc_ctx *c = calloc(1, sizeof(*c));
	double t;
	int ret = 0, nw = sc_nr_cpus() - 1;

	if (!rg || !c) {
		free(rg);
		free(c);
		return -1;
	}
	if (nr_ranges * stride > SC_BATCH_SPACE / 2)
		nr_ranges = SC_BATCH_SPACE / 2 / stride;
	nw = nw < 1 ? 1 : nw > 3 ? 3 : nw;
	if (sc_start(c, nw, false, true, &saved, &roles, &others)) {
		snprintf(msg, msglen, "cannot start the workers");
		if (c->nr_workers)
			sc_stop(c, &saved);
		free(rg);
		free(c);
		return -1;
	}
	if (sc_space_open(c, SC_BATCH_SPACE, NULL, 0, NULL, msg, msglen)) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < nr_batches && !ret; i++) {
		struct sc_batch_row *row = &rows[i];

		b = batches[i];
		memset(row, 0, sizeof(*row));
		row->batch = b;
		row->ranges = nr_ranges;
		if (tlbh_range_cmd(c->fd, TLBH_IOC_POPULATE, 0, c->size / 2, 0, NULL) ||
		    tlbh_range_cmd(c->fd, TLBH_IOC_DRAIN, 0, 0, 0, NULL) ||
		    sc_counters(c, cnt)) {
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
				ret = tlbh_range_cmd(c->fd, TLBH_IOC_ZAP, done * stride,
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
				ret = tlbh_ioctl(c->fd, TLBH_IOC_ZAP_BATCH, &rb);
			}
			row->calls++;
		}
		row->ms = sc_now_ms() - t;
		if (ret || sc_counters(c, cnt)) {
			snprintf(msg, msglen, "batch %u: %s", b,
				 strerror(ret ? -ret : errno));
			ret = -1;
			break;
		}
		row->flushes = cnt[TLBH_CNT_FLUSH_RANGE] + cnt[TLBH_CNT_FLUSH_ALL];
		row->ipis = cnt[TLBH_CNT_IPIS];
		row->pages = cnt[TLBH_CNT_PAGES_INVALIDATED];
	}
	sc_space_close(c);
out:
	sc_stop(c, &saved);
	free(rg);
	free(c);
	return ret ? -1 : (int)i;
}
