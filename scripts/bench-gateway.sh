#!/usr/bin/env bash
# Benchmarks the gateway against the same stub upstream reached directly, through nginx, and through
# LiteLLM (config mode, with a key limit), in one run, on loopback only.
#
#   scripts/bench-gateway.sh                 # 10 s per measurement
#   DURATION=20 RATE=2000 scripts/bench-gateway.sh
#   RELAY_BIN=scripts/nio-relay/.build/release/nio-relay scripts/bench-gateway.sh   # and a bare SwiftNIO relay
#
# For each target it reports p50 and p99 latency at a fixed RATE offered two ways, and the latency added
# over the direct stub: by 20 independent clients (scripts/hey-clients.sh: 20 hey processes of one
# connection each, their clocks out of phase, as a real API's clients are; latency without the first and
# last half second, when those processes start and exit), and by one hey with 20
# connections (whose workers fire in lockstep: bursts of 20 requests at once every 20/RATE s, the
# harsher case), in LATENCY_ROUNDS rounds (3 by default), with each target's own CPU time per request
# over the lockstep run (its processes' user and system time; the stub's counted only for the stub
# reached directly). Then the maximum throughput (wrk, 64
# connections, 2 threads), in ROUNDS rounds (5 by default). Each round takes the direct stub, nginx (the relay,
# with RELAY_BIN) and the gateway in turn, in the opposite order every other round: this machine's speed drifts by up to a
# quarter from one minute to the next, so one run each compares moments as much as proxies. Latency
# added is taken within each round (a target's figure less the direct stub's of the same round) and
# reported as the median over rounds, with the gateway's figure in every round; LiteLLM, a hundred times
# slower, is measured once, in the first round's place. Throughput is reported as the
# median req/s of each, and the gateway's share of nginx's in every round (both measured within the
# same half minute) with their median.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
RATE=${RATE:-2000}
ROUNDS=${ROUNDS:-5}
LATENCY_ROUNDS=${LATENCY_ROUNDS:-3}
CONNS=20
WORK=${WORK:-$(mktemp -d /tmp/hg-bench.XXXXXX)}
mkdir -p "$WORK"
STUB=18080 GATEWAY=18081 LITELLM=18082 ADMIN=18083 NGINX=18084 RELAY=18085

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v hey >/dev/null || need+=(hey)
command -v nginx >/dev/null || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# LiteLLM in a virtual environment of its own: it pins an `openai` older than the SDK tests' one.
VENV=${LITELLM_VENV:-.cache/litellm-venv}
if ! "$VENV/bin/python" -c "import litellm" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q "litellm[proxy]==1.90.0"
fi

BIN=${HYDRAGUARD_BIN:-.build/release/hydraguard}
if [ -z "${HYDRAGUARD_BIN:-}" ]; then swift build -c release --product hydraguard 2>&1 | tail -n 3; fi

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

wait_up() {  # url, seconds
    for _ in $(seq 1 $(( $2 * 10 ))); do
        if curl -s -o /dev/null "$1"; then return 0; fi
        sleep 0.1
    done
    echo "$1 did not come up" >&2
    exit 1
}

# The stub.
"$BIN" upstream-stub --port $STUB & pids+=($!)
STUB_PID=$!
wait_up "http://127.0.0.1:$STUB/v1/models" 30

