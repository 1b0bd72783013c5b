import ArgumentParser
import Foundation
import HydraguardIntel

extension Hydraguard.Bench {
    struct Intel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure IP intelligence: address parsing and lookups per second.",
            discussion: """
                Looks up random addresses (one thread) in the databases and range lists given, or, when none \
                is given, in synthetic ones written to a temporary folder (country and ASN databases with \
                --networks networks each, and a range list of the same size).

                Examples:
                  .build/release/hydraguard bench intel
                  .build/release/hydraguard bench intel --country-db .cache/dbip/dbip-country-lite.mmdb \\
                      --asn-db .cache/dbip/dbip-asn-lite.mmdb --lookups 2000000
                """
        )

        @Option(help: "Country database (MMDB).")
        var countryDB: String?

        @Option(help: "ASN database (MMDB).")
        var asnDB: String?

        @Option(name: .customLong("ip-ranges"), parsing: .upToNextOption, help: "Range lists (CSV).")
        var ipRanges: [String] = []

        @Option(help: "Addresses to look up.")
        var lookups: Int = 1_000_000

        @Option(help: "Share of IPv6 addresses among those looked up.")
        var ipv6Share: Double = 0.2

        @Option(help: "Networks per synthetic database and range list (when no file is given).")
        var networks: Int = 200_000

        func run() async throws {
            var rng = SplitMix64(seed: 1)
            var country = countryDB
            var asn = asnDB
            var ranges = ipRanges
            if country == nil && asn == nil && ranges.isEmpty {
                let dir = NSTemporaryDirectory() + "hydraguard-bench-intel-\(getpid())"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let start = ContinuousClock.now
                (country, asn, ranges) = try Self.synthesize(in: dir, networks: networks, rng: &rng)
                print(
                    "synthetic: \(networks) networks per source, written in \(Self.format(ContinuousClock.now - start))"
                )
                try measure(country: country, asn: asn, ranges: ranges, rng: &rng)
            } else {
                try measure(country: country, asn: asn, ranges: ranges, rng: &rng)
            }
        }

        func measure(country: String?, asn: String?, ranges: [String], rng: inout SplitMix64) throws {
            let loadStart = ContinuousClock.now
            let intel = try IPIntelligence(countryDB: country, asnDB: asn, rangeLists: ranges)
            print("load: \(Self.format(ContinuousClock.now - loadStart))  (\(intel.ranges.entries.count) ranges)")
            let texts: [String] = (0..<max(1, lookups)).map { _ in
                if Double(rng.next() % 10_000) / 10_000 < ipv6Share {
                    // Mostly inside 2000::/4, where real IPv6 traffic comes from.
                    return IPAddress(value: UInt128(0x2000 | rng.next() % 0x1000) << 112 | UInt128(rng.next()) << 48)
                        .description
                }
                return IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())).description
            }
            var start = ContinuousClock.now
            var parsed: [IPAddress] = []
            parsed.reserveCapacity(texts.count)
            for text in texts { if let a = IPAddress(text) { parsed.append(a) } }
            let parseTime = ContinuousClock.now - start
            start = ContinuousClock.now
            var found = (country: 0, asn: 0, kind: 0)
            for address in parsed {
                let info = intel.lookup(address)
                if info.country != nil { found.country += 1 }
                if info.asn != nil { found.asn += 1 }
                if info.kind != nil { found.kind += 1 }
            }
            let lookupTime = ContinuousClock.now - start
            // Each source alone.
            var parts: [String] = []
            for (name, db) in [("country", intel.countryDB), ("asn", intel.asnDB)] {
                guard let db else { continue }
                start = ContinuousClock.now
                var hits = 0
                for address in parsed where (try? db.dataOffset(for: address)) != nil { hits += 1 }
                parts.append(
                    name
                        + String(
                            format: " tree %.2f M/s",
                            Double(parsed.count) / Self.seconds(ContinuousClock.now - start) / 1e6
                        )
                )
            }
            if !intel.ranges.entries.isEmpty {
                start = ContinuousClock.now
                var hits = 0
                for address in parsed where intel.ranges.lookup(address) != nil { hits += 1 }
                parts.append(
                    String(
                        format: "ranges %.2f M/s",
                        Double(parsed.count) / Self.seconds(ContinuousClock.now - start) / 1e6
                    )
                )
            }
            let n = Double(parsed.count)
            print(
                "parse:  \(parsed.count) addresses in \(Self.format(parseTime)): "
                    + String(format: "%.2f M/s", n / Self.seconds(parseTime) / 1e6)
            )
            print(
                "lookup: \(parsed.count) addresses in \(Self.format(lookupTime)): "
                    + String(format: "%.2f M/s", n / Self.seconds(lookupTime) / 1e6)
                    + "  (found: country \(found.country), asn \(found.asn), kind \(found.kind))"
            )
            print("alone:  " + parts.joined(separator: ", "))
        }

        static func synthesize(in dir: String, networks: Int, rng: inout SplitMix64) throws -> (
            String, String, [String]
        ) {
            func randomNetwork() -> IPNetwork {
                if rng.next() % 5 == 0 {
                    let bits = UInt128(0x2000 | rng.next() % 0x1000) << 112 | UInt128(rng.next()) << 48
                    return IPNetwork(address: IPAddress(value: bits), prefixLength: 20 + Int(rng.next() % 29))
                }
                return IPNetwork(
                    address: IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())),
                    prefixLength: 12 + Int(rng.next() % 13)
                )
            }
            let codes = ["US", "DE", "FR", "GB", "CN", "BR", "IN", "JP", "NL", "SG", "RU", "CA"]
            let countryPath = dir + "/country.mmdb"
            try MMDBWriter.country((0..<networks).map { _ in (randomNetwork(), codes[Int(rng.next() % 12)]) }).write(
                to: countryPath
            )
            let asnPath = dir + "/asn.mmdb"
            try MMDBWriter.asn(
                (0..<networks).map { _ in
                    let number = UInt32(rng.next() % 60_000 + 1)
                    return (randomNetwork(), number, "AS\(number) Example Networks")
                }
            ).write(to: asnPath)
            let rangesPath = dir + "/ranges.csv"
            try RangeList.write(
                (0..<networks).map { _ in
                    RangeEntry(network: randomNetwork(), kind: NetworkKind.allCases[Int(rng.next() % 9)], provider: "p")
                },
                to: rangesPath
            )
            return (countryPath, asnPath, [rangesPath])
        }

        static func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }

        static func format(_ d: Duration) -> String { String(format: "%.3f s", seconds(d)) }
    }
}

/// A small deterministic generator, so that runs look up the same addresses.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
