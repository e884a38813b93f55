// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh-crosscheck.c - a small tlbh workload that prints its counters.
 *
 * Maps one space, drives populate, probes on every CPU, remap, flush,
 * zap, mprotect and unmap over it a few rounds, with a second thread
 * spinning on another CPU so that flushes interrupt it, then prints the
 * TLBH_IOC_COUNTERS totals that the tlbh tracepoints must match, one
 * "name value" line each.  tlbh-crosscheck.sh runs it under bpftrace
 * and compares.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/tlbh.h>

#define SPACE	(8UL << 20)
#define PG	4096UL

static int fd;
static unsigned int failed;
static int stop;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Keeps the mm loaded on the last CPU. */
static void *spin(void *arg)
{
	pin((int)(long)arg);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
		;
	return NULL;
}

static void cmd(unsigned long nr, uint64_t off, uint64_t len)
{
	struct tlbh_range r = { .offset = off, .length = len };

	if (ioctl(fd, nr, &r))
		failed++;
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct tlbh_counters c = { 0 };
	int rounds = argc > 1 ? atoi(argv[1]) : 8;
	char *res, *base;
	pthread_t spinner;
	uintptr_t a;
	int i, cpu;

	fd = open("/dev/" TLBH_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	/* An 8 MiB space needs an 8 MiB aligned address. */
	res = mmap(NULL, 2 * SPACE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (res == MAP_FAILED)
		return 1;
	a = ((uintptr_t)res + SPACE - 1) & ~(SPACE - 1);
	munmap(res, 2 * SPACE);
	base = mmap((void *)a, SPACE, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE,
		    fd, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pin(0);
	if (ncpu > 1 &&
	    pthread_create(&spinner, NULL, spin, (void *)(ncpu - 1)))
		return 1;
	for (i = 0; i < rounds; i++) {
		uint64_t len = PG << (i % 6);

		cmd(TLBH_IOC_POPULATE, 0, 64 * PG);
		for (cpu = 0; cpu < ncpu; cpu++) {
			struct tlbh_probe p = { .offset = 0, .cpu = cpu };

			if (ioctl(fd, TLBH_IOC_PROBE, &p))
				failed++;
		}
		cmd(TLBH_IOC_REMAP, 0, len);
		cmd(TLBH_IOC_FLUSH, 0, len);
		cmd(TLBH_IOC_ZAP, 8 * PG, len);
		cmd(TLBH_IOC_MPROTECT, 16 * PG, 2 * PG);
		cmd(TLBH_IOC_ZAP, 128 * PG, PG);	/* nothing mapped there */
		cmd(TLBH_IOC_UNMAP, 0, 64 * PG);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	if (ncpu > 1)
		pthread_join(spinner, NULL);
	if (ioctl(fd, TLBH_IOC_COUNTERS, &c)) {
		perror("counters");
		return 1;
	}
	printf("flushes %llu\n", (unsigned long long)
	       (c.c[TLBH_CNT_FLUSH_RANGE] + c.c[TLBH_CNT_FLUSH_ALL]));
	printf("full %llu\n", (unsigned long long)c.c[TLBH_CNT_FLUSH_ALL]);
	printf("ipis %llu\n", (unsigned long long)c.c[TLBH_CNT_IPIS]);
	printf("not-loaded %llu\n",
	       (unsigned long long)c.c[TLBH_CNT_SKIP_NOT_LOADED]);
	printf("offline %llu\n", (unsigned long long)c.c[TLBH_CNT_SKIP_OFFLINE]);
	printf("nothing-cleared %llu\n",
	       (unsigned long long)c.c[TLBH_CNT_FLUSH_SKIPPED]);
	printf("no-target %llu\n",
	       (unsigned long long)c.c[TLBH_CNT_FLUSH_NO_TARGET]);
	printf("probes %llu\n", (unsigned long long)c.c[TLBH_CNT_PROBES]);
	printf("stale %llu\n", (unsigned long long)c.c[TLBH_CNT_PROBE_STALE]);
	fprintf(stderr, "failed commands %u\n", failed);
	munmap(base, SPACE);
	close(fd);
	return 0;
}
