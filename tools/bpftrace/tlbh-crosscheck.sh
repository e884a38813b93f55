#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tlbh-crosscheck.sh - do the tlbh tracepoints count exactly what the
# space counters (TLBH_IOC_COUNTERS) count?
#
#   tools/bpftrace/tlbh-crosscheck.sh [rounds]
#
# Builds tlbh-crosscheck.c (a workload on one space that prints its
# counters), runs it under bpftrace with tlbh.ko loaded and no other
# space alive, and compares each counter with the event total.  Prints
# one line per counter; exits 1 on any mismatch.  Needs root.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

${CC:-cc} -O2 -Wall -D_GNU_SOURCE -I"$here/../../include/uapi" \
	-o "$tmp/workload" "$here/tlbh-crosscheck.c" -lpthread

bpftrace -o "$tmp/trace" -c "$tmp/workload ${1:-8}" -e '
tracepoint:tlbh:tlbh_flush { @n["flushes"] = sum(1); }
tracepoint:tlbh:tlbh_flush /args->full/ { @n["full"] = sum(1); }
tracepoint:tlbh:tlbh_ipi { @n["ipis"] = sum(args->ipis); }
tracepoint:tlbh:tlbh_flush_skip { @n[args->reason] = sum(1); }
tracepoint:tlbh:tlbh_probe { @n["probes"] = sum(1); }
tracepoint:tlbh:tlbh_probe /args->result == "stale"/ { @n["stale"] = sum(1); }
' >"$tmp/counters"

[ -s "$tmp/counters" ] || { echo "no counters from the workload" >&2; exit 1; }
bad=0
while read -r name want; do
	[ -n "$name" ] || continue
	# bpftrace prints the map at exit, one "@n[name]: value" line each.
	got=$(awk -v k="@n[$name]:" '$1 == k { print $2 }' "$tmp/trace")
	if [ "${got:-0}" = "$want" ]; then
		echo "ok       $name counter $want events ${got:-0}"
	else
		echo "MISMATCH $name counter $want events ${got:-none}"
		bad=1
	fi
done <"$tmp/counters"
exit $bad
