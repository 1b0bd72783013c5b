import NIOCore
import NIOHTTP1

/// A request as the gateway reads it: its method and path, the few headers it decides on (``RequestHead``),
/// the whole body and the socket's peer. No other header is read, so no other is converted or passed on.
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

    /// A request read by ``RequestDecoder``.
    init(head: RequestHead, body: ByteBuffer, peer: String?, keyMemo: KeyMemo? = nil) {
        method = head.method
        path = head.uri.firstIndex(of: "?").map { head.uri[..<$0] } ?? head.uri[...]
        apiKey = head.apiKey
        authorization = head.authorization
        forwardedFor = head.forwardedFor
        userAgent = head.userAgent
        anthropicVersion = head.anthropicVersion
        anthropicBeta = head.anthropicBeta
        tlsFingerprint = head.tlsFingerprint
        self.body = body
        self.peer = peer
        self.keyMemo = keyMemo
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