# The gateway, every check on (scripts/bench-config.sh). Address intelligence too: the simulator's
# country and ASN databases and range list (a few seconds).
"$BIN" simulate --preset small --out "$WORK/intel" --quiet >/dev/null
export HG_BENCH_KEY_SECRET=bench-secret HG_BENCH_ADMIN=bench-admin
. scripts/bench-config.sh
bench_config "$WORK" "$WORK/intel" $STUB $GATEWAY $ADMIN
KEY=$("$BIN" keys create --config "$WORK/hydraguard.yaml" --account bench --tier card \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
# One event loop per core by default, as the gateway runs unless told otherwise (GATEWAY_EVENT_LOOPS=1
# leaves the load generator and the stub a core of their own).
"$BIN" gateway --config "$WORK/hydraguard.yaml" --log-level warning --event-loops "${GATEWAY_EVENT_LOOPS:-$(nproc)}" & pids+=($!)
GATEWAY_PID=$!
wait_up "http://127.0.0.1:$GATEWAY/healthz" 30

# nginx proxying the stub with keep-alive upstream connections.
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
    uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
    upstream stub { server 127.0.0.1:$STUB; keepalive 128; }
    server {
        listen 127.0.0.1:$NGINX;
        location / { proxy_pass http://stub; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
NGINX
nginx -c "$WORK/nginx.conf"
wait_up "http://127.0.0.1:$NGINX/v1/models" 10

# With RELAY_BIN, a fifth target: scripts/nio-relay, a SwiftNIO TCP relay that does no more than copy
# bytes (the least any SwiftNIO proxy costs per request on this machine).
TARGETS="direct nginx hydraguard"
if [ -n "${RELAY_BIN:-}" ]; then
    "$RELAY_BIN" $RELAY $STUB > "$WORK/relay.log" 2>&1 & pids+=($!)
    RELAY_PID=$!
    wait_up "http://127.0.0.1:$RELAY/v1/models" 10
    TARGETS="direct nginx nio-relay hydraguard"
fi

# LiteLLM in config mode: without a database its only key is the master key, limited by the
# deployment's rpm/tpm and the per-key max_parallel_requests.
cat > "$WORK/litellm.yaml" <<LITELLM
model_list:
  - model_name: stub-small
    litellm_params:
      model: openai/stub-small
      api_base: http://127.0.0.1:$STUB/v1
      api_key: not-used
      rpm: 100000000
      tpm: 10000000000
general_settings:
  master_key: sk-bench-litellm
  max_parallel_requests: 10000   # per key
LITELLM
"$VENV/bin/litellm" --config "$WORK/litellm.yaml" --host 127.0.0.1 --port $LITELLM --num_workers 1 \
    > "$WORK/litellm.log" 2>&1 & pids+=($!)
LITELLM_PID=$!
wait_up "http://127.0.0.1:$LITELLM/health/liveliness" 120

BODY='{"model":"stub-small","max_tokens":32,"messages":[{"role":"user","content":"benchmark the proxy with a short prompt"}]}'
echo "$BODY" > "$WORK/body.json"

prepare() {  # name, url, key: wrk's script, a check that it answers 200, a warm-up
    local name=$1 url=$2 key=$3
    cat > "$WORK/post-$name.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$BODY]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Content-Type: application/json" \
        -H "Authorization: Bearer $key" --data-binary @"$WORK/body.json" "$url")
    [ "$status" = 200 ] || { echo "$name answered $status" >&2; exit 1; }
    wrk -t2 -c$CONNS -d2s -s "$WORK/post-$name.lua" "$url" >/dev/null
}

# The processes that serve a target, the stub excluded (it serves every target alike): a process and its
# children (nginx's workers, LiteLLM's).
serving() {  # name
    local root
    case $1 in
        direct) root=$STUB_PID ;;
        nginx) root=$(cat "$WORK/nginx.pid") ;;
        hydraguard) root=$GATEWAY_PID ;;
        litellm) root=$LITELLM_PID ;;
        nio-relay) root=$RELAY_PID ;;
    esac
    echo "$root" $(pgrep -P "$root" || true)
}
ticks() {  # pids: CPU time (user + system) of the processes, every thread, in clock ticks
    local t=0 pid
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] && t=$(( t + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}') ))
    done
    echo $t
}

measure() {  # round, name, url, key: appends "round name c50 c99 c/s l50 l99 l/s non-200 cpu-us" to results.txt
    local round=$1 name=$2 url=$3 key=$4
    # Lockstep: one hey, 20 connections at a fixed rate; the target's own CPU over it, per request.
    local per=$(( RATE / CONNS )) out="$WORK/hey-$name-$round.txt" procs t0 t1
    procs=$(serving "$name")
    t0=$(ticks $procs)
    hey -z "${DURATION}s" -c $CONNS -q $per -m POST -T application/json -H "Authorization: Bearer $key" \
        -D "$WORK/body.json" "$url" > "$out"
    t1=$(ticks $procs)
    local p50 p99 achieved errors clients
    p50=$(awk '/ 50% in/ {print $3 * 1000}' "$out")
    p99=$(awk '/ 99% in/ {print $3 * 1000}' "$out")
    achieved=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$out")
    errors=$(awk '/\[[0-9]+\]/ && !/\[200\]/ {s += $2} END {print s + 0}' "$out")
    # The same rate from independent clients: "p50 p99 achieved non-200".
    clients=$(scripts/hey-clients.sh "$url" "$key" "$RATE" $CONNS "$DURATION" "$WORK/body.json" "$WORK/clients-$name-$round")
    errors=$(( errors + $(echo "$clients" | awk '{print $4}') ))
    local cpu
    local answered
    answered=$(awk '/\[[0-9]+\]/ {s += $2} END {print s + 0}' "$out")
    cpu=$(python3 -c "print(round(($t1 - $t0) / $(getconf CLK_TCK) * 1e6 / max(1, $answered)))")
    echo "$round $name $(echo "$clients" | awk '{print $1, $2, $3}') $p50 $p99 $achieved $errors $cpu" >> "$WORK/results.txt"
}

throughput() {  # name, url: appends "name req/s" to throughput.txt
    echo "$1 $(wrk -t2 -c64 -d"${DURATION}s" -s "$WORK/post-$1.lua" "$2" | awk '/Requests\/sec/ {printf "%.0f", $2}')" \
        >> "$WORK/throughput.txt"
}

