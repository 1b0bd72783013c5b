import Foundation
import Testing

@testable import HydraguardIntel

@Suite struct IPIntelligenceTests {
    func intelligence() throws -> IPIntelligence {
        let country = try MMDBReader(
            bytes: try MMDBWriter.country([
                (try IPNetwork(parsing: "8.8.8.0/24"), "US"), (try IPNetwork(parsing: "2a00:1450::/32"), "IE"),
                (try IPNetwork(parsing: "81.2.69.0/24"), "GB"),
            ]).build()
        )
        let asn = try MMDBReader(
            bytes: try MMDBWriter.asn([
                (try IPNetwork(parsing: "8.8.8.0/24"), 15169, "Google LLC"),
                (try IPNetwork(parsing: "2a00:1450::/32"), 15169, "Google LLC"),
                (try IPNetwork(parsing: "81.2.69.0/24"), 20712, "Andrews & Arnold Ltd"),
            ]).build()
        )
        let ranges = RangeTable([
            RangeEntry(network: try IPNetwork(parsing: "8.8.0.0/16"), kind: .datacenter, provider: "Google Cloud"),
            RangeEntry(network: try IPNetwork(parsing: "81.2.69.128/25"), kind: .residential, provider: ""),
        ])
        return try IPIntelligence(country: country, asn: asn, ranges: ranges)
    }

    @Test func combinesEverySource() throws {
        let intel = try intelligence()
        #expect(intel.hasSources)
        let google = try #require(intel.lookup("8.8.8.8"))
        #expect(
            google
                == IPInfo(
                    address: IPAddress("8.8.8.8")!,
                    country: "US",
                    asn: 15169,
                    asOrganization: "Google LLC",
                    kind: .datacenter,
                    provider: "Google Cloud"
                )
        )
        #expect(google.groupingNetwork.description == "8.8.8.0/24")
        let v6 = try #require(intel.lookup("2a00:1450:4001::200e"))
        #expect(v6.country == "IE" && v6.asn == 15169 && v6.kind == nil && v6.provider == nil)
        #expect(v6.groupingNetwork.description == "2a00:1450:4001::/48")
        let home = try #require(intel.lookup("81.2.69.160"))
        #expect(home.country == "GB" && home.asOrganization == "Andrews & Arnold Ltd" && home.kind == .residential)
        #expect(intel.lookup("81.2.69.1")?.kind == nil)
    }

    @Test func unknownAndBadAddresses() throws {
        let intel = try intelligence()
        #expect(intel.lookup("not an address") == nil)
        #expect(intel.lookup("203.0.113.9") == IPInfo(address: IPAddress("203.0.113.9")!))
    }

    @Test func worksWithoutSources() {
        #expect(!IPIntelligence.empty.hasSources)
        #expect(IPIntelligence.empty.lookup("8.8.8.8") == IPInfo(address: IPAddress("8.8.8.8")!))
    }

    @Test func loadsFilesAndNamesTheBadOne() throws {
        let dir = NSTemporaryDirectory() + "hydraguard-intel-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try MMDBWriter.country([(try IPNetwork(parsing: "8.8.8.0/24"), "US")]).write(to: dir + "/c.mmdb")
        try "cidr,kind,provider\n8.8.8.0/24,cdn,X\n".write(toFile: dir + "/r.csv", atomically: true, encoding: .utf8)
        let intel = try IPIntelligence(countryDB: dir + "/c.mmdb", rangeLists: [dir + "/r.csv"])
        #expect(intel.lookup("8.8.8.8")?.country == "US" && intel.lookup("8.8.8.8")?.kind == .cdn)
        #expect {
            try IPIntelligence(asnDB: dir + "/r.csv")
        } throws: { error in (error as? IntelError)?.kind == .badDatabase && "\(error)".contains("r.csv") }
    }

    @Test func aCorruptRecordFailsAtLoad() throws {
        var bytes = try MMDBWriter.country([(try IPNetwork(parsing: "8.8.8.0/24"), "US")]).build()
        let clean = try MMDBReader(bytes: bytes)
        let (offset, _) = try #require(try clean.dataOffset(for: IPAddress(parsing: "8.8.8.8")))
        bytes[offset] = 0x00
        bytes[offset + 1] = 0xF0
        #expect(throws: IntelError.self) { try IPIntelligence(country: try MMDBReader(bytes: bytes, path: "bad.mmdb")) }
    }
}
