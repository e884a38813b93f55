/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tlbh.h - user ABI of /dev/tlbh, the mmu_gather test harness.
 *
 * Every command takes one fixed-size structure made only of __u64 fields:
 * inputs first, then outputs, then reserved words.  The module copies the
 * whole structure in, makes sure it can be written back (it writes the
 * caller's own bytes back), validates it (reserved words must be zero,
 * unknown flags are refused), zeroes the outputs, runs the command and
 * copies the structure back only when the command succeeded.
 *
 * A command that fails changes nothing, with two exceptions: a PTE table
 * that POPULATE or REMAP had the kernel allocate on the way stays (empty),
 * and a caller that makes its argument unwritable from another thread
 * while the command runs gets -EFAULT after the command acted.
 *
 * Errors common to every command:
 *   -ENOTTY  unknown command (wrong magic, number, size or direction)
 *   -EFAULT  the argument pointer cannot be read or written
 *   -EINVAL  a reserved word is not zero, an unknown flag is set, or an
 *            input is out of range
 *   -EPERM   the caller lacks CAP_SYS_ADMIN
 *
 * The header is usable from C userspace and from the module alike.
 */
#ifndef _UAPI_LINUX_TLBH_H
#define _UAPI_LINUX_TLBH_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on any incompatible change of a structure or command. */
#define TLBH_ABI_VERSION	2

#define TLBH_DEVICE_NAME	"tlbh"

/*
 * Feature bits reported by TLBH_IOC_VERSION.  A bit is set only when the
 * loaded module implements that part of the ABI.
 */
#define TLBH_FEAT_SPACE		_BITULL(0)	/* mmap spaces, populate, snapshot */
#define TLBH_FEAT_HWFLUSH	_BITULL(1)	/* real invalidations, counters */
#define TLBH_FEAT_PROBE		_BITULL(2)	/* TLBH_IOC_PROBE */
#define TLBH_FEAT_OPS		_BITULL(3)	/* engine-driven mm operations */
#define TLBH_FEAT_POOL		_BITULL(4)	/* pool accounting, drain */
#define TLBH_FEAT_HOLD		_BITULL(5)	/* TLBH_HOLD, TLBH_IOC_RESUME */
#define TLBH_FEAT_RULES		_BITULL(6)	/* rule sets, TLBH_IOC_RULE_INFO */
#define TLBH_FEAT_INJECT	_BITULL(7)	/* TLBH_IOC_INJECT */
#define TLBH_FEAT_ALL		(TLBH_FEAT_SPACE | TLBH_FEAT_HWFLUSH |	\
				 TLBH_FEAT_PROBE | TLBH_FEAT_OPS |	\
				 TLBH_FEAT_POOL | TLBH_FEAT_HOLD |	\
				 TLBH_FEAT_RULES | TLBH_FEAT_INJECT)

/**
 * struct tlbh_version - argument of TLBH_IOC_VERSION
 * @abi_version: out: TLBH_ABI_VERSION of the loaded module
 * @features:    out: TLBH_FEAT_* bits the module implements
 * @reserved:    out: always zero
 */
struct tlbh_version {
	__u64 abi_version;
	__u64 features;
	__u64 reserved[2];
};

#define TLBH_IOC_MAGIC		0xB9

#define TLBH_IOC_VERSION	_IOR(TLBH_IOC_MAGIC, 0x00, struct tlbh_version)

/*
 * Spaces (Documentation/spaces.rst).  A space is an mmap() of /dev/tlbh:
 * MAP_SHARED, PROT_READ only, length a multiple of TLBH_SPACE_ALIGN, one
 * per open file.  Its lower half is the data area; every offset below is
 * a byte offset from the start of the space and must lie in the data
 * area, page aligned.  Errors of the space commands, besides the common
 * ones:
 *   -ENXIO   no space is mapped on this file, it was unmapped, or the
 *            caller is not in the address space that mapped it
 *   -EINVAL  unaligned or out-of-range offset/length, unknown flag or
 *            enum value, length zero, range wrapping around
 *   -EBUSY   the command does not apply to the current state (see
 *            each), or it would wait for a lock a held operation owns
 *            (where the kernel would sleep)
 *   -ENOMEM  the pool limit (module parameter max_pool_pages) is reached
 *   -E2BIG   a count exceeds its documented maximum
 *   -EFAULT  an embedded user pointer cannot be read or written
 */
