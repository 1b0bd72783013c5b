import HydraguardLog
import HydraguardStore
import Logging
import NIOCore
import NIOHTTP1

extension Gateway {
    /// What is known of a request so far, to write its record however it ends. One request's stages run
    /// one after another (each from the last one's completion), so they share it by reference instead of
    /// copying a record of twenty fields at every step.
    final class Exchange: @unchecked Sendable {
        // @unchecked: touched by one stage of its request at a time, never concurrently.
        var event: UsageEvent
        let flavor: APIFlavor
        let started: ContinuousClock.Instant
        var limitStatus: [LimitStatus] = []

        init(event: UsageEvent, flavor: APIFlavor, started: ContinuousClock.Instant) {
            self.event = event
            self.flavor = flavor
            self.started = started
        }

        var elapsedMs: Int {
            let d = ContinuousClock.now - started
            return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
        }
    }

    /// Why a request is refused before it is forwarded, and the outcome it is counted under.
    struct Refusal: Error {
        var error: GatewayError
        var outcome: String

        init(_ error: GatewayError, _ outcome: String) {
            self.error = error
            self.outcome = outcome
        }
    }

    /// A request that passed every check: what to send upstream and what was reserved for it.
    final class Plan: Sendable {
        let chat: ChatRequest
        let body: ByteBuffer
        let reservation: ReservationGuard
        let estimate: Int
        let anthropicVersion: String?
        let anthropicBeta: String?

        init(
            chat: ChatRequest, body: ByteBuffer, reservation: ReservationGuard, estimate: Int, anthropicVersion: String?,
            anthropicBeta: String?
        ) {
            self.chat = chat
            self.body = body
            self.reservation = reservation
            self.estimate = estimate
            self.anthropicVersion = anthropicVersion
            self.anthropicBeta = anthropicBeta
        }
    }

    /// The refusal of a request that presents no key.
    static let missingKey = GatewayError(.authentication, "missing API key: send it in x-api-key or Authorization: Bearer")

