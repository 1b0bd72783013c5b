import Testing

@testable import HydraguardIntel

@Suite struct RangeListTests {
    @Test func readsTheSpecLayout() throws {
        let text = [
            "cidr,kind,provider",
            "3.0.0.0/9,datacenter,Amazon",
            #"2001:db8::/32,vpn,"Acme, Inc. ""Secure""""#,
            "192.0.2.0/24,residential,",
            "198.51.100.0/24,tor",
            "",
        ].joined(separator: "\n")
        let entries = try RangeList.parse(text, file: "r.csv")
        #expect(entries.count == 4)
        #expect(
            entries[0]
                == RangeEntry(network: try IPNetwork(parsing: "3.0.0.0/9"), kind: .datacenter, provider: "Amazon")
        )
        #expect(entries[1].provider == "Acme, Inc. \"Secure\"")
        #expect(entries[1].kind == .vpn)
        #expect(entries[2].provider == "")
        #expect(entries[3].provider == "" && entries[3].kind == .tor)
    }

    @Test func findsColumnsByHeaderAndAcceptsCRLF() throws {
        let text = "provider,cidr,kind,extra\r\nCloudflare,104.16.0.0/13,cdn,x\r\n"
        let entries = try RangeList.parse(text, file: "r.csv")
        #expect(
            entries == [
                RangeEntry(network: try IPNetwork(parsing: "104.16.0.0/13"), kind: .cdn, provider: "Cloudflare")
            ]
        )
    }

    @Test func errorsNameFileLineAndField() {
        func failure(_ text: String) -> IntelError? {
            do {
                _ = try RangeList.parse(text, file: "ranges.csv")
                return nil
            } catch { return error }
        }
        let badKind = failure("cidr,kind,provider\n10.0.0.0/8,hosting,X\n")
        #expect(badKind?.file == "ranges.csv" && badKind?.line == 2 && badKind?.field == "kind")
        #expect(badKind?.description.contains("\"hosting\"") == true)
        let badCIDR = failure("cidr,kind,provider\n\n10.0.0.0/8,vpn,\n10.0.0.0/40,vpn,X\n")
        #expect(badCIDR?.line == 4 && badCIDR?.field == "cidr")
        #expect(badCIDR?.description.contains("10.0.0.0/40") == true)
        let missing = failure("cidr,kind,provider\n10.0.0.0/8\n")
        #expect(missing?.line == 2 && missing?.field == "kind")
        let header = failure("network,type\n10.0.0.0/8,vpn\n")
        #expect(header?.line == 1 && header?.field == "(header)")
        let quote = failure("cidr,kind,provider\n10.0.0.0/8,vpn,\"open\n")
        #expect(quote?.line == 2 && quote?.kind == .badRangeList)
        #expect(failure("")?.kind == .badRangeList)
    }

    @Test func writesWhatItReads() throws {
        let entries = [
            RangeEntry(network: try IPNetwork(parsing: "3.0.0.0/9"), kind: .datacenter, provider: "Amazon"),
            RangeEntry(network: try IPNetwork(parsing: "2a00::/12"), kind: .mobile, provider: "Tel, \"Mobile\""),
            RangeEntry(network: try IPNetwork(parsing: "10.0.0.0/8"), kind: .business, provider: " padded "),
            RangeEntry(network: try IPNetwork(parsing: "10.9.0.0/16"), kind: .bot, provider: ""),
        ]
        let text = RangeList.encode(entries)
        #expect(text.hasPrefix("cidr,kind,provider\n3.0.0.0/9,datacenter,Amazon\n"))
        #expect(try RangeList.parse(text) == entries)
    }

    @Test func readsAndWritesFiles() throws {
        let path = "/tmp/hydraguard-rangelist-\(UInt32.random(in: 0...UInt32.max)).csv"
        let entries = [RangeEntry(network: try IPNetwork(parsing: "198.51.100.0/24"), kind: .proxy, provider: "P")]
        try RangeList.write(entries, to: path)
        #expect(try RangeList.read(path: path) == entries)
        #expect(throws: IntelError.self) { try RangeList.read(path: path + ".missing") }
    }
}