#define TLBH_SPACE_ALIGN	(2ULL << 20)

/* Identity stamped in the first word of every pool page. */
#define TLBH_ID_SPACE(id)	((id) >> 48)
#define TLBH_ID_PAGE(id)	(((id) >> 24) & 0xffffffULL)
#define TLBH_ID_GEN(id)		((id) & 0xffffffULL)

/**
 * struct tlbh_space_info - argument of TLBH_IOC_SPACE_INFO
 * @base:        out: user address of the space
 * @size:        out: bytes mapped
 * @data_size:   out: bytes of the data area (offsets are below this)
 * @space_id:    out: the space field of this space's identities
 * @policy:      out: index of the named policy in force (1-based)
 * @nr_policies: out: number of policies the module knows
 * @pages:       out: pool pages the space owns (mapped + quarantined)
 * @quarantined: out: pages waiting for a full flush before release
 * @tables:      out: PTE tables in the data area
 * @parked:      out: PTE tables parked in the park area
 * @rules:       out: TLBH_RULE_* bits in force (the named policy's,
 *               with what SET_POLICY added and dropped)
 */
struct tlbh_space_info {
	__u64 base;
	__u64 size;
	__u64 data_size;
	__u64 space_id;
	__u64 policy;
	__u64 nr_policies;
	__u64 pages;
	__u64 quarantined;
	__u64 tables;
	__u64 parked;
	__u64 rules;
	__u64 reserved[5];
};

/*
 * Rules.  A policy is a set of rule bits; each rule is one place where
 * the kernel's behaviour changed over time (a fix, a release's way of
 * doing something).  TLBH_IOC_RULE_INFO gives each rule's name and a
 * one-line description; Documentation/engine.rst the details.  A rule
 * set is a named policy plus rules added and dropped (SET_POLICY), so
 * an idea the existing rules can express needs no rebuild.
 */
#define TLBH_RULE_PFNMAP_END_VMA	_BITULL(0)
#define TLBH_RULE_PFNMAP_FREE_VMAS	_BITULL(1)
#define TLBH_RULE_PFNMAP_PER_VMA	_BITULL(2)
#define TLBH_RULE_VMA_PFN_STICKY	_BITULL(3)
#define TLBH_RULE_DELAYED_RMAP		_BITULL(4)
#define TLBH_RULE_NESTED_FLUSH		_BITULL(5)
#define TLBH_RULE_BATCHED_PENDING	_BITULL(6)
#define TLBH_RULE_SOFT_DIRTY_FLUSH	_BITULL(7)
#define TLBH_RULE_MREMAP_RMAP_LOCK	_BITULL(8)
#define TLBH_RULE_HUGETLB_FLUSH_FIRST	_BITULL(9)
#define TLBH_RULE_TABLE_INVALIDATE	_BITULL(10)
#define TLBH_RULE_BATCH_RANGE_CLEARED	_BITULL(11)
#define TLBH_RULE_LUF			_BITULL(12)
#define TLBH_RULE_LUF_VMA_FLAG		_BITULL(13)
#define TLBH_RULE_DIRTY_FILE_FLUSH	_BITULL(14)
#define TLBH_RULE_BATCH_PAIR_RESERVE	_BITULL(15)
#define TLBH_RULE_TABLE_RCU_BATCH	_BITULL(16)
#define TLBH_RULE_MADV_GATHER_PER_CALL	_BITULL(17)
#define TLBH_RULE_PT_RECLAIM		_BITULL(18)
#define TLBH_RULE_LAZY_CPUMASK		_BITULL(19)
#define TLBH_RULE_RECLAIM_FLUSH_RANGE	_BITULL(20)
#define TLBH_RULE_PFNMAP_FIRST_VMA	_BITULL(21)
#define TLBH_RULE_PAGEOUT_AGES_YOUNG	_BITULL(22)
#define TLBH_RULE_RECLAIM_FREE_BATCH	_BITULL(23)

