import Foundation
import HTTPTypes
import HydraguardGateway
import HydraguardIntel
import HydraguardLog
import Hummingbird
import HummingbirdTesting
import Testing

private func writeIntel() throws -> (IntelConfig, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hg-intel-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try MMDBWriter.country([
        (try IPNetwork(parsing: "198.51.100.0/24"), "KP"), (try IPNetwork(parsing: "203.0.113.0/24"), "de"),
        (try IPNetwork(parsing: "192.0.2.0/24"), "FR"),
    ]).write(to: dir + "/country.mmdb")
    try MMDBWriter.asn([(try IPNetwork(parsing: "203.0.113.0/24"), 64500, "Example VPN Ltd")]).write(to: dir + "/asn.mmdb")
    try "cidr,kind,provider\n203.0.113.0/24,vpn,ExampleVPN\n203.0.113.128/25,residential,\n"
        .write(toFile: dir + "/ranges.csv", atomically: true, encoding: .utf8)
    return (IntelConfig(countryDatabase: dir + "/country.mmdb", asnDatabase: dir + "/asn.mmdb", ipRanges: [dir + "/ranges.csv"]), dir)
}

@Test func mmdbAndRangeListsAreRead() throws {
    let (config, dir) = try writeIntel()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let lookup = try #require(try config.open())
    let vpn = lookup.lookup("203.0.113.5")
    #expect(vpn.country == "DE")
    #expect(vpn.asn == 64500)
    #expect(vpn.asOrganization == "Example VPN Ltd")
    #expect(vpn.kind == "vpn")
    #expect(lookup.lookup("203.0.113.200").kind == "residential")  // the most specific range wins
    #expect(lookup.lookup("198.51.100.1").country == "KP")
    #expect(lookup.lookup("not an address") == AddressInfo())
    #expect(try IntelConfig().open() == nil)
    #expect(throws: (any Error).self) { try IntelConfig(countryDatabase: dir + "/missing.mmdb").open() }
}

@Test func geofencingUsesTheDatabases() async throws {
    let (intelConfig, dir) = try writeIntel()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let lookup = try #require(try intelConfig.open())
    try await GatewayFixture.run(configure: { config in
        config.trustedProxies = [CIDR("127.0.0.1")!]
        config.tiers[.card]!.denyCountries = ["KP"]
        config.tiers[.card]!.anonymizers = .deny
        config.tiers[.card]!.allowAddresses = [CIDR("203.0.113.77")!]
        config.tiers[.enterprise]!.allowCountries = ["FR"]
    }) { (f: GatewayFixture) async throws in
        let gateway = Gateway(
            config: f.gateway.config, store: f.store, httpClient: f.http, logger: f.gateway.logger,
            clock: .manual(start: 1_800_000_000), intel: lookup, cacheSeconds: 0)
        try await buildGatewayApplication(gateway).test(.live) { client in
            func send(_ tier: String, _ ip: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/v1/messages", method: .post,
                    headers: [HTTPField.Name("x-api-key")!: f.secrets[tier]!, HTTPField.Name("x-forwarded-for")!: ip],
                    body: GatewayFixture.anthropicBody()) { $0 }
            }
            #expect(try await send("card", "198.51.100.9").status == .forbidden)
            let vpn = try await send("card", "203.0.113.5")
            #expect(vpn.status == .forbidden)
            #expect(String(buffer: vpn.body).contains("vpn network"))
            #expect(try await send("card", "203.0.113.77").status == .ok)  // allow-listed
            #expect(try await send("card", "192.0.2.1").status == .ok)
            #expect(try await send("enterprise", "192.0.2.1").status == .ok)
            #expect(try await send("enterprise", "198.51.100.9").status == .forbidden)
            let records = try f.store.usage(limit: 10)
            #expect(records.count == 6)
            #expect(records.map(\.ip).contains("198.51.100.9"))
        }
    }
}
