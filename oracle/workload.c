// SPDX-License-Identifier: GPL-2.0
/*
 * workload.c - the guest side of the kernel oracle (Documentation/oracle.rst)
 *
 * Performs real memory operations on ordinary memory of this process,
 * inside one isolated, 512 GiB-aligned window (one top-level page-table
 * entry that nothing else uses), so that the page tables free_pgtables()
 * may free are predictable.  Helper threads pinned to the other CPUs keep
 * the mm loaded there (spinning) or leave it lazily loaded (a thread that
 * ran and went to sleep); a helper process per CPU can push the mm off a
 * CPU.  Before each operation the pre-state is written to the state log:
 * the window's VMAs (from /proc/self/maps), its present and swapped pages
 * with what user space knows of them (/proc/self/pagemap plus our own
 * record of writes), and the CPU arrangement.  The operation itself is
 * bracketed by two marker system calls that the trace script watches
 * (getpgid with a magic argument, which fails harmlessly).
 *
 * A PFNMAP VMA is a tlbh space (mmap of /dev/tlbh, when tlbh.ko is
 * loaded): VM_PFNMAP | VM_IO, its PTEs special entries that
 * TLBH_IOC_POPULATE writes, its PTE tables the kernel's own.  munmap of
 * it is the kernel's unmap of a driver's PFN mapping, the path of the
 * PFNMAP flush in free_pgtables.
 *
 *   workload -o STATE [-c CASE] [-r SEED -n SEQUENCES] [-l]
 *
 *   -o FILE   state log (see Documentation/oracle.rst for the format)
 *   -c NAME   run only the fixed case NAME (default: every fixed case)
 *   -r SEED   randomized mode: -n sequences from SEED (reproducible)
 *   -n N      number of random sequences (default 1000)
 *   -F        skip the fixed cases
 *   -l        list the fixed cases and exit
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/tlbh.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE		4096UL
#define PMD		(2UL << 20)
#define PUD		(1UL << 30)
#define WIN		0x200000000000UL	/* 32 TiB: 512 GiB aligned */
#define WIN_SIZE	(512UL << 30)
#define MAX_CPUS	8
#define MARK_MAGIC	0x7a6c0ac1L		/* > pid_max: getpgid fails */

static FILE *out;
static int ncpu;
static int have_swap, have_huge, have_tlbh;
static unsigned long zero_pfn;
static long op_id;
static int pagemap_fd = -1;

/* ------------------------------------------------------------------ */
/* Markers                                                              */

/* The trace script keys on getpgid(MARK_MAGIC, what, id). */
static void mark(long what, long id)
{
	syscall(SYS_getpgid, MARK_MAGIC, what, id);
}

#define MARK_BEGIN	1
#define MARK_END	2

/* ------------------------------------------------------------------ */
/* What we wrote: one bit per page of the window's first 4 GiB          */

#define TRACK_PAGES	((4UL << 30) / PAGE)
static uint8_t written[TRACK_PAGES / 8];

static void set_written(unsigned long addr, bool w)
{
	unsigned long i = (addr - WIN) / PAGE;

	if (addr < WIN || i >= TRACK_PAGES)
		return;
	if (w)
		written[i / 8] |= 1 << (i % 8);
	else
		written[i / 8] &= ~(1 << (i % 8));
}

static bool was_written(unsigned long addr)
{
	unsigned long i = (addr - WIN) / PAGE;

	return addr >= WIN && i < TRACK_PAGES && (written[i / 8] >> (i % 8)) & 1;
}

static void forget_written(unsigned long start, unsigned long end)
{
	for (; start < end; start += PAGE)
		set_written(start, false);
}

/*
 * What we touched (read or wrote) since the last operation: the entry's
 * accessed bit is set again, which pagemap cannot show.  Cleared at the
 * end of every operation.
 */
static uint8_t touched[TRACK_PAGES / 8];

static void set_touched(unsigned long addr)
{
	unsigned long i = (addr - WIN) / PAGE;

	if (addr >= WIN && i < TRACK_PAGES)
		touched[i / 8] |= 1 << (i % 8);
}

static bool was_touched(unsigned long addr)
{
	unsigned long i = (addr - WIN) / PAGE;

	return addr >= WIN && i < TRACK_PAGES && (touched[i / 8] >> (i % 8)) & 1;
}

/* ------------------------------------------------------------------ */
/* CPUs: helper threads (spin / lazy) and evictor processes (off)       */

enum cpu_mode { CPU_OFF, CPU_SPIN, CPU_LAZY };

struct helper {
	pthread_t thr;
	int cpu;
	volatile int mode;	/* CPU_SPIN: spin; otherwise park */
	volatile int futex;	/* bumped to wake */
	volatile int ran;	/* bumped by the helper each time it runs */
	volatile int parked;
	pid_t tid;
	int evict_pipe[2], ack_pipe[2];
	pid_t evictor;
};

static struct helper helpers[MAX_CPUS];
static int cur_mode[MAX_CPUS];

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;

	pin(h->cpu);
	h->tid = syscall(SYS_gettid);
	for (;;) {
		int seen = h->futex;

		__atomic_add_fetch(&h->ran, 1, __ATOMIC_SEQ_CST);
		while (h->mode == CPU_SPIN && h->futex == seen)
			__builtin_ia32_pause();
		if (h->mode == CPU_SPIN)
			continue;
		h->parked = 1;
		while (h->futex == seen)
			syscall(SYS_futex, &h->futex, FUTEX_WAIT, seen, NULL, NULL, 0);
		h->parked = 0;
	}
	return NULL;
}