/**
 * struct tlbh_policy_arg - argument of TLBH_IOC_SET_POLICY
 * @policy:   in: 1-based index of the named policy (0 is invalid, -EINVAL)
 * @add:      in: TLBH_RULE_* bits to add to the policy's rules
 * @drop:     in: TLBH_RULE_* bits to remove (applied after @add)
 * @is_buggy: out: the named policy breaks the safety invariant on
 *            purpose (for a modified rule set, the tests tell)
 * @rules:    out: the rule set now in force
 *
 * -EINVAL for a bit in @add or @drop that names no rule, -EBUSY while
 * an operation keeps state across commands (a reclaim batch not yet
 * flushed, a held operation).
 */
struct tlbh_policy_arg {
	__u64 policy;
	__u64 add;
	__u64 drop;
	__u64 is_buggy;
	__u64 rules;
	__u64 reserved[3];
};

/* Harness VMA flags (engine view; the real VMA does not change). */
#define TLBH_VMA_EXEC		_BITULL(0)
#define TLBH_VMA_HUGE		_BITULL(1)
#define TLBH_VMA_PFNMAP		_BITULL(2)
#define TLBH_VMA_MIXEDMAP	_BITULL(3)
#define TLBH_VMA_ALL		(TLBH_VMA_EXEC | TLBH_VMA_HUGE |	\
				 TLBH_VMA_PFNMAP | TLBH_VMA_MIXEDMAP)

/* At most this many harness VMAs per space (-E2BIG beyond). */
#define TLBH_MAX_VMAS		8

/**
 * struct tlbh_vma_desc - one harness VMA
 * @offset: first byte, page aligned
 * @length: bytes, page aligned, non-zero
 * @flags:  TLBH_VMA_*
 * @reserved: must be zero
 */
struct tlbh_vma_desc {
	__u64 offset;
	__u64 length;
	__u64 flags;
	__u64 reserved;
};

/**
 * struct tlbh_set_vmas - argument of TLBH_IOC_SET_VMAS
 * @nr:   in: number of descriptors, 1..TLBH_MAX_VMAS
 * @vmas: in: user pointer to @nr struct tlbh_vma_desc, sorted by offset,
 *        not overlapping (-EINVAL), inside the data area
 *
 * Replaces the harness VMAs.  -EBUSY when any page is mapped.
 */
struct tlbh_set_vmas {
	__u64 nr;
	__u64 vmas;
	__u64 reserved[2];
};

/**
 * struct tlbh_range - argument of the range commands
 * @offset: first byte, page aligned, in the data area
 * @length: bytes, page aligned, non-zero, offset + length in the area
 * @flags:  the command's flags (below); others are -EINVAL
 * @out:    out: the command's count (pages mapped, changed, ...)
 * @reserved: must be zero
 *
 * POPULATE maps a fresh stamped pool page at every empty page of the
 *   range (TLBH_MAP_WRITE: writable, dirty entries); @out = pages mapped.
 * REMAP replaces every present page by a fresh one (new generation),
 *   without any flush unless TLBH_REMAP_FLUSH; old pages are
 *   quarantined; @out = pages replaced.
 * FLUSH runs the engine's flush_tlb_range over the range, or its
 *   flush_tlb_mm with TLBH_FLUSH_MM (then offset and length must be 0).
 * ZAP is madvise(MADV_DONTNEED) through the engine, UNMAP is the munmap
 *   path (zap, then free the PTE tables the range covers entirely),
 *   MPROTECT is change_protection (TLBH_PROT_WRITE: make writable).
 * DRAIN (offset, length 0) does a full flush on every online CPU and
 *   releases the quarantine; @out = pages released.
 * CLEAR_REFS (offset, length 0) is clear_refs soft-dirty (type 4) over
 *   every harness VMA: write-protects writable entries, then flushes as
 *   the policy says.
 * RESUME (offset, length 0) finishes the held operation (below); @out =
 *   1.  -EBUSY when nothing is held.
 *
 * Holding an operation halfway (TLBH_HOLD) lets a test interleave other
 * commands, from other CPUs, inside the window where the kernel's
 * operation runs concurrently with them.  ZAP and UNMAP with TLBH_HOLD
 * stop right before tlb_finish_mmu: entries are cleared (UNMAP has also
 * unlinked the VMAs and unhooked the page tables) and whatever the
 * policy flushes early was flushed, but the gather is still open.
 * RECLAIM with TLBH_HOLD stops after the rmap walk: the walker holds the
 * rmap lock and a pointer to the PTE table, and nothing is cleared yet.
 * RESUME runs the rest.  The VMAs a held UNMAP unlinked are no longer
 * found by other commands (their range is treated as having no harness
 * VMA), as unmap_mapping_range does not find a VMA munmap unlinked.
 * One operation per space may be held; meanwhile
 * a second TLBH_HOLD, a RECLAIM while a RECLAIM is held, SET_POLICY and
 * SET_VMAS are -EBUSY; every other command runs normally.  With
 * TLBH_HOLD, @out is 1 when an operation is held (ZAP, UNMAP: 0 when no
 * harness VMA meets the range, and nothing is held).  Closing or
 * unmapping the space abandons a held operation safely.
 */
