#!/usr/bin/env python3
"""Joins an audit's --dump-accounts file with the simulator's labels and prints, per archetype,
the distribution of risk and the mean strength of each signal: the table to look at when tuning."""
import json, sys, collections, statistics
dump, labels = sys.argv[1], sys.argv[2]
lab = {}
for line in open(labels):
    r = json.loads(line); lab[r["account_id"]] = r
rows = collections.defaultdict(list)
for line in open(dump):
    r = json.loads(line)
    rows[lab.get(r["account_id"], {}).get("archetype", "?")].append(r)
for arch, rs in sorted(rows.items()):
    risks = sorted(x["risk"] for x in rs)
    q = lambda p: risks[min(len(risks) - 1, int(p * len(risks)))]
    verdicts = collections.Counter(x["verdict"] for x in rs)
    camp = sum(1 for x in rs if x["campaign"] is not None)
    sig = collections.defaultdict(float)
    for x in rs:
        for k, v in x["signals"].items(): sig[k] += v / len(rs)
    print(f"{arch:20} n={len(rs):5} risk min {risks[0]:.2f} p10 {q(.1):.2f} p50 {q(.5):.2f} p90 {q(.9):.2f} max {risks[-1]:.2f} "
          f"in-campaign {camp} {dict(verdicts)}")
    print("    " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(sig.items(), key=lambda kv: -kv[1]) if v > 0.01))
    keys = ["addresses_per_day", "new_address_days", "busiest_12h", "thinking", "targeted", "elicitation", "countries", "keys"]
    print("    " + ", ".join(f"{k} {statistics.mean(x[k] for x in rs):.2f}" for k in keys))
