import Foundation
import HTTPTypes
@testable import HydraguardGateway
import HydraguardStore
import NIOCore
import Testing

@Suite struct AuthFailureGuardTests {
    /// A wait to the millisecond.
    static func seconds(_ wait: Double?) -> Double? { wait.map { ($0 * 1000).rounded() / 1000 } }

    @Test func aPrefixIsLockedOutOnceItsFailuresAreSpentAndLetBackAsTheyRefill() {
        let clock = GatewayClock.manual(start: 1_800_000_000)
        let failures = AuthFailureGuard(perMinute: 3, clock: clock)
        #expect(failures.lockedOut("203.0.113.0/24") == nil)
        for _ in 0..<2 { failures.recordFailure("203.0.113.0/24") }
        #expect(failures.lockedOut("203.0.113.0/24") == nil)
        failures.recordFailure("203.0.113.0/24")
        // Three a minute: the next is allowed 20 s on.
        #expect(Self.seconds(failures.lockedOut("203.0.113.0/24")) == 20)
        #expect(failures.lockedOut("198.51.100.0/24") == nil)
        clock.advance(by: 15)
        #expect(Self.seconds(failures.lockedOut("203.0.113.0/24")) == 5)
        clock.advance(by: 5)
        #expect(failures.lockedOut("203.0.113.0/24") == nil)
        // A failure more spends the token that came back; a long wait refills no more than three.
        failures.recordFailure("203.0.113.0/24")
        #expect(Self.seconds(failures.lockedOut("203.0.113.0/24")) == 20)
        clock.advance(by: 3600)
        for _ in 0..<2 { failures.recordFailure("203.0.113.0/24") }
        #expect(failures.lockedOut("203.0.113.0/24") == nil)
        failures.recordFailure("203.0.113.0/24")
        #expect(failures.lockedOut("203.0.113.0/24") != nil)
    }

    @Test func turnedOffItNeverLocksOut() {
        let failures = AuthFailureGuard(perMinute: 0, clock: .manual(start: 1_800_000_000))
        for _ in 0..<1000 { failures.recordFailure("203.0.113.0/24") }
        #expect(failures.lockedOut("203.0.113.0/24") == nil)
        #expect(failures.trackedCount == 0)
    }

    @Test func atCapacityRefilledPrefixesAreForgottenFirst() {
        let clock = GatewayClock.manual(start: 1_800_000_000)
        let failures = AuthFailureGuard(perMinute: 1, clock: clock, capacity: 2)
        failures.recordFailure("a")
        clock.advance(by: 61)  // a has refilled
        failures.recordFailure("b")
        failures.recordFailure("c")  // a is forgotten, b (locked out) is kept
        #expect(failures.trackedCount == 2)
        #expect(failures.lockedOut("b") != nil)
        #expect(failures.lockedOut("c") != nil)
        #expect(failures.lockedOut("a") == nil)
    }

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
