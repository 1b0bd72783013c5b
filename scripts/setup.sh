#!/usr/bin/env bash
# Installs what hydraguard needs on a fresh Debian machine with Swift 6.3 (idempotent).
# mmdb-bin gives mmdblookup, the reference MMDB reader that the HydraguardIntel tests check against.
set -euo pipefail
need=()
for pkg in zlib1g-dev libsqlite3-dev mmdb-bin; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
