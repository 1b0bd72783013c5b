import Foundation
import HydraguardIntel
import Testing

@testable import HydraguardSimulator

@Suite struct AddressSpaceMMDBTests {
    @Test func databasesAnswerLikeTheSpace() throws {
        let dir = NSTemporaryDirectory() + "hydraguard-mmdb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let space = AddressSpace.standard
        try space.writeDatabases(country: dir + "/country.mmdb", asn: dir + "/asn.mmdb")
        let country = try MMDBReader(path: dir + "/country.mmdb")
        let asn = try MMDBReader(path: dir + "/asn.mmdb")
        #expect(country.metadata.databaseType == "GeoLite2-Country")
        var rng = SeededRandom(seed: 4)
        for _ in 0..<200 {
            let range = space.ranges[rng.int(in: 0..<space.ranges.count)]
            let text = range.address(rng.next())
            let ip = try #require(IPAddress(text))
            #expect(try country.countryCode(for: ip) == range.country, "\(text) in \(range.cidr)")
            let system = try #require(try asn.autonomousSystem(for: ip))
            #expect(system.number == UInt32(range.asn))
            #expect(system.organization == range.organization)
        }
        #expect(try country.countryCode(for: IPAddress("10.1.2.3")!) == nil)
    }
}
