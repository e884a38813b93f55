#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlbh-crosscheck.sh - do the tlbh tracepoints count exactly what the
# space counters (TLBH_IOC_COUNTERS, TLBH_IOC_CPU_COUNTERS) count?
#
#   tools/bpftrace/tlbh-crosscheck.sh [rounds]      (root, tlbh.ko loaded)
#   tools/bpftrace/tlbh-crosscheck.sh --build       (build the workload)
#
# The workload, tlbh-crosscheck.c, runs every policy through the flush
# paths on one space and prints its space id and counters.  --build
# compiles it next to its source (make check does, on the host); a run
# uses that binary when it is newer than the source, else compiles one
# for itself first (slow in an emulated guest, and said so).
# bpftrace traces the tlbh:* events meanwhile, keyed by space id; it is
# stopped after the workload read its counters and before the space is
# torn down, so both cover the same interval.  Then, for the workload's
# space, each counter is compared with its event total:
#
#   flush_range, flush_all   tlbh_flush, by kind
#   ipis                     tlbh_ipi, sum of @ipis
#   skip_not_loaded, skip_offline, flush_skipped, flush_no_target
#                            tlbh_flush_skip, reason not-loaded, offline,
#                            nothing-cleared, no-target
#   gathers                  tlbh_gather with @start 1
#   probes, probe_<result>   tlbh_probe, all and by @result
#   cpu<N>_skipped           tlbh_flush_skip not-loaded with @cpu N
#   cpu<N>_probes, _stale    tlbh_probe with @cpu N (all, stale)
#
# Prints TAP: one line per counter, "not ok" with a "# MISMATCH" line
# before it when the totals differ, plus one line that the workload did
# drive flushes, IPIs and probes (equal zeros prove nothing).  Exits 0
# when all match, 1 on any mismatch, 4 (plan "1..0 # SKIP reason") when
# bpftrace cannot run on this kernel.  CC picks the compiler; TLBH_BT_WAIT
# (default 900) bounds, in wall-clock seconds, each wait for bpftrace or the
# workload (bpftrace starts slowly under emulation); a "# waiting" line
# every 30 s of such a wait shows a watchdog (tools/vm --idle) that the
# check is alive.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-4}
wait_max=${TLBH_BT_WAIT:-900}
tmp=$(mktemp -d)
bt_pid="" wl_pid=""
# Run by the EXIT trap only, which shellcheck does not follow.
# shellcheck disable=SC2317
cleanup() {
	[ -z "$wl_pid" ] || kill -TERM "$wl_pid" 2>/dev/null || true
	[ -z "$bt_pid" ] || kill -INT "$bt_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

build() {
	${CC:-cc} -O2 -Wall -D_GNU_SOURCE -I"$here/../../include/uapi" \
		-I"$here/../../selftests" -o "$1" "$here/tlbh-crosscheck.c" -lpthread
}
if [ "${1:-}" = --build ]; then
	build "$here/tlbh-crosscheck"
	exit
fi

echo "TAP version 13"
skip() {
	echo "1..0 # SKIP $*"
	exit 4
}
bail() {
	echo "Bail out! $*"
	exit 1
}

command -v bpftrace > /dev/null || skip "bpftrace is not installed"
[ -c /dev/tlbh ] || skip "no /dev/tlbh: tlbh.ko is not loaded"
workload=$here/tlbh-crosscheck
if [ ! -x "$workload" ] || [ "$workload" -ot "$here/tlbh-crosscheck.c" ] ||
   [ "$workload" -ot "$here/../../include/uapi/linux/tlbh.h" ] ||
   [ "$workload" -ot "$here/../../selftests/tlbh_lib.h" ]; then
	echo "# building the workload here (no up-to-date $workload)"
	workload=$tmp/workload
	build "$workload" || bail "cannot build the workload"
fi
echo "# starting bpftrace"

# sum(1) everywhere: one map cannot mix count() and sum().  The reason
# and result strings are compared and counted under fixed names, so the
# check does not depend on how the events pad their string arrays.
# Unbuffered stdout: "ready" must reach the file while bpftrace runs
# (-o buffers).
bpftrace -B none -e '
BEGIN { printf("ready\n"); }
tracepoint:tlbh:tlbh_flush /args->full/ { @n[args->space, "flush_all"] = sum(1); }
tracepoint:tlbh:tlbh_flush /!args->full/ { @n[args->space, "flush_range"] = sum(1); }
tracepoint:tlbh:tlbh_ipi { @n[args->space, "ipis"] = sum(args->ipis); }
tracepoint:tlbh:tlbh_flush_skip {
	if (args->reason == "not-loaded") {
		@n[args->space, "skip_not_loaded"] = sum(1);
		@cpu_skipped[args->space, args->cpu] = sum(1);
	} else if (args->reason == "offline") {
		@n[args->space, "skip_offline"] = sum(1);
	} else if (args->reason == "nothing-cleared") {
		@n[args->space, "flush_skipped"] = sum(1);
	} else if (args->reason == "no-target") {
		@n[args->space, "flush_no_target"] = sum(1);
	} else {
		@n[args->space, "unknown_skip_reason"] = sum(1);
	}
}
tracepoint:tlbh:tlbh_gather /args->start/ { @n[args->space, "gathers"] = sum(1); }
tracepoint:tlbh:tlbh_probe {
	@n[args->space, "probes"] = sum(1);
	@cpu_probes[args->space, args->cpu] = sum(1);
	if (args->result == "fresh") {
		@n[args->space, "probe_fresh"] = sum(1);
	} else if (args->result == "stale") {
		@n[args->space, "probe_stale"] = sum(1);
		@cpu_stale[args->space, args->cpu] = sum(1);
	} else if (args->result == "absent") {
		@n[args->space, "probe_absent"] = sum(1);
	} else if (args->result == "fault") {
		@n[args->space, "probe_fault"] = sum(1);
	} else {
		@n[args->space, "unknown_probe_result"] = sum(1);
	}
}
' > "$tmp/trace" 2> "$tmp/bpftrace.err" &
bt_pid=$!

# Wall-clock seconds since $1, and a "# waiting" line every 30 of them
# (not every 30 rounds: on a starved guest one round can take seconds).
waited=0 beat=0
tick() {
	waited=$((SECONDS - $1))
	if [ $((waited - beat)) -ge 30 ]; then
		beat=$waited
		echo "# waiting for $2: ${waited}s"
	fi
}

# Wait until bpftrace has attached (BEGIN runs after the probes are).
t0=$SECONDS
until grep -q '^ready' "$tmp/trace" 2>/dev/null; do
	if ! kill -0 "$bt_pid" 2>/dev/null; then
		wait "$bt_pid" || true
		bt_pid=""
		why=$(grep -v '^$' "$tmp/bpftrace.err" | tail -1)
		# bpftrace that runs nothing at all: this kernel cannot host it.
		if ! bpftrace -e 'BEGIN { exit(); }' > /dev/null 2>&1; then
			skip "bpftrace cannot run on this kernel: ${why:-no message}"
		fi
		sed 's/^/# /' "$tmp/bpftrace.err"
		bail "bpftrace runs but cannot trace the tlbh events: ${why:-no message}"
	fi
	[ "$waited" -lt "$wait_max" ] || bail "bpftrace not attached after ${wait_max}s"
	sleep 1
	tick "$t0" "bpftrace to attach"
done

echo "# bpftrace attached after ${waited}s, running the workload"
"$workload" "$rounds" > "$tmp/counters" 2> "$tmp/workload.err" &
wl_pid=$!
t0=$SECONDS waited=0 beat=0
until grep -q '^end$' "$tmp/counters"; do
	kill -0 "$wl_pid" 2>/dev/null || {
		sed 's/^/# /' "$tmp/workload.err"
		wl_pid=""
		bail "the workload died before printing its counters"
	}
	[ "$waited" -lt "$wait_max" ] || bail "workload not done after ${wait_max}s"
	sleep 1
	tick "$t0" "the workload"
done
# Stop a process and wait for it, at most wait_max seconds: a process that
# does not exit is a failure that says where it is stuck (its kernel
# stack and state), never a silent hang of the whole check.
stop() {
	local pid=$1 sig=$2 what=$3 t=0
	kill "-$sig" "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$t" -ge "$wait_max" ]; then
			echo "# $what did not exit ${wait_max}s after SIG$sig:"
			sed 's/^/#   state: /' "/proc/$pid/status" 2>/dev/null | grep -E 'State|Threads'
			for task in /proc/"$pid"/task/*; do
				echo "#   task ${task##*/} wchan $(cat "$task/wchan" 2>/dev/null)"
				sed 's/^/#     /' "$task/stack" 2>/dev/null
			done
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			bail "$what hung after SIG$sig"
		fi
		sleep 1
		t=$((t + 1))
	done
	wait "$pid" 2>/dev/null || true
}

