/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tlbh.h - user ABI of /dev/tlbh, the mmu_gather test harness.
 *
 * Every command takes one fixed-size structure made only of __u64 fields:
 * inputs first, then outputs, then reserved words.  The module copies the
 * whole structure in, validates it (reserved words must be zero), zeroes
 * the outputs, runs the command and copies the structure back only when
 * the command succeeded.  A command that fails changes nothing.
 *
 * Errors common to every command:
 *   -ENOTTY  unknown command (wrong magic, number, size or direction)
 *   -EFAULT  the argument pointer cannot be read or written
 *   -EINVAL  a reserved word is not zero, or an input is out of range
 *   -EPERM   the caller lacks CAP_SYS_ADMIN
 *
 * The header is usable from C userspace and from the module alike.
 */
#ifndef _UAPI_LINUX_TLBH_H
#define _UAPI_LINUX_TLBH_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on any incompatible change of a structure or command. */
#define TLBH_ABI_VERSION	1

#define TLBH_DEVICE_NAME	"tlbh"

/*
 * Feature bits reported by TLBH_IOC_VERSION.  A bit is set only when the
 * loaded module implements that part of the ABI.
 */
#define TLBH_FEAT_ALL		0ULL

/**
 * struct tlbh_version - argument of TLBH_IOC_VERSION
 * @abi_version: out: TLBH_ABI_VERSION of the loaded module
 * @features:    out: TLBH_FEAT_* bits the module implements
 * @reserved:    out: always zero
 */
struct tlbh_version {
	__u64 abi_version;
	__u64 features;
	__u64 reserved[2];
};

#define TLBH_IOC_MAGIC		0xB9

#define TLBH_IOC_VERSION	_IOR(TLBH_IOC_MAGIC, 0x00, struct tlbh_version)

#endif /* _UAPI_LINUX_TLBH_H */
