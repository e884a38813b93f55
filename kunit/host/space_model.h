/* SPDX-License-Identifier: GPL-2.0 */
/*
 * space_model.h - a /dev/tlbh space on the host
 *
 * The commands of src/tlbh_space_ioctl.c, with the pool, quarantine and
 * table parking of src/tlbh_space.c, over a model page table; the engine
 * and op drivers are the module's sources, compiled unchanged.  The CPUs
 * are the reference TLB model (ref_tlb.c), and a step is run with the
 * semantics of the scenario runner (selftests/tlbh_scenario.c): role i
 * pinned to CPU i, the main thread on the next CPU, a worker that primed
 * an entry spinning in the mm and the others lazy, may-block steps
 * parked on -EBUSY and retried after every later step, CHECK compared
 * with what the page tables map.
 *
 * On top, the model judges what the kernel promises (enum sm_check):
 * it is the explorer's oracle and knows nothing of the engine's own
 * audit, which it only counts (engine_reports).
 *
 * A model lives in one block of memory, pointers included, so that a
 * copy of its bytes (sm_save) is a complete state to come back to.
 */
#ifndef _TLBH_SPACE_MODEL_H
#define _TLBH_SPACE_MODEL_H

#include "ref_tlb.h"
#include "tlbh_op.h"
#include "tlbh_policy.h"
#include "tlbh_scenario.h"

/* What the kernel promises; each can be switched off (sm_setup.checks). */
enum sm_check {
	/* munmap, madvise, unmap_mapping_range, mremap returned: nothing in
	 * their range still translates to what the PTE no longer maps */
	SM_CHK_GONE = 1 << 0,
	/* mprotect(PROT_READ), clear_refs returned: no writable entry the
	 * PTE denies */
	SM_CHK_WP = 1 << 1,
	/* no page is freed (LUF: that is its deal) while a CPU reaches it */
	SM_CHK_FREE = 1 << 2,
	/* no PTE table is freed while a CPU caches a pointer to it */
	SM_CHK_TABLE = 1 << 3,
	/* the hugetlb VMA lock is not taken (a fault, a zap) while a page
	 * zapped under it still waits in a gather: the pool looks empty */
	SM_CHK_HUGETLB = 1 << 4,
	SM_CHK_STALE = SM_CHK_GONE | SM_CHK_WP | SM_CHK_FREE,
	SM_CHK_ALL = 0x1f,
};

const char *sm_check_name(unsigned int check);

/* Where the model maps a space; 1 GiB aligned, as tlbh_map_space does. */
#define SM_BASE		0x40000000UL
#define SM_MAX_SLOTS	32		/* 64 MiB of data: the largest space */
#define SM_MAX_QUARANTINE 4096		/* module parameter max_quarantine */
#define SM_VIOLATIONS	4		/* kept in detail */

struct sm_setup {
	uint64_t space_size;
	unsigned int nr_vmas;		/* 0: one VMA over the data area */
	const struct tlbh_vma_desc *vmas;
	unsigned int nr_roles;
	bool one_cpu;
	const struct tlbh_policy *policy;	/* the named policy */
	uint64_t add, drop;			/* ... and the rule set */
	unsigned int checks;			/* enum sm_check */
};

struct sm_violation {
	unsigned int check;		/* enum sm_check */
	int cpu;			/* -1: none involved */
	unsigned long va;		/* offset in the data area */
	unsigned int step;		/* index of the step, 0-based */
	bool writable;			/* the entry was writable */
	char what[160];
};

/* A range contract: what a command promises about [start, end). */
struct sm_contract {
	unsigned int check;		/* SM_CHK_GONE or SM_CHK_WP, 0: none */
	long moved;			/* mremap: only pages now mapped this far away */
	unsigned int nr;
	struct {
		unsigned long start, end;
	} r[2 * TLBH_MAX_VMAS];
};

enum sm_held { SM_HELD_NONE, SM_HELD_ZAP, SM_HELD_UNMAP, SM_HELD_RECLAIM };

