#!/usr/bin/env bash
# Detection quality across presets and seeds: simulate, audit (with the simulated IP intelligence),
# and score against the labels with the audit's quality bar. Usage: scripts/quality.sh [preset|scenario.yaml] [seeds...]
# Needs a release build: swift build -c release --product hydraguard
# GEOIP=DIR (holding dbip-country-lite.mmdb and dbip-asn-lite.mmdb, see scripts/fetch-dbip.sh) places the
# simulated networks inside those real databases (simulate --geoip --asn) and audits with them.
set -euo pipefail
preset=${1:-small}; shift || true
seeds=${*:-1 2 3}
bin=${HYDRAGUARD_BIN:-.build/release/hydraguard}
if [[ "$preset" == *.yaml ]]; then
    source_args=(--scenario "$preset"); preset=$(basename "$preset" .yaml)
else
    source_args=(--preset "$preset")
fi
for seed in $seeds; do
    if [ -n "${GEOIP:-}" ]; then
        dir=out/quality/geoip-$preset-$seed
        real=(--geoip "$GEOIP/dbip-country-lite.mmdb" --asn "$GEOIP/dbip-asn-lite.mmdb")
        [ -f "$dir/labels.jsonl" ] || $bin simulate "${source_args[@]}" --seed "$seed" "${real[@]}" --out "$dir" --quiet >/dev/null
        intel=(--ip-ranges "$dir/ip-ranges.csv" "${real[@]}")
    else
        dir=out/quality/$preset-$seed
        [ -f "$dir/labels.jsonl" ] || $bin simulate "${source_args[@]}" --seed "$seed" --out "$dir" >/dev/null
        intel=(--ip-ranges "$dir/ip-ranges.csv")
        [ -f "$dir/country.mmdb" ] && intel+=(--geoip "$dir/country.mmdb")
        [ -f "$dir/asn.mmdb" ] && intel+=(--asn "$dir/asn.mmdb")
    fi
    start=$(date +%s.%N)
    $bin audit --events "$dir" --accounts "$dir/accounts.jsonl" "${intel[@]}" --out "$dir/findings.json" \
        --report "$dir/report.html" --dump-accounts "$dir/dump.jsonl" -q > "$dir/audit.txt"
    end=$(date +%s.%N)
    echo "== $preset seed $seed: audit $(echo "$end - $start" | bc) s; $(head -1 "$dir/audit.txt")"
    $bin eval --labels "$dir/labels.jsonl" --findings "$dir/findings.json" --gate > "$dir/eval.txt" && status=pass || status=MISS
    grep -E "^(precision|campaigns|purity)" "$dir/eval.txt"
    grep -E "(recall|false positives)$" "$dir/eval.txt" | awk '$4 != "0" || $2 == "attack"' | grep -vE " 0 +0.00% false" || true
    echo "quality bar: $status"
done
