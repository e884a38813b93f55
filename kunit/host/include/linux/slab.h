/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: kmalloc and friends on top of the C library.
 */
#ifndef _TLBH_SHIM_LINUX_SLAB_H
#define _TLBH_SHIM_LINUX_SLAB_H

#include <stdlib.h>

#define GFP_KERNEL	0
#define kmalloc(size, gfp)	malloc(size)
#define kzalloc(size, gfp)	calloc(1, size)
#define kfree(p)		free(p)

#endif
