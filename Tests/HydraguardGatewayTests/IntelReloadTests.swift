import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HydraguardGateway

/// Reloading the address intelligence while the gateway runs (SIGHUP, `POST /admin/intel/reload`).
@Suite struct IntelReloadTests {
    /// A fresh directory for one test's range list.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hg-intel-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    @Test func aReloadPutsTheNewRangesInForceAndABadFileChangesNothing() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ranges = dir.appendingPathComponent("ranges.csv")
        try Self.write("cidr,kind,provider\n203.0.113.0/24,vpn,ExampleVPN\n", to: ranges)
        try await GatewayFixture.run(configure: { config in
            config.trustedProxies = [CIDR("127.0.0.1")!]
            config.tiers[.card]!.anonymizers = .deny
            config.intel = IntelConfig(ipRanges: [ranges.path])
        }) { (f: GatewayFixture) async throws in
            let gateway = Gateway(
                config: f.gateway.config, store: f.store, httpClient: .shared, logger: f.gateway.logger,
                clock: .manual(start: 1_800_000_000), intel: try f.gateway.config.intel.open(), cacheSeconds: 0)
            try await buildGatewayApplication(gateway).test(.live) { client in
                func status(from ip: String) async throws -> HTTPResponse.Status {
                    try await client.execute(
                        uri: "/v1/messages", method: .post,
                        headers: [HTTPField.Name("x-api-key")!: f.secrets["card"]!, HTTPField.Name("x-forwarded-for")!: ip],
                        body: GatewayFixture.anthropicBody()) { $0.status }
                }
                #expect(try await status(from: "203.0.113.5") == .forbidden)
                #expect(try await status(from: "192.0.2.1") == .ok)

                // The file changes: nothing moves until the reload (both addresses' facts are cached).
                try Self.write("cidr,kind,provider\n192.0.2.0/24,vpn,OtherVPN\n203.0.113.0/24,residential,\n", to: ranges)
                #expect(try await status(from: "203.0.113.5") == .forbidden)
                #expect(try await status(from: "192.0.2.1") == .ok)

                let reload = try await gateway.reloadIntelligence()
                #expect(reload == IntelReload(files: [ranges.path], ranges: 2))
                #expect(try await status(from: "203.0.113.5") == .ok)
                #expect(try await status(from: "192.0.2.1") == .forbidden)

                // A file that cannot be read: the error names it and its line; the ranges in force stay.
                try Self.write("cidr,kind,provider\n192.0.2.0/24,vpn,OtherVPN\n198.51.100.0/24,hosting,X\n", to: ranges)
                do {
                    _ = try await gateway.reloadIntelligence()
                    Issue.record("a range list with an unknown kind was loaded")
                } catch let error as IntelReloadError {
                    guard case .unreadable(let message) = error else {
                        Issue.record("expected unreadable, got \(error)")
                        return
                    }
                    #expect(message.contains(ranges.path + ":3"), "\(message)")
                }
                #expect(try await status(from: "192.0.2.1") == .forbidden)
                #expect(try await status(from: "203.0.113.5") == .ok)

                // A missing file is named too.
                try FileManager.default.removeItem(at: ranges)
                await #expect(throws: IntelReloadError.self) { try await gateway.reloadIntelligence() }
                #expect(try await status(from: "192.0.2.1") == .forbidden)

                let metrics = gateway.metrics.render()
                #expect(metrics.contains("hydraguard_intel_reloads_total 1"), "\(metrics)")
                #expect(metrics.contains("hydraguard_intel_reload_failures_total 2"), "\(metrics)")
            }
        }
    }

    @Test func aLookupBegunBeforeAReloadIsNotRememberedAfterIt() {
        let old = RangeTableIntelligence([(CIDR("192.0.2.0/24")!, AddressInfo(kind: "vpn"))])
        let cache = AddressCache(intel: old)
        let (intel, generation) = cache.intelligence()
        let stale = AddressFacts(address: GatewayAddress("192.0.2.1"), info: intel!.lookup("192.0.2.1"), limitPrefix: nil)
        #expect(stale.info.kind == "vpn")
        cache.replace(RangeTableIntelligence([]))
        cache.remember("192.0.2.1", stale, generation: generation)
        #expect(cache.facts("192.0.2.1") == nil)
        // Remembered under the generation in force, and forgotten by the next replacement.
        let current = cache.intelligence()
        cache.remember("192.0.2.1", AddressFacts(address: nil, info: AddressInfo(), limitPrefix: nil), generation: current.generation)
        #expect(cache.facts("192.0.2.1") != nil)
        cache.replace(nil)
        #expect(cache.facts("192.0.2.1") == nil)
        #expect(cache.intelligence().intel == nil)
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    @Test func theAdminRouteReloadsOrSaysWhyNot() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ranges = dir.appendingPathComponent("ranges.csv")
        try Self.write("cidr,kind,provider\n203.0.113.0/24,vpn,ExampleVPN\n", to: ranges)
        let auth: HTTPFields = [.authorization: "Bearer t"]
        try await GatewayFixture.run(configure: { config in
            config.admin.token = "t"
            config.intel = IntelConfig(ipRanges: [ranges.path])
        }) { (f: GatewayFixture) async throws in
            try await buildAdminApplication(f.gateway).test(.router) { client in
                #expect(try await client.execute(uri: "/admin/intel/reload", method: .post) { $0.status } == .unauthorized)
                let ok = try await client.execute(uri: "/admin/intel/reload", method: .post, headers: auth) { $0 }
                #expect(ok.status == .ok)
                #expect(Self.json(ok)["ranges"] as? Int == 1)
                #expect(Self.json(ok)["files"] as? [String] == [ranges.path])
                #expect(f.gateway.intel?.lookup("203.0.113.9").kind == "vpn")

                try Self.write("cidr,kind\n203.0.113.0/33,vpn\n", to: ranges)
                let bad = try await client.execute(uri: "/admin/intel/reload", method: .post, headers: auth) { $0 }
                #expect(bad.status == .internalServerError)
                #expect((Self.json(bad)["error"] as? String)?.contains(ranges.path + ":2") == true, "\(Self.json(bad))")
                #expect(f.gateway.intel?.lookup("203.0.113.9").kind == "vpn")
            }
        }
        try await GatewayFixture.run(configure: { $0.admin.token = "t" }) { (f: GatewayFixture) async throws in
            try await buildAdminApplication(f.gateway).test(.router) { client in
                let none = try await client.execute(uri: "/admin/intel/reload", method: .post, headers: auth) { $0 }
                #expect(none.status == .conflict)
                #expect((Self.json(none)["error"] as? String)?.contains("intel.ip_ranges") == true)
            }
            await #expect(throws: IntelReloadError.notConfigured) { try await f.gateway.reloadIntelligence() }
        }
    }
}
