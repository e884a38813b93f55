/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the few kernel.h helpers the tlbh sources use.
 */
#ifndef _TLBH_SHIM_LINUX_KERNEL_H
#define _TLBH_SHIM_LINUX_KERNEL_H

#include <stdio.h>
#include <linux/types.h>
#include <linux/minmax.h>
#include <linux/bug.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* log2 of a constant power of two, usable in initializers */
#define const_ilog2(n)	(__builtin_ctzll(n))
#include <stdarg.h>

/* Like snprintf, but returns what was written, not what was wanted. */
static inline int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	if (!size)
		return 0;
	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)size - 1 : n;
}

#endif
