import Foundation
public import HTTPTypes
public import NIOCore

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
        var object: [String: Any]
        switch flavor {
        case .anthropic:
            object = ["type": "error", "error": ["type": anthropicType(), "message": message]]
            object["request_id"] = requestID
        case .openai:
            var error: [String: Any] = ["message": message, "type": openAIType()]
            error["param"] = param ?? NSNull()
            error["code"] = code ?? (kind == .rateLimit ? "rate_limit_exceeded" : NSNull())
            object = ["error": error]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return ByteBuffer(bytes: data)
    }
}

extension HTTPField.Name {
    static let retryAfter = HTTPField.Name("retry-after")!
    static let xShouldRetry = HTTPField.Name("x-should-retry")!
    static let requestID = HTTPField.Name("request-id")!
    static let xRequestID = HTTPField.Name("x-request-id")!
    static let xAPIKey = HTTPField.Name("x-api-key")!
    static let xForwardedFor = HTTPField.Name("x-forwarded-for")!
    static let anthropicVersion = HTTPField.Name("anthropic-version")!
}

enum RateLimitHeaders {
    /// `anthropic-ratelimit-*` (reset as RFC 3339) or `x-ratelimit-*` (reset as `1m2s`).
    static func add(_ status: [LimitStatus], flavor: APIFlavor, now: Double, to headers: inout HTTPFields) {
        for s in status {
            switch flavor {
            case .anthropic:
                let metric = s.metric == .requests ? "requests" : s.metric == .inputTokens ? "input-tokens" : "output-tokens"
                headers.append(HTTPField(name: HTTPField.Name("anthropic-ratelimit-\(metric)-limit")!, value: "\(s.limit)"))
                headers.append(HTTPField(name: HTTPField.Name("anthropic-ratelimit-\(metric)-remaining")!, value: "\(s.remaining)"))
                headers.append(HTTPField(
                    name: HTTPField.Name("anthropic-ratelimit-\(metric)-reset")!,
                    value: rfc3339(now + s.resetSeconds)))
            case .openai:
                // OpenAI reports requests and tokens; input tokens stand for tokens here.
                guard s.metric != .outputTokens else { continue }
                let metric = s.metric == .requests ? "requests" : "tokens"
                headers.append(HTTPField(name: HTTPField.Name("x-ratelimit-limit-\(metric)")!, value: "\(s.limit)"))
                headers.append(HTTPField(name: HTTPField.Name("x-ratelimit-remaining-\(metric)")!, value: "\(s.remaining)"))
                headers.append(HTTPField(name: HTTPField.Name("x-ratelimit-reset-\(metric)")!, value: duration(s.resetSeconds)))
            }
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