static void wake(struct helper *h)
{
	__atomic_add_fetch(&h->futex, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &h->futex, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Is the helper thread really asleep (state S in /proc)? */
static bool sleeping(pid_t tid)
{
	char path[64], buf[256], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static void wait_parked(struct helper *h)
{
	int i;

	for (i = 0; i < 2000 && !(h->parked && sleeping(h->tid)); i++)
		usleep(500);
}

static void evictor_main(struct helper *h)
{
	char c;

	pin(h->cpu);
	while (read(h->evict_pipe[0], &c, 1) == 1) {
		volatile int x = 0;
		int i;

		for (i = 0; i < 1000; i++)
			x += i;
		if (write(h->ack_pipe[1], &c, 1) != 1)
			break;
	}
	_exit(0);
}

static void setup_cpus(void)
{
	int c;

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	pin(0);
	for (c = 1; c < ncpu; c++) {
		struct helper *h = &helpers[c];

		h->cpu = c;
		h->mode = CPU_LAZY;
		if (pipe(h->evict_pipe) || pipe(h->ack_pipe))
			exit(1);
		h->evictor = fork();
		if (!h->evictor)
			evictor_main(h);
		pthread_create(&h->thr, NULL, helper_main, h);
		while (!h->ran)
			usleep(100);
		wait_parked(h);
		cur_mode[c] = CPU_LAZY;
	}
}

/* Make @c run the mm and go idle, so that the mm is lazily loaded there. */
static void make_lazy(int c)
{
	struct helper *h = &helpers[c];
	int ran = h->ran;

	h->mode = CPU_LAZY;
	wake(h);
	while (h->ran == ran)
		__builtin_ia32_pause();
	wait_parked(h);
}

static void evict(int c)
{
	struct helper *h = &helpers[c];
	char b = 1;

	h->mode = CPU_LAZY;
	if (cur_mode[c] == CPU_SPIN)
		wake(h);
	wait_parked(h);
	if (write(h->evict_pipe[1], &b, 1) != 1 ||
	    read(h->ack_pipe[0], &b, 1) != 1)
		exit(1);
}

/* CPU arrangements: a letter per CPU 1..: s(pin), l(azy), o(ff). */
struct config {
	const char *name;
	const char *modes;	/* CPUs 1, 2, 3, ... */
};

static const struct config configs[] = {
	{ "s2l1", "ssl" },
	{ "solo", "ooo" },
	{ "s3", "sss" },
	{ "s1l2", "sll" },
	{ "l1", "loo" },
	{ "s1", "soo" },
};
#define NR_CONFIGS (sizeof(configs) / sizeof(configs[0]))

static const struct config *cur_config;

static int mode_of(const struct config *cfg, int c)
{
	char m = (c - 1) < (int)strlen(cfg->modes) ? cfg->modes[c - 1] : 'o';

	return m == 's' ? CPU_SPIN : m == 'l' ? CPU_LAZY : CPU_OFF;
}

static void apply_config(const struct config *cfg)
{
	int c;

	cur_config = cfg;
	for (c = 1; c < ncpu; c++) {
		int m = mode_of(cfg, c);

		if (m == CPU_OFF)
			evict(c);
		cur_mode[c] = m;
	}
}

/*
 * Before each operation: lazy CPUs may have been switched away, so they
 * run the mm once more and go idle; spinning CPUs start spinning.  The
 * spinners spin only from here to the end of the operation (they sleep,
 * lazily, in between: a spinning vCPU costs the emulator a host CPU).
 */
static void refresh_lazy(void)
{
	int c;

	for (c = 1; c < ncpu; c++)
		if (cur_mode[c] == CPU_LAZY)
			make_lazy(c);
	for (c = 1; c < ncpu; c++) {
		struct helper *h = &helpers[c];
		int ran = h->ran;

		if (cur_mode[c] != CPU_SPIN)
			continue;
		h->mode = CPU_SPIN;
		wake(h);
		while (h->ran == ran)
			__builtin_ia32_pause();
	}
}

static void stop_spinners(void)
{
	int c;

	for (c = 1; c < ncpu; c++)
		if (cur_mode[c] == CPU_SPIN) {
			helpers[c].mode = CPU_LAZY;
			wake(&helpers[c]);
		}
}

static void cpu_list(char *buf, size_t len, int mode)
{
	int c, n = 0;

	buf[0] = 0;
	for (c = 1; c < ncpu; c++)
		if (cur_mode[c] == mode)
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "", c);
	if (!n)
		snprintf(buf, len, "-");
}

/* ------------------------------------------------------------------ */
/* Pre-state                                                            */

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_FILE		(1ULL << 61)
#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_PFN		((1ULL << 55) - 1)

struct vma {
	unsigned long start, end;
	char prot[5];
	char type[32];
};

static int read_maps(struct vma *v, int max, bool all)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long s, e, off, ino;
		char prot[8], dev[16], path[256] = "";

		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %255[^\n]", &s, &e,
			   prot, &off, dev, &ino, path) < 6)
			continue;
		if (!all && (s < WIN || e > WIN + WIN_SIZE))
			continue;
		if (s >= (1UL << 47))
			continue;	/* vsyscall */
		v[n].start = s;
		v[n].end = e;
		memcpy(v[n].prot, prot, 4);
		v[n].prot[4] = 0;
		{
			char *p = path;

			while (*p == ' ')
				p++;
			if (strstr(p, "anon_hugepage") || strstr(p, "/hugepages") ||
			    strstr(p, "hugetlb"))
				strcpy(v[n].type, "huge");
			else if (!strncmp(p, "[vvar", 5) || !strcmp(p, "/dev/tlbh"))
				strcpy(v[n].type, "pfn");
			else if (ino && prot[3] == 's')
				strcpy(v[n].type, "file");
			else if (ino)
				strcpy(v[n].type, "fileprivate");
			else if (prot[3] == 's')
				strcpy(v[n].type, "shmem");
			else
				strcpy(v[n].type, "anon");
		}
		n++;
	}
	fclose(f);
	return n;
}

static int pfn_fd_of(unsigned long start);

/*
 * pagemap walks no VM_PFNMAP VMA: a space's present pages come from
 * the module (TLBH_IOC_SNAPSHOT over its data area, the lower half).
 */
