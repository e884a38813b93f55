/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: BIT(), BIT_ULL(), GENMASK_ULL().
 */
#ifndef _TLBH_SHIM_LINUX_BITS_H
#define _TLBH_SHIM_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))
#define BIT_ULL(nr)	(1ULL << (nr))
#define GENMASK_ULL(h, l) \
	((~0ULL << (l)) & (~0ULL >> (63 - (h))))

#endif
