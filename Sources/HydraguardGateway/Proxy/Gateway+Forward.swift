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
    /// The headers sent upstream: content type, the Anthropic version and beta flags, the upstream's key.
    func upstreamHeaders(flavor: APIFlavor, clientHeaders: HTTPFields, hasBody: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if hasBody { headers.add(name: "content-type", value: "application/json") }
        switch flavor {
        case .anthropic:
            headers.add(name: "anthropic-version", value: clientHeaders[.anthropicVersion] ?? "2023-06-01")
            if let beta = clientHeaders[HTTPField.Name("anthropic-beta")!] { headers.add(name: "anthropic-beta", value: beta) }
            if let key = config.upstream.apiKey { headers.add(name: "x-api-key", value: key) }
        case .openai:
            if let key = config.upstream.apiKey { headers.add(name: "authorization", value: "Bearer \(key)") }
        }
        return headers
    }

    /// One exchange with the upstream: through the keep-alive pool for a plain-HTTP upstream, through
    /// AsyncHTTPClient for HTTPS. A non-streamed answer comes back whole within `upstream.timeout_ms`;
    /// a streamed one as soon as its head arrives.
    func sendUpstream(path: String, flavor: APIFlavor, clientHeaders: HTTPFields, body: Data?, stream: Bool)
        async throws -> UpstreamResponse
    {
        let headers = upstreamHeaders(flavor: flavor, clientHeaders: clientHeaders, hasBody: body != nil)
        let timeout = TimeAmount.milliseconds(Int64(config.upstream.timeoutMs))
        let buffer = body.map { ByteBuffer(bytes: $0) }
        if let pool {
            return try await pool.send(
                method: body == nil ? .GET : .POST, path: path, headers: headers, body: buffer, stream: stream,
                timeout: timeout, maxBytes: config.upstream.maxResponseBytes)
        }
        let started = ContinuousClock.now
        var request = HTTPClientRequest(url: config.upstream.url + path)
        request.method = body == nil ? .GET : .POST
        request.headers = headers
        if let buffer { request.body = .bytes(buffer) }
        let response = try await httpClient.execute(request, timeout: timeout)
        let answer: UpstreamBody = stream
            ? .stream(response.body)
            : .whole(try await collectBody(response.body, deadline: started + .milliseconds(config.upstream.timeoutMs)))
        return UpstreamResponse(
            status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
            cacheControl: response.headers.first(name: "cache-control"), body: answer)
    }

    /// The whole body, whichever way it came.
    func wholeBody(_ body: UpstreamBody, deadline: ContinuousClock.Instant) async throws -> Data {
        switch body {
        case .whole(let buffer): return Data(buffer.readableBytesView)
        case .stream(let stream):
            var buffer = try await collectBody(stream, deadline: deadline)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        }
    }

    func upstreamFailure(_ error: any Error) -> GatewayError {
        if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout {
            return GatewayError(
                .timeout, "the model API did not answer within \(config.upstream.timeoutMs) ms", shouldRetry: true)
        }
        if let e = error as? UpstreamError, e == .timeout {
            return GatewayError(
                .timeout, "the model API did not answer within \(config.upstream.timeoutMs) ms", shouldRetry: true)
        }
        return GatewayError(.upstream, "the model API is unreachable", shouldRetry: true)
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

    func forward(
        _ chat: ChatRequest, body: Data, request: Request, reservation: ReservationGuard, exchange: Exchange, estimate: Int
    ) async -> Response {
        var exchange = exchange
        let flavor = chat.flavor
        let upstreamStart = ContinuousClock.now
        let response: UpstreamResponse
        do {
            response = try await sendUpstream(
                path: flavor.endpoint, flavor: flavor, clientHeaders: request.headers, body: body, stream: chat.stream)
        } catch {
            reservation.settle(inputTokens: 0, outputTokens: 0)
            logger.warning(
                "upstream failed", metadata: ["hydraguard.request.id": "\(exchange.event.requestID)", "error": "\(error)"])
            return await refuse(upstreamFailure(error), exchange, outcome: "upstream_error")
        }

        var headers: HTTPFields = [:]
        headers[.contentType] = response.contentType ?? "application/json"
        headers[flavor == .anthropic ? .requestID : .xRequestID] = exchange.event.requestID
        if let cacheControl = response.cacheControl { headers[.cacheControl] = cacheControl }
        RateLimitHeaders.add(exchange.limitStatus, flavor: flavor, now: limiter.clock.now(), to: &headers)
        let status = HTTPResponse.Status(code: response.status)

        guard chat.stream, response.status == 200, response.contentType?.hasPrefix("text/event-stream") ?? false,
            case .stream(let upstreamBody) = response.body
        else {
            let data: Data
            do {
                data = try await wholeBody(response.body, deadline: upstreamStart + .milliseconds(config.upstream.timeoutMs))
            } catch {
                reservation.settle(inputTokens: 0, outputTokens: 0)
                return await refuse(upstreamFailure(error), exchange, outcome: "upstream_error")
            }
            metrics.upstreamLatency.record(ContinuousClock.now - upstreamStart)
            let ok = (200..<300).contains(response.status)
            let usage = ok ? ReportedUsage.fromBody(data, flavor: flavor) : nil
            let input = ok ? usage?.inputTokens ?? estimate : 0
            let output = ok ? usage?.outputTokens ?? 0 : 0
            reservation.settle(inputTokens: input, outputTokens: output)
            exchange.event.status = response.status
            exchange.event.inputTokens = input
            exchange.event.outputTokens = output
            exchange.event.latencyMs = exchange.elapsedMs
            metrics.inputTokens.increment(by: Int64(input))
            metrics.outputTokens.increment(by: Int64(output))
            await recorder.record(exchange.event)
            metrics.request(api: flavor, status: exchange.event.status, outcome: ok ? "forwarded" : "upstream_status")
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        // A stream: pass events through as they arrive, read usage on the way, settle and record at the end
        // (also when the client goes away mid-stream).
        headers[.cacheControl] = "no-cache"
        let finalExchange = exchange
        let dropUsage = flavor == .openai && !chat.clientWantsStreamUsage
        return Response(status: status, headers: headers, body: ResponseBody { [self] writer in
            var tracker = StreamUsageTracker(flavor: flavor, dropUsageChunk: dropUsage)
            var exchange = finalExchange
            var clientGone = false
            var upstreamFailed = false
            do {
                for try await chunk in upstreamBody {
                    let out = tracker.feed(chunk.readableBytesView)
                    guard !out.isEmpty else { continue }
                    do {
                        try await writer.write(ByteBuffer(bytes: out))
                    } catch {
                        clientGone = true
                        break
                    }
                }
            } catch {
                upstreamFailed = true
                logger.warning(
                    "upstream stream failed",
                    metadata: ["hydraguard.request.id": "\(exchange.event.requestID)", "error": "\(error)"])
            }
            if !clientGone {
                let rest = tracker.finish()
                if !rest.isEmpty { try? await writer.write(ByteBuffer(bytes: rest)) }
                if upstreamFailed {
                    // Tell the client in its API's own stream format, so that its SDK raises an error
                    // instead of taking a cut-off answer for a whole one.
                    try? await writer.write(ByteBuffer(string: Self.streamErrorEvent(flavor)))
                }
            }
            let usage = tracker.usage
            let input = usage.inputTokens ?? estimate
            let output = usage.outputTokens ?? usage.deltaEvents
            reservation.settle(inputTokens: input, outputTokens: output)
            metrics.upstreamLatency.record(ContinuousClock.now - upstreamStart)
            metrics.inputTokens.increment(by: Int64(input))
            metrics.outputTokens.increment(by: Int64(output))
            exchange.event.status = 200
            exchange.event.inputTokens = input
            exchange.event.outputTokens = output
            exchange.event.latencyMs = exchange.elapsedMs
            await recorder.record(exchange.event)
            metrics.request(
                api: flavor, status: 200,
                outcome: clientGone ? "client_disconnected" : upstreamFailed ? "upstream_stream_error" : "forwarded")
            if !clientGone { try await writer.finish(nil) }
        })
    }

    /// The event that ends a stream the upstream broke off: Anthropic's `error` event, or the `error`
    /// object that OpenAI's SDKs raise on.
    static func streamErrorEvent(_ flavor: APIFlavor) -> String {
        let message = "the model API stopped answering mid-stream"
        switch flavor {
        case .anthropic:
            return "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"\(message)\"}}\n\n"
        case .openai:
            return "data: {\"error\":{\"message\":\"\(message)\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"
        }
    }

    /// `GET /v1/models`: the upstream's list, narrowed to what the caller's tier may use.
    func handleModels(_ request: Request, peer: String?) async -> Response {
        let flavor: APIFlavor = request.headers[.xAPIKey] != nil || request.headers[.anthropicVersion] != nil
            ? .anthropic : .openai
        let clientIP = clientAddress(socket: peer, forwardedFor: request.headers[.xForwardedFor])
        var exchange = Exchange(
            event: UsageEvent(
                ts: Timestamp(secondsSince1970: limiter.clock.now()), requestID: Self.requestID(), accountID: "-",
                keyID: "-", ip: clientIP, userAgent: request.headers[.userAgent], endpoint: "/v1/models", model: "-",
                status: 0, inputTokens: 0, outputTokens: 0),
            flavor: flavor, started: .now)
        guard let secret = Self.presentedSecret(request.headers), let id = KeyHasher.keyID(inSecret: secret),
            let principal = try? await cache.principal(keyID: id), !principal.key.isRevoked,
            store.hasher.matches(secret, principal.key.secretHash)
        else {
            return await refuse(GatewayError(.authentication, "invalid API key"), exchange, outcome: "unauthenticated")
        }
        exchange.event.accountID = principal.account.id
        exchange.event.orgID = principal.account.orgID
        exchange.event.keyID = principal.key.id
        if principal.verdict?.value == .block {
            return await refuse(GatewayError(.permission, "this account is blocked", code: "account_blocked"), exchange,
                                outcome: "blocked")
        }
        let policy = config.policy(for: principal.account.verificationTier)
        let started = ContinuousClock.now
        do {
            let response = try await sendUpstream(
                path: "/v1/models", flavor: flavor, clientHeaders: request.headers, body: nil, stream: false)
            var data = try await wholeBody(response.body, deadline: started + .milliseconds(config.upstream.timeoutMs))
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
            await recorder.record(exchange.event)
            metrics.request(api: flavor, status: exchange.event.status, outcome: "models")
            return Response(
                status: HTTPResponse.Status(code: response.status),
                headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return await refuse(upstreamFailure(error), exchange, outcome: "upstream_error")
        }
    }
}
