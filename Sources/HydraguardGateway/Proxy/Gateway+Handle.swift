import AsyncHTTPClient
import Foundation
import HTTPTypes
import HydraguardLog
import HydraguardStore
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

extension Gateway {
    /// What is known of a request so far, to write its record however it ends.
    struct Exchange {
        var event: UsageEvent
        let flavor: APIFlavor
        let started: ContinuousClock.Instant
        var limitStatus: [LimitStatus] = []

        var elapsedMs: Int {
            let d = ContinuousClock.now - started
            return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
        }
    }

    /// Answers an error in the caller's format, after writing its record.
    func refuse(_ error: GatewayError, _ exchange: Exchange, outcome: String) async -> Response {
        var exchange = exchange
        exchange.event.status = Int(error.status.code)
        exchange.event.latencyMs = exchange.elapsedMs
        await recorder.record(exchange.event)
        metrics.request(api: exchange.flavor, status: exchange.event.status, outcome: outcome)
        logger.debug(
            "refused",
            metadata: [
                "hydraguard.request.id": "\(exchange.event.requestID)", "hydraguard.account.id": "\(exchange.event.accountID)",
                "hydraguard.outcome": "\(outcome)", "hydraguard.status": "\(exchange.event.status)",
            ])
        return errorResponse(error, flavor: exchange.flavor, requestID: exchange.event.requestID)
    }

