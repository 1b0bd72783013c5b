import HydraguardGateway
import Testing

private func request(_ limits: LimitSet, input: Int = 10, output: Int = 10, concurrent: Int? = nil) -> LimitRequest {
    LimitRequest(
        scopes: [("account:a", limits)], concurrencyScope: "account:a", concurrencyLimit: concurrent,
        inputTokens: input, outputTokens: output)
}

@Test func requestsPerMinuteRefillsWithTime() throws {
    let clock = GatewayClock.manual(start: 1_000_000)
    let limiter = Limiter(clock: clock)
    let limits = LimitSet(requestsPerMinute: 3)
    for _ in 0..<3 { #expect(throws: Never.self) { try limiter.reserve(request(limits)).get() } }
    guard case .failure(let refusal) = limiter.reserve(request(limits)) else {
        Issue.record("the fourth request should be refused")
        return
    }
    #expect(refusal.metric == .requests)
    #expect(refusal.retryAfter == 20)  // one request refills in 60 / 3 seconds
    #expect(refusal.status.first?.remaining == 0)
    clock.advance(by: 20)
    #expect(throws: Never.self) { try limiter.reserve(request(limits)).get() }
    #expect(throws: LimitRefusal.self) { try limiter.reserve(request(limits)).get() }
}

@Test func dailyBudgetResetsAtMidnightUTC() throws {
    let clock = GatewayClock.manual(start: 86_400 * 100 + 86_000)  // 400 s before midnight
    let limiter = Limiter(clock: clock)
    let limits = LimitSet(inputTokensPerDay: 100)
    #expect(throws: Never.self) { try limiter.reserve(request(limits, input: 60)).get() }
    guard case .failure(let refusal) = limiter.reserve(request(limits, input: 60)) else {
        Issue.record("over the daily budget")
        return
    }
    #expect(refusal.window == "day")
    #expect(refusal.retryAfter == 400)
    clock.advance(by: 400)
    #expect(throws: Never.self) { try limiter.reserve(request(limits, input: 60)).get() }
}

@Test func aRequestLargerThanTheLimitCanNeverFit() {
    let limiter = Limiter(clock: .manual(start: 0))
    guard case .failure(let refusal) = limiter.reserve(request(LimitSet(inputTokensPerMinute: 100), input: 101)) else {
        Issue.record("should be refused")
        return
    }
    #expect(refusal.retryAfter == nil)
    #expect(refusal.message.contains("cannot fit"))
}

@Test func settlingRefundsUnusedOutputAndChargesUnderestimatedInput() throws {
    let limiter = Limiter(clock: .manual(start: 0))
    let limits = LimitSet(inputTokensPerMinute: 1000, outputTokensPerMinute: 1000)
    let r = try limiter.reserve(request(limits, input: 100, output: 500)).get()
    #expect(limiter.status(scope: "account:a")["output_tokens_per_minute"]?.remaining == 500)
    limiter.settle(r, inputTokens: 300, outputTokens: 20)
    #expect(limiter.status(scope: "account:a")["output_tokens_per_minute"]?.remaining == 980)
    #expect(limiter.status(scope: "account:a")["input_tokens_per_minute"]?.remaining == 700)
}

@Test func concurrencyIsCountedAndReleased() throws {
    let limiter = Limiter(clock: .manual(start: 0))
    let limits = LimitSet(concurrent: 2)
    let a = try limiter.reserve(request(limits, concurrent: 2)).get()
    _ = try limiter.reserve(request(limits, concurrent: 2)).get()
    #expect(limiter.inFlight(scope: "account:a") == 2)
    guard case .failure(let refusal) = limiter.reserve(request(limits, concurrent: 2)) else {
        Issue.record("third in flight should be refused")
        return
    }
    #expect(refusal.window == "concurrent")
    limiter.settle(a, inputTokens: 0, outputTokens: 0)
    #expect(limiter.inFlight(scope: "account:a") == 1)
    #expect(throws: Never.self) { try limiter.reserve(request(limits, concurrent: 2)).get() }
}

@Test func allScopesMustFitAndNothingIsChargedOnRefusal() throws {
    let limiter = Limiter(clock: .manual(start: 0))
    let req = LimitRequest(
        scopes: [("account:a", LimitSet(requestsPerMinute: 10)), ("prefix:1.2.3.0/24", LimitSet(requestsPerMinute: 1))],
        inputTokens: 1, outputTokens: 1)
    _ = try limiter.reserve(req).get()
    guard case .failure(let refusal) = limiter.reserve(req) else {
        Issue.record("prefix limit should refuse")
        return
    }
    #expect(refusal.scope == "prefix:1.2.3.0/24")
    #expect(limiter.status(scope: "account:a")["requests_per_minute"]?.remaining == 9)
}

@Test func parallelReservationsNeverOvershoot() async throws {
    let limiter = Limiter(clock: .manual(start: 0))
    let limits = LimitSet(requestsPerMinute: 50, inputTokensPerMinute: 10_000)
    let granted = await withTaskGroup(of: Bool.self) { group in
        for i in 0..<500 {
            group.addTask {
                guard case .success(let r) = limiter.reserve(request(limits, input: 100 + i % 7)) else { return false }
                limiter.settle(r, inputTokens: 100 + i % 7, outputTokens: 0)
                return true
            }
        }
        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
    #expect(granted == 50)
    #expect(limiter.status(scope: "account:a")["requests_per_minute"]?.remaining == 0)
}

@Test func throttleScalingKeepsWhatWasUsed() throws {
    let limiter = Limiter(clock: .manual(start: 0))
    for _ in 0..<5 { _ = try limiter.reserve(request(LimitSet(requestsPerMinute: 10))).get() }
    // The same account now throttled to a tenth: 5 used of 1 allowed, so refused.
    #expect(throws: LimitRefusal.self) { try limiter.reserve(request(LimitSet(requestsPerMinute: 10).scaled(by: 0.1))).get() }
}

@Test func pruningDropsFullIdleScopesButNotOnesWithAReservationOutstanding() throws {
    let clock = GatewayClock.manual(start: 1_000_000)
    let limiter = Limiter(clock: clock)
    let limits = LimitSet(requestsPerMinute: 10, inputTokensPerMinute: 1000)
    func request(_ scope: String) -> LimitRequest {
        LimitRequest(scopes: [(scope, limits)], inputTokens: 100, outputTokens: 10)
    }
    let held = try limiter.reserve(request("account:held")).get()
    let settled = try limiter.reserve(request("account:settled")).get()
    limiter.settle(settled, inputTokens: 100, outputTokens: 10)
    clock.advance(by: 120)  // both scopes' buckets full again
    // Pruning runs every 65,536 reservations.
    for _ in 0..<65_536 { _ = limiter.reserve(request("prefix:busy")) }
    #expect(limiter.status(scope: "account:settled").isEmpty)
    #expect(limiter.status(scope: "account:held")["requests_per_minute"]?.remaining == 10)
    // Settling the held reservation still reaches its buckets: the refund is counted (capped at full).
    limiter.settle(held, inputTokens: 400, outputTokens: 10)
    #expect(limiter.status(scope: "account:held")["input_tokens_per_minute"]?.remaining == 700)
}

@Test func requestWaitSaysWhenOneMoreRequestFitsWithoutChargingIt() throws {
    let clock = GatewayClock.manual(start: 1_000_000)
    let limiter = Limiter(clock: clock)
    let limits = LimitSet(requestsPerMinute: 3)
    #expect(limiter.requestWait(scope: "account:a") == nil)  // never charged
    for _ in 0..<2 { _ = try limiter.reserve(request(limits)).get() }
    #expect(limiter.requestWait(scope: "account:a") == nil)
    _ = try limiter.reserve(request(limits)).get()
    // To the millisecond: a third of a minute for the next token, less as it refills.
    func wait() -> Double? { limiter.requestWait(scope: "account:a").map { ($0 * 1000).rounded() / 1000 } }
    #expect(wait() == 20)
    #expect(wait() == 20)  // asking charges nothing
    clock.advance(by: 15)
    #expect(wait() == 5)
    clock.advance(by: 5)
    #expect(wait() == nil)
    #expect(throws: Never.self) { try limiter.reserve(request(limits)).get() }
    #expect(limiter.requestWait(scope: "account:other") == nil)
}
