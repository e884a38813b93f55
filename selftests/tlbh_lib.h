/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_lib.h - the scaffolding the tlbh selftests share, written once.
 * By concern:
 *
 *   device    TLBH_PATH; tlbh_ioctl(): 0 or -errno, retried on EINTR;
 *             tlbh_range_cmd(): one command taking a struct tlbh_range
 *   main      TLBH_TEST_HARNESS_MAIN: the main() of a tlbh kselftest,
 *             exit 4 (skip) when /dev/tlbh is absent
 *   spaces    tlbh_map_space(), tlbh_open_space(), tlbh_pool_pages()
 *   faults    tlbh_catch_sigbus(), tlbh_read(), tlbh_write(): touch a
 *             page of a space and survive SIGBUS/SIGSEGV
 *   policies  tlbh_policy_lookup(), tlbh_set_policy(): a policy by name,
 *             where a name the module does not know is an error (a
 *             mistyped name fails its test, it never skips)
 *   CPUs      tlbh_pin(); the pinned-reader protocol (struct
 *             tlbh_readers): one thread per CPU, pinned there, reading
 *             one address at every phase the test posts and spinning in
 *             between, so that its CPU keeps the mm, and its TLB
 *             entries, loaded
 *
 * Header only, so that every test, and the bpftrace workload
 * (tools/bpftrace/tlbh-crosscheck.c), builds from a single source file.
 */
#ifndef _TLBH_LIB_H
#define _TLBH_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/tlbh.h>

#define TLBH_PATH	"/dev/" TLBH_DEVICE_NAME
#define TLBH_PG		4096UL

/* ---- device ------------------------------------------------------- */

/* ioctl() returning 0 or -errno, retried on EINTR. */
static inline int tlbh_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

/*
 * A command taking a struct tlbh_range (POPULATE, REMAP, FLUSH, ZAP,
 * UNMAP, MPROTECT, RESUME, ...): 0 or -errno; its @out word in *@out
 * when @out is not NULL.
 */
static inline int tlbh_range_cmd(int fd, unsigned long cmd, uint64_t off,
				 uint64_t len, uint64_t flags, uint64_t *out)
{
	struct tlbh_range r = { .offset = off, .length = len, .flags = flags };
	int ret = tlbh_ioctl(fd, cmd, &r);

	if (out)
		*out = r.out;
	return ret;
}

/* ---- main --------------------------------------------------------- */

/*
 * The main() of a tlbh kselftest, in place of TEST_HARNESS_MAIN (and,
 * like it, after #include "kselftest_harness.h"): without /dev/tlbh,
 * i.e. tlbh.ko not loaded, a skip plan and exit 4 (KSFT_SKIP).
 */
#define TLBH_TEST_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		if (access(TLBH_PATH, F_OK)) {				\
			ksft_print_header();				\
			ksft_exit_skip("%s is absent: load tlbh.ko first\n", \
				       TLBH_PATH);			\
		}							\
		return test_harness_run(argc, argv);			\
	}

/* ---- spaces ------------------------------------------------------- */

/*
 * Map a space of @size bytes on @fd: reserve twice the size, pick the
 * first address aligned to the size (a power of two up to 1 GiB keeps the
 * space inside one PUD), and map the device there with MAP_FIXED.
 */
