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

/// Why bytes from a client are not an HTTP/1.x request the gateway reads. The connection ends with it.
struct RequestParseError: Error, Equatable, CustomStringConvertible {
    var reason: String
    var description: String { "malformed request: \(reason)" }
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
/// ``maxHeadBytes``. Accepted: empty lines before the request line, chunk extensions and trailers (both
/// read and dropped; extensions with no white space and no escapes in quoted values). A request with
/// neither `content-length` nor `transfer-encoding` has no body. Nothing after a request that ends the
/// connection (HTTP/1.0 without keep-alive, `connection: close`) is read.
///
/// The body is kept up to one byte past `maxBodyBytes` and the rest read and dropped, so that a responder
/// can refuse a body that is too large after the request has been read whole.
struct RequestDecoder: ByteToMessageDecoder {
    typealias InboundOut = RequestPart

    /// The largest request head, from the request line to the empty line that ends the headers.
    static let maxHeadBytes = 64 * 1024
    /// The largest chunk-size line, extensions included.
    static let maxChunkLineBytes = 4 * 1024

    private enum State {
        /// Looking for the end of a head; `scanned` bytes of it were looked at already.
        case head(scanned: Int)
        /// A body of known length, `remaining` bytes still to come.
        case body(remaining: Int)
        /// Looking for a chunk-size line.
        case chunkSize
        /// Inside a chunk's data, `remaining` bytes still to come.
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data.
        case chunkEnd
        /// Trailer lines after the last chunk, `read` bytes of them so far.
        case trailers(read: Int)
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

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        try decode(buffer: &buffer) { context.fireChannelRead(NIOAny($0)) }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A request cut by the end of the connection cannot be answered: what is left is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// Reads what `buffer` holds of the current request, passing each part to `emit`; `.continue` when a
    /// request was completed and more bytes may follow.
    mutating func decode(buffer: inout ByteBuffer, emit: (RequestPart) -> Void) throws -> DecodingState {
        while true {
            switch state {
            case .head(let scanned):
                guard let end = try Self.headEnd(in: buffer, from: scanned) else {
                    state = .head(scanned: max(0, buffer.readableBytes - 3))
                    return .needMoreData
                }
                let parsed = try buffer.withUnsafeReadableBytes { try parseHead(UnsafeRawBufferPointer(rebasing: $0[..<end])) }
                buffer.moveReaderIndex(forwardBy: end)
                head = parsed.head
                body = ByteBuffer()
                if parsed.head.expectsContinue { emit(.continueExpected) }
                switch parsed.framing {
                case .none:
                    finish(emit)
                    return .continue
                case .length(let n):
                    if n == 0 {
                        finish(emit)
                        return .continue
                    }
                    state = .body(remaining: n)
                case .chunked:
                    state = .chunkSize
                }
            case .body(let remaining):
                guard buffer.readableBytes > 0 else { return .needMoreData }
                let n = min(remaining, buffer.readableBytes)
                take(n, from: &buffer)
                if n == remaining {
                    finish(emit)
                    return .continue
                }
                state = .body(remaining: remaining - n)
                return .needMoreData
            case .chunkSize:
                guard let size = try Self.chunkSize(in: &buffer) else { return .needMoreData }
                state = size == 0 ? .trailers(read: 0) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard buffer.readableBytes > 0 else { return .needMoreData }
                let n = min(remaining, buffer.readableBytes)
                take(n, from: &buffer)
                if n < remaining {
                    state = .chunkData(remaining: remaining - n)
                    return .needMoreData
                }
                state = .chunkEnd
            case .chunkEnd:
                guard buffer.readableBytes >= 2 else { return .needMoreData }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else {
                    throw RequestParseError(reason: "a chunk's data does not end with CRLF")
                }
                state = .chunkSize
            case .closing:
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return .needMoreData
            case .trailers(let read):
                // Trailer lines are checked as header lines and dropped; an empty line ends the request.
                guard let line = try Self.line(in: buffer, limit: Self.maxHeadBytes - read) else { return .needMoreData }
                let bytes = buffer.readSlice(length: line + 2)!
                if line == 0 {
                    finish(emit)
                    return .continue
                }
                try bytes.withUnsafeReadableBytes { raw in
                    _ = try Self.headerLine(UnsafeRawBufferPointer(rebasing: raw[..<line]))
                }
                state = .trailers(read: read + line + 2)
            }
        }
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

    // MARK: Lines

    /// The length of the head at the front of `buffer` (up to and including the empty line), nil when it
    /// is not all there; `from` bytes were looked at before. Throws for a bare LF or a head too large.
    static func headEnd(in buffer: ByteBuffer, from: Int) throws -> Int? {
        try buffer.withUnsafeReadableBytes { bytes -> Int? in
            var i = from
            let count = bytes.count
            while i < count {
                if bytes[i] == 0x0A {
                    guard i > 0, bytes[i - 1] == 0x0D else { throw RequestParseError(reason: "a line ends without CR") }
                    // The empty line: CRLF right after the previous line's CRLF, not counting empty lines
                    // before the request line (skipped by the head's parser).
                    if i >= 3, bytes[i - 2] == 0x0A, bytes[i - 3] == 0x0D, !Self.onlyEmptyLines(bytes, upTo: i + 1) {
                        return i + 1
                    }
                }
                if i >= Self.maxHeadBytes { throw RequestParseError(reason: "the head is larger than \(Self.maxHeadBytes) bytes") }
                i += 1
            }
            return nil
        }
    }

    /// Whether `bytes[..<end]` is nothing but CRLFs (empty lines before a request line).
    private static func onlyEmptyLines(_ bytes: UnsafeRawBufferPointer, upTo end: Int) -> Bool {
        var i = 0
        while i + 1 < end {
            guard bytes[i] == 0x0D, bytes[i + 1] == 0x0A else { return false }
            i += 2
        }
        return i == end
    }

    /// The length of the line at the front of `buffer` without its CRLF, nil when it is not all there.
    private static func line(in buffer: ByteBuffer, limit: Int) throws -> Int? {
        try buffer.withUnsafeReadableBytes { bytes -> Int? in
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x0A {
                    guard i > 0, bytes[i - 1] == 0x0D else { throw RequestParseError(reason: "a line ends without CR") }
                    return i - 1
                }
                if i >= limit { throw RequestParseError(reason: "a line is too long") }
                i += 1
            }
            return nil
        }
    }

