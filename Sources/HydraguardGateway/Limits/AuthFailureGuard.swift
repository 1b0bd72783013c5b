import Synchronization

/// Failed authentications per address prefix, as a token bucket each: `perMinute` failures at once, and
/// as many more every minute. A prefix whose bucket is empty is locked out of the key store: a key the
/// cache does not hold is refused there (429) instead of being read, so that a flood of made-up keys from
/// one network costs no database read per request. Keys the cache holds are still checked as usual.
///
/// ```swift
/// let failures = AuthFailureGuard(perMinute: 60, clock: .system)
/// if let wait = failures.lockedOut("203.0.113.0/24") { ... }   // refuse, retry after `wait` seconds
/// failures.recordFailure("203.0.113.0/24")
/// ```
final class AuthFailureGuard: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    /// Prefixes tracked at most; beyond, the buckets that have refilled are forgotten (and all of them if
    /// none has).
    let capacity: Int

    /// Failures allowed per prefix per minute; 0 turns the guard off.
    let perMinute: Int
    private let clock: GatewayClock
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perMinute: Int, clock: GatewayClock, capacity: Int = 100_000) {
        self.perMinute = perMinute
        self.clock = clock
        self.capacity = capacity
    }

    private var perSecond: Double { Double(perMinute) / 60 }

    private func refilled(_ bucket: Bucket, now: Double) -> Bucket {
        Bucket(tokens: min(Double(perMinute), bucket.tokens + max(0, now - bucket.updated) * perSecond), updated: now)
    }

    /// Seconds until `prefix` may have an unknown key read again; nil when it may now.
    func lockedOut(_ prefix: String) -> Double? {
        guard perMinute > 0 else { return nil }
        let now = clock.now()
        return buckets.withLock { buckets -> Double? in
            guard let stored = buckets[prefix] else { return nil }
            let bucket = refilled(stored, now: now)
            return bucket.tokens >= 1 ? nil : (1 - bucket.tokens) / perSecond
        }
    }

    /// Counts one failed authentication from `prefix`.
    func recordFailure(_ prefix: String) {
        guard perMinute > 0 else { return }
        let now = clock.now()
        buckets.withLock { buckets in
            if buckets[prefix] == nil, buckets.count >= capacity {
                buckets = buckets.filter { refilled($0.value, now: now).tokens < Double(perMinute) }
                if buckets.count >= capacity { buckets.removeAll() }
            }
            var bucket = buckets[prefix].map { refilled($0, now: now) } ?? Bucket(tokens: Double(perMinute), updated: now)
            bucket.tokens = max(0, bucket.tokens - 1)
            buckets[prefix] = bucket
        }
    }

    /// Prefixes tracked now (for tests).
    var trackedCount: Int { buckets.withLock { $0.count } }
}
