/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the C library's string functions.
 */
#ifndef _TLBH_SHIM_LINUX_STRING_H
#define _TLBH_SHIM_LINUX_STRING_H

#include <string.h>

#endif
