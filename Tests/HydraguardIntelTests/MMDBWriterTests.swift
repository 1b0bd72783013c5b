import Foundation
import Testing

@testable import HydraguardIntel

@Suite struct MMDBWriterTests {
    static let networks: [(String, String)] = [
        ("8.8.8.0/24", "US"),
        ("8.0.0.0/8", "CA"),
        ("81.2.69.0/24", "GB"),
        ("0.0.0.0/1", "ZZ"),
        ("2001:db8::/32", "DE"),
        ("2001:db8:1::/48", "FR"),
        ("2a00::/12", "NL"),
    ]

    func countryWriter(recordSize: Int? = nil) throws -> MMDBWriter {
        var writer = MMDBWriter.country(try Self.networks.map { (try IPNetwork(parsing: $0.0), $0.1) })
        writer.recordSize = recordSize
        return writer
    }

    @Test(arguments: [24, 28, 32])
    func roundTripsCountriesAtEveryRecordSize(recordSize: Int) throws {
        let reader = try MMDBReader(bytes: try countryWriter(recordSize: recordSize).build())
        #expect(reader.metadata.recordSize == recordSize)
        #expect(reader.metadata.ipVersion == 6)
        #expect(reader.metadata.databaseType == "GeoLite2-Country")
        #expect(reader.metadata.languages == ["en"])
        let expected: [(String, String?)] = [
            ("8.8.8.8", "US"), ("8.8.9.1", "CA"), ("8.255.255.255", "CA"), ("81.2.69.160", "GB"),
            ("1.1.1.1", "ZZ"), ("127.255.255.255", "ZZ"), ("128.0.0.0", nil), ("200.1.1.1", nil),
            ("::ffff:8.8.8.8", "US"), ("2001:db8::1", "DE"), ("2001:db8:1::1", "FR"), ("2001:db8:2::1", "DE"),
            ("2a0f:ffff::1", "NL"), ("2a10::1", nil),
            ("::1", "ZZ"),  // ::/96 is the IPv4 subtree: ::1 reads as 0.0.0.1, as in libmaxminddb
        ]
        for (text, country) in expected {
            #expect(try reader.countryCode(for: IPAddress(parsing: text)) == country, "\(text)")
        }
    }

