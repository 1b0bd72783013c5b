import NIOCore
import NIOHTTP1

/// A request as the gateway reads it: its head (the request line and the few headers it decides on, as
/// ``RequestDecoder`` read them), its path, the whole body and the socket's peer. No other header is read,
/// so no other is converted or passed on.
struct GatewayRequest: Sendable {
    var head: RequestHead
    /// The path without its query.
    var path: Substring
    var body: ByteBuffer
    /// The socket's peer address (nil when unknown, as for a Unix socket).
    var peer: String?
    /// The connection's memo of the last secret that matched (nil: every secret is hashed).
    var keyMemo: KeyMemo?

    init(head: RequestHead, body: ByteBuffer, peer: String?, keyMemo: KeyMemo? = nil) {
        self.head = head
        // Searched as bytes: a `Character` search would break the URI into grapheme clusters first.
        path = head.uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { head.uri[..<$0] } ?? head.uri[...]
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
