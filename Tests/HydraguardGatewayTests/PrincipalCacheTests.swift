import Foundation
@testable import HydraguardGateway
import HydraguardStore
import Synchronization
import Testing

@Suite struct PrincipalCacheTests {
    /// A key's principal before and after its revocation, read from a real store.
    static func principals() throws -> (keyID: String, active: Principal, revoked: Principal) {
        let store = try Store(inMemoryWithKeyHashSecret: Data("cache".utf8))
        try store.upsertAccount(AccountRow(id: "acct_cache", tier: .card))
        let created = try store.createKey(accountID: "acct_cache")
        let active = try #require(try store.principal(keyID: created.key.id))
        try store.revokeKey(id: created.key.id)
        let revoked = try #require(try store.principal(keyID: created.key.id))
        #expect(active != revoked)
        return (created.key.id, active, revoked)
    }

    @Test func requestsThatMissTogetherShareOneRead() async throws {
        let (keyID, active, _) = try Self.principals()
        let loader = CountingLoader { _ in active }
        await loader.gate.close()
        let cache = PrincipalCache(ttl: 10, clock: .manual(start: 1_800_000_000), load: loader.load)
        let results = try await withThrowingTaskGroup(of: Principal?.self) { group in
            for _ in 0..<50 { group.addTask { try await cache.principal(keyID: keyID) } }
            try await loader.waitForCalls(1)
            // Time for the other 49 to miss too before the read ends.
            try await Task.sleep(for: .milliseconds(50))
            await loader.gate.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0 == active })
        #expect(loader.calls == 1)
    }

    @Test func anEntryPastThreeQuartersOfItsLifetimeIsReadAgainWhileItIsServed() async throws {
        let (keyID, active, revoked) = try Self.principals()
        // The first read finds the key active, later ones revoked (as after `hydraguard keys revoke`).
        let loader = CountingLoader { call in call == 1 ? active : revoked }
        let clock = GatewayClock.manual(start: 1_800_000_000)
        let cache = PrincipalCache(ttl: 1, clock: clock, load: loader.load)
        #expect(try await cache.principal(keyID: keyID) == active)
        clock.advance(by: 0.7)
        #expect(cache.cached(keyID: keyID) == .some(active))
        try await Task.sleep(for: .milliseconds(20))
        #expect(loader.calls == 1)
        clock.advance(by: 0.1)
        // Past three quarters of its lifetime: still served, and read again behind it.
        #expect(cache.cached(keyID: keyID) == .some(active))
        try await loader.waitForCalls(2)
        // Past the first entry's lifetime, the one read at 0.8 s answers, with no wait for the store.
        clock.advance(by: 0.4)
        let refreshed = try await eventually { cache.cached(keyID: keyID) }
        #expect(refreshed == .some(revoked))
    }

    @Test func anInvalidationIsNotUndoneByAReadThatBeganBeforeIt() async throws {
        let (keyID, active, revoked) = try Self.principals()
        let loader = CountingLoader(gatedCalls: [1]) { call in call == 1 ? active : revoked }
        await loader.gate.close()
        let cache = PrincipalCache(ttl: 10, clock: .manual(start: 1_800_000_000), load: loader.load)
        let early = Task { try await cache.principal(keyID: keyID) }
        try await loader.waitForCalls(1)
        cache.invalidateAll()
        // A lookup after the invalidation reads again rather than joining the read from before it.
        #expect(try await cache.principal(keyID: keyID) == revoked)
        #expect(loader.calls == 2)
        await loader.gate.open()
        #expect(try await early.value == active)
        #expect(cache.cached(keyID: keyID) == .some(revoked))
    }

    @Test func aKeyTheStoreDoesNotHaveIsRememberedAsUnknownForTheLifetime() async throws {
        let loader = CountingLoader { _ in nil }
        let clock = GatewayClock.manual(start: 1_800_000_000)
        let cache = PrincipalCache(ttl: 1, clock: clock, load: loader.load)
        #expect(try await cache.principal(keyID: "key_missing") == nil)
        #expect(try await cache.principal(keyID: "key_missing") == nil)
        #expect(loader.calls == 1)
        #expect(cache.cached(keyID: "key_missing") == .some(nil))
        #expect(cache.cached(keyID: "key_other") == nil)
        clock.advance(by: 1.5)
        #expect(cache.cached(keyID: "key_missing") == nil)
        #expect(try await cache.principal(keyID: "key_missing") == nil)
        #expect(loader.calls == 2)
    }

    @Test func aFailedReadIsReportedAndNotCached() async throws {
        let (keyID, active, _) = try Self.principals()
        let loader = CountingLoader { call in
            if call == 1 { throw CocoaError(.fileReadUnknown) }
            return active
        }
        let cache = PrincipalCache(ttl: 10, clock: .manual(start: 1_800_000_000), load: loader.load)
        await #expect(throws: CocoaError.self) { try await cache.principal(keyID: keyID) }
        #expect(cache.cached(keyID: keyID) == nil)
        #expect(try await cache.principal(keyID: keyID) == active)
        #expect(loader.calls == 2)
    }

    @Test func withoutALifetimeEveryLookupReadsTheStore() async throws {
        let (keyID, active, revoked) = try Self.principals()
        let loader = CountingLoader { call in call == 1 ? active : revoked }
        let cache = PrincipalCache(ttl: 0, clock: .manual(start: 1_800_000_000), load: loader.load)
        #expect(try await cache.principal(keyID: keyID) == active)
        #expect(cache.cached(keyID: keyID) == nil)
        #expect(try await cache.principal(keyID: keyID) == revoked)
        #expect(loader.calls == 2)
    }

    /// Polls `value` until it is non-nil, for up to five seconds.
    private func eventually<T>(_ value: () -> T?) async throws -> T? {
        for _ in 0..<500 {
            if let v = value() { return v }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}

/// A store read that counts its calls and can be held at a gate.
private final class CountingLoader: Sendable {
    let gate = Gate()
    private let count = Mutex(0)
    private let gatedCalls: Set<Int>?
    private let answer: @Sendable (Int) throws -> Principal?

    /// `gatedCalls`: the calls (from 1) that wait at the gate; nil for all of them.
    init(gatedCalls: Set<Int>? = nil, answer: @escaping @Sendable (Int) throws -> Principal?) {
        self.gatedCalls = gatedCalls
        self.answer = answer
    }

    var calls: Int { count.withLock { $0 } }

    var load: PrincipalCache.Loader {
        { _ in
            let call = self.count.withLock { n in
                n += 1
                return n
            }
            if self.gatedCalls?.contains(call) ?? true { await self.gate.pass() }
            return try self.answer(call)
        }
    }

    func waitForCalls(_ n: Int) async throws {
        for _ in 0..<500 where calls < n { try await Task.sleep(for: .milliseconds(10)) }
        try #require(calls >= n)
    }
}

/// Open unless closed; `pass()` waits while it is closed.
private actor Gate {
    private var isOpen = true
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func close() { isOpen = false }

    func open() {
        isOpen = true
        for w in waiting { w.resume() }
        waiting.removeAll()
    }

    func pass() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }
}
