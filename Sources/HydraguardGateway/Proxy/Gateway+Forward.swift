import AsyncHTTPClient
import Foundation
import HydraguardLog
import HydraguardStore
import Logging
import NIOCore
import NIOHTTP1

extension Gateway {
    /// The headers sent upstream: content type, the Anthropic version and beta flags, the upstream's key.
    func upstreamHeaders(flavor: APIFlavor, anthropicVersion: String?, anthropicBeta: String?, hasBody: Bool)
        -> HTTPHeaders
    {
        // The names are the gateway's own, so NIO's check of each (`add`) is not needed.
        var headers: [(String, String)] = []
        headers.reserveCapacity(4)
        if hasBody { headers.append(("content-type", "application/json")) }
        switch flavor {
        case .anthropic:
            headers.append(("anthropic-version", anthropicVersion ?? "2023-06-01"))
            if let anthropicBeta { headers.append(("anthropic-beta", anthropicBeta)) }
            if let key = config.upstream.apiKey { headers.append(("x-api-key", key)) }
        case .openai:
            if let key = config.upstream.apiKey { headers.append(("authorization", "Bearer \(key)")) }
        }
        return HTTPHeaders(headers)
    }

    /// One exchange with the upstream: through the keep-alive pool for a plain-HTTP upstream (on `loop`,
    /// with no hop), through AsyncHTTPClient for HTTPS. A non-streamed answer comes back whole within
    /// `upstream.timeout_ms`; a streamed one as soon as its head arrives.
    func sendUpstream(path: String, headers: HTTPHeaders, body: ByteBuffer?, stream: Bool, on loop: any EventLoop)
        -> EventLoopFuture<UpstreamResponse>
    {
        let timeout = TimeAmount.milliseconds(Int64(config.upstream.timeoutMs))
        if let pool {
            return pool.exchange(
                method: body == nil ? .GET : .POST, path: path, headers: headers, body: body, stream: stream,
                timeout: timeout, maxBytes: config.upstream.maxResponseBytes, on: loop)
        }
        return loop.makeFutureWithLoopTask {
            let started = ContinuousClock.now
            var request = HTTPClientRequest(url: self.config.upstream.url + path)
            request.method = body == nil ? .GET : .POST
            request.headers = headers
            if let body { request.body = .bytes(body) }
            let response = try await self.httpClient.execute(request, timeout: timeout)
            let answer: UpstreamBody = stream
                ? .stream(response.body)
                : .whole(try await self.collectBody(
                    response.body, deadline: started + .milliseconds(self.config.upstream.timeoutMs)))
            return UpstreamResponse(
                status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
                cacheControl: response.headers.first(name: "cache-control"), body: answer)
        }
    }

    /// The whole body, whichever way it came.
    func wholeBody(_ body: UpstreamBody, deadline: ContinuousClock.Instant, on loop: any EventLoop)
        -> EventLoopFuture<ByteBuffer>
    {
        switch body {
        case .whole(let buffer): return loop.makeSucceededFuture(buffer)
        case .stream(let stream): return loop.makeFutureWithLoopTask { try await self.collectBody(stream, deadline: deadline) }
        }
    }

    func upstreamFailure(_ error: any Error) -> GatewayError {
        let timedOut = (error as? HTTPClientError).map { $0 == .deadlineExceeded || $0 == .readTimeout } ?? false
            || (error as? UpstreamError) == .timeout
        guard timedOut else { return GatewayError(.upstream, "the model API is unreachable", shouldRetry: true) }
        return GatewayError(
            .timeout, "the model API did not answer within \(config.upstream.timeoutMs) ms", shouldRetry: true)
    }