static bool dump_pfn_pages(const struct vma *v)
{
	static struct tlbh_snap_entry e[TLBH_MAX_SNAPSHOT];
	unsigned long np = (v->end - v->start) / 2 / PAGE, i, run = 0, n = 0;
	int fd = pfn_fd_of(v->start);
	struct tlbh_snapshot snap = { .entries = (uintptr_t)e };

	if (fd < 0)
		return false;
	if (np > TLBH_MAX_SNAPSHOT)
		np = TLBH_MAX_SNAPSHOT;
	snap.npages = np;
	if (ioctl(fd, TLBH_IOC_SNAPSHOT, &snap)) {
		fprintf(out, "# snapshot %lx failed: %s\n", v->start, strerror(errno));
		return true;
	}
	for (i = 0; i <= np; i++) {
		bool present = i < np && (e[i].flags & TLBH_SNAP_PRESENT);

		if (present && !n)
			run = i;
		if (present) {
			n++;
			continue;
		}
		if (n)
			fprintf(out, "pte %lx %lu p\n", v->start + run * PAGE, n);
		n = 0;
	}
	return true;
}

static void dump_pages(const struct vma *v)
{
	unsigned long step = !strcmp(v->type, "huge") ? PMD : PAGE;
	unsigned long addr, run_start = 0, n = 0;
	static uint64_t buf[4096];
	char run_flags[8] = "", flags[8];
	unsigned long chunk, i;

	if (!strcmp(v->type, "pfn") && dump_pfn_pages(v))
		return;
	for (addr = v->start; addr < v->end; addr += chunk * PAGE) {
		chunk = (v->end - addr) / PAGE;
		if (chunk > 4096)
			chunk = 4096;
		if (pread(pagemap_fd, buf, chunk * 8, (addr / PAGE) * 8) != (ssize_t)(chunk * 8))
			memset(buf, 0, chunk * 8);
		for (i = 0; i < chunk; i += step / PAGE) {
			unsigned long a = addr + i * PAGE;
			uint64_t e = buf[i];
			int k = 0;

			if (e & PM_PRESENT) {
				flags[k++] = 'p';
				if (step == PAGE && (e & PM_PFN) == zero_pfn && zero_pfn)
					flags[k++] = 'z';
				if (e & PM_FILE)
					flags[k++] = 'f';
				if (was_written(a) || step != PAGE)
					flags[k++] = 'w';
				/*
				 * Soft-dirty: written since the last clear_refs 4
				 * (every page of a VMA not yet cleared); a page
				 * without it is still write-protected.
				 */
				if (e & PM_SOFT_DIRTY)
					flags[k++] = 'd';
				if (was_touched(a))
					flags[k++] = 'a';
			} else if (e & PM_SWAP) {
				flags[k++] = 's';
			}
			flags[k] = 0;
			if (n && (strcmp(flags, run_flags) || a != run_start + n * step)) {
				if (run_flags[0])
					fprintf(out, "pte %lx %lu %s\n", run_start, n, run_flags);
				n = 0;
			}
			if (!n) {
				run_start = a;
				strcpy(run_flags, flags);
			}
			n++;
		}
	}
	if (n && run_flags[0])
		fprintf(out, "pte %lx %lu %s\n", run_start, n, run_flags);
}

/*
 * The kernel's own count of this mm's page tables (VmPTE, kB: PTE, PMD
 * and PUD tables), which pagemap cannot give: a table whose entries are
 * all gone is still there until free_pgtables().
 */
static long vmpte_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void dump_state(bool all)
{
	static struct vma v[256];
	char spin[32], lazy[32];
	int n = read_maps(v, 256, all), i;

	cpu_list(spin, sizeof(spin), CPU_SPIN);
	cpu_list(lazy, sizeof(lazy), CPU_LAZY);
	fprintf(out, "cpus issuer=%d spin=%s lazy=%s\n", sched_getcpu(), spin, lazy);
	if (all)
		fprintf(out, "vmpte %ld\n", vmpte_kb());
	for (i = 0; i < n; i++)
		fprintf(out, "vma %lx %lx %s %s\n", v[i].start, v[i].end,
			v[i].prot, v[i].type);
	for (i = 0; i < n; i++)
		dump_pages(&v[i]);
}

/* ------------------------------------------------------------------ */
/* Mappings and touches (setup, not traced)                             */

static int file_seq;

/* The open /dev/tlbh of each PFNMAP VMA mapped (its commands need it). */
#define MAX_PFN_MAPS	8
static struct { unsigned long start; int fd; } pfn_maps[MAX_PFN_MAPS];
static int nr_pfn_maps;

static void *map_pfn(void *want, unsigned long len)
{
	int fd = open("/dev/tlbh", O_RDWR);
	void *p;

	if (fd < 0 || nr_pfn_maps == MAX_PFN_MAPS) {
		if (fd >= 0)
			close(fd);
		return MAP_FAILED;
	}
	/* A space: MAP_SHARED, PROT_READ, 2 MiB aligned, in one PUD. */
	p = mmap(want, len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return p;
	}
	pfn_maps[nr_pfn_maps].start = (unsigned long)p;
	pfn_maps[nr_pfn_maps++].fd = fd;
	return p;
}

/* Map pool pages at [off, off+len) of the PFNMAP VMA there (not traced). */
static void populate_pfn(unsigned long off, unsigned long len)
{
	unsigned long a = WIN + off;
	int i;

	for (i = nr_pfn_maps - 1; i >= 0; i--) {
		struct tlbh_range r = { .offset = a - pfn_maps[i].start,
					.length = len };

		if (a < pfn_maps[i].start)
			continue;
		if (ioctl(pfn_maps[i].fd, TLBH_IOC_POPULATE, &r))
			fprintf(out, "# populate %lx+%lx failed: %s\n", a, len,
				strerror(errno));
		return;
	}
}

static int pfn_fd_of(unsigned long start)
{
	int i;

	for (i = 0; i < nr_pfn_maps; i++)
		if (pfn_maps[i].start == start)
			return pfn_maps[i].fd;
	return -1;
}

static void close_pfn_maps(void)
{
	while (nr_pfn_maps)
		close(pfn_maps[--nr_pfn_maps].fd);
}

