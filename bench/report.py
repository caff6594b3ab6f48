#!/usr/bin/env python3
"""bench/report.py -- turn bench/run's measurements into one Markdown table.

Input: --results TSV (key, repetition, value), --meta TSV (name, text).
Every row shows the median of its repetitions with their min and max; the
targets are those of the performance issue (issue 13; 2-core machine).
"""
import argparse
import math
import statistics
import sys
from collections import OrderedDict


def load(path):
    vals = OrderedDict()
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[2] == "":
                continue
            vals.setdefault(parts[0], []).append(float(parts[2]))
    return vals


def load_meta(path):
    meta = OrderedDict()
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v
    return meta


def fmt(x, unit):
    if x is None:
        return "-"
    if unit in ("req/s",):
        return "{:,.0f}".format(x)
    if unit == "MiB":
        return "{:.1f}".format(x)
    if x >= 10000:
        return "{:,.0f}".format(x)
    if x >= 100:
        return "{:.0f}".format(x)
    if x >= 10:
        return "{:.1f}".format(x)
    return "{:.2f}".format(x)


class Table:
    def __init__(self, vals):
        self.vals = vals
        self.rows = []
        self.notes = []

    def med(self, key, scale=1.0):
        v = self.vals.get(key)
        return statistics.median(v) * scale if v else None

    def row(self, name, key, unit, scale=1.0, target=None, ok=None,
            extra="", stat="median"):
        """ok(median) -> bool decides the verdict when a target is set."""
        v = self.vals.get(key)
        if not v:
            return None
        v = [x * scale for x in v]
        if stat == "p50":
            mid = statistics.median(v)
        elif stat == "p99":
            # nearest rank: of 50 trials, the worst but none
            mid = sorted(v)[max(0, math.ceil(0.99 * len(v)) - 1)]
        elif stat == "max":
            mid = max(v)
        else:
            mid = statistics.median(v)
        verdict = ""
        if target is not None and ok is not None:
            verdict = "met" if ok(mid) else "**MISSED**"
        self.rows.append([name, fmt(mid, unit), fmt(min(v), unit),
                          fmt(max(v), unit), unit, str(len(v)),
                          target or "", verdict, extra])
        return mid

    def section(self, title):
        self.rows.append(["**" + title + "**", "", "", "", "", "", "", "",
                          ""])

    def markdown(self):
        head = ["Row", "Median", "Min", "Max", "Unit", "n", "Target",
                "Verdict", "Ratio / note"]
        out = ["| " + " | ".join(head) + " |",
               "|" + "|".join(["---"] + ["---:"] * 3 + ["---"] * 5) + "|"]
        for r in self.rows:
            out.append("| " + " | ".join(r) + " |")
        return "\n".join(out)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rtxt(a, b, label):
    r = ratio(a, b)
    return "" if r is None else "{:.2f}x {}".format(r, label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--ns", default="100 1000")
    ap.add_argument("--big", default="10000")
    ap.add_argument("--lat-n", default="10000")
    ap.add_argument("--tp-secs", default="2")
    a = ap.parse_args()
    vals = load(a.results)
    meta = load_meta(a.meta)
    t = Table(vals)
    ns = [int(x) for x in a.ns.split()]
    big = int(a.big)
    ratios = []

    for n in ns:
        if not any(k.startswith("apply.%d." % n) for k in vals):
            continue
        t.section("apply-%d: empty to head, %d trivial revisions" % (n, n))
        l2 = t.med("apply.%d.l2" % n)
        l1 = t.med("apply.%d.l1" % n)
        al = t.med("apply.%d.alembic" % n)
        dm = t.med("apply.%d.dbmate" % n)
        big_n = n == max(ns)
        ours = t.med("apply.%d.ours" % n)
        atom = t.med("apply.%d.atomic" % n)
        r2 = ratio(ours, l2)
        t.row("migratectl upgrade head (per-revision txns)",
              "apply.%d.ours" % n, "ms",
              target="<= 1.00x L2" if big_n else None,
              ok=(lambda m: r2 is not None and r2 <= 1.00) if big_n else None,
              extra="; ".join(x for x in [rtxt(ours, l2, "L2"),
                                          rtxt(ours, dm, "dbmate"),
                                          rtxt(ours, al, "alembic")] if x))
        r1 = ratio(atom, l1)
        t.row("migratectl upgrade head --atomic (one txn)",
              "apply.%d.atomic" % n, "ms",
              target="<= 1.00x L1" if big_n else None,
              ok=(lambda m: r1 is not None and r1 <= 1.00) if big_n else None,
              extra="; ".join(x for x in [rtxt(atom, l1, "L1"),
                                          rtxt(atom, al, "alembic")] if x))
        t.row("L2: psql -f, one txn per revision + version UPDATE",
              "apply.%d.l2" % n, "ms", extra="%.1f ms/revision" % (l2 / n)
              if l2 else "")
        t.row("L1: psql -f, the same in one txn", "apply.%d.l1" % n, "ms",
              extra="%.1f ms/revision" % (l1 / n) if l1 else "")
        t.row("alembic upgrade head (one txn, Alembic's default env)",
              "apply.%d.alembic" % n, "ms")
        t.row("dbmate up --no-dump-schema (one txn per migration)",
              "apply.%d.dbmate" % n, "ms")
        c = t.med("apply.%d.ours.cpu" % n)
        t.row("  migrated CPU during upgrade (per-revision)",
              "apply.%d.ours.cpu" % n, "ms",
              target="<= 100 us/revision" if big_n else None,
              ok=(lambda m: m * 1000 / n <= 100) if big_n else None,
              extra="%.0f us/revision" % (c * 1000 / n) if c else "")
        c = t.med("apply.%d.atomic.cpu" % n)
        t.row("  migrated CPU during upgrade --atomic",
              "apply.%d.atomic.cpu" % n, "ms",
              extra="%.0f us/revision" % (c * 1000 / n) if c else "")
        no = t.med("noop.%d.ours" % n)
        t.row("no-op migratectl upgrade head (at head; process)",
              "noop.%d.ours" % n, "ms")
        t.row("  its daemon part: the request on the socket (p50)",
              "noop.%d.sock" % n, "ms", target="<= 0.5 ms",
              ok=lambda m: m <= 0.5)
        t.row("no-op alembic upgrade head", "noop.%d.alembic" % n, "ms",
              extra=rtxt(no, t.med("noop.%d.alembic" % n), "(ours/alembic)"))
        t.row("no-op dbmate migrate", "noop.%d.dbmate" % n, "ms",
              extra=rtxt(no, t.med("noop.%d.dbmate" % n), "(ours/dbmate)"))
        cur = t.med("current.%d.ours" % n)
        t.row("migratectl current (process)", "current.%d.ours" % n, "ms")
        t.row("alembic current", "current.%d.alembic" % n, "ms",
              extra=rtxt(cur, t.med("current.%d.alembic" % n),
                         "(migratectl current / alembic current)"))
        st = t.med("status.%d.ours" % n)
        t.row("migratectl status (process)", "status.%d.ours" % n, "ms")
        t.row("dbmate status", "current.%d.dbmate" % n, "ms",
              extra=rtxt(st, t.med("current.%d.dbmate" % n),
                         "(migratectl status / dbmate status)"))
        ratios.append((n, r2, r1))

    nn = max(ns) if ns else 0
    if any(k.startswith("net.%d." % nn) for k in vals):
        t.section("a database across a network: apply-%d through "
                  "bench/delayproxy (%s)" % (nn, meta.get(
                      "network (net rows)", "delayed loopback TCP")))
        l2 = t.med("net.%d.l2" % nn)
        l1 = t.med("net.%d.l1" % nn)
        ours = t.med("net.%d.ours" % nn)
        atom = t.med("net.%d.atomic" % nn)
        rn = ratio(ours, l2)
        t.row("migratectl upgrade head (per-revision txns)",
              "net.%d.ours" % nn, "ms", target="<= 0.60x L2",
              ok=lambda m: rn is not None and rn <= 0.60,
              extra=rtxt(ours, l2, "L2"))
        t.row("migratectl upgrade head --atomic (one txn)",
              "net.%d.atomic" % nn, "ms", extra=rtxt(atom, l1, "L1"))
        t.row("L2: psql -f, one txn per revision + version UPDATE",
              "net.%d.l2" % nn, "ms",
              extra="%.1f ms/revision" % (l2 / nn) if l2 else "")
        t.row("L1: psql -f, the same in one txn", "net.%d.l1" % nn, "ms",
              extra="%.1f ms/revision" % (l1 / nn) if l1 else "")
        c = t.med("net.%d.ours.cpu" % nn)
        t.row("  migrated CPU during upgrade (per-revision)",
              "net.%d.ours.cpu" % nn, "ms",
              extra="%.0f us/revision" % (c * 1000 / nn) if c else "")
        t.row("  no-op upgrade: the request on the socket (p50)",
              "net.noop.%d.sock" % nn, "ms")
        t.row("  status round trip p50 (answered from memory)",
              "net.status.p50", "us", target="<= 30 us",
              ok=lambda m: m <= 30)
        if "net.failover" in vals:
            t.row("  failover p99 (%d trials)" % len(vals["net.failover"]),
                  "net.failover", "ms", stat="p99", target="<= 150 ms",
                  ok=lambda m: m <= 150)
        ratios.append(("net-%d" % nn, rn, ratio(atom, l1)))

    if "status.p50" in vals:
        t.section("serving (sample schema at head; %s status requests; "
                  "throughput over %s s)" % (a.lat_n, a.tp_secs))
        t.row("status round trip p50 (socket, 1 connection)", "status.p50",
              "us", target="<= 30 us", ok=lambda m: m <= 30)
        t.row("status round trip p99", "status.p99", "us")
        for c in (1, 32, 256):
            t.row("status throughput, %d client%s" % (c, "s" if c > 1 else ""),
                  "tput.%d" % c, "req/s",
                  target=">= 50,000" if c == 32 else None,
                  ok=(lambda m: m >= 50000) if c == 32 else None)
        cpu = t.med("status.cpu")
        t.row("  migrated CPU per status request (32 clients)", "status.cpu",
              "us", target="<= 8 us", ok=lambda m: m <= 8,
              extra="one core's worth: %s req/s" % fmt(1e6 / cpu, "req/s")
              if cpu else "")
        t.row("migratectl status (whole process)", "ctl.status", "ms",
              target="<= 2x /bin/true",
              ok=lambda m: (t.med("ctl.status.ratio") or 99) <= 2.0,
              extra="%.2fx /bin/true (median of the side-by-side ratios)"
              % t.med("ctl.status.ratio") if t.med("ctl.status.ratio")
              else "")
        t.row("migratectl --version (whole process)", "ctl.version", "ms",
              target="<= 1.3x /bin/true",
              ok=lambda m: (t.med("ctl.version.ratio") or 99) <= 1.3,
              extra="%.2fx /bin/true" % t.med("ctl.version.ratio")
              if t.med("ctl.version.ratio") else "")
        t.row("  floor: /bin/true (process start-up)", "proc.true", "ms")
        t.row("no-op migratectl upgrade head (sample; process)",
              "noop.sample", "ms")
        t.row("  its daemon part: the request on the socket (p50)",
              "noop.sample.sock", "ms", target="<= 0.5 ms",
              ok=lambda m: m <= 0.5)
        t.row("RSS after the load above", "rss.sample.after", "MiB",
              scale=1 / 1024)
        t.row("  of which private (USS)", "uss.sample.after", "MiB",
              scale=1 / 1024)

    if "reads.history" in vals:
        t.section("reads that grow (%d revisions; %s history rows)"
                  % (big, meta.get("log rows", "many")))
        t.row("history on the socket (p50 of 50)", "reads.history", "ms",
              target="<= 5 ms", ok=lambda m: m <= 5,
              extra="reply %s KiB" % fmt(t.med("reads.history.kib"), "KiB")
              if t.med("reads.history.kib") else "")
        t.row("log on the socket (p50 of 50)", "reads.log", "ms",
              target="<= 5 ms", ok=lambda m: m <= 5,
              extra="reply %s KiB" % fmt(t.med("reads.log.kib"), "KiB")
              if t.med("reads.log.kib") else "")
        t.row("migratectl history (whole process)", "reads.history.ctl",
              "ms")

    if "ready.big" in vals:
        t.section("start-up and memory")
        t.row("idle RSS, sample (3 revisions, at head)", "rss.sample", "MiB",
              scale=1 / 1024,
              extra="peers: dbmate 27, alembic 57, psql 9 MiB")
        t.row("  idle private memory (USS), sample", "uss.sample", "MiB",
              scale=1 / 1024, target="<= 2 MiB", ok=lambda m: m <= 2.0)
        t.row("READY=1 after start, sample", "ready.sample", "ms")
        t.row("READY=1 after start, %d revisions" % big, "ready.big", "ms",
              target="<= 100 ms" if big >= 10000 else None,
              ok=(lambda m: m <= 100) if big >= 10000 else None)
        t.row("  migrated CPU until READY=1, %d revisions" % big,
              "ready.big.cpu", "ms")
        t.row("idle RSS, %d revisions loaded (database behind)" % big,
              "rss.big", "MiB", scale=1 / 1024)
        t.row("  idle private memory (USS), %d revisions" % big, "uss.big",
              "MiB", scale=1 / 1024)
        t.row("peak RSS (VmHWM), %d revisions" % big, "hwm.big", "MiB",
              scale=1 / 1024, target="<= 24 MiB" if big >= 10000 else None,
              ok=(lambda m: m <= 24) if big >= 10000 else None)

    if "failover" in vals:
        n = len(vals["failover"])
        t.section("failover: leader kill -9, standby leads (%d trials)" % n)
        t.row("p50", "failover", "ms", stat="p50")
        t.row("p99", "failover", "ms", stat="p99", target="<= 150 ms",
              ok=lambda m: m <= 150)
        t.row("max", "failover", "ms", stat="max")

    if "lint" in vals:
        t.section("lint")
        t.row("migratectl lint --dir, 1000 revisions x ~10 statements",
              "lint", "ms", target="<= 1 s", ok=lambda m: m <= 1000)
        t.row("  its CPU, user + system (/usr/bin/time)", "lint.cpu", "ms")
        t.row("  its peak RSS (/usr/bin/time)", "lint.rss", "MiB",
              scale=1 / 1024, target="< 64 MiB", ok=lambda m: m < 64)

    if "dirscan" in vals:
        t.section("files re-read before each change request, %d files"
                  % big)
        t.row("per-request check, inotify quiet: p50 of 200",
              "dirscan.quiet", "us", scale=1000, target="<= 5 ms",
              ok=lambda m: m <= 5000)
        t.row("  p99 of 200", "dirscan.quiet.p99", "us", scale=1000)
        t.row("after an event: one file changed (stat of the names "
              "inotify reported): p50", "dirscan.event", "us",
              scale=1000, target="<= 5 ms", ok=lambda m: m <= 5000)
        t.row("  p99 of 200", "dirscan.event.p99", "us", scale=1000)
        t.row("  its CPU time: p50", "dirscan.event.cpu", "us",
              scale=1000)
        t.row("  its CPU time: p99", "dirscan.event.cpu.p99", "us",
              scale=1000)
        t.row("stat scan of every file (before: after any event; now NFS, "
              "links, overflow): p50",
              "dirscan", "ms", target="<= 5 ms" if big >= 10000 else None,
              ok=(lambda m: m <= 5) if big >= 10000 else None)
        t.row("  p99 of 200", "dirscan.p99", "ms")

    print("# migrated benchmark, %s\n" % meta.get("date", ""))
    for k, v in meta.items():
        if k != "date":
            print("- **%s**: %s" % (k, v))
    print("\nEvery row: median of its repetitions (n) with min and max; a "
          "fresh database per repetition, created and CHECKPOINT-ed outside "
          "the timed part. Process rows (`migratectl ...`) are each the "
          "median of many runs within one repetition. Wall-clock times "
          "unless a row says CPU. Ratios compare medians.\n")
    print(t.markdown())
    if ratios:
        print()
        for n, r2, r1 in ratios:
            print("- apply-%s: per-revision / L2 = %s, --atomic / L1 = %s"
                  % (n, "%.3f" % r2 if r2 else "-",
                     "%.3f" % r1 if r1 else "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
