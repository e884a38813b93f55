/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: symbol exports mean nothing outside the kernel.
 */
#ifndef _TLBH_SHIM_LINUX_EXPORT_H
#define _TLBH_SHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_SYMBOL_NS_GPL(sym, ns)

#endif
