#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""oracle.py - fold the kernel trace into the canonical log, diff it
against the replay, and report (Documentation/oracle.rst).

  oracle.py normalize STATE TRACE OUT       kernel trace -> canonical log
  oracle.py diff TARGET KERNEL REPLAY DIR   TAP lines, diffs.txt, counts.json
  oracle.py summary OUT.md DIR...           kinds x kernels table

The canonical log has one block per operation:

  op ID GROUP CASE KIND ARGS...             (copied from the state log)
  state issuer=C mask=M lazy=L loaded=D     (kernel side only: input of the
                                             replay, never compared)
    flush range START-END stride=S ft=F targets=LIST
    flush full ft=F targets=LIST
    tlbbatch targets=LIST
    tables pte=N pmd=N pud=N p4d=N          page tables released after
                                             the flush just above
    free pages=N                            pages freed (batch frees)
  end ID

Everything after '#' on a line is an annotation and is not compared.
"""
import collections
import itertools
import json
import os
import sys

ALL = 0xffffffffffffffff
CEILING = 33
LEVELS = ("pte", "pmd", "pud", "p4d")
TAGS = ("B", "E", "F", "FR", "M", "S", "T", "TP", "TB", "TBR", "P", "X", "W")
PMD_SIZE = 1 << 21
# sched_switch's prev_state of a task switched out while runnable: 0, or
# the report maximum (TASK_REPORT_MAX, 0x100 on 6.1 to 7.2) that the
# tracepoint shows for a preemption and for cond_resched().
PREEMPTED = (0, 0x100)
RESCHED = "# resched"
# judge(): subsets of at most MAX_SUBSET of a block's split candidates are
# tried, in a block of at most MAX_CANDIDATES candidates.
MAX_SUBSET = 4
MAX_CANDIDATES = 12
# The kinds whose flushes come from zap_pte_range, the one place a
# need_resched break splits a flush (mremap's move_ptes flushes once per
# extent, and two extents look like a split).
ZAP_KINDS = ("munmap", "dontneed", "pmadv", "exit")


def cpus(mask):
    out = [str(c) for c in range(64) if mask >> c & 1]
    return ",".join(out) if out else "-"


# Results with which the system call refused before doing anything
# (EPERM, ESRCH, EBADF, EFAULT, EINVAL): the replay does nothing either.
REFUSED = ("-1", "-3", "-9", "-14", "-22")


def read_state(path, results=None, vmas=None):
    """Header facts and the op lines of a state log (and the results, and
    each operation's VMAs as (start, end) pairs)."""
    head, ops, order = {}, {}, []
    cur = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            w = line.split()
            if not w:
                continue
            if w[0] in ("kernel", "ncpu", "swap", "huge", "zero_pfn") and len(w) > 1:
                head[w[0]] = w[1]
            elif w[0] == "op" and len(w) > 4:
                cur = int(w[1])
                ops[cur] = line
                order.append(cur)
            elif w[0] == "vma" and len(w) > 2 and vmas is not None and cur is not None:
                vmas.setdefault(cur, []).append((int(w[1], 16), int(w[2], 16)))
            elif w[0] == "res" and len(w) > 2 and results is not None:
                results[int(w[1])] = w[2]
    return head, ops, order


def release_of(kernel):
    parts = kernel.split(".")
    return ".".join(parts[:2])


def normalize(state_path, trace_path, out_path):
    results, vmas = {}, {}
    head, ops, order = read_state(state_path, results, vmas)
    release = release_of(head.get("kernel", "0.0"))
    tables_in_page_batch = release in ("6.1", "6.12")
    events, notes = [], []
    with open(trace_path) as f:
        for n, line in enumerate(f):
            w = line.split()
            if len(w) < 3 or w[0] not in TAGS or not w[1].isdigit():
                if line.startswith("Lost") or "lost" in line.lower():
                    notes.append(line.strip())
                continue
            events.append((int(w[1]), n, w))
    events.sort()
    blocks = {}
    cur = None

    class Op:
        def __init__(self, oid, cpu, mask, lazy, loaded):
            self.id = oid
            self.lines = ["state issuer=%d mask=%x lazy=%x loaded=%x" % (cpu, mask, lazy, loaded)]
            self.flush = None
            self.batch = None
            self.pages = 0
            self.tables = [0, 0, 0, 0]       # unhooked, waiting for a flush
            self.released = 0                # 6.x: tables now in the page batch
            self.lazy = lazy

        def emit_free(self):
            if self.pages:
                self.lines.append("  free pages=%d" % self.pages)
                self.pages = 0

    def exec_str(fl):
        out = []
        for c in sorted(fl["targets"]):
            tp = fl["exec"].get(c)
            if tp is None:
                s = "x"
            elif tp[0] == 0:
                s = "L"
            elif tp[0] == 5:
                s = "W"
            elif tp[1] == -1:
                s = "F"
            elif tp[1] == 0:
                s = "0"
            else:
                s = "R%d" % tp[1]
            out.append("%d:%s" % (c, s))
        return ",".join(out) or "-"

    for _, _, w in events:
        tag, cpu = w[0], int(w[2])
        if tag == "B":
            cur = Op(int(w[3]), cpu, int(w[4], 16), int(w[5], 16), int(w[6], 16))
            blocks[cur.id] = cur
            continue
        if cur is None:
            continue
        if tag == "E":
            t = cur.tables
            if any(t):
                cur.emit_free()
                cur.lines.append("  tables pte=%d pmd=%d pud=%d p4d=%d  # not flushed" % tuple(t))
            cur.emit_free()
            cur = None
        elif tag == "F":
            cur.emit_free()
            start, end = int(w[3], 16), int(w[4], 16)
            cur.flush = dict(start=start, end=end, stride=int(w[5]), ft=int(w[6]),
                             mask=int(w[7], 16), lazy=int(w[8], 16), loaded=int(w[9], 16),
                             bp=int(w[10]), targets=set(), exec={}, multi=None, rej=[])
            cur.lazy = int(w[8], 16)
        elif tag == "M":
            tgt = cur.flush if cur.flush else cur.batch
            if tgt is not None:
                tgt["multi"] = (int(w[3], 16), int(w[4], 16), int(w[5], 16))
                # trim_cpumask exists in the flush info from 7.2 on.
                tgt["trim"] = release not in ("6.1", "6.12") and w[8] == "1"
        elif tag == "S":
            tgt = cur.flush if cur.flush else cur.batch
            if tgt is not None:
                # should_flush_tlb is asked about every CPU of the mask
                # smp_call_function_many_cond copied, this one included.
                tgt.setdefault("asked", set()).add(int(w[3]))
            if tgt is not None and w[4] == "0":
                tgt["rej"].append(int(w[3]))
            elif tgt is not None:
                # Accepted: the IPI went out, and the caller waited for
                # it, so the CPU ran the flush even when its
                # flush_tlb_func event was lost (a kprobe that hit while
                # another probe's handler ran there; exec shows "x").
                tgt["targets"].add(int(w[3]))
        elif tag == "T":
            tgt = cur.flush if cur.flush else cur.batch
            if tgt is not None:
                tgt["targets"].add(cpu)
        elif tag == "TP":
            tgt = cur.flush if cur.flush else cur.batch
            if tgt is not None:
                tgt["exec"][cpu] = (int(w[3]), int(w[4]))
        elif tag == "FR" and cur.flush:
            fl = cur.flush
            full = fl["end"] == ALL or ((fl["end"] - fl["start"]) % (1 << 64)) >> fl["stride"] > CEILING
            if fl["multi"] is not None:
                full = fl["multi"][2] == ALL
            tmask = sum(1 << c for c in fl["targets"])
            t = cpus(tmask)
            # Lazy at decision time: the snapshot is taken at entry; for a
            # flush without freed tables should_flush_tlb has the last word
            # (an accepted CPU was not lazy, a rejected loaded one was).
            lazy = fl["lazy"]
            loaded = fl["loaded"]
            if not fl["ft"] and fl["multi"] is not None:
                rej = sum(1 << c for c in fl["rej"])
                # Under the trim a CPU is turned away only when lazy.
                lazy = (lazy & ~tmask) | (rej & (fl["loaded"] if not fl.get("trim") else ~0))
                # ... and an accepted CPU ran the mm by then (7.2 asks).
                loaded |= tmask
            # mm_cpumask is read at entry and again, live, when the IPIs
            # go out: the mask native_flush_tlb_multi got is the one the
            # kernel used (6.x clears a CPU's bit when it switches away),
            # or, where should_flush_tlb was asked, the CPUs it was asked
            # about (the copy smp_call_function_many_cond made a moment
            # later); a CPU that switched to the mm after that ran the
            # flush too (mask0: entry).
            if fl.get("asked"):
                mask = sum(1 << c for c in fl["asked"]) | tmask
            else:
                mask = (fl["multi"][0] if fl["multi"] is not None else fl["mask"]) | tmask
            ann = "mask=%x lazy=%x loaded=%x mask0=%x lazy0=%x loaded0=%x exec=%s" % (
                mask, lazy, loaded, fl["mask"], fl["lazy"], fl["loaded"], exec_str(fl))
            if fl["rej"]:
                ann += " rej=%s" % ",".join(map(str, sorted(fl["rej"])))
            if fl["bp"]:
                ann += " batched-pending"
            if fl.get("trim"):
                ann += " trim"
            if full:
                cur.lines.append("  flush full ft=%d targets=%s  # req=%x-%x/%d %s" % (
                    fl["ft"], t, fl["start"], fl["end"], fl["stride"], ann))
            else:
                cur.lines.append("  flush range %x-%x stride=%d ft=%d targets=%s  # %s" % (
                    fl["start"], fl["end"], fl["stride"], fl["ft"], t, ann))
            if any(cur.tables):
                cur.lines.append("  tables pte=%d pmd=%d pud=%d p4d=%d" % tuple(cur.tables))
                cur.released += sum(cur.tables)
                cur.tables = [0, 0, 0, 0]
            cur.lines.extend(fl.get("after", []))
            cur.flush = None
        elif tag == "TB":
            cur.emit_free()
            cur.batch = dict(mask=int(w[3], 16), targets=set(), exec={}, multi=None, rej=[])
        elif tag == "TBR" and cur.batch:
            b = cur.batch
            # The batch flush never frees tables: lazy CPUs are left out,
            # and a CPU should_flush_tlb rejected was lazy at that moment.
            tmask = sum(1 << c for c in b["targets"])
            rej = sum(1 << c for c in b["rej"])
            lazy = (cur.lazy & ~tmask) | (rej & ~tmask)
            cur.lines.append("  tlbbatch targets=%s  # mask=%x lazy=%x exec=%s" % (
                cpus(tmask), b["mask"], lazy, exec_str(b)))
            cur.batch = None
        elif tag == "P":
            nr = int(w[3])
            if tables_in_page_batch and cur.released:
                sub = min(nr, cur.released)
                cur.released -= sub
                nr -= sub
            cur.pages += nr
        elif tag == "X":
            cur.tables[int(w[3])] += 1
        elif tag == "W":
            # The traced thread left the CPU: an annotation, never compared;
            # the diff uses a preemption (or cond_resched) to recognise a
            # zap split by need_resched() (split_points()).
            state = int(w[3])
            if state in PREEMPTED:
                note = "  %s cpu=%d state=%x" % (RESCHED, cpu, state)
            else:
                note = "  # sleep cpu=%d state=%x" % (cpu, state)
            if cur.flush:
                # Switched out inside flush_tlb_mm_range (at its put_cpu):
                # after that flush as far as the zap is concerned.
                cur.flush.setdefault("after", []).append(note)
            else:
                cur.lines.append(note)

    with open(out_path, "w") as out:
        out.write("# kernel %s release %s\n" % (head.get("kernel", "?"), release))
        for n in notes:
            out.write("# trace: %s\n" % n)
        for oid in order:
            out.write(ops[oid] + "\n")
            if vmas.get(oid):
                out.write("  # vmas %s\n" % " ".join("%x-%x" % v for v in vmas[oid]))
            if results.get(oid) in REFUSED:
                out.write("  # refused %s\n" % results[oid])
            b = blocks.get(oid)
            if b is None:
                out.write("  # no trace for this operation\n")
            else:
                # A flush that a need_resched split would fold into the
                # next one says so: the replay then gives the engine's
                # flush the CPU state of the last flush of the split.
                folded = set(split_points(seq_of(b.lines), vmas.get(oid))[2]
                             if ops[oid].split()[4] in ZAP_KINDS else ())
                nth = -1
                for line in b.lines:
                    if line.split("#", 1)[0].strip().startswith(("flush", "tlbbatch")):
                        nth += 1
                        if nth in folded:
                            line += " split"
                    out.write(line + "\n")
            out.write("end %d\n" % oid)
    return 0


def read_canon(path):
    """id -> (op line, [compared event lines], [full lines], [sequence],
    [VMAs])

    The sequence is the compared lines with their annotations, and the
    resched markers, in order (for split_points()); the VMAs are the
    kernel side's "# vmas" line."""
    blocks, cur = {}, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("op "):
                cur = int(line.split()[1])
                blocks[cur] = [line, [], [], [], []]
            elif line.startswith("end ") and cur is not None:
                cur = None
            elif cur is not None and line.startswith("  # vmas "):
                blocks[cur][4] = [tuple(int(x, 16) for x in v.split("-"))
                                  for v in line.split()[2:]]
            elif cur is not None:
                body = line.split("#", 1)[0].strip()
                if body and not body.startswith("state "):
                    blocks[cur][1].append(body)
                blocks[cur][3].extend(seq_of([line]))
                if not line.startswith("state "):
                    blocks[cur][2].append(line)
    return blocks


def flush_extent(line):
    """(start, end, stride, ft, targets, full) of a flush line, None if
    the line is no flush or its range is not known."""
    w = line.split("#", 1)
    body, ann = w[0].split(), (w[1] if len(w) > 1 else "")
    if len(body) < 2 or body[0] != "flush":
        return None
    f = dict(x.split("=", 1) for x in body if "=" in x)
    if body[1] == "range":
        a, _, b = body[2].partition("-")
        start, end, stride = int(a, 16), int(b, 16), int(f.get("stride", "12"))
    elif body[1] == "full":
        req = [x for x in ann.split() if x.startswith("req=")]
        if not req:
            return None
        r, _, st = req[0][4:].partition("/")
        a, _, b = r.partition("-")
        start, end, stride = int(a, 16), int(b, 16), int(st or "12")
        if end == ALL:
            return None
    else:
        return None
    return start, end, stride, f.get("ft"), f.get("targets"), body[1] == "full"


def flush_line(start, end, stride, ft, targets):
    if ((end - start) % (1 << 64)) >> stride > CEILING:
        return "flush full ft=%s targets=%s" % (ft, targets)
    return "flush range %x-%x stride=%d ft=%s targets=%s" % (start, end, stride, ft, targets)


def vma_of(vmas, addr):
    """The (start, end) of the VMA holding addr, None if none or unknown."""
    for v in vmas or ():
        if v[0] <= addr < v[1]:
            return v
    return None


def split_points(seq, vmas=None, only=None, loose=False):
    """The kernel block with every need_resched split merged.

    zap_pte_range leaves a PTE table when need_resched() is set and, if a
    dirty file entry set force_flush, flushes there; the thread is then
    switched out (cond_resched, or the preemption at the unlock) and the
    zap resumes in the same table.  A split is a flush A (ranged, or full
    over the ceiling with its requested range known) that is
    followed by a resched marker before the next flush B, where A ends
    inside a PTE table (not on a 2 MiB boundary) and B starts at or after
    A's end in that same table and, when the VMAs are known, in A's VMA
    (the zap resumes in the VMA it left), with the same stride and
    targets, and no table release in between.  Merged: one flush over both ranges
    (full when the union is over the ceiling), ft of either, and the
    frees of both summed.  Nothing else is merged: a flush at a table's
    end followed by a resched, a flush after a sleep, or a second flush
    in the next table stays as it is.

    LOOSE: B's targets may differ from A's (CPUs changed state while
    the thread was off the CPU); the merged flush keeps A's, as the
    replay, which folds only splits with equal targets, gives its one
    flush A's CPU state.  ONLY, when given, is the set of candidates
    (numbered from 0 in order) that are merged; the others stay.

    Returns (compared lines, number of splits merged, the ordinals of the
    flush lines folded into a later one, number of candidates)."""
    out, n, cand = [], 0, -1
    last = None          # index in out of the last flush, its extent
    resched = False
    nth, owner, folded = -1, {}, []
    for x in seq:
        if x == RESCHED:
            resched = True
            continue
        body = x.split("#", 1)[0].strip()
        ext = flush_extent(x) if body.startswith("flush") else None
        if body.startswith(("flush", "tlbbatch")):
            nth += 1
        if ext is not None and last is not None and resched:
            i, a = last
            between = [y.split()[0] for y in out[i + 1:]]
            shape = (a[1] % PMD_SIZE and a[1] <= ext[0] <
                     (a[1] + PMD_SIZE - 1) // PMD_SIZE * PMD_SIZE and
                     a[2] == ext[2] and (loose or a[4] == ext[4]) and
                     (not vmas or vma_of(vmas, a[1] - 1) == vma_of(vmas, ext[0])) and
                     all(y == "free" for y in between))
            if shape:
                cand += 1
            if shape and (only is None or cand in only):
                ft = str(max(int(a[3] or 0), int(ext[3] or 0)))
                m = (a[0], ext[1], a[2], ft, a[4], False)
                out[i] = flush_line(m[0], m[1], m[2], ft, a[4]) + \
                    "  # req=%x-%x/%d" % (m[0], m[1], m[2])
                last = (i, m)
                resched = False
                n += 1
                folded.append(owner[i])
                owner[i] = nth
                continue
        if body.startswith(("flush", "tlbbatch")):
            last = (len(out), ext) if ext is not None else None
            owner[len(out)] = nth
            resched = False
        elif body.startswith("tables"):
            last = None
        out.append(x)
    # Frees made adjacent by a merge are one free between two flushes.
    lines = []
    for x in out:
        body = x.split("#", 1)[0].strip()
        if body.startswith("free ") and lines and lines[-1].startswith("free "):
            a = int(lines[-1].split("=")[1])
            b = int(body.split("=")[1])
            lines[-1] = "free pages=%d" % (a + b)
        else:
            lines.append(body)
    return lines, n, folded, cand + 1


def seq_of(lines):
    """The compared lines of a block with their annotations, and the
    resched markers, in order (what split_points() reads)."""
    seq = []
    for line in lines:
        body = line.split("#", 1)[0].strip()
        if body and not body.startswith("state "):
            seq.append(line.strip())
        elif line.strip().startswith(RESCHED):
            seq.append(RESCHED)
    return seq


def same(a, b):
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    for x, y in zip(wa, wb):
        if x == y:
            continue
        kx, _, vx = x.partition("=")
        ky, _, vy = y.partition("=")
        if "?" in (x, y) or (kx == ky and "?" in (vx, vy)):
            continue
        return False
    return True


def parse_ev(line):
    w = line.split()
    d = {"kind": w[0] if w[0] != "flush" else "flush-" + w[1]}
    for x in w[1:]:
        if "=" in x:
            a, _, b = x.partition("=")
            d[a] = b
        elif "-" in x and d["kind"] == "flush-range":
            d["range"] = x
    return d


def why(k, r):
    """Short reasons two blocks differ, for the tables: which fields."""
    if r is None:
        return ["no-replay"]
    out = []
    kf = [parse_ev(x) for x in k if x.startswith(("flush", "tlbbatch"))]
    rf = [parse_ev(x) for x in r if x.startswith(("flush", "tlbbatch"))]
    if len(kf) != len(rf):
        out.append("flush-count")
    for a, b in zip(kf, rf):
        if a["kind"] != b["kind"] and "?" not in (a["kind"], b["kind"]) and b["kind"] != "flush-?":
            out.append("full-vs-range" if {a["kind"], b["kind"]} == {"flush-full", "flush-range"} else "kind")
        for f in ("range", "stride", "ft", "targets"):
            if f in a and f in b and a[f] != b[f] and "?" not in (a[f], b[f]):
                out.append(f)
    kt = [x for x in k if x.startswith("tables")]
    rt = [x for x in r if x.startswith("tables")]
    if kt != rt:
        out.append("tables")
    kp = [x for x in k if x.startswith("free")]
    rp = [x for x in r if x.startswith("free")]
    if kp != rp:
        out.append("free")
    seen = []
    for x in out:
        if x not in seen:
            seen.append(x)
    return seen or ["order"]


def blocks_differ(k, r):
    if len(k) != len(r):
        return True
    return not all(same(a, b) for a, b in zip(k, r))


def judge(k, r):
    """Compare a kernel block with the replay's: (differs, splits merged,
    the kernel's lines with the splits merged or None).  The raw kernel
    block is compared first; only when it differs are need_resched splits
    merged (split_points()) and the result compared again."""
    if r is None:
        return True, 0, None
    if not blocks_differ(k[1], r[1]):
        return False, 0, None
    if k[0].split()[4] not in ZAP_KINDS:
        return True, 0, None
    merged, n, _, _ = split_points(k[3], k[4])
    if n and not blocks_differ(merged, r[1]):
        return False, n, merged
    # Not every candidate is a need_resched split (a flush for a full
    # batch also ends inside a table and is followed by zap_pte_range's
    # cond_resched()), and the CPUs may change state during the break:
    # some of the candidates, with targets that may differ, fewest first.
    _, _, _, cand = split_points(k[3], k[4], loose=True)
    if 0 < cand <= MAX_CANDIDATES:
        for size in range(1, min(cand, MAX_SUBSET) + 1):
            for only in itertools.combinations(range(cand), size):
                m, n2, _, _ = split_points(k[3], k[4], set(only), True)
                if not blocks_differ(m, r[1]):
                    return False, n2, m
    if not n:
        return True, 0, None
    return True, n, merged


def diff(target, kpath, rpath, outdir):
    kb, rb = read_canon(kpath), read_canon(rpath)
    os.makedirs(outdir, exist_ok=True)
    counts = collections.OrderedDict()
    rows = []
    for oid in sorted(kb):
        op = kb[oid][0].split()
        group, case, kind = op[2], op[3], op[4]
        mode = "random" if case.startswith("random-") else "fixed"
        r = rb.get(oid)
        bad, nsplit, merged = judge(kb[oid], r)
        c = counts.setdefault(group, {"fixed": [0, 0], "random": [0, 0], "why": {}})
        # Refused and nothing on either side: not a comparison.
        if not bad and any(x.strip().startswith("# refused") for x in kb[oid][2]):
            c[mode + "-refused"] = c.get(mode + "-refused", 0) + 1
        else:
            c[mode][0] += 1
            c[mode][1] += bad
        if nsplit and not bad:
            # Equal only with the need_resched splits merged: counted apart.
            c[mode + "-split-ops"] = c.get(mode + "-split-ops", 0) + 1
            c[mode + "-splits"] = c.get(mode + "-splits", 0) + nsplit
        w = why(merged or kb[oid][1], r[1] if r else None) if bad else []
        for x in w:
            c["why"][x] = c["why"].get(x, 0) + 1
        rows.append((oid, group, case, kind, bad, kb[oid], r, w, nsplit, merged))
    tap = ["TAP version 13", "1..%d" % len(rows)]
    dl = []
    for n, (oid, group, case, kind, bad, k, r, w, nsplit, merged) in enumerate(rows, 1):
        tap.append("%s %d - %s %s %s op %d %s" % ("not ok" if bad else "ok", n, target,
                                                  group, case, oid, kind))
        if nsplit and not bad:
            tap.append("  # op %d: equal after merging %d need_resched split(s) of the kernel"
                       % (oid, nsplit))
        if bad:
            text = ["%s op %d (%s %s %s) differs in: %s" % (target, oid, group, case, kind,
                                                           " ".join(w)), "  " + k[0],
                    "  kernel:"] + ["    " + x.strip() for x in k[2]]
            if merged:
                text += ["  kernel, %d need_resched split(s) merged:" % nsplit] + \
                        ["    " + x for x in merged]
            text += ["  replay:"] + \
                    (["    " + x.strip() for x in r[2]] if r else ["    (no block)"])
            dl.append("\n".join(text))
            if sum(1 for x in rows[:n] if x[4]) <= 40:
                tap.extend("  # " + x for x in text[1:])
    with open(os.path.join(outdir, "tap.txt"), "w") as f:
        f.write("\n".join(tap) + "\n")
    with open(os.path.join(outdir, "diffs.txt"), "w") as f:
        f.write("\n\n".join(dl) + "\n")
    with open(os.path.join(outdir, "counts.json"), "w") as f:
        json.dump({"target": target, "counts": counts}, f, indent=1)
    print("\n".join(tap))
    nd = sum(1 for x in rows if x[4])
    ns = [x[8] for x in rows if x[8] and not x[4]]
    print("# %s: %d operations, %d differ; %d equal only after merging %d need_resched "
          "split(s) of the kernel" % (target, len(rows), nd, len(ns), sum(ns)))
    return 1 if nd else 0


def count_diffs(kpath, rpath):
    kb, rb = read_canon(kpath), read_canon(rpath)
    per = collections.OrderedDict()
    for oid in sorted(kb):
        group = kb[oid][0].split()[2]
        r = rb.get(oid)
        bad = judge(kb[oid], r)[0]
        if not bad and any(x.strip().startswith("# refused") for x in kb[oid][2]):
            continue
        c = per.setdefault(group, [0, 0])
        c[0] += 1
        c[1] += bad
    return per


def summary(out_path, dirs):
    data = []
    for d in dirs:
        p = os.path.join(d, "counts.json")
        if os.path.exists(p):
            with open(p) as f:
                data.append(json.load(f))
    groups = []
    for d in data:
        for g in d["counts"]:
            if g not in groups:
                groups.append(g)
    lines = []
    for mode in ("fixed", "random"):
        lines.append("%s operations: differing / compared" % mode)
        lines.append("")
        head = "| kind | " + " | ".join(d["target"] for d in data) + " |"
        lines.append(head)
        lines.append("|" + "---|" * (len(data) + 1))
        for g in groups:
            cells = []
            for d in data:
                c = d["counts"].get(g, {}).get(mode, [0, 0])
                nref = d["counts"].get(g, {}).get(mode + "-refused", 0)
                cell = "%d / %d" % (c[1], c[0]) if c[0] else "-"
                if nref:
                    cell += " (%d refused)" % nref
                cells.append(cell)
            lines.append("| %s | %s |" % (g, " | ".join(cells)))
        tot = []
        for d in data:
            t = [sum(v[mode][i] for v in d["counts"].values()) for i in (0, 1)]
            tot.append("%d / %d" % (t[1], t[0]))
        lines.append("| **all** | %s |" % " | ".join(tot))
        lines.append("")
    lines.append("need_resched splits merged: operations equal only after merging the "
                 "kernel's splits (splits), fixed and random together")
    lines.append("")
    lines.append("| kind | " + " | ".join(d["target"] for d in data) + " |")
    lines.append("|" + "---|" * (len(data) + 1))
    tot = [[0, 0] for _ in data]
    for g in groups:
        cells = []
        for j, d in enumerate(data):
            c = d["counts"].get(g, {})
            o = c.get("fixed-split-ops", 0) + c.get("random-split-ops", 0)
            n = c.get("fixed-splits", 0) + c.get("random-splits", 0)
            tot[j][0] += o
            tot[j][1] += n
            cells.append("%d (%d)" % (o, n) if o else "-")
        lines.append("| %s | %s |" % (g, " | ".join(cells)))
    lines.append("| **all** | %s |" % " | ".join("%d (%d)" % tuple(t) for t in tot))
    lines.append("")
    lines.append("what differs (operations, fixed and random together)")
    lines.append("")
    lines.append("| kind | " + " | ".join(d["target"] for d in data) + " |")
    lines.append("|" + "---|" * (len(data) + 1))
    for g in groups:
        cells = []
        for d in data:
            w = d["counts"].get(g, {}).get("why", {})
            cells.append(", ".join("%s %d" % (k, v) for k, v in
                                   sorted(w.items(), key=lambda kv: -kv[1])) or "-")
        lines.append("| %s | %s |" % (g, " | ".join(cells)))
    lines.append("")
    cross = [d for d in data if d.get("cross")]
    for d in data:
        for other, per in d.get("cross", {}).items():
            lines.append("trace of %s replayed under the policy of %s: %d / %d differ" % (
                d["target"], other, sum(v[1] for v in per.values()),
                sum(v[0] for v in per.values())))
    if cross:
        lines.append("")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def add_cross(outdir, other, kpath, rpath):
    p = os.path.join(outdir, "counts.json")
    with open(p) as f:
        d = json.load(f)
    d.setdefault("cross", {})[other] = count_diffs(kpath, rpath)
    with open(p, "w") as f:
        json.dump(d, f, indent=1)
    per = d["cross"][other]
    print("# %s trace under the %s policy: %d / %d operations differ" % (
        d["target"], other, sum(v[1] for v in per.values()), sum(v[0] for v in per.values())))
    return 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "normalize":
        return normalize(argv[2], argv[3], argv[4])
    if len(argv) >= 6 and argv[1] == "diff":
        return diff(argv[2], argv[3], argv[4], argv[5])
    if len(argv) >= 4 and argv[1] == "summary":
        return summary(argv[2], argv[3:])
    if len(argv) >= 6 and argv[1] == "cross":
        return add_cross(argv[2], argv[3], argv[4], argv[5])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