    /// The whole body of an answer, by the deadline: AsyncHTTPClient's own deadline ends with the response
    /// head, so a body that stalls is cut by the client's read timeout (no byte for the timeout's length)
    /// and one that trickles is cut here at the first chunk after the deadline.
    func collectBody(_ body: some AsyncSequence<ByteBuffer, any Error>, deadline: ContinuousClock.Instant) async throws
        -> ByteBuffer
    {
        var buffer = ByteBuffer()
        let limit = config.upstream.maxResponseBytes
        for try await chunk in body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else { throw UpstreamError.tooLarge }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
            if ContinuousClock.now > deadline { throw UpstreamError.timeout }
        }
        return buffer
    }

    /// Sends an admitted request upstream and answers with what comes back: settles the reservation to the
    /// reported usage and writes the record (before the answer, for a whole one; at the end, for a stream).
    func forward(_ plan: Plan, exchange: Exchange, on loop: any EventLoop, reply: @escaping Reply) {
        let flavor = plan.chat.flavor
        let upstreamStart = ContinuousClock.now
        let headers = upstreamHeaders(
            flavor: flavor, anthropicVersion: plan.anthropicVersion, anthropicBeta: plan.anthropicBeta, hasBody: true)
        sendUpstream(path: flavor.endpoint, headers: headers, body: plan.body, stream: plan.chat.stream, on: loop)
            .assumeIsolated().whenComplete { result in
                switch result {
                case .success(let response):
                    self.answer(response, plan: plan, exchange: exchange, upstreamStart: upstreamStart, on: loop, reply: reply)
                case .failure(let error):
                    self.upstreamFailed(error, plan: plan, exchange: exchange, on: loop, reply: reply)
                }
            }
    }

    /// The exchange failed before anything was recorded or settled (no answer, or no whole body).
    private func upstreamFailed(
        _ error: any Error, plan: Plan, exchange: Exchange, on loop: any EventLoop, reply: @escaping Reply
    ) {
        plan.reservation.settle(inputTokens: 0, outputTokens: 0)
        logger.warning(
            "upstream failed", metadata: ["hydraguard.request.id": "\(exchange.event.requestID)", "error": "\(error)"])
        refuse(upstreamFailure(error), exchange, outcome: "upstream_error", on: loop, reply: reply)
    }

    /// Answers the client from the upstream's answer.
    private func answer(
        _ response: UpstreamResponse, plan: Plan, exchange: Exchange, upstreamStart: ContinuousClock.Instant,
        on loop: any EventLoop, reply: @escaping Reply
    ) {
        let flavor = plan.chat.flavor
        // The names are the gateway's own, so NIO's check of each (`add`) is not needed.
        var headers: [(String, String)] = []
        headers.reserveCapacity(12)
        headers.append(("content-type", response.contentType ?? "application/json"))
        headers.append((flavor == .anthropic ? "request-id" : "x-request-id", exchange.event.requestID))

        var events: (any AsyncSequence<ByteBuffer, any Error> & Sendable)?
        if plan.chat.stream, response.status == 200, response.contentType?.hasPrefix("text/event-stream") ?? false,
            case .stream(let upstreamBody) = response.body
        {
            events = upstreamBody
        }
        if let cacheControl = events == nil ? response.cacheControl : "no-cache" {
            headers.append(("cache-control", cacheControl))
        }
        RateLimitHeaders.add(exchange.limitStatus, flavor: flavor, now: limiter.clock.now(), to: &headers)
        let answerHeaders = HTTPHeaders(headers)
        if let events {
            return reply(
                .stream(
                    .ok, answerHeaders,
                    streamBody(events, plan: plan, exchange: exchange, upstreamStart: upstreamStart, on: loop)))
        }
        switch response.body {
        case .whole(let body):
            answerWhole(
                body, status: response.status, headers: answerHeaders, plan: plan, exchange: exchange,
                upstreamStart: upstreamStart, on: loop, reply: reply)
        case .stream:
            let deadline = upstreamStart + .milliseconds(config.upstream.timeoutMs)
            wholeBody(response.body, deadline: deadline, on: loop).assumeIsolated().whenComplete { result in
                switch result {
                case .success(let body):
                    self.answerWhole(
                        body, status: response.status, headers: answerHeaders, plan: plan, exchange: exchange,
                        upstreamStart: upstreamStart, on: loop, reply: reply)
                case .failure(let error):
                    self.upstreamFailed(error, plan: plan, exchange: exchange, on: loop, reply: reply)
                }
            }
        }
    }

    /// A whole answer: its usage settles the reservation, and it goes out once its record is safe.
    private func answerWhole(
        _ body: ByteBuffer, status: Int, headers: HTTPHeaders, plan: Plan, exchange: Exchange,
        upstreamStart: ContinuousClock.Instant, on loop: any EventLoop, reply: @escaping Reply
    ) {
        let flavor = plan.chat.flavor
        metrics.upstreamLatency.record(ContinuousClock.now - upstreamStart)
        let ok = (200..<300).contains(status)
        let usage = ok ? ReportedUsage.fromBody(body, flavor: flavor) : nil
        let input = ok ? usage?.inputTokens ?? plan.estimate : 0
        let output = ok ? usage?.outputTokens ?? 0 : 0
        plan.reservation.settle(inputTokens: input, outputTokens: output)
        exchange.event.status = status
        exchange.event.inputTokens = input
        exchange.event.outputTokens = output
        exchange.event.latencyMs = exchange.elapsedMs
        metrics.inputTokens.increment(by: Int64(input))
        metrics.outputTokens.increment(by: Int64(output))
        metrics.request(api: flavor, status: status, outcome: ok ? "forwarded" : "upstream_status")
        let answer = GatewayAnswer.whole(HTTPResponseStatus(statusCode: status), headers, body)
        recorder.record(exchange.event, on: loop) { reply(answer) }
    }

    /// A stream: passes events through as they arrive, reads usage on the way, and settles and records at
    /// the end (also when the client goes away mid-stream or the upstream breaks off).
    private func streamBody(
        _ upstreamBody: any AsyncSequence<ByteBuffer, any Error> & Sendable, plan: Plan, exchange: Exchange,
        upstreamStart: ContinuousClock.Instant, on loop: any EventLoop
    ) -> AnswerStream {
        let flavor = plan.chat.flavor
        let dropUsage = flavor == .openai && !plan.chat.clientWantsStreamUsage
        return { [self] writer in
            var tracker = StreamUsageTracker(flavor: flavor, dropUsageChunk: dropUsage)
            var clientGone = false
            var upstreamFailed = false
            // Cancelled: the gateway is shutting down and its deadline for streams has passed (the
            // upstream's body ends at once on cancellation, and its connection closes).
            var cut = false
            do {
                for try await chunk in upstreamBody {
                    if Task.isCancelled { break }
                    let out = tracker.feed(chunk.readableBytesView)
                    guard !out.isEmpty else { continue }
                    do {
                        try await writer.write(ByteBuffer(bytes: out))
                    } catch {
                        clientGone = true
                        break
                    }
                }
                // A stream whose last event came through is whole, however close to the deadline it ended.
                cut = Task.isCancelled && !clientGone && !tracker.sawEnd
            } catch {
                if Task.isCancelled {
                    cut = !tracker.sawEnd
                } else {
                    upstreamFailed = true
                    logger.warning(
                        "upstream stream failed",
                        metadata: ["hydraguard.request.id": "\(exchange.event.requestID)", "error": "\(error)"])
                }
            }
            if !clientGone {
                let rest = tracker.finish()
                if !rest.isEmpty { try? await writer.write(ByteBuffer(bytes: rest)) }
                if upstreamFailed || cut {
                    // Tell the client in its API's own stream format, so that its SDK raises an error
                    // instead of taking a cut-off answer for a whole one.
                    let message = cut ? Self.shuttingDownMessage : Self.upstreamStoppedMessage
                    try? await writer.write(ByteBuffer(string: Self.streamErrorEvent(flavor, message: message)))
                }
            }
            let usage = tracker.usage
            let input = usage.inputTokens ?? plan.estimate
            let output = usage.outputTokens ?? usage.deltaEvents
            plan.reservation.settle(inputTokens: input, outputTokens: output)
            metrics.upstreamLatency.record(ContinuousClock.now - upstreamStart)
            metrics.inputTokens.increment(by: Int64(input))
            metrics.outputTokens.increment(by: Int64(output))
            exchange.event.status = 200
            exchange.event.inputTokens = input
            exchange.event.outputTokens = output
            exchange.event.latencyMs = exchange.elapsedMs
            try? await recorder.record(exchange.event, on: loop).get()
            metrics.request(
                api: flavor, status: 200,
                outcome: clientGone ? "client_disconnected" : cut ? "cut_at_shutdown"
                    : upstreamFailed ? "upstream_stream_error" : "forwarded")
            if !clientGone { try? await writer.finish() }
        }
    }

    static let upstreamStoppedMessage = "the model API stopped answering mid-stream"
    static let shuttingDownMessage = "the gateway is shutting down; retry the request"

    /// The event that ends a stream cut short (the upstream broke off, or the gateway is shutting down):
    /// Anthropic's `error` event, or the `error` object that OpenAI's SDKs raise on.
    static func streamErrorEvent(_ flavor: APIFlavor, message: String = upstreamStoppedMessage) -> String {
        switch flavor {
        case .anthropic:
            return "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"\(message)\"}}\n\n"
        case .openai:
            return "data: {\"error\":{\"message\":\"\(message)\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"
        }
    }

    /// `GET /v1/models`: the upstream's list, narrowed to what the caller's tier may use.
    func handleModels(_ request: GatewayRequest, on loop: any EventLoop) async -> GatewayAnswer {
        let flavor: APIFlavor = request.head.apiKey != nil || request.head.anthropicVersion != nil ? .anthropic : .openai
        let exchange = exchange(for: request, flavor: flavor, endpoint: "/v1/models", model: "-")
        var secret = ""
        var principal: Principal?
        switch self.principal(for: request, exchange: exchange, on: loop) {
        case .missing:
            return await refuse(Self.missingKey, exchange, outcome: "unauthenticated", on: loop).answer()
        case .lockedOut(let wait):
            return await refuse(Self.lockedOut(retryAfter: wait), exchange, outcome: "auth_locked_out", on: loop).answer()
        case .known(let s, let p): (secret, principal) = (s, p)
        case .loading(let s, let p): (secret, principal) = (s, try? await p.get())
        }
        // No key memo here: this runs in a task, off the connection's loop that the memo belongs to.
        guard let principal = authenticated(secret, principal, exchange: exchange) else {
            return await refuse(GatewayError(.authentication, "invalid API key"), exchange, outcome: "unauthenticated",
                                on: loop).answer()
        }
        if principal.verdict?.value == .block {
            return await refuse(GatewayError(.permission, "this account is blocked", code: "account_blocked"), exchange,
                                outcome: "blocked", on: loop).answer()
        }
        let policy = self.policy(for: principal.account.verificationTier)
        let started = ContinuousClock.now
        do {
            let headers = upstreamHeaders(
                flavor: flavor, anthropicVersion: request.head.anthropicVersion, anthropicBeta: request.head.anthropicBeta,
                hasBody: false)
            let response = try await sendUpstream(path: "/v1/models", headers: headers, body: nil, stream: false, on: loop)
                .get()
            let body = try await wholeBody(
                response.body, deadline: started + .milliseconds(config.upstream.timeoutMs), on: loop
            ).get()
            var data = Data(body.readableBytesView)
            if var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let list = object["data"] as? [[String: Any]]
            {
                object["data"] = list.filter { entry in
                    guard let id = entry["id"] as? String else { return false }
                    return policy.allows(model: id)
                }
                data = (try? JSONSerialization.data(withJSONObject: object)) ?? data
            }
            exchange.event.status = response.status
            exchange.event.latencyMs = exchange.elapsedMs
            try? await recorder.record(exchange.event, on: loop).get()
            metrics.request(api: flavor, status: exchange.event.status, outcome: "models")
            return .whole(
                HTTPResponseStatus(statusCode: response.status), ["content-type": "application/json"],
                ByteBuffer(bytes: data))
        } catch {
            return await refuse(upstreamFailure(error), exchange, outcome: "upstream_error", on: loop).answer()
        }
    }
}

extension EventLoopFuture<GatewayAnswer> {
    /// The answer of a future that never fails.
    fileprivate func answer() async -> GatewayAnswer {
        (try? await get()) ?? Gateway.internalErrorAnswer
    }
}