static inline void *tlbh_map_space(int fd, size_t size)
{
	size_t align = size, span;
	uintptr_t a;
	void *res, *p;

	while (align & (align - 1))
		align += align & -align;
	span = size + align;
	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	a = ((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1);
	p = mmap((void *)a, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		munmap(res, span);
		return MAP_FAILED;
	}
	if (a > (uintptr_t)res)
		munmap(res, a - (uintptr_t)res);
	if ((uintptr_t)res + span > a + size)
		munmap((void *)(a + size), (uintptr_t)res + span - a - size);
	return p;
}

/*
 * Open /dev/tlbh and map a space of @size bytes on it at *@base: the
 * file descriptor, or -errno of whichever step failed.
 */
static inline int tlbh_open_space(size_t size, char **base)
{
	int fd = open(TLBH_PATH, O_RDWR | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	*base = tlbh_map_space(fd, size);
	if (*base == MAP_FAILED) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* Identity of the page mapped at @off (0: none), or ~0 on error. */
static inline uint64_t tlbh_mapped_id(int fd, uint64_t off)
{
	struct tlbh_snap_entry e = { 0 };
	struct tlbh_snapshot s = { .offset = off, .npages = 1,
				   .entries = (uintptr_t)&e };

	if (tlbh_ioctl(fd, TLBH_IOC_SNAPSHOT, &s))
		return ~0ULL;
	return e.identity;
}

/* Pages the module's pool holds for all spaces, or ~0 on error. */
static inline uint64_t tlbh_pool_pages(int fd)
{
	struct tlbh_pool p;

	memset(&p, 0, sizeof(p));
	if (tlbh_ioctl(fd, TLBH_IOC_POOL, &p))
		return ~0ULL;
	return p.pool_pages;
}

/* ---- faults ------------------------------------------------------- */

static __thread sigjmp_buf tlbh_jmp;
static __thread volatile int tlbh_jmp_armed;

static void tlbh_sigbus(int sig)
{
	if (tlbh_jmp_armed)
		siglongjmp(tlbh_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Route SIGBUS and SIGSEGV to tlbh_read()/tlbh_write() (per process). */
static inline void tlbh_catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tlbh_sigbus;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* First word of the page at @p, or 0 when the read faulted. */
static inline uint64_t tlbh_read(const void *p)
{
	uint64_t v = 0;

	if (sigsetjmp(tlbh_jmp, 1) == 0) {
		tlbh_jmp_armed = 1;
		v = *(const volatile uint64_t *)p;
	}
	tlbh_jmp_armed = 0;
	return v;
}

/* Write @v at @p: 0, or -1 when the write faulted. */
static inline int tlbh_write(void *p, uint64_t v)
{
	int ret = -1;

	if (sigsetjmp(tlbh_jmp, 1) == 0) {
		tlbh_jmp_armed = 1;
		*(volatile uint64_t *)p = v;
		ret = 0;
	}
	tlbh_jmp_armed = 0;
	return ret;
}

/* ---- policies ----------------------------------------------------- */

/*
 * The 1-based index of the policy called @name, in *@index: 0; -ENOENT
 * when the module knows no policy of that name; or the -errno of
 * TLBH_IOC_POLICY_INFO.  A test asking for a policy by name treats every
 * non-zero return as its failure: the module's policy set is fixed, so a
 * name it does not know is a typo or a lost policy, not a reason to skip.
 */
static inline int tlbh_policy_lookup(int fd, const char *name,
				     uint64_t *index)
{
	struct tlbh_policy_info pi;
	uint64_t i, n = 1;
	int ret;

	if (strlen(name) >= sizeof(pi.name))
		return -ENOENT;
	/* The first answer tells how many there are (an error copies none). */
	for (i = 1; i <= n; i++) {
		memset(&pi, 0, sizeof(pi));
		pi.policy = i;
		ret = tlbh_ioctl(fd, TLBH_IOC_POLICY_INFO, &pi);
		if (ret == -EINVAL && i == 1)
			return -ENOENT;		/* no policy at all */
		if (ret)
			return ret;
		n = pi.nr_policies;
		((char *)pi.name)[sizeof(pi.name) - 1] = '\0';
		if (!strcmp((const char *)pi.name, name)) {
			*index = i;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Select the policy called @name on @fd's space; @pa gets what
 * TLBH_IOC_SET_POLICY returns.  0, -ENOENT (no such policy) or -errno.
 */
static inline int tlbh_set_policy(int fd, const char *name,
				  struct tlbh_policy_arg *pa)
{
	uint64_t index;
	int ret = tlbh_policy_lookup(fd, name, &index);

	if (ret)
		return ret;
	memset(pa, 0, sizeof(*pa));
	pa->policy = index;
	return tlbh_ioctl(fd, TLBH_IOC_SET_POLICY, pa);
}

/* What a non-zero return of the two above means, for a test's log. */
static inline const char *tlbh_policy_strerror(int ret)
{
	return ret == -ENOENT ? "the module knows no policy of that name" :
				strerror(-ret);
}

/*
 * The index of the policy called @name, 0 when there is none or on any
 * error.  Kept for the scenario runner until it moves to
 * tlbh_policy_lookup(); a caller must fail, not skip, on 0.
 */
static inline uint64_t tlbh_policy_index(int fd, const char *name)
{
	uint64_t index;

	return tlbh_policy_lookup(fd, name, &index) ? 0 : index;
}

/* ---- CPUs --------------------------------------------------------- */

/* Pin the calling thread to @cpu: 0 or an errno (pthread style). */
static inline int tlbh_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/*
 * The pinned-reader protocol.  tlbh_readers_start() starts @n threads on
 * CPUs @first_cpu.. and returns once every one runs pinned on its CPU.
 * The test then posts phases 1, 2, ... (at most TLBH_READER_PHASES - 1)
 * in order with tlbh_readers_step(): every reader reads the first word
 * of @addr once, into got[reader][phase], and the step returns when all
 * have.  Between phases a reader spins (sched_yield), so its CPU stays
 * in the test's mm: an idle CPU may switch away from it and, without
 * PCID, lose the TLB entries a later read is meant to find.  With @addr
 * NULL the readers only spin (a flush then has to reach their CPUs).
 * With @span, a reader spinning between phases keeps reading pages of
 * [@addr, @addr + @span) at random: load under a stress test.
 * tlbh_readers_stop() ends and joins them.
 *
 * Readers of @addr without @span read, change, read again: each phase's
 * read is the check of the one before, and the readers keep their
 * entries from one to the next only if nothing else runs on their CPUs
 * (a context switch to another mm flushes the TLB without PCID; a
 * return from lazy TLB mode after a tlb_gen bump flushes it too).  So
 * they are protected for their life: SCHED_FIFO (TLBH_READER_PRIO), and
 * the calling thread, which must still run to post the phases, too, at
 * the same priority and pinned to the last reader's CPU (the two take
 * turns there by sched_yield; a switch between two threads of one mm
 * flushes nothing).  TLBH_READERS_PROTECT=0 in the environment turns
 * this off.  Each read also records the reader's context switches
 * (getrusage RUSAGE_THREAD) and CPU, so that a read which missed an
 * entry it should have found can say why: tlbh_reader_why().  Readers
 * that only spin, or read at random, run SCHED_OTHER, and so do the
 * readers of tlbh_readers_start_beside_probe(): a probe needs a kernel
 * worker on their CPUs, which SCHED_FIFO readers that never sleep would
 * hold off until the real-time throttling lets it run (seconds a probe).
 */
#define TLBH_MAX_READERS	8
#define TLBH_READER_PHASES	4
#define TLBH_READER_PRIO	51	/* above PREEMPT_RT's irq threads */

struct tlbh_readers;

struct tlbh_reader {
	struct tlbh_readers *r;
	int i;
	int cpu;
	int pin_err;
	pthread_t t;
	/* at each phase's read: context switches so far, CPU */
	long vcsw[TLBH_READER_PHASES], ivcsw[TLBH_READER_PHASES];
	int rcpu[TLBH_READER_PHASES];
};

struct tlbh_readers {
	int n;
	const char *addr;
	size_t span;
	atomic_int phase;	/* last phase posted; -1: stop */
	atomic_int done;	/* n once all are pinned, + n per phase */
	struct tlbh_reader rd[TLBH_MAX_READERS];
	uint64_t got[TLBH_MAX_READERS][TLBH_READER_PHASES];
	/* protection: 0 off, 1 on, -errno when SCHED_FIFO was refused */
	int protect;
	bool beside_probe;	/* unprotected: a probe runs on their CPUs */
	int caller_policy;
	struct sched_param caller_param;
	cpu_set_t caller_cpus;
};

static inline void tlbh_reader_mark(struct tlbh_reader *me, int ph)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		memset(&ru, 0, sizeof(ru));
	me->vcsw[ph] = ru.ru_nvcsw;
	me->ivcsw[ph] = ru.ru_nivcsw;
	me->rcpu[ph] = sched_getcpu();
}

static inline void *tlbh_reader_fn(void *arg)
{
	struct tlbh_reader *me = arg;
	struct tlbh_readers *r = me->r;
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (me->i + 1);
	struct sched_param sp = { .sched_priority = TLBH_READER_PRIO };
	volatile uint64_t sink = 0;
	int seen = 0, ph;

	me->pin_err = tlbh_pin(me->cpu);
	if (r->protect > 0 && !me->pin_err)
		me->pin_err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	atomic_fetch_add(&r->done, 1);
	for (;;) {
		ph = atomic_load(&r->phase);
		if (ph < 0)
			break;
		if (ph == seen && r->span) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			sink += tlbh_read(r->addr +
					  seed % (r->span / TLBH_PG) * TLBH_PG);
			continue;
		}
		if (ph == seen) {
			sched_yield();
			continue;
		}
		if (r->addr && ph < TLBH_READER_PHASES) {
			r->got[me->i][ph] = tlbh_read(r->addr);
			tlbh_reader_mark(me, ph);
		}
		seen = ph;
		atomic_fetch_add(&r->done, 1);
	}
	(void)sink;
	return NULL;
}

/* The caller back to what it was before tlbh_readers_start(). */
static inline void tlbh_readers_unprotect(struct tlbh_readers *r)
{
	if (r->protect <= 0)
		return;
	pthread_setschedparam(pthread_self(), r->caller_policy,
			      &r->caller_param);
	pthread_setaffinity_np(pthread_self(), sizeof(r->caller_cpus),
			       &r->caller_cpus);
}

static inline void tlbh_readers_stop(struct tlbh_readers *r)
{
	int i;

	atomic_store(&r->phase, -1);
	for (i = 0; i < r->n; i++)
		pthread_join(r->rd[i].t, NULL);
	r->n = 0;
	tlbh_readers_unprotect(r);
}

/*
 * Protect readers of @addr (see above): the caller pinned to @cpu and
 * SCHED_FIFO, its old policy and CPUs kept for tlbh_readers_stop().
 */
static inline void tlbh_readers_protect(struct tlbh_readers *r, int cpu)
{
	const char *env = getenv("TLBH_READERS_PROTECT");
	struct sched_param sp = { .sched_priority = TLBH_READER_PRIO };
	int err;

	r->protect = !r->beside_probe && (!env || strcmp(env, "0"));
	if (!r->protect)
		return;
	pthread_getschedparam(pthread_self(), &r->caller_policy,
			      &r->caller_param);
	pthread_getaffinity_np(pthread_self(), sizeof(r->caller_cpus),
			       &r->caller_cpus);
	err = tlbh_pin(cpu);
	if (!err)
		err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (err) {
		pthread_setaffinity_np(pthread_self(), sizeof(r->caller_cpus),
				       &r->caller_cpus);
		r->protect = -err;
	}
}

static inline int __tlbh_readers_start(struct tlbh_readers *r, int first_cpu,
				       int n, const void *addr, size_t span,
				       bool beside_probe)
{
	int i, err = 0;

	if (n < 1 || n > TLBH_MAX_READERS || (span && !addr) ||
	    (span && span < TLBH_PG))
		return EINVAL;
	memset(r, 0, sizeof(*r));
	r->beside_probe = beside_probe;
	r->addr = addr;
	r->span = span;
	if (addr)
		tlbh_catch_sigbus();
	if (addr && !span)
		tlbh_readers_protect(r, first_cpu + n - 1);
	for (i = 0; i < n; i++) {
		r->rd[i].r = r;
		r->rd[i].i = i;
		r->rd[i].cpu = first_cpu + i;
		err = pthread_create(&r->rd[i].t, NULL, tlbh_reader_fn, &r->rd[i]);
		if (err)
			break;
		r->n++;
	}
	while (atomic_load(&r->done) < r->n)
		sched_yield();
	for (i = 0; i < r->n && !err; i++)
		err = r->rd[i].pin_err;
	if (err)
		tlbh_readers_stop(r);
	return err;
}

/*
 * 0 once all @n readers run pinned; else an errno (pthread_create's or
 * the pinning's), with no reader left running.
 */
static inline int tlbh_readers_start(struct tlbh_readers *r, int first_cpu,
				     int n, const void *addr, size_t span)
{
	return __tlbh_readers_start(r, first_cpu, n, addr, span, false);
}

/* Readers of @addr as above, unprotected: a probe reads beside them. */
static inline int tlbh_readers_start_beside_probe(struct tlbh_readers *r,
						  int first_cpu, int n,
						  const void *addr)
{
	return __tlbh_readers_start(r, first_cpu, n, addr, 0, true);
}

/* Post @phase (the next one, 1-based) and wait until every reader read. */
static inline void tlbh_readers_step(struct tlbh_readers *r, int phase)
{
	atomic_store(&r->phase, phase);
	while (atomic_load(&r->done) < r->n * (phase + 1))
		sched_yield();
}

/*
 * Why reader @i may have lost between its reads of phases @from and @to
 * an entry it had: "migrated", "preempted" (involuntary switch; on the
 * caller's CPU, the last reader's, that includes the caller taking its
 * turn, which flushes nothing), "slept", or "no switch".
 */
static inline const char *tlbh_reader_why(const struct tlbh_readers *r,
					  int i, int from, int to)
{
	const struct tlbh_reader *rd = &r->rd[i];

	if (rd->rcpu[from] != rd->rcpu[to])
		return "migrated";
	if (rd->ivcsw[from] != rd->ivcsw[to])
		return i == r->n - 1 && r->protect > 0 ?
		       "preempted (or the caller's turn)" : "preempted";
	if (rd->vcsw[from] != rd->vcsw[to])
		return "slept";
	return "no switch";
}

/* What protected the readers, for a test's log. */
static inline const char *tlbh_readers_protection(const struct tlbh_readers *r)
{
	if (r->protect > 0)
		return "readers and caller SCHED_FIFO";
	if (r->protect < 0)
		return "unprotected: SCHED_FIFO refused";
	if (r->beside_probe)
		return "unprotected (beside a probe)";
	return r->addr && !r->span ? "unprotected (TLBH_READERS_PROTECT=0)" :
				     "unprotected (spinners)";
}

#endif /* _TLBH_LIB_H */
