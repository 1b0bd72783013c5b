#!/usr/bin/env python3
"""When the answers to hey's lockstep bursts come back, in order.

    hey -o csv -z 6s -c 20 -q 100 -m POST -T application/json -D body.json URL > run.csv
    python3 scripts/burst-timeline.py run.csv [more.csv ...]

hey's workers fire together (bursts of 20 every 10 ms at -c 20 -q 100). This groups its per-request CSV
(offset and response time, to 0.1 ms) into bursts, a gap of more than 3 ms starting a new one, drops the
first and last 20 bursts and any of fewer than 15 requests, and prints, as medians over the bursts, when
the k-th request of a burst was sent and when its k-th answer came back, both from the burst's first
send. Two proxies with the same p50 can differ here: one answering as requests come, one taking every
waiting request before any answer.
"""
import csv
import statistics
import sys

ORDERS = (1, 2, 5, 10, 15, 20)


def timeline(path):
    rows = []
    with open(path, newline="") as f:
        for line, r in enumerate(csv.reader(f), 1):
            if not r or r[0] == "response-time":
                continue
            try:
                rows.append((float(r[7]), float(r[0])))  # offset, response time (s)
            except (IndexError, ValueError):
                sys.exit(f"{path}:{line}: not a row of hey's CSV (-o csv): {','.join(r)[:80]}")
    if not rows:
        sys.exit(f"{path}: no requests in it")
    rows.sort()
    bursts, current = [], [rows[0]]
    for row in rows[1:]:
        if row[0] - current[-1][0] > 0.003:
            bursts.append(current)
            current = []
        current.append(row)
    bursts.append(current)
    bursts = [b for b in bursts if len(b) >= 15][20:-20]
    if not bursts:
        sys.exit(f"{path}: no bursts of 15 or more requests (is it a lockstep run of at least a second?)")
    sent, done = {}, {}
    for b in bursts:
        t0 = b[0][0]
        for k, (offset, _) in enumerate(b):
            sent.setdefault(k, []).append((offset - t0) * 1000)
        for k, t in enumerate(sorted((offset - t0 + rt) * 1000 for offset, rt in b)):
            done.setdefault(k, []).append(t)
    latencies = sorted(rt * 1000 for b in bursts for _, rt in b)
    p50 = latencies[len(latencies) // 2]
    print(f"{path}: {len(bursts)} bursts of {statistics.median(len(b) for b in bursts):.0f}, p50 {p50:.2f} ms")
    for name, table in (("sent", sent), ("answered", done)):
        cells = "  ".join(f"{k}: {statistics.median(table[k - 1]):4.2f}" for k in ORDERS if k - 1 in table)
        print(f"  {name:>8} (ms after the burst's first send, k-th)  {cells}")


for path in sys.argv[1:] or sys.exit(__doc__):
    timeline(path)