struct tlbh_range {
	__u64 offset;
	__u64 length;
	__u64 flags;
	__u64 out;
	__u64 reserved[4];
};

#define TLBH_MAP_WRITE		_BITULL(0)
#define TLBH_REMAP_FLUSH	_BITULL(0)
#define TLBH_FLUSH_MM		_BITULL(0)
#define TLBH_PROT_WRITE		_BITULL(0)
#define TLBH_HOLD		_BITULL(8)	/* ZAP, UNMAP, RECLAIM */

/* At most this many ranges per TLBH_IOC_ZAP_BATCH (-E2BIG beyond). */
#define TLBH_MAX_BATCH		1024

/**
 * struct tlbh_range_batch - argument of TLBH_IOC_ZAP_BATCH
 * @nr:     in: number of ranges, 1..TLBH_MAX_BATCH
 * @ranges: in: user pointer to @nr struct tlbh_range (flags, out and
 *          reserved must be zero); all are validated, then zapped in one
 *          gather with one final flush, as process_madvise() does since
 *          the batched MADV_DONTNEED zap (zap_page_range_single_batched)
 * @out:    out: ranges zapped
 *
 * -EBUSY, with nothing zapped, when a range meets a hugetlb VMA while a
 * held hugetlb zap owns the hugetlb VMA lock.
 */
struct tlbh_range_batch {
	__u64 nr;
	__u64 ranges;
	__u64 out;
	__u64 reserved;
};

/**
 * struct tlbh_reclaim_arg - argument of TLBH_IOC_RECLAIM
 * @offset: in: page to unmap as reclaim does (try_to_unmap_one)
 * @flags:  in: TLBH_RECLAIM_BATCH: defer the flush to the reclaim batch
 *          (flushed by TLBH_IOC_RECLAIM_FLUSH) when another CPU has the
 *          mm; under the luf rule a clean read-only page is freed at
 *          once and its flush owed instead (Documentation/abi.rst).
 *          TLBH_HOLD: stop after the rmap walk, TLBH_IOC_RESUME unmaps
 * @out:    out: 1 when a page was unmapped (or, with TLBH_HOLD, walked)
 *
 * -ENOENT when no page is mapped there, no harness VMA covers it or its
 * VMA has no page to reclaim (PFNMAP, MIXEDMAP, HUGE); -EBUSY when the
 * batch holds its 64 pages (every RECLAIM until TLBH_IOC_RECLAIM_FLUSH),
 * a RECLAIM is held, or, with TLBH_HOLD, any operation is held.
 */
struct tlbh_reclaim_arg {
	__u64 offset;
	__u64 flags;
	__u64 out;
	__u64 reserved;
};

#define TLBH_RECLAIM_BATCH	_BITULL(0)

