/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the error numbers the tlbh sources return.
 */
#ifndef _TLBH_SHIM_LINUX_ERRNO_H
#define _TLBH_SHIM_LINUX_ERRNO_H

#define ENOENT		2
#define EAGAIN		11
#define ENOMEM		12
#define EBUSY		16
#define EEXIST		17
#define EINVAL		22

#endif