# Counters read: stop tracing, then let the workload tear the space down.
stop "$bt_pid" INT bpftrace
bt_pid=""
stop "$wl_pid" TERM "the workload"
wl_pid=""
sed 's/^/# workload: /' "$tmp/workload.err"

space=$(awk '$1 == "space" { print $2 }' "$tmp/counters")
[ -n "$space" ] || bail "the workload printed no space id"

# "@map[space, key]: value" lines into "name value" for our space.
awk -v sp="$space" '
/^@[a-z_]+\[/ {
	map = substr($0, 2, index($0, "[") - 2)
	keys = substr($0, index($0, "[") + 1)
	val = keys; sub(/.*\]: */, "", val)
	sub(/\]:.*/, "", keys)
	split(keys, k, ", ")
	if (k[1] != sp)
		next
	if (map == "n") name = k[2]
	else if (map ~ /^cpu_/) name = "cpu" k[2] "_" substr(map, 5)
	else next
	print name, val
}' "$tmp/trace" > "$tmp/events"

n=0 bad=0
event() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/events"; }
counter() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/counters"; }

n=$((n + 1))
if [ "$(counter flush_range)" -gt 0 ] && [ "$(counter ipis)" -gt 0 ] &&
   [ "$(counter probes)" -gt 0 ]; then
	echo "ok $n workload on space $space drove range flushes, IPIs and probes"
else
	echo "# flush_range $(counter flush_range) ipis $(counter ipis) probes $(counter probes)"
	echo "not ok $n workload on space $space drove range flushes, IPIs and probes"
	bad=1
fi
while read -r name want; do
	case "$name" in space|end|"") continue ;; esac
	got=$(event "$name")
	n=$((n + 1))
	if [ "${got:-0}" = "$want" ]; then
		echo "ok $n $name: counter $want, events ${got:-0}"
	else
		echo "# MISMATCH $name: counter $want, tlbh tracepoint events ${got:-none}"
		echo "not ok $n $name: counter $want, events ${got:-none}"
		bad=1
	fi
done < "$tmp/counters"
# An event total with no counter behind it (unknown reason or result).
while read -r name got; do
	[ -n "$(counter "$name")" ] && continue
	n=$((n + 1))
	echo "# MISMATCH $name: $got events, no counter"
	echo "not ok $n $name: events $got, no counter"
	bad=1
done < "$tmp/events"
echo "1..$n"
exit $bad
