/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_lib.h - helpers shared by the tlbh kselftests: the ioctl wrapper,
 * mapping a space at a suitably aligned address, reading a page's first
 * word while surviving SIGBUS, and CPU pinning.
 */
#ifndef _TLBH_LIB_H
#define _TLBH_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/tlbh.h>

#define TLBH_PATH	"/dev/" TLBH_DEVICE_NAME
#define TLBH_PG		4096UL

/* ioctl() returning 0 or -errno, retried on EINTR. */
static inline int tlbh_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

/*
 * Map a space of @size bytes on @fd: reserve twice the size, pick the
 * first address aligned to the size (a power of two up to 1 GiB keeps the
 * space inside one PUD), and map the device there with MAP_FIXED.
 */
static inline void *tlbh_map_space(int fd, size_t size)
{
	size_t align = size, span;
	uintptr_t a;
	void *res, *p;

	while (align & (align - 1))
		align += align & -align;
	span = size + align;
	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	a = ((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1);
	p = mmap((void *)a, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		munmap(res, span);
		return MAP_FAILED;
	}
	if (a > (uintptr_t)res)
		munmap(res, a - (uintptr_t)res);
	if ((uintptr_t)res + span > a + size)
		munmap((void *)(a + size), (uintptr_t)res + span - a - size);
	return p;
}

static __thread sigjmp_buf tlbh_jmp;
static __thread volatile int tlbh_jmp_armed;

static void tlbh_sigbus(int sig)
{
	if (tlbh_jmp_armed)
		siglongjmp(tlbh_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline void tlbh_catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tlbh_sigbus;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* First word of the page at @p, or 0 when the read faulted. */
static inline uint64_t tlbh_read(const void *p)
{
	uint64_t v = 0;

	if (sigsetjmp(tlbh_jmp, 1) == 0) {
		tlbh_jmp_armed = 1;
		v = *(const volatile uint64_t *)p;
	}
	tlbh_jmp_armed = 0;
	return v;
}

/* Write @v at @p: 0, or -1 when the write faulted. */
static inline int tlbh_write(void *p, uint64_t v)
{
	int ret = -1;

	if (sigsetjmp(tlbh_jmp, 1) == 0) {
		tlbh_jmp_armed = 1;
		*(volatile uint64_t *)p = v;
		ret = 0;
	}
	tlbh_jmp_armed = 0;
	return ret;
}

/* 1-based index of the policy called @name, or 0. */
static inline uint64_t tlbh_policy_index(int fd, const char *name)
{
	struct tlbh_policy_info pi;
	uint64_t i;

	for (i = 1; i < 256; i++) {
		memset(&pi, 0, sizeof(pi));
		pi.policy = i;
		if (tlbh_ioctl(fd, TLBH_IOC_POLICY_INFO, &pi))
			return 0;
		if (!strncmp((const char *)pi.name, name, sizeof(pi.name)))
			return i;
	}
	return 0;
}

static inline int tlbh_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static inline uint64_t tlbh_pool_pages(int fd)
{
	struct tlbh_pool p;

	memset(&p, 0, sizeof(p));
	if (tlbh_ioctl(fd, TLBH_IOC_POOL, &p))
		return ~0ULL;
	return p.pool_pages;
}

#endif /* _TLBH_LIB_H */
