/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: BIT().
 */
#ifndef _TLBH_SHIM_LINUX_BITS_H
#define _TLBH_SHIM_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))

#endif