    /// The answer when the gateway itself failed (never expected: every error has its own answer).
    static let internalErrorAnswer = GatewayAnswer.whole(
        .internalServerError, ["content-type": "application/json"],
        ByteBuffer(string: #"{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}"#))

    /// Where an answer goes: called once, on the request's loop.
    typealias Reply = (GatewayAnswer) -> Void

    /// Answers a request on `loop`: the two model APIs, the model list, the health check, 404 for anything
    /// else. `reply` is called once, on `loop`, with the answer (every error is an answer in the caller's
    /// format); when the key is cached and the upstream is plain HTTP, no step leaves that loop, and no
    /// future is made but the upstream exchange's.
    func serve(_ request: GatewayRequest, on loop: any EventLoop, reply: @escaping Reply) {
        switch (request.head.method, request.path) {
        case (.POST, "/v1/messages"): handleChat(request, flavor: .anthropic, on: loop, reply: reply)
        case (.POST, "/v1/chat/completions"): handleChat(request, flavor: .openai, on: loop, reply: reply)
        case (.GET, "/v1/models"):
            loop.makeFutureWithLoopTask { await self.handleModels(request, on: loop) }.assumeIsolated().whenComplete {
                reply((try? $0.get()) ?? Self.internalErrorAnswer)
            }
        case (.GET, "/healthz"):
            reply(.whole(.ok, ["content-type": "text/plain"], ByteBuffer(string: "ok\n")))
        default:
            let flavor: APIFlavor = request.path.hasPrefix("/v1/messages") || request.head.anthropicVersion != nil
                ? .anthropic : .openai
            reply(
                errorAnswer(
                    GatewayError(.notFound, "no route for \(request.head.method.rawValue) \(request.path)"), flavor: flavor,
                    requestID: Self.requestID()))
        }
    }

    /// Answers an error in the caller's format, after writing its record; call on `loop`.
    func refuse(_ error: GatewayError, _ exchange: Exchange, outcome: String, on loop: any EventLoop, reply: @escaping Reply) {
        exchange.event.status = error.statusCode
        exchange.event.latencyMs = exchange.elapsedMs
        metrics.request(api: exchange.flavor, status: exchange.event.status, outcome: outcome)
        logger.debug(
            "refused",
            metadata: [
                "hydraguard.request.id": "\(exchange.event.requestID)", "hydraguard.account.id": "\(exchange.event.accountID)",
                "hydraguard.outcome": "\(outcome)", "hydraguard.status": "\(exchange.event.status)",
            ])
        let answer = errorAnswer(error, flavor: exchange.flavor, requestID: exchange.event.requestID)
        recorder.record(exchange.event, on: loop) { reply(answer) }
    }

    /// ``refuse(_:_:outcome:on:reply:)`` for async code: the answer once its record is safe.
    func refuse(_ error: GatewayError, _ exchange: Exchange, outcome: String, on loop: any EventLoop)
        -> EventLoopFuture<GatewayAnswer>
    {
        guard loop.inEventLoop else { return loop.flatSubmit { self.refuse(error, exchange, outcome: outcome, on: loop) } }
        let promise = loop.makePromise(of: GatewayAnswer.self)
        refuse(error, exchange, outcome: outcome, on: loop) { promise.succeed($0) }
        return promise.futureResult
    }

    /// An error in `flavor`'s format, with the retry and rate-limit headers its SDKs read.
    func errorAnswer(_ error: GatewayError, flavor: APIFlavor, requestID: String) -> GatewayAnswer {
        var headers: [(String, String)] = [("content-type", "application/json")]
        headers.append((flavor == .anthropic ? "request-id" : "x-request-id", requestID))
        if let retry = error.retryAfter {
            headers.append(("retry-after", String(Int(retry.rounded(.up)))))
            headers.append(("retry-after-ms", String(Int((retry * 1000).rounded(.up)))))
        }
        if let should = error.shouldRetry { headers.append(("x-should-retry", should ? "true" : "false")) }
        RateLimitHeaders.add(error.limitStatus, flavor: flavor, now: limiter.clock.now(), to: &headers)
        return .whole(error.responseStatus, HTTPHeaders(headers), error.body(flavor, requestID: requestID))
    }

    /// The secret from `x-api-key` or `Authorization: Bearer`.
    static func presentedSecret(apiKey: String?, authorization: String?) -> String? {
        if let key = apiKey, !key.isEmpty { return key }
        guard var auth = authorization else { return nil }
        // "Bearer <secret>", the scheme in any case, spaces and tabs around the secret trimmed.
        return auth.withUTF8 { bytes -> String? in
            let scheme: [UInt8] = [0x62, 0x65, 0x61, 0x72, 0x65, 0x72]  // "bearer"
            guard bytes.count > 7, bytes[6] == 0x20 else { return nil }
            for i in 0..<6 where bytes[i] | 0x20 != scheme[i] { return nil }
            var start = 7
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            guard start < end else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    /// A new record for a request, before anything is known of its caller.
    func exchange(for request: GatewayRequest, flavor: APIFlavor, endpoint: String, model: String) -> Exchange {
        let clientIP = clientAddress(socket: request.peer, forwardedFor: request.head.forwardedFor)
        // Believed only from a trusted proxy: a client could name any fingerprint itself.
        let fingerprint = request.head.tlsFingerprint.flatMap { value in
            isTrustedProxy(request.peer) ? Self.clipped(value, to: Self.maxFingerprintCharacters) : nil
        }
        return Exchange(
            event: UsageEvent(
                ts: Timestamp(secondsSince1970: limiter.clock.now()), requestID: Self.requestID(), accountID: "-",
                keyID: "-", ip: clientIP, userAgent: request.head.userAgent, tlsFingerprint: fingerprint, endpoint: endpoint,
                model: model, status: 0, inputTokens: 0, outputTokens: 0),
            flavor: flavor, started: .now)
    }

    /// The principal behind the presented key, as far as it is known without waiting.
    enum Lookup {
        /// No key was presented.
        case missing
        /// The key's principal from the cache, or nil for a key that names no key id.
        case known(secret: String, Principal?)
        /// Not cached: read from the store.
        case loading(secret: String, EventLoopFuture<Principal?>)
        /// Not cached, and the client's address prefix has failed to authenticate too often: not read.
        case lockedOut(retryAfter: Double)
    }

    /// The principal behind the presented key: from the cache on the caller's thread, else from the store
    /// unless the client's address prefix is locked out of it.
    func principal(for request: GatewayRequest, exchange: Exchange, on loop: any EventLoop) -> Lookup {
        guard let secret = Self.presentedSecret(apiKey: request.head.apiKey, authorization: request.head.authorization) else {
            return .missing
        }
        guard let keyID = KeyHasher.keyID(inSecret: secret) else { return .known(secret: secret, nil) }
        if let hit = cache.cached(keyID: keyID) { return .known(secret: secret, hit) }
        if let scope = authFailureScope(exchange), let wait = limiter.requestWait(scope: scope) {
            return .lockedOut(retryAfter: wait)
        }
        return .loading(secret: secret, cache.load(keyID: keyID, on: loop))
    }

    /// The refusal of a key not read because of the address prefix's failed authentications.
    static func lockedOut(retryAfter: Double) -> GatewayError {
        GatewayError(
            .rateLimit,
            "too many failed authentications from this network; retry in \(Int(retryAfter.rounded(.up))) s",
            retryAfter: retryAfter, code: "too_many_failed_authentications")
    }

    /// The limiter's scope for the failed authentications of the client's address prefix (a bucket of
    /// `per_prefix.failed_auth_per_minute` requests), nil when that limit is off. While it is empty, a key
    /// the cache does not hold is refused instead of read, so that made-up keys cost no store read each.
    private func authFailureScope(_ exchange: Exchange) -> String? {
        guard settings.config.perPrefixFailedAuthPerMinute > 0, let prefix = facts(about: exchange.event.ip).limitPrefix else {
            return nil
        }
        return "auth_failures:" + prefix
    }

    /// Counts a failed authentication against the client's address prefix; returns nil, the failure.
    private func failedAuthentication(_ exchange: Exchange) -> Principal? {
        if let scope = authFailureScope(exchange) {
            let failure = LimitRequest(
                scopes: [(scope, LimitSet(requestsPerMinute: settings.config.perPrefixFailedAuthPerMinute))], inputTokens: 0,
                outputTokens: 0)
            // Refused once the bucket is empty: it stays empty, which is all that is asked of it.
            if case .success(let charged) = limiter.reserve(failure) {
                limiter.settle(charged, inputTokens: 0, outputTokens: 0)
            }
        }
        return nil
    }

    /// The principal when the secret is its key's (compared in constant time) and the key is not revoked,
    /// with the request's record filled in with its account, organisation and key; nil otherwise. With a
    /// connection's `memo`, a secret that matched before on that connection is compared with the one
    /// remembered instead of being hashed again.
    func authenticated(_ secret: String, _ principal: Principal?, exchange: Exchange, memo: KeyMemo? = nil)
        -> Principal?
    {
        guard let principal, !principal.key.isRevoked else { return failedAuthentication(exchange) }
        let storedHash = principal.key.secretHash
        if memo?.remembers(secret, storedHash: storedHash) != true {
            guard store.hasher.matches(secret, storedHash) else { return failedAuthentication(exchange) }
            memo?.remember(secret, storedHash: storedHash)
        }
        exchange.event.accountID = principal.account.id
        exchange.event.orgID = principal.account.orgID
        exchange.event.keyID = principal.key.id
        return principal
    }

    /// `POST /v1/messages` and `POST /v1/chat/completions`.
    func handleChat(_ request: GatewayRequest, flavor: APIFlavor, on loop: any EventLoop, reply: @escaping Reply) {
        let exchange = exchange(for: request, flavor: flavor, endpoint: flavor.endpoint, model: "")
        switch principal(for: request, exchange: exchange, on: loop) {
        case .missing:
            refuse(Self.missingKey, exchange, outcome: "unauthenticated", on: loop, reply: reply)
        case .lockedOut(let wait):
            refuse(Self.lockedOut(retryAfter: wait), exchange, outcome: "auth_locked_out", on: loop, reply: reply)
        case .known(let secret, let principal):
            admitAndForward(request, secret: secret, principal: principal, exchange: exchange, on: loop, reply: reply)
        case .loading(let secret, let loading):
            loading.assumeIsolated().whenComplete { result in
                switch result {
                case .success(let principal):
                    self.admitAndForward(
                        request, secret: secret, principal: principal, exchange: exchange, on: loop, reply: reply)
                case .failure(let error):
                    // Only the store read fails here: admitting, forwarding and refusing always end in an answer.
                    self.logger.error("store read failed", metadata: ["error": "\(error)"])
                    self.refuse(
                        GatewayError(.internalError, "internal error"), exchange, outcome: "store_error", on: loop, reply: reply)
                }
            }
        }
    }

    private func admitAndForward(
        _ request: GatewayRequest, secret: String, principal: Principal?, exchange: Exchange, on loop: any EventLoop,
        reply: @escaping Reply
    ) {
        do throws(Refusal) {
            let plan = try admit(request, secret: secret, principal: principal, exchange: exchange)
            forward(plan, exchange: exchange, on: loop, reply: reply)
        } catch {
            refuse(error.error, exchange, outcome: error.outcome, on: loop, reply: reply)
        }
    }

    /// Every check before a request goes upstream, in order: the key, the verdict, the body, what the tier
    /// may use, where the request comes from, the limits. Fills the record as it learns; throws the
    /// refusal for the first check that fails.
    func admit(_ request: GatewayRequest, secret: String, principal: Principal?, exchange: Exchange)
        throws(Refusal) -> Plan
    {
        let flavor = exchange.flavor
        // Identity.
        guard let principal = authenticated(secret, principal, exchange: exchange, memo: request.keyMemo) else {
            throw Refusal(GatewayError(.authentication, "invalid API key"), "unauthenticated")
        }
        let tier = principal.account.verificationTier
        let settings = self.settings
        let policy = settings.policy(for: tier)
        let verdict = principal.verdict?.value ?? .allow

        // Verdicts that refuse.
        if verdict == .block {
            throw Refusal(
                GatewayError(.permission, "this account is blocked; contact support", code: "account_blocked"), "blocked")
        }
        if verdict == .challenge {
            throw Refusal(
                GatewayError(
                    .permission,
                    "verification required: confirm your identity in the console to continue using this account",
                    code: "verification_required"),
                "challenged")
        }

        // The body.
        guard request.body.readableBytes <= config.maxBodyBytes else {
            throw Refusal(GatewayError(.tooLarge, "request body is larger than \(config.maxBodyBytes) bytes"), "too_large")
        }
        var chat: ChatRequest
        do {
            chat = try ChatRequest(body: request.body.readableBytesView, flavor: flavor)
        } catch {
            throw Refusal(error, "invalid")
        }
        exchange.event.model = chat.model
        exchange.event.stream = chat.stream
        exchange.event.thinking = chat.thinking
        exchange.event.maxTokens = chat.maxTokens
        exchange.event.tools = chat.tools
        exchange.event.system = chat.system.map { Self.clipped($0, to: config.records.keepSystemCharacters) }
        exchange.event.prompt = chat.prompt.map { Self.clipped($0, to: config.records.keepPromptCharacters) }

        // What the tier may use.
        guard policy.allows(model: chat.model) else {
            throw Refusal(
                GatewayError(
                    .permission, "model \(chat.model) is not available to \(tier.rawValue)-tier accounts; verify to unlock it",
                    param: "model", code: "model_not_available"),
                "tier_model")
        }
        if chat.tools > 0, !policy.tools {
            throw Refusal(
                GatewayError(.permission, "tools are not available to \(tier.rawValue)-tier accounts", param: "tools"),
                "tier_tools")
        }
        if chat.thinking, !policy.visibleReasoning, verdict != .degrade {
            throw Refusal(
                GatewayError(
                    .permission, "visible reasoning is not available to \(tier.rawValue)-tier accounts",
                    param: flavor == .anthropic ? "thinking" : "reasoning_effort"),
                "tier_reasoning")
        }
        if verdict == .degrade {
            chat.withholdReasoning()
            chat.capOutput(at: settings.config.verdicts.degradeMaxOutputTokens)
        }
        if let cap = policy.maxOutputTokens { chat.capOutput(at: cap) }

        // Where the request comes from.
        let origin = facts(about: exchange.event.ip)
        if origin.fromIntelligence {
            let allowListed = origin.address.map { a in policy.allowAddresses.contains { $0.contains(a) } } ?? false
            if !allowListed { try checkOrigin(origin.info, policy: policy, tier: tier, accountID: principal.account.id) }
        }

        // Limits.
        let estimate = chat.estimatedInputTokens(charactersPerToken: config.charactersPerToken)
        let outputReserve = chat.maxTokens ?? policy.maxOutputTokens ?? 4096
        let limits = limitRequest(
            settings, principal: principal, policy: policy, verdict: verdict, origin: origin, input: estimate, output: outputReserve)
        let reservation: ReservationGuard
        switch limiter.reserve(limits) {
        case .failure(let refusal):
            throw Refusal(
                GatewayError(
                    .rateLimit, refusal.message, retryAfter: refusal.retryAfter,
                    shouldRetry: refusal.retryAfter == nil ? false : nil, limitStatus: refusal.status),
                "rate_limited")
        case .success(let r):
            reservation = ReservationGuard(r, limiter: limiter)
            exchange.limitStatus = r.status
        }

        chat.askForStreamUsage()
        return Plan(
            chat: chat, body: chat.forwardBody(original: request.body), reservation: reservation, estimate: estimate,
            anthropicVersion: request.head.anthropicVersion, anthropicBeta: request.head.anthropicBeta)
    }

    /// At most `limit` characters of `text`; the text itself (no copy, no counting) when its UTF-8 is no
    /// longer than that.
    static func clipped(_ text: String, to limit: Int) -> String {
        text.utf8.count <= limit ? text : String(text.prefix(limit))
    }

    /// The tier's country and anonymiser rules for an address that is not allow-listed.
    private func checkOrigin(_ info: AddressInfo, policy: TierPolicy, tier: Tier, accountID: String) throws(Refusal) {
        if let country = info.country {
            if policy.denyCountries.contains(country) || policy.allowCountries.map({ !$0.contains(country) }) == true {
                throw Refusal(
                    GatewayError(
                        .permission, "requests from \(country) are not served for \(tier.rawValue)-tier accounts",
                        code: "country_not_allowed"),
                    "geofence_country")
            }
        } else if policy.allowCountries != nil {
            throw Refusal(
                GatewayError(
                    .permission, "requests from an unknown country are not served for this tier", code: "country_not_allowed"),
                "geofence_country")
        }
        guard let kind = info.kind, policy.anonymizerKinds.contains(kind) else { return }
        switch policy.anonymizers {
        case .deny:
            throw Refusal(
                GatewayError(
                    .permission, "requests through a \(kind) network are not served for \(tier.rawValue)-tier accounts",
                    code: "anonymizer_not_allowed"),
                "geofence_anonymizer")
        case .flag:
            metrics.flagged(kind: kind)
            logger.info("anonymised address", metadata: ["hydraguard.account.id": "\(accountID)", "hydraguard.ip.kind": "\(kind)"])
        case .allow:
            break
        }
    }

    func limitRequest(
        _ settings: LiveSettings, principal: Principal, policy: TierPolicy, verdict: GatewayVerdict, origin: AddressFacts, input: Int, output: Int
    ) -> LimitRequest {
        let config = settings.config
        let factor = verdict == .throttle ? config.verdicts.throttleFactor : 1
        func adjust(_ l: LimitSet) -> LimitSet { factor == 1 ? l : l.scaled(by: factor) }
        let accountLimits = adjust(policy.limits)
        let accountScope = "account:" + principal.account.id
        var scopes: [(scope: String, limits: LimitSet)] = []
        scopes.reserveCapacity(5)
        scopes.append((accountScope, accountLimits))
        scopes.append(("key:" + principal.key.id, adjust(policy.keyLimits ?? policy.limits)))
        if let org = principal.org {
            let orgPolicy = settings.policy(for: org.verificationTier)
            scopes.append(("org:" + org.id, orgPolicy.orgLimits ?? orgPolicy.limits))
        }
        if !config.perPrefix.isEmpty, let prefix = origin.limitPrefix { scopes.append(("prefix:" + prefix, config.perPrefix)) }
        if !config.perASN.isEmpty, let asn = origin.info.asn { scopes.append(("asn:" + String(asn), config.perASN)) }
        return LimitRequest(
            scopes: scopes, concurrencyScope: accountScope, concurrencyLimit: accountLimits.concurrent,
            inputTokens: input, outputTokens: output)
    }
}
