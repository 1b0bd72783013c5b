import NIOCore
import NIOHTTP1

/// A request's head as the gateway reads it: the request line, how the connection goes on, and the few
/// headers it decides on, made into strings; no other header is kept.
struct RequestHead: Sendable, Equatable {
    var method: HTTPMethod
    var uri: String
    var version: HTTPVersion
    /// Whether the connection stays open after the answer (HTTP/1.1 unless `connection: close`, HTTP/1.0
    /// only with `connection: keep-alive`).
    var keepAlive: Bool
    /// The first `expect` header is `100-continue` (on HTTP/1.1).
    var expectsContinue = false
    var apiKey: String?
    var authorization: String?
    var forwardedFor: String?
    var userAgent: String?
    var anthropicVersion: String?
    var anthropicBeta: String?
    /// The value of the configured TLS fingerprint header (`tls_fingerprint_header`), whoever sent it:
    /// believed only from a trusted proxy, which the gateway decides.
    var tlsFingerprint: String?
}

/// What ``RequestDecoder`` passes on.
enum RequestPart: Sendable {
    /// A head asking to be told to send its body (`expect: 100-continue`), before the body is read.
    case continueExpected
    /// A whole request: its head and its body, cut just past the decoder's body limit when longer.
    case request(RequestHead, ByteBuffer)
}

/// HTTP/1.0 and 1.1 requests, read in one pass over each head, strictly: a request that two readers could
/// frame differently is refused rather than guessed at, so that no proxy in front of the gateway can be
/// made to see one request where the gateway sees two.
///
/// Refused (RFC 9112 allows a server to): line ends other than CRLF; a header line folded onto the next
/// (obs-fold); white space between a header's name and its colon; control characters in a value; a method
/// other than GET, HEAD, POST, PUT, DELETE, OPTIONS and PATCH; a request target that is not a path; a
/// version other than HTTP/1.0 and 1.1; `content-length` given twice or not a number; `transfer-encoding`
/// other than `chunked` alone, given twice, on HTTP/1.0 or beside `content-length`; a tab in either of
/// those two headers; a head larger than
/// ``HTTP1/maxHeadBytes``. Accepted: empty lines before the request line, chunk extensions and trailers (both
/// read and dropped; extensions with no white space and no escapes in quoted values). A request with
/// neither `content-length` nor `transfer-encoding` has no body. Nothing after a request that ends the
/// connection (HTTP/1.0 without keep-alive, `connection: close`) is read.
///
/// The body is kept up to one byte past `maxBodyBytes` and the rest read and dropped, so that a responder
/// can refuse a body that is too large after the request has been read whole.
///
/// ``ResponderHandler`` runs it on the bytes it reads (there is no `ByteToMessageHandler`), keeping what a
/// read leaves of a request for the next; a request cut by the end of the connection is dropped.
struct RequestDecoder {
    private enum State {
        /// Looking for the end of a head; `scanned` bytes of it were looked at already.
        case head(scanned: Int)
        /// Reading a head's body.
        case body(HTTP1.BodyReader)
        /// After a request that ends the connection: whatever follows is dropped, unread.
        case closing
    }

    private let maxBody: Int
    /// The lower-case name of a header to read into ``RequestHead/tlsFingerprint``, if any.
    private let fingerprintHeader: [UInt8]?
    private var state = State.head(scanned: 0)
    private var head: RequestHead?
    private var body = ByteBuffer()

    init(maxBodyBytes: Int, fingerprintHeader: [UInt8]? = nil) {
        maxBody = maxBodyBytes
        self.fingerprintHeader = fingerprintHeader
    }

    /// Reads what `buffer` holds of the current request, passing each part to `emit`; `.continue` when a
    /// request was completed and more bytes may follow.
    mutating func decode(buffer: inout ByteBuffer, emit: (RequestPart) -> Void) throws -> DecodingState {
        switch state {
        case .closing:
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        case .head(let scanned):
            guard let end = try HTTP1.headEnd(in: buffer, from: scanned) else {
                state = .head(scanned: max(0, buffer.readableBytes - 3))
                return .needMoreData
            }
            let parsed = try buffer.withUnsafeReadableBytes { try parseHead(UnsafeRawBufferPointer(rebasing: $0[..<end])) }
            buffer.moveReaderIndex(forwardBy: end)
            head = parsed.head
            body = ByteBuffer()
            if parsed.head.expectsContinue { emit(.continueExpected) }
            state = .body(HTTP1.BodyReader(parsed.framing))
        case .body:
            break
        }
        guard case .body(var reader) = state else { return .needMoreData }
        let done = try reader.read(&buffer) { buffer, n in take(n, from: &buffer) }
        state = .body(reader)
        guard done else { return .needMoreData }
        finish(emit)
        return .continue
    }

    /// Keeps up to one byte past the body limit of the next `n` bytes, and drops them from `buffer`.
    private mutating func take(_ n: Int, from buffer: inout ByteBuffer) {
        let room = maxBody + 1 - body.readableBytes
        if room <= 0 {
            buffer.moveReaderIndex(forwardBy: n)
        } else if body.readableBytes == 0, n <= room {
            body = buffer.readSlice(length: n)!
        } else {
            var kept = buffer.readSlice(length: min(n, room))!
            body.writeBuffer(&kept)
            buffer.moveReaderIndex(forwardBy: n - min(n, room))
        }
    }

