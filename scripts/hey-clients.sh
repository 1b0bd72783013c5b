#!/usr/bin/env bash
# Offers a fixed request rate as independent clients: CONNS hey processes of one connection each, every
# one at RATE/CONNS requests/s on its own clock, started one after another so that their clocks are out
# of phase, as the clients of a real API are. (One hey with -c CONNS -q N starts all its workers' clocks
# together, so its requests arrive in bursts of CONNS at once; scripts/bench-gateway.sh reports both.)
#
#   scripts/hey-clients.sh URL KEY RATE CONNS SECONDS BODY_FILE OUT_DIR
#
# Prints "p50_ms p99_ms achieved_per_s non_200" over every request of every client, the latencies over
# those sent between TRIM seconds (0.5 by default) after the start and TRIM before the end: in the first
# and last half second the 20 hey processes start and exit (and write their CSV) on the same cores as the
# server, and every target's p99 there is several times its p99 between (measured: the stub alone 6.7 ms
# against 0.9, nginx 5.5 against 1.7). The rate and the non-200 count are over every request.
set -euo pipefail
# One Go thread per client: 20 runtimes each running a thread per core would preempt the server under
# test for milliseconds at a time on a small machine, which shows in every target's p99.
export GOMAXPROCS=${GOMAXPROCS:-1}
url=$1 key=$2 rate=$3 conns=$4 seconds=$5 body=$6 out=$7
trim=${TRIM:-0.5}
mkdir -p "$out"
per=$(( rate / conns ))
# Starts half a tick apart in all (0.25 ms between two at 20 clients of 100/s); what each hey takes to
# start, a few milliseconds that vary, spreads their clocks further across the tick.
gap=$(python3 -c "print(1 / $per / 2 / $conns)")
pids=()
for i in $(seq 1 "$conns"); do
    hey -z "${seconds}s" -c 1 -q "$per" -o csv -m POST -T application/json -H "Authorization: Bearer $key" \
        -D "$body" "$url" > "$out/client-$i.csv" &
    pids+=($!)
    sleep "$gap"
done
wait "${pids[@]}"
python3 - "$seconds" "$trim" "$out"/client-*.csv <<'PY'
import csv, sys
seconds, trim = float(sys.argv[1]), float(sys.argv[2])
times, count, bad = [], 0, 0
for path in sys.argv[3:]:
    with open(path) as f:
        for row in csv.DictReader(f):
            count += 1
            bad += row["status-code"] != "200"
            if trim <= float(row["offset"]) <= seconds - trim:
                times.append(float(row["response-time"]))
if not times:
    sys.exit("hey-clients: no requests were answered")
times.sort()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
print(f"{pick(0.50):.3f} {pick(0.99):.3f} {count / seconds:.0f} {bad}")
PY
