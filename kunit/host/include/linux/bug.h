/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: warnings print once and carry on; BUILD_BUG_ON.
 */
#ifndef _TLBH_SHIM_LINUX_BUG_H
#define _TLBH_SHIM_LINUX_BUG_H

#include <stdio.h>

#define WARN_ON_ONCE(cond) ({						\
	static bool __warned;						\
	bool __c = !!(cond);						\
	if (__c && !__warned) {						\
		__warned = true;					\
		fprintf(stderr, "WARNING: %s:%d: %s\n",			\
			__FILE__, __LINE__, #cond);			\
	}								\
	__c;								\
})

#define WARN_ON(cond) WARN_ON_ONCE(cond)

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#endif