    /// A chunk-size line read off the front of `buffer` (extensions checked and dropped), nil when it is not
    /// all there.
    static func chunkSize(in buffer: inout ByteBuffer) throws -> Int? {
        guard let length = try line(in: buffer, limit: maxChunkLineBytes) else { return nil }
        let size = try buffer.withUnsafeReadableBytes { raw -> Int in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[..<length])
            var size = 0
            var i = 0
            while i < bytes.count, let digit = hexValue(bytes[i]) {
                guard size <= (Int.max - 15) / 16 else { throw RequestParseError(reason: "a chunk size is too large") }
                size = size * 16 + digit
                i += 1
            }
            guard i > 0 else { throw RequestParseError(reason: "a chunk size is not a hexadecimal number") }
            // chunk-ext: *( ";" token [ "=" ( token / quoted-string ) ] ), with no white space (which RFC 9112
            // allows around them, and llhttp refuses).
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: ";") else {
                    throw RequestParseError(reason: "a chunk size is not a hexadecimal number")
                }
                i += 1
                let name = i
                while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
                guard i > name else { throw RequestParseError(reason: "a chunk extension without a name") }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { continue }
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                    i += 1
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                        guard bytes[i] != UInt8(ascii: "\\"), isFieldValueByte(bytes[i]) else {
                            throw RequestParseError(reason: "a chunk extension's quoted value holds an escape or a control character")
                        }
                        i += 1
                    }
                    guard i < bytes.count else { throw RequestParseError(reason: "a chunk extension's quoted value is not closed") }
                    i += 1
                } else {
                    let value = i
                    while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
                    guard i > value else { throw RequestParseError(reason: "a chunk extension without a value") }
                }
            }
            return size
        }
        buffer.moveReaderIndex(forwardBy: length + 2)
        return size
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: The head

    private enum Framing {
        case none
        case length(Int)
        case chunked
    }

    /// The headers read, by their lower-case names.
    private enum Read: UInt8 {
        case apiKey, authorization, forwardedFor, userAgent, anthropicVersion, anthropicBeta
        case contentLength, transferEncoding, connection, expect
    }

    private static let names: [(Read, [UInt8])] = [
        (.apiKey, Array("x-api-key".utf8)), (.authorization, Array("authorization".utf8)),
        (.forwardedFor, Array("x-forwarded-for".utf8)), (.userAgent, Array("user-agent".utf8)),
        (.anthropicVersion, Array("anthropic-version".utf8)), (.anthropicBeta, Array("anthropic-beta".utf8)),
        (.contentLength, Array("content-length".utf8)), (.transferEncoding, Array("transfer-encoding".utf8)),
        (.connection, Array("connection".utf8)), (.expect, Array("expect".utf8)),
    ]

    /// Parses a whole head (the bytes up to and including its empty line).
    private func parseHead(_ bytes: UnsafeRawBufferPointer) throws -> (head: RequestHead, framing: Framing) {
        var i = 0
        while i + 1 < bytes.count, bytes[i] == 0x0D, bytes[i + 1] == 0x0A { i += 2 }  // empty lines first

        // The request line: method SP request-target SP HTTP-version.
        let lineEnd = try Self.endOfLine(bytes, from: i)
        let methodEnd = Self.firstSpace(bytes, from: i, to: lineEnd)
        guard let method = Self.method(UnsafeRawBufferPointer(rebasing: bytes[i..<methodEnd])) else {
            throw RequestParseError(reason: "an unknown method")
        }
        let targetStart = methodEnd + 1
        guard targetStart < lineEnd else { throw RequestParseError(reason: "no request target") }
        let targetEnd = Self.firstSpace(bytes, from: targetStart, to: lineEnd)
        guard targetEnd > targetStart, bytes[targetStart] == UInt8(ascii: "/") else {
            throw RequestParseError(reason: "the request target is not a path")
        }
        for k in targetStart..<targetEnd where bytes[k] < 0x21 || bytes[k] > 0x7E {
            throw RequestParseError(reason: "the request target holds a byte that is not printable ASCII")
        }
        let version: HTTPVersion
        let versionBytes = UnsafeRawBufferPointer(rebasing: bytes[min(targetEnd + 1, lineEnd)..<lineEnd])
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            version = .http1_1
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            version = .http1_0
        } else {
            throw RequestParseError(reason: "the version is not HTTP/1.0 or HTTP/1.1")
        }
        var head = RequestHead(
            method: method, uri: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<targetEnd]), as: UTF8.self),
            version: version, keepAlive: version == .http1_1)

        // The headers, up to the empty line.
        var contentLength: Int?
        var chunked = false
        var sawTransferEncoding = false
        var sawExpect = false
        var connectionClose = false
        var connectionKeepAlive = false
        i = lineEnd + 2
        while true {
            let end = try Self.endOfLine(bytes, from: i)
            if end == i { break }
            let (nameEnd, valueStart, valueEnd) = try Self.headerLine(UnsafeRawBufferPointer(rebasing: bytes[i..<end]))
            let name = UnsafeRawBufferPointer(rebasing: bytes[i..<(i + nameEnd)])
            let value = UnsafeRawBufferPointer(rebasing: bytes[(i + valueStart)..<(i + valueEnd)])
            // A tab anywhere in a line that frames the request or keeps the connection: llhttp refuses a
            // length or an encoding with one and does not take `keep-alive` beside one, so the gateway
            // refuses the first and closes on the second rather than read either differently. Looked for
            // in those three headers only.
            let line = UnsafeRawBufferPointer(rebasing: bytes[i..<end])
            i = end + 2
            guard let read = Self.read(name) else {
                if let fingerprintHeader, Self.same(name, fingerprintHeader) { Self.join(&head.tlsFingerprint, value) }
                continue
            }
            switch read {
            case .apiKey: Self.join(&head.apiKey, value)
            case .authorization: Self.join(&head.authorization, value)
            case .forwardedFor: Self.join(&head.forwardedFor, value)
            case .userAgent: Self.join(&head.userAgent, value)
            case .anthropicVersion: Self.join(&head.anthropicVersion, value)
            case .anthropicBeta: Self.join(&head.anthropicBeta, value)
            case .contentLength:
                guard contentLength == nil else { throw RequestParseError(reason: "content-length is given twice") }
                guard !line.contains(0x09) else { throw RequestParseError(reason: "a tab in content-length") }
                contentLength = try Self.decimal(value)
            case .transferEncoding:
                guard !sawTransferEncoding else { throw RequestParseError(reason: "transfer-encoding is given twice") }
                sawTransferEncoding = true
                guard !line.contains(0x09) else { throw RequestParseError(reason: "a tab in transfer-encoding") }
                guard Self.same(value, Self.chunkedToken) else {
                    throw RequestParseError(reason: "transfer-encoding other than chunked")
                }
                chunked = true
            case .connection:
                var keepAlive = false
                Self.connectionTokens(value, close: &connectionClose, keepAlive: &keepAlive)
                if keepAlive, !line.contains(0x09) { connectionKeepAlive = true }
            case .expect:
                if !sawExpect {
                    sawExpect = true
                    head.expectsContinue = version == .http1_1 && Self.same(value, Self.continueToken)
                }
            }
        }
        // As llhttp (NIO's decoder) decides it: HTTP/1.1 unless `close`, HTTP/1.0 only with `keep-alive`.
        head.keepAlive = version == .http1_1 ? !connectionClose : connectionKeepAlive

        if chunked {
            guard contentLength == nil else { throw RequestParseError(reason: "both content-length and transfer-encoding") }
            guard version == .http1_1 else { throw RequestParseError(reason: "transfer-encoding on HTTP/1.0") }
            return (head, .chunked)
        }
        if let contentLength { return (head, .length(contentLength)) }
        return (head, .none)
    }

    /// The index of the CR that ends the line starting at `from` (the head is known to end with CRLF CRLF,
    /// and every LF in it to follow a CR); throws for a CR not followed by LF.
    private static func endOfLine(_ bytes: UnsafeRawBufferPointer, from: Int) throws -> Int {
        var i = from
        while bytes[i] != 0x0D { i += 1 }
        guard bytes[i + 1] == 0x0A else { throw RequestParseError(reason: "a CR not followed by LF") }
        return i
    }

    private static func firstSpace(_ bytes: UnsafeRawBufferPointer, from: Int, to end: Int) -> Int {
        var i = from
        while i < end, bytes[i] != 0x20 { i += 1 }
        return i
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

    /// A header line (without its CRLF): where its name ends and where its value, trimmed of white space,
    /// starts and ends. Throws for a line that is not `token ":" OWS value OWS`.
    static func headerLine(_ line: UnsafeRawBufferPointer) throws -> (nameEnd: Int, valueStart: Int, valueEnd: Int) {
        var i = 0
        while i < line.count, isTokenByte(line[i]) { i += 1 }
        guard i > 0 else {
            throw RequestParseError(
                reason: line.first == 0x20 || line.first == 0x09 ? "a folded header line" : "a header line without a name")
        }
        guard i < line.count, line[i] == UInt8(ascii: ":") else {
            throw RequestParseError(reason: "a header name followed by something other than a colon")
        }
        let nameEnd = i
        i += 1
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        let valueStart = i
        var valueEnd = line.count
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        for k in valueStart..<valueEnd where !isFieldValueByte(line[k]) {
            throw RequestParseError(reason: "a control character in a header value")
        }
        return (nameEnd, valueStart, valueEnd)
    }

    /// tchar (RFC 9110): letters, digits and ``!#$%&'*+-.^_`|~``.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// A byte a field value may hold: tab, space, visible ASCII, and bytes of 0x80 and above (obs-text).
    private static func isFieldValueByte(_ b: UInt8) -> Bool { b == 0x09 || (b >= 0x20 && b != 0x7F) }

    private static func read(_ name: UnsafeRawBufferPointer) -> Read? {
        for (read, known) in names where same(name, known) { return read }
        return nil
    }

    /// Whether `bytes` equal the lower-case `known`, without regard to case.
    private static func same(_ bytes: UnsafeRawBufferPointer, _ known: [UInt8]) -> Bool {
        guard known.count == bytes.count else { return false }
        for i in 0..<bytes.count where bytes[i] | 0x20 != known[i] | 0x20 { return false }
        return true
    }

    /// A header given more than once is read as its values joined by ", " (as HTTP combines them).
    private static func join(_ field: inout String?, _ value: UnsafeRawBufferPointer) {
        let text = String(decoding: value, as: UTF8.self)
        if let existing = field { field = existing + ", " + text } else { field = text }
    }

    private static func decimal(_ value: UnsafeRawBufferPointer) throws -> Int {
        guard !value.isEmpty else { throw RequestParseError(reason: "content-length is empty") }
        var n = 0
        for b in value {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else {
                throw RequestParseError(reason: "content-length is not a number")
            }
            let (times, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw RequestParseError(reason: "content-length is too large") }
            n = sum
        }
        return n
    }

    /// Notes the `close` and `keep-alive` tokens of a `connection` value (comma-separated, any case).
    private static func connectionTokens(_ value: UnsafeRawBufferPointer, close: inout Bool, keepAlive: inout Bool) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var s = start
            var e = end
            while s < e, value[s] == 0x20 || value[s] == 0x09 { s += 1 }
            while e > s, value[e - 1] == 0x20 || value[e - 1] == 0x09 { e -= 1 }
            let token = UnsafeRawBufferPointer(rebasing: value[s..<e])
            if same(token, closeToken) { close = true }
            if same(token, keepAliveToken) { keepAlive = true }
            start = end + 1
        }
    }

    private static let closeToken = Array("close".utf8)
    private static let keepAliveToken = Array("keep-alive".utf8)
    private static let chunkedToken = Array("chunked".utf8)
    private static let continueToken = Array("100-continue".utf8)
}