static void *map_at(unsigned long off, unsigned long len, const char *type)
{
	void *want = (void *)(WIN + off), *p;
	int flags = MAP_FIXED_NOREPLACE, fd = -1;

	if (!strcmp(type, "pfn")) {
		p = map_pfn(want, len);
		if (p != want) {
			fprintf(out, "# map %lx+%lx pfn failed: %s\n", WIN + off, len,
				p == MAP_FAILED ? strerror(errno) : "moved");
			if (p != MAP_FAILED)
				munmap(p, len);
			return NULL;
		}
		forget_written(WIN + off, WIN + off + len);
		return p;
	}
	if (!strcmp(type, "file")) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/shm/oracle-%d-%d", getpid(), file_seq++);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, len))
			return NULL;
		unlink(path);
		flags |= MAP_SHARED;
	} else if (!strcmp(type, "huge")) {
		flags |= MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	} else {
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
	}
	p = mmap(want, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED || p != want) {
		fprintf(out, "# map %lx+%lx %s failed: %s\n", WIN + off, len, type,
			strerror(errno));
		if (p != MAP_FAILED)
			munmap(p, len);
		return NULL;
	}
	forget_written(WIN + off, WIN + off + len);
	return p;
}

/* Touch every @stride-th page of [off, off+len): 'w' writes, 'r' reads. */
static void touch(unsigned long off, unsigned long len, char how,
		  unsigned long stride)
{
	unsigned long a;

	for (a = WIN + off; a < WIN + off + len; a += stride * PAGE) {
		if (how == 'w') {
			*(volatile char *)a = 1;
			set_written(a, true);
		} else {
			(void)*(volatile char *)a;
		}
		set_touched(a);
	}
}

static void cleanup_window(void)
{
	munmap((void *)WIN, WIN_SIZE);
	close_pfn_maps();
	forget_written(WIN, WIN + TRACK_PAGES * PAGE);
}

/* ------------------------------------------------------------------ */
/* Operations (traced)                                                  */

static const char *cur_case;
static const char *cur_group;

static void op_begin(const char *kind, const char *fmt, ...)
{
	va_list ap;

	refresh_lazy();
	op_id++;
	fprintf(out, "op %ld %s %s %s", op_id, cur_group, cur_case, kind);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fprintf(out, "\n");
}

static void op_state(bool all)
{
	dump_state(all);
	fflush(out);
}

static void op_end(long rc)
{
	stop_spinners();
	fprintf(out, "res %ld %ld\n", op_id, rc);
	fprintf(out, "end %ld\n", op_id);
	memset(touched, 0, sizeof(touched));
}

#define A(off)	(WIN + (off))

/*
 * Written is what the entry's dirty bit says, and that holds only while
 * the page stays mapped: a page zapped or reclaimed comes back clean
 * (zero-filled, or read from swap or the page cache).  Only the pages
 * that are gone are forgotten, so a refused call (process_madvise's
 * EINVAL on 6.x) or a failed munmap leaves the record as it was.
 */
static void forget_gone(unsigned long start, unsigned long end)
{
	static uint64_t e[4096];
	unsigned long n, i;

	if (end > WIN + TRACK_PAGES * PAGE)
		end = WIN + TRACK_PAGES * PAGE;
	for (; start < end; start += n * PAGE) {
		n = (end - start) / PAGE;
		if (n > 4096)
			n = 4096;
		if (pread(pagemap_fd, e, n * 8, (start / PAGE) * 8) != (ssize_t)(n * 8))
			memset(e, 0, n * 8);
		for (i = 0; i < n; i++)
			if (!(e[i] & PM_PRESENT))
				set_written(start + i * PAGE, false);
	}
}

static void do_munmap(unsigned long off, unsigned long len)
{
	long rc;

	op_begin("munmap", " %lx %lx", A(off), A(off + len));
	op_state(false);
	mark(MARK_BEGIN, op_id);
	rc = munmap((void *)A(off), len) ? -errno : 0;
	mark(MARK_END, op_id);
	forget_gone(A(off), A(off + len));
	op_end(rc);
}

static const char *advice_name(int advice)
{
	switch (advice) {
	case MADV_DONTNEED: return "dontneed";
	case MADV_FREE: return "free";
	case MADV_PAGEOUT: return "pageout";
	}
	return "?";
}

static void do_madvise(unsigned long off, unsigned long len, int advice)
{
	long rc;

	op_begin(advice_name(advice), " %lx %lx", A(off), A(off + len));
	op_state(false);
	mark(MARK_BEGIN, op_id);
	rc = madvise((void *)A(off), len, advice) ? -errno : 0;
	mark(MARK_END, op_id);
	/* MADV_FREE cleans what it finds (holes give ENOMEM, not EINVAL). */
	if (advice == MADV_FREE && (!rc || rc == -ENOMEM))
		forget_written(A(off), A(off + len));
	else
		forget_gone(A(off), A(off + len));
	op_end(rc);
}

static int pidfd = -1;

static void do_pmadv(const unsigned long *offs, const unsigned long *lens,
		     int n, int advice)
{
	struct iovec iov[16];
	long rc;
	int i;

	op_begin("pmadv", " %s %d", advice_name(advice), n);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = (void *)A(offs[i]);
		iov[i].iov_len = lens[i];
		fprintf(out, "iov %lx %lx\n", A(offs[i]), A(offs[i] + lens[i]));
	}
	op_state(false);
	if (pidfd < 0)
		pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	mark(MARK_BEGIN, op_id);
	rc = syscall(SYS_process_madvise, pidfd, iov, n, advice, 0);
	if (rc < 0)
		rc = -errno;
	mark(MARK_END, op_id);
	for (i = 0; i < n; i++)
		forget_gone(A(offs[i]), A(offs[i] + lens[i]));
	op_end(rc);
}

static void do_mprotect(unsigned long off, unsigned long len, bool rw)
{
	long rc;

	op_begin("mprotect", " %lx %lx %s", A(off), A(off + len), rw ? "rw" : "ro");
	op_state(false);
	mark(MARK_BEGIN, op_id);
	rc = mprotect((void *)A(off), len, PROT_READ | (rw ? PROT_WRITE : 0)) ?
		-errno : 0;
	mark(MARK_END, op_id);
	op_end(rc);
}