struct sm {
	unsigned int inject_batch_fail;	/* TLBH_IOC_INJECT */
	/* set up once */
	unsigned long base, size, data_size;
	unsigned int slots, data_pages;
	unsigned int nr_roles, ncpus;	/* CPUs of the mm: roles, then main */
	bool one_cpu;
	unsigned int checks;
	unsigned int max_tables, max_pfn, max_batches;
	size_t bytes;			/* the whole block */

	/* engine */
	struct tlbh_policy policy;
	struct tlbh_mm emm;
	struct tlbh_vm espace;
	struct tlbh_reclaim reclaim;
	struct tlbh_vma vmas[TLBH_MAX_VMAS];
	unsigned int nr_vmas;
	enum sm_held held;
	bool held_batch;
	struct tlbh_op held_op;
	struct sm_contract held_contract;
	unsigned long locks;

	/* page tables: table index + 1 per slot, 0 for none */
	u16 data_table[SM_MAX_SLOTS];
	u16 park_table[SM_MAX_SLOTS];
	u64 park_ok;
	unsigned int nr_tables;

	/* pool */
	u32 next_pfn;
	u32 nr_quarantined;
	u32 nr_loose;			/* owned, unmapped, not quarantined */
	u32 nr_pool;			/* owned */
	u32 nr_huge_gathered[TLBH_MAX_VMAS];	/* per VMA: zapped, not freed */
	u64 batch_used;

	/* CPUs */
	struct ref_tlb tlb;
	u8 spinning;			/* workers that hold primed entries */
	u64 gen;			/* the mm's flush generation */
	u64 synced_gen[REF_CPUS];
	unsigned int this_cpu;

	/* the runner */
	unsigned int step;		/* index of the step running */
	unsigned int cur_action;
	unsigned int nr_parked;
	struct sc_step parked[SC_MAX_STEPS];
	unsigned int parked_idx[SC_MAX_STEPS];

	/* what was seen */
	u64 engine_reports;
	u32 report_kinds;		/* 1 << enum tlbh_violation */
	u64 flushes;
	unsigned int nr_viol;
	struct sm_violation viol[SM_VIOLATIONS];
	unsigned int checks_done, stale_checks, blocked;
	int error;
	char msg[SC_ERR_MAX];

	/* the rest of the block */
	u64 *hold_cleared;		/* data pages cleared by others in a hold */
	u32 *pte;			/* max_tables x 512 */
	u8 *batch;			/* max_batches x 4 KiB */
	u8 *pool;			/* per pfn: SM_P_* */
};

/* A model of a fresh space (open, mmap, SET_POLICY, SET_VMAS). */
struct sm *sm_new(const struct sm_setup *s);
void sm_free(struct sm *w);
/* Back to the fresh space it was created as. */
void sm_reset(struct sm *w);

/*
 * One step as the runner does it: run it on its role's CPU, park it on
 * -EBUSY if it may block, evaluate a CHECK, then retry parked steps.
 * Returns 0, or -errno with w->error set and w->msg saying why.
 */
int sm_step(struct sm *w, const struct sc_step *st, unsigned int idx);

/* Run a whole scenario once; returns 0 or -1 with w->msg set. */
int sm_run(struct sm *w, const struct scenario *sc);

/* Look a rule set up in the compiled-in tables. */
int sm_resolve(const struct sc_ruleset *rs, const struct tlbh_policy **base,
	       uint64_t *add, uint64_t *drop, char *err, size_t len);
/* sm_setup of a scenario under a rule set; 0 or -1 with @err set. */
int sm_setup_of(const struct scenario *sc, const struct sc_ruleset *rs,
		unsigned int checks, struct sm_setup *s, char *err, size_t len);

/* Saving and restoring a state; a buffer of sm_save_max() bytes fits any. */
size_t sm_save_max(const struct sm *w);
size_t sm_save(const struct sm *w, void *buf);
void sm_restore(struct sm *w, const void *buf);
/* A hash of what the state is, not of how it was reached. */
u64 sm_hash(struct sm *w);

#endif /* _TLBH_SPACE_MODEL_H */
