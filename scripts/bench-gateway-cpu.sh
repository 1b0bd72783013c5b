#!/usr/bin/env bash
# Compares gateway builds by their CPU per request, on a machine whose speed drifts from run to run.
#
#   scripts/bench-gateway-cpu.sh ROUNDS NAME=BINARY [NAME=BINARY ...]
#   scripts/bench-gateway-cpu.sh 6 before=/tmp/old/hydraguard after=.build/release/hydraguard
#
# Each round runs every build in turn (in the opposite order every other round) behind one upstream stub (STUB_BIN, by default the last binary's)
# at a fixed 2,000 requests/s (hey, 20 connections), with every check on as scripts/bench-gateway.sh
# configures it. For each run it divides the gateway's CPU time by the stub's over the same requests: the
# stub does the same work in every run, so the ratio cancels the machine's drift, which moves absolute
# figures by 25% between minutes here. Prints the median ratio, and the median p50 and p99, per build.
# STREAM=1 asks for streamed answers instead of whole ones.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:?rounds}
shift
[ $# -ge 1 ] || { echo "give at least one NAME=BINARY" >&2; exit 2; }
DURATION=${DURATION:-4}
WORK=${WORK:-$(mktemp -d /tmp/hg-cpu.XXXXXX)}
STUB=18180 GATEWAY=18181 ADMIN=18183
command -v hey >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey >/dev/null; }

FIRST=${1#*=}
LAST=${!#}
STUB_BIN=${STUB_BIN:-${LAST#*=}}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$FIRST" simulate --preset small --out "$WORK/intel" --quiet >/dev/null
export HG_BENCH_KEY_SECRET=bench-secret HG_BENCH_ADMIN=bench-admin
BODY='{"model":"stub-small","max_tokens":32,"messages":[{"role":"user","content":"benchmark the proxy with a short prompt"}]}'
# STREAM=1: streamed answers (server-sent events) instead of whole ones.
[ "${STREAM:-0}" = 1 ] && BODY=${BODY/\"max_tokens\":32,/\"max_tokens\":32,\"stream\":true,}
echo "$BODY" > "$WORK/body.json"

. scripts/bench-config.sh

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

"$STUB_BIN" upstream-stub --port $STUB >/dev/null 2>&1 & STUB_PID=$!
pids+=($STUB_PID)
sleep 1
: > "$WORK/runs.txt"
for round in $(seq 1 "$ROUNDS"); do
    # Every other round the other way round, so that a fixed order cannot favour one build: with it, two
    # builds of equal cost came out 2 to 4% apart here, the one run first ahead, whichever it was.
    order=("$@")
    if (( round % 2 == 0 )); then
        order=()
        for (( i = $#; i >= 1; i-- )); do order+=("${!i}"); done
    fi
    for spec in "${order[@]}"; do
        name=${spec%%=*} bin=${spec#*=} dir="$WORK/run-$round-$name"
        bench_config "$dir" "$WORK/intel" $STUB $GATEWAY $ADMIN
        key=$("$bin" keys create --config "$dir/hydraguard.yaml" --account bench --tier card \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
        "$bin" gateway --config "$dir/hydraguard.yaml" --log-level error >/dev/null 2>&1 & gw=$!
        for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$GATEWAY/healthz" && break; sleep 0.1; done
        load() {
            hey -z "$1" -c 20 -q 100 -m POST -T application/json -H "Authorization: Bearer $key" -D "$WORK/body.json" \
                "http://127.0.0.1:$GATEWAY/v1/chat/completions"
        }
        load 1s >/dev/null
        g0=$(cpu $gw) s0=$(cpu $STUB_PID)
        out=$(load "${DURATION}s")
        g1=$(cpu $gw) s1=$(cpu $STUB_PID)
        p50=$(echo "$out" | awk '/ 50% in/ {print $3 * 1000}')
        p99=$(echo "$out" | awk '/ 99% in/ {print $3 * 1000}')
        echo "$name $(( g1 - g0 )) $(( s1 - s0 )) $p50 $p99" >> "$WORK/runs.txt"
        kill $gw
        # A gateway that does not stop is reported, not waited for forever.
        for _ in $(seq 1 100); do kill -0 $gw 2>/dev/null || break; sleep 0.1; done
        if kill -0 $gw 2>/dev/null; then
            echo "$name: the gateway did not stop within 10 s of SIGTERM (killed)" >&2
            kill -9 $gw
        fi
        wait $gw 2>/dev/null || true
    done
done
python3 - "$WORK/runs.txt" "$@" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
print(f"{'build':<12} {'gateway/stub CPU':>18} {'p50 ms':>8} {'p99 ms':>8}   (medians of {len(runs) // (len(sys.argv) - 2)} runs)")
for spec in sys.argv[2:]:
    name = spec.split("=", 1)[0]
    mine = [r for r in runs if r[0] == name]
    ratio = statistics.median(int(r[1]) / max(1, int(r[2])) for r in mine)
    print(f"{name:<12} {ratio:>18.2f} {statistics.median(float(r[3]) for r in mine):>8.2f} "
          f"{statistics.median(float(r[4]) for r in mine):>8.2f}")
PY
echo "raw runs: $WORK/runs.txt"