static void do_mremap(unsigned long off, unsigned long len, unsigned long noff)
{
	unsigned long a;
	void *p;
	long rc;

	op_begin("mremap", " %lx %lx %lx", A(off), len, A(noff));
	op_state(false);
	mark(MARK_BEGIN, op_id);
	p = mremap((void *)A(off), len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)A(noff));
	rc = p == MAP_FAILED ? -errno : 0;
	mark(MARK_END, op_id);
	if (!rc) {
		for (a = 0; a < len; a += PAGE)
			set_written(A(noff + a), was_written(A(off + a)));
		forget_written(A(off), A(off + len));
	}
	op_end(rc);
}

static void do_clear_refs(int type)
{
	char c = '0' + type;
	long rc;
	int fd;

	op_begin("clear-refs", " %d", type);
	op_state(false);
	fd = open("/proc/self/clear_refs", O_WRONLY);
	mark(MARK_BEGIN, op_id);
	rc = write(fd, &c, 1) == 1 ? 0 : -errno;
	mark(MARK_END, op_id);
	close(fd);
	op_end(rc);
}

/* A forked child maps what the parent had, touches, and exits (fullmm). */
static void do_exit_op(unsigned long off, unsigned long len)
{
	int status;
	pid_t pid;

	op_begin("exit", " %lx %lx", A(off), A(off + len));
	fflush(out);
	pid = fork();
	if (!pid) {
		FILE *real = out;
		int c;

		/* The child's mm runs here only: no helper shares it. */
		for (c = 1; c < ncpu; c++)
			cur_mode[c] = CPU_OFF;
		/*
		 * The inherited descriptor reads the parent's page tables
		 * (the proc file holds the mm it was opened on): the dump
		 * must show the child's, which fork filled only for VMAs
		 * with anonymous pages or PFN mappings.
		 */
		close(pagemap_fd);
		pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
		if (map_at(off, len, "anon"))
			touch(off, len, 'w', 1);
		/* A first pass faults in what the dump itself uses. */
		out = fopen("/dev/null", "w");
		if (out) {
			dump_state(true);
			fclose(out);
		}
		out = real;
		dump_state(true);
		fflush(out);
		mark(MARK_BEGIN, op_id);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	mark(MARK_END, op_id);
	op_end(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* ------------------------------------------------------------------ */
/* Fixed cases                                                          */

#define K(n)	((unsigned long)(n) << 10)
#define M(n)	((unsigned long)(n) << 20)
#define G(n)	((unsigned long)(n) << 30)

/* Gx: 2 MiB aligned base inside the window, past the first GiB. */
#define X	G(1)

static void case_munmap_partial_page(void)
{
	map_at(X, M(4), "anon");
	touch(X, M(4), 'w', 1);
	do_munmap(X + M(1), PAGE);
}

static void case_munmap_untouched_page(void)
{
	map_at(X, M(4), "anon");
	touch(X, M(1), 'w', 1);
	do_munmap(X + M(2), PAGE);
}

static void case_munmap_isolated_small(void)
{
	map_at(X + M(1), K(16), "anon");
	touch(X + M(1), K(16), 'w', 1);
	do_munmap(X + M(1), K(16));
}

static void case_munmap_isolated_small_neighbour(void)
{
	map_at(X, M(1), "anon");
	touch(X, M(1), 'w', 64);
	map_at(X + M(1) + K(64), K(16), "anon");
	touch(X + M(1) + K(64), K(16), 'w', 1);
	do_munmap(X + M(1) + K(64), K(16));
}

static void case_munmap_whole_tables(void)
{
	map_at(X, M(4), "anon");
	touch(X, M(4), 'w', 1);
	do_munmap(X, M(4));
}

static void case_munmap_whole_tables_neighbours(void)
{
	map_at(X, M(8), "anon");
	touch(X, M(8), 'w', 1);
	do_munmap(X + M(2), M(4));
}

static void case_munmap_several_vmas(void)
{
	map_at(X, K(64), "anon");
	map_at(X + K(128), K(64), "anon");
	map_at(X + K(256), K(64), "anon");
	touch(X, K(64), 'w', 1);
	touch(X + K(128), K(64), 'w', 1);
	touch(X + K(256), K(64), 'w', 1);
	do_munmap(X, K(320));
}

static void case_munmap_read_only_zero(void)
{
	map_at(X, M(1), "anon");
	touch(X, K(64), 'r', 1);
	do_munmap(X, M(1));
}

static void case_munmap_empty_table(void)
{
	map_at(X, M(2), "anon");
	touch(X, K(32), 'w', 1);
	do_madvise(X, K(32), MADV_DONTNEED);
	do_munmap(X, M(2));
}

static void case_munmap_big(void)
{
	map_at(X, M(48), "anon");
	touch(X, M(48), 'w', 1);
	do_munmap(X, M(48));
}

static void case_munmap_file_dirty(void)
{
	map_at(X, M(1), "file");
	touch(X, M(1), 'w', 1);
	do_munmap(X, M(1));
}

static void case_munmap_file_clean(void)
{
	map_at(X, K(64), "file");
	touch(X, K(64), 'w', 1);
	/* Drop and fault back read-only: present, clean PTEs. */
	do_madvise(X, K(64), MADV_DONTNEED);
	touch(X, K(64), 'r', 1);
	do_munmap(X, K(64));
}

static void case_munmap_file_two_tables(void)
{
	map_at(X + M(1), M(2), "file");
	touch(X + M(1), M(2), 'w', 16);
	do_munmap(X + M(1), M(2));
}

static void case_dontneed_small(void)
{
	map_at(X, M(1), "anon");
	touch(X, M(1), 'w', 1);
	do_madvise(X + K(64), K(32), MADV_DONTNEED);
}

static void case_dontneed_two_vmas(void)
{
	map_at(X, K(192), "anon");
	touch(X, K(192), 'w', 1);
	mprotect((void *)A(X + K(64)), K(64), PROT_READ);
	do_madvise(X, K(192), MADV_DONTNEED);
}

static void case_dontneed_whole_table(void)
{
	map_at(X, M(4), "anon");
	touch(X, M(4), 'w', 1);
	do_madvise(X, M(2), MADV_DONTNEED);
}

static void case_dontneed_whole_table_sparse(void)
{
	map_at(X, M(4), "anon");
	touch(X, M(4), 'w', 128);
	do_madvise(X + M(2), M(2), MADV_DONTNEED);
}

static void case_pmadv_three(void)
{
	unsigned long o[3] = { X, X + K(256), X + M(1) };
	unsigned long l[3] = { K(16), K(16), K(64) };

	map_at(X, M(2), "anon");
	touch(X, M(2), 'w', 1);
	do_pmadv(o, l, 3, MADV_DONTNEED);
}

static void case_pmadv_two_vmas(void)
{
	unsigned long o[2] = { X, X + M(4) };
	unsigned long l[2] = { K(32), K(32) };

	map_at(X, M(1), "anon");
	map_at(X + M(4), M(1), "anon");
	touch(X, M(1), 'w', 1);
	touch(X + M(4), M(1), 'w', 1);
	do_pmadv(o, l, 2, MADV_DONTNEED);
}

static void case_free_fresh(void)
{
	map_at(X, M(1), "anon");
	touch(X, K(32), 'w', 1);
	do_madvise(X, K(32), MADV_FREE);
	do_madvise(X, K(32), MADV_FREE);
}

static void case_pageout_small(void)
{
	map_at(X, M(1), "anon");
	touch(X, K(32), 'w', 1);
	do_madvise(X, K(32), MADV_PAGEOUT);
	do_munmap(X, M(1));
}

static void case_mprotect_ro(void)
{
	map_at(X, G(1), "anon");
	touch(X + M(3), K(32), 'w', 1);
	do_mprotect(X, G(1), false);
}

static void case_mprotect_rw(void)
{
	map_at(X, M(1), "anon");
	touch(X, K(32), 'w', 1);
	mprotect((void *)A(X), M(1), PROT_READ);
	do_mprotect(X, M(1), true);
}

static void case_mprotect_sub(void)
{
	map_at(X, M(2), "anon");
	touch(X, M(2), 'w', 1);
	do_mprotect(X + K(64), K(64), false);
}

static void case_mremap_ptes(void)
{
	map_at(X, K(32), "anon");
	touch(X, K(32), 'w', 1);
	do_mremap(X, K(32), X + M(64) + K(64));
}

static void case_mremap_pmd(void)
{
	map_at(X, M(2), "anon");
	touch(X, M(2), 'w', 1);
	do_mremap(X, M(2), X + M(64));
}

static void case_mremap_pmd_two(void)
{
	map_at(X, M(4), "anon");
	touch(X, M(4), 'w', 4);
	do_mremap(X, M(4), X + M(64));
}

static void case_clear_refs_4(void)
{
	map_at(X, M(1), "anon");
	touch(X, K(64), 'w', 1);
	do_clear_refs(4);
}

static void case_clear_refs_1(void)
{
	map_at(X, M(1), "anon");
	touch(X, K(64), 'w', 1);
	do_clear_refs(1);
}

static void case_huge_munmap(void)
{
	if (!map_at(X, M(4), "huge"))
		return;
	touch(X, M(4), 'w', 512);
	do_munmap(X, M(4));
}

static void case_huge_dontneed(void)
{
	if (!map_at(X, M(4), "huge"))
		return;
	touch(X, M(4), 'w', 512);
	do_madvise(X, M(2), MADV_DONTNEED);
}

static void case_exit(void)
{
	map_at(X, M(2), "anon");
	touch(X, K(64), 'w', 1);
	do_exit_op(X + M(4), K(64));
}

/* PFNMAP VMAs: tlbh spaces (4 MiB: a 2 MiB data area, then its park area). */
static void case_munmap_pfn(void)
{
	if (!map_at(X, M(4), "pfn"))
		return;
	populate_pfn(X, K(64));
	touch(X, K(64), 'r', 1);
	do_munmap(X, M(4));
}

static void case_munmap_pfn_then_anon(void)
{
	if (!map_at(X, M(4), "pfn"))
		return;
	populate_pfn(X, K(64));
	touch(X, K(64), 'r', 1);
	map_at(X + M(4), K(64), "anon");
	touch(X + M(4), K(64), 'w', 1);
	do_munmap(X, M(4) + K(64));
}

static void case_munmap_anon_then_pfn(void)
{
	map_at(X + M(2) - K(64), K(64), "anon");
	touch(X + M(2) - K(64), K(64), 'w', 1);
	if (!map_at(X + M(2), M(4), "pfn"))
		return;
	populate_pfn(X + M(2), K(16));
	touch(X + M(2), K(16), 'r', 1);
	do_munmap(X + M(2) - K(64), K(64) + M(4));
}

struct fixed_case {
	const char *name;
	const char *group;	/* the summary table's row */
	const char *config;
	void (*fn)(void);
	int needs;		/* 1: swap, 2: huge pages, 4: /dev/tlbh */
};

static const struct fixed_case cases[] = {
	{ "munmap-partial-page", "munmap-anon", "s2l1", case_munmap_partial_page },
	{ "munmap-untouched-page", "munmap-anon", "s2l1", case_munmap_untouched_page },
	{ "munmap-isolated-16k", "munmap-anon", "s2l1", case_munmap_isolated_small },
	{ "munmap-isolated-16k-neighbour", "munmap-anon", "s2l1", case_munmap_isolated_small_neighbour },
	{ "munmap-whole-tables", "munmap-anon", "s2l1", case_munmap_whole_tables },
	{ "munmap-whole-tables-neighbours", "munmap-anon", "s2l1", case_munmap_whole_tables_neighbours },
	{ "munmap-several-vmas", "munmap-anon", "s2l1", case_munmap_several_vmas },
	{ "munmap-zero-pages", "munmap-anon", "s1l2", case_munmap_read_only_zero },
	{ "munmap-empty-table", "munmap-anon", "s2l1", case_munmap_empty_table },
	{ "munmap-48m", "munmap-anon", "s2l1", case_munmap_big },
	{ "munmap-solo", "munmap-anon", "solo", case_munmap_partial_page },
	{ "munmap-lazy-only", "munmap-anon", "l1", case_munmap_whole_tables },
	{ "munmap-pfn", "munmap-pfn", "s2l1", case_munmap_pfn, 4 },
	{ "munmap-pfn-solo", "munmap-pfn", "solo", case_munmap_pfn, 4 },
	{ "munmap-pfn-then-anon", "munmap-pfn", "s2l1", case_munmap_pfn_then_anon, 4 },
	{ "munmap-anon-then-pfn", "munmap-pfn", "s1l2", case_munmap_anon_then_pfn, 4 },
	{ "munmap-file-dirty", "munmap-file", "s2l1", case_munmap_file_dirty },
	{ "munmap-file-clean", "munmap-file", "s2l1", case_munmap_file_clean },
	{ "munmap-file-two-tables", "munmap-file", "s1", case_munmap_file_two_tables },
	{ "dontneed-small", "dontneed", "s2l1", case_dontneed_small },
	{ "dontneed-three-vmas", "dontneed", "s2l1", case_dontneed_two_vmas },
	{ "dontneed-whole-table", "dontneed", "s2l1", case_dontneed_whole_table },
	{ "dontneed-whole-table-sparse", "dontneed", "s2l1", case_dontneed_whole_table_sparse },
	{ "pmadv-three-iovecs", "pmadv-dontneed", "s2l1", case_pmadv_three },
	{ "pmadv-two-vmas", "pmadv-dontneed", "s2l1", case_pmadv_two_vmas },
	{ "free-fresh-twice", "madv-free", "s2l1", case_free_fresh },
	{ "pageout-small", "pageout", "s2l1", case_pageout_small, 1 },
	{ "pageout-solo", "pageout", "solo", case_pageout_small, 1 },
	{ "mprotect-ro-1g", "mprotect", "s2l1", case_mprotect_ro },
	{ "mprotect-rw", "mprotect", "s2l1", case_mprotect_rw },
	{ "mprotect-sub", "mprotect", "s1l2", case_mprotect_sub },
	{ "mremap-ptes", "mremap", "s2l1", case_mremap_ptes },
	{ "mremap-pmd", "mremap", "s2l1", case_mremap_pmd },
	{ "mremap-pmd-two", "mremap", "s2l1", case_mremap_pmd_two },
	{ "clear-refs-4", "clear-refs", "s2l1", case_clear_refs_4 },
	{ "clear-refs-1", "clear-refs", "s2l1", case_clear_refs_1 },
	{ "hugetlb-munmap", "hugetlb", "s2l1", case_huge_munmap, 2 },
	{ "hugetlb-dontneed", "hugetlb", "s2l1", case_huge_dontneed, 2 },
	{ "exit", "exit", "s2l1", case_exit },
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static const struct config *find_config(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_CONFIGS; i++)
		if (!strcmp(configs[i].name, name))
			return &configs[i];
	return &configs[0];
}

static long seq_id;

static void begin_sequence(const char *name, const struct config *cfg)
{
	cleanup_window();
	apply_config(cfg);
	fprintf(out, "seq %ld %s %s\n", ++seq_id, name, cfg->name);
}

static void run_case(const struct fixed_case *c)
{
	if ((c->needs & 1) && !have_swap) {
		fprintf(out, "skip %s no swap\n", c->name);
		return;
	}
	if ((c->needs & 2) && !have_huge) {
		fprintf(out, "skip %s no huge pages\n", c->name);
		return;
	}
	if ((c->needs & 4) && !have_tlbh) {
		fprintf(out, "skip %s no /dev/tlbh (tlbh.ko not loaded)\n", c->name);
		return;
	}
	cur_case = c->name;
	cur_group = c->group;
	begin_sequence(c->name, find_config(c->config));
	c->fn();
	cleanup_window();
}

/* ------------------------------------------------------------------ */
/* Randomized mode                                                      */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

struct rvma {
	unsigned long off, len;
	bool file;
};

/* Page-granular random range inside [off, off+len). */
static void rnd_range(unsigned long off, unsigned long len,
		      unsigned long *ro, unsigned long *rl)
{
	unsigned long pages = len / PAGE, a, n;

	switch (rnd_below(4)) {
	case 0:		/* whole */
		a = 0;
		n = pages;
		break;
	case 1:		/* one page */
		a = rnd_below(pages);
		n = 1;
		break;
	default:
		a = rnd_below(pages);
		n = 1 + rnd_below(pages - a);
		break;
	}
	*ro = off + a * PAGE;
	*rl = n * PAGE;
}

/* Touch what is still mapped of [off, off+len): write where writable. */
static void retouch(unsigned long off, unsigned long len)
{
	static struct vma m[256];
	int nm = read_maps(m, 256, false), j;

	for (j = 0; j < nm; j++) {
		unsigned long s = m[j].start > A(off) ? m[j].start : A(off);
		unsigned long e = m[j].end < A(off + len) ? m[j].end : A(off + len);

		if (s < e)
			touch(s - WIN, e - s, m[j].prot[1] == 'w' ? 'w' : 'r',
			      1 + rnd_below(4));
	}
}

static void random_sequence(long n)
{
	struct rvma v[4];
	int nv = 1 + rnd_below(3), i, ops, k;
	unsigned long base = X + rnd_below(2) * (G(1) - M(8));
	char name[32];

	snprintf(name, sizeof(name), "random-%ld", n);
	cur_case = name;
	begin_sequence(name, &configs[rnd_below(NR_CONFIGS)]);
	/* VMAs: sometimes 2 MiB aligned, sometimes not; small gaps. */
	for (i = 0; i < nv; i++) {
		unsigned long pages;

		switch (rnd_below(4)) {
		case 0: pages = 512 * (1 + rnd_below(2)); break;
		case 1: pages = 1 + rnd_below(8); break;
		default: pages = 1 + rnd_below(600); break;
		}
		if (rnd_below(3) == 0)
			base = (base + PMD - 1) & ~(PMD - 1);
		v[i].off = base;
		v[i].len = pages * PAGE;
		v[i].file = rnd_below(5) == 0;
		if (!map_at(v[i].off, v[i].len, v[i].file ? "file" : "anon")) {
			nv = i;
			break;
		}
		touch(v[i].off, v[i].len, rnd_below(4) ? 'w' : 'r', 1 + rnd_below(3));
		base += v[i].len + PAGE * rnd_below(3) * (1 + rnd_below(512));
	}
	if (!nv)
		return;
	ops = 1 + rnd_below(4);
	for (k = 0; k < ops; k++) {
		struct rvma *r = &v[rnd_below(nv)];
		unsigned long ro, rl, end = v[nv - 1].off + v[nv - 1].len;
		int what = rnd_below(11);

		rnd_range(r->off, r->len, &ro, &rl);
		if (what == 6 && !have_swap)
			what = 1;
		if (what == 7 && r->file)
			what = 2;
		switch (what) {
		case 0:
			cur_group = r->file ? "munmap-file" : "munmap-anon";
			do_munmap(ro, rl);
			break;
		case 1:
			cur_group = "dontneed";
			do_madvise(ro, rl, MADV_DONTNEED);
			break;
		case 2:
			cur_group = "dontneed";
			rnd_range(v[0].off, end - v[0].off, &ro, &rl);
			do_madvise(ro, rl, MADV_DONTNEED);
			break;
		case 3: {
			unsigned long o[3], l[3];
			int ni = 1 + rnd_below(3), j;

			for (j = 0; j < ni; j++) {
				struct rvma *q = &v[rnd_below(nv)];

				rnd_range(q->off, q->len, &o[j], &l[j]);
			}
			cur_group = "pmadv-dontneed";
			do_pmadv(o, l, ni, MADV_DONTNEED);
			break;
		}
		case 4:
			cur_group = "mprotect";
			do_mprotect(ro, rl, rnd_below(2));
			break;
		case 5:
			cur_group = "clear-refs";
			do_clear_refs(rnd_below(2) ? 4 : 1);
			break;
		case 6:
			cur_group = "pageout";
			do_madvise(ro, rl, MADV_PAGEOUT);
			break;
		case 7:
			cur_group = "madv-free";
			do_madvise(ro, rl, MADV_FREE);
			break;
		case 8: {
			unsigned long dst = X + G(1) + M(64) * (1 + rnd_below(4));

			if (rnd_below(2))
				dst += (ro & (PMD - 1));
			else
				dst += PAGE * rnd_below(512);
			cur_group = "mremap";
			do_mremap(ro, rl, dst);
			break;
		}
		case 9:
			if (k == ops - 1) {
				cur_group = "exit";
				do_exit_op(end + M(2), PAGE * (1 + rnd_below(64)));
				break;
			}
			/* fall through */
		default:
			cur_group = "munmap-anon";
			rnd_range(v[0].off, end - v[0].off, &ro, &rl);
			do_munmap(ro, rl);
			break;
		}
		/* Re-touch some of what is left. */
		for (i = 0; i < nv; i++)
			if (rnd_below(3) == 0) {
				rnd_range(v[i].off, v[i].len, &ro, &rl);
				retouch(ro, rl);
			}
	}
	cleanup_window();
}

/* ------------------------------------------------------------------ */

static bool have_soft_dirty;

static void find_zero_pfn(void)
{
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0;

	(void)*(volatile char *)p;
	if (pread(pagemap_fd, &e, 8, ((unsigned long)p / PAGE) * 8) == 8 &&
	    (e & PM_PRESENT))
		zero_pfn = e & PM_PFN;
	/* A new VMA is soft-dirty throughout where the kernel tracks it. */
	have_soft_dirty = !!(e & PM_SOFT_DIRTY);
	munmap(p, PAGE);
}

static void probe_env(void)
{
	char line[256];
	FILE *f;

	have_tlbh = !access("/dev/tlbh", R_OK | W_OK);
	f = fopen("/proc/swaps", "r");
	if (f) {
		int n = 0;

		while (fgets(line, sizeof(line), f))
			n++;
		have_swap = n > 1;
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			long v;

			if (sscanf(line, "HugePages_Free: %ld", &v) == 1)
				have_huge = v >= 4;
		}
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *path = NULL, *only = NULL;
	long seed = -1, nseq = 1000, i;
	bool fixed = true;
	struct utsname u;
	int opt;

	while ((opt = getopt(argc, argv, "o:c:r:n:Fl")) != -1) {
		switch (opt) {
		case 'o': path = optarg; break;
		case 'c': only = optarg; break;
		case 'r': seed = strtol(optarg, NULL, 0); break;
		case 'n': nseq = strtol(optarg, NULL, 0); break;
		case 'F': fixed = false; break;
		case 'l':
			for (i = 0; i < (long)NR_CASES; i++)
				printf("%s %s %s\n", cases[i].name, cases[i].group,
				       cases[i].config);
			return 0;
		default:
			fprintf(stderr, "usage: workload -o STATE [-c CASE] [-r SEED [-n N]] [-F] [-l]\n");
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "workload: -o STATE is required\n");
		return 2;
	}
	out = fopen(path, "w");
	if (!out)
		return 1;
	/* Transparent huge pages would make the PTE layout unpredictable. */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	find_zero_pfn();
	probe_env();
	setup_cpus();
	uname(&u);
	fprintf(out, "kernel %s\nncpu %d\nswap %d\nhuge %d\nzero_pfn %lx\nsoftdirty %d\n",
		u.release, ncpu, have_swap, have_huge, zero_pfn, have_soft_dirty);
	if (fixed)
		for (i = 0; i < (long)NR_CASES; i++)
			if (!only || !strcmp(only, cases[i].name))
				run_case(&cases[i]);
	if (seed >= 0) {
		rng = (uint64_t)seed * 0x9e3779b97f4a7c15ULL + 1;
		fprintf(out, "random seed=%ld n=%ld\n", seed, nseq);
		for (i = 0; i < nseq; i++)
			random_sequence(i);
	}
	fprintf(out, "done\n");
	fclose(out);
	for (i = 1; i < ncpu; i++)
		kill(helpers[i].evictor, SIGKILL);
	_exit(0);
}
