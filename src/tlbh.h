/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh.h - declarations shared by the files of tlbh.ko.
 *
 * tlbh_main.c owns the module and the /dev/tlbh character device,
 * tlbh_ioctl.c the ABI contract: the table saying what every command
 * needs and the one path every command goes through; tlbh_cmd.c the
 * bodies of the commands.
 */
#ifndef _TLBH_H
#define _TLBH_H

#include <linux/types.h>

struct file;
struct tlbh_space;

/*
 * Per-open state of /dev/tlbh.  @space is set once, by the first mmap,
 * and holds a reference until the file is released.
 */
struct tlbh_file {
	u64 opened_at_ns;
	struct tlbh_space *space;
};

/* How a command reaches the space of its file. */
enum tlbh_cmd_space {
	TLBH_NO_SPACE,		/* runs without a space */
	TLBH_SPACE_READ,	/* mmap lock held for reading */
	TLBH_SPACE_WRITE,	/* mmap lock held for writing: page tables change */
};

/**
 * struct tlbh_call - one command in flight
 * @desc: its row of tlbh_ioctls[]
 * @tf: the open file
 * @sp: its space, for commands that need one
 * @arg: kernel copy of the argument: inputs checked, outputs zeroed
 * @buf: what @check prepared for @run (an embedded array), or NULL
 */
struct tlbh_call {
	const struct tlbh_ioctl_desc *desc;
	struct tlbh_file *tf;
	struct tlbh_space *sp;
	void *arg;
	void *buf;
};

/**
 * struct tlbh_ioctl_desc - one command of the ABI
 * @cmd: the full ioctl number, including direction and size
 * @name: the command's name, for diagnostics and tests
 * @space: enum tlbh_cmd_space
 * @out: index of the first output word of the argument
 * @reserved: index of the first reserved word (all words after it are
 *	reserved; equal to the number of words when there are none)
 * @flags_at: 1 + index of the word holding the command's flags (0: the
 *	command takes none)
 * @flags: the flags the command takes; any other bit is -EINVAL
 * @check: validate the inputs and prepare @buf, before any lock is taken
 *	(embedded user arrays are copied here); optional
 * @run: the command, with the space entered as @space says; its result
 *	is the command's, after -EAGAIN (a lock the kernel would sleep on)
 *	became -EBUSY
 * @done: after the locks are dropped, whatever @run's result: copy
 *	embedded output arrays out, free @buf; optional
 *
 * The argument is copied back only when the command succeeded.
 */
struct tlbh_ioctl_desc {
	unsigned int cmd;
	const char *name;
	u8 space;
	u8 out;
	u8 reserved;
	u8 flags_at;
	u64 flags;
	int (*check)(struct tlbh_call *c);
	int (*run)(struct tlbh_call *c);
	int (*done)(struct tlbh_call *c, int ret);
};

/* Largest argument structure a command may take, in bytes. */
#define TLBH_IOC_MAX_SIZE	512

extern const struct tlbh_ioctl_desc tlbh_ioctls[];
extern const unsigned int tlbh_ioctl_count;

long tlbh_ioctl_dispatch(struct tlbh_file *tf, unsigned int cmd, void *arg);
long tlbh_unlocked_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg);

/* tlbh_cmd.c: the parts of the commands, named in tlbh_ioctls[] */
int tlbh_cmd_version(struct tlbh_call *c);
int tlbh_cmd_space_info(struct tlbh_call *c);
int tlbh_check_set_policy(struct tlbh_call *c);
int tlbh_cmd_set_policy(struct tlbh_call *c);
int tlbh_check_set_vmas(struct tlbh_call *c);
int tlbh_cmd_set_vmas(struct tlbh_call *c);
int tlbh_check_range(struct tlbh_call *c);
int tlbh_check_whole(struct tlbh_call *c);
int tlbh_cmd_populate(struct tlbh_call *c);
int tlbh_cmd_remap(struct tlbh_call *c);
int tlbh_check_flush(struct tlbh_call *c);
int tlbh_cmd_flush(struct tlbh_call *c);
int tlbh_cmd_zap(struct tlbh_call *c);
int tlbh_check_zap_batch(struct tlbh_call *c);
int tlbh_cmd_zap_batch(struct tlbh_call *c);
int tlbh_cmd_unmap(struct tlbh_call *c);
int tlbh_check_reclaim(struct tlbh_call *c);
int tlbh_cmd_reclaim(struct tlbh_call *c);
int tlbh_cmd_reclaim_flush(struct tlbh_call *c);
int tlbh_cmd_resume(struct tlbh_call *c);
int tlbh_check_mremap(struct tlbh_call *c);
int tlbh_cmd_mremap(struct tlbh_call *c);
int tlbh_cmd_mprotect(struct tlbh_call *c);
int tlbh_check_snapshot(struct tlbh_call *c);
int tlbh_cmd_snapshot(struct tlbh_call *c);
int tlbh_done_snapshot(struct tlbh_call *c, int ret);
int tlbh_check_probe(struct tlbh_call *c);
int tlbh_cmd_probe(struct tlbh_call *c);
int tlbh_cmd_counters(struct tlbh_call *c);
int tlbh_check_cpu_counters(struct tlbh_call *c);
int tlbh_cmd_cpu_counters(struct tlbh_call *c);
int tlbh_cmd_pool(struct tlbh_call *c);
int tlbh_cmd_drain(struct tlbh_call *c);
int tlbh_cmd_clear_refs(struct tlbh_call *c);
int tlbh_check_inject(struct tlbh_call *c);
int tlbh_cmd_inject(struct tlbh_call *c);
int tlbh_cmd_policy_info(struct tlbh_call *c);
int tlbh_cmd_rule_info(struct tlbh_call *c);
int tlbh_done_free(struct tlbh_call *c, int ret);

#endif /* _TLBH_H */
