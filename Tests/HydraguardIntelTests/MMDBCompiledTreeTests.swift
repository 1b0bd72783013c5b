import Testing

@testable import HydraguardIntel

@Suite struct MMDBCompiledTreeTests {
    /// The compiled tree answers as the reader does, over random networks and probes of both families.
    @Test(arguments: [24, 28, 32])
    func agreesWithTheReader(recordSize: Int) throws {
        var rng = SplitMix(seed: UInt64(recordSize))
        func address() -> IPAddress {
            rng.next() % 3 == 0
                ? IPAddress(value: UInt128(0x2001_0db8 + rng.next() % 4) << 96 | UInt128(rng.next()) << 32)
                : IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()) & 0x3fff_ffff)
        }
        var writer = MMDBWriter(databaseType: "t", description: "t", recordSize: recordSize)
        for i in 0..<400 {
            let a = address()
            let length = a.isIPv4 ? Int(rng.next() % 25) + 8 : Int(rng.next() % 96) + 32
            writer.insert(IPNetwork(address: a, prefixLength: length), ["country": ["iso_code": .string("C\(i % 37)")]])
        }
        let reader = try MMDBReader(bytes: try writer.build())
        let tree = try MMDBCompiledTree(reader) { offset throws(IntelError) in try reader.countryCode(atOffset: offset)
        }
        var hits = 0
        for _ in 0..<2000 {
            let probe = address()
            let expected = try reader.countryCode(for: probe)
            #expect(tree.lookup(probe) == expected)
            if expected != nil { hits += 1 }
        }
        #expect(hits > 100)  // the probes do land in networks
    }
}