    func errorResponse(_ error: GatewayError, flavor: APIFlavor, requestID: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[flavor == .anthropic ? .requestID : .xRequestID] = requestID
        if let retry = error.retryAfter {
            headers[.retryAfter] = "\(Int(retry.rounded(.up)))"
            headers[HTTPField.Name("retry-after-ms")!] = "\(Int((retry * 1000).rounded(.up)))"
        }
        if let should = error.shouldRetry { headers[.xShouldRetry] = should ? "true" : "false" }
        RateLimitHeaders.add(error.limitStatus, flavor: flavor, now: limiter.clock.now(), to: &headers)
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: error.body(flavor, requestID: requestID)))
    }

    /// The secret from `x-api-key` or `Authorization: Bearer`.
    static func presentedSecret(_ headers: HTTPFields) -> String? {
        if let key = headers[.xAPIKey], !key.isEmpty { return key }
        guard let auth = headers[.authorization] else { return nil }
        // "Bearer <secret>", the scheme in any case, without Foundation's trimming on the request path.
        let utf8 = auth.utf8
        guard utf8.count > 7 else { return nil }
        let scheme = utf8.prefix(6)
        guard zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }), utf8.dropFirst(6).first == 0x20 else { return nil }
        let secret = utf8.dropFirst(7).drop { $0 == 0x20 || $0 == 0x09 }
        var end = secret.endIndex
        while end > secret.startIndex, let last = utf8[..<end].last, last == 0x20 || last == 0x09 {
            end = utf8.index(before: end)
        }
        let trimmed = secret[secret.startIndex..<end]
        return trimmed.isEmpty ? nil : String(Substring(trimmed))
    }

    /// `POST /v1/messages` and `POST /v1/chat/completions`.
    func handle(_ request: Request, peer: String?, flavor: APIFlavor) async -> Response {
        let clientIP = clientAddress(socket: peer, forwardedFor: request.headers[.xForwardedFor])
        var exchange = Exchange(
            event: UsageEvent(
                ts: Timestamp(secondsSince1970: limiter.clock.now()), requestID: Self.requestID(), accountID: "-",
                keyID: "-", ip: clientIP, userAgent: request.headers[.userAgent], endpoint: flavor.endpoint, model: "",
                status: 0, inputTokens: 0, outputTokens: 0),
            flavor: flavor, started: .now)

        // Identity.
        guard let secret = Self.presentedSecret(request.headers) else {
            return await refuse(
                GatewayError(.authentication, "missing API key: send it in x-api-key or Authorization: Bearer"),
                exchange, outcome: "unauthenticated")
        }
        let principal: Principal?
        do {
            principal = try await KeyHasher.keyID(inSecret: secret).asyncFlatMap { try await cache.principal(keyID: $0) }
        } catch {
            logger.error("store read failed", metadata: ["error": "\(error)"])
            return await refuse(GatewayError(.internalError, "internal error"), exchange, outcome: "store_error")
        }
        guard let principal, !principal.key.isRevoked, store.hasher.matches(secret, principal.key.secretHash) else {
            return await refuse(GatewayError(.authentication, "invalid API key"), exchange, outcome: "unauthenticated")
        }
        exchange.event.accountID = principal.account.id
        exchange.event.orgID = principal.account.orgID
        exchange.event.keyID = principal.key.id
        let tier = principal.account.verificationTier
        let policy = config.policy(for: tier)
        let verdict = principal.verdict?.value ?? .allow

        // Verdicts that refuse.
        if verdict == .block {
            return await refuse(
                GatewayError(.permission, "this account is blocked; contact support", code: "account_blocked"),
                exchange, outcome: "blocked")
        }
        if verdict == .challenge {
            return await refuse(
                GatewayError(
                    .permission,
                    "verification required: confirm your identity in the console to continue using this account",
                    code: "verification_required"),
                exchange, outcome: "challenged")
        }

        // The body.
        let body: Data
        do {
            var buffer = try await request.body.collect(upTo: config.maxBodyBytes)
            body = buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch {
            return await refuse(
                GatewayError(.tooLarge, "request body is larger than \(config.maxBodyBytes) bytes"), exchange,
                outcome: "too_large")
        }
        var chat: ChatRequest
        do {
            chat = try ChatRequest(body: body, flavor: flavor)
        } catch {
            return await refuse(error, exchange, outcome: "invalid")
        }
        exchange.event.model = chat.model
        exchange.event.stream = chat.stream
        exchange.event.thinking = chat.thinking
        exchange.event.maxTokens = chat.maxTokens
        exchange.event.tools = chat.tools
        exchange.event.system = chat.system.map { String($0.prefix(config.records.keepSystemCharacters)) }
        exchange.event.prompt = chat.prompt.map { String($0.prefix(config.records.keepPromptCharacters)) }

        // What the tier may use.
        guard policy.allows(model: chat.model) else {
            return await refuse(
                GatewayError(
                    .permission, "model \(chat.model) is not available to \(tier.rawValue)-tier accounts; verify to unlock it",
                    param: "model", code: "model_not_available"),
                exchange, outcome: "tier_model")
        }
        if chat.tools > 0, !policy.tools {
            return await refuse(
                GatewayError(.permission, "tools are not available to \(tier.rawValue)-tier accounts", param: "tools"),
                exchange, outcome: "tier_tools")
        }
        if chat.thinking, !policy.visibleReasoning, verdict != .degrade {
            return await refuse(
                GatewayError(
                    .permission, "visible reasoning is not available to \(tier.rawValue)-tier accounts",
                    param: flavor == .anthropic ? "thinking" : "reasoning_effort"),
                exchange, outcome: "tier_reasoning")
        }
        if verdict == .degrade {
            chat.withholdReasoning()
            chat.capOutput(at: config.verdicts.degradeMaxOutputTokens)
        }
        if let cap = policy.maxOutputTokens { chat.capOutput(at: cap) }

        // Where the request comes from.
        var info = AddressInfo()
        if let intel {
            let allowListed = GatewayAddress(clientIP).map { a in policy.allowAddresses.contains { $0.contains(a) } } ?? false
            info = intel.lookup(clientIP)
            if !allowListed {
                if let country = info.country {
                    if policy.denyCountries.contains(country) || policy.allowCountries.map({ !$0.contains(country) }) == true {
                        return await refuse(
                            GatewayError(
                                .permission, "requests from \(country) are not served for \(tier.rawValue)-tier accounts",
                                code: "country_not_allowed"),
                            exchange, outcome: "geofence_country")
                    }
                } else if policy.allowCountries != nil {
                    return await refuse(
                        GatewayError(.permission, "requests from an unknown country are not served for this tier",
                                     code: "country_not_allowed"),
                        exchange, outcome: "geofence_country")
                }
                if let kind = info.kind, policy.anonymizerKinds.contains(kind) {
                    switch policy.anonymizers {
                    case .deny:
                        return await refuse(
                            GatewayError(
                                .permission,
                                "requests through a \(kind) network are not served for \(tier.rawValue)-tier accounts",
                                code: "anonymizer_not_allowed"),
                            exchange, outcome: "geofence_anonymizer")
                    case .flag:
                        metrics.flagged(kind: kind)
                        logger.info(
                            "anonymised address",
                            metadata: ["hydraguard.account.id": "\(principal.account.id)", "hydraguard.ip.kind": "\(kind)"])
                    case .allow:
                        break
                    }
                }
            }
        }

        // Limits.
        let estimate = chat.estimatedInputTokens(charactersPerToken: config.charactersPerToken)
        let outputReserve = chat.maxTokens ?? policy.maxOutputTokens ?? 4096
        let reservation: ReservationGuard
        switch limiter.reserve(limitRequest(principal: principal, policy: policy, verdict: verdict, address: clientIP,
                                            info: info, input: estimate, output: outputReserve)) {
        case .failure(let refusal):
            return await refuse(
                GatewayError(
                    .rateLimit, refusal.message, retryAfter: refusal.retryAfter,
                    shouldRetry: refusal.retryAfter == nil ? false : nil, limitStatus: refusal.status),
                exchange, outcome: "rate_limited")
        case .success(let r):
            reservation = ReservationGuard(r, limiter: limiter)
            exchange.limitStatus = r.status
        }

        chat.askForStreamUsage()
        return await forward(chat, body: chat.forwardBody(original: body), request: request, reservation: reservation,
                             exchange: exchange, estimate: estimate)
    }

    func limitRequest(
        principal: Principal, policy: TierPolicy, verdict: GatewayVerdict, address: String, info: AddressInfo,
        input: Int, output: Int
    ) -> LimitRequest {
        let factor = verdict == .throttle ? config.verdicts.throttleFactor : 1
        func adjust(_ l: LimitSet) -> LimitSet { factor == 1 ? l : l.scaled(by: factor) }
        let accountLimits = adjust(policy.limits)
        var scopes: [(scope: String, limits: LimitSet)] = [("account:\(principal.account.id)", accountLimits)]
        scopes.append(("key:\(principal.key.id)", adjust(policy.keyLimits ?? policy.limits)))
        if let org = principal.org {
            let orgPolicy = config.policy(for: org.verificationTier)
            scopes.append(("org:\(org.id)", orgPolicy.orgLimits ?? orgPolicy.limits))
        }
        if !config.perPrefix.isEmpty, let a = GatewayAddress(address) {
            scopes.append(("prefix:\(a.limitPrefix)", config.perPrefix))
        }
        if !config.perASN.isEmpty, let asn = info.asn { scopes.append(("asn:\(asn)", config.perASN)) }
        return LimitRequest(
            scopes: scopes, concurrencyScope: "account:\(principal.account.id)", concurrencyLimit: accountLimits.concurrent,
            inputTokens: input, outputTokens: output)
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