    private mutating func finish(_ emit: (RequestPart) -> Void) {
        let done = head!
        head = nil
        // Nothing after a request that ends the connection is read (llhttp reads nothing either).
        state = done.keepAlive ? .head(scanned: 0) : .closing
        let whole = body
        body = ByteBuffer()
        emit(.request(done, whole))
    }

    // MARK: The head

    /// The headers read, by their lower-case names.
    private enum Read: UInt8 {
        case apiKey, authorization, forwardedFor, userAgent, anthropicVersion, anthropicBeta, connection, expect
    }

    private static let names: [(Read, [UInt8])] = [
        (.apiKey, Array("x-api-key".utf8)), (.authorization, Array("authorization".utf8)),
        (.forwardedFor, Array("x-forwarded-for".utf8)), (.userAgent, Array("user-agent".utf8)),
        (.anthropicVersion, Array("anthropic-version".utf8)), (.anthropicBeta, Array("anthropic-beta".utf8)),
        (.connection, Array("connection".utf8)), (.expect, Array("expect".utf8)),
    ]

    /// Parses a whole head (the bytes up to and including its empty line).
    private func parseHead(_ bytes: UnsafeRawBufferPointer) throws -> (head: RequestHead, framing: HTTP1.Framing) {
        // The request line: method SP request-target SP HTTP-version.
        let i = HTTP1.startLine(bytes)
        let lineEnd = try HTTP1.endOfLine(bytes, from: i)
        let methodEnd = HTTP1.firstSpace(bytes, from: i, to: lineEnd)
        guard let method = Self.method(UnsafeRawBufferPointer(rebasing: bytes[i..<methodEnd])) else {
            throw HTTP1ParseError(reason: "an unknown method")
        }
        let targetStart = methodEnd + 1
        guard targetStart < lineEnd else { throw HTTP1ParseError(reason: "no request target") }
        let targetEnd = HTTP1.firstSpace(bytes, from: targetStart, to: lineEnd)
        guard targetEnd > targetStart, bytes[targetStart] == UInt8(ascii: "/") else {
            throw HTTP1ParseError(reason: "the request target is not a path")
        }
        for k in targetStart..<targetEnd where bytes[k] < 0x21 || bytes[k] > 0x7E {
            throw HTTP1ParseError(reason: "the request target holds a byte that is not printable ASCII")
        }
        let version: HTTPVersion
        let versionBytes = UnsafeRawBufferPointer(rebasing: bytes[min(targetEnd + 1, lineEnd)..<lineEnd])
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            version = .http1_1
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            version = .http1_0
        } else {
            throw HTTP1ParseError(reason: "the version is not HTTP/1.0 or HTTP/1.1")
        }
        var head = RequestHead(
            method: method, uri: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<targetEnd]), as: UTF8.self),
            version: version, keepAlive: false)

        // The headers, up to the empty line.
        var framing = HTTP1.FramingHeaders()
        var sawExpect = false
        var connectionClose = false
        var connectionKeepAlive = false
        try HTTP1.forEachHeader(bytes, from: lineEnd + 2) { name, value, line in
            if try framing.read(name, value, line: line) { return }
            guard let read = Self.read(name) else {
                if let fingerprintHeader, HTTP1.same(name, fingerprintHeader) { HTTP1.join(&head.tlsFingerprint, value) }
                return
            }
            switch read {
            case .apiKey: HTTP1.join(&head.apiKey, value)
            case .authorization: HTTP1.join(&head.authorization, value)
            case .forwardedFor: HTTP1.join(&head.forwardedFor, value)
            case .userAgent: HTTP1.join(&head.userAgent, value)
            case .anthropicVersion: HTTP1.join(&head.anthropicVersion, value)
            case .anthropicBeta: HTTP1.join(&head.anthropicBeta, value)
            case .connection:
                // llhttp does not take `keep-alive` beside a tab: the gateway closes then rather than differ.
                var keepAlive = false
                HTTP1.connectionTokens(value, close: &connectionClose, keepAlive: &keepAlive)
                if keepAlive, !line.contains(0x09) { connectionKeepAlive = true }
            case .expect:
                if !sawExpect {
                    sawExpect = true
                    head.expectsContinue = version == .http1_1 && HTTP1.same(value, Self.continueToken)
                }
            }
        }
        // As llhttp (NIO's decoder) decides it: HTTP/1.1 unless `close`, HTTP/1.0 only with `keep-alive`.
        head.keepAlive = version == .http1_1 ? !connectionClose : connectionKeepAlive

        let body = try framing.framing(otherwise: .none)
        if case .chunked = body, version != .http1_1 { throw HTTP1ParseError(reason: "transfer-encoding on HTTP/1.0") }
        return (head, body)
    }

    private static func method(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod? {
        switch bytes.count {
        case 3:
            if bytes.elementsEqual("GET".utf8) { return .GET }
            if bytes.elementsEqual("PUT".utf8) { return .PUT }
        case 4:
            if bytes.elementsEqual("POST".utf8) { return .POST }
            if bytes.elementsEqual("HEAD".utf8) { return .HEAD }
        case 5:
            if bytes.elementsEqual("PATCH".utf8) { return .PATCH }
        case 6:
            if bytes.elementsEqual("DELETE".utf8) { return .DELETE }
        case 7:
            if bytes.elementsEqual("OPTIONS".utf8) { return .OPTIONS }
        default:
            break
        }
        return nil
    }

    private static func read(_ name: UnsafeRawBufferPointer) -> Read? {
        for (read, known) in names where HTTP1.same(name, known) { return read }
        return nil
    }

    private static let continueToken = Array("100-continue".utf8)
}
