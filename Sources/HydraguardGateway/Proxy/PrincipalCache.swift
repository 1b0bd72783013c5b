import HydraguardStore
import NIOCore
import Synchronization

/// Key id -> principal (key, account, org, verdict) for `ttl` seconds, so that a request costs no
/// database read; admin changes invalidate at once, CLI changes within `ttl`.
///
/// A key in use is read again in the background once its entry is three quarters of its lifetime old
/// (a key used less often than that is read no more often than before), so that steady traffic never
/// waits for the store; requests that miss together share one read (with a `ttl` above
/// zero), so that an expired entry costs one read however many requests arrive before it is back; and a
/// key id the store does not know is remembered as unknown for `ttl` too, so that a client repeating a
/// deleted key costs no read per request.
final class PrincipalCache: Sendable {
    typealias Loader = @Sendable (String) async throws -> Principal?

    private struct Entry {
        /// Nil: the store has no such key.
        var principal: Principal?
        /// When the read behind it started (what it says is at least that new).
        var loaded: Double
    }

    /// A read under way, shared by the requests that miss while it runs.
    private struct Load {
        let task: Task<Principal?, any Error>
        let generation: Int
    }

    private struct State {
        var known: [String: Entry] = [:]
        /// Key ids the store did not have; kept apart so that made-up ids cannot crowd out real keys.
        var unknown: [String: Entry] = [:]
        var loads: [String: Load] = [:]
        /// Moved on by every invalidation: a read that began before it fills nothing.
        var generation = 0
    }

    static let knownCapacity = 100_000
    static let unknownCapacity = 10_000

    private let state = Mutex(State())
    private let load: Loader
    private let ttl: Double
    private let clock: GatewayClock

    convenience init(store: Store, ttl: Double = 1, clock: GatewayClock = .system) {
        self.init(ttl: ttl, clock: clock) { keyID in try await store.principalAsync(keyID: keyID) }
    }

    init(ttl: Double, clock: GatewayClock, load: @escaping Loader) {
        self.ttl = ttl
        self.clock = clock
        self.load = load
    }

    /// The cached principal (nil inside: the key is known not to exist), if the entry is fresh; nil when
    /// the store must be read. The request path's lookup, on the caller's thread; an entry past three
    /// quarters of its lifetime starts a read in the background.
    func cached(keyID: String) -> Principal?? {
        let now = clock.now()
        let hit = state.withLock { s -> Entry? in
            guard let entry = s.known[keyID] ?? s.unknown[keyID], entry.loaded + ttl > now else { return nil }
            if now - entry.loaded >= ttl * 0.75, s.loads[keyID] == nil {
                _ = Self.startLoad(keyID, in: &s, now: now, cache: self)
            }
            return entry
        }
        guard let hit else { return nil }
        return .some(hit.principal)
    }

    /// ``principal(keyID:)`` as a future on `loop`, for a key that is not cached.
    func load(keyID: String, on loop: any EventLoop) -> EventLoopFuture<Principal?> {
        loop.makeFutureWithTask { try await self.principal(keyID: keyID) }
    }

    func principal(keyID: String) async throws -> Principal? {
        if let hit = cached(keyID: keyID) { return hit }
        let now = clock.now()
        let task = state.withLock { s in
            if ttl > 0, let running = s.loads[keyID] { return running.task }
            return Self.startLoad(keyID, in: &s, now: now, cache: self)
        }
        return try await task.value
    }

    /// Starts a read of `keyID`; with a lifetime, it is shared until it ends. Called under the lock.
    private static func startLoad(_ keyID: String, in s: inout State, now: Double, cache: PrincipalCache)
        -> Task<Principal?, any Error>
    {
        let generation = s.generation
        let task = Task { try await cache.fetch(keyID, started: now, generation: generation) }
        if cache.ttl > 0 { s.loads[keyID] = Load(task: task, generation: generation) }
        return task
    }

    private func fetch(_ keyID: String, started: Double, generation: Int) async throws -> Principal? {
        let result: Result<Principal?, any Error>
        do { result = .success(try await load(keyID)) } catch { result = .failure(error) }
        state.withLock { s in
            if s.loads[keyID]?.generation == generation { s.loads[keyID] = nil }
            // A read that began before an invalidation may hold what the invalidation replaced.
            guard s.generation == generation, case .success(let principal) = result else { return }
            let entry = Entry(principal: principal, loaded: started)
            if principal != nil {
                s.unknown[keyID] = nil
                if s.known.count >= Self.knownCapacity, s.known[keyID] == nil { s.known.removeAll() }
                s.known[keyID] = entry
            } else {
                s.known[keyID] = nil
                if s.unknown.count >= Self.unknownCapacity { s.unknown.removeAll() }
                s.unknown[keyID] = entry
            }
        }
        return try result.get()
    }

    func invalidateAll() {
        state.withLock { s in
            s.known.removeAll()
            s.unknown.removeAll()
            s.loads.removeAll()
            s.generation += 1
        }
    }
}
