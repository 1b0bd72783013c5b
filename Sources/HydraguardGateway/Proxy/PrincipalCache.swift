import HydraguardStore
import NIOCore
import Synchronization

/// Key id -> principal (key, account, org, verdict) for `ttl` seconds, so that a request costs no
/// database read; admin changes invalidate at once, CLI changes within `ttl`.
final class PrincipalCache: Sendable {
    private struct Entry {
        var principal: Principal
        var expires: Double
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let store: Store
    private let ttl: Double
    private let clock: GatewayClock

    init(store: Store, ttl: Double = 1, clock: GatewayClock = .system) {
        self.store = store
        self.ttl = ttl
        self.clock = clock
    }

    /// The cached principal, if it is fresh: the request path's lookup, on the caller's thread.
    func cached(keyID: String) -> Principal? {
        let now = clock.now()
        guard let hit = entries.withLock({ $0[keyID] }), hit.expires > now else { return nil }
        return hit.principal
    }

    /// ``principal(keyID:)`` as a future on `loop`, for a key that is not cached.
    func load(keyID: String, on loop: any EventLoop) -> EventLoopFuture<Principal?> {
        loop.makeFutureWithTask { try await self.principal(keyID: keyID) }
    }

    func principal(keyID: String) async throws -> Principal? {
        let now = clock.now()
        if let hit = cached(keyID: keyID) { return hit }
        guard let principal = try await store.principalAsync(keyID: keyID) else {
            entries.withLock { _ = $0.removeValue(forKey: keyID) }
            return nil
        }
        entries.withLock { cache in
            if cache.count > 100_000 { cache.removeAll() }
            cache[keyID] = Entry(principal: principal, expires: now + ttl)
        }
        return principal
    }

    func invalidateAll() { entries.withLock { $0.removeAll() } }
}
