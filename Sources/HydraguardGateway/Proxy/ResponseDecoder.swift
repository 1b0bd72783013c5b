import NIOCore
import NIOHTTP1

/// An upstream answer's head as the pool reads it: the status and the few headers it passes on.
struct ResponseHead: Equatable {
    var status: Int
    /// Whether the connection can carry another exchange after this answer.
    var keepAlive: Bool
    var contentType: String?
    var cacheControl: String?
}

/// What ``ResponseDecoder`` passes on, per answer: the head, the body's bytes as they arrive, the end.
enum ResponsePart {
    case head(ResponseHead)
    case body(ByteBuffer)
    case end
}

/// HTTP/1.0 and 1.1 answers from the upstream, read in one pass over each head and as strictly as
/// ``RequestDecoder`` reads requests (the same ``HTTP1`` syntax). It is told of each request that goes out
/// (``expectAnswer(to:)``), so that it knows the method each answer is for (an answer to HEAD has no body),
/// and reads answers in that order. ``UpstreamHandler`` runs it on the bytes it reads, and calls
/// ``closed(emit:)`` when the connection ends.
///
/// Informational answers (1xx) are skipped; 204, 304 and answers to HEAD have no body; a body is delimited
/// by `content-length`, chunked encoding or the end of the connection. Only the first `content-type` and
/// `cache-control` are kept, the framing headers and `connection` read, and no other header made a string.
struct ResponseDecoder {
    private enum State {
        case head(scanned: Int)
        case body(HTTP1.BodyReader, keepAlive: Bool)
        /// After an answer that leaves the connection to no other: whatever follows is dropped, unread.
        case closing
    }

    private var state = State.head(scanned: 0)
    /// The methods of the requests sent whose answers have not begun.
    private var methods = CircularBuffer<HTTPMethod>(initialCapacity: 2)

    /// Notes a request sent: the next answer not yet begun is to `method`.
    mutating func expectAnswer(to method: HTTPMethod) { methods.append(method) }

    /// The connection ended: an answer delimited by it ends with it; any other answer cut short is not
    /// passed on as ended (the pool sees the connection close instead).
    mutating func closed(emit: (ResponsePart) -> Void) {
        guard case .body(var reader, _) = state, reader.finishAtClose() else { return }
        state = .closing
        emit(.end)
    }

    /// Reads what `buffer` holds of the current answer, passing each part to `emit`; `.continue` when an
    /// answer was completed and more bytes may follow.
    mutating func decode(buffer: inout ByteBuffer, emit: (ResponsePart) -> Void) throws -> DecodingState {
        if case .closing = state {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        if case .head(let scanned) = state {
            // Empty lines are let through before a request line only (RFC 9112): llhttp refuses them here.
            if scanned == 0, let first = buffer.readableBytesView.first, first == 0x0D || first == 0x0A {
                throw HTTP1ParseError(reason: "an empty line before the status line")
            }
            guard let end = try HTTP1.headEnd(in: buffer, from: scanned) else {
                state = .head(scanned: max(0, buffer.readableBytes - 3))
                return .needMoreData
            }
            guard let method = methods.first else { throw HTTP1ParseError(reason: "an answer to no request") }
            let (head, framing) = try buffer.withUnsafeReadableBytes {
                try Self.parseHead(UnsafeRawBufferPointer(rebasing: $0[..<end]), method: method)
            }
            buffer.moveReaderIndex(forwardBy: end)
            state = .head(scanned: 0)
            // An informational answer (100 Continue and the like) comes ahead of the real one.
            if (100..<200).contains(head.status) { return .continue }
            methods.removeFirst()
            emit(.head(head))
            state = .body(HTTP1.BodyReader(framing), keepAlive: head.keepAlive)
        }
        guard case .body(var reader, let keepAlive) = state else { return .needMoreData }
        let done = try reader.read(&buffer) { buffer, n in emit(.body(buffer.readSlice(length: n)!)) }
        state = !done ? .body(reader, keepAlive: keepAlive) : keepAlive ? .head(scanned: 0) : .closing
        guard done else { return .needMoreData }
        emit(.end)
        return .continue
    }

    private static let contentTypeName = Array("content-type".utf8)
    private static let cacheControlName = Array("cache-control".utf8)
    private static let connectionName = Array("connection".utf8)

    /// Parses a whole head (the bytes up to and including its empty line) of an answer to `method`.
    static func parseHead(_ bytes: UnsafeRawBufferPointer, method: HTTPMethod) throws -> (ResponseHead, HTTP1.Framing) {
        // The status line: HTTP-version SP 3DIGIT SP [reason-phrase], the reason read and dropped (no empty
        // lines before it: `decode` refused those).
        let lineEnd = try HTTP1.endOfLine(bytes, from: 0)
        guard lineEnd >= 12, bytes[8] == 0x20 else { throw HTTP1ParseError(reason: "a malformed status line") }
        let versionBytes = UnsafeRawBufferPointer(rebasing: bytes[..<8])
        let http11: Bool
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            http11 = true
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            http11 = false
        } else {
            throw HTTP1ParseError(reason: "the version is not HTTP/1.0 or HTTP/1.1")
        }
        var status = 0
        for k in 9..<12 {
            guard bytes[k] >= UInt8(ascii: "0"), bytes[k] <= UInt8(ascii: "9") else {
                throw HTTP1ParseError(reason: "the status is not three digits")
            }
            status = status * 10 + Int(bytes[k] - UInt8(ascii: "0"))
        }
        guard status >= 100 else { throw HTTP1ParseError(reason: "the status is not three digits") }
        if lineEnd > 12 {
            guard bytes[12] == 0x20 else { throw HTTP1ParseError(reason: "a malformed status line") }
            for k in 13..<lineEnd where !HTTP1.isFieldValueByte(bytes[k]) {
                throw HTTP1ParseError(reason: "a control character in the reason phrase")
            }
        }

        var head = ResponseHead(status: status, keepAlive: false)
        var framing = HTTP1.FramingHeaders()
        var close = false
        var keepAlive = false
        try HTTP1.forEachHeader(bytes, from: lineEnd + 2) { name, value, line in
            if try framing.read(name, value, line: line) { return }
            if head.contentType == nil, HTTP1.same(name, contentTypeName) {
                head.contentType = String(decoding: value, as: UTF8.self)
            } else if head.cacheControl == nil, HTTP1.same(name, cacheControlName) {
                head.cacheControl = String(decoding: value, as: UTF8.self)
            } else if HTTP1.same(name, connectionName) {
                HTTP1.connectionTokens(value, close: &close, keepAlive: &keepAlive)
            }
        }
        // Checked even for an answer with no body (llhttp refuses both framings on any answer).
        let delimited = try framing.framing(otherwise: .untilClose)
        // An informational answer is HTTP/1.1's only, and frames no body: one that says otherwise is refused.
        if status < 200, !http11 || framing.given {
            throw HTTP1ParseError(reason: "an informational answer on HTTP/1.0 or with a body's framing")
        }
        let noBodyStatus = status < 200 || status == 204 || status == 304
        let body = method == .HEAD || noBodyStatus ? .none : delimited
        // An answer whose length is not known from its head (one delimited by the connection's end, or an
        // answer to HEAD with neither length nor chunked encoding) leaves the connection to no other, as
        // llhttp has it.
        head.keepAlive = (framing.given || noBodyStatus) && (http11 ? !close : keepAlive && !close)
        return (head, body)
    }
}
