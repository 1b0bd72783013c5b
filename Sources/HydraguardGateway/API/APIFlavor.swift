import Foundation
public import HTTPTypes
public import NIOCore
public import NIOHTTP1

/// Which API a request speaks: errors and rate-limit headers are written in its own format, so that the
/// official SDKs raise the right exception and honour `retry-after`.
public enum APIFlavor: String, Sendable, Hashable {
    /// `POST /v1/messages`
    case anthropic
    /// `POST /v1/chat/completions`
    case openai

    public var endpoint: String { self == .anthropic ? "/v1/messages" : "/v1/chat/completions" }
}

/// An error answer in the caller's API format.
public struct GatewayError: Error, Sendable {
    public enum Kind: Sendable {
        case invalidRequest, authentication, permission, notFound, tooLarge, rateLimit, upstream, timeout, internalError
    }

    public var kind: Kind
    public var message: String
    /// The request field at fault (OpenAI's `param`).
    public var param: String?
    public var retryAfter: Double?
    public var shouldRetry: Bool?
    public var limitStatus: [LimitStatus]
    /// Extra status detail for OpenAI's `code` (e.g. `rate_limit_exceeded`, `verification_required`).
    public var code: String?

    public init(_ kind: Kind, _ message: String, param: String? = nil, retryAfter: Double? = nil,
                shouldRetry: Bool? = nil, limitStatus: [LimitStatus] = [], code: String? = nil) {
        self.kind = kind
        self.message = message
        self.param = param
        self.retryAfter = retryAfter
        self.shouldRetry = shouldRetry
        self.limitStatus = limitStatus
        self.code = code
    }

    public var status: HTTPResponse.Status {
        switch kind {
        case .invalidRequest: .badRequest
        case .authentication: .unauthorized
        case .permission: .forbidden
        case .notFound: .notFound
        case .tooLarge: .contentTooLarge
        case .rateLimit: .tooManyRequests
        case .upstream: .badGateway
        case .timeout: .gatewayTimeout
        case .internalError: .internalServerError
        }
    }

    /// The status as a number, for the record.
    public var statusCode: Int { Int(status.code) }

    /// The status in NIO's terms, for the answer.
    public var responseStatus: HTTPResponseStatus { HTTPResponseStatus(statusCode: statusCode) }

    func anthropicType() -> String {
        switch kind {
        case .invalidRequest: "invalid_request_error"
        case .authentication: "authentication_error"
        case .permission: "permission_error"
        case .notFound: "not_found_error"
        case .tooLarge: "request_too_large"
        case .rateLimit: "rate_limit_error"
        case .upstream, .timeout, .internalError: "api_error"
        }
    }

    func openAIType() -> String {
        switch kind {
        case .invalidRequest, .notFound, .tooLarge: "invalid_request_error"
        case .authentication: "authentication_error"
        case .permission: "permission_error"
        case .rateLimit: "requests"
        case .upstream, .timeout, .internalError: "server_error"
        }
    }

    /// The JSON body in `flavor`'s error shape.
    public func body(_ flavor: APIFlavor, requestID: String) -> ByteBuffer {
        var error = JSONObject()
        let object: JSONValue
        switch flavor {
        case .anthropic:
            error["type"] = .string(anthropicType())
            error["message"] = .string(message)
            var outer = JSONObject()
            outer["type"] = .string("error")
            outer["error"] = .object(error)
            outer["request_id"] = .string(requestID)
            object = .object(outer)
        case .openai:
            error["message"] = .string(message)
            error["type"] = .string(openAIType())
            error["param"] = param.map { .string($0) } ?? .null
            error["code"] = (code ?? (kind == .rateLimit ? "rate_limit_exceeded" : nil)).map { .string($0) } ?? .null
            var outer = JSONObject()
            outer["error"] = .object(error)
            object = .object(outer)
        }
        return ByteBuffer(bytes: object.serialized())
    }
}

enum RateLimitHeaders {
    /// Header names per metric: `anthropic-ratelimit-<metric>-{limit,remaining,reset}` and
    /// `x-ratelimit-{limit,remaining,reset}-<requests|tokens>` (nil: not reported in that API).
    private static func names(_ metric: LimitMetric, _ flavor: APIFlavor) -> (limit: String, remaining: String, reset: String)? {
        switch (flavor, metric) {
        case (.anthropic, .requests):
            ("anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset")
        case (.anthropic, .inputTokens):
            ("anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
             "anthropic-ratelimit-input-tokens-reset")
        case (.anthropic, .outputTokens):
            ("anthropic-ratelimit-output-tokens-limit", "anthropic-ratelimit-output-tokens-remaining",
             "anthropic-ratelimit-output-tokens-reset")
        case (.openai, .requests): ("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests")
        // OpenAI reports requests and tokens; input tokens stand for tokens here.
        case (.openai, .inputTokens): ("x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens")
        case (.openai, .outputTokens): nil
        }
    }

    /// `anthropic-ratelimit-*` (reset as RFC 3339) or `x-ratelimit-*` (reset as `1m2s`).
    static func add(_ status: [LimitStatus], flavor: APIFlavor, now: Double, to headers: inout [(String, String)]) {
        for s in status {
            guard let names = names(s.metric, flavor) else { continue }
            headers.append((names.limit, String(s.limit)))
            headers.append((names.remaining, String(s.remaining)))
            headers.append((names.reset, flavor == .anthropic ? rfc3339(now + s.resetSeconds) : duration(s.resetSeconds)))
        }
    }

    static func duration(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded(.up))
        if ms < 1000 { return "\(ms)ms" }
        let m = ms / 60_000
        let s = Double(ms % 60_000) / 1000
        let sText = s == s.rounded() ? "\(Int(s))s" : String(format: "%.3fs", s)
        return m > 0 ? "\(m)m\(sText)" : sText
    }

    static func rfc3339(_ seconds: Double) -> String {
        let whole = Int64(seconds.rounded(.up))
        return HydraguardLogTime.rfc3339(seconds: whole)
    }
}
