// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_scenarios.c - the race reproductions, as data.
 *
 * Each entry is one timeline (roles A, B, C on distinct CPUs unless
 * one_cpu), the policies it runs under, and what each policy must show.
 * The runner is tlbh_scenario.c; tlbh_scenario_test.c turns every entry
 * into a kselftest fixture and every policy into a variant, and
 * tlbh_report runs them all for `make run`.  Documentation/engine.rst
 * describes each race; the comments here only say how the timeline maps
 * onto space commands.
 */
#include "tlbh_scenario.h"

#define PG		4096ULL
#define SLOT		(2ULL << 20)		/* one PMD: one PTE table */
#define X		(5 * PG)		/* the page every race is about */

/* Steps. */
#define READ(r, o)	{ .role = r, .action = SC_READ, .off = o }
#define READN(r, o, l)	{ .role = r, .action = SC_READ, .off = o, .len = l }
#define CHECK(r, o)	{ .role = r, .action = SC_CHECK, .off = o }
#define CHECKN(r, o, l)	{ .role = r, .action = SC_CHECK, .off = o, .len = l }
#define OP(r, a, o, l, f) \
	{ .role = r, .action = SC_##a, .off = o, .len = l, .flags = f }
#define OP_MAYBLOCK(r, a, o, l, f) \
	{ .role = r, .action = SC_##a, .off = o, .len = l, .flags = f, \
	  .may_block = true }
#define WHOLE(r, a)	{ .role = r, .action = SC_##a }
#define RECLAIM(r, o, f) { .role = r, .action = SC_RECLAIM, .off = o, .flags = f }

#define FIXED(p)	{ .policy = p, .expect = SC_FIXED }
#define BUGGY(p)	{ .policy = p, .expect = SC_BUGGY }

/* Bounded for BUGGY variants, "many" for FIXED ones (TCG: keep short). */
#define BUGGY_ITERS	30
#define FIXED_ITERS	100

/* The LUF hole (Dave Hansen, LUF v10 review, May 2024). */
#define LUF_STEPS							\
	OP(SC_A, POPULATE, X, PG, 0),					\
	READ(SC_A, X),			/* A caches X */		\
	RECLAIM(SC_B, X, TLBH_RECLAIM_BATCH), /* clean, read-only: LUF frees it unflushed */ \
	OP(SC_C, UNMAP, X, PG, 0),	/* pte_none: the gather records nothing */ \
	OP(SC_C, POPULATE, X, PG, 0),	/* a new page at the same address */ \
	CHECK(SC_A, X),							\
	WHOLE(SC_B, RECLAIM_FLUSH)

#define LUF_VARIANTS							\
	FIXED("upstream-current"), BUGGY("luf-naive"), FIXED("luf-vma-flag")

const struct scenario tlbh_scenarios[] = {
	{
		.name = "luf-munmap",
		.doc = "A reads X; B reclaims X (batched); C munmaps X and maps a new page there; A reads X",
		.outcome = SC_OUT_STALE,
		.nr_roles = 3,
		.steps = { LUF_STEPS },
		.variants = { LUF_VARIANTS },
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = FIXED_ITERS,
	},
	{
		.name = "luf-munmap-1cpu",
		.doc = "the LUF timeline with every role on one CPU",
		.note = "one CPU: no other CPU is in the mm's cpumask, so should_defer_flush does not defer and upstream flushes the page at once (one single-page flush per iteration, against two full flushes with three CPUs); LUF frees the page unflushed all the same, so the hole needs no second CPU",
		.outcome = SC_OUT_STALE,
		.nr_roles = 3,
		.one_cpu = true,
		.steps = { LUF_STEPS },
		.variants = { LUF_VARIANTS },
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = FIXED_ITERS / 2,
	},
	{
		/* b67fbebd4cf9 and the 2025 move into free_pgtables. */
		.name = "pfnmap-munmap",
		.doc = "A reads X of a PFNMAP VMA; B munmaps it, held after the unlink, before the final flush; C's unmap_mapping_range returns early; A reads X",
		.note = "the driver's unmap_mapping_range (C's ZAP) finds no VMA once munmap unlinked it and returns at once, without a gather, so the driver may free the PFN while A still reads it",
		.outcome = SC_OUT_STALE,
		.nr_roles = 3,
		.needs_hold = true,
		.nr_vmas = 1,
		.vmas = { { .offset = 0, .length = SLOT, .flags = TLBH_VMA_PFNMAP } },
		.steps = {
			OP(SC_A, POPULATE, X, PG, 0),
			READ(SC_A, X),
			OP(SC_B, UNMAP, 0, SLOT, TLBH_HOLD),
			OP(SC_C, ZAP, 0, SLOT, 0),	/* finds no VMA */
			CHECK(SC_A, X),
			WHOLE(SC_B, RESUME),
		},
		.variants = {
			BUGGY("pfnmap-no-flush"), FIXED("pfnmap-end-vma"),
			FIXED("pfnmap-free-pgtables-loop"),
			FIXED("upstream-current"),
		},
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = FIXED_ITERS,
	},
	{
		/* Why the flush moved out of tlb_end_vma: MADV_DONTNEED cost. */
		.name = "pfnmap-dontneed",
		.doc = "MADV_DONTNEED over four PFNMAP VMAs at once, repeated; counts flushes",
		.note = "pfnmap-end-vma flushes at the end of every PFNMAP VMA, the later fixes once per zap",
		.outcome = SC_OUT_COUNT,
		.nr_roles = 2,
		.nr_vmas = 4,
		.vmas = {
			{ .offset = 0 * 32 * PG, .length = 16 * PG, .flags = TLBH_VMA_PFNMAP },
			{ .offset = 1 * 32 * PG, .length = 16 * PG, .flags = TLBH_VMA_PFNMAP },
			{ .offset = 2 * 32 * PG, .length = 16 * PG, .flags = TLBH_VMA_PFNMAP },
			{ .offset = 3 * 32 * PG, .length = 16 * PG, .flags = TLBH_VMA_PFNMAP },
		},
		.steps = {
			OP(SC_A, POPULATE, 0, 128 * PG, 0),
			READ(SC_A, 0),
			OP(SC_B, ZAP, 0, 128 * PG, 0),
			CHECK(SC_A, 0),
			OP(SC_A, POPULATE, 0, 128 * PG, 0),
			OP(SC_B, ZAP, 0, 128 * PG, 0),
		},
		.variants = {
			FIXED("pfnmap-end-vma"), FIXED("pfnmap-free-pgtables-loop"),
			FIXED("upstream-current"),
		},
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = 30,
	},
	{
		/* Batched zap RFC (Apr 2025) against 2820b0f09be9. */
		.name = "hugetlb-order",
		.doc = "B zaps slot 0 of a hugetlb VMA (held); C zaps slot 1 of the same VMA (may block on the hugetlb VMA lock); B resumes",
		.note = "outcome is the engine's violation: the hugetlb VMA lock was dropped while B's pages were unflushed",
		.outcome = SC_OUT_VIOLATION,
		.nr_roles = 3,
		.needs_hold = true,
		.space_size = 8ULL << 20,
		.nr_vmas = 1,
		.vmas = { { .offset = 0, .length = 2 * SLOT, .flags = TLBH_VMA_HUGE } },
		.steps = {
			OP(SC_A, POPULATE, 0, 2 * SLOT, 0),
			READ(SC_A, X),
			OP(SC_B, ZAP, 0, SLOT, TLBH_HOLD),
			OP_MAYBLOCK(SC_C, ZAP, SLOT, SLOT, 0),
			WHOLE(SC_B, RESUME),
			CHECK(SC_A, X),
		},
		.variants = {
			BUGGY("hugetlb-flush-after-zap-end"),
			FIXED("upstream-current"),
		},
		.buggy_iters = 10,
		.fixed_iters = 60,
	},
	{
		/* Linus's 3-CPU scenario (2021), fixed by 97113eb39fa7. */
		.name = "mremap-pmd",
		.doc = "B's rmap walk finds X (held); A moves X's PTE table slot 0 -> 1 (may block); C reads X'; B clears and flushes the old address; C reads X'",
		.outcome = SC_OUT_STALE,
		.nr_roles = 3,
		.needs_hold = true,
		.space_size = 8ULL << 20,
		.steps = {
			OP(SC_A, POPULATE, X, PG, 0),
			RECLAIM(SC_B, X, TLBH_HOLD),
			{ .role = SC_A, .action = SC_MREMAP, .off = 0, .to = SLOT,
			  .len = SLOT, .flags = TLBH_MREMAP_PMD,
			  .may_block = true },
			READ(SC_C, SLOT + X),
			WHOLE(SC_B, RESUME),
			CHECK(SC_C, SLOT + X),
		},
		.variants = {
			BUGGY("mremap-pmd-no-rmap-lock"),
			FIXED("upstream-current"),
		},
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = FIXED_ITERS,
	},
	{
		/* d86564a2f085 (2018). */
		.name = "table-free",
		.doc = "A reads X; B munmaps X's whole 2 MiB slot, freeing its PTE table; A reads X",
		.note = "QEMU TCG caches no paging-structure entries, so a freed table cannot be walked stale here: the outcome is the engine's violation",
		.outcome = SC_OUT_VIOLATION,
		.nr_roles = 2,
		.steps = {
			OP(SC_A, POPULATE, 0, 16 * PG, 0),
			READ(SC_A, X),
			OP(SC_B, UNMAP, 0, SLOT, 0),
			CHECK(SC_A, X),
		},
		.variants = {
			BUGGY("table-free-no-flush"), FIXED("upstream-current"),
		},
		.buggy_iters = 10,
		.fixed_iters = 60,
	},
	{
		/* 99baac21e458 (2017). */
		.name = "nested-madv",
		.doc = "A reads X; B zaps X (held before its flush); C zaps X and finds nothing; A reads X",
		.outcome = SC_OUT_STALE,
		.nr_roles = 3,
		.needs_hold = true,
		.steps = {
			OP(SC_A, POPULATE, X, PG, 0),
			READ(SC_A, X),
			OP(SC_B, ZAP, X, PG, TLBH_HOLD),
			OP(SC_C, ZAP, X, PG, 0),
			CHECK(SC_A, X),
			WHOLE(SC_B, RESUME),
		},
		.variants = {
			BUGGY("nested-no-flush"), FIXED("upstream-current"),
		},
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = FIXED_ITERS,
	},
	{
		/* 3ea277194daa (2017). */
		.name = "mprotect-batched",
		.doc = "A reads X; B reclaims X (batched flush); C mprotects X's range; A reads X after mprotect returned",
		.outcome = SC_OUT_STALE,
		.nr_roles = 3,
		.steps = {
			OP(SC_A, POPULATE, X, PG, 0),
			READ(SC_A, X),
			RECLAIM(SC_B, X, TLBH_RECLAIM_BATCH),
			OP(SC_C, MPROTECT, X, PG, 0),
			CHECK(SC_A, X),
			WHOLE(SC_B, RECLAIM_FLUSH),
		},
		.variants = {
			BUGGY("reclaim-no-batched-pending"),
			FIXED("upstream-current"),
		},
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = FIXED_ITERS,
	},
	{
		/* e6c495a96ce0, fixing 597e1c35 (v3.6). */
		.name = "batch-range-lost",
		.doc = "A reads the first pages; B zaps 10240 pages, more than a gather's batches hold; A reads the first pages",
		.note = "the flush forced by the full batch covers more than 33 pages, so x86 turns it into a full flush and no stale read survives: the outcome is the engine's violation",
		.outcome = SC_OUT_VIOLATION,
		.nr_roles = 2,
		.space_size = 128ULL << 20,	/* 16384 data pages */
		.steps = {
			OP(SC_A, POPULATE, 0, 10240 * PG, 0),
			READN(SC_A, 0, 8 * PG),
			OP(SC_B, ZAP, 0, 10240 * PG, 0),
			CHECKN(SC_A, 0, 8 * PG),
		},
		.variants = {
			BUGGY("batch-range-lost"), FIXED("upstream-current"),
		},
		.buggy_iters = 2,
		.fixed_iters = 3,
	},
	{
		/* 0758cd830494 (2020), fixed by the 2021 clear_refs flush. */
		.name = "soft-dirty",
		.doc = "A writes X..X+7 (writable entries); B clears soft-dirty; A writes again",
		.note = "stale = A's write went through a PTE that clear_refs made read-only",
		.outcome = SC_OUT_STALE,
		.nr_roles = 2,
		.steps = {
			OP(SC_A, POPULATE, X, 8 * PG, TLBH_MAP_WRITE),
			{ .role = SC_A, .action = SC_WRITE, .off = X, .len = 8 * PG },
			WHOLE(SC_B, CLEAR_REFS),
			{ .role = SC_A, .action = SC_CHECK_WRITE, .off = X,
			  .len = 8 * PG },
		},
		.variants = {
			BUGGY("soft-dirty-no-flush"), FIXED("upstream-current"),
		},
		.buggy_iters = BUGGY_ITERS,
		.fixed_iters = FIXED_ITERS,
	},
};

const unsigned int tlbh_nr_scenarios =
	sizeof(tlbh_scenarios) / sizeof(tlbh_scenarios[0]);
