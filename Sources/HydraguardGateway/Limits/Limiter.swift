import Synchronization

/// What a limit counts.
public enum LimitMetric: String, Sendable, Hashable, CaseIterable {
    case requests, inputTokens = "input_tokens", outputTokens = "output_tokens"
}

/// The scopes and costs of one request, checked and charged all at once.
public struct LimitRequest: Sendable {
    /// e.g. `("key:key_abc", limits)`, `("account:acct_1", limits)`, `("prefix:203.0.113.0/24", limits)`.
    public var scopes: [(scope: String, limits: LimitSet)]
    /// The scope whose concurrency is counted, with its cap.
    public var concurrencyScope: String?
    public var concurrencyLimit: Int?
    public var inputTokens: Int
    /// Reserved up front (the effective `max_tokens`), refunded down to the real count at the end.
    public var outputTokens: Int

    public init(scopes: [(scope: String, limits: LimitSet)], concurrencyScope: String? = nil,
                concurrencyLimit: Int? = nil, inputTokens: Int, outputTokens: Int) {
        self.scopes = scopes
        self.concurrencyScope = concurrencyScope
        self.concurrencyLimit = concurrencyLimit
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// Limit, remaining and seconds until full, for the rate-limit headers.
public struct LimitStatus: Sendable, Hashable {
    public var metric: LimitMetric
    public var limit: Int
    public var remaining: Int
    public var resetSeconds: Double
}

/// What was charged, to settle when the real usage is known.
public struct Reservation: Sendable {
    var buckets: [BucketID]
    var concurrencyScope: String?
    public var inputTokens: Int
    public var outputTokens: Int
    /// Status of the first scope's per-minute limits after the charge.
    public var status: [LimitStatus]
}

/// Why a request was refused.
public struct LimitRefusal: Sendable, Error {
    public var scope: String
    public var metric: LimitMetric
    /// `minute`, `day` or `concurrent`.
    public var window: String
    public var limit: Int
    /// Seconds until it could fit; nil when it never can (it is larger than the limit itself).
    public var retryAfter: Double?
    public var status: [LimitStatus]

    public var message: String {
        if window == "concurrent" {
            return "too many requests in flight for \(scope): the limit is \(limit) at once"
        }
        let what = metric == .requests ? "requests" : metric == .inputTokens ? "input tokens" : "output tokens"
        if retryAfter == nil {
            return "this request alone exceeds the \(scope) limit of \(limit) \(what) per \(window); it cannot fit"
        }
        return "rate limit exceeded for \(scope): \(limit) \(what) per \(window)"
    }
}

struct BucketID: Hashable, Sendable {
    var scope: String
    var metric: LimitMetric
    var daily: Bool
}

/// Token buckets per minute (refilled continuously) and daily budgets (reset at midnight UTC) for every
/// scope, plus in-flight counts. All checks and charges for one request happen under one lock, so limits
/// hold under any concurrency: a budget is overshot only when a request's real usage exceeds what it
/// reserved (input estimated low), by at most that request's difference.
///
/// ```swift
/// let limiter = Limiter(clock: .system)
/// switch limiter.reserve(request) {
/// case .success(let reservation): ...; limiter.settle(reservation, inputTokens: 812, outputTokens: 90)
/// case .failure(let refusal): // 429 with refusal.retryAfter
/// }
/// ```
public final class Limiter: Sendable {
    struct Bucket {
        var capacity: Double
        var tokens: Double
        var updated: Double
        var day: Int
    }

    struct State {
        var buckets: [BucketID: Bucket] = [:]
        var inFlight: [String: Int] = [:]
        var operations = 0
    }

    private let state = Mutex(State())
    public let clock: GatewayClock

    public init(clock: GatewayClock = .system) {
        self.clock = clock
    }

    /// The `k`th limit of a set (0..<6: per minute, then per day; requests, input, output), nil when unset.
    @inline(__always)
    private static func entry(_ limits: LimitSet, _ k: Int) -> (metric: LimitMetric, daily: Bool, limit: Int)? {
        switch k {
        case 0: limits.requestsPerMinute.map { (.requests, false, $0) }
        case 1: limits.inputTokensPerMinute.map { (.inputTokens, false, $0) }
        case 2: limits.outputTokensPerMinute.map { (.outputTokens, false, $0) }
        case 3: limits.requestsPerDay.map { (.requests, true, $0) }
        case 4: limits.inputTokensPerDay.map { (.inputTokens, true, $0) }
        default: limits.outputTokensPerDay.map { (.outputTokens, true, $0) }
        }
    }

    private static func refill(_ bucket: inout Bucket, daily: Bool, now: Double) {
        if daily {
            let day = Int((now / 86_400).rounded(.down))
            if day != bucket.day {
                bucket.day = day
                bucket.tokens = bucket.capacity
            }
        } else {
            let elapsed = max(0, now - bucket.updated)
            bucket.tokens = min(bucket.capacity, bucket.tokens + elapsed * bucket.capacity / 60)
        }
        bucket.updated = now
    }

    private static func status(_ bucket: Bucket, metric: LimitMetric) -> LimitStatus {
        let missing = bucket.capacity - bucket.tokens
        return LimitStatus(
            metric: metric, limit: Int(bucket.capacity), remaining: max(0, Int(bucket.tokens.rounded(.down))),
            resetSeconds: missing <= 0 ? 0 : missing * 60 / bucket.capacity)
    }

    /// Checks every limit of every scope and, only if all fit, charges them all. Each bucket is looked up
    /// once to check and once to store.
    public func reserve(_ request: LimitRequest) -> Result<Reservation, LimitRefusal> {
        let now = clock.now()
        let today = Int((now / 86_400).rounded(.down))
        let headlineScope = request.scopes.first?.scope
        return state.withLock { state -> Result<Reservation, LimitRefusal> in
            state.operations &+= 1
            if state.operations % 65_536 == 0 { Self.prune(&state, now: now) }
            var checked: [(id: BucketID, bucket: Bucket, cost: Double)] = []
            checked.reserveCapacity(request.scopes.count * 4)
            var refusal: LimitRefusal?
            for (scope, limits) in request.scopes {
                for k in 0..<6 {
                    guard let (metric, daily, limit) = Self.entry(limits, k) else { continue }
                    let id = BucketID(scope: scope, metric: metric, daily: daily)
                    var bucket = state.buckets[id]
                        ?? Bucket(capacity: Double(limit), tokens: Double(limit), updated: now, day: today)
                    if bucket.capacity != Double(limit) {
                        // The limit changed (config, or a throttle verdict): keep what was used.
                        let used = bucket.capacity - bucket.tokens
                        bucket.capacity = Double(limit)
                        bucket.tokens = Double(limit) - used
                    }
                    Self.refill(&bucket, daily: daily, now: now)
                    let cost = Double(Self.cost(metric, request))
                    if refusal == nil, cost > 0, bucket.tokens < cost {
                        let retry: Double?
                        if cost > bucket.capacity {
                            retry = nil
                        } else if daily {
                            retry = (Double(bucket.day + 1) * 86_400 - now).rounded(.up)
                        } else {
                            retry = ((cost - bucket.tokens) * 60 / bucket.capacity).rounded(.up)
                        }
                        refusal = LimitRefusal(
                            scope: scope, metric: metric, window: daily ? "day" : "minute", limit: limit,
                            retryAfter: retry.map { max(1, $0) }, status: [])
                    }
                    checked.append((id, bucket, cost))
                }
            }
            func headline(charged: Bool) -> [LimitStatus] {
                checked.compactMap { c in
                    guard c.id.scope == headlineScope, !c.id.daily else { return nil }
                    var bucket = c.bucket
                    if charged { bucket.tokens -= c.cost }
                    return Self.status(bucket, metric: c.id.metric)
                }
            }
            func storeRefilled() { for c in checked { state.buckets[c.id] = c.bucket } }
            if var refusal {
                storeRefilled()
                refusal.status = headline(charged: false)
                return .failure(refusal)
            }
            if let scope = request.concurrencyScope, let limit = request.concurrencyLimit {
                let current = state.inFlight[scope, default: 0]
                guard current < limit else {
                    storeRefilled()
                    return .failure(LimitRefusal(
                        scope: scope, metric: .requests, window: "concurrent", limit: limit, retryAfter: 1,
                        status: headline(charged: false)))
                }
                state.inFlight[scope] = current + 1
            }
            for c in checked {
                var bucket = c.bucket
                bucket.tokens -= c.cost
                state.buckets[c.id] = bucket
            }
            return .success(Reservation(
                buckets: checked.map(\.id),
                concurrencyScope: request.concurrencyLimit == nil ? nil : request.concurrencyScope,
                inputTokens: request.inputTokens, outputTokens: request.outputTokens,
                status: headline(charged: true)))
        }
    }

    /// Corrects the charge to the real usage and frees the in-flight slot. Call exactly once per reservation.
    public func settle(_ reservation: Reservation, inputTokens: Int, outputTokens: Int) {
        let now = clock.now()
        state.withLock { state in
            for id in reservation.buckets where id.metric != .requests {
                guard var bucket = state.buckets[id] else { continue }
                Self.refill(&bucket, daily: id.daily, now: now)
                let delta = id.metric == .inputTokens
                    ? inputTokens - reservation.inputTokens : outputTokens - reservation.outputTokens
                bucket.tokens = min(bucket.capacity, bucket.tokens - Double(delta))
                state.buckets[id] = bucket
            }
            if let scope = reservation.concurrencyScope {
                let n = state.inFlight[scope, default: 1] - 1
                state.inFlight[scope] = n > 0 ? n : nil
            }
        }
    }

    /// Current status of one scope's limits (for the admin API).
    public func status(scope: String) -> [String: LimitStatus] {
        let now = clock.now()
        return state.withLock { state in
            var out: [String: LimitStatus] = [:]
            for (id, bucket) in state.buckets where id.scope == scope {
                var b = bucket
                Self.refill(&b, daily: id.daily, now: now)
                out["\(id.metric.rawValue)_per_\(id.daily ? "day" : "minute")"] = Self.status(b, metric: id.metric)
            }
            return out
        }
    }

    public func inFlight(scope: String) -> Int { state.withLock { $0.inFlight[scope, default: 0] } }

    private static func cost(_ metric: LimitMetric, _ request: LimitRequest) -> Int {
        switch metric {
        case .requests: 1
        case .inputTokens: request.inputTokens
        case .outputTokens: request.outputTokens
        }
    }

    /// Drops per-minute buckets that are full again, so that addresses seen once do not pile up.
    private static func prune(_ state: inout State, now: Double) {
        state.buckets = state.buckets.filter { id, bucket in
            if id.daily { return Int((now / 86_400).rounded(.down)) == bucket.day }
            var b = bucket
            refill(&b, daily: false, now: now)
            return b.tokens < b.capacity
        }
    }
}
