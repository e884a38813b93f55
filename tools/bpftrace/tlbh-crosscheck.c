// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh-crosscheck.c - a small tlbh workload that prints its counters.
 *
 *   tlbh-crosscheck [rounds]
 *
 * Maps one space and, under every policy the module knows, drives
 * populate, probes on every CPU, remap, flush, zap, zap batch, mprotect,
 * clear_refs, reclaim (direct and batched) and unmap over it a few
 * rounds, with a second thread spinning on another CPU so that flushes
 * interrupt it.  Then it prints "space <id>" and the counters the tlbh
 * tracepoints must match (TLBH_IOC_COUNTERS, and per CPU the
 * TLBH_IOC_CPU_COUNTERS skipped/probes/stale), one "name value" line
 * each, and a last line "end".  It keeps the space mapped until it gets
 * SIGTERM or SIGINT, so that the events of the space's teardown come
 * after the tracer stopped.  tlbh-crosscheck.sh traces it and compares.
 *
 * The device, space and CPU helpers are the selftests' (tlbh_lib.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tlbh_lib.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SPACE	(8UL << 20)
#define PG	TLBH_PG

static int fd;
static unsigned int failed;

static void cmd(unsigned long nr, uint64_t off, uint64_t len)
{
	if (tlbh_range_cmd(fd, nr, off, len, 0, NULL))
		failed++;
}

static void probe_every_cpu(long ncpu)
{
	int cpu;

	for (cpu = 0; cpu < ncpu; cpu++) {
		struct tlbh_probe p = { .offset = 0, .cpu = cpu };

		if (tlbh_ioctl(fd, TLBH_IOC_PROBE, &p))
			failed++;
	}
}

static void print_counters(long ncpu)
{
	static const struct {
		const char *name;
		int idx;
	} cnt[] = {
		{ "flush_range", TLBH_CNT_FLUSH_RANGE },
		{ "flush_all", TLBH_CNT_FLUSH_ALL },
		{ "ipis", TLBH_CNT_IPIS },
		{ "skip_not_loaded", TLBH_CNT_SKIP_NOT_LOADED },
		{ "skip_offline", TLBH_CNT_SKIP_OFFLINE },
		{ "flush_skipped", TLBH_CNT_FLUSH_SKIPPED },
		{ "flush_no_target", TLBH_CNT_FLUSH_NO_TARGET },
		{ "gathers", TLBH_CNT_GATHERS },
		{ "probes", TLBH_CNT_PROBES },
		{ "probe_fresh", TLBH_CNT_PROBE_FRESH },
		{ "probe_stale", TLBH_CNT_PROBE_STALE },
		{ "probe_absent", TLBH_CNT_PROBE_ABSENT },
		{ "probe_fault", TLBH_CNT_PROBE_FAULT },
	};
	struct tlbh_counters c = { 0 };
	unsigned int i;
	long cpu;

	if (tlbh_ioctl(fd, TLBH_IOC_COUNTERS, &c)) {
		perror("counters");
		exit(1);
	}
	for (i = 0; i < ARRAY_SIZE(cnt); i++)
		printf("%s %llu\n", cnt[i].name,
		       (unsigned long long)c.c[cnt[i].idx]);
	for (cpu = 0; cpu < ncpu && cpu < 64; cpu++) {
		struct tlbh_cpu_counters pc = { .cpu = cpu };

		if (tlbh_ioctl(fd, TLBH_IOC_CPU_COUNTERS, &pc)) {
			perror("cpu counters");
			exit(1);
		}
		printf("cpu%ld_skipped %llu\n", cpu,
		       (unsigned long long)pc.skipped);
		printf("cpu%ld_probes %llu\n", cpu,
		       (unsigned long long)pc.probes);
		printf("cpu%ld_stale %llu\n", cpu, (unsigned long long)pc.stale);
	}
}

static void round_once(int i, long ncpu)
{
	struct tlbh_range batch[3] = {
		{ .offset = 0, .length = PG },
		{ .offset = 4 * PG, .length = 2 * PG },
		{ .offset = 32 * PG, .length = 8 * PG },
	};
	struct tlbh_range_batch b = { .nr = 3, .ranges = (uintptr_t)batch };
	struct tlbh_reclaim_arg rc = { .offset = 40 * PG };
	uint64_t len = PG << (i % 6);

	cmd(TLBH_IOC_POPULATE, 0, 64 * PG);
	probe_every_cpu(ncpu);
	cmd(TLBH_IOC_REMAP, 0, len);
	probe_every_cpu(ncpu);
	cmd(TLBH_IOC_FLUSH, 0, len);
	cmd(TLBH_IOC_ZAP, 8 * PG, len);
	cmd(TLBH_IOC_MPROTECT, 16 * PG, 2 * PG);
	cmd(TLBH_IOC_ZAP, 128 * PG, PG);	/* nothing mapped there */
	if (tlbh_ioctl(fd, TLBH_IOC_ZAP_BATCH, &b))
		failed++;
	cmd(TLBH_IOC_CLEAR_REFS, 0, 0);
	if (tlbh_ioctl(fd, TLBH_IOC_RECLAIM, &rc))
		failed++;
	rc.offset = 41 * PG;
	rc.flags = TLBH_RECLAIM_BATCH;
	if (tlbh_ioctl(fd, TLBH_IOC_RECLAIM, &rc))
		failed++;
	cmd(TLBH_IOC_RECLAIM_FLUSH, 0, 0);
	cmd(TLBH_IOC_UNMAP, 0, 64 * PG);
	cmd(TLBH_IOC_DRAIN, 0, 0);
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rounds = argc > 1 ? atoi(argv[1]) : 8;
	struct tlbh_space_info info = { 0 };
	struct tlbh_vma_desc vma = { .offset = 0, .length = 4UL << 20 };
	struct tlbh_set_vmas vmas = { .nr = 1, .vmas = (uintptr_t)&vma };
	struct tlbh_readers spinner;
	sigset_t sigs;
	uint64_t pol;
	char *base;
	int i, sig;

	/* Blocked here, taken by sigwait() at the end. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	fd = tlbh_open_space(SPACE, &base);
	if (fd < 0) {
		fprintf(stderr, "space: %s\n", strerror(-fd));
		return 1;
	}
	if (tlbh_ioctl(fd, TLBH_IOC_SPACE_INFO, &info)) {
		perror("space info");
		return 1;
	}
	if (tlbh_ioctl(fd, TLBH_IOC_SET_VMAS, &vmas))
		failed++;
	tlbh_pin(0);
	/* A reader that only spins keeps the mm loaded on the last CPU. */
	if (ncpu > 1 && tlbh_readers_start(&spinner, ncpu - 1, 1, NULL, 0))
		return 1;
	for (pol = 1; pol <= info.nr_policies; pol++) {
		struct tlbh_policy_arg pa = { .policy = pol };

		if (tlbh_ioctl(fd, TLBH_IOC_SET_POLICY, &pa))
			failed++;
		for (i = 0; i < rounds; i++)
			round_once(i, ncpu);
	}
	if (ncpu > 1)
		tlbh_readers_stop(&spinner);
	printf("space %llu\n", (unsigned long long)info.space_id);
	print_counters(ncpu);
	printf("end\n");
	fprintf(stderr, "failed commands %u\n", failed);
	fflush(stdout);
	sigwait(&sigs, &sig);
	munmap(base, SPACE);
	close(fd);
	return 0;
}
