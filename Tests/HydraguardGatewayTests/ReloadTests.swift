import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HydraguardGateway

/// Reloading the config and the address intelligence while the gateway runs (SIGHUP, `POST /admin/reload`).
@Suite struct ReloadTests {
    /// A fresh directory for one test's range list.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hg-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    /// The status of a card-tier request that comes, by a trusted proxy's `x-forwarded-for`, from `ip`.
    static func status(_ client: any TestClientProtocol, secret: String, from ip: String) async throws -> HTTPResponse.Status {
        try await client.execute(
            uri: "/v1/messages", method: .post,
            headers: [HTTPField.Name("x-api-key")!: secret, HTTPField.Name("x-forwarded-for")!: ip],
            body: GatewayFixture.anthropicBody()) { $0.status }
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
                    try await Self.status(client, secret: f.secrets["card"]!, from: ip)
                }
                #expect(try await status(from: "203.0.113.5") == .forbidden)
                #expect(try await status(from: "192.0.2.1") == .ok)

                // The file changes: nothing moves until the reload (both addresses' facts are cached).
                try Self.write("cidr,kind,provider\n192.0.2.0/24,vpn,OtherVPN\n203.0.113.0/24,residential,\n", to: ranges)
                #expect(try await status(from: "203.0.113.5") == .forbidden)
                #expect(try await status(from: "192.0.2.1") == .ok)

                let reload = try await gateway.reload()
                #expect(reload == Reload(configFile: nil, changed: [], intelFiles: [ranges.path], ranges: 2))
                #expect(try await status(from: "203.0.113.5") == .ok)
                #expect(try await status(from: "192.0.2.1") == .forbidden)

                // A file that cannot be read: the error names it and its line; the ranges in force stay.
                try Self.write("cidr,kind,provider\n192.0.2.0/24,vpn,OtherVPN\n198.51.100.0/24,hosting,X\n", to: ranges)
                do {
                    _ = try await gateway.reload()
                    Issue.record("a range list with an unknown kind was loaded")
                } catch let error as ReloadError {
                    guard case .unreadableIntel(let message) = error else {
                        Issue.record("expected unreadable, got \(error)")
                        return
                    }
                    #expect(message.contains(ranges.path + ":3"), "\(message)")
                }
                #expect(try await status(from: "192.0.2.1") == .forbidden)
                #expect(try await status(from: "203.0.113.5") == .ok)

                // A missing file is named too.
                try FileManager.default.removeItem(at: ranges)
                await #expect(throws: ReloadError.self) { try await gateway.reload() }
                #expect(try await status(from: "192.0.2.1") == .forbidden)

