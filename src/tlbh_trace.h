/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlbh_trace.h - tracepoints of tlbh.ko (system "tlbh").
 *
 * Each event fires exactly where the matching space counter of
 * TLBH_IOC_COUNTERS is bumped, so event totals equal the counters:
 *
 *   tlbh_flush       one per FLUSH_RANGE + FLUSH_ALL
 *   tlbh_flush_skip  one per SKIP_NOT_LOADED, SKIP_OFFLINE,
 *                    FLUSH_SKIPPED and FLUSH_NO_TARGET
 *   tlbh_ipi         one per flush; @ipis sums to IPIS
 *   tlbh_probe       one per PROBES, @result as in PROBE_*
 *   tlbh_gather      @start 1: one per GATHERS; @start 0: the gather's
 *                    finish (tlb_finish_mmu), after its last flush
 *
 * tlbh_space.c defines CREATE_TRACE_POINTS; the tools/bpftrace scripts
 * read these events.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tlbh

#if !defined(_TLBH_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TLBH_TRACE_H

#include <linux/tracepoint.h>

/* Long enough for every reason tag of the engine and of the backend. */
#define TLBH_TRACE_TAG	24

TRACE_EVENT(tlbh_flush,
	    TP_PROTO(u64 space, bool full, unsigned long start,
		     unsigned long end, unsigned int shift, bool freed_tables,
		     const char *reason, unsigned int cpus),
	    TP_ARGS(space, full, start, end, shift, freed_tables, reason,
		    cpus),
	    TP_STRUCT__entry(__field(u64, space)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(unsigned long, pages)
			     __field(unsigned int, shift)
			     __field(unsigned int, cpus)
			     __field(bool, full)
			     __field(bool, freed_tables)
			     __array(char, reason, TLBH_TRACE_TAG)),
	    TP_fast_assign(__entry->space = space;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->pages = full || end <= start ? 0 :
					    (end - start) >> shift;
			   __entry->shift = shift;
			   __entry->cpus = cpus;
			   __entry->full = full;
			   __entry->freed_tables = freed_tables;
			   strscpy_pad(__entry->reason, reason ? reason : "",
				       TLBH_TRACE_TAG);),
	    TP_printk("space=%llu kind=%s start=0x%lx end=0x%lx shift=%u pages=%lu freed_tables=%d reason=%s cpus=%u",
		      __entry->space, __entry->full ? "full" : "range",
		      __entry->start, __entry->end, __entry->shift,
		      __entry->pages, __entry->freed_tables, __entry->reason,
		      __entry->cpus)
);

TRACE_EVENT(tlbh_flush_skip,
	    TP_PROTO(u64 space, const char *reason, int cpu),
	    TP_ARGS(space, reason, cpu),
	    TP_STRUCT__entry(__field(u64, space)
			     __field(int, cpu)
			     __array(char, reason, TLBH_TRACE_TAG)),
	    TP_fast_assign(__entry->space = space;
			   __entry->cpu = cpu;
			   strscpy_pad(__entry->reason, reason, TLBH_TRACE_TAG);),
	    TP_printk("space=%llu reason=%s cpu=%d",
		      __entry->space, __entry->reason, __entry->cpu)
);

TRACE_EVENT(tlbh_ipi,
	    TP_PROTO(u64 space, unsigned int targets, unsigned int ipis),
	    TP_ARGS(space, targets, ipis),
	    TP_STRUCT__entry(__field(u64, space)
			     __field(unsigned int, targets)
			     __field(unsigned int, ipis)),
	    TP_fast_assign(__entry->space = space;
			   __entry->targets = targets;
			   __entry->ipis = ipis;),
	    TP_printk("space=%llu targets=%u ipis=%u",
		      __entry->space, __entry->targets, __entry->ipis)
);

TRACE_EVENT(tlbh_probe,
	    TP_PROTO(u64 space, unsigned int cpu, unsigned long offset,
		     const char *result),
	    TP_ARGS(space, cpu, offset, result),
	    TP_STRUCT__entry(__field(u64, space)
			     __field(unsigned long, offset)
			     __field(unsigned int, cpu)
			     __array(char, result, 8)),
	    TP_fast_assign(__entry->space = space;
			   __entry->offset = offset;
			   __entry->cpu = cpu;
			   strscpy_pad(__entry->result, result, 8);),
	    TP_printk("space=%llu cpu=%u offset=0x%lx result=%s",
		      __entry->space, __entry->cpu, __entry->offset,
		      __entry->result)
);

TRACE_EVENT(tlbh_gather,
	    TP_PROTO(u64 space, bool start, bool fullmm),
	    TP_ARGS(space, start, fullmm),
	    TP_STRUCT__entry(__field(u64, space)
			     __field(bool, start)
			     __field(bool, fullmm)),
	    TP_fast_assign(__entry->space = space;
			   __entry->start = start;
			   __entry->fullmm = fullmm;),
	    TP_printk("space=%llu %s fullmm=%d", __entry->space,
		      __entry->start ? "start" : "finish", __entry->fullmm)
);

#endif /* _TLBH_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src)/src. */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE tlbh_trace
#include <trace/define_trace.h>