declare -A URL=(
    [direct]="http://127.0.0.1:$STUB/v1/chat/completions" [nginx]="http://127.0.0.1:$NGINX/v1/chat/completions"
    [hydraguard]="http://127.0.0.1:$GATEWAY/v1/chat/completions" [litellm]="http://127.0.0.1:$LITELLM/v1/chat/completions"
    [nio-relay]="http://127.0.0.1:$RELAY/v1/chat/completions"
)
: > "$WORK/results.txt"
declare -A SECRET=([direct]=none [nginx]=none [hydraguard]="$KEY" [litellm]=sk-bench-litellm [nio-relay]=none)
for name in $TARGETS litellm; do prepare "$name" "${URL[$name]}" "${SECRET[$name]}"; done
order() {  # round: the targets, the other way round every other round
    if [ $(($1 % 2)) = 0 ]; then echo "$TARGETS" | tr ' ' '\n' | tac | tr '\n' ' '; else echo "$TARGETS"; fi
}
for round in $(seq 1 "$LATENCY_ROUNDS"); do
    for name in $(order "$round"); do measure "$round" "$name" "${URL[$name]}" "${SECRET[$name]}"; done
done
measure 1 litellm "${URL[litellm]}" "${SECRET[litellm]}"  # far from the others: once is enough
: > "$WORK/throughput.txt"
for round in $(seq 1 "$ROUNDS"); do
    for name in $(order "$round"); do throughput "$name" "${URL[$name]}"; done
done
throughput litellm "${URL[litellm]}"  # far from the others: once is enough

echo
echo "hydraguard gateway benchmark: $(nproc) cores, ${DURATION}s per run, latency at $RATE req/s offered"
echo "by $CONNS independent clients, and by $CONNS connections in lockstep (one hey); max req/s from wrk -c64"
python3 - "$WORK/results.txt" "$WORK/throughput.txt" "$WORK/hydraguard.sqlite" <<'PY'
import sqlite3, statistics, sys
med = statistics.median
# Per target and round: independent clients' p50, p99, req/s, lockstep's p50, p99, req/s, and non-200s.
runs = {}
for line in open(sys.argv[1]):
    r = line.split()
    runs.setdefault(r[1], {})[int(r[0])] = [float(x) for x in r[2:10]]
# Per target, its wrk req/s in round order.
rates = {}
for line in open(sys.argv[2]):
    name, rate = line.split()
    rates.setdefault(name, []).append(int(rate))
maximum = {name: int(med(v)) for name, v in rates.items()}
direct = runs["direct"]
def added(name, i, r):
    """Target `name`'s figure `i` in round `r`, less the direct stub's in the same round."""
    return runs[name][r][i] - direct[r][i]
print(f"{'':11} | {'independent clients: ms':36} | {'lockstep bursts: ms':36} | {'':9} {'':7} {'CPU us':>7}")
print(f"{'target':11} | {'p50':>6} {'p99':>6} {'+p50':>7} {'+p99':>7} {'req/s':>6} | {'p50':>6} {'p99':>6} {'+p50':>7} {'+p99':>7} {'req/s':>6} | {'max req/s':>9} {'non-200':>7} {'/req':>7}")
for name in [n for n in ["direct", "nginx", "nio-relay", "hydraguard", "litellm"] if n in runs]:
    v = runs[name]
    m = lambda i: med(x[i] for x in v.values())
    a = lambda i: med(added(name, i, r) for r in v)
    print(f"{name:11} | {m(0):6.2f} {m(1):6.2f} {a(0):7.2f} {a(1):7.2f} {m(2):6.0f} | "
          f"{m(3):6.2f} {m(4):6.2f} {a(3):7.2f} {a(4):7.2f} {m(5):6.0f} | "
          f"{maximum[name]:>9} {int(sum(x[6] for x in v.values())):7d} {m(7):7.0f}")
by_round = lambda i: " ".join(f"{added('hydraguard', i, r):.2f}" for r in sorted(runs["hydraguard"]))
print(f"latency: medians of {len(direct)} rounds (LiteLLM: 1, against the stub's first). CPU us/req: the target's own")
print("  processes' CPU time (user + system, every thread) per answered request over its lockstep runs (the")
print("  stub's for 'direct'; left out for the proxies). The gateway's added latency by round:")
print(f"  lockstep +p50 {by_round(3)}; +p99 {by_round(4)}")
print(f"  independent +p50 {by_round(0)}; +p99 {by_round(1)}")
# The gateway's share of nginx's throughput, round by round (each pair measured back to back).
shares = [int(100 * g / n) for g, n in zip(rates["hydraguard"], rates["nginx"])]
print(f"max req/s: medians of {len(shares)} rounds; gateway's share of nginx's by round: "
      f"{' '.join(map(str, shares))} (median {int(med(shares))}%)")
print(f"litellm: {rates['litellm'][0]} req/s; gateway at {maximum['hydraguard'] // maximum['litellm']}x")
count = sqlite3.connect(sys.argv[3]).execute("select count(*) from usage_events").fetchone()[0]
print(f"records in the gateway's store: {count}")
PY
echo "raw output: $WORK"
