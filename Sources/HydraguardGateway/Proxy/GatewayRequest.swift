import NIOCore
import NIOHTTP1

/// A request as the gateway reads it: its method and path, the few headers it decides on, the whole body
/// and the socket's peer. No other header is read, so no other is converted or passed on.
struct GatewayRequest: Sendable {
    var method: HTTPMethod
    /// The path without its query.
    var path: Substring
    var apiKey: String?
    var authorization: String?
    var forwardedFor: String?
    var userAgent: String?
    var anthropicVersion: String?
    var anthropicBeta: String?
    /// The value of the configured TLS fingerprint header (`tls_fingerprint_header`), whoever sent it:
    /// believed only from a trusted proxy, which the gateway decides.
    var tlsFingerprint: String?
    var body: ByteBuffer
    /// The socket's peer address (nil when unknown, as for a Unix socket).
    var peer: String?
    /// The connection's memo of the last secret that matched (nil: every secret is hashed).
    var keyMemo: KeyMemo?

    /// The headers read, by their lower-case names. A header given more than once is read as its values
    /// joined by ", " (as HTTP combines them).
    private enum Read: CaseIterable {
        case apiKey, authorization, forwardedFor, userAgent, anthropicVersion, anthropicBeta

        var name: String {
            switch self {
            case .apiKey: "x-api-key"
            case .authorization: "authorization"
            case .forwardedFor: "x-forwarded-for"
            case .userAgent: "user-agent"
            case .anthropicVersion: "anthropic-version"
            case .anthropicBeta: "anthropic-beta"
            }
        }
    }

    private static let names: [(Read, [UInt8])] = Read.allCases.map { ($0, Array($0.name.utf8)) }

    /// NIO's request head and body as the gateway's request; `fingerprintHeader` is the lower-case name
    /// of the TLS fingerprint header to read, if any.
    init(head: HTTPRequestHead, body: ByteBuffer, peer: String?, keyMemo: KeyMemo? = nil, fingerprintHeader: [UInt8]? = nil) {
        let uri = head.uri
        method = head.method
        path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
        self.body = body
        self.peer = peer
        self.keyMemo = keyMemo
        for (name, value) in head.headers {
            guard let read = Self.read(name) else {
                if let fingerprintHeader, Self.same(name, fingerprintHeader) { Self.join(&tlsFingerprint, value) }
                continue
            }
            switch read {
            case .apiKey: Self.join(&apiKey, value)
            case .authorization: Self.join(&authorization, value)
            case .forwardedFor: Self.join(&forwardedFor, value)
            case .userAgent: Self.join(&userAgent, value)
            case .anthropicVersion: Self.join(&anthropicVersion, value)
            case .anthropicBeta: Self.join(&anthropicBeta, value)
            }
        }
    }

    private static func join(_ field: inout String?, _ value: String) {
        if let existing = field { field = existing + ", " + value } else { field = value }
    }

    /// Which read header `name` is, compared without regard to case; nil for any other.
    private static func read(_ name: String) -> Read? {
        var name = name
        return name.withUTF8 { bytes -> Read? in
            for (read, known) in names where same(bytes, known) { return read }
            return nil
        }
    }

    /// Whether `name` is the header `known` (lower-case), compared without regard to case.
    private static func same(_ name: String, _ known: [UInt8]) -> Bool {
        var name = name
        return name.withUTF8 { same($0, known) }
    }

    private static func same(_ bytes: UnsafeBufferPointer<UInt8>, _ known: [UInt8]) -> Bool {
        guard known.count == bytes.count else { return false }
        for i in 0..<bytes.count where bytes[i] | 0x20 != known[i] | 0x20 { return false }
        return true
    }
}

/// What the gateway answers: a whole body of known length, or a stream written as it comes.
enum GatewayAnswer: Sendable {
    case whole(HTTPResponseStatus, HTTPHeaders, ByteBuffer)
    case stream(HTTPResponseStatus, HTTPHeaders, AnswerStream)
}

/// Writes a streamed answer's body; the handler that runs it gives the writer.
typealias AnswerStream = @Sendable (any AnswerStreamWriter) async -> Void

/// Where a streamed answer goes: each write is flushed at once and returns when it was written; a write
/// throws once the client has gone.
protocol AnswerStreamWriter: Sendable {
    func write(_ buffer: ByteBuffer) async throws
    /// Ends the answer; nothing may be written after it.
    func finish() async throws
}
