import Testing

@testable import HydraguardIntel

@Suite struct MMDBNetworksTests {
    static func database() throws -> MMDBReader {
        let networks: [(String, String)] = [
            ("1.0.0.0/8", "US"), ("2.16.0.0/12", "DE"), ("5.5.5.0/24", "FR"), ("6.6.6.0/25", "GB"),
            ("2a00::/12", "NL"), ("2001:db8::/48", "JP"),
        ]
        let bytes = try MMDBWriter.country(networks.map { (try! IPNetwork(parsing: $0.0), $0.1) }).build()
        return try MMDBReader(bytes: bytes)
    }

    @Test func listsEachFamilysNetworksInAddressOrderDownToTheLimit() throws {
        let db = try Self.database()
        let v4 = db.networks(ipv4: true, maxPrefixLength: 24)
        #expect(v4.map(\.network.description) == ["1.0.0.0/8", "2.16.0.0/12", "5.5.5.0/24"])
        #expect(try v4.map { try db.countryCode(atOffset: $0.offset) } == ["US", "DE", "FR"])
        // The /25 appears once the limit allows it.
        #expect(db.networks(ipv4: true, maxPrefixLength: 32).map(\.network.description).last == "6.6.6.0/25")
        #expect(db.networks(ipv4: true, maxPrefixLength: 8).map(\.network.description) == ["1.0.0.0/8"])
        // IPv6: no IPv4 network comes back through the aliases of the IPv4 space.
        let v6 = db.networks(ipv4: false, maxPrefixLength: 48)
        #expect(v6.map(\.network.description) == ["2001:db8::/48", "2a00::/12"])
        #expect(db.networks(ipv4: false, maxPrefixLength: 32).map(\.network.description) == ["2a00::/12"])
    }

    @Test func everyListedNetworkAnswersWithItsOwnRecord() throws {
        let db = try Self.database()
        for (network, offset) in db.networks(ipv4: true, maxPrefixLength: 32) + db.networks(ipv4: false, maxPrefixLength: 128) {
            #expect(try db.dataOffset(for: network.address)?.offset == offset)
            #expect(try db.dataOffset(for: network.last)?.offset == offset)
        }
    }
}
