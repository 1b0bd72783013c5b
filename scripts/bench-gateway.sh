#!/usr/bin/env bash
# Benchmarks the gateway against the same stub upstream reached directly, through nginx, and through
# LiteLLM (config mode, with a key limit), in one run, on loopback only.
#
#   scripts/bench-gateway.sh                 # 10 s per measurement
#   DURATION=20 RATE=2000 scripts/bench-gateway.sh
#
# For each target it reports p50 and p99 latency at a fixed RATE offered two ways, and the latency added
# over the direct stub: by 20 independent clients (scripts/hey-clients.sh: 20 hey processes of one
# connection each, their clocks out of phase, as a real API's clients are; latency without the first and
# last half second, when those processes start and exit), and by one hey with 20
# connections (whose workers fire in lockstep: bursts of 20 requests at once every 20/RATE s, the
# harsher case). Then the maximum throughput (wrk, 64 connections, 2 threads), in ROUNDS rounds (5 by
# default) that take the direct stub, nginx and the gateway in turn, in the opposite order every other
# round: this machine's speed drifts by up to a quarter from one minute to the next, so one run each
# compares moments as much as proxies. It reports the median req/s of each, and the gateway's share of
# nginx's in every round (both measured within the same half minute) with their median.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
RATE=${RATE:-2000}
ROUNDS=${ROUNDS:-5}
CONNS=20
WORK=${WORK:-$(mktemp -d /tmp/hg-bench.XXXXXX)}
mkdir -p "$WORK"
STUB=18080 GATEWAY=18081 LITELLM=18082 ADMIN=18083 NGINX=18084

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
wait_up "http://127.0.0.1:$LITELLM/health/liveliness" 120

BODY='{"model":"stub-small","max_tokens":32,"messages":[{"role":"user","content":"benchmark the proxy with a short prompt"}]}'
echo "$BODY" > "$WORK/body.json"

measure() {  # name, url, key
    local name=$1 url=$2 key=$3
    cat > "$WORK/post-$name.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$BODY]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
    # Warm up, check it answers 200.
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Content-Type: application/json" \
        -H "Authorization: Bearer $key" --data-binary @"$WORK/body.json" "$url")
    [ "$status" = 200 ] || { echo "$name answered $status" >&2; exit 1; }
    wrk -t2 -c$CONNS -d2s -s "$WORK/post-$name.lua" "$url" >/dev/null
    # Latency at a fixed rate.
    local per=$(( RATE / CONNS ))
    hey -z "${DURATION}s" -c $CONNS -q $per -m POST -T application/json -H "Authorization: Bearer $key" \
        -D "$WORK/body.json" "$url" > "$WORK/hey-$name.txt"
    local p50 p99 achieved errors clients
    p50=$(awk '/ 50% in/ {print $3 * 1000}' "$WORK/hey-$name.txt")
    p99=$(awk '/ 99% in/ {print $3 * 1000}' "$WORK/hey-$name.txt")
    achieved=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/hey-$name.txt")
    errors=$(awk '/\[[0-9]+\]/ && !/\[200\]/ {s += $2} END {print s + 0}' "$WORK/hey-$name.txt")
    # The same rate from independent clients: "p50 p99 achieved non-200".
    clients=$(scripts/hey-clients.sh "$url" "$key" "$RATE" $CONNS "$DURATION" "$WORK/body.json" "$WORK/clients-$name")
    errors=$(( errors + $(echo "$clients" | awk '{print $4}') ))
    echo "$name $(echo "$clients" | awk '{print $1, $2, $3}') $p50 $p99 $achieved $errors" >> "$WORK/results.txt"
}

throughput() {  # name, url: appends "name req/s" to throughput.txt
    echo "$1 $(wrk -t2 -c64 -d"${DURATION}s" -s "$WORK/post-$1.lua" "$2" | awk '/Requests\/sec/ {printf "%.0f", $2}')" \
        >> "$WORK/throughput.txt"
}

declare -A URL=(
    [direct]="http://127.0.0.1:$STUB/v1/chat/completions" [nginx]="http://127.0.0.1:$NGINX/v1/chat/completions"
    [hydraguard]="http://127.0.0.1:$GATEWAY/v1/chat/completions" [litellm]="http://127.0.0.1:$LITELLM/v1/chat/completions"
)
: > "$WORK/results.txt"
measure direct "${URL[direct]}" none
measure nginx "${URL[nginx]}" none
measure hydraguard "${URL[hydraguard]}" "$KEY"
measure litellm "${URL[litellm]}" sk-bench-litellm
: > "$WORK/throughput.txt"
for round in $(seq 1 "$ROUNDS"); do
    order="direct nginx hydraguard"
    [ $((round % 2)) = 0 ] && order="hydraguard nginx direct"
    for name in $order; do throughput "$name" "${URL[$name]}"; done
done
throughput litellm "${URL[litellm]}"  # far from the others: once is enough

echo
echo "hydraguard gateway benchmark: $(nproc) cores, ${DURATION}s per run, latency at $RATE req/s offered"
echo "by $CONNS independent clients, and by $CONNS connections in lockstep (one hey); max req/s from wrk -c64"
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
for name in direct nginx hydraguard litellm; do
    echo "$name $(awk -v n=$name '$1 == n {print $2}' "$WORK/throughput.txt" | median)"
done > "$WORK/max.txt"
awk 'FNR == NR {max[$1] = $2; next}
     FNR == 1 {c50 = $2; c99 = $3; l50 = $5; l99 = $6}
     BEGIN {printf "%-11s | %-36s | %-36s | %9s %7s\n", "", "independent clients: ms", "lockstep bursts: ms", "", ""
            printf "%-11s | %6s %6s %7s %7s %6s | %6s %6s %7s %7s %6s | %9s %7s\n", "target", "p50", "p99", "+p50", "+p99", "req/s", "p50", "p99", "+p50", "+p99", "req/s", "max req/s", "non-200"}
     {printf "%-11s | %6.2f %6.2f %7.2f %7.2f %6s | %6.2f %6.2f %7.2f %7.2f %6s | %9s %7s\n", $1, $2, $3, $2 - c50, $3 - c99, $4, $5, $6, $5 - l50, $6 - l99, $7, max[$1], $8}' \
    "$WORK/max.txt" "$WORK/results.txt"
# The gateway's share of nginx's throughput, round by round (each pair measured back to back).
shares=$(awk '$1 == "nginx" {n[++i] = $2} $1 == "hydraguard" {g[++j] = $2}
              END {for (k = 1; k <= i; k++) printf "%d ", 100 * g[k] / n[k]}' "$WORK/throughput.txt")
echo "max req/s: medians of $ROUNDS rounds; gateway's share of nginx's by round: ${shares}(median $(echo $shares | tr ' ' '\n' | median)%)"
echo "litellm: $(awk '$1 == "litellm" {print $2}' "$WORK/throughput.txt") req/s; gateway at $(awk '$1 == "hydraguard" {g = $2} $1 == "litellm" {l = $2} END {printf "%d", g / l}' "$WORK/max.txt")x"
echo "records in the gateway's store: $(python3 - "$WORK/hydraguard.sqlite" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from usage_events").fetchone()[0])
PY
)"
echo "raw output: $WORK"
