import Testing

@testable import HydraguardIntel

@Suite struct RangeTableTests {
    func entry(_ cidr: String, _ kind: NetworkKind, _ provider: String = "") -> RangeEntry {
        RangeEntry(network: IPNetwork(cidr)!, kind: kind, provider: provider)
    }

    @Test func mostSpecificRangeWins() {
        let table = RangeTable([
            entry("10.1.2.0/24", .tor, "inner"),
            entry("10.0.0.0/8", .business, "outer"),
            entry("10.1.0.0/16", .vpn, "middle"),
        ])
        #expect(table.lookup(IPAddress("10.1.2.3")!)?.provider == "inner")
        #expect(table.lookup(IPAddress("10.1.3.3")!)?.provider == "middle")
        #expect(table.lookup(IPAddress("10.1.0.0")!)?.provider == "middle")
        #expect(table.lookup(IPAddress("10.1.255.255")!)?.provider == "middle")
        #expect(table.lookup(IPAddress("10.2.0.0")!)?.provider == "outer")
        #expect(table.lookup(IPAddress("10.0.255.255")!)?.provider == "outer")
        #expect(table.lookup(IPAddress("10.255.255.255")!)?.provider == "outer")
        #expect(table.lookup(IPAddress("11.0.0.0")!) == nil)
        #expect(table.lookup(IPAddress("9.255.255.255")!) == nil)
        // gaps, outer, middle, inner, middle, outer, gap
        #expect(table.intervalCount == 7)
    }

    @Test func mixesFamiliesAndEdgesOfTheSpace() {
        let table = RangeTable([
            entry("::/0", .residential, "all"),
            entry("0.0.0.0/0", .mobile, "v4"),
            entry("ffff::/16", .cdn, "top"),
            entry("2001:db8::/32", .datacenter, "doc"),
        ])
        #expect(table.lookup(IPAddress("1.2.3.4")!)?.provider == "v4")
        #expect(table.lookup(IPAddress("2001:db8::1")!)?.provider == "doc")
        #expect(table.lookup(IPAddress("2001:db9::1")!)?.provider == "all")
        #expect(table.lookup(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")!)?.provider == "top")
        #expect(table.lookup(IPAddress("::")!)?.provider == "all")
    }

    @Test func laterDuplicateWins() {
        let table = RangeTable([entry("192.0.2.0/24", .vpn, "first"), entry("192.0.2.0/24", .proxy, "second")])
        #expect(table.lookup(IPAddress("192.0.2.9")!)?.provider == "second")
    }

    @Test func emptyTableFindsNothing() {
        #expect(RangeTable().lookup(IPAddress("1.1.1.1")!) == nil)
        #expect(RangeTable([]).lookup(IPAddress("::1")!) == nil)
    }

    /// Compares with a linear scan over random nested and disjoint ranges.
    @Test func agreesWithABruteForceScan() {
        var rng = SplitMix(seed: 42)
        var entries: [RangeEntry] = []
        for i in 0..<300 {
            let base = UInt32(truncatingIfNeeded: rng.next()) & 0x0fff_ffff  // crowd them to force overlaps
            let length = Int(rng.next() % 25) + 8
            let network = IPNetwork(address: IPAddress(ipv4: base), prefixLength: length)
            entries.append(RangeEntry(network: network, kind: NetworkKind.allCases[i % 9], provider: "p\(i)"))
        }
        let table = RangeTable(entries)
        for _ in 0..<1000 {
            let probe = IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()) & 0x0fff_ffff)
            var best: (bits: Int, index: Int)?
            for (i, e) in entries.enumerated() where e.network.contains(probe) {
                if best == nil || e.network.bits > best!.bits || (e.network.bits == best!.bits && i > best!.index) {
                    best = (e.network.bits, i)
                }
            }
            #expect(table.lookup(probe) == best.map { entries[$0.index] })
        }
    }
}

extension RangeTableTests {
    /// The same for IPv6, crowded into a few top-16-bit buckets, with IPv4 ranges mixed in.
    @Test func agreesWithABruteForceScanOverIPv6() {
        var rng = SplitMix(seed: 9)
        func random() -> IPAddress {
            IPAddress(
                value: UInt128(0x2000 + rng.next() % 3) << 112 | UInt128(rng.next()) << 48 | UInt128(rng.next() % 4)
            )
        }
        var entries: [RangeEntry] = []
        for i in 0..<300 {
            let network = IPNetwork(address: random(), prefixLength: Int(rng.next() % 120) + 8)
            entries.append(RangeEntry(network: network, kind: .vpn, provider: "v6-\(i)"))
        }
        entries.append(RangeEntry(network: IPNetwork("0.0.0.0/0")!, kind: .residential, provider: "v4"))
        let table = RangeTable(entries)
        for _ in 0..<1000 {
            let probe = random()
            var best: (bits: Int, index: Int)?
            for (i, e) in entries.enumerated() where e.network.contains(probe) {
                if best == nil || e.network.bits > best!.bits || (e.network.bits == best!.bits && i > best!.index) {
                    best = (e.network.bits, i)
                }
            }
            #expect(table.lookup(probe) == best.map { entries[$0.index] })
        }
        #expect(table.lookup(IPAddress("9.9.9.9")!)?.provider == "v4")
    }
}

/// A small deterministic random number generator for tests.
struct SplitMix: RandomNumberGenerator {
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
