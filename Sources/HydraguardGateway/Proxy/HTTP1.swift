import NIOCore

/// Why bytes are not an HTTP/1.x message the gateway reads: a request from a client (the connection ends
/// with a 400) or an answer from the upstream (a 502).
struct HTTP1ParseError: Error, Equatable, CustomStringConvertible {
    var reason: String
    var description: String { "malformed HTTP message: \(reason)" }
}

/// The HTTP/1.x syntax both of the gateway's decoders read (``RequestDecoder`` from clients,
/// ``ResponseDecoder`` from the upstream): heads, header lines and bodies, read strictly.
enum HTTP1 {
    /// The largest head, from the start line to the empty line that ends the headers.
    static let maxHeadBytes = 64 * 1024
    /// The largest chunk-size line, extensions included.
    static let maxChunkLineBytes = 4 * 1024

    /// How a message's body is delimited.
    enum Framing {
        case none
        case length(Int)
        case chunked
        /// By the end of the connection (an answer with neither length nor chunked encoding).
        case untilClose
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
                    guard i > 0, bytes[i - 1] == 0x0D else { throw HTTP1ParseError(reason: "a line ends without CR") }
                    // The empty line: CRLF right after the previous line's CRLF, not counting empty lines
                    // before the start line (skipped by the head's parser).
                    if i >= 3, bytes[i - 2] == 0x0A, bytes[i - 3] == 0x0D, !onlyEmptyLines(bytes, upTo: i + 1) {
                        return i + 1
                    }
                }
                if i >= maxHeadBytes { throw HTTP1ParseError(reason: "the head is larger than \(maxHeadBytes) bytes") }
                i += 1
            }
            return nil
        }
    }

    /// Whether `bytes[..<end]` is nothing but CRLFs (empty lines before a start line).
    private static func onlyEmptyLines(_ bytes: UnsafeRawBufferPointer, upTo end: Int) -> Bool {
        var i = 0
        while i + 1 < end {
            guard bytes[i] == 0x0D, bytes[i + 1] == 0x0A else { return false }
            i += 2
        }
        return i == end
    }

    /// The index just past the empty lines at the front of a head.
    static func startLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i + 1 < bytes.count, bytes[i] == 0x0D, bytes[i + 1] == 0x0A { i += 2 }
        return i
    }

    /// The length of the line at the front of `buffer` without its CRLF, nil when it is not all there.
    static func line(in buffer: ByteBuffer, limit: Int) throws -> Int? {
        try buffer.withUnsafeReadableBytes { bytes -> Int? in
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x0A {
                    guard i > 0, bytes[i - 1] == 0x0D else { throw HTTP1ParseError(reason: "a line ends without CR") }
                    return i - 1
                }
                if i >= limit { throw HTTP1ParseError(reason: "a line is too long") }
                i += 1
            }
            return nil
        }
    }

    /// The index of the CR that ends the line starting at `from` (in a whole head, which ends with CRLF CRLF
    /// and has every LF after a CR); throws for a CR not followed by LF.
    static func endOfLine(_ bytes: UnsafeRawBufferPointer, from: Int) throws -> Int {
        var i = from
        while bytes[i] != 0x0D { i += 1 }
        guard bytes[i + 1] == 0x0A else { throw HTTP1ParseError(reason: "a CR not followed by LF") }
        return i
    }

    static func firstSpace(_ bytes: UnsafeRawBufferPointer, from: Int, to end: Int) -> Int {
        var i = from
        while i < end, bytes[i] != 0x20 { i += 1 }
        return i
    }

    /// The header lines of a head from `start` to its empty line, each as its name and its value trimmed
    /// of white space, with the whole line (for checks on what the trimming dropped).
    static func forEachHeader(
        _ bytes: UnsafeRawBufferPointer, from start: Int,
        _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var i = start
        while true {
            let end = try endOfLine(bytes, from: i)
            if end == i { return }
            let line = UnsafeRawBufferPointer(rebasing: bytes[i..<end])
            let (nameEnd, valueStart, valueEnd) = try headerLine(line)
            try body(
                UnsafeRawBufferPointer(rebasing: line[..<nameEnd]), UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd]),
                line)
            i = end + 2
        }
    }

    /// A header line (without its CRLF): where its name ends and where its value, trimmed of white space,
    /// starts and ends. Throws for a line that is not `token ":" OWS value OWS`.
    static func headerLine(_ line: UnsafeRawBufferPointer) throws -> (nameEnd: Int, valueStart: Int, valueEnd: Int) {
        var i = 0
        while i < line.count, isTokenByte(line[i]) { i += 1 }
        guard i > 0 else {
            throw HTTP1ParseError(
                reason: line.first == 0x20 || line.first == 0x09 ? "a folded header line" : "a header line without a name")
        }
        guard i < line.count, line[i] == UInt8(ascii: ":") else {
            throw HTTP1ParseError(reason: "a header name followed by something other than a colon")
        }
        let nameEnd = i
        i += 1
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        let valueStart = i
        var valueEnd = line.count
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        for k in valueStart..<valueEnd where !isFieldValueByte(line[k]) {
            throw HTTP1ParseError(reason: "a control character in a header value")
        }
        return (nameEnd, valueStart, valueEnd)
    }

    /// tchar (RFC 9110): letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isTokenByte(_ b: UInt8) -> Bool {
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
    static func isFieldValueByte(_ b: UInt8) -> Bool { b == 0x09 || (b >= 0x20 && b != 0x7F) }

    /// Whether `bytes` equal the lower-case `known`, without regard to case.
    static func same(_ bytes: UnsafeRawBufferPointer, _ known: [UInt8]) -> Bool {
        guard known.count == bytes.count else { return false }
        for i in 0..<bytes.count where bytes[i] | 0x20 != known[i] | 0x20 { return false }
        return true
    }

    /// A header given more than once is read as its values joined by ", " (as HTTP combines them).
    static func join(_ field: inout String?, _ value: UnsafeRawBufferPointer) {
        let text = String(decoding: value, as: UTF8.self)
        if let existing = field { field = existing + ", " + text } else { field = text }
    }

    /// A `content-length` value: digits only.
    static func decimal(_ value: UnsafeRawBufferPointer) throws -> Int {
        guard !value.isEmpty else { throw HTTP1ParseError(reason: "content-length is empty") }
        var n = 0
        for b in value {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else {
                throw HTTP1ParseError(reason: "content-length is not a number")
            }
            let (times, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw HTTP1ParseError(reason: "content-length is too large") }
            n = sum
        }
        return n
    }

    /// Notes the `close` and `keep-alive` tokens of a `connection` value (comma-separated, any case).
    static func connectionTokens(_ value: UnsafeRawBufferPointer, close: inout Bool, keepAlive: inout Bool) {
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

    static let closeToken = Array("close".utf8)
    static let keepAliveToken = Array("keep-alive".utf8)
    static let chunkedToken = Array("chunked".utf8)

    /// The framing headers of a head, read as the header lines go by: `content-length` once and a plain
    /// number, `transfer-encoding` once and `chunked` alone, neither with a tab in its line (llhttp refuses
    /// both), and not both.
    struct FramingHeaders {
        private var contentLength: Int?
        private var chunked = false

        static let contentLengthName = Array("content-length".utf8)
        static let transferEncodingName = Array("transfer-encoding".utf8)

        /// Reads the header if it is one of the two; false for any other.
        mutating func read(
            _ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer
        ) throws -> Bool {
            if HTTP1.same(name, Self.contentLengthName) {
                guard contentLength == nil else { throw HTTP1ParseError(reason: "content-length is given twice") }
                guard !line.contains(0x09) else { throw HTTP1ParseError(reason: "a tab in content-length") }
                contentLength = try HTTP1.decimal(value)
                return true
            }
            if HTTP1.same(name, Self.transferEncodingName) {
                guard !chunked else { throw HTTP1ParseError(reason: "transfer-encoding is given twice") }
                guard !line.contains(0x09) else { throw HTTP1ParseError(reason: "a tab in transfer-encoding") }
                guard HTTP1.same(value, HTTP1.chunkedToken) else {
                    throw HTTP1ParseError(reason: "transfer-encoding other than chunked")
                }
                chunked = true
                return true
            }
            return false
        }

        /// Whether either header was given.
        var given: Bool { contentLength != nil || chunked }

        /// The body's framing; `otherwise` when neither header was given.
        func framing(otherwise: Framing) throws -> Framing {
            if chunked {
                guard contentLength == nil else { throw HTTP1ParseError(reason: "both content-length and transfer-encoding") }
                return .chunked
            }
            if let contentLength { return contentLength == 0 ? .none : .length(contentLength) }
            return otherwise
        }
    }

    // MARK: Bodies

    /// Reads a body as its framing delimits it, handing each run of its bytes to the caller as they arrive.
    struct BodyReader {
        private enum State {
            case length(remaining: Int)
            case chunkSize
            case chunkData(remaining: Int)
            case chunkEnd
            /// Trailer lines after the last chunk, `read` bytes of them so far.
            case trailers(read: Int)
            case untilClose
            case done
        }

        private var state: State

        init(_ framing: Framing) {
            switch framing {
            case .none: state = .done
            case .length(let n): state = n == 0 ? .done : .length(remaining: n)
            case .chunked: state = .chunkSize
            case .untilClose: state = .untilClose
            }
        }

        /// Reads what `buffer` holds of the body: `take` is given the buffer and a count of body bytes at
        /// its front, and must read or skip exactly that many. True once the body has ended (its last byte,
        /// last chunk or trailers read); a body delimited by the connection ends only with ``finishAtClose()``.
        mutating func read(_ buffer: inout ByteBuffer, _ take: (inout ByteBuffer, Int) -> Void) throws -> Bool {
            while true {
                switch state {
                case .done:
                    return true
                case .length(let remaining):
                    guard buffer.readableBytes > 0 else { return false }
                    let n = min(remaining, buffer.readableBytes)
                    take(&buffer, n)
                    state = n == remaining ? .done : .length(remaining: remaining - n)
                case .untilClose:
                    if buffer.readableBytes > 0 { take(&buffer, buffer.readableBytes) }
                    return false
                case .chunkSize:
                    guard let size = try HTTP1.chunkSize(in: &buffer) else { return false }
                    state = size == 0 ? .trailers(read: 0) : .chunkData(remaining: size)
                case .chunkData(let remaining):
                    guard buffer.readableBytes > 0 else { return false }
                    let n = min(remaining, buffer.readableBytes)
                    take(&buffer, n)
                    state = n < remaining ? .chunkData(remaining: remaining - n) : .chunkEnd
                case .chunkEnd:
                    guard buffer.readableBytes >= 2 else { return false }
                    guard buffer.readInteger(as: UInt16.self) == 0x0D0A else {
                        throw HTTP1ParseError(reason: "a chunk's data does not end with CRLF")
                    }
                    state = .chunkSize
                case .trailers(let read):
                    // Trailer lines are checked as header lines and dropped; an empty line ends the body.
                    guard let line = try HTTP1.line(in: buffer, limit: HTTP1.maxHeadBytes - read) else { return false }
                    let bytes = buffer.readSlice(length: line + 2)!
                    if line > 0 {
                        try bytes.withUnsafeReadableBytes { raw in
                            _ = try HTTP1.headerLine(UnsafeRawBufferPointer(rebasing: raw[..<line]))
                        }
                    }
                    state = line == 0 ? .done : .trailers(read: read + line + 2)
                }
            }
        }

        /// The connection ended: true when that ends the body (one delimited by the connection), false when
        /// the body was cut short.
        mutating func finishAtClose() -> Bool {
            switch state {
            case .untilClose, .done:
                state = .done
                return true
            default:
                return false
            }
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
                guard size <= (Int.max - 15) / 16 else { throw HTTP1ParseError(reason: "a chunk size is too large") }
                size = size * 16 + digit
                i += 1
            }
            guard i > 0 else { throw HTTP1ParseError(reason: "a chunk size is not a hexadecimal number") }
            // chunk-ext: *( ";" token [ "=" ( token / quoted-string ) ] ), with no white space (which RFC 9112
            // allows around them, and llhttp refuses).
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: ";") else {
                    throw HTTP1ParseError(reason: "a chunk size is not a hexadecimal number")
                }
                i += 1
                let name = i
                while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
                guard i > name else { throw HTTP1ParseError(reason: "a chunk extension without a name") }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { continue }
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                    i += 1
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                        guard bytes[i] != UInt8(ascii: "\\"), isFieldValueByte(bytes[i]) else {
                            throw HTTP1ParseError(reason: "a chunk extension's quoted value holds an escape or a control character")
                        }
                        i += 1
                    }
                    guard i < bytes.count else { throw HTTP1ParseError(reason: "a chunk extension's quoted value is not closed") }
                    i += 1
                } else {
                    let value = i
                    while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
                    guard i > value else { throw HTTP1ParseError(reason: "a chunk extension without a value") }
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
}
