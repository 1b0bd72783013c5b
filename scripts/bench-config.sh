# Sourced by the gateway benchmarks: the gateway's configuration with every check on.
#
#   bench_config DIR INTEL_DIR STUB_PORT GATEWAY_PORT ADMIN_PORT
#
# writes DIR/hydraguard.yaml: keys, tiers, verdicts, limits per key/account/prefix/ASN (high enough never
# to refuse), address intelligence from the simulator's country and ASN databases and range list in
# INTEL_DIR with a country and anonymiser geofence, records journalled before each answer and committed
# to the store in DIR, rotated JSON Lines in DIR/records. Secrets come from HG_BENCH_KEY_SECRET and
# HG_BENCH_ADMIN.
bench_config() {
    mkdir -p "$1"
    cat > "$1/hydraguard.yaml" <<YAML
listen: {host: 127.0.0.1, port: $4}
admin: {host: 127.0.0.1, port: $5, token_env: HG_BENCH_ADMIN}
upstream: {url: "http://127.0.0.1:$3", timeout_ms: 30000}
store: {path: "$1/hydraguard.sqlite", key_hash_secret_env: HG_BENCH_KEY_SECRET}
records: {wait_for_commit: true, jsonl_directory: "$1/records"}
intel: {country_mmdb: "$2/country.mmdb", asn_mmdb: "$2/asn.mmdb", ip_ranges: ["$2/ip-ranges.csv"]}
per_prefix: {requests_per_minute: 100000000}
per_asn: {requests_per_minute: 100000000}
tiers:
  card:
    requests_per_minute: 100000000
    input_tokens_per_minute: 10000000000
    output_tokens_per_minute: 10000000000
    requests_per_day: 1000000000
    concurrent: 10000
    max_output_tokens: 4096
    deny_countries: [KP, IR]
    anonymizers: deny
YAML
}