                let metrics = gateway.metrics.render()
                #expect(metrics.contains("hydraguard_reloads_total 1"), "\(metrics)")
                #expect(metrics.contains("hydraguard_reload_failures_total 2"), "\(metrics)")
            }
        }
    }

    @Test func aLookupBegunBeforeAReloadIsNotRememberedAfterIt() {
        let old = RangeTableIntelligence([(CIDR("192.0.2.0/24")!, AddressInfo(kind: "vpn"))])
        let cache = AddressCache(intel: old)
        let (intel, generation) = cache.intelligence()
        let stale = AddressFacts(
            address: GatewayAddress("192.0.2.1"), info: intel!.lookup("192.0.2.1"), limitPrefix: nil, fromIntelligence: true)
        #expect(stale.info.kind == "vpn")
        cache.replace(RangeTableIntelligence([]))
        cache.remember("192.0.2.1", stale, generation: generation)
        #expect(cache.facts("192.0.2.1") == nil)
        // Remembered under the generation in force, and forgotten by the next replacement.
        let current = cache.intelligence()
        cache.remember("192.0.2.1", AddressFacts(address: nil, info: AddressInfo(), limitPrefix: nil, fromIntelligence: true), generation: current.generation)
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
                #expect(try await client.execute(uri: "/admin/reload", method: .post) { $0.status } == .unauthorized)
                let ok = try await client.execute(uri: "/admin/reload", method: .post, headers: auth) { $0 }
                #expect(ok.status == .ok)
                #expect(Self.json(ok)["ranges"] as? Int == 1)
                #expect(Self.json(ok)["intel_files"] as? [String] == [ranges.path])
                #expect(Self.json(ok)["config"] is NSNull)
                #expect(f.gateway.intel?.lookup("203.0.113.9").kind == "vpn")

                try Self.write("cidr,kind\n203.0.113.0/33,vpn\n", to: ranges)
                let bad = try await client.execute(uri: "/admin/reload", method: .post, headers: auth) { $0 }
                #expect(bad.status == .unprocessableContent)
                #expect((Self.json(bad)["error"] as? String)?.contains(ranges.path + ":2") == true, "\(Self.json(bad))")
                #expect(f.gateway.intel?.lookup("203.0.113.9").kind == "vpn")
            }
        }
        try await GatewayFixture.run(configure: { $0.admin.token = "t" }) { (f: GatewayFixture) async throws in
            try await buildAdminApplication(f.gateway).test(.router) { client in
                let none = try await client.execute(uri: "/admin/reload", method: .post, headers: auth) { $0 }
                #expect(none.status == .conflict)
                #expect((Self.json(none)["error"] as? String)?.contains("intel.ip_ranges") == true)
            }
            await #expect(throws: ReloadError.nothingToReload) { try await f.gateway.reload() }
        }
    }

    /// A config file for a gateway in front of `upstream`, with `card` as the card tier's lines.
    static func config(upstream: String, ranges: URL, port: Int = 0, card: String) -> String {
        """
        listen: {host: 127.0.0.1, port: \(port)}
        upstream: {url: "\(upstream)", timeout_ms: 30000}
        store: {path: ":memory:", key_hash_secret: fixture}
        trusted_proxies: [127.0.0.1]
        intel: {ip_ranges: ["\(ranges.path)"]}
        tiers:
          card:
        \(card)
        """
    }

    @Test func aReloadPutsTheConfigsTiersAndLimitsInForceAndRefusesTheRest() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ranges = dir.appendingPathComponent("ranges.csv")
        let file = dir.appendingPathComponent("hydraguard.yaml")
        try Self.write("cidr,kind,provider\n203.0.113.0/24,vpn,ExampleVPN\n", to: ranges)
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let upstream = f.gateway.config.upstream.url
            try Self.write(
                Self.config(upstream: upstream, ranges: ranges, card: "    requests_per_minute: 100\n    anonymizers: allow"), to: file)
            let config = try GatewayConfig.load(path: file.path)
            let gateway = Gateway(
                config: config, store: f.store, httpClient: .shared, logger: f.gateway.logger,
                clock: .manual(start: 1_800_000_000), intel: try config.intel.open(), cacheSeconds: 0,
                configPath: file.path)
            try await buildGatewayApplication(gateway).test(.live) { client in
                func status(from ip: String) async throws -> HTTPResponse.Status {
                    try await Self.status(client, secret: f.secrets["card"]!, from: ip)
                }
                #expect(try await status(from: "203.0.113.5") == .ok)

                // The card tier now denies anonymisers: in force after the reload, not before.
                try Self.write(
                    Self.config(upstream: upstream, ranges: ranges, card: "    requests_per_minute: 100\n    anonymizers: deny"),
                    to: file)
                #expect(try await status(from: "203.0.113.5") == .ok)
                let reload = try await gateway.reload()
                #expect(reload == Reload(configFile: file.path, changed: ["tiers"], intelFiles: [ranges.path], ranges: 1))
                #expect(try await status(from: "203.0.113.5") == .forbidden)
                #expect(gateway.currentConfig.tiers[.card]?.anonymizers == .deny)
                #expect(gateway.config.tiers[.card]?.anonymizers == .allow)  // the config at start

                // A tighter limit counts what was already used: three requests were charged, the limit is now 3.
                #expect(try await status(from: "192.0.2.1") == .ok)
                try Self.write(
                    Self.config(upstream: upstream, ranges: ranges, card: "    requests_per_minute: 3\n    anonymizers: deny"),
                    to: file)
                #expect(try await gateway.reload().changed == ["tiers"])
                #expect(try await status(from: "192.0.2.1") == .tooManyRequests)

                // A key that takes a restart: nothing changes, and the error names the key.
                try Self.write(
                    Self.config(
                        upstream: upstream, ranges: ranges, port: 9, card: "    requests_per_minute: 100\n    anonymizers: allow"),
                    to: file)
                await #expect(throws: ReloadError.needsRestart(file: file.path, keys: ["listen"])) { try await gateway.reload() }
                #expect(try await status(from: "192.0.2.1") == .tooManyRequests)
                #expect(gateway.currentConfig.tiers[.card]?.limits.requestsPerMinute == 3)

                // An invalid file: the error names the line and key; nothing changes.
                try Self.write(
                    Self.config(upstream: upstream, ranges: ranges, card: "    requests_per_minute: ten"), to: file)
                do {
                    _ = try await gateway.reload()
                    Issue.record("an invalid config was loaded")
                } catch let error as ReloadError {
                    #expect("\(error)".contains("\(file.path):8: tiers.card.requests_per_minute"), "\(error)")
                }
                #expect(gateway.currentConfig.tiers[.card]?.anonymizers == .deny)

                // Back to the first file: in force again.
                try Self.write(
                    Self.config(upstream: upstream, ranges: ranges, card: "    requests_per_minute: 100\n    anonymizers: allow"),
                    to: file)
                #expect(try await gateway.reload().changed == ["tiers"])
                #expect(try await status(from: "203.0.113.5") == .ok)
            }
        }
    }
}