/**
 * struct tlbh_mremap - argument of TLBH_IOC_MREMAP
 * @old_offset: in: source, page aligned
 * @new_offset: in: destination, page aligned
 * @length: in: bytes; without TLBH_MREMAP_PMD both ranges must stay
 *          inside one 2 MiB slot each and the destination must be empty
 *          (-EBUSY); with TLBH_MREMAP_PMD offsets are 2 MiB aligned,
 *          length is 2 MiB, the source slot has a PTE table and the
 *          destination slot none (-EBUSY)
 * @flags: in: TLBH_MREMAP_PMD: move the whole PTE table
 *
 * A PMD move under a policy that takes the rmap locks is -EBUSY while a
 * held RECLAIM (TLBH_HOLD) owns the rmap lock: the kernel would wait.
 */
struct tlbh_mremap {
	__u64 old_offset;
	__u64 new_offset;
	__u64 length;
	__u64 flags;
	__u64 reserved[4];
};

#define TLBH_MREMAP_PMD		_BITULL(0)

/* One page of a snapshot. */
#define TLBH_SNAP_PRESENT	_BITULL(0)	/* a PTE maps the page */
#define TLBH_SNAP_WRITE		_BITULL(1)	/* ... writable */
#define TLBH_SNAP_TABLE		_BITULL(2)	/* its PMD has a PTE table */
#define TLBH_SNAP_LEVEL(f)	(((f) >> 8) & 0xf)	/* 1: PTE, 2: PMD */

/**
 * struct tlbh_snap_entry - one page of TLBH_IOC_SNAPSHOT's output
 * @identity: identity of the mapped page (0 when not present)
 * @flags:    TLBH_SNAP_*
 */
struct tlbh_snap_entry {
	__u64 identity;
	__u64 flags;
};

/* At most this many pages per TLBH_IOC_SNAPSHOT (-E2BIG beyond). */
#define TLBH_MAX_SNAPSHOT	4096

/**
 * struct tlbh_snapshot - argument of TLBH_IOC_SNAPSHOT
 * @offset:  in: first page
 * @npages:  in: pages, 1..TLBH_MAX_SNAPSHOT, inside the data area
 * @entries: in: user pointer to @npages struct tlbh_snap_entry
 */
struct tlbh_snapshot {
	__u64 offset;
	__u64 npages;
	__u64 entries;
	__u64 reserved;
};

/* Probe results; 0 is never returned. */
enum tlbh_probe_result {
	TLBH_PROBE_FRESH = 1,	/* read what the page tables map now */
	TLBH_PROBE_STALE,	/* read something else: a stale TLB entry */
	TLBH_PROBE_ABSENT,	/* faulted, and no page is mapped */
	TLBH_PROBE_FAULT,	/* faulted although a page is mapped */
};

/**
 * struct tlbh_probe - argument of TLBH_IOC_PROBE
 *
 * A kernel-mode read on @cpu by a work item that switched into the
 * space's mm: it sees that CPU's kernel-mode TLB entries, after a switch
 * that flushes the CPU when the mm's tlb_gen is ahead of it.  Not what a
 * user thread sees (under QEMU TCG, not even the entries user threads
 * filled): STALE proves a stale entry, FRESH proves nothing.
 *
 * @offset: in: page to read (its first word)
 * @cpu:    in: CPU to read on; -EINVAL when offline or out of range
 * @read:   out: the word read (0 on a fault)
 * @mapped: out: identity the page tables map at @offset now (0: none)
 * @result: out: enum tlbh_probe_result
 */
struct tlbh_probe {
	__u64 offset;
	__u64 cpu;
	__u64 read;
	__u64 mapped;
	__u64 result;
	__u64 reserved[3];
};

/* Room for counters in struct tlbh_counters; TLBH_CNT_NR fits in it. */
#define TLBH_CNT_SLOTS		32

/**
 * struct tlbh_counters - argument of TLBH_IOC_COUNTERS
 * @flags: in: TLBH_COUNTERS_RESET: zero the counters after reading them
 * @c:     out: TLBH_CNT_* indexed counters of the space; the slots from
 *         TLBH_CNT_NR on are zero
 */
struct tlbh_counters {
	__u64 flags;
	__u64 c[TLBH_CNT_SLOTS];
};

