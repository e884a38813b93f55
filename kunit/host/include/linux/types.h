/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the kernel integer types the engine uses.
 */
#ifndef _TLBH_SHIM_LINUX_TYPES_H
#define _TLBH_SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/types.h>		/* __u64 and friends, for the uapi header */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

typedef struct {
	int counter;
} atomic_t;

#endif
