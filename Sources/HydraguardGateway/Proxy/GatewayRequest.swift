import NIOCore
import NIOHTTP1

/// A request as the gateway reads it: its method and path, the few headers it decides on, the whole body
/// and the socket's peer. No other header is read, so no other is converted or passed on.
struct GatewayRequest: Sendable {
    var method: HTTPMethod
    /// The path without its query.
    var path: Substring
    var apiKey: String? = nil
    var authorization: String? = nil
    var forwardedFor: String? = nil
    var userAgent: String? = nil
    var anthropicVersion: String? = nil
    var anthropicBeta: String? = nil
    var body: ByteBuffer
    /// The socket's peer address (nil when unknown, as for a Unix socket).
    var peer: String?

    /// The headers read, by their lower-case names, in the order of ``field(_:)``. A header given more than
    /// once is read as its values joined by ", " (as HTTP combines them).
    private static let read: [[UInt8]] = [
        "x-api-key", "authorization", "x-forwarded-for", "user-agent", "anthropic-version", "anthropic-beta",
    ].map { Array($0.utf8) }

    /// The field of the read header at `index` in ``read``.
    private subscript(field index: Int) -> String? {
        get {
            switch index {
            case 0: apiKey
            case 1: authorization
            case 2: forwardedFor
            case 3: userAgent
            case 4: anthropicVersion
            default: anthropicBeta
            }
        }
        set {
            switch index {
            case 0: apiKey = newValue
            case 1: authorization = newValue
            case 2: forwardedFor = newValue
            case 3: userAgent = newValue
            case 4: anthropicVersion = newValue
            default: anthropicBeta = newValue
            }
        }
    }

    /// NIO's request head and body as the gateway's request.
    init(head: HTTPRequestHead, body: ByteBuffer, peer: String?) {
        let uri = head.uri
        method = head.method
        path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
        self.body = body
        self.peer = peer
        for (name, value) in head.headers {
            guard let index = Self.index(named: name) else { continue }
            if let existing = self[field: index] { self[field: index] = existing + ", " + value } else {
                self[field: index] = value
            }
        }
    }

    /// Where the read header `name` is in ``read``, its name compared without regard to case; nil for any
    /// other.
    private static func index(named name: String) -> Int? {
        var name = name
        return name.withUTF8 { bytes -> Int? in
            for (index, known) in read.enumerated() where known.count == bytes.count {
                var same = true
                for i in 0..<bytes.count where bytes[i] | 0x20 != known[i] | 0x20 {
                    same = false
                    break
                }
                if same { return index }
            }
            return nil
        }
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