#define TLBH_COUNTERS_RESET	_BITULL(0)

enum tlbh_counter {
	TLBH_CNT_FLUSH_RANGE,		/* range flushes executed */
	TLBH_CNT_FLUSH_ALL,		/* full flushes executed */
	TLBH_CNT_PAGES_INVALIDATED,	/* invlpg issued, summed over CPUs */
	TLBH_CNT_IPIS,			/* CPUs interrupted */
	TLBH_CNT_SKIP_NOT_LOADED,	/* target CPU did not have the mm */
	TLBH_CNT_SKIP_OFFLINE,		/* target CPU was offline */
	TLBH_CNT_FULL_FALLBACK,		/* range flush done as a full one */
	TLBH_CNT_TLB_GEN,		/* mm tlb_gen increments */
	TLBH_CNT_PROBES,
	TLBH_CNT_PROBE_FRESH,
	TLBH_CNT_PROBE_STALE,
	TLBH_CNT_PROBE_ABSENT,
	TLBH_CNT_PROBE_FAULT,
	TLBH_CNT_GATHERS,		/* engine: gathers */
	TLBH_CNT_FLUSH_SKIPPED,		/* engine: nothing to flush */
	TLBH_CNT_FLUSH_NO_TARGET,	/* engine: mm loaded nowhere */
	TLBH_CNT_PAGES_FREED,		/* engine: pages handed back */
	TLBH_CNT_TABLES_FREED,		/* engine: tables handed back */
	TLBH_CNT_VIOLATIONS,		/* engine: safety invariant broken */
	TLBH_CNT_DRAINS,		/* full flushes on all CPUs + release */
	TLBH_CNT_TABLES_PARKED,
	TLBH_CNT_TABLES_REUSED,
	TLBH_CNT_NR,
};

/**
 * struct tlbh_cpu_counters - argument of TLBH_IOC_CPU_COUNTERS
 * @cpu:      in: CPU (-EINVAL when >= nr_cpu_ids or >= 64)
 * @handled:  out: flush handler runs that acted on this CPU
 * @pages:    out: pages invalidated on this CPU
 * @full:     out: full flushes on this CPU
 * @skipped:  out: handler runs skipped (mm not loaded)
 * @probes:   out: probes run on this CPU
 * @stale:    out: ... that read a stale entry
 */
struct tlbh_cpu_counters {
	__u64 cpu;
	__u64 handled;
	__u64 pages;
	__u64 full;
	__u64 skipped;
	__u64 probes;
	__u64 stale;
	__u64 reserved;
};

/**
 * struct tlbh_pool - argument of TLBH_IOC_POOL (works without a space)
 * @pool_pages:     out: harness pages not yet returned, all spaces
 * @spaces:         out: spaces alive
 * @max_pool_pages: out: the module parameter
 */
struct tlbh_pool {
	__u64 pool_pages;
	__u64 spaces;
	__u64 max_pool_pages;
	__u64 reserved;
};

/**
 * struct tlbh_policy_info - argument of TLBH_IOC_POLICY_INFO (no space
 * needed)
 * @policy:      in: 1-based index, 1..@nr_policies (-EINVAL otherwise,
 *               and then nothing is copied back: count the policies by
 *               asking for 1, 2, ... until -EINVAL)
 * @is_buggy:    out: the policy breaks the safety invariant on purpose
 * @rules:       out: its TLBH_RULE_* bits
 * @nr_policies: out: number of policies the module knows
 * @name:        out: the policy's name, NUL-terminated
 */
struct tlbh_policy_info {
	__u64 policy;
	__u64 is_buggy;
	__u64 rules;
	__u64 nr_policies;
	__u64 name[6];
	__u64 reserved[2];
};

/**
 * struct tlbh_inject - argument of TLBH_IOC_INJECT (fault injection)
 * @batch_fail: in: the next this many batch-page allocations of the
 *              space's engine fail, so that it takes its slow paths (a
 *              page batch flushes early; a page table is invalidated and
 *              freed on its own, tlb_remove_table's slow path); 0 stops
 *              failing.  At most 1024 (-EINVAL beyond).
 */
