/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: vzalloc and vfree on top of the C library.
 */
#ifndef _TLBH_SHIM_LINUX_VMALLOC_H
#define _TLBH_SHIM_LINUX_VMALLOC_H

#include <stdlib.h>

#define vzalloc(size)	calloc(1, size)
#define vfree(p)	free(p)

#endif
