#!/usr/bin/env python3
"""Converts iporigin's bundled range table (PyPI iporigin==1.1.2, data/ranges.bin, October 2026) into a
hydraguard range list: CSV `cidr,kind,provider` (usage-log.md, "IP intelligence inputs").

    pip download --no-deps -d .cache/iporigin iporigin==1.1.2
    (cd .cache/iporigin && unzip -o -q iporigin-1.1.2-py3-none-any.whl)
    python3 scripts/iporigin-ranges.py .cache/iporigin/iporigin/data/ranges.bin > .cache/iporigin/ranges.csv

iporigin's kinds map to hydraguard's: hosting -> datacenter; cdn, vpn, tor and bot keep their names.
Start-end ranges are split into the fewest CIDR blocks that cover them exactly. The output is
generated data: keep it under .cache/ and never commit it.
"""
import csv
import ipaddress
import struct
import sys

KINDS = {"hosting": "datacenter", "cdn": "cdn", "vpn": "vpn", "tor": "tor", "bot": "bot", "proxy": "proxy"}


def main(path):
    blob = open(path, "rb").read()
    header = struct.Struct("<8sHQHII")
    magic, version, _built, n_labels, n_v4, n_v6 = header.unpack_from(blob, 0)
    if magic != b"IPORIGIN" or version != 1:
        sys.exit(f"{path}: not an iporigin v1 dataset")
    offset = header.size
    labels = []
    for _ in range(n_labels):
        (length,) = struct.unpack_from("<H", blob, offset)
        offset += 2
        provider, _, kind = blob[offset:offset + length].decode("utf-8").partition("\t")
        if kind not in KINDS:
            sys.exit(f"{path}: unknown kind {kind!r} for provider {provider!r}")
        labels.append((provider, KINDS[kind]))
        offset += length
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["cidr", "kind", "provider"])
    for _ in range(n_v4):
        start, end, label = struct.unpack_from("<IIH", blob, offset)
        offset += 10
        provider, kind = labels[label]
        for net in ipaddress.summarize_address_range(ipaddress.IPv4Address(start), ipaddress.IPv4Address(end)):
            out.writerow([str(net), kind, provider])
    for _ in range(n_v6):
        start, end, label = struct.unpack_from("<16s16sH", blob, offset)
        offset += 34
        provider, kind = labels[label]
        first = ipaddress.IPv6Address(int.from_bytes(start, "big"))
        last = ipaddress.IPv6Address(int.from_bytes(end, "big"))
        for net in ipaddress.summarize_address_range(first, last):
            out.writerow([str(net), kind, provider])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
