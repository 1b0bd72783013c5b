import Testing

@testable import HydraguardSimulator

@Suite struct AddressSpaceTests {
    let space = AddressSpace.standard

    @Test func rangesDoNotOverlapAndAvoidSpecialPurposeSpace() {
        let v4 = space.ranges.filter { !$0.isIPv6 }.map { r in
            (start: UInt64(r.base), end: UInt64(r.base) + (UInt64(1) << UInt64(32 - r.prefixLength)))
        }.sorted { $0.start < $1.start }
        for (a, b) in zip(v4, v4.dropFirst()) { #expect(a.end <= b.start) }
        for r in space.ranges where !r.isIPv6 {
            let first = r.base >> 24
            #expect(![0, 10, 127].contains(first) && first < 224)
            #expect(r.base & ~(~UInt32(0) << UInt32(32 - r.prefixLength)) == 0, "\(r.cidr) is not aligned")
        }
        let v6 = space.ranges.filter(\.isIPv6).map(\.base)
        #expect(Set(v6).count == v6.count)
    }

    @Test func everyKindTheSimulationNeedsExists() {
        let kinds = Set(space.ranges.map(\.kind))
        for kind in [AddressKind.residential, .mobile, .business, .datacenter, .vpn, .tor] {
            #expect(kinds.contains(kind))
        }
        for country in ["KP", "IR", "CU", "SY", "RU"] {
            #expect(!space.ranges(.residential, in: country).isEmpty, "\(country)")
        }
        #expect(Set(space.ranges.map(\.country)).count >= 20)
    }

    @Test func drawnAddressesLieInTheirRangeAndCountry() {
        var rng = SeededRandom(seed: 8)
        for kind in [AddressKind.residential, .mobile, .datacenter, .vpn] {
            for country in ["US", "DE", "JP", "IN"] {
                for v6 in [false, true] {
                    let address = space.randomAddress(kind, in: country, ipv6: v6, rng: &rng)
                    let range = space.range(of: address).map { space.ranges[$0] }
                    #expect(range?.kind == kind, "\(address)")
                    if !space.ranges(kind, in: country, ipv6: v6).isEmpty || !space.ranges(kind, in: country).isEmpty {
                        #expect(range?.country == country, "\(address) for \(kind) in \(country)")
                    }
                }
            }
        }
    }

    @Test func rangeListFollowsTheSpec() {
        let lines = space.rangeListCSV.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "cidr,kind,provider")
        #expect(lines.last == "")
        let kinds = Set(AddressKind.allCases.map(\.rawValue))
        for line in lines.dropFirst().dropLast() {
            let cidr = line.prefix { $0 != "," }
            #expect(cidr.contains("/"))
            let rest = line.dropFirst(cidr.count + 1)
            let kind = rest.prefix { $0 != "," }
            #expect(kinds.contains(String(kind)), "\(line)")
        }
        #expect(space.rangeListCSV.contains("\"Comcast Cable Communications, LLC\""))
        #expect(lines.count - 2 == space.ranges.count)
    }

    @Test func layoutDoesNotDependOnAnything() {
        #expect(AddressSpace().rangeListCSV == space.rangeListCSV)
    }
}
