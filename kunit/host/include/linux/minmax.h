/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: min() and max() of two values of one type.
 */
#ifndef _TLBH_SHIM_LINUX_MINMAX_H
#define _TLBH_SHIM_LINUX_MINMAX_H

#define min(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); \
		     __a < __b ? __a : __b; })
#define max(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); \
		     __a > __b ? __a : __b; })

#endif
