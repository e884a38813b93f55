/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: atomic_t on top of the compiler's atomic builtins.
 */
#ifndef _TLBH_SHIM_LINUX_ATOMIC_H
#define _TLBH_SHIM_LINUX_ATOMIC_H

#include <linux/types.h>

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *v)
{
	__atomic_fetch_add(&v->counter, 1, __ATOMIC_SEQ_CST);
}

static inline void atomic_dec(atomic_t *v)
{
	__atomic_fetch_sub(&v->counter, 1, __ATOMIC_SEQ_CST);
}

#endif
