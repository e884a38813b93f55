// SPDX-License-Identifier: GPL-2.0
/*
 * engine_bench.c - engine cost per gathered page, in userspace
 *
 * Times one gather of N pages: tlbh_gather, then per page
 * tlbh_track_clear + tlbh_remove_page (flushing when the batch is full,
 * as tlb_remove_page does), then tlbh_finish, against a backend whose
 * flushes and frees do nothing and whose batch pages come from a small
 * cache, so that what is measured is the engine's own bookkeeping.
 *
 *   engine_bench [N...]     default: 1 512 100000
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tlbh_engine.h"
#include "tlbh_policy.h"

#define CACHE	64

static void *cache[CACHE];
static unsigned int cached;
static unsigned long flushes, freed;

static void bench_flush(void *priv, const struct tlbh_flush *f)
{
	flushes++;
}

static void bench_free_page(void *priv, unsigned long pfn, bool luf)
{
	freed++;
}

static void bench_free_table(void *priv, unsigned long table)
{
}

static void bench_sync(void *priv)
{
}

static void *bench_alloc_batch(void *priv)
{
	return cached ? cache[--cached] : malloc(TLBH_PAGE_SIZE);
}

static void bench_free_batch(void *priv, void *batch)
{
	if (cached < CACHE)
		cache[cached++] = batch;
	else
		free(batch);
}

static tlbh_cpus_t bench_mm_cpus(void *priv)
{
	return 0x3;
}

static tlbh_cpus_t bench_lazy_cpus(void *priv)
{
	return 0;
}

static unsigned int bench_this_cpu(void *priv)
{
	return 0;
}

static const struct tlbh_backend_ops bench_ops = {
	.flush_range = bench_flush,
	.flush_all = bench_flush,
	.free_page = bench_free_page,
	.free_table = bench_free_table,
	.sync_table_free = bench_sync,
	.alloc_batch = bench_alloc_batch,
	.free_batch = bench_free_batch,
	.mm_cpus = bench_mm_cpus,
	.lazy_cpus = bench_lazy_cpus,
	.this_cpu = bench_this_cpu,
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void one_gather(struct tlbh_mm *mm, unsigned long pages)
{
	struct tlbh_gather tlb;
	unsigned long i, addr = 0x40000000UL;

	tlbh_gather(&tlb, mm, false);
	for (i = 0; i < pages; i++, addr += TLBH_PAGE_SIZE) {
		tlbh_track_clear(&tlb, addr, TLBH_PAGE_SIZE, TLBH_LEVEL_PTE);
		if (tlbh_remove_page(&tlb, 0x1000 + i, TLBH_PAGE_SIZE, false))
			tlbh_flush_mmu(&tlb);
	}
	tlbh_finish(&tlb);
}

static void bench(unsigned long pages)
{
	struct tlbh_mm mm;
	unsigned long reps = 1, r;
	double t0, t;

	tlbh_mm_init(&mm, NULL, NULL, &bench_ops, NULL);
	one_gather(&mm, pages);			/* warm the batch cache */
	for (;;) {
		flushes = 0;
		t0 = now_ns();
		for (r = 0; r < reps; r++)
			one_gather(&mm, pages);
		t = now_ns() - t0;
		if (t > 2e8 || reps > (1UL << 30))
			break;
		reps *= 2;
	}
	printf("%8lu pages: %7.2f ns/page  (%.0f ns/gather, %lu flushes/gather, %lu reps)\n",
	       pages, t / reps / pages, t / reps, flushes / reps, reps);
}

int main(int argc, char **argv)
{
	unsigned long sizes[] = { 1, 512, 100000 };
	int i;

	printf("# engine cost per gathered page (track + batch + flush decision + free)\n");
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			bench(strtoul(argv[i], NULL, 0));
		return 0;
	}
	for (i = 0; i < 3; i++)
		bench(sizes[i]);
	return 0;
}
