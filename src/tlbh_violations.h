/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_violations.h - the one list of the violations the engine reports.
 *
 * No include guard: the includer defines TLBH_VIOLATION(id, name) to
 * make what it needs of the list, in this order (the enum in
 * tlbh_engine.h, the names in tlbh_engine.c), and undefines it after.
 */
TLBH_VIOLATION(NONE, "none")
/* page or table freed, range unflushed */
TLBH_VIOLATION(FREE_BEFORE_FLUSH, "free-before-flush")
/* flush narrower than what was cleared */
TLBH_VIOLATION(FLUSH_MISSES_RANGE, "flush-misses-range")
/* concurrent gather left unflushed */
TLBH_VIOLATION(NESTED_SKIP, "nested-skip")
/* PFNMAP VMA unlinked before its flush */
TLBH_VIOLATION(PFNMAP_UNLINK, "pfnmap-unlink")
/* unmap returned with a LUF flush owed */
TLBH_VIOLATION(LUF_HOLE, "luf-hole")
/* table freed without invalidation */
TLBH_VIOLATION(TABLE_NO_FLUSH, "table-no-flush")
/* write protect without any flush */
TLBH_VIOLATION(SOFT_DIRTY, "soft-dirty")
/* reclaim flush owed, PTE changed */
TLBH_VIOLATION(BATCHED_PENDING, "batched-pending")
/* PMD moved under a running rmap walk */
TLBH_VIOLATION(MREMAP_RMAP, "mremap-rmap")
/* hugetlb lock dropped before freeing */
TLBH_VIOLATION(HUGETLB_ORDER, "hugetlb-order")