struct tlbh_inject {
	__u64 batch_fail;
	__u64 reserved[3];
};

/**
 * struct tlbh_rule_info - argument of TLBH_IOC_RULE_INFO (no space needed)
 * @bit:  in: bit number of the rule, 0..63; -ENOENT when no rule has
 *        that bit (the rules are numbered densely from 0)
 * @name: out: the rule's name, NUL-terminated (lower case, '_')
 * @doc:  out: one line saying what the rule does, NUL-terminated
 */
struct tlbh_rule_info {
	__u64 bit;
	__u64 name[4];
	__u64 doc[16];
	__u64 reserved[3];
};

#define TLBH_IOC_SPACE_INFO	_IOR(TLBH_IOC_MAGIC, 0x01, struct tlbh_space_info)
#define TLBH_IOC_SET_POLICY	_IOWR(TLBH_IOC_MAGIC, 0x02, struct tlbh_policy_arg)
#define TLBH_IOC_SET_VMAS	_IOW(TLBH_IOC_MAGIC, 0x03, struct tlbh_set_vmas)
#define TLBH_IOC_POPULATE	_IOWR(TLBH_IOC_MAGIC, 0x04, struct tlbh_range)
#define TLBH_IOC_REMAP		_IOWR(TLBH_IOC_MAGIC, 0x05, struct tlbh_range)
#define TLBH_IOC_FLUSH		_IOWR(TLBH_IOC_MAGIC, 0x06, struct tlbh_range)
#define TLBH_IOC_ZAP		_IOWR(TLBH_IOC_MAGIC, 0x07, struct tlbh_range)
#define TLBH_IOC_ZAP_BATCH	_IOWR(TLBH_IOC_MAGIC, 0x08, struct tlbh_range_batch)
#define TLBH_IOC_UNMAP		_IOWR(TLBH_IOC_MAGIC, 0x09, struct tlbh_range)
#define TLBH_IOC_RECLAIM	_IOWR(TLBH_IOC_MAGIC, 0x0a, struct tlbh_reclaim_arg)
#define TLBH_IOC_RECLAIM_FLUSH	_IOWR(TLBH_IOC_MAGIC, 0x0b, struct tlbh_range)
#define TLBH_IOC_MREMAP		_IOW(TLBH_IOC_MAGIC, 0x0c, struct tlbh_mremap)
#define TLBH_IOC_MPROTECT	_IOWR(TLBH_IOC_MAGIC, 0x0d, struct tlbh_range)
#define TLBH_IOC_SNAPSHOT	_IOW(TLBH_IOC_MAGIC, 0x0e, struct tlbh_snapshot)
#define TLBH_IOC_PROBE		_IOWR(TLBH_IOC_MAGIC, 0x0f, struct tlbh_probe)
#define TLBH_IOC_COUNTERS	_IOWR(TLBH_IOC_MAGIC, 0x10, struct tlbh_counters)
#define TLBH_IOC_CPU_COUNTERS	_IOWR(TLBH_IOC_MAGIC, 0x11, struct tlbh_cpu_counters)
#define TLBH_IOC_POOL		_IOR(TLBH_IOC_MAGIC, 0x12, struct tlbh_pool)
#define TLBH_IOC_DRAIN		_IOWR(TLBH_IOC_MAGIC, 0x13, struct tlbh_range)
#define TLBH_IOC_CLEAR_REFS	_IOWR(TLBH_IOC_MAGIC, 0x14, struct tlbh_range)
#define TLBH_IOC_POLICY_INFO	_IOWR(TLBH_IOC_MAGIC, 0x15, struct tlbh_policy_info)
#define TLBH_IOC_RESUME		_IOWR(TLBH_IOC_MAGIC, 0x16, struct tlbh_range)
#define TLBH_IOC_RULE_INFO	_IOWR(TLBH_IOC_MAGIC, 0x17, struct tlbh_rule_info)
#define TLBH_IOC_INJECT		_IOW(TLBH_IOC_MAGIC, 0x18, struct tlbh_inject)

#endif /* _UAPI_LINUX_TLBH_H */
