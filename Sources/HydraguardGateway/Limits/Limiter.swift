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
    /// The buckets charged: their scope and slot (see ``Limiter/Scope``).
    var charged: [(scope: Limiter.Scope, slot: Int)]
    /// The scopes charged (each once), and the one whose in-flight count was taken.
    var scopes: [Limiter.Scope]
    var concurrency: Limiter.Scope?
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

    /// One scope's buckets, in slots 0..<6 (per minute, then per day; requests, input, output), its
    /// requests in flight, and the reservations not yet settled (a scope is never pruned under them). A
    /// class, so that a reservation reaches its buckets again without looking the scope up.
    final class Scope: @unchecked Sendable {
        // @unchecked: read and written only under the limiter's lock.
        var buckets: [Bucket?] = Array(repeating: nil, count: 6)
        var inFlight = 0
        var outstanding = 0
    }

    struct State {
        var scopes: [String: Scope] = [:]
        var operations = 0
    }

    private let state = Mutex(State())
    public let clock: GatewayClock

    public init(clock: GatewayClock = .system) {
        self.clock = clock
    }

    /// The metric and window of slot `k`.
    private static let slots: [(metric: LimitMetric, daily: Bool)] = [
        (.requests, false), (.inputTokens, false), (.outputTokens, false),
        (.requests, true), (.inputTokens, true), (.outputTokens, true),
    ]

    /// The limit of slot `k` in a set, nil when unset.
    @inline(__always)
    private static func limit(_ limits: LimitSet, _ k: Int) -> Int? {
        switch k {
        case 0: limits.requestsPerMinute
        case 1: limits.inputTokensPerMinute
        case 2: limits.outputTokensPerMinute
        case 3: limits.requestsPerDay
        case 4: limits.inputTokensPerDay
        default: limits.outputTokensPerDay
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

    /// Checks every limit of every scope and, only if all fit, charges them all. Each scope is looked up
    /// once; its buckets are then reached by slot.
    public func reserve(_ request: LimitRequest) -> Result<Reservation, LimitRefusal> {
        let now = clock.now()
        let today = Int((now / 86_400).rounded(.down))
        return state.withLock { state -> Result<Reservation, LimitRefusal> in
            state.operations &+= 1
            if state.operations % 65_536 == 0 { Self.prune(&state, now: now) }
            var checked: [(scope: Scope, slot: Int, bucket: Bucket, cost: Double)] = []
            checked.reserveCapacity(request.scopes.count * 4)
            var scopes: [Scope] = []
            scopes.reserveCapacity(request.scopes.count)
            var refusal: LimitRefusal?
            for (name, limits) in request.scopes {
                let scope = Self.scope(name, in: &state)
                scopes.append(scope)
                for k in 0..<6 {
                    guard let limit = Self.limit(limits, k) else { continue }
                    let (metric, daily) = Self.slots[k]
                    var bucket = scope.buckets[k]
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
                            scope: name, metric: metric, window: daily ? "day" : "minute", limit: limit,
                            retryAfter: retry.map { max(1, $0) }, status: [])
                    }
                    checked.append((scope, k, bucket, cost))
                }
            }
            let headline = scopes.first
            func headlineStatus(charged: Bool) -> [LimitStatus] {
                checked.compactMap { c in
                    guard c.scope === headline, c.slot < 3 else { return nil }
                    var bucket = c.bucket
                    if charged { bucket.tokens -= c.cost }
                    return Self.status(bucket, metric: Self.slots[c.slot].metric)
                }
            }
            func storeRefilled() { for c in checked { c.scope.buckets[c.slot] = c.bucket } }
            if var refusal {
                storeRefilled()
                refusal.status = headlineStatus(charged: false)
                return .failure(refusal)
            }
            var concurrency: Scope?
            if let name = request.concurrencyScope, let limit = request.concurrencyLimit {
                let scope = Self.scope(name, in: &state)
                guard scope.inFlight < limit else {
                    storeRefilled()
                    return .failure(LimitRefusal(
                        scope: name, metric: .requests, window: "concurrent", limit: limit, retryAfter: 1,
                        status: headlineStatus(charged: false)))
                }
                scope.inFlight += 1
                concurrency = scope
                if !scopes.contains(where: { $0 === scope }) { scopes.append(scope) }
            }
            for c in checked {
                var bucket = c.bucket
                bucket.tokens -= c.cost
                c.scope.buckets[c.slot] = bucket
            }
            for scope in scopes { scope.outstanding += 1 }
            return .success(Reservation(
                charged: checked.map { ($0.scope, $0.slot) }, scopes: scopes, concurrency: concurrency,
                inputTokens: request.inputTokens, outputTokens: request.outputTokens,
                status: headlineStatus(charged: true)))
        }
    }

    /// Corrects the charge to the real usage and frees the in-flight slot. Call exactly once per reservation.
    public func settle(_ reservation: Reservation, inputTokens: Int, outputTokens: Int) {
        let now = clock.now()
        state.withLock { _ in
            for (scope, slot) in reservation.charged {
                let (metric, daily) = Self.slots[slot]
                guard metric != .requests, var bucket = scope.buckets[slot] else { continue }
                Self.refill(&bucket, daily: daily, now: now)
                let delta = metric == .inputTokens
                    ? inputTokens - reservation.inputTokens : outputTokens - reservation.outputTokens
                bucket.tokens = min(bucket.capacity, bucket.tokens - Double(delta))
                scope.buckets[slot] = bucket
            }
            if let scope = reservation.concurrency { scope.inFlight = max(0, scope.inFlight - 1) }
            for scope in reservation.scopes { scope.outstanding -= 1 }
        }
    }

    /// Current status of one scope's limits (for the admin API).
    public func status(scope name: String) -> [String: LimitStatus] {
        let now = clock.now()
        return state.withLock { state in
            var out: [String: LimitStatus] = [:]
            guard let scope = state.scopes[name] else { return out }
            for k in 0..<6 {
                guard var b = scope.buckets[k] else { continue }
                let (metric, daily) = Self.slots[k]
                Self.refill(&b, daily: daily, now: now)
                out["\(metric.rawValue)_per_\(daily ? "day" : "minute")"] = Self.status(b, metric: metric)
            }
            return out
        }
    }

    /// Seconds until one more request fits `scope`'s per-minute request limit, without charging it; nil
    /// when one fits now or the scope has no such limit yet.
    public func requestWait(scope name: String) -> Double? {
        let now = clock.now()
        return state.withLock { state -> Double? in
            guard var b = state.scopes[name]?.buckets[0] else { return nil }
            Self.refill(&b, daily: false, now: now)
            return b.tokens >= 1 ? nil : (1 - b.tokens) * 60 / b.capacity
        }
    }

    public func inFlight(scope: String) -> Int { state.withLock { $0.scopes[scope]?.inFlight ?? 0 } }

    /// The scope named `name`, made on first use.
    private static func scope(_ name: String, in state: inout State) -> Scope {
        if let known = state.scopes[name] { return known }
        let scope = Scope()
        state.scopes[name] = scope
        return scope
    }

    private static func cost(_ metric: LimitMetric, _ request: LimitRequest) -> Int {
        switch metric {
        case .requests: 1
        case .inputTokens: request.inputTokens
        case .outputTokens: request.outputTokens
        }
    }

    /// Drops scopes whose buckets are all full again (per minute) or of an earlier day (daily), with
    /// nothing in flight and no reservation outstanding, so that addresses seen once do not pile up.
    private static func prune(_ state: inout State, now: Double) {
        let today = Int((now / 86_400).rounded(.down))
        state.scopes = state.scopes.filter { _, scope in
            if scope.inFlight > 0 || scope.outstanding > 0 { return true }
            for k in 0..<6 {
                guard var b = scope.buckets[k] else { continue }
                if k >= 3 {
                    if b.day == today { return true }
                } else {
                    refill(&b, daily: false, now: now)
                    if b.tokens < b.capacity { return true }
                }
            }
            return false
        }
    }
}