    @Test func roundTripsAnASNDatabaseAndWholeRecords() throws {
        let writer = MMDBWriter.asn([
            (try IPNetwork(parsing: "8.8.8.0/24"), 15169, "Google LLC"),
            (try IPNetwork(parsing: "2606:4700::/32"), 13335, "Cloudflare, Inc."),
        ])
        let reader = try MMDBReader(bytes: try writer.build())
        let google = try reader.autonomousSystem(for: IPAddress(parsing: "8.8.8.8"))
        #expect(google?.number == 15169 && google?.organization == "Google LLC")
        let cloudflare = try reader.autonomousSystem(for: IPAddress(parsing: "2606:4700::1111"))
        #expect(cloudflare?.number == 13335 && cloudflare?.organization == "Cloudflare, Inc.")
        #expect(try reader.autonomousSystem(for: IPAddress(parsing: "9.9.9.9")) == nil)
        #expect(try reader.countryCode(for: IPAddress(parsing: "8.8.8.8")) == nil)
        #expect(
            try reader.record(for: IPAddress(parsing: "8.8.8.8"))
                == ["autonomous_system_number": .uint32(15169), "autonomous_system_organization": "Google LLC"]
        )
    }

    @Test func encodesEveryValueType() throws {
        let long = String(repeating: "x", count: 70_000)
        let value: MMDBValue = [
            "string": "héllo", "empty": "", "long": .string(long),
            "medium": .string(String(repeating: "y", count: 300)),
            "double": .double(-1.5), "float": .float(0.25), "bytes": .bytes([0, 1, 255]), "u16": .uint16(65535),
            "u32": .uint32(0), "u64": .uint64(UInt64.max), "u128": .uint128(UInt128.max - 1), "i32": .int32(-7),
            "true": true, "false": false, "array": ["a", ["nested": .uint32(1)]],
            "registered_country": ["iso_code": "SE"],
        ]
        var writer = MMDBWriter(databaseType: "test", description: "all types")
        writer.insert(try IPNetwork(parsing: "192.0.2.0/24"), value)
        let reader = try MMDBReader(bytes: try writer.build())
        #expect(try reader.record(for: IPAddress(parsing: "192.0.2.1")) == value)
        // Falls back to registered_country when country is absent.
        #expect(try reader.countryCode(for: IPAddress(parsing: "192.0.2.1")) == "SE")
    }

    @Test func storesEachDistinctRecordOnce() throws {
        var many = MMDBWriter(databaseType: "t", description: "t")
        for i in 0..<200 {
            many.insert(
                IPNetwork(address: IPAddress(ipv4: UInt32(i) << 8), prefixLength: 24),
                ["country": ["iso_code": "US"]]
            )
        }
        let manyBytes = try many.build()
        let manyReader = try MMDBReader(bytes: manyBytes)
        let key = Array("iso_code".utf8)
        let occurrences = (0...(manyBytes.count - key.count)).filter { Array(manyBytes[$0..<($0 + key.count)]) == key }
        #expect(occurrences.count == 1)
        let a = try manyReader.dataOffset(for: IPAddress(parsing: "0.0.5.1"))
        let b = try manyReader.dataOffset(for: IPAddress(parsing: "0.0.199.1"))
        #expect(a != nil && a?.offset == b?.offset && a?.prefixLength == 24)
    }

    @Test func refusesNetworksItCannotPlace() throws {
        var writer = MMDBWriter(databaseType: "t", description: "t")
        writer.insert(try IPNetwork(parsing: "::1/128"), "x")
        #expect(throws: IntelError.self) { try writer.build() }
        var tooSmall = try countryWriter(recordSize: 24)
        for i in 0..<10 {
            tooSmall.insert(IPNetwork(address: IPAddress(ipv4: UInt32(i) << 12), prefixLength: 20), .string("\(i)"))
        }
        #expect(throws: Never.self) { try tooSmall.build() }
    }

    static let mmdblookup = ["/usr/bin/mmdblookup", "/usr/local/bin/mmdblookup"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Checks our files against libmaxminddb, the reference reader (Debian `mmdb-bin`; skipped without it).
    @Test(.enabled(if: mmdblookup != nil, "mmdblookup (Debian mmdb-bin) is not installed"), arguments: [24, 28, 32])
    func referenceReaderAgrees(recordSize: Int) throws {
        let path = NSTemporaryDirectory() + "hydraguard-country-\(recordSize)-\(UInt32.random(in: 0...UInt32.max)).mmdb"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try countryWriter(recordSize: recordSize).write(to: path)
        let cases: [(String, String?)] = [
            ("8.8.8.8", "US"), ("8.1.1.1", "CA"), ("81.2.69.160", "GB"), ("1.1.1.1", "ZZ"), ("200.1.1.1", nil),
            ("::ffff:8.8.8.8", "US"), ("2001:db8:1::1", "FR"), ("2001:db8::1", "DE"), ("2a00::1", "NL"),
            ("3000::1", nil),
        ]
        for (ip, expected) in cases {
            let output = try run(Self.mmdblookup!, ["--file", path, "--ip", ip, "country", "iso_code"])
            if let expected {
                #expect(output.contains("\"\(expected)\" <utf8_string>"), "\(ip): \(output)")
            } else {
                #expect(output.contains("Could not find an entry"), "\(ip): \(output)")
            }
        }
        let metadata = try run(Self.mmdblookup!, ["--file", path, "--verbose", "--ip", "8.8.8.8"])
        #expect(metadata.contains(try Regex("Record size:\\s+\(recordSize) bits")), "\(metadata)")
        #expect(metadata.contains(try Regex("Build epoch:\\s+1767225600")), "\(metadata)")
    }

    @Test(.enabled(if: mmdblookup != nil, "mmdblookup (Debian mmdb-bin) is not installed"))
    func referenceReaderReadsASNRecords() throws {
        let path = NSTemporaryDirectory() + "hydraguard-asn-\(UInt32.random(in: 0...UInt32.max)).mmdb"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try MMDBWriter.asn([(try IPNetwork(parsing: "2606:4700::/32"), 13335, "Cloudflare, Inc.")]).write(to: path)
        let number = try run(Self.mmdblookup!, ["--file", path, "--ip", "2606:4700::1", "autonomous_system_number"])
        #expect(number.contains("13335 <uint32>"))
        let organization = try run(
            Self.mmdblookup!,
            ["--file", path, "--ip", "2606:4700::1", "autonomous_system_organization"]
        )
        #expect(organization.contains("\"Cloudflare, Inc.\" <utf8_string>"))
    }
}

/// Runs a program and returns its standard output and error together.
func run(_ program: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
