import Foundation
import HTTPTypes
@testable import HydraguardGateway
import HydraguardStore
import NIOCore
import Testing

/// Failed authentications per address prefix, counted in the limiter: a network that keeps failing has
/// keys the cache does not hold refused instead of read.
@Suite struct FailedAuthenticationTests {
    /// Keys well formed for the gateway but held by another store: unknown to the gateway's.
    static func unknownSecrets(_ n: Int) throws -> [String] {
        let other = try Store(inMemoryWithKeyHashSecret: Data("elsewhere".utf8))
        try other.upsertAccount(AccountRow(id: "acct_x", tier: .card))
        return try (0..<n).map { _ in try other.createKey(accountID: "acct_x").secret }
    }

    @Test func aNetworkThatKeepsFailingIsRefusedUnknownKeysButKeepsItsWorkingOnes() async throws {
        let clock = GatewayClock.manual(start: 1_800_000_000)
        let unknown = try Self.unknownSecrets(5)
        try await GatewayFixture.run(clock: clock, cacheSeconds: 10, configure: { $0.perPrefixFailedAuthPerMinute = 3 }) {
            (f: GatewayFixture) async throws in
            let body = GatewayFixture.anthropicBody()
            #expect(try await f.messages(f.secrets["card"], body).status == .ok)
            for secret in unknown.prefix(3) { #expect(try await f.messages(secret, body).status == .unauthorized) }
            let refused = try await f.messages(unknown[3], body)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[HTTPField.Name("retry-after")!] == "20")
            let error = try JSONSerialization.jsonObject(with: Data(buffer: refused.body)) as? [String: Any]
            let detail = error?["error"] as? [String: Any]
            #expect(detail?["type"] as? String == "rate_limit_error")
            #expect((detail?["message"] as? String)?.contains("failed authentications") == true)
            // A key in use (cached) still works; one not yet read is refused with the unknown ones.
            #expect(try await f.messages(f.secrets["card"], body).status == .ok)
            #expect(try await f.chat(f.secrets["enterprise"], GatewayFixture.openAIBody()).status == .tooManyRequests)
            // A wrong secret for a key in use is still answered 401 (and counted).
            #expect(try await f.messages(f.secrets["card"]! + "x", body).status == .unauthorized)
            clock.advance(by: 20)
            #expect(try await f.chat(f.secrets["enterprise"], GatewayFixture.openAIBody()).status == .ok)
            #expect(try await f.messages(unknown[4], body).status == .unauthorized)
            #expect(try await f.chat(f.secrets["free"], GatewayFixture.openAIBody()).status == .tooManyRequests)
            let records = try f.records()
            #expect(records.filter { $0.status == 429 }.count == 3)
            #expect(records.filter { $0.status == 401 }.count == 5)
        }
    }

    @Test func turnedOffUnknownKeysAreAlwaysRead() async throws {
        let unknown = try Self.unknownSecrets(8)
        try await GatewayFixture.run(configure: { $0.perPrefixFailedAuthPerMinute = 0 }) { (f: GatewayFixture) async throws in
            for secret in unknown {
                #expect(try await f.messages(secret, GatewayFixture.anthropicBody()).status == .unauthorized)
            }
        }
    }
}
