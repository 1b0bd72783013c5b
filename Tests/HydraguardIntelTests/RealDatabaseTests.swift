import Foundation
import Testing

@testable import HydraguardIntel

/// Checks the reader on DB-IP's real databases, when they have been fetched (see DATA.md: they live in
/// `.cache/dbip/` and are never committed). Skipped when the files are absent, as they are in CI.
@Suite struct RealDatabaseTests {
    static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["HYDRAGUARD_DBIP_DIR"] { return dir }
        // Tests/HydraguardIntelTests/RealDatabaseTests.swift -> package root
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".cache/dbip").path
    }()
    static let country = directory + "/dbip-country-lite.mmdb"
    static let asn = directory + "/dbip-asn-lite.mmdb"
    static let present = FileManager.default.fileExists(atPath: country) && FileManager.default.fileExists(atPath: asn)

    @Test(.enabled(if: present, "DB-IP databases not in .cache/dbip (see DATA.md)"))
    func wellKnownAddresses() throws {
        // The readers directly: the facade's load (every record decoded) is slow in a debug build.
        let country = try MMDBReader(path: Self.country)
        let asn = try MMDBReader(path: Self.asn)
        #expect(country.metadata.databaseType.contains("Country"))
        let google = try IPAddress(parsing: "8.8.8.8")
        #expect(try country.countryCode(for: google) == "US")
        let system = try asn.autonomousSystem(for: google)
        #expect(system?.number == 15169 && system?.organization == "Google LLC")
        #expect(try asn.autonomousSystem(for: IPAddress(parsing: "1.1.1.1"))?.number == 13335)
        #expect(try asn.autonomousSystem(for: IPAddress(parsing: "2001:4860:4860::8888"))?.number == 15169)
        #expect(try asn.autonomousSystem(for: IPAddress(parsing: "10.0.0.1")) == nil)
    }

    /// Our answers match libmaxminddb's on a spread of addresses of both families.
    @Test(.enabled(if: present && MMDBWriterTests.mmdblookup != nil, "needs the DB-IP files and mmdblookup"))
    func agreesWithTheReferenceReader() throws {
        let country = try MMDBReader(path: Self.country)
        let asn = try MMDBReader(path: Self.asn)
        var rng = SplitMix(seed: 7)
        var probes = ["8.8.8.8", "1.1.1.1", "81.2.69.160", "2001:4860:4860::8888", "2a03:2880:f10c:83:face:b00c::25de"]
        for _ in 0..<15 { probes.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())).description) }
        for _ in 0..<10 {
            probes.append(
                IPAddress(value: UInt128(0x2000 | rng.next() % 0x1000) << 112 | UInt128(rng.next())).description
            )
        }
        for ip in probes {
            let address = try IPAddress(parsing: ip)
            let code = try country.countryCode(for: address)
            let reference = try run(
                MMDBWriterTests.mmdblookup!,
                ["--file", Self.country, "--ip", ip, "country", "iso_code"]
            )
            if let code {
                #expect(reference.contains("\"\(code)\" <utf8_string>"), "\(ip): \(reference)")
            } else {
                #expect(!reference.contains("<utf8_string>"), "\(ip): \(reference)")
            }
            let system = try asn.autonomousSystem(for: address)
            let asnReference = try run(
                MMDBWriterTests.mmdblookup!,
                ["--file", Self.asn, "--ip", ip, "autonomous_system_number"]
            )
            if let system {
                #expect(asnReference.contains("\(system.number) <uint32>"), "\(ip): \(asnReference)")
            } else {
                #expect(!asnReference.contains("<uint32>"), "\(ip): \(asnReference)")
            }
        }
    }
}
